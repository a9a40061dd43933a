//! Huffman tables (ITU T.81 Annex C and F.2.2.3): built from a DHT segment's
//! code counts and symbols, checked as libjpeg checks them, and decoded with
//! a lookup on the next [`LOOKAHEAD`] bits, falling back to the code-length
//! search for longer codes.

use std::cmp::Ordering;

use super::bits::{extend, extend_branchless, BitReader};
use super::Malformed;

/// Bits looked up at once: most codes of real files are this short.
pub(crate) const LOOKAHEAD: u32 = 9;
const LOOKUP_SIZE: usize = 1 << LOOKAHEAD;

/// Longest Huffman code (ITU T.81 C.2: code lengths 1..=16).
pub(crate) const MAX_CODE_LENGTH: usize = 16;

/// Most symbols one table can hold (one per byte value).
pub(crate) const MAX_SYMBOLS: usize = 256;

/// Largest DC symbol libjpeg accepts: a magnitude category of 8-bit data
/// (jdhuff.c, `jpeg_make_d_derived_tbl`).
const MAX_DC_SYMBOL: u8 = 15;

/// A table as the file defines it: how many codes of each length 1..=16,
/// then the symbols in code order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HuffSpec {
    /// `counts[l - 1]` codes of length `l`.
    pub(crate) counts: [u8; MAX_CODE_LENGTH],
    /// The symbols, at most [`MAX_SYMBOLS`].
    pub(crate) symbols: Vec<u8>,
}

impl HuffSpec {
    /// A spec from one of the Annex K tables.
    pub(crate) fn from_standard(table: ([u8; MAX_CODE_LENGTH], &[u8])) -> HuffSpec {
        HuffSpec {
            counts: table.0,
            symbols: table.1.to_vec(),
        }
    }
}

/// A table ready for decoding.
pub(crate) struct HuffTable {
    /// By the next [`LOOKAHEAD`] bits: `length << 8 | symbol`, or 0 when the
    /// code is longer.
    lookup: [u16; LOOKUP_SIZE],
    /// By the next [`LOOKAHEAD`] bits, for a code and its extra bits that
    /// both fit: `value << 16 | run << 8 | total length`, else 0.
    fast_ac: [i32; LOOKUP_SIZE],
    /// Largest code of each length, -1 when there is none (index = length).
    max_code: [i32; MAX_CODE_LENGTH + 1],
    /// Symbol index minus code, per length.
    offset: [i32; MAX_CODE_LENGTH + 1],
    symbols: [u8; MAX_SYMBOLS],
}

impl HuffTable {
    /// Builds a table, refusing what libjpeg refuses: more than 256 codes,
    /// codes that overflow their length (an all-ones code included), and
    /// DC symbols over 15.
    pub(crate) fn build(spec: &HuffSpec, dc: bool) -> Result<Box<HuffTable>, Malformed> {
        let total: usize = spec.counts.iter().map(|&c| usize::from(c)).sum();
        if total > MAX_SYMBOLS || total != spec.symbols.len() {
            return Err(Malformed("bad Huffman table"));
        }
        if dc && spec.symbols.iter().any(|&s| s > MAX_DC_SYMBOL) {
            return Err(Malformed("bad Huffman table: DC symbol over 15"));
        }
        let mut table = Box::new(HuffTable {
            lookup: [0; LOOKUP_SIZE],
            fast_ac: [0; LOOKUP_SIZE],
            max_code: [-1; MAX_CODE_LENGTH + 1],
            offset: [0; MAX_CODE_LENGTH + 1],
            symbols: [0; MAX_SYMBOLS],
        });
        table.symbols[..total].copy_from_slice(&spec.symbols);
        let mut code: i32 = 0;
        let mut index: usize = 0;
        for length in 1..=MAX_CODE_LENGTH {
            let count = usize::from(spec.counts[length - 1]);
            table.offset[length] = index as i32 - code;
            for _ in 0..count {
                if code >= 1 << length {
                    return Err(Malformed("bad Huffman table: codes overflow"));
                }
                if length as u32 <= LOOKAHEAD {
                    let shift = LOOKAHEAD - length as u32;
                    let first = (code as usize) << shift;
                    let symbol = spec.symbols[index];
                    for fill in first..first + (1 << shift) {
                        table.lookup[fill] = (length as u16) << 8 | u16::from(symbol);
                    }
                }
                code += 1;
                index += 1;
            }
            if count > 0 {
                table.max_code[length] = code - 1;
            }
            if code >= 1 << length {
                return Err(Malformed("bad Huffman table: codes overflow"));
            }
            code <<= 1;
        }
        if !dc {
            table.fill_fast_ac();
        }
        Ok(table)
    }

