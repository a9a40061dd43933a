//! A tar reader for hostile input: headers checked by their checksum, long
//! names and pax headers bounded, data never read unless asked for.
//!
//! Reads POSIX (ustar, pax) and GNU tars: regular files, folders, links and
//! special files, GNU long names (`L`) and pax `path` records. Sparse files
//! and multi-volume archives are read as plain data or skipped as special.

use std::io::{self, Read, Seek, SeekFrom};

/// A tar block.
const BLOCK: u64 = 512;
/// Longest long name or pax header read: real ones are a few hundred bytes.
const MAX_EXTENDED_HEADER: u64 = 64 << 10;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A regular file.
    File,
    /// A folder.
    Folder,
    /// A symbolic or hard link.
    Link,
    /// A device, a pipe, or a type this reader does not know.
    Special,
}

/// An entry's header.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Its name, raw.
    pub name: Vec<u8>,
    /// Bytes of data.
    pub size: u64,
    /// What it is.
    pub kind: EntryKind,
}

/// A damaged tar.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TarError {
    #[error("cannot read the archive: {0}")]
    Io(#[from] io::Error),
    #[error("a damaged tar header")]
    BadHeader,
    #[error("an extended header of {0} bytes, over the limit")]
    LongHeader(u64),
}

/// An input that can pass over bytes, by seeking where it can.
pub(crate) trait Skip: Read {
    /// Passes over `n` bytes.
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let copied = io::copy(&mut self.take(n), &mut io::sink())?;
        if copied < n {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
}

/// Seekable inputs skip by seeking.
pub(crate) struct Seeking<R>(pub R);

impl<R: Read> Read for Seeking<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read + Seek> Skip for Seeking<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let n = i64::try_from(n).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
        self.0.seek(SeekFrom::Current(n)).map(|_| ())
    }
}

/// Streams skip by reading through.
pub(crate) struct Streaming<R>(pub R);

impl<R: Read> Read for Streaming<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Skip for Streaming<R> {}

/// Reads entries one after the other.
pub(crate) struct TarReader<R> {
    input: R,
    /// Data bytes of the current entry not yet read.
    data_left: u64,
    /// Padding after the current entry's data.
    padding: u64,
}

impl<R: Skip> TarReader<R> {
    pub(crate) fn new(input: R) -> TarReader<R> {
        TarReader {
            input,
            data_left: 0,
            padding: 0,
        }
    }

    /// The data of the current entry (what is left of it).
    pub(crate) fn data(&mut self) -> impl Read + '_ {
        DataReader { tar: self }
    }

    /// Bytes of the current entry not yet read, padding included.
    pub(crate) fn data_left(&self) -> u64 {
        self.data_left + self.padding
    }

    /// Passes over what is left of the current entry's data.
    pub(crate) fn skip_data(&mut self) -> io::Result<()> {
        let n = self.data_left + self.padding;
        self.data_left = 0;
        self.padding = 0;
        self.input.skip(n)
    }

    /// The next entry's header, or `None` at the end.
    pub(crate) fn next_entry(&mut self) -> Result<Option<Entry>, TarError> {
        let mut long_name: Option<Vec<u8>> = None;
        loop {
            self.skip_data()?;
            let mut block = [0u8; BLOCK as usize];
            let got = read_up_to(&mut self.input, &mut block)?;
            if got == 0 || block.iter().all(|&b| b == 0) {
                return Ok(None);
            }
            if got < block.len() || !checksum_ok(&block) {
                return Err(TarError::BadHeader);
            }
            let size = parse_size(&block[124..136]).ok_or(TarError::BadHeader)?;
            self.data_left = size;
            self.padding = (BLOCK - size % BLOCK) % BLOCK;
            match block[156] {
                b'L' | b'x' => {
                    if size > MAX_EXTENDED_HEADER {
                        return Err(TarError::LongHeader(size));
                    }
                    let mut data = Vec::with_capacity(size as usize);
                    self.data().read_to_end(&mut data)?;
                    if (data.len() as u64) < size {
                        return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
                    }
                    long_name = if block[156] == b'L' {
                        Some(trim_nul(&data).to_vec())
                    } else {
                        pax_path(&data).or(long_name)
                    };
                }
                // Global pax headers, GNU long link names: nothing to keep.
                b'g' | b'K' => {}
                flag => {
                    let kind = match flag {
                        b'0' | b'\0' | b'7' => EntryKind::File,
                        b'5' => EntryKind::Folder,
                        b'1' | b'2' => EntryKind::Link,
                        _ => EntryKind::Special,
                    };
                    let name = long_name.take().unwrap_or_else(|| header_name(&block));
                    return Ok(Some(Entry { name, size, kind }));
                }
            }
        }
    }
}

struct DataReader<'a, R> {
    tar: &'a mut TarReader<R>,
}

impl<R: Skip> Read for DataReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (buf.len() as u64).min(self.tar.data_left) as usize;
        if want == 0 {
            return Ok(0);
        }
        let n = self.tar.input.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.tar.data_left -= n as u64;
        Ok(n)
    }
}

