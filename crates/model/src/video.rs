//! Video hashes as vPDQ defines them, and when two videos match.
//!
//! A video's hash is the PDQ hash of some of its frames (by default one a
//! second), each with its quality, frame number and timestamp. Two videos
//! are compared frame set against frame set: frames under
//! [`VIDEO_QUALITY_THRESHOLD`] are dropped, identical hashes kept once, and
//! each side's share of frames that have a frame of the other side within
//! [`VIDEO_FRAME_RADIUS`] is counted ([`compare`]). A 10-second clip cut
//! from a banked film has nearly all of its frames in the film, but the
//! film has few of its frames in the clip, so the default decision asks for
//! [`VIDEO_QUERY_SHARE`] of the query's frames and nothing of the stored
//! video's ([`VideoRule`]).
//!
//! Two written forms are read and written: the reference's text, a line
//! `frame,quality,hex,timestamp` per frame (`vpdq-hash-video` and the
//! sample hashes), and python-threatexchange's signal string, a JSON list of
//! `"hex,quality,timestamp"` strings (the `vpdq` signal type HMA exchanges).
//!
//! hashbank adds **parts** to a video hash: for each kept frame, PDQ hashes
//! of parts or views of it, each labelled as a picture's are (a stored
//! video's parts with [`crate::BankLabel`] names, `crop90`, `trim`, ...; a
//! query's views with [`crate::QueryLabel`] names, `flipx`, `screen`, ...).
//! In the text form a part's frame is a line with a fifth field, its label,
//! after the plain frames: `frame,quality,hex,timestamp,label`. The plain
//! frames alone are the reference's vPDQ hash.

use std::collections::HashSet;
use std::fmt::Write as _;

use pdq::Hash256;

/// Frames of lower quality are left out of comparisons
/// (`VPDQ_QUALITY_THRESHOLD` in python-threatexchange, PDQ's own threshold).
pub const VIDEO_QUALITY_THRESHOLD: u8 = pdq::QUALITY_THRESHOLD;

/// Two frames at most this far apart are the same picture
/// (`VPDQ_DISTANCE_THRESHOLD`, PDQ's match distance).
pub const VIDEO_FRAME_RADIUS: u32 = pdq::MATCH_DISTANCE;

/// The default share of the query's frames that must be found in a stored
/// video (`VPDQ_QUERY_MATCH_THRESHOLD_PERCENT`, 80%).
pub const VIDEO_QUERY_SHARE: f64 = 0.8;

/// The default share of the stored video's frames that must be found in
/// the query (`VPDQ_INDEX_MATCH_THRESHOLD_PERCENT`, 0%): none, so that a
/// short clip of a long video matches it.
pub const VIDEO_STORED_SHARE: f64 = 0.0;

/// The most frames one video hash may hold. At one frame a second this is
/// over 13 hours; at every frame of a 30 frames/s film, over 27 minutes.
pub const MAX_VIDEO_FRAMES: usize = 50_000;

/// The most part hashes per plain frame a video hash may hold (a picture's
/// views number 16 at most).
pub const PARTS_PER_FRAME: usize = 16;

/// The hash of one frame of a video.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoFrame {
    /// PDQ hash of the frame.
    pub hash: Hash256,
    /// PDQ quality of the frame, 0..=100.
    pub quality: u8,
    /// The frame's number in decoding order, from 0.
    pub number: u32,
    /// Seconds from the start: frame number over frame rate, as the
    /// reference computes it.
    pub timestamp: f64,
}

/// The vPDQ hash of a video: its hashed frames, in frame order, and
/// hashbank's parts of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VideoHash {
    /// The frames: the reference's vPDQ hash.
    pub frames: Vec<VideoFrame>,
    /// Hashes of parts or views of the frames, by label, labels in order,
    /// each part's frames in frame order and among the plain frames'
    /// numbers.
    pub parts: Vec<VideoPart>,
}

/// The hashes of one part or view of a video's frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VideoPart {
    /// What part or view: a `BankLabel` name for a stored video, a
    /// `QueryLabel` name for a query (never `pdq`, the plain frames).
    pub label: String,
    /// Its hashes, one per frame at most, in frame order.
    pub frames: Vec<VideoFrame>,
}