    /// Precomputes the decoded coefficient for codes whose extra bits also
    /// fit in the lookahead.
    fn fill_fast_ac(&mut self) {
        for look in 0..LOOKUP_SIZE {
            let entry = self.lookup[look];
            let length = u32::from(entry >> 8);
            let symbol = entry & 0xFF;
            let size = u32::from(symbol & 15);
            let run = i32::from(symbol >> 4);
            if length == 0 || size == 0 || length + size > LOOKAHEAD {
                continue;
            }
            let raw = (look as i32 >> (LOOKAHEAD - length - size)) & ((1 << size) - 1);
            let value = extend(raw, size);
            self.fast_ac[look] = value << 16 | run << 8 | (length + size) as i32;
        }
    }

    /// Decodes one symbol.
    #[inline(always)]
    pub(crate) fn decode(&self, reader: &mut BitReader) -> Result<u8, Malformed> {
        reader.refill();
        let entry = self.lookup[reader.peek(LOOKAHEAD) as usize & (LOOKUP_SIZE - 1)];
        if entry != 0 {
            reader.consume(u32::from(entry >> 8));
            return Ok(entry as u8);
        }
        let (symbol, length) = self.decode_long(reader.peek(MAX_CODE_LENGTH as u32))?;
        reader.consume(length);
        Ok(symbol)
    }

    /// Decodes a DC difference (ITU T.81 F.2.2.1): the magnitude category's
    /// code, then that many extra bits as a signed number. Both fit in
    /// one refill, and the usual case takes no branch on the data.
    #[inline(always)]
    pub(crate) fn decode_difference(&self, reader: &mut BitReader) -> Result<i32, Malformed> {
        reader.refill();
        let entry = self.lookup[reader.peek(LOOKAHEAD) as usize & (LOOKUP_SIZE - 1)];
        if entry == 0 {
            let size = self.decode(reader)?;
            return Ok(reader.signed(u32::from(size)));
        }
        let length = u32::from(entry >> 8);
        // Categories of more than 15 bits are refused when the table is
        // built.
        let size = u32::from(entry & 15);
        // The `size` bits after the code; two shifts, so that a size of
        // 0 gives 0 without a shift by 64.
        let raw = ((reader.peek_after(length) >> (63 - size)) >> 1) as i32;
        reader.consume_refilled(length + size);
        Ok(extend_branchless(raw, size))
    }

    /// A code longer than the lookahead: the symbol and the code length for
    /// the next 16 bits.
    #[cold]
    #[inline(never)]
    fn decode_long(&self, bits: u32) -> Result<(u8, u32), Malformed> {
        let bits = bits as i32;
        for length in LOOKAHEAD as usize + 1..=MAX_CODE_LENGTH {
            let code = bits >> (MAX_CODE_LENGTH - length);
            if code <= self.max_code[length] {
                let index = (self.offset[length] + code) as usize;
                let symbol = self
                    .symbols
                    .get(index)
                    .copied()
                    .ok_or(Malformed("bad Huffman code"))?;
                return Ok((symbol, length as u32));
            }
        }
        Err(Malformed("bad Huffman code"))
    }

