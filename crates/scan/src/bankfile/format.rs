//! The layout of a local bank file. All numbers little-endian.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `HASHBANK` (as every hashbank file) |
//! | 8 | 8 | kind `LOCALBNK` |
//! | 16 | 4 | format version ([`FORMAT_VERSION`]) |
//! | 20 | 4 | flags (0) |
//! | 24 | 8 | feed cursor the copy is at (i64) |
//! | 32 | 8 | hashes held |
//! | 40 | 8 | of which PDQ |
//! | 48 | 8 | of which MD5 |
//! | 56 | 8 | of which SHA-256 |
//! | 64 | 8 | body length in bytes |
//! | 72 | 8 | xxh3-64 of the body |
//! | 80 | 40 | zero |
//! | 120 | 8 | xxh3-64 of bytes 0..120 |
//!
//! The body:
//!
//! ```text
//! u32 length, then the bank's URL (UTF-8)
//! u64 n (hashes held)
//! n x u64   hash ids, strictly increasing
//! n x 5 bytes   per id: kind (0 pdq, 1 md5, 2 sha256), role (0 plain,
//!               1 extra), category (0 none, 1 minor), PDQ quality
//!               (0..=100; 255 for digests), label of a PDQ hash (0 pdq,
//!               1 trim, 2.. the parts in `model::Part::ALL`
//!               order; 255 for digests)
//! u64 length, then the PDQ index      } each as crates/index saves it to
//! u64 length, then the MD5 set        } a file of its own: header,
//! u64 length, then the SHA-256 set    } body and checksums
//! ```

use std::io::{self, Read};

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// Every hashbank file starts with these bytes.
pub(crate) const MAGIC: [u8; 8] = *b"HASHBANK";

/// The kind tag of local bank files.
pub(crate) const KIND: [u8; 8] = *b"LOCALBNK";

/// The version of the layout written and read by this build. Version 2
/// added the label of each PDQ hash; files of version 1 are refused (a
/// sync with `--rebuild` makes a new one).
pub const FORMAT_VERSION: u32 = 2;

/// Length of the header.
pub(crate) const HEADER_LEN: usize = 128;

/// Bytes of the header its own checksum covers: all before it.
const HEADER_SUMMED: usize = HEADER_LEN - 8;

/// Longest bank URL a file may hold: far beyond any real URL, small enough
/// that a forged length allocates nothing large.
pub(crate) const MAX_SOURCE_LEN: u32 = 4096;

/// What the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub cursor: i64,
    pub hashes: u64,
    pub per_kind: [u64; 3],
    pub body_len: u64,
    pub checksum: u64,
}

impl Header {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..16].copy_from_slice(&KIND);
        out[16..20].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        out[24..32].copy_from_slice(&self.cursor.to_le_bytes());
        out[32..40].copy_from_slice(&self.hashes.to_le_bytes());
        for (i, count) in self.per_kind.iter().enumerate() {
            out[40 + 8 * i..48 + 8 * i].copy_from_slice(&count.to_le_bytes());
        }
        out[64..72].copy_from_slice(&self.body_len.to_le_bytes());
        out[72..80].copy_from_slice(&self.checksum.to_le_bytes());
        let own = xxh3_64(&out[..HEADER_SUMMED]);
        out[HEADER_SUMMED..].copy_from_slice(&own.to_le_bytes());
        out
    }
}

/// Why header bytes are not a local bank's header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    /// Not a hashbank file.
    Foreign,
    /// A hashbank file of another kind, named.
    WrongKind(String),
    /// Shorter than a header.
    Short,
    /// The header's checksum does not match.
    Damaged,
    /// Another format version.
    Version(u32),
}

/// Reads a header from the first `got` bytes of `raw`.
pub(crate) fn decode(raw: &[u8; HEADER_LEN], got: usize) -> Result<Header, HeaderProblem> {
    let seen = got.min(MAGIC.len());
    if got == 0 || raw[..seen] != MAGIC[..seen] {
        return Err(HeaderProblem::Foreign);
    }
    let kind: [u8; 8] = raw[8..16].try_into().expect("8 bytes");
    if got >= 16 && kind != KIND {
        return Err(HeaderProblem::WrongKind(kind_name(&kind)));
    }
    if got < HEADER_LEN {
        return Err(HeaderProblem::Short);
    }
    let field = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().expect("8 bytes"));
    if xxh3_64(&raw[..HEADER_SUMMED]) != field(HEADER_SUMMED) {
        return Err(HeaderProblem::Damaged);
    }
    let version = u32::from_le_bytes(raw[16..20].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(HeaderProblem::Version(version));
    }
    Ok(Header {
        cursor: field(24) as i64,
        hashes: field(32),
        per_kind: [field(40), field(48), field(56)],
        body_len: field(64),
        checksum: field(72),
    })
}

/// A kind tag as words, for messages.
fn kind_name(kind: &[u8; 8]) -> String {
    match kind {
        b"PDQINDEX" => "PDQ index".to_string(),
        b"DIGEST16" => "MD5 set".to_string(),
        b"DIGEST32" => "SHA-256 set".to_string(),
        other => format!("file of kind {:?}", String::from_utf8_lossy(other)),
    }
}

/// Reads through to an inner reader, checksumming every byte read.
pub(crate) struct Summing<R> {
    inner: R,
    hasher: Xxh3,
}

impl<R: Read> Summing<R> {
    pub(crate) fn new(inner: R) -> Summing<R> {
        Summing {
            inner,
            hasher: Xxh3::new(),
        }
    }

    /// The checksum of everything read so far.
    pub(crate) fn digest(&self) -> u64 {
        self.hasher.digest()
    }
}

impl<R: Read> Read for Summing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads as much of `out` as the input has.
pub(crate) fn read_up_to(input: &mut impl Read, out: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < out.len() {
        match input.read(&mut out[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            cursor: 42,
            hashes: 3,
            per_kind: [1, 1, 1],
            body_len: 1000,
            checksum: 7,
        }
    }

    #[test]
    fn headers_read_back() {
        let raw = header().encode();
        assert_eq!(decode(&raw, HEADER_LEN), Ok(header()));
    }

    #[test]
    fn bad_headers_say_why() {
        let raw = header().encode();
        assert_eq!(decode(&raw, 0), Err(HeaderProblem::Foreign));
        assert_eq!(decode(&raw, 20), Err(HeaderProblem::Short));
        let mut other = raw;
        other[8..16].copy_from_slice(b"PDQINDEX");
        assert_eq!(
            decode(&other, HEADER_LEN),
            Err(HeaderProblem::WrongKind("PDQ index".into()))
        );
        let mut damaged = raw;
        damaged[30] ^= 1;
        assert_eq!(decode(&damaged, HEADER_LEN), Err(HeaderProblem::Damaged));
        let mut text = [b' '; HEADER_LEN];
        text[..5].copy_from_slice(b"hello");
        assert_eq!(decode(&text, HEADER_LEN), Err(HeaderProblem::Foreign));
    }
}