/// Why a written video hash can't be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoHashError {
    /// A line or entry is not in the form.
    #[error("frame {index}: {problem}")]
    Frame {
        /// The line or entry, from 1.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// Frame numbers must rise.
    #[error("frame {index}: frame number {number} does not follow {previous}")]
    Order {
        /// The line or entry, from 1.
        index: usize,
        /// Its frame number.
        number: u32,
        /// The previous frame number.
        previous: u32,
    },
    /// A part's frame whose number is not one of the plain frames', or a
    /// label that is not a word.
    #[error("frame {index}: {problem}")]
    Part {
        /// The line, from 1.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// More frames than [`MAX_VIDEO_FRAMES`].
    #[error("the video hash has more than {limit} frames")]
    TooManyFrames {
        /// The limit.
        limit: usize,
    },
    /// The JSON form is not a list of strings.
    #[error("not a vPDQ signal: {0}")]
    Json(String),
}

impl VideoHash {
    /// The reference's text form: a line `frame,quality,hex,timestamp` per
    /// frame, the timestamp with 3 decimals; then a line
    /// `frame,quality,hex,timestamp,label` per part's frame, by label.
    pub fn to_text(&self) -> String {
        let lines = self.frames.len() + self.parts.iter().map(|p| p.frames.len()).sum::<usize>();
        let mut out = String::with_capacity(lines * 80);
        for f in &self.frames {
            let _ = writeln!(
                out,
                "{},{},{},{:.3}",
                f.number, f.quality, f.hash, f.timestamp
            );
        }
        for part in &self.parts {
            for f in &part.frames {
                let _ = writeln!(
                    out,
                    "{},{},{},{:.3},{}",
                    f.number, f.quality, f.hash, f.timestamp, part.label
                );
            }
        }
        out
    }

    /// The plain frames alone: the reference's vPDQ hash.
    pub fn plain(&self) -> VideoHash {
        VideoHash {
            frames: self.frames.clone(),
            parts: Vec::new(),
        }
    }

    /// Frame hashes in all, plain and parts.
    pub fn hash_count(&self) -> usize {
        self.frames.len() + self.parts.iter().map(|p| p.frames.len()).sum::<usize>()
    }

    /// Reads the reference's text form, and the parts' lines after the
    /// plain frames. Blank lines and lines starting with `#` are skipped; a
    /// line without a timestamp (the older sample hashes) gets 0.
    pub fn from_text(text: &str) -> Result<VideoHash, VideoHashError> {
        let mut frames = Vec::new();
        let mut parts: Vec<VideoPart> = Vec::new();
        let mut numbers: HashSet<u32> = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let index = i + 1;
            let bad = |problem: &str| VideoHashError::Frame {
                index,
                problem: problem.to_owned(),
            };
            let fields: Vec<&str> = line.split(',').collect();
            if !(3..=5).contains(&fields.len()) {
                return Err(bad("expected frame,quality,hex,timestamp"));
            }
            let number = fields[0]
                .trim()
                .parse::<u32>()
                .map_err(|_| bad("the frame number is not a whole number"))?;
            let frame = read_frame(index, number, fields[2], fields[1], fields.get(3).copied())?;
            let Some(label) = fields.get(4).map(|l| l.trim()) else {
                if !parts.is_empty() {
                    return Err(bad("a plain frame after the parts' frames"));
                }
                push(&mut frames, index, frame)?;
                numbers.insert(number);
                continue;
            };
            let part_bad = |problem: &str| VideoHashError::Part {
                index,
                problem: problem.to_owned(),
            };
            if label.is_empty()
                || label == "pdq"
                || !label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                return Err(part_bad("a part's label is a word of a-z and 0-9, not pdq"));
            }
            if !numbers.contains(&number) {
                return Err(part_bad(
                    "a part's frame number is not one of the plain frames'",
                ));
            }
            if frames.len() + parts.iter().map(|p| p.frames.len()).sum::<usize>()
                >= MAX_VIDEO_FRAMES * PARTS_PER_FRAME
            {
                return Err(VideoHashError::TooManyFrames {
                    limit: MAX_VIDEO_FRAMES,
                });
            }
            match parts.last_mut() {
                Some(part) if part.label == label => {
                    if part.frames.last().is_some_and(|l| l.number >= number) {
                        return Err(part_bad("a part's frame numbers must rise"));
                    }
                    part.frames.push(frame);
                }
                _ => {
                    if parts.iter().any(|p| p.label == label) {
                        return Err(part_bad("a part's lines come together"));
                    }
                    parts.push(VideoPart {
                        label: label.to_owned(),
                        frames: vec![frame],
                    });
                }
            }
        }
        Ok(VideoHash { frames, parts })
    }

    /// python-threatexchange's signal string: a JSON list of
    /// `"hex,quality,timestamp"`. It has no frame numbers.
    pub fn to_signal(&self) -> String {
        let mut out = String::with_capacity(self.frames.len() * 80 + 2);
        out.push('[');
        for (i, f) in self.frames.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "\"{},{},{:.3}\"", f.hash, f.quality, f.timestamp);
        }
        out.push(']');
        out
    }

    /// Reads python-threatexchange's signal string. Its entries have no
    /// frame numbers: they are numbered in order from 0.
    pub fn from_signal(text: &str) -> Result<VideoHash, VideoHashError> {
        let entries = json_strings(text)?;
        let mut frames = Vec::with_capacity(entries.len().min(MAX_VIDEO_FRAMES));
        for (i, entry) in entries.iter().enumerate() {
            let index = i + 1;
            let bad = |problem: &str| VideoHashError::Frame {
                index,
                problem: problem.to_owned(),
            };
            let fields: Vec<&str> = entry.split(',').collect();
            if fields.len() != 3 {
                return Err(bad("expected \"hex,quality,timestamp\""));
            }
            let number = u32::try_from(i).map_err(|_| VideoHashError::TooManyFrames {
                limit: MAX_VIDEO_FRAMES,
            })?;
            let frame = read_frame(index, number, fields[0], fields[1], Some(fields[2]))?;
            push(&mut frames, index, frame)?;
        }
        Ok(VideoHash {
            frames,
            parts: Vec::new(),
        })
    }

    /// The frame hashes a comparison uses: quality at least
    /// `min_quality`, each distinct hash once, in frame order (the first
    /// frame with a hash stands for the others).
    pub fn comparable(&self, min_quality: u8) -> Vec<&VideoFrame> {
        let mut seen = HashSet::with_capacity(self.frames.len());
        self.frames
            .iter()
            .filter(|f| f.quality >= min_quality && seen.insert(f.hash))
            .collect()
    }
}