    /// The precomputed AC coefficient for the next bits, or 0: see
    /// `fast_ac`. Needs a refill first.
    #[inline(always)]
    pub(crate) fn fast_ac(&self, reader: &BitReader) -> i32 {
        self.fast_ac[reader.peek(LOOKAHEAD) as usize & (LOOKUP_SIZE - 1)]
    }
}

/// Bits a [`SkipTable`] looks up at once.
const SKIP_LOOKAHEAD: u32 = 12;
const SKIP_SIZE: usize = 1 << SKIP_LOOKAHEAD;

/// The advance of a symbol that ends the block: past coefficient 63 from
/// any position.
const END_OF_BLOCK: u32 = 64;

/// An AC table for reading past coefficients that are not kept (a decode
/// at 1/8 uses only the DC term). By the next [`SKIP_LOOKAHEAD`] bits, an
/// entry gives the bits and the coefficient advance of the first code with
/// its extra bits, and of as many whole codes and extra bits as fit in the
/// lookahead, with the advance of all but the last of those, so that a
/// group is only taken when it does not run past the block. The fields,
/// from the low bits up: the group's bits (6) and advance (7), one code's
/// bits (5) and advance (7), the advance before the group's last code (6).
/// An entry is 0 when the first code is longer than the lookahead.
pub(crate) struct SkipTable {
    entries: Box<[u32; SKIP_SIZE]>,
}

/// Bit offset and width of each [`SkipTable`] entry field.
/// The group's bits come first, with a sixth bit that stays 0, so that the
/// shift that consumes them can take the entry as it is: an x86 shift uses
/// only the low six bits of its count. The advance before the last code
/// sits at the top, one shift away. Both save steps on the chain from one
/// lookup to the next.
const GROUP_BITS: (u32, u32) = (0, 6);
const GROUP_ADVANCE: (u32, u32) = (6, 7);
const ONE_BITS: (u32, u32) = (13, 5);
const ONE_ADVANCE: (u32, u32) = (18, 7);
const BEFORE_LAST: (u32, u32) = (25, 6);

/// One field of a [`SkipTable`] entry.
#[inline(always)]
fn field(entry: u32, (shift, width): (u32, u32)) -> u32 {
    (entry >> shift) & ((1 << width) - 1)
}

impl SkipTable {
    /// The skip entries of an AC table.
    pub(crate) fn build(table: &HuffTable) -> SkipTable {
        let mut entries = Box::new([0; SKIP_SIZE]);
        for (look, entry) in entries.iter_mut().enumerate() {
            *entry = table.skip_entry(look as u32);
        }
        SkipTable { entries }
    }

    /// Reads the AC codes of one block, keeping nothing.
    #[inline(always)]
    pub(crate) fn skip_block(
        &self,
        table: &HuffTable,
        reader: &mut BitReader,
    ) -> Result<(), Malformed> {
        // A local copy of the reader stays in registers.
        let mut r = *reader;
        let entries = &*self.entries;
        let mut k = 1u32;
        while k < 64 {
            r.refill();
            let entry = entries[r.peek(SKIP_LOOKAHEAD) as usize & (SKIP_SIZE - 1)];
            // A group of codes is taken whole when only its last code can
            // end the block.
            if entry == 0 || k + field(entry, BEFORE_LAST) >= 64 {
                let advance;
                (r, advance) = skip_one(table, r, entry)?;
                k += advance;
                continue;
            }
            r.consume_leading(entry);
            k += field(entry, GROUP_ADVANCE);
            // A group takes at most 27 bits: a second one still fits in
            // what the refill loaded. It is taken or not without a branch:
            // whether the block ended with the first group is as likely
            // as not, and the loop's own test follows anyway. A block that
            // has ended leaves no room, and an entry of 0 takes nothing.
            let room = 64 - k as i32;
            let entry = entries[r.peek(SKIP_LOOKAHEAD) as usize & (SKIP_SIZE - 1)];
            let take = ((entry >> BEFORE_LAST.0) as i32) < room;
            let entry = if take { entry } else { 0 };
            r.consume_leading(entry);
            k += field(entry, GROUP_ADVANCE);
        }
        *reader = r;
        Ok(())
    }
}

