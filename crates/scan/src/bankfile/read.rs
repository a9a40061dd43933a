//! Opening a local bank file: every length bounded before it is used,
//! every byte checksummed, the parts checked by `hashbank-index`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use hashbank_index::{HammingIndex, Md5Set, Sha256Set};

use super::format::{decode, read_up_to, HeaderProblem, Summing, HEADER_LEN, MAX_SOURCE_LEN};
use super::meta::{Attrs, MetaTable, ATTR_LEN};
use super::{BankFileError, LocalBank, FORMAT_VERSION};

/// Read buffer.
const BUFFER: usize = 1 << 20;

/// Bytes per hash in the metadata columns: a u64 id and its attribute
/// bytes.
const META_BYTES_PER_HASH: u64 = 8 + ATTR_LEN as u64;

/// The body as it is read: checksummed, with the bytes left counted.
struct Body<'a> {
    input: Summing<BufReader<File>>,
    left: u64,
    path: &'a Path,
}

impl Body<'_> {
    fn corrupt(&self, reason: &str) -> BankFileError {
        BankFileError::Corrupt {
            path: self.path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// `len` bytes, refused before allocation if the body has fewer left.
    fn bytes(&mut self, len: u64) -> Result<Vec<u8>, BankFileError> {
        if len > self.left {
            return Err(self.corrupt("a field runs past the end of the file"));
        }
        let mut out = vec![0u8; len as usize];
        self.input
            .read_exact(&mut out)
            .map_err(|source| BankFileError::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        self.left -= len;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, BankFileError> {
        let raw = self.bytes(4)?;
        Ok(u32::from_le_bytes(raw.try_into().expect("4 bytes")))
    }

    fn u64(&mut self) -> Result<u64, BankFileError> {
        let raw = self.bytes(8)?;
        Ok(u64::from_le_bytes(raw.try_into().expect("8 bytes")))
    }

    /// The length of the next part, then the part, read by `read`.
    fn part<T>(
        &mut self,
        read: impl FnOnce(&mut dyn Read, u64, &Path) -> Result<T, hashbank_index::IndexError>,
    ) -> Result<T, BankFileError> {
        let len = self.u64()?;
        if len > self.left {
            return Err(self.corrupt("a hash set runs past the end of the file"));
        }
        let part = read(&mut self.input, len, self.path)?;
        self.left -= len;
        Ok(part)
    }
}

pub(super) fn open(path: &Path) -> Result<LocalBank, BankFileError> {
    let io = |source| BankFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut input = BufReader::with_capacity(BUFFER, file);
    let mut raw = [0u8; HEADER_LEN];
    let got = read_up_to(&mut input, &mut raw).map_err(io)?;
    let header = decode(&raw, got).map_err(|problem| match problem {
        HeaderProblem::Foreign => BankFileError::Foreign { path: path.into() },
        HeaderProblem::WrongKind(found) => BankFileError::WrongKind {
            path: path.into(),
            found,
        },
        HeaderProblem::Short => BankFileError::Truncated {
            path: path.into(),
            expected: HEADER_LEN as u64,
            found: file_len,
        },
        HeaderProblem::Damaged => BankFileError::Corrupt {
            path: path.into(),
            reason: "header checksum mismatch".into(),
        },
        HeaderProblem::Version(found) => BankFileError::UnsupportedVersion {
            path: path.into(),
            found,
            supported: FORMAT_VERSION,
        },
    })?;
    let expected = (HEADER_LEN as u64).saturating_add(header.body_len);
    if file_len < expected {
        return Err(BankFileError::Truncated {
            path: path.into(),
            expected,
            found: file_len,
        });
    }
    let mut body = Body {
        input: Summing::new(input),
        left: header.body_len,
        path,
    };
    if file_len > expected {
        return Err(body.corrupt("bytes after the end of the body"));
    }

    let source_len = body.u32()?;
    if source_len > MAX_SOURCE_LEN {
        return Err(body.corrupt("the bank URL is too long"));
    }
    let source = String::from_utf8(body.bytes(u64::from(source_len))?)
        .map_err(|_| body.corrupt("the bank URL is not UTF-8"))?;
    let count = body.u64()?;
    if count != header.hashes || count.saturating_mul(META_BYTES_PER_HASH) > body.left {
        return Err(body.corrupt("the hash count does not match the header"));
    }
    let ids: Vec<u64> = body
        .bytes(count * 8)?
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    let attrs: Vec<Attrs> = body
        .bytes(count * ATTR_LEN as u64)?
        .chunks_exact(ATTR_LEN)
        .map(|c| c.try_into().expect("attribute bytes"))
        .collect();
    let meta = MetaTable::from_columns(ids, attrs)
        .ok_or_else(|| body.corrupt("hash ids out of order or bad hash attributes"))?;
    let pdq = body.part(|r, len, p| HammingIndex::read_from(r, len, p))?;
    let md5 = body.part(|r, len, p| Md5Set::read_from(r, len, p))?;
    let sha256 = body.part(|r, len, p| Sha256Set::read_from(r, len, p))?;
    if body.left != 0 {
        return Err(body.corrupt("unread bytes at the end of the body"));
    }
    if body.input.digest() != header.checksum {
        return Err(BankFileError::ChecksumMismatch { path: path.into() });
    }
    let bank = LocalBank {
        source,
        cursor: header.cursor,
        pdq,
        fast: std::sync::OnceLock::new(),
        search_memory: super::DEFAULT_SEARCH_MEMORY,
        md5,
        sha256,
        meta,
    };
    if bank.per_kind() != header.per_kind || !bank.consistent() {
        return Err(body.corrupt("the hash sets do not match the hash list"));
    }
    Ok(bank)
}
