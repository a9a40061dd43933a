//! The body of a PDQ index file (kind `PDQINDEX`), inside the envelope of
//! [`crate::file`]. All numbers little-endian.
//!
//! ```text
//! u64 number of segments
//! per segment:
//!   u64 n (hashes)   u32 directory bits   u32 id width (0..=8 bytes)
//!   u64 id base      u32 posting width (4 or 8)   u32 reserved (0)
//!   u64 removed count
//!   n x 32 bytes     hashes, 4 u64 limbs each, sorted by substring 0
//!   n x id width     id offsets from the base
//!   (2^bits + 1) x u32   directory of substring 0 (into the hashes)
//!   7 x { (2^bits + 1) x u32 directory, n x posting width postings }
//!   removed count x u32  removed positions, increasing
//! u64 tail length
//! tail length x { 32 bytes hash, u64 id }
//! ```
//!
//! Opening reads this in one pass into the arrays the search uses: nothing is
//! rebuilt.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::Arc;

use crate::file::{BodyReader, BodyWriter, Header};
use crate::ids::IdColumn;
use crate::key::SUBSTRINGS;
use crate::layers::{Part, Snapshot};
use crate::removed::Removed;
use crate::segment::{Entry, HashSegment};
use crate::table::{Directory, Postings, Table, MAX_DIRECTORY_BITS, NARROW_LIMIT};
use crate::FileError;

use crate::file::PDQ_INDEX as KIND;

pub(crate) fn save(snapshot: &Snapshot<HashSegment>, path: &Path) -> Result<(), FileError> {
    crate::file::save(path, KIND, snapshot.len() as u64, |out| {
        write_body(out, snapshot)
    })
}

/// Writes the same bytes as [`save`] at the current position of `out`.
pub(crate) fn write_to<W: Write + Seek>(
    snapshot: &Snapshot<HashSegment>,
    out: &mut W,
) -> std::io::Result<u64> {
    crate::file::write_to(out, KIND, snapshot.len() as u64, |body| {
        write_body(body, snapshot)
    })
}

fn write_body(out: &mut BodyWriter, snapshot: &Snapshot<HashSegment>) -> std::io::Result<()> {
    out.u64(snapshot.parts.len() as u64)?;
    for part in &snapshot.parts {
        write_part(out, part)?;
    }
    out.u64(snapshot.tail.len() as u64)?;
    for entry in snapshot.tail.iter() {
        out.array(&[entry.hash])?;
        out.u64(entry.id)?;
    }
    Ok(())
}

fn write_part(out: &mut BodyWriter, part: &Part<HashSegment>) -> std::io::Result<()> {
    let segment = &part.segment;
    let posting_width = segment.tables().first().map_or(4, |t| t.postings.width());
    out.u64(segment.len() as u64)?;
    out.u32(segment.directory_bits())?;
    out.u32(segment.ids().width() as u32)?;
    out.u64(segment.ids().base())?;
    out.u32(posting_width as u32)?;
    out.u32(0)?;
    out.u64(part.removed.len() as u64)?;
    out.array(segment.hashes())?;
    out.bytes(segment.ids().bytes())?;
    out.array(segment.main_directory().offsets())?;
    for table in segment.tables() {
        out.array(table.directory.offsets())?;
        match &table.postings {
            Postings::Narrow(p) => out.array(p)?,
            Postings::Wide(p) => out.array(p)?,
        }
    }
    out.array(part.removed.positions())
}

pub(crate) fn open(path: &Path) -> Result<Snapshot<HashSegment>, FileError> {
    let (header, input) = BodyReader::open(path, KIND)?;
    read(header, input, path)
}

/// Reads what [`write_to`] wrote: `len` bytes of `input`.
pub(crate) fn read_from(
    input: &mut dyn Read,
    len: u64,
    origin: &Path,
) -> Result<Snapshot<HashSegment>, FileError> {
    let (header, body) = BodyReader::from_reader(Box::new(input), len, origin, KIND)?;
    read(header, body, origin)
}

