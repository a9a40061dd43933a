//! The one envelope of every hashbank file: a 64-byte header, then a body
//! of flat little-endian arrays, checked by an xxh3 checksum. Indexes and
//! digest sets are written in it here; the matcher and the local bank file
//! (`hashbank-matcher`) are written in it too, with parts of these kinds
//! inside their bodies ([`BodyWriter::part`], [`BodyReader::part`]).
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `HASHBANK` |
//! | 8 | 8 | kind: `PDQINDEX`, `DIGEST16` (MD5), `DIGEST32` (SHA-256), `MATCHSET`, `LOCALBNK` |
//! | 16 | 4 | format version of that kind ([`FileKind::version`]) |
//! | 20 | 4 | flags (0) |
//! | 24 | 8 | number of live entries |
//! | 32 | 8 | body length in bytes |
//! | 40 | 8 | xxh3-64 of the body |
//! | 48 | 8 | xxh3-64 of bytes 0..48 |
//! | 56 | 8 | zero |
//!
//! A reader checks the magic, the header checksum, the kind, its version and
//! the length before it allocates anything, bounds every array by the bytes
//! left, and compares the body checksum once the body is read. Writers write
//! a temporary file beside the target, sync it and rename it over the target.
//!
//! The same bytes can also be written into, and read back from, a part of a
//! larger file ([`write_to`], [`BodyReader::from_reader`]): the caller then
//! gives the part's length, and every check above still applies to it.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::FileError;

/// Every hashbank file starts with these bytes.
pub(crate) const MAGIC: [u8; 8] = *b"HASHBANK";

/// The version of the layout of PDQ indexes and digest sets written and
/// read by this build.
pub const FORMAT_VERSION: u32 = 1;

/// A kind of hashbank file: its tag, the version of its layout this build
/// writes and reads, and its name in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileKind {
    /// The eight bytes after the magic.
    pub tag: [u8; 8],
    /// The version of its layout.
    pub version: u32,
    /// What it is, in words ("PDQ index").
    pub name: &'static str,
    /// What its files are called, in words ("index file").
    pub noun: &'static str,
}

/// PDQ indexes.
pub(crate) const PDQ_INDEX: FileKind = FileKind {
    tag: *b"PDQINDEX",
    version: FORMAT_VERSION,
    name: "PDQ index",
    noun: "index file",
};

/// Every kind of hashbank file, for naming one found where another was
/// expected.
const NAMES: [(&[u8; 8], &str); 5] = [
    (b"PDQINDEX", "PDQ index"),
    (b"DIGEST16", "MD5 set"),
    (b"DIGEST32", "SHA-256 set"),
    (b"MATCHSET", "matcher"),
    (b"LOCALBNK", "bank file"),
];

/// Length of the header.
const HEADER_LEN: usize = 64;

/// Bytes read or written (and checksummed) at a time.
const CHUNK: usize = 1 << 20;

/// Read buffer for the small fields. Smaller than [`CHUNK`], so that large
/// arrays are read straight into place rather than through the buffer.
const READ_BUFFER: usize = 64 << 10;

/// What a header says.
pub struct Header {
    /// The kind's tag.
    pub kind: [u8; 8],
    /// The entries the file holds, as its writer counted them.
    pub count: u64,
    body_len: u64,
    checksum: u64,
}

fn encode(kind: FileKind, header: &Header) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    out[0..8].copy_from_slice(&MAGIC);
    out[8..16].copy_from_slice(&header.kind);
    out[16..20].copy_from_slice(&kind.version.to_le_bytes());
    out[24..32].copy_from_slice(&header.count.to_le_bytes());
    out[32..40].copy_from_slice(&header.body_len.to_le_bytes());
    out[40..48].copy_from_slice(&header.checksum.to_le_bytes());
    let own = xxh3_64(&out[..48]);
    out[48..56].copy_from_slice(&own.to_le_bytes());
    out
}

