//! Writing a local bank file atomically.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::format::{Header, Summing, HEADER_LEN};
use super::{BankFileError, LocalBank};

/// Write and read buffer.
const BUFFER: usize = 1 << 20;

/// Writes `bank` to a temporary file beside `path`, syncs it and renames it
/// over `path`; on failure the temporary file is removed and `path` is as
/// it was.
pub(super) fn save(bank: &LocalBank, path: &Path) -> Result<(), BankFileError> {
    let name = path
        .file_name()
        .map_or_else(|| "bank".into(), |n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = write_file(bank, &temp)
        .and_then(|()| std::fs::rename(&temp, path))
        .and_then(|()| sync_folder(path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(|source| BankFileError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file(bank: &LocalBank, temp: &Path) -> io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(temp)?;
    let mut out = BufWriter::with_capacity(BUFFER, file);
    out.write_all(&[0u8; HEADER_LEN])?;
    let source = bank.source.as_bytes();
    out.write_all(&(source.len() as u32).to_le_bytes())?;
    out.write_all(source)?;
    out.write_all(&(bank.meta.len() as u64).to_le_bytes())?;
    for id in bank.meta.ids() {
        out.write_all(&id.to_le_bytes())?;
    }
    for attrs in bank.meta.attrs() {
        out.write_all(attrs)?;
    }
    part(&mut out, |o| bank.pdq.write_to(o))?;
    part(&mut out, |o| bank.md5.write_to(o))?;
    part(&mut out, |o| bank.sha256.write_to(o))?;
    let mut file = out.into_inner().map_err(|e| e.into_error())?;

    // The body checksum covers the parts as written: read them back.
    file.seek(SeekFrom::Start(HEADER_LEN as u64))?;
    let mut summing = Summing::new(BufReader::with_capacity(BUFFER, &file));
    let body_len = io::copy(&mut summing, &mut io::sink())?;
    let header = Header {
        cursor: bank.cursor,
        hashes: bank.meta.len() as u64,
        per_kind: bank.meta.per_kind(),
        body_len,
        checksum: summing.digest(),
    };
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&header.encode())?;
    file.sync_all()
}

/// Writes a length, then the part `write` writes, then fills the length in.
fn part(
    out: &mut BufWriter<File>,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<u64>,
) -> io::Result<()> {
    let at = out.stream_position()?;
    out.write_all(&0u64.to_le_bytes())?;
    let len = write(out)?;
    out.seek(SeekFrom::Start(at))?;
    out.write_all(&len.to_le_bytes())?;
    out.seek(SeekFrom::Start(at + 8 + len))?;
    Ok(())
}

/// Makes the rename durable: syncs the folder that holds `path`.
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
