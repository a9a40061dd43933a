//! The entropy-coded data read bit by bit: `FF 00` stuffing undone, the
//! scan stopped at the first marker, and zero bits supplied past the end of
//! the data, counted so that a decoder that used them can be told the data
//! was short.

/// Bits held at once.
const BUFFER_BITS: u32 = 64;

/// A refill leaves at least this many bits loaded: a Huffman code (at most
/// 16 bits) and its extra bits (at most 15) always fit after one refill.
const REFILLED: u32 = BUFFER_BITS - 8;

/// Eight bytes of `0x01`, for the "does a word hold a given byte" test
/// (Hacker's Delight, section 6-1).
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
/// Eight bytes of `0x80`, for the same test.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is `0xFF`.
#[inline(always)]
pub(crate) fn has_ff_byte(word: u64) -> bool {
    let inverted = !word;
    (inverted.wrapping_sub(LOW_BITS) & word & HIGH_BITS) != 0
}

/// A reader of entropy-coded bits, most significant bit first. It is
/// `Copy` so that a decoding loop can work on a local copy, which the
/// compiler keeps in registers, and store it back when done.
#[derive(Clone, Copy)]
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte to load.
    pos: usize,
    /// Loaded bits, left-aligned: the next bit is bit 63. Below the loaded
    /// ones, fewer than 8 bits may hold the start of the byte at `pos`.
    bits: u64,
    /// How many of `bits` are loaded.
    count: u32,
    /// A marker (or the end of the data) was reached; `pos` is at the
    /// marker's `FF`.
    stopped: bool,
    /// Zero bits supplied after the data stopped, still counted in `count`
    /// or already consumed.
    padding: u64,
}

impl<'a> BitReader<'a> {
    /// Reads `data` from `pos`.
    pub(crate) fn new(data: &'a [u8], pos: usize) -> BitReader<'a> {
        BitReader {
            data,
            pos,
            bits: 0,
            count: 0,
            stopped: false,
            padding: 0,
        }
    }

    /// Where the marker parser goes on: the marker that stopped the data, or
    /// the first byte not loaded yet.
    pub(crate) fn resume_position(&self) -> usize {
        self.pos
    }

    /// Whether more bits were consumed than the data held: the decoder used
    /// the zero bits that stand in past its end.
    pub(crate) fn overran(&self) -> bool {
        self.padding > u64::from(self.count)
    }

    /// Drops the bits still loaded, as at a restart marker; a reader that
    /// had not reached the marker keeps reading bytes from where it was.
    pub(crate) fn discard_bits(&mut self) {
        self.bits = 0;
        self.count = 0;
        self.padding = 0;
    }

    /// Loads bytes until at least [`REFILLED`] bits are held.
    #[inline(always)]
    pub(crate) fn refill(&mut self) {
        if self.count >= REFILLED {
            return;
        }
        if !self.stopped {
            if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let word = u64::from_be_bytes(word);
                if !has_ff_byte(word) {
                    // The whole word goes in below the loaded bits; the
                    // bytes that fit whole are counted as loaded. The part
                    // of the next byte that also went in is that byte's
                    // own bits, which the next refill puts in again at the
                    // same place, so they do no harm. Few steps depend on
                    // `count` here, which a decoding loop's critical path
                    // runs through.
                    self.bits |= word >> self.count;
                    self.pos += ((BUFFER_BITS - 1 - self.count) / 8) as usize;
                    self.count |= REFILLED;
                    return;
                }
            }
        }
        *self = self.refilled_slowly();
    }

