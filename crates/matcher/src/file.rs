//! The matcher in a file, or in a part of one (kind `MATCHSET`, inside the
//! envelope of `hashbank_index::file`). All numbers little-endian.
//!
//! ```text
//! u64 n (hashes held)
//! n x u64       hash ids, strictly increasing
//! n x 5 bytes   per id: kind (0 pdq, 1 md5, 2 sha256), role (0 plain,
//!               1 extra), category (0 none, 1 minor), PDQ quality
//!               (0..=100; 255 for digests and PDQ hashes without one),
//!               label of a PDQ hash (0 pdq, 1 trim, 2.. the parts in
//!               `model::Part::ALL` order, 254 a PDQ hash stored before
//!               labels; 255 for digests)
//! u64 length, then the PDQ index      } each a file of its own kind,
//! u64 length, then the MD5 set        } as `hashbank-index` writes it
//! u64 length, then the SHA-256 set    }
//! ```
//!
//! The bank server keeps it, sealed, across a restart (`serve
//! --matcher-file`); the local bank file holds it after the bank's URL and
//! feed cursor.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::RwLock;

use hashbank_index::file::{BodyReader, BodyWriter, FileKind};
use hashbank_index::{FileError, HammingIndex, Md5Set, Sha256Set};

use crate::sets::Matcher;
use crate::stored::{Attrs, ATTR_LEN};
use crate::table::MetaTable;

/// The kind of the matcher's file.
pub(crate) const KIND: FileKind = FileKind {
    tag: *b"MATCHSET",
    version: 1,
    name: "matcher",
    noun: "matcher file",
};

impl Matcher {
    /// Writes the matcher as a file of its own at the current position of
    /// `out`, which is left after it; returns the bytes written.
    ///
    /// Changes applied meanwhile from another thread may or may not be in
    /// it; a caller that needs a point in the feed holds its changes back.
    pub fn write_to<W: Write + Seek>(&self, out: &mut W) -> std::io::Result<u64> {
        loop {
            self.table.write().expect("matcher table").merge();
            // Searches go on while the file is written.
            let table = self.table();
            if let Some((ids, attrs)) = table.merged() {
                return hashbank_index::file::write_to(out, KIND, ids.len() as u64, |body| {
                    write_body(self, body, ids, attrs)
                });
            }
        }
    }

    /// Reads a matcher written by [`write_to`](Matcher::write_to) from the
    /// next `len` bytes of `input`, checking it whole; errors name
    /// `origin`.
    pub fn read_from(input: &mut dyn Read, len: u64, origin: &Path) -> Result<Matcher, FileError> {
        let (header, body) = BodyReader::from_reader(Box::new(input), len, origin, KIND)?;
        read_body(body, header.count)
    }
}

fn write_body(
    matcher: &Matcher,
    body: &mut BodyWriter,
    ids: &[u64],
    attrs: &[Attrs],
) -> std::io::Result<()> {
    body.u64(ids.len() as u64)?;
    body.array(ids)?;
    body.bytes(attrs.as_flattened())?;
    body.part(|o| matcher.pdq.write_to(o))?;
    body.part(|o| matcher.md5.write_to(o))?;
    body.part(|o| matcher.sha256.write_to(o))
}

fn read_body(mut body: BodyReader, count: u64) -> Result<Matcher, FileError> {
    let n = body.count()?;
    if n as u64 != count || (n as u64).saturating_mul(8 + ATTR_LEN as u64) > body.left() {
        return Err(body.corrupt("the hash count does not match the header"));
    }
    let ids = body.array::<u64>(n)?;
    let attrs: Vec<Attrs> = body
        .bytes(n * ATTR_LEN)?
        .chunks_exact(ATTR_LEN)
        .map(|c| c.try_into().expect("attribute bytes"))
        .collect();
    let table = MetaTable::from_columns(ids, attrs)
        .ok_or_else(|| body.corrupt("hash ids out of order or bad hash attributes"))?;
    let pdq = body.part(|r, len, p| HammingIndex::read_from(r, len, p))?;
    let md5 = body.part(|r, len, p| Md5Set::read_from(r, len, p))?;
    let sha256 = body.part(|r, len, p| Sha256Set::read_from(r, len, p))?;
    let corrupt = body.corrupt("the hash sets do not match the hash list");
    body.finish()?;
    let matcher = Matcher {
        pdq,
        md5,
        sha256,
        table: RwLock::new(table),
    };
    if !matcher.consistent() {
        return Err(corrupt);
    }
    Ok(matcher)
}