fn push(
    frames: &mut Vec<VideoFrame>,
    index: usize,
    frame: VideoFrame,
) -> Result<(), VideoHashError> {
    if frames.len() >= MAX_VIDEO_FRAMES {
        return Err(VideoHashError::TooManyFrames {
            limit: MAX_VIDEO_FRAMES,
        });
    }
    if let Some(last) = frames.last() {
        if frame.number <= last.number {
            return Err(VideoHashError::Order {
                index,
                number: frame.number,
                previous: last.number,
            });
        }
    }
    frames.push(frame);
    Ok(())
}

/// One frame from its written fields; `index` is its line or entry.
fn read_frame(
    index: usize,
    number: u32,
    hash: &str,
    quality: &str,
    timestamp: Option<&str>,
) -> Result<VideoFrame, VideoHashError> {
    let bad = |problem: &str| VideoHashError::Frame {
        index,
        problem: problem.to_owned(),
    };
    Ok(VideoFrame {
        hash: hash
            .trim()
            .parse()
            .map_err(|_| bad("the hash is not 64 hex digits"))?,
        quality: parse_quality(quality).ok_or_else(|| bad("quality is not 0..=100"))?,
        number,
        timestamp: match timestamp {
            Some(t) => parse_timestamp(t).ok_or_else(|| bad("the timestamp is not seconds"))?,
            None => 0.0,
        },
    })
}

fn parse_quality(text: &str) -> Option<u8> {
    text.trim().parse::<u8>().ok().filter(|q| *q <= 100)
}

