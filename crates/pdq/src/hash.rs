//! The 256-bit PDQ hash, its text form and its distance.

use std::fmt;
use std::str::FromStr;

/// A 256-bit PDQ hash.
///
/// Bit `k = 16 * i + j` says whether DCT coefficient `(i, j)` lies above the
/// median. The hash is stored as four 64-bit limbs, least significant first:
/// limb `m` holds bits `64 * m .. 64 * m + 63`.
///
/// The text form is the reference's: 64 lower-case hex digits, the
/// big-endian 256-bit integer `sum(bit_k * 2^k)`. Its first digit holds bits
/// 255..252 and its last digit bits 3..0.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash256(pub [u64; 4]);

impl Hash256 {
    /// The all-zero hash (what images under 5 px on a side hash to).
    pub const ZERO: Hash256 = Hash256([0; 4]);

    /// Bit `k` (0..256).
    #[inline]
    pub fn bit(&self, k: usize) -> bool {
        (self.0[k >> 6] >> (k & 63)) & 1 == 1
    }

    /// Sets bit `k` (0..256).
    #[inline]
    pub fn set_bit(&mut self, k: usize) {
        self.0[k >> 6] |= 1 << (k & 63);
    }

    /// Number of bits set.
    #[inline]
    pub fn count_ones(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// Hamming distance: the number of bits that differ.
    #[inline]
    pub fn distance(&self, other: &Hash256) -> u32 {
        (self.0[0] ^ other.0[0]).count_ones()
            + (self.0[1] ^ other.0[1]).count_ones()
            + (self.0[2] ^ other.0[2]).count_ones()
            + (self.0[3] ^ other.0[3]).count_ones()
    }

    /// The 16-bit word `i` (0..16), which is DCT row `i`: bit `j` of the word is column `j`.
    #[inline]
    pub fn word(&self, i: usize) -> u16 {
        (self.0[i >> 2] >> ((i & 3) * 16)) as u16
    }

    /// The 32 bytes of the big-endian integer, as `unhexlify(hex)` gives them
    /// (the byte order faiss and python-threatexchange use).
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (m, limb) in self.0.iter().rev().enumerate() {
            out[m * 8..m * 8 + 8].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// The inverse of [`Hash256::to_bytes`].
    pub fn from_bytes(bytes: &[u8; 32]) -> Hash256 {
        let mut limbs = [0u64; 4];
        for (m, chunk) in bytes.chunks_exact(8).enumerate() {
            limbs[3 - m] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
        }
        Hash256(limbs)
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Hash256, ParseHashError> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(ParseHashError::Length(bytes.len()));
        }
        let mut limbs = [0u64; 4];
        for (pos, &c) in bytes.iter().enumerate() {
            let digit = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(ParseHashError::Digit { position: pos }),
            };
            let limb = 3 - pos / 16;
            limbs[limb] = (limbs[limb] << 4) | u64::from(digit);
        }
        Ok(Hash256(limbs))
    }

    /// The 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:016x}{:016x}{:016x}{:016x}",
            self.0[3], self.0[2], self.0[1], self.0[0]
        )
    }
}

impl fmt::Debug for Hash256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash256({self})")
    }
}

impl FromStr for Hash256 {
    type Err = ParseHashError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hash256::from_hex(s)
    }
}

/// Why a text is not a PDQ hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseHashError {
    /// The text does not have 64 characters.
    #[error("a PDQ hash has 64 hex digits, this one has {0} characters")]
    Length(usize),
    /// A character is not a hex digit.
    #[error("a PDQ hash has only hex digits (0-9, a-f); character {} is not one", position + 1)]
    Digit {
        /// 0-based position of the offending character.
        position: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_bit_order() {
        let text = "0007001f003f003f007f00ff01ff01ff03ff07ff0fff0fff1fff3fff7fffffff";
        let hash = Hash256::from_hex(text).unwrap();
        assert_eq!(hash.to_hex(), text);
        // The last hex digit is bits 3..0: 0xf.
        assert!(hash.bit(0) && hash.bit(3));
        // The first digit is bits 255..252: 0x0.
        assert!(!hash.bit(255) && !hash.bit(252));
        // Word 15 is printed first, word 0 last.
        assert_eq!(hash.word(15), 0x0007);
        assert_eq!(hash.word(0), 0xffff);
        assert_eq!(hash.word(1), 0x7fff);
    }

    #[test]
    fn bytes_are_big_endian() {
        let hash = Hash256::from_hex(&format!("ab{}", "0".repeat(61) + "1")).unwrap();
        let bytes = hash.to_bytes();
        assert_eq!(bytes[0], 0xab);
        assert_eq!(bytes[31], 0x01);
        assert_eq!(Hash256::from_bytes(&bytes), hash);
    }

    #[test]
    fn bad_text_is_refused() {
        assert_eq!(Hash256::from_hex("abc"), Err(ParseHashError::Length(3)));
        let mut text = "0".repeat(64);
        text.replace_range(10..11, "g");
        assert_eq!(
            Hash256::from_hex(&text),
            Err(ParseHashError::Digit { position: 10 })
        );
    }

    #[test]
    fn distance_counts_differing_bits() {
        let mut a = Hash256::ZERO;
        let mut b = Hash256::ZERO;
        a.set_bit(0);
        a.set_bit(200);
        b.set_bit(200);
        b.set_bit(255);
        assert_eq!(a.distance(&b), 2);
        assert_eq!(a.distance(&a), 0);
    }
}