/// A kind tag as text, for messages.
fn kind_name(kind: &[u8; 8]) -> String {
    match NAMES.iter().find(|(tag, _)| *tag == kind) {
        Some((_, name)) => name.to_string(),
        None => format!("file of kind {:?}", String::from_utf8_lossy(kind)),
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the body of a file, counting and checksumming it.
pub struct BodyWriter<'a> {
    out: &'a mut dyn Write,
    hasher: Xxh3,
    len: u64,
}

impl BodyWriter<'_> {
    /// Raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        for chunk in bytes.chunks(CHUNK) {
            self.hasher.update(chunk);
            self.out.write_all(chunk)?;
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// A u32, little-endian.
    pub fn u32(&mut self, value: u32) -> io::Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    /// A u64, little-endian.
    pub fn u64(&mut self, value: u64) -> io::Result<()> {
        self.bytes(&value.to_le_bytes())
    }

    /// A part: its length (u64), then the bytes `write` writes at the start
    /// of an empty buffer (a whole file of another kind, say), read back by
    /// [`BodyReader::part`]. The part is held in memory while it is copied.
    pub fn part(
        &mut self,
        write: impl FnOnce(&mut io::Cursor<Vec<u8>>) -> io::Result<u64>,
    ) -> io::Result<()> {
        let mut buffer = io::Cursor::new(Vec::new());
        let len = write(&mut buffer)?;
        let bytes = buffer.into_inner();
        debug_assert_eq!(len, bytes.len() as u64);
        self.u64(bytes.len() as u64)?;
        self.bytes(&bytes)
    }

    /// An array of plain numbers, little-endian.
    pub fn array<T: bytemuck::Pod + ToLe>(&mut self, values: &[T]) -> io::Result<()> {
        if cfg!(target_endian = "little") {
            self.bytes(bytemuck::cast_slice(values))
        } else {
            let swapped: Vec<T> = values.iter().map(|v| v.to_le()).collect();
            self.bytes(bytemuck::cast_slice(&swapped))
        }
    }
}

/// Byte order for arrays on big-endian machines.
pub trait ToLe: Copy {
    /// Little-endian to native or back (the same swap).
    fn to_le(self) -> Self;
}

impl ToLe for u32 {
    fn to_le(self) -> Self {
        u32::to_le(self)
    }
}

impl ToLe for u8 {
    fn to_le(self) -> Self {
        self
    }
}

impl ToLe for u64 {
    fn to_le(self) -> Self {
        u64::to_le(self)
    }
}

impl ToLe for [u64; 4] {
    fn to_le(self) -> Self {
        self.map(u64::to_le)
    }
}