fn parse_timestamp(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|t| t.is_finite() && *t >= 0.0)
}

/// The strings of a JSON list of strings, with the escapes JSON allows.
/// Written out here so this crate needs no JSON library for one shape.
fn json_strings(text: &str) -> Result<Vec<String>, VideoHashError> {
    let bad = |what: &str| VideoHashError::Json(what.to_owned());
    let mut chars = text.trim().chars().peekable();
    if chars.next() != Some('[') {
        return Err(bad("it does not start with ["));
    }
    let mut out = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            Some(']') if out.is_empty() => break,
            Some('"') => {}
            _ => return Err(bad("expected a string")),
        }
        if out.len() >= MAX_VIDEO_FRAMES {
            return Err(VideoHashError::TooManyFrames {
                limit: MAX_VIDEO_FRAMES,
            });
        }
        let mut s = String::new();
        loop {
            match chars.next() {
                None => return Err(bad("a string is not closed")),
                Some('"') => break,
                Some('\\') => match chars.next() {
                    Some('"') => s.push('"'),
                    Some('\\') => s.push('\\'),
                    Some('/') => s.push('/'),
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some('r') => s.push('\r'),
                    Some('b') => s.push('\u{8}'),
                    Some('f') => s.push('\u{c}'),
                    Some('u') => {
                        let code: String = chars.by_ref().take(4).collect();
                        let c = u32::from_str_radix(&code, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| bad("a \\u escape is not a character"))?;
                        s.push(c);
                    }
                    _ => return Err(bad("an unknown escape")),
                },
                Some(c) => s.push(c),
            }
        }
        out.push(s);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            Some(',') => continue,
            Some(']') => break,
            _ => return Err(bad("expected , or ]")),
        }
    }
    if chars.any(|c| !c.is_whitespace()) {
        return Err(bad("text after the list"));
    }
    Ok(out)
}

/// How much of two videos' frames were found in each other.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoShares {
    /// The share of the query's comparable frames within the radius of
    /// some frame of the stored video, 0..=1.
    pub query: f64,
    /// The share of the stored video's comparable frames within the radius
    /// of some frame of the query, 0..=1.
    pub stored: f64,
}

/// When two videos match: how close frames must be, which frames count,
/// and the shares each side must reach.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoRule {
    /// Frames at most this far apart are the same picture.
    pub radius: u32,
    /// Frames under this quality are left out.
    pub min_quality: u8,
    /// The query's share that must be reached.
    pub query_share: f64,
    /// The stored video's share that must be reached.
    pub stored_share: f64,
}

impl Default for VideoRule {
    fn default() -> VideoRule {
        VideoRule {
            radius: VIDEO_FRAME_RADIUS,
            min_quality: VIDEO_QUALITY_THRESHOLD,
            query_share: VIDEO_QUERY_SHARE,
            stored_share: VIDEO_STORED_SHARE,
        }
    }
}

impl VideoRule {
    /// Whether shares make a match. Videos with no comparable frames never
    /// match: their shares are 0, and a share of 0 is not enough even
    /// when 0 is asked for.
    pub fn is_match(&self, shares: VideoShares) -> bool {
        shares.query > 0.0
            && shares.stored > 0.0
            && shares.query >= self.query_share
            && shares.stored >= self.stored_share
    }
}

/// Compares two videos by brute force, as the reference matcher does
/// (python-threatexchange's `match_VPDQ_hash_brute`): every comparable
/// frame of one side against every one of the other. The bank's matcher
/// finds the same shares through its index.
pub fn compare(query: &VideoHash, stored: &VideoHash, rule: &VideoRule) -> VideoShares {
    let q = query.comparable(rule.min_quality);
    let s = stored.comparable(rule.min_quality);
    if q.is_empty() || s.is_empty() {
        return VideoShares {
            query: 0.0,
            stored: 0.0,
        };
    }
    let found_in = |from: &[&VideoFrame], other: &[&VideoFrame]| {
        from.iter()
            .filter(|f| {
                other
                    .iter()
                    .any(|o| f.hash.distance(&o.hash) <= rule.radius)
            })
            .count()
    };
    VideoShares {
        query: found_in(&q, &s) as f64 / q.len() as f64,
        stored: found_in(&s, &q) as f64 / s.len() as f64,
    }
}