fn read(
    header: Header,
    mut input: BodyReader,
    path: &Path,
) -> Result<Snapshot<HashSegment>, FileError> {
    let segments = input.count()?;
    let mut raw_parts = Vec::new();
    for _ in 0..segments {
        raw_parts.push(read_part(&mut input)?);
    }
    let tail_len = input.count()?;
    let mut tail = Vec::with_capacity(tail_len.min(1 << 16));
    for _ in 0..tail_len {
        let hash = input.array::<[u64; 4]>(1)?[0];
        let id = input.u64()?;
        tail.push(Entry { hash, id });
    }
    input.finish()?;
    // The checksum matched: now check the structure, so that a forged file
    // cannot make a search index out of bounds.
    let reason = |reason: &str| FileError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let mut parts = Vec::with_capacity(raw_parts.len());
    for raw in raw_parts {
        parts.push(raw.assemble().map_err(reason)?);
    }
    let snapshot = Snapshot {
        parts,
        tail: Arc::new(tail),
    };
    if snapshot.len() as u64 != header.count {
        return Err(reason("the entry count does not match the header"));
    }
    Ok(snapshot)
}

/// A segment as read, before its structure is checked.
struct RawPart {
    hashes: Vec<[u64; 4]>,
    bits: u32,
    id_base: u64,
    id_width: usize,
    id_bytes: Vec<u8>,
    main: Vec<u32>,
    tables: Vec<(Vec<u32>, Postings)>,
    removed: Vec<u32>,
}

fn read_part(input: &mut BodyReader) -> Result<RawPart, FileError> {
    let len = input.count()?;
    let bits = input.u32()?;
    let id_width = input.u32()? as usize;
    let id_base = input.u64()?;
    let posting_width = input.u32()?;
    let _reserved = input.u32()?;
    let removed_len = input.count()?;
    if bits > MAX_DIRECTORY_BITS || id_width > 8 {
        return Err(input.corrupt("segment header out of range"));
    }
    let directory_len = (1usize << bits) + 1;
    let hashes = input.array::<[u64; 4]>(len)?;
    let id_bytes = input.bytes(len.saturating_mul(id_width))?;
    let main = input.array::<u32>(directory_len)?;
    let mut tables = Vec::with_capacity(SUBSTRINGS - 1);
    for _ in 1..SUBSTRINGS {
        let directory = input.array::<u32>(directory_len)?;
        let postings = match posting_width {
            4 if len <= NARROW_LIMIT => Postings::Narrow(input.array::<u32>(len)?),
            8 => Postings::Wide(input.array::<u64>(len)?),
            _ => return Err(input.corrupt("bad posting width")),
        };
        tables.push((directory, postings));
    }
    let removed = input.array::<u32>(removed_len)?;
    Ok(RawPart {
        hashes,
        bits,
        id_base,
        id_width,
        id_bytes,
        main,
        tables,
        removed,
    })
}

impl RawPart {
    fn assemble(self) -> Result<Part<HashSegment>, &'static str> {
        let len = self.hashes.len();
        let ids = IdColumn::from_parts(self.id_base, self.id_width, self.id_bytes, len)
            .ok_or("bad id column")?;
        let main = Directory::from_parts(self.bits, self.main, len).ok_or("bad directory")?;
        let mut tables = Vec::with_capacity(self.tables.len());
        for (offsets, postings) in self.tables {
            let directory =
                Directory::from_parts(self.bits, offsets, len).ok_or("bad directory")?;
            tables.push(Table {
                directory,
                postings,
            });
        }
        let segment =
            HashSegment::from_parts(self.hashes, ids, main, tables).ok_or("inconsistent tables")?;
        let removed = Removed::from_sorted(self.removed).ok_or("removed positions out of order")?;
        if removed
            .positions()
            .last()
            .is_some_and(|&p| p as usize >= len)
        {
            return Err("removed position out of range");
        }
        Ok(Part {
            segment: Arc::new(segment),
            removed: Arc::new(removed),
        })
    }
}
