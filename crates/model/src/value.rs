//! Hash values, and the hex text every side writes them in.

use std::sync::Arc;

use pdq::Hash256;

use crate::kind::Kind;
use crate::video::VideoHash;

/// The value of a hash.
#[derive(Clone, Debug, PartialEq)]
pub enum HashValue {
    /// A PDQ hash.
    Pdq(Hash256),
    /// An MD5 digest.
    Md5([u8; 16]),
    /// A SHA-256 digest.
    Sha256([u8; 32]),
    /// The vPDQ hash of a video, shared (a video may hold thousands of
    /// frames).
    Vpdq(Arc<VideoHash>),
}

impl HashValue {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self {
            HashValue::Pdq(_) => Kind::Pdq,
            HashValue::Md5(_) => Kind::Md5,
            HashValue::Sha256(_) => Kind::Sha256,
            HashValue::Vpdq(_) => Kind::Vpdq,
        }
    }

    /// Its text, as the API takes it: lower-case hex; for a video, the
    /// reference's text form (a line `frame,quality,hex,timestamp` per
    /// frame).
    pub fn to_text(&self) -> String {
        match self {
            HashValue::Pdq(h) => h.to_hex(),
            HashValue::Md5(d) => hex(d),
            HashValue::Sha256(d) => hex(d),
            HashValue::Vpdq(v) => v.to_text(),
        }
    }

    /// Parses `text` as a `kind` hash: hex (either case), or for a video
    /// the reference's text form.
    pub fn parse(kind: Kind, text: &str) -> Option<HashValue> {
        match kind {
            Kind::Pdq => text.parse::<Hash256>().ok().map(HashValue::Pdq),
            Kind::Md5 => unhex::<16>(text).map(HashValue::Md5),
            Kind::Sha256 => unhex::<32>(text).map(HashValue::Sha256),
            Kind::Vpdq => VideoHash::from_text(text)
                .ok()
                .filter(|v| !v.frames.is_empty())
                .map(|v| HashValue::Vpdq(Arc::new(v))),
        }
    }
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

/// `N` bytes from exactly `2 * N` hex digits (either case).
pub fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
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
        assert_eq!(md5.to_text(), "ab".repeat(16));
        let pdq = "f".repeat(64);
        assert_eq!(HashValue::parse(Kind::Pdq, &pdq).unwrap().to_text(), pdq);
        let video = format!("0,90,{pdq},0.000\n30,80,{pdq},1.000\n");
        let parsed = HashValue::parse(Kind::Vpdq, &video).unwrap();
        assert_eq!(parsed.kind(), Kind::Vpdq);
        assert_eq!(parsed.to_text(), video);
        assert!(HashValue::parse(Kind::Vpdq, "").is_none());
        assert!(HashValue::parse(Kind::Vpdq, &pdq).is_none());
        assert!(HashValue::parse(Kind::Sha256, &"ab".repeat(16)).is_none());
        assert!(HashValue::parse(Kind::Md5, &"zz".repeat(16)).is_none());
        assert_eq!(unhex::<2>("00fF"), Some([0, 255]));
        assert_eq!(unhex::<2>("00f"), None);
        assert_eq!(hex(&[0, 1, 254]), "0001fe");
    }
}