    /// Byte by byte: undoes `FF 00` stuffing (any run of `FF` followed by
    /// `00` stands for one `FF` byte, as libjpeg reads it), stops at a
    /// marker or at the end of the data, and supplies zero bits after that.
    /// Takes and returns the reader by value, so that a caller's copy can
    /// stay in registers.
    #[cold]
    #[inline(never)]
    fn refilled_slowly(mut self) -> BitReader<'a> {
        while self.count < REFILLED {
            if self.stopped {
                let add = (BUFFER_BITS - self.count) / 8 * 8;
                self.count += add;
                self.padding += u64::from(add);
                return self;
            }
            let Some(&byte) = self.data.get(self.pos) else {
                self.stopped = true;
                continue;
            };
            let mut value = byte;
            let mut next = self.pos + 1;
            if byte == 0xFF {
                let mut probe = next;
                while self.data.get(probe) == Some(&0xFF) {
                    probe += 1;
                }
                match self.data.get(probe) {
                    Some(0x00) => next = probe + 1,
                    Some(_) => {
                        // A marker: its last FF is where the parser resumes.
                        self.pos = probe - 1;
                        self.stopped = true;
                        continue;
                    }
                    None => {
                        self.pos = self.data.len();
                        self.stopped = true;
                        continue;
                    }
                }
                value = 0xFF;
            }
            self.bits |= u64::from(value) << (REFILLED - self.count);
            self.count += 8;
            self.pos = next;
        }
        self
    }

    /// The next `n` bits (1..=32) without consuming them; needs a refill
    /// first.
    #[inline(always)]
    pub(crate) fn peek(&self, n: u32) -> u32 {
        (self.bits >> (BUFFER_BITS - n)) as u32
    }

    /// The loaded bits after the next `n` (0..=63), left-aligned; needs a
    /// refill first.
    #[inline(always)]
    pub(crate) fn peek_after(&self, n: u32) -> u64 {
        self.bits << (n & (BUFFER_BITS - 1))
    }

    /// Consumes `n` bits (at most what is loaded).
    #[inline(always)]
    pub(crate) fn consume(&mut self, n: u32) {
        // Callers consume at most 32 bits after a refill; the clamp only
        // keeps the state sane if that were ever broken.
        let n = n.min(self.count) & (BUFFER_BITS - 1);
        self.bits <<= n;
        self.count -= n;
    }

    /// Consumes `n` bits right after a refill, which leaves at least
    /// [`REFILLED`] loaded: `n` must be at most that.
    #[inline(always)]
    pub(crate) fn consume_refilled(&mut self, n: u32) {
        debug_assert!(n <= REFILLED && n <= self.count);
        self.bits <<= n & (BUFFER_BITS - 1);
        self.count = self.count.wrapping_sub(n);
    }

    /// Consumes the bits counted by the low five bits of `entry`, right
    /// after a refill; its sixth bit must be 0, and any above are ignored.
    /// For a decoding loop whose table entries lead with that count: the
    /// shift takes the entry as it is (the count is the low six bits of
    /// it, as an x86 shift reads it), so no masking step stands between a
    /// table lookup and the next.
    #[inline(always)]
    pub(crate) fn consume_leading(&mut self, entry: u32) {
        debug_assert!(entry & 32 == 0);
        self.bits = self.bits.wrapping_shl(entry);
        self.count = self.count.wrapping_sub(entry & 31);
    }

    /// The next `n` bits (0..=16) as a number.
    #[inline(always)]
    pub(crate) fn bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        self.refill();
        let value = self.peek(n);
        self.consume(n);
        value
    }

    /// One bit.
    #[inline(always)]
    pub(crate) fn bit(&mut self) -> bool {
        self.bits(1) == 1
    }

    /// The next `n` bits (1..=15) read as a signed magnitude (ITU T.81
    /// F.2.2.1, EXTEND): values below `2^(n-1)` are negative.
    #[inline(always)]
    pub(crate) fn signed(&mut self, n: u32) -> i32 {
        if n == 0 {
            return 0;
        }
        let value = self.bits(n) as i32;
        extend(value, n)
    }
}

/// ITU T.81 F.2.2.1 EXTEND: `n` raw bits to the signed value they code.
#[inline(always)]
pub(crate) fn extend(value: i32, n: u32) -> i32 {
    if n == 0 {
        0
    } else if value < (1 << (n - 1)) {
        value - (1 << n) + 1
    } else {
        value
    }
}

