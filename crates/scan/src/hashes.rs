//! Hashes as a local bank holds them: kind, role, category and quality,
//! with the same words the bank's API uses.

use std::fmt;

use media::robust::BankLabel;
use pdq::Hash256;
use serde::{Deserialize, Serialize};

/// The kinds of hash the bank holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// PDQ perceptual hash, matched within a Hamming radius.
    Pdq,
    /// MD5 of the file, matched exactly.
    Md5,
    /// SHA-256 of the file, matched exactly.
    Sha256,
}

impl Kind {
    /// Every kind, in the order of their codes.
    pub const ALL: [Kind; 3] = [Kind::Pdq, Kind::Md5, Kind::Sha256];

    /// The word used in the API and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pdq => "pdq",
            Kind::Md5 => "md5",
            Kind::Sha256 => "sha256",
        }
    }

    /// Its code in the bank file.
    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    /// The kind with code `code`.
    pub(crate) fn from_code(code: u8) -> Option<Kind> {
        Kind::ALL.get(usize::from(code)).copied()
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a hash is of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The plain PDQ / MD5 / SHA-256 of an image.
    #[default]
    Plain,
    /// One of the bank's additional hashes of the same image.
    Extra,
}

impl Role {
    /// The word used in the API and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Plain => "plain",
            Role::Extra => "extra",
        }
    }
}

impl From<media::robust::Role> for Role {
    fn from(role: media::robust::Role) -> Role {
        match role {
            media::robust::Role::Plain => Role::Plain,
            media::robust::Role::Extra => Role::Extra,
        }
    }
}

/// A case's category; `None` where a hash has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The images were taken before the person was 18: handled first.
    Minor,
}

impl Category {
    /// The word used in the API and in reports.
    pub fn as_str(self) -> &'static str {
        "minor"
    }
}

/// The value of a hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashValue {
    /// A PDQ hash.
    Pdq(Hash256),
    /// An MD5 digest.
    Md5([u8; 16]),
    /// A SHA-256 digest.
    Sha256([u8; 32]),
}

impl HashValue {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self {
            HashValue::Pdq(_) => Kind::Pdq,
            HashValue::Md5(_) => Kind::Md5,
            HashValue::Sha256(_) => Kind::Sha256,
        }
    }

    /// Lower-case hex, as the API takes it.
    pub fn to_hex(&self) -> String {
        match self {
            HashValue::Pdq(h) => h.to_hex(),
            HashValue::Md5(d) => hex(d),
            HashValue::Sha256(d) => hex(d),
        }
    }

    /// Parses `text` as a `kind` hash in hex (either case).
    pub fn parse(kind: Kind, text: &str) -> Option<HashValue> {
        match kind {
            Kind::Pdq => text.parse::<Hash256>().ok().map(HashValue::Pdq),
            Kind::Md5 => unhex::<16>(text).map(HashValue::Md5),
            Kind::Sha256 => unhex::<32>(text).map(HashValue::Sha256),
        }
    }
}

/// What a local bank keeps about each hash besides its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HashMeta {
    /// Its kind.
    pub kind: Kind,
    /// Plain or extra.
    pub role: Role,
    /// `Some(Minor)` for hashes of a minor case.
    pub category: Option<Category>,
    /// PDQ quality, 0..=100 (PDQ only).
    pub quality: Option<u8>,
    /// What a stored PDQ hash is a hash of (the whole picture, or a part
    /// or view of it), which says what it is compared with; `None` for
    /// digests.
    pub label: Option<BankLabel>,
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// `N` bytes from `2 * N` hex digits.
fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = text.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        out[i] = (high * 16 + low) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_from_hex() {
        let md5 = HashValue::parse(Kind::Md5, &"aB".repeat(16)).unwrap();
        assert_eq!(md5, HashValue::Md5([0xab; 16]));
        assert_eq!(md5.to_hex(), "ab".repeat(16));
        let pdq = "f".repeat(64);
        assert_eq!(HashValue::parse(Kind::Pdq, &pdq).unwrap().to_hex(), pdq);
        assert!(HashValue::parse(Kind::Sha256, &"ab".repeat(16)).is_none());
        assert!(HashValue::parse(Kind::Md5, &"zz".repeat(16)).is_none());
    }

    #[test]
    fn kinds_have_codes() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(Kind::from_code(3), None);
    }
}