/// The moments of `stored` (seconds from its start, in frame order) that a
/// copy shows: the stored video's comparable frames with one of `copy`'s
/// frame hashes within the rule's radius. What the copy itself shows
/// elsewhere is not told.
pub fn moments_found(stored: &VideoHash, copy: &[Hash256], rule: &VideoRule) -> Vec<f64> {
    stored
        .comparable(rule.min_quality)
        .into_iter()
        .filter(|f| copy.iter().any(|c| f.hash.distance(c) <= rule.radius))
        .map(|f| f.timestamp)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moments_found_are_the_stored_frames_near_a_copy_frame() {
        let a = hash_with_bits(&[1, 2, 3]);
        let b = hash_with_bits(&(100..200).collect::<Vec<_>>());
        let stored = VideoHash {
            frames: vec![frame(0, a, 90), frame(30, b, 90), frame(60, a, 10)],
            parts: Vec::new(),
        };
        let near_a = hash_with_bits(&[1, 2, 3, 4, 5]);
        let rule = VideoRule::default();
        assert_eq!(
            moments_found(&stored, &[near_a], &rule),
            [0.0],
            "not the low-quality frame"
        );
        assert_eq!(moments_found(&stored, &[b, near_a], &rule), [0.0, 1.0]);
        assert!(moments_found(&stored, &[], &rule).is_empty());
    }

    fn frame(number: u32, hash: Hash256, quality: u8) -> VideoFrame {
        VideoFrame {
            hash,
            quality,
            number,
            timestamp: f64::from(number) / 30.0,
        }
    }

    fn hash_with_bits(bits: &[usize]) -> Hash256 {
        let mut h = Hash256::ZERO;
        for &b in bits {
            h.set_bit(b);
        }
        h
    }

    #[test]
    fn parts_ride_in_the_text_form_after_the_plain_frames() {
        let h = hash_with_bits(&[3, 9]);
        let text = format!(
            "0,100,{h},0.000\n30,90,{h},1.000\n0,80,{h},0.000,crop90\n30,70,{h},1.000,crop90\n\
             30,60,{h},1.000,top80\n"
        );
        let video = VideoHash::from_text(&text).unwrap();
        assert_eq!(video.frames.len(), 2);
        assert_eq!(video.parts.len(), 2);
        assert_eq!(video.parts[0].label, "crop90");
        assert_eq!(video.parts[0].frames[1].quality, 70);
        assert_eq!(video.parts[1].frames[0].number, 30);
        assert_eq!(video.hash_count(), 5);
        assert_eq!(video.to_text(), text);
        assert_eq!(video.plain().parts, vec![]);
        assert_eq!(video.plain().frames, video.frames);
        // Refused: a part of a frame that is not there, a plain frame after
        // the parts, a part split in two, falling numbers, odd labels.
        for bad in [
            format!("0,100,{h},0\n15,90,{h},0.5,crop90"),
            format!("0,100,{h},0\n0,90,{h},0,crop90\n30,90,{h},1"),
            format!("0,100,{h},0\n30,90,{h},1\n0,9,{h},0,a\n0,9,{h},0,b\n30,9,{h},1,a"),
            format!("0,100,{h},0\n30,90,{h},1\n30,9,{h},1,a\n0,9,{h},0,a"),
            format!("0,100,{h},0\n0,90,{h},0,pdq"),
            format!("0,100,{h},0\n0,90,{h},0,Crop"),
            format!("0,100,{h},0\n0,90,{h},0,"),
        ] {
            assert!(VideoHash::from_text(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_text_form_reads_back() {
        let video = VideoHash {
            frames: vec![
                frame(0, hash_with_bits(&[1, 200]), 100),
                frame(30, hash_with_bits(&[7]), 49),
            ],
            parts: Vec::new(),
        };
        let text = video.to_text();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            format!("30,49,{},1.000", hash_with_bits(&[7]))
        );
        assert_eq!(VideoHash::from_text(&text).unwrap(), video);
        let signal = video.to_signal();
        assert!(signal.starts_with(&format!("[\"{},100,0.000\", ", video.frames[0].hash)));
        let back = VideoHash::from_signal(&signal).unwrap();
        assert_eq!(back.frames.len(), 2);
        assert_eq!(back.frames[1].number, 1, "the signal has no frame numbers");
        assert_eq!(back.frames[1].hash, video.frames[1].hash);
        assert_eq!(back.frames[1].timestamp, 1.0);
    }

    #[test]
    fn bad_forms_are_refused_with_where() {
        let h = Hash256::ZERO;
        let err = VideoHash::from_text(&format!("0,100,{h},0\n0,100,{h},0")).unwrap_err();
        assert!(
            matches!(err, VideoHashError::Order { index: 2, .. }),
            "{err}"
        );
        let err = VideoHash::from_text(&format!("0,101,{h},0")).unwrap_err();
        assert_eq!(err.to_string(), "frame 1: quality is not 0..=100");
        assert!(VideoHash::from_text("0,100,abc,0").is_err());
        assert!(VideoHash::from_text(&format!("0,100,{h},-1")).is_err());
        assert!(VideoHash::from_text(&format!("0,100,{h},NaN")).is_err());
        assert!(VideoHash::from_signal("{}").is_err());
        assert!(VideoHash::from_signal("[\"x\"").is_err());
        assert!(VideoHash::from_signal(&format!("[\"{h},100,0\"] x")).is_err());
        assert!(VideoHash::from_signal(&format!("[\"{h},100\"]")).is_err());
        assert_eq!(VideoHash::from_signal(" [ ] ").unwrap().frames.len(), 0);
        let escaped = format!("[\"{}\\u0030,1,0\"]", &h.to_hex()[..63]);
        assert_eq!(VideoHash::from_signal(&escaped).unwrap().frames[0].hash, h);
        let many = format!(
            "[{}]",
            vec![format!("\"{h},100,0\""); MAX_VIDEO_FRAMES + 1].join(",")
        );
        assert_eq!(
            VideoHash::from_signal(&many).unwrap_err(),
            VideoHashError::TooManyFrames {
                limit: MAX_VIDEO_FRAMES
            }
        );
    }

    #[test]
    fn shares_count_frames_within_the_radius_after_quality_and_duplicates() {
        let a = hash_with_bits(&[]);
        let b = hash_with_bits(&(0..100).collect::<Vec<_>>());
        let c = hash_with_bits(&(100..200).collect::<Vec<_>>());
        let near_a = hash_with_bits(&(0..31).collect::<Vec<_>>());
        let far_a = hash_with_bits(&(0..32).collect::<Vec<_>>());
        let beyond_a = hash_with_bits(&(0..32).chain([250]).collect::<Vec<_>>());
        // The stored video: a, b, c, with a repeated (counted once) and a
        // low-quality frame near the query's second frame (left out).
        let stored = VideoHash {
            frames: vec![
                frame(0, a, 100),
                frame(1, a, 100),
                frame(2, b, 90),
                frame(3, c, 90),
                frame(4, far_a, 10),
            ],
            parts: Vec::new(),
        };
        let query = VideoHash {
            frames: vec![frame(0, near_a, 80), frame(1, beyond_a, 80)],
            parts: Vec::new(),
        };
        let shares = compare(&query, &stored, &VideoRule::default());
        assert_eq!(
            shares.query, 0.5,
            "near_a is 31 bits from a; beyond_a 33 from a, 1 from the low-quality far_a"
        );
        assert_eq!(shares.stored, 1.0 / 3.0);
        let rule = VideoRule::default();
        assert!(!rule.is_match(shares));
        assert!(VideoRule {
            query_share: 0.5,
            ..rule
        }
        .is_match(shares));
        let empty = VideoHash::default();
        let none = compare(&empty, &stored, &rule);
        assert_eq!((none.query, none.stored), (0.0, 0.0));
        assert!(!VideoRule {
            query_share: 0.0,
            ..rule
        }
        .is_match(none));
    }
}