/// Reads one AC code and its extra bits by the skip `entry` for the next
/// bits, or by the Huffman table where that is 0; returns the reader and
/// the advance.
#[inline(never)]
fn skip_one<'a>(
    table: &HuffTable,
    mut reader: BitReader<'a>,
    entry: u32,
) -> Result<(BitReader<'a>, u32), Malformed> {
    if entry != 0 {
        reader.consume_refilled(field(entry, ONE_BITS));
        return Ok((reader, field(entry, ONE_ADVANCE)));
    }
    let symbol = table.decode(&mut reader)?;
    let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
    reader.bits(size);
    Ok((reader, advance(run, size)))
}

/// How many coefficients an AC symbol moves past: a size 0 symbol other
/// than ZRL ends the block, as in the decoders.
fn advance(run: u32, size: u32) -> u32 {
    match (size, run) {
        (0, 15) => 16,
        (0, _) => END_OF_BLOCK,
        _ => run + 1,
    }
}

impl HuffTable {
    /// The symbol and length of a code of at most `avail` bits at the top
    /// of the `avail`-bit number `window`, if there is one.
    fn code_within(&self, window: u32, avail: u32) -> Option<(u8, u32)> {
        // Codes of up to LOOKAHEAD bits through the lookup table, the top
        // of the window padded with zeros when it is shorter: a code of at
        // most `avail` bits is found there whatever the padding.
        let look = match avail.cmp(&LOOKAHEAD) {
            Ordering::Less => window << (LOOKAHEAD - avail),
            _ => window >> (avail - LOOKAHEAD),
        };
        let entry = self.lookup[look as usize & (LOOKUP_SIZE - 1)];
        if entry != 0 {
            let length = u32::from(entry >> 8);
            return (length <= avail).then_some((entry as u8, length));
        }
        if avail <= LOOKAHEAD {
            return None;
        }
        self.code_within_slowly(window, avail)
    }

    /// [`Self::code_within`] length by length.
    fn code_within_slowly(&self, window: u32, avail: u32) -> Option<(u8, u32)> {
        for length in 1..=avail.min(MAX_CODE_LENGTH as u32) {
            let code = (window >> (avail - length)) as i32;
            if code <= self.max_code[length as usize] {
                let index = (self.offset[length as usize] + code) as usize;
                return self.symbols.get(index).map(|&s| (s, length));
            }
        }
        None
    }

    /// A [`SkipTable`] entry for the next [`SKIP_LOOKAHEAD`] bits `look`.
    fn skip_entry(&self, look: u32) -> u32 {
        let Some((symbol, length)) = self.code_within(look, SKIP_LOOKAHEAD) else {
            return 0;
        };
        let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
        let one_bits = length + size;
        let one_advance = advance(run, size);
        let (mut bits, mut total, mut before_last) = (one_bits, one_advance, 0);
        if one_bits <= SKIP_LOOKAHEAD {
            while total < END_OF_BLOCK && bits < SKIP_LOOKAHEAD {
                let avail = SKIP_LOOKAHEAD - bits;
                let window = look & ((1 << avail) - 1);
                let Some((symbol, length)) = self.code_within(window, avail) else {
                    break;
                };
                let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
                if length + size > avail {
                    break;
                }
                before_last = total;
                bits += length + size;
                total += advance(run, size);
            }
        }
        let put = |value: u32, (shift, _): (u32, u32)| value << shift;
        put(one_bits, ONE_BITS)
            | put(one_advance, ONE_ADVANCE)
            | put(bits, GROUP_BITS)
            | put(total, GROUP_ADVANCE)
            | put(before_last, BEFORE_LAST)
    }
}

#[cfg(test)]
mod tests {
    use super::super::std_tables;
    use super::*;