/// [`extend`] without a branch on the value: a decoding loop meets both
/// signs equally often, so a branch would be mispredicted half the time.
#[inline(always)]
pub(crate) fn extend_branchless(value: i32, n: u32) -> i32 {
    let all = (1i32 << n) - 1;
    let negative = (value - (all + 1) / 2) >> 31;
    value - (negative & all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(data: &[u8], n: usize) -> Vec<u32> {
        let mut r = BitReader::new(data, 0);
        (0..n).map(|_| r.bits(8)).collect()
    }

    #[test]
    fn stuffed_ff_is_one_data_byte() {
        assert_eq!(
            read_all(&[0x12, 0xFF, 0x00, 0x34], 3),
            vec![0x12, 0xFF, 0x34]
        );
        // Several FF before the 00 still stand for one FF.
        assert_eq!(
            read_all(&[0xFF, 0xFF, 0xFF, 0x00, 0x01], 2),
            vec![0xFF, 0x01]
        );
    }

    #[test]
    fn a_marker_stops_the_data_and_zero_bits_follow() {
        let data = [0xAB, 0xFF, 0xFF, 0xD9, 0x77];
        let mut r = BitReader::new(&data, 0);
        assert_eq!(r.bits(8), 0xAB);
        assert!(!r.overran());
        assert_eq!(r.bits(8), 0);
        assert!(r.overran());
        // The parser resumes at the marker's last FF.
        assert_eq!(r.resume_position(), 2);
    }

    #[test]
    fn the_fast_path_and_the_slow_path_agree() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        let mut r = BitReader::new(&data, 0);
        let mut widths = [1u32, 7, 16, 3, 9, 12, 5].iter().cycle();
        let mut bit_pos = 0usize;
        while bit_pos + 16 < data.len() * 8 {
            let n = *widths.next().unwrap();
            let mut want = 0u32;
            for i in 0..n as usize {
                let b = (data[(bit_pos + i) / 8] >> (7 - (bit_pos + i) % 8)) & 1;
                want = want << 1 | u32::from(b);
            }
            assert_eq!(r.bits(n), want, "at bit {bit_pos}");
            bit_pos += n as usize;
        }
        assert!(!r.overran());
    }

    #[test]
    fn stuffed_bytes_anywhere_read_as_their_data_then_zeros_after_the_marker() {
        let mut seed = 3u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        // Data bytes, about one in six an FF (stuffed in the file), then a
        // marker.
        let plain: Vec<u8> = (0..600)
            .map(|_| if next(6) == 0 { 0xFF } else { next(256) as u8 })
            .collect();
        let mut file = Vec::new();
        for &b in &plain {
            file.push(b);
            if b == 0xFF {
                file.push(0x00);
            }
        }
        file.extend_from_slice(&[0xFF, 0xD9, 0x12, 0x34]);
        let bit = |i: usize| {
            plain
                .get(i / 8)
                .map_or(0, |b| u32::from(b >> (7 - i % 8)) & 1)
        };
        let mut r = BitReader::new(&file, 0);
        let mut at = 0usize;
        while at < plain.len() * 8 + 64 {
            let n = 1 + next(16) as u32;
            let want = (0..n as usize).fold(0, |v, i| v << 1 | bit(at + i));
            assert_eq!(r.bits(n), want, "{n} bits at bit {at}");
            at += n as usize;
            assert_eq!(r.overran(), at > plain.len() * 8, "at bit {at}");
        }
        // The parser resumes at the marker's FF.
        assert_eq!(r.resume_position(), file.len() - 4);
    }

    #[test]
    fn extend_follows_the_standard() {
        assert_eq!(extend(0, 1), -1);
        assert_eq!(extend(1, 1), 1);
        assert_eq!(extend(0b00, 2), -3);
        assert_eq!(extend(0b01, 2), -2);
        assert_eq!(extend(0b10, 2), 2);
        assert_eq!(extend(0b11, 2), 3);
        assert_eq!(extend(0, 11), -2047);
        assert_eq!(extend(2047, 11), 2047);
    }

    #[test]
    fn extend_branchless_equals_extend() {
        for n in 0..=15u32 {
            for value in 0..(1i32 << n) {
                assert_eq!(
                    extend_branchless(value, n),
                    extend(value, n),
                    "{value} in {n} bits"
                );
            }
        }
    }
}
