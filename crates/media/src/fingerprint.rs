//! A file's fingerprint: PDQ hash and quality, MD5 and SHA-256 of its bytes.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use md5::Md5;
use pdq::Hash256;
use sha2::{Digest, Sha256};

use crate::decode::{decode_in_turn, in_turn, Limits, Pipeline};
use crate::error::{ErrorKind, MediaError};

/// What to compute.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Input limits.
    pub limits: Limits,
    /// Canonical or fast.
    pub pipeline: Pipeline,
    /// Also compute the eight dihedral hashes.
    pub dihedral: bool,
}

/// The hashes of one image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// PDQ hash.
    pub pdq: Hash256,
    /// PDQ quality, 0..=100.
    pub quality: u8,
    /// MD5 of the file's bytes.
    pub md5: [u8; 16],
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    /// Width of the image in the file.
    pub width: usize,
    /// Height of the image in the file.
    pub height: usize,
    /// The eight dihedral hashes in [`pdq::Dihedral::ALL`] order, when asked for.
    pub dihedral: Option<[Hash256; 8]>,
}

/// Fingerprints an image held in memory.
/// A large image (over [`crate::LARGE_PIXELS`]) waits until no other
/// large image is being decoded or hashed in the process.
pub fn fingerprint(bytes: &[u8], options: &Options) -> Result<Fingerprint, ErrorKind> {
    in_turn(bytes, &options.limits, || {
        fingerprint_in_turn(bytes, options)
    })
}

fn fingerprint_in_turn(bytes: &[u8], options: &Options) -> Result<Fingerprint, ErrorKind> {
    let decoded = decode_in_turn(bytes, &options.limits, options.pipeline)?;
    let image = decoded.as_image();
    let (pdq_hash, dihedral) = if options.dihedral {
        let (plain, all) = pdq::hash_with_dihedral(&image);
        (plain, Some(all.hashes))
    } else {
        (pdq::hash(&image), None)
    };
    let (md5, sha256) = digests(bytes);
    Ok(Fingerprint {
        pdq: pdq_hash.hash,
        quality: pdq_hash.quality,
        md5,
        sha256,
        width: decoded.source_width,
        height: decoded.source_height,
        dihedral,
    })
}

/// The MD5 and SHA-256 of a file's bytes.
pub fn digests(bytes: &[u8]) -> ([u8; 16], [u8; 32]) {
    (Md5::digest(bytes).into(), Sha256::digest(bytes).into())
}

/// Reads a file whole, refusing it unread if it is over `max_bytes`.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, MediaError> {
    let at = |kind| MediaError::at(path, kind);
    let file = File::open(path).map_err(|e| at(ErrorKind::Io(e)))?;
    let size = file.metadata().map_err(|e| at(ErrorKind::Io(e)))?.len();
    if size > max_bytes {
        return Err(at(ErrorKind::FileTooLarge {
            size,
            limit: max_bytes,
        }));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read one byte past the limit so a file that grew is still refused.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| at(ErrorKind::Io(e)))?;
    if bytes.len() as u64 > max_bytes {
        return Err(at(ErrorKind::FileTooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        }));
    }
    Ok(bytes)
}

/// Fingerprints the image file at `path`; errors name the file.
pub fn fingerprint_file(path: &Path, options: &Options) -> Result<Fingerprint, MediaError> {
    let bytes = read_file(path, options.limits.max_file_bytes)?;
    fingerprint(&bytes, options).map_err(|kind| MediaError::at(path, kind))
}