    /// Writes `(code, length)` pairs MSB first, then pads with ones.
    fn pack(codes: &[(u32, u32)]) -> Vec<u8> {
        let mut bits = Vec::new();
        for &(code, length) in codes {
            for i in (0..length).rev() {
                bits.push((code >> i) & 1);
            }
        }
        while bits.len() % 8 != 0 {
            bits.push(1);
        }
        let mut out = Vec::new();
        for chunk in bits.chunks(8) {
            let byte = chunk.iter().fold(0u8, |a, &b| a << 1 | b as u8);
            out.push(byte);
            if byte == 0xFF {
                // Byte stuffing.
                out.push(0x00);
            }
        }
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    /// Canonical codes of a spec (ITU T.81 C.1, C.2).
    fn codes(spec: &HuffSpec) -> Vec<(u32, u32, u8)> {
        let mut out = Vec::new();
        let mut code = 0u32;
        let mut k = 0;
        for length in 1..=16u32 {
            for _ in 0..spec.counts[length as usize - 1] {
                out.push((code, length, spec.symbols[k]));
                code += 1;
                k += 1;
            }
            code <<= 1;
        }
        out
    }

    #[test]
    fn every_code_of_the_standard_tables_decodes_to_its_symbol() {
        for (table, dc) in [
            (std_tables::DC_LUMINANCE, true),
            (std_tables::DC_CHROMINANCE, true),
            (std_tables::AC_LUMINANCE, false),
            (std_tables::AC_CHROMINANCE, false),
        ] {
            let spec = HuffSpec::from_standard(table);
            let built = HuffTable::build(&spec, dc).unwrap();
            let all = codes(&spec);
            let data = pack(&all.iter().map(|&(c, l, _)| (c, l)).collect::<Vec<_>>());
            let mut reader = BitReader::new(&data, 0);
            for &(_, _, symbol) in &all {
                assert_eq!(built.decode(&mut reader).unwrap(), symbol);
            }
            assert!(!reader.overran());
        }
    }

    /// Numbers below `n`, from a linear congruential generator seeded
    /// with `seed`: the same every run.
    fn numbers(mut seed: u64) -> impl FnMut(u32) -> u32 {
        move |n| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u32 % n
        }
    }

    #[test]
    fn a_dc_difference_decodes_as_its_code_and_extra_bits_do() {
        let mut next = numbers(11);
        for (counts, symbols) in [
            std_tables::DC_LUMINANCE,
            std_tables::DC_CHROMINANCE,
            // Codes of 10 to 16 bits, longer than the lookahead.
            (
                [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2],
                &[0, 1, 5, 9, 11, 13, 14, 15][..],
            ),
        ] {
            let spec = HuffSpec::from_standard((counts, symbols));
            let built = HuffTable::build(&spec, true).unwrap();
            let all = codes(&spec);
            let mut bits = Vec::new();
            for _ in 0..500 {
                let (code, length, size) = all[next(all.len() as u32) as usize];
                bits.push((code, length));
                let size = u32::from(size);
                if size > 0 {
                    bits.push((next(1 << size), size));
                }
            }
            let data = pack(&bits);
            let mut fast = BitReader::new(&data, 0);
            let mut slow = BitReader::new(&data, 0);
            for _ in 0..500 {
                let size = built.decode(&mut slow).unwrap();
                let want = slow.signed(u32::from(size));
                assert_eq!(built.decode_difference(&mut fast).unwrap(), want);
            }
            assert!(!fast.overran());
        }
    }

    /// Reads one block's AC codes symbol by symbol.
    fn skip_slowly(table: &HuffTable, reader: &mut BitReader) {
        let mut k = 1;
        while k < 64 {
            let symbol = table.decode(reader).unwrap();
            let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
            reader.bits(size);
            k += advance(run, size);
        }
    }

