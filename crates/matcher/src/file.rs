//! The matcher in a file, or in a part of one (kind `MATCHSET`, inside the
//! envelope of `hashbank_index::file`). All numbers little-endian.
//!
//! ```text
//! u64 n (hashes held)
//! n x u64       hash ids, strictly increasing
//! n x 5 bytes   per id: kind (0 pdq, 1 md5, 2 sha256, 3 vpdq), role (0 plain,
//!               1 extra), category (0 none, 1 minor), PDQ quality
//!               (0..=100; 255 for digests and PDQ hashes without one),
//!               label of a PDQ hash (0 pdq, 1 trim, 2.. the parts in
//!               `model::Part::ALL` order, 254 a PDQ hash stored before
//!               labels; 255 for digests and videos)
//! u64 length, then the PDQ index      } each a file of its own kind,
//! u64 length, then the MD5 set        } as `hashbank-index` writes it
//! u64 length, then the SHA-256 set    }
//! u64           the next frame id to give
//! u64 v (videos held; as many as kind 3 above)
//! v x           in order of their first frame id:
//!   u64 id, u64 first frame id (top bit set), u64 f (frames, at least 1)
//!   f x 45 bytes  PDQ hash (32), quality (0..=100), frame number (u32,
//!                 rising), timestamp in seconds (f64, finite, >= 0)
//!   u64 p (parts)
//!   p x           u8 length, the label (a `BankLabel` name), u64 n, then
//!                 n frames of 45 bytes (numbers among the plain frames')
//! ```
//!
//! The PDQ index holds the pictures' PDQ hashes under their ids and every
//! video frame under its frame id, the video's first frame id plus its
//! place in the video.
//!
//! The bank server keeps it, sealed, across a restart (`serve
//! --matcher-file`); the local bank file holds it after the bank's URL and
//! feed cursor.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::RwLock;

use std::sync::Arc;

use hashbank_index::file::{BodyReader, BodyWriter, FileKind};
use hashbank_index::{FileError, HammingIndex, Hash256, Md5Set, Sha256Set};
use model::{VideoFrame, VideoHash, MAX_VIDEO_FRAMES};

use crate::sets::Matcher;
use crate::stored::{Attrs, ATTR_LEN};
use crate::table::MetaTable;
use crate::videos::{VideoFrames, FRAME_BIT};

/// Bytes per stored video frame.
const FRAME_LEN: usize = 45;

/// The kind of the matcher's file.
pub(crate) const KIND: FileKind = FileKind {
    tag: *b"MATCHSET",
    version: 2,
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
    body.part(|o| matcher.sha256.write_to(o))?;
    let videos = matcher.videos();
    body.u64(videos.next)?;
    let mut held: Vec<(u64, u64, &Arc<VideoHash>)> = videos
        .videos
        .iter()
        .map(|(&id, v)| (v.first, id, &v.hash))
        .collect();
    held.sort_unstable_by_key(|(first, _, _)| *first);
    body.u64(held.len() as u64)?;
    let mut bytes = Vec::new();
    for (first, id, hash) in held {
        body.u64(id)?;
        body.u64(first)?;
        body.u64(hash.frames.len() as u64)?;
        frame_bytes(&hash.frames, &mut bytes);
        body.bytes(&bytes)?;
        body.u64(hash.parts.len() as u64)?;
        for part in &hash.parts {
            body.bytes(&[part.label.len() as u8])?;
            body.bytes(part.label.as_bytes())?;
            body.u64(part.frames.len() as u64)?;
            frame_bytes(&part.frames, &mut bytes);
            body.bytes(&bytes)?;
        }
    }
    Ok(())
}

fn frame_bytes(frames: &[VideoFrame], bytes: &mut Vec<u8>) {
    bytes.clear();
    for f in frames {
        bytes.extend_from_slice(&f.hash.to_bytes());
        bytes.push(f.quality);
        bytes.extend_from_slice(&f.number.to_le_bytes());
        bytes.extend_from_slice(&f.timestamp.to_le_bytes());
    }
}

/// The frames of one stored video or part, checked as the text forms are.
fn read_frames(bytes: &[u8]) -> Option<Vec<VideoFrame>> {
    let mut frames: Vec<VideoFrame> = Vec::with_capacity(bytes.len() / FRAME_LEN);
    for raw in bytes.chunks_exact(FRAME_LEN) {
        let frame = VideoFrame {
            hash: Hash256::from_bytes(raw[..32].try_into().ok()?),
            quality: raw[32],
            number: u32::from_le_bytes(raw[33..37].try_into().ok()?),
            timestamp: f64::from_le_bytes(raw[37..45].try_into().ok()?),
        };
        let rising = frames.last().is_none_or(|last| frame.number > last.number);
        let valid = frame.quality <= 100 && frame.timestamp.is_finite() && frame.timestamp >= 0.0;
        if !(rising && valid) {
            return None;
        }
        frames.push(frame);
    }
    Some(frames)
}

fn read_videos(body: &mut BodyReader) -> Result<VideoFrames, FileError> {
    let mut videos = VideoFrames {
        next: body.u64()?,
        ..VideoFrames::default()
    };
    if videos.next != 0 && videos.next < FRAME_BIT {
        return Err(body.corrupt("the next frame id lacks the frame bit"));
    }
    let count = body.count()?;
    if (count as u64).saturating_mul(24) > body.left() {
        return Err(body.corrupt("more videos than the file holds"));
    }
    for _ in 0..count {
        let id = body.u64()?;
        let first = body.u64()?;
        let n = body.u64()?;
        if n as usize > MAX_VIDEO_FRAMES || n.saturating_mul(FRAME_LEN as u64) > body.left() {
            return Err(body.corrupt("a video's frame count is out of range"));
        }
        let bytes = body.bytes(n as usize * FRAME_LEN)?;
        let frames = read_frames(&bytes).ok_or_else(|| body.corrupt("a video frame is invalid"))?;
        let numbers: std::collections::HashSet<u32> = frames.iter().map(|f| f.number).collect();
        let part_count = body.count()?;
        if part_count > model::PARTS_PER_FRAME {
            return Err(body.corrupt("a video has too many parts"));
        }
        let mut parts = Vec::with_capacity(part_count);
        for _ in 0..part_count {
            let len = body.bytes(1)?[0] as usize;
            let label = String::from_utf8(body.bytes(len)?)
                .map_err(|_| body.corrupt("a part's label is not text"))?;
            let n = body.u64()?;
            if n > frames.len() as u64 || n.saturating_mul(FRAME_LEN as u64) > body.left() {
                return Err(body.corrupt("a part's frame count is out of range"));
            }
            let bytes = body.bytes(n as usize * FRAME_LEN)?;
            let part = read_frames(&bytes)
                .filter(|p| p.iter().all(|f| numbers.contains(&f.number)))
                .ok_or_else(|| body.corrupt("a part's frame is invalid"))?;
            parts.push(model::VideoPart {
                label,
                frames: part,
            });
        }
        let hash = VideoHash { frames, parts };
        if !videos.restore(id, first, Arc::new(hash)) {
            return Err(body.corrupt("video frame ids overlap or run past the next id"));
        }
    }
    Ok(videos)
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
    let videos = read_videos(&mut body)?;
    let corrupt = body.corrupt("the hash sets do not match the hash list");
    body.finish()?;
    let matcher = Matcher {
        pdq,
        md5,
        sha256,
        table: RwLock::new(table),
        videos: RwLock::new(videos),
    };
    if !matcher.consistent() {
        return Err(corrupt);
    }
    Ok(matcher)
}