/// Saves a file atomically: `body` writes the body, then the header is
/// filled in; the file is written beside `path`, synced, and renamed over
/// it. On failure `path` is as it was.
pub fn save(
    path: &Path,
    kind: FileKind,
    count: u64,
    body: impl FnOnce(&mut BodyWriter) -> io::Result<()>,
) -> Result<(), FileError> {
    let name = path
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = write_file(&temp, kind, count, body)
        .and_then(|()| std::fs::rename(&temp, path))
        .and_then(|()| sync_folder(path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(io_error(path))
}

/// Makes a rename durable: syncs the folder that holds `path`.
fn sync_folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(folder)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn write_file(
    temp: &Path,
    kind: FileKind,
    count: u64,
    body: impl FnOnce(&mut BodyWriter) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(CHUNK, File::create(temp)?);
    write_to(&mut out, kind, count, body)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// Writes a whole file (header and body) at the current position of `out`,
/// leaves `out` positioned after it and returns its length in bytes.
pub fn write_to<W: Write + Seek>(
    out: &mut W,
    kind: FileKind,
    count: u64,
    body: impl FnOnce(&mut BodyWriter) -> io::Result<()>,
) -> io::Result<u64> {
    let start = out.stream_position()?;
    out.write_all(&[0u8; HEADER_LEN])?;
    let mut writer = BodyWriter {
        out,
        hasher: Xxh3::new(),
        len: 0,
    };
    body(&mut writer)?;
    let header = Header {
        kind: kind.tag,
        count,
        body_len: writer.len,
        checksum: writer.hasher.digest(),
    };
    out.seek(SeekFrom::Start(start))?;
    out.write_all(&encode(kind, &header))?;
    let end = out.seek(SeekFrom::Current(header.body_len as i64))?;
    Ok(end - start)
}

/// Reads the body of a file, bounding every read by the bytes left.
pub struct BodyReader<'a> {
    input: Box<dyn Read + 'a>,
    hasher: Xxh3,
    left: u64,
    expected: u64,
    path: PathBuf,
}

impl<'a> BodyReader<'a> {
    /// Opens `path`, checks its header against `kind`, and positions at the body.
    pub fn open(path: &Path, kind: FileKind) -> Result<(Header, BodyReader<'static>), FileError> {
        let file = File::open(path).map_err(io_error(path))?;
        let file_len = file.metadata().map_err(io_error(path))?.len();
        let input = BufReader::with_capacity(READ_BUFFER, file);
        BodyReader::from_reader(Box::new(input), file_len, path, kind)
    }

    /// Reads a file of `file_len` bytes from `input` (a part of a larger
    /// file, say), checks its header against `kind`, and positions at the
    /// body. `path` names where the bytes come from in errors.
    pub fn from_reader(
        input: Box<dyn Read + 'a>,
        file_len: u64,
        path: &Path,
        kind: FileKind,
    ) -> Result<(Header, BodyReader<'a>), FileError> {
        // Never read past the part, whatever its header says.
        let mut input: Box<dyn Read + 'a> = Box::new(input.take(file_len));
        let mut raw = [0u8; HEADER_LEN];
        let got = read_up_to(&mut input, &mut raw).map_err(io_error(path))?;
        let seen = got.min(MAGIC.len());
        if raw[..seen] != MAGIC[..seen] || got == 0 {
            return Err(FileError::Foreign {
                path: path.into(),
                expected: kind.noun,
            });
        }
        if got < HEADER_LEN {
            return Err(FileError::Truncated {
                path: path.into(),
                expected: HEADER_LEN as u64,
                found: file_len,
            });
        }
        let field = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().expect("8 bytes"));
        if xxh3_64(&raw[..48]) != field(48) {
            return Err(corrupt(path, "header checksum mismatch"));
        }
        if field(56) != 0 {
            return Err(corrupt(path, "reserved header bytes are not zero"));
        }
        let found: [u8; 8] = raw[8..16].try_into().expect("8 bytes");
        if found != kind.tag {
            return Err(FileError::WrongKind {
                path: path.into(),
                expected: kind.name.to_string(),
                found: kind_name(&found),
            });
        }
        let version = u32::from_le_bytes(raw[16..20].try_into().expect("4 bytes"));
        if version != kind.version {
            return Err(FileError::UnsupportedVersion {
                path: path.into(),
                kind: kind.name.to_string(),
                found: version,
                supported: kind.version,
            });
        }
        let header = Header {
            kind: found,
            count: field(24),
            body_len: field(32),
            checksum: field(40),
        };
        let body_on_disk = file_len - HEADER_LEN as u64;
        if body_on_disk < header.body_len {
            return Err(FileError::Truncated {
                path: path.into(),
                expected: (HEADER_LEN as u64).saturating_add(header.body_len),
                found: file_len,
            });
        }
        if body_on_disk > header.body_len {
            return Err(corrupt(path, "bytes after the end of the body"));
        }
        let reader = BodyReader {
            input,
            hasher: Xxh3::new(),
            left: header.body_len,
            expected: header.checksum,
            path: path.into(),
        };
        Ok((header, reader))
    }

    /// An error about this file's contents.
    pub fn corrupt(&self, reason: &str) -> FileError {
        corrupt(&self.path, reason)
    }

    /// Where the bytes come from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes of the body not read yet.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// `len` raw bytes.
    pub fn bytes(&mut self, len: usize) -> Result<Vec<u8>, FileError> {
        let mut out = vec![0u8; self.claim(len, 1)?];
        self.fill(&mut out)?;
        Ok(out)
    }

    /// A u32.
    pub fn u32(&mut self) -> Result<u32, FileError> {
        let mut raw = [0u8; 4];
        self.claim(1, 4)?;
        self.fill(&mut raw)?;
        Ok(u32::from_le_bytes(raw))
    }

    /// A u64.
    pub fn u64(&mut self) -> Result<u64, FileError> {
        let mut raw = [0u8; 8];
        self.claim(1, 8)?;
        self.fill(&mut raw)?;
        Ok(u64::from_le_bytes(raw))
    }

    /// A count read from the file, as a usize.
    pub fn count(&mut self) -> Result<usize, FileError> {
        let value = self.u64()?;
        usize::try_from(value).map_err(|_| self.corrupt("count too large"))
    }

    /// `len` plain numbers, little-endian.
    pub fn array<T: bytemuck::Pod + ToLe + Default>(
        &mut self,
        len: usize,
    ) -> Result<Vec<T>, FileError> {
        let mut out = vec![T::default(); self.claim(len, size_of::<T>())?];
        self.fill(bytemuck::cast_slice_mut(&mut out))?;
        if cfg!(target_endian = "big") {
            out.iter_mut().for_each(|v| *v = v.to_le());
        }
        Ok(out)
    }

    /// Checks that `len` items of `size` bytes are left, before allocating them.
    fn claim(&mut self, len: usize, size: usize) -> Result<usize, FileError> {
        let bytes = len
            .checked_mul(size)
            .filter(|&b| b as u64 <= self.left)
            .ok_or_else(|| self.corrupt("an array runs past the end of the body"))?;
        self.left -= bytes as u64;
        Ok(len)
    }

    fn fill(&mut self, out: &mut [u8]) -> Result<(), FileError> {
        for chunk in out.chunks_mut(CHUNK) {
            self.input.read_exact(chunk).map_err(io_error(&self.path))?;
            self.hasher.update(chunk);
        }
        Ok(())
    }

    /// A part written by [`BodyWriter::part`]: its length, then `read`
    /// given the part's bytes (checksummed with the body) and its length.
    pub fn part<T>(
        &mut self,
        read: impl FnOnce(&mut dyn Read, u64, &Path) -> Result<T, FileError>,
    ) -> Result<T, FileError> {
        let len = self.u64()?;
        if len > self.left {
            return Err(self.corrupt("a part runs past the end of the body"));
        }
        self.left -= len;
        let mut part = Summed {
            input: (&mut self.input).take(len),
            hasher: &mut self.hasher,
        };
        let value = read(&mut part, len, &self.path)?;
        if part.input.limit() != 0 {
            return Err(corrupt(&self.path, "a part was not read to its end"));
        }
        Ok(value)
    }

    /// Checks that the whole body was read and its checksum matches.
    pub fn finish(self) -> Result<(), FileError> {
        if self.left != 0 {
            return Err(self.corrupt("unread bytes at the end of the body"));
        }
        if self.hasher.digest() != self.expected {
            return Err(FileError::ChecksumMismatch { path: self.path });
        }
        Ok(())
    }
}

/// Reads through to the body's input, checksumming what it reads.
struct Summed<'h, R> {
    input: R,
    hasher: &'h mut Xxh3,
}

impl<R: Read> Read for Summed<'_, io::Take<R>> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn corrupt(path: &Path, reason: &str) -> FileError {
    FileError::Corrupt {
        path: path.into(),
        reason: reason.into(),
    }
}

/// Reads as much of `out` as the input has.
fn read_up_to(input: &mut impl Read, out: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < out.len() {
        match input.read(&mut out[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}