    #[test]
    fn skipping_a_block_stops_where_decoding_it_does() {
        let mut next = numbers(5);
        for table in [std_tables::AC_LUMINANCE, std_tables::AC_CHROMINANCE] {
            let spec = HuffSpec::from_standard(table);
            let built = HuffTable::build(&spec, false).unwrap();
            let skip = SkipTable::build(&built);
            let code_of = |symbol: u8| {
                let (code, length, _) = *codes(&spec).iter().find(|c| c.2 == symbol).unwrap();
                (code, length)
            };
            // Blocks of random runs and sizes, some ending on coefficient
            // 63 without an end of block, some with ZRLs.
            let mut bits = Vec::new();
            for _ in 0..300 {
                let mut k = 1;
                while k < 64 {
                    let choice = next(10);
                    if choice == 0 {
                        bits.push(code_of(0x00));
                        break;
                    }
                    if choice == 1 && k + 16 < 64 {
                        bits.push(code_of(0xF0));
                        k += 16;
                        continue;
                    }
                    let run = next(if choice < 5 { 3 } else { 16 }).min(63 - k);
                    let size = 1 + next(10);
                    bits.push(code_of((run << 4 | size) as u8));
                    bits.push((next(1 << size), size));
                    k += run + 1;
                }
            }
            let data = pack(&bits);
            let mut fast = BitReader::new(&data, 0);
            let mut slow = BitReader::new(&data, 0);
            for _ in 0..300 {
                skip.skip_block(&built, &mut fast).unwrap();
                skip_slowly(&built, &mut slow);
                let (mut a, mut b) = (fast, slow);
                assert_eq!(a.bits(16), b.bits(16));
            }
            assert!(!fast.overran());
        }
    }

    #[test]
    fn codes_within_a_window_match_the_slow_search() {
        for (counts, symbols) in [
            std_tables::AC_LUMINANCE,
            std_tables::AC_CHROMINANCE,
            std_tables::DC_LUMINANCE,
            // Two codes, `00` and `01`: nothing starts with `1`.
            (
                [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                &[0x00, 0x11][..],
            ),
            // One 12-bit code and one 14-bit code.
            (
                [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0],
                &[0x01, 0x23][..],
            ),
        ] {
            let spec = HuffSpec::from_standard((counts, symbols));
            let table = HuffTable::build(&spec, false).unwrap();
            for avail in 1..=SKIP_LOOKAHEAD {
                for window in 0..1u32 << avail {
                    assert_eq!(
                        table.code_within(window, avail),
                        table.code_within_slowly(window, avail),
                        "{window:b}/{avail}"
                    );
                }
            }
        }
    }

    #[test]
    fn fast_ac_entries_match_the_slow_decode() {
        let spec = HuffSpec::from_standard(std_tables::AC_LUMINANCE);
        let built = HuffTable::build(&spec, false).unwrap();
        for look in 0..LOOKUP_SIZE as u32 {
            let data = pack(&[(look, LOOKAHEAD), (0xFFFF, 16)]);
            let mut reader = BitReader::new(&data, 0);
            reader.refill();
            let fast = built.fast_ac(&reader);
            if fast == 0 {
                continue;
            }
            let symbol = built.decode(&mut reader).unwrap();
            let value = reader.signed(u32::from(symbol & 15));
            assert_eq!(fast >> 16, value);
            assert_eq!((fast >> 8) & 0xFF, i32::from(symbol >> 4));
        }
    }

    #[test]
    fn overfull_tables_and_big_dc_symbols_are_refused() {
        // Three codes of length 1 cannot exist.
        let mut counts = [0u8; 16];
        counts[0] = 3;
        let spec = HuffSpec {
            counts,
            symbols: vec![0, 1, 2],
        };
        assert!(HuffTable::build(&spec, false).is_err());
        // Two codes of length 1 leave no room for the all-ones rule.
        counts[0] = 2;
        let spec = HuffSpec {
            counts,
            symbols: vec![0, 1],
        };
        assert!(HuffTable::build(&spec, false).is_err());
        counts[0] = 1;
        let spec = HuffSpec {
            counts,
            symbols: vec![16],
        };
        assert!(HuffTable::build(&spec, true).is_err());
        assert!(HuffTable::build(&spec, false).is_ok());
    }
}