fn read_up_to(input: &mut impl Read, out: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < out.len() {
        match input.read(&mut out[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn trim_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// The name in a header: ustar's prefix, a slash, and the name.
fn header_name(block: &[u8; BLOCK as usize]) -> Vec<u8> {
    let name = trim_nul(&block[0..100]);
    let ustar = &block[257..262] == b"ustar";
    let prefix = if ustar {
        trim_nul(&block[345..500])
    } else {
        &[]
    };
    if prefix.is_empty() {
        name.to_vec()
    } else {
        [prefix, b"/", name].concat()
    }
}

/// The checksum of a header: the sum of its bytes, the checksum field
/// counted as spaces.
fn checksum_ok(block: &[u8; BLOCK as usize]) -> bool {
    let stated = parse_octal(&block[148..156]);
    let sum: u64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    stated == Some(sum)
}

/// An octal number padded with spaces or NULs.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let digits = trim_nul(field);
    let text = std::str::from_utf8(digits).ok()?.trim();
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// A size: octal, or GNU's base-256 (first byte's high bit set).
fn parse_size(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        let mut value: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        Some(value)
    } else {
        parse_octal(field)
    }
}

/// The `path` record of a pax header, if it has one.
fn pax_path(data: &[u8]) -> Option<Vec<u8>> {
    let mut rest = data;
    let mut path = None;
    while !rest.is_empty() {
        // Each record: "<length> <key>=<value>\n", the length counting all.
        let space = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
        if len <= space + 1 || len > rest.len() {
            return None;
        }
        let record = &rest[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(value) = record.strip_prefix(b"path=") {
            path = Some(value.to_vec());
        }
        rest = &rest[len..];
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(add: impl FnOnce(&mut tar::Builder<&mut Vec<u8>>)) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut builder = tar::Builder::new(&mut out);
            add(&mut builder);
            builder.finish().unwrap();
        }
        out
    }

    fn file(builder: &mut tar::Builder<&mut Vec<u8>>, name: &str, data: &[u8]) {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, name, data).unwrap();
    }

    fn entries(bytes: &[u8]) -> Result<Vec<(String, EntryKind, Vec<u8>)>, TarError> {
        let mut tar = TarReader::new(Seeking(io::Cursor::new(bytes)));
        let mut out = Vec::new();
        while let Some(e) = tar.next_entry()? {
            let mut data = Vec::new();
            if out.len() % 2 == 0 {
                tar.data().read_to_end(&mut data)?;
            }
            out.push((String::from_utf8_lossy(&e.name).into_owned(), e.kind, data));
        }
        Ok(out)
    }

    #[test]
    fn reads_what_the_tar_crate_writes() {
        let long = format!("{}/photo.jpg", "d".repeat(150));
        let bytes = build(|b| {
            file(b, "a.jpg", b"alpha");
            file(b, "b.txt", &[7u8; 700]);
            file(b, &long, b"long");
            let mut link = tar::Header::new_gnu();
            link.set_entry_type(tar::EntryType::Symlink);
            link.set_size(0);
            b.append_link(&mut link, "l.jpg", "a.jpg").unwrap();
        });
        let got = entries(&bytes).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], ("a.jpg".into(), EntryKind::File, b"alpha".to_vec()));
        assert_eq!((got[1].0.as_str(), got[1].1), ("b.txt", EntryKind::File));
        assert_eq!(got[2], (long, EntryKind::File, b"long".to_vec()));
        assert_eq!((got[3].0.as_str(), got[3].1), ("l.jpg", EntryKind::Link));
        // Streaming gives the same.
        let mut tar = TarReader::new(Streaming(&bytes[..]));
        let mut names = Vec::new();
        while let Some(e) = tar.next_entry().unwrap() {
            names.push(e.name);
        }
        assert_eq!(names.len(), 4);
    }

    #[test]
    fn pax_paths_are_read() {
        assert_eq!(
            pax_path(b"18 path=dir/x.jpg\n11 mtime=1\n").as_deref(),
            Some(&b"dir/x.jpg"[..])
        );
        assert_eq!(pax_path(b"99 path=x\n"), None);
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        let bytes = build(|b| file(b, "a.jpg", &[1u8; 1000]));
        let mut bad = bytes.clone();
        bad[10] ^= 1;
        assert!(matches!(entries(&bad), Err(TarError::BadHeader)));
        assert!(entries(&bytes[..700]).is_err());
        assert!(entries(&bytes[..300]).is_err());
        for cut in (0..bytes.len()).step_by(97) {
            let _ = entries(&bytes[..cut]);
        }
        // A long name entry claiming a huge size.
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::GNULongName);
        header.set_size(1 << 40);
        header.set_cksum();
        let mut huge = header.as_bytes().to_vec();
        huge.extend([0u8; 1024]);
        assert!(matches!(entries(&huge), Err(TarError::LongHeader(_))));
    }
}
