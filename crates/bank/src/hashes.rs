//! Hashes as the bank knows them: kinds, roles, labels, categories,
//! statuses, and the checks every submitted hash passes.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

pub use api::{HashStatus, NewHash};
use model::{BankLabel, VideoHash};
pub use model::{Category, Kind, Role};
use pdq::Hash256;

use crate::error::{BankError, Result};

/// Most hashes one case may hold (a video counts as one).
pub const MAX_HASHES_PER_CASE: usize = 500;
/// Most videos (`vpdq` hashes) one case may hold.
pub const MAX_VIDEOS_PER_CASE: usize = 50;
/// Most frame hashes one case may hold over all its videos: at vPDQ's one
/// frame a second, 2 hours 46 minutes of film. A request of the default
/// size (1 MiB) carries about 12,000 frames.
pub const MAX_FRAMES_PER_CASE: usize = 10_000;
/// Most frame hashes one video may hold with its parts (a frame's parts
/// number 10 at most, as a picture's extra hashes).
pub const MAX_HASHES_PER_VIDEO: usize = MAX_FRAMES_PER_CASE * 11;

/// Reads a category as the database stores it (NULL is none).
pub(crate) fn parse_category(word: Option<&str>) -> Result<Option<Category>> {
    Ok(word.map(str::parse::<Category>).transpose()?)
}

/// A hash that passed [`check_new_hashes`]: value in lower-case hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedHash {
    /// Its kind.
    pub kind: Kind,
    /// Lower-case hex.
    pub value: String,
    /// PDQ quality.
    pub quality: Option<i64>,
    /// Its role.
    pub role: Role,
    /// PDQ only: what it is a hash of.
    pub label: Option<BankLabel>,
}

/// The stored text of a label (NULL for MD5 and SHA-256).
pub(crate) fn label_text(label: Option<BankLabel>) -> Option<String> {
    label.map(|l| l.as_str().to_string())
}

/// The label stored as `text` (NULL is none).
pub(crate) fn parse_label(text: Option<&str>) -> Result<Option<BankLabel>> {
    text.map(|t| {
        t.parse::<BankLabel>()
            .map_err(|e| BankError::Internal(e.to_string()))
    })
    .transpose()
}

/// A label as the API gives it: its name.
pub(crate) fn label_name(label: Option<BankLabel>) -> Option<Cow<'static, str>> {
    label.map(|l| Cow::Borrowed(l.as_str()))
}

/// The label names of the extra hashes, for messages: `trim, crop95, ...`.
fn extra_label_names() -> String {
    BankLabel::all()
        .skip(1)
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The label of a submitted hash, checked against its kind and role: none
/// for MD5 and SHA-256 (which are always plain); `pdq` for a plain PDQ hash
/// (the default); for an extra PDQ hash, required and another label.
fn check_label(hash: &NewHash, what: &str) -> Result<Option<BankLabel>> {
    if hash.kind != Kind::Pdq {
        if hash.role == Role::Extra {
            return Err(BankError::invalid(
                "invalid_role",
                format!(
                    "{what}: only pdq hashes can have role extra; a {} hash is always plain",
                    hash.kind
                ),
            ));
        }
        if hash.label.is_some() {
            return Err(BankError::invalid(
                "invalid_label",
                format!("{what}: only pdq hashes have a label"),
            ));
        }
        return Ok(None);
    }
    let label = match hash.label.as_deref() {
        None if hash.role == Role::Plain => BankLabel::Plain,
        None => {
            return Err(BankError::invalid(
                "missing_label",
                format!(
                    "{what}: an extra pdq hash needs its label, the part of the image it is a \
                     hash of (one of {})",
                    extra_label_names()
                ),
            ))
        }
        Some(text) => text.parse::<BankLabel>().map_err(|_| {
            BankError::invalid(
                "invalid_label",
                format!(
                    "{what}: unknown label {text:?}; a pdq hash's label is pdq (the plain hash) \
                     or one of {}",
                    extra_label_names()
                ),
            )
        })?,
    };
    match (hash.role, label) {
        (Role::Plain, BankLabel::Plain) => {}
        (Role::Plain, other) => {
            return Err(BankError::invalid(
                "invalid_label",
                format!(
                    "{what}: a plain pdq hash has label pdq; a hash labelled {other} has role extra"
                ),
            ))
        }
        (Role::Extra, BankLabel::Plain) => {
            return Err(BankError::invalid(
                "invalid_label",
                format!(
                    "{what}: label pdq is the plain hash of the whole image; an extra hash is \
                     labelled with its part (one of {})",
                    extra_label_names()
                ),
            ))
        }
        (Role::Extra, _) => {}
    }
    Ok(Some(label))
}

/// `value` as lower-case hex of a `kind` hash, or a 400 saying what is wrong
/// with it (`what` names it in the message, e.g. "hash 3"). A `vpdq` hash
/// is read with [`check_video`] instead.
pub fn check_hex(kind: Kind, value: &str, what: &str) -> Result<String> {
    let Some(len) = kind.hex_len() else {
        return check_video(value, MAX_FRAMES_PER_CASE, MAX_HASHES_PER_VIDEO, what)
            .map(|v| v.to_text());
    };
    if value.len() != len {
        return Err(BankError::invalid(
            "invalid_hash",
            format!(
                "{what}: a {kind} hash has {len} hex digits, this one has {} characters",
                value.chars().count()
            ),
        ));
    }
    if let Some(pos) = value.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(BankError::invalid(
            "invalid_hash",
            format!(
                "{what}: a {kind} hash has only hex digits (0-9, a-f); character {} is not one",
                pos + 1
            ),
        ));
    }
    Ok(value.to_ascii_lowercase())
}

/// A `vpdq` hash in the reference's text form (a line
/// `frame,quality,hex,timestamp` per frame, frame numbers rising, then
/// hashbank's parts, a line `frame,quality,hex,timestamp,label` each), of 1
/// to `max_frames` frames and `max_hashes` lines in all, or a 400 saying
/// what is wrong with it.
pub fn check_video(
    value: &str,
    max_frames: usize,
    max_hashes: usize,
    what: &str,
) -> Result<VideoHash> {
    // Counted before reading, so a huge list is refused without parsing it.
    let mut lines = 0;
    let mut frames = 0;
    for line in value.lines().filter(|l| !l.trim().is_empty()) {
        lines += 1;
        frames += usize::from(line.bytes().filter(|&b| b == b',').count() < 4);
    }
    if frames > max_frames || lines > max_hashes {
        return Err(BankError::invalid(
            "too_many_frames",
            format!(
                "{what}: a vpdq hash here has at most {max_frames} frames and {max_hashes} \
                 hashes with its parts; this one has {frames} and {lines}"
            ),
        ));
    }
    let video = VideoHash::from_text(value).map_err(|e| {
        BankError::invalid(
            "invalid_hash",
            format!(
                "{what}: not a vpdq hash ({e}); give a line frame,quality,pdq-hex,seconds per                  frame, as `hashbank hash --format vpdq` writes"
            ),
        )
    })?;
    if video.frames.is_empty() {
        return Err(BankError::invalid(
            "invalid_hash",
            format!("{what}: a vpdq hash has at least one frame"),
        ));
    }
    Ok(video)
}

/// A video filed in a case: only its frames that can match, i.e. of
/// quality at least [`pdq::QUALITY_THRESHOLD`] (vPDQ compares no others)
/// and not degenerate ([`check_pdq_value`]: a black or blank frame would
/// match every black frame anywhere); a 400 when none is left.
fn filed_video(value: &str, what: &str) -> Result<VideoHash> {
    let mut video = check_video(value, MAX_FRAMES_PER_CASE, MAX_HASHES_PER_VIDEO, what)?;
    let usable = |f: &model::VideoFrame| {
        f.quality >= pdq::QUALITY_THRESHOLD && check_pdq_hash(&f.hash, what).is_ok()
    };
    video.frames.retain(usable);
    let kept: HashSet<u32> = video.frames.iter().map(|f| f.number).collect();
    for part in &mut video.parts {
        match part.label.parse::<BankLabel>() {
            Ok(label) if label != BankLabel::Plain => {}
            _ => {
                return Err(BankError::invalid(
                    "invalid_label",
                    format!(
                        "{what}: unknown part {:?}; a video's part is labelled as a picture's \
                         extra hash (one of {})",
                        part.label,
                        extra_label_names()
                    ),
                ))
            }
        }
        part.frames
            .retain(|f| kept.contains(&f.number) && usable(f));
    }
    video.parts.retain(|p| !p.frames.is_empty());
    if video.frames.is_empty() {
        return Err(BankError::invalid(
            "no_usable_frames",
            format!(
                "{what}: no frame of this video can be matched: every frame has a PDQ quality \
                 below {} or is blank",
                pdq::QUALITY_THRESHOLD
            ),
        ));
    }
    Ok(video)
}

/// The fewest set bits a stored PDQ hash may have. PDQ sets a bit for each
/// of its 256 coefficients above their median, so a hash of a real image
/// has 128 set bits (all 530 distinct hashes of the PDQ test images in
/// `shared/testdata/pdq/expected` have exactly 128); only ties, as in a
/// blank or nearly blank image, give fewer. A quarter of the bits either
/// way is far outside anything a real image gives.
pub const MIN_PDQ_BITS: u32 = 96;
/// The most set bits a stored PDQ hash may have (see [`MIN_PDQ_BITS`]).
pub const MAX_PDQ_BITS: u32 = 160;

/// The PDQ hashes of pictures with nothing in them: every uniform grey
/// level, and plain gradients (left to right, top to bottom, corner to
/// corner) in each of their eight rotations and mirrors. Computed with the
/// `pdq` crate on first use.
pub fn blank_pdq_hashes() -> &'static [Hash256] {
    static BLANK: OnceLock<Vec<Hash256>> = OnceLock::new();
    BLANK.get_or_init(|| {
        const SIDE: usize = 128;
        let mut out = Vec::new();
        let mut add = |pixels: &[u8]| {
            let image = pdq::Image::new(SIDE, SIDE, pdq::Pixels::Gray(pixels))
                .expect("a square grey image");
            let (plain, turned) = pdq::hash_with_dihedral(&image);
            for hash in std::iter::once(plain.hash).chain(turned.hashes) {
                if !out.contains(&hash) {
                    out.push(hash);
                }
            }
        };
        for level in 0..=255u8 {
            add(&[level; SIDE * SIDE]);
        }
        let gradients: [fn(usize, usize) -> usize; 3] = [|x, _| x * 2, |_, y| y * 2, |x, y| x + y];
        for gradient in gradients {
            let pixels: Vec<u8> = (0..SIDE * SIDE)
                .map(|i| gradient(i % SIDE, i / SIDE).min(255) as u8)
                .collect();
            add(&pixels);
        }
        out
    })
}

/// A 400 when a PDQ hash (`value`, checked hex) cannot be of a real
/// picture: far too few or too many set bits, or within PDQ's match
/// distance of the hash of a blank, uniform or plain gradient picture
/// ([`blank_pdq_hashes`]). Such a hash would match every blank picture a
/// platform holds, whatever quality it claims.
pub fn check_pdq_value(value: &str, what: &str) -> Result<()> {
    let hash = Hash256::from_hex(value)
        .map_err(|e| BankError::invalid("invalid_hash", format!("{what}: {e}")))?;
    check_pdq_hash(&hash, what)
}

/// [`check_pdq_value`] of a hash already read.
pub fn check_pdq_hash(hash: &Hash256, what: &str) -> Result<()> {
    let hash = *hash;
    let ones = hash.count_ones();
    if !(MIN_PDQ_BITS..=MAX_PDQ_BITS).contains(&ones) {
        return Err(BankError::invalid(
            "degenerate_hash",
            format!(
                "{what}: this pdq hash has {ones} of 256 bits set; a hash of a real picture has \
                 about 128 ({MIN_PDQ_BITS} to {MAX_PDQ_BITS} are accepted)"
            ),
        ));
    }
    if blank_pdq_hashes()
        .iter()
        .any(|blank| blank.distance(&hash) <= pdq::MATCH_DISTANCE)
    {
        return Err(BankError::invalid(
            "degenerate_hash",
            format!(
                "{what}: this pdq hash matches a blank, single-colour or plain gradient picture, \
                 not one with something in it"
            ),
        ));
    }
    Ok(())
}

/// Checks hashes submitted for a case: hex of the right length, PDQ quality
/// present and at least [`pdq::QUALITY_THRESHOLD`], no quality on MD5 or
/// SHA-256, no degenerate PDQ hash ([`check_pdq_value`]), role and label
/// that fit the kind and each other, no hash twice (in the request or with
/// `existing`).
pub fn check_new_hashes(
    hashes: &[NewHash],
    existing: &HashSet<(Kind, String)>,
) -> Result<Vec<CheckedHash>> {
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(hashes.len());
    let held_videos: Vec<&String> = existing
        .iter()
        .filter(|(kind, _)| *kind == Kind::Vpdq)
        .map(|(_, value)| value)
        .collect();
    let mut videos = held_videos.len();
    let mut frames: usize = held_videos.iter().map(|v| v.lines().count()).sum();
    for (i, hash) in hashes.iter().enumerate() {
        let what = format!("hash {}", i + 1);
        let value = if hash.kind == Kind::Vpdq {
            let video = filed_video(&hash.value, &what)?;
            videos += 1;
            frames += video.frames.len();
            if videos > MAX_VIDEOS_PER_CASE {
                return Err(BankError::invalid(
                    "too_many_videos",
                    format!("{what}: a case holds at most {MAX_VIDEOS_PER_CASE} videos"),
                ));
            }
            if frames > MAX_FRAMES_PER_CASE {
                return Err(BankError::invalid(
                    "too_many_frames",
                    format!(
                        "{what}: a case holds at most {MAX_FRAMES_PER_CASE} frame hashes over \
                         all its videos; this would make {frames}"
                    ),
                ));
            }
            video.to_text()
        } else {
            check_hex(hash.kind, &hash.value, &what)?
        };
        let quality = match (hash.kind, hash.quality) {
            (Kind::Pdq, None) => {
                return Err(BankError::invalid(
                    "missing_quality",
                    format!("{what}: a pdq hash needs its quality (0 to 100)"),
                ))
            }
            (Kind::Pdq, Some(q)) if q > 100 => {
                return Err(BankError::invalid(
                    "invalid_quality",
                    format!("{what}: PDQ quality runs from 0 to 100, not {q}"),
                ))
            }
            (Kind::Pdq, Some(q)) if q < u32::from(pdq::QUALITY_THRESHOLD) => {
                return Err(BankError::invalid(
                    "quality_too_low",
                    format!(
                        "{what}: PDQ hashes of quality below {} match too unreliably to be useful \
                         (this one has {q}); hash a larger or less uniform copy of the image",
                        pdq::QUALITY_THRESHOLD
                    ),
                ))
            }
            (Kind::Pdq, Some(q)) => Some(i64::from(q)),
            (_, Some(_)) => {
                return Err(BankError::invalid(
                    "invalid_quality",
                    format!("{what}: only pdq hashes have a quality"),
                ))
            }
            (_, None) => None,
        };
        if hash.kind == Kind::Pdq {
            check_pdq_value(&value, &what)?;
        }
        let label = check_label(hash, &what)?;
        let key = (hash.kind, value.clone());
        if existing.contains(&key) {
            return Err(BankError::invalid(
                "duplicate_hash",
                format!("{what}: this {} hash is already in the case", hash.kind),
            ));
        }
        if !seen.insert(key) {
            return Err(BankError::invalid(
                "duplicate_hash",
                format!("{what}: the same {} hash is given twice", hash.kind),
            ));
        }
        checked.push(CheckedHash {
            kind: hash.kind,
            value,
            quality,
            role: hash.role,
            label,
        });
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdq(value: &str, quality: u32) -> NewHash {
        NewHash {
            kind: Kind::Pdq,
            value: value.into(),
            quality: Some(quality),
            role: Role::Plain,
            label: None,
        }
    }

    fn labelled(value: &str, role: Role, label: Option<&str>) -> NewHash {
        NewHash {
            role,
            label: label.map(String::from),
            ..pdq(value, 80)
        }
    }

    #[test]
    fn good_hashes_are_lower_cased() {
        let checked = check_new_hashes(&[pdq(&"AB".repeat(32), 80)], &HashSet::new()).unwrap();
        assert_eq!(checked[0].value, "ab".repeat(32));
        assert_eq!(checked[0].quality, Some(80));
        assert_eq!(checked[0].label, Some(BankLabel::Plain));
    }

    #[test]
    fn labels_fit_kind_and_role() {
        let none = HashSet::new();
        let value = "a".repeat(64);
        let ok = |h: NewHash| check_new_hashes(&[h], &none).map(|c| c[0].label);
        assert_eq!(
            ok(labelled(&value, Role::Plain, Some("pdq"))).unwrap(),
            Some(BankLabel::Plain)
        );
        let crop90 = ok(labelled(&value, Role::Extra, Some("crop90"))).unwrap();
        assert_eq!(crop90.map(|l| l.as_str()), Some("crop90"));
        let err = |h: NewHash| {
            let e = check_new_hashes(&[h], &none).unwrap_err();
            match &e {
                BankError::Invalid { code, .. } => (*code, e.to_string()),
                other => panic!("{other:?}"),
            }
        };
        let (code, text) = err(labelled(&value, Role::Extra, Some("crop99")));
        assert_eq!(code, "invalid_label");
        assert!(text.contains("unknown label \"crop99\"") && text.contains("crop90"));
        let (code, _) = err(labelled(&value, Role::Extra, None));
        assert_eq!(code, "missing_label");
        let (code, text) = err(labelled(&value, Role::Plain, Some("trim")));
        assert_eq!(code, "invalid_label");
        assert!(text.contains("role extra"), "{text}");
        let (code, _) = err(labelled(&value, Role::Extra, Some("pdq")));
        assert_eq!(code, "invalid_label");
        let md5 = |role, label: Option<&str>| NewHash {
            kind: Kind::Md5,
            value: "0".repeat(32),
            quality: None,
            role,
            label: label.map(String::from),
        };
        assert_eq!(ok(md5(Role::Plain, None)).unwrap(), None);
        assert_eq!(err(md5(Role::Extra, None)).0, "invalid_role");
        assert_eq!(err(md5(Role::Plain, Some("pdq"))).0, "invalid_label");
    }

    /// Every distinct PDQ hash of the reference test images.
    fn real_pdq_hashes() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/testdata/pdq/expected");
        let mut out = Vec::new();
        for name in ["cpp-reference-pdq.csv", "cpp-reference-pdqdih-across.csv"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            for field in text.split([',', '\n']) {
                if field.len() == 64 && field.bytes().all(|b| b.is_ascii_hexdigit()) {
                    out.push(field.to_ascii_lowercase());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn real_pdq_hashes_pass_and_blank_ones_do_not() {
        let real = real_pdq_hashes();
        assert!(real.len() > 100, "{}", real.len());
        for value in &real {
            check_pdq_value(value, "hash").unwrap_or_else(|e| panic!("{value}: {e}"));
        }
        // Blank, uniform and gradient pictures, hashed here with the pdq
        // crate rather than written down.
        let blank = blank_pdq_hashes();
        assert!(blank.len() >= 2, "{}", blank.len());
        let code = |value: &str| match check_pdq_value(value, "hash") {
            Err(BankError::Invalid { code, .. }) => code,
            other => panic!("{value}: {other:?}"),
        };
        for hash in blank {
            assert_eq!(code(&hash.to_hex()), "degenerate_hash", "{hash}");
        }
        let grey = pdq::Image::new(80, 60, pdq::Pixels::Gray(&[200; 80 * 60])).unwrap();
        let grey = pdq::hash(&grey).hash;
        assert_eq!(code(&grey.to_hex()), "degenerate_hash");
        // A hash a few bits from a blank picture's is no better.
        let mut near = blank[blank.len() - 1];
        for bit in [3, 77, 200] {
            let mut bytes = near.to_bytes();
            bytes[bit / 8] ^= 1 << (bit % 8);
            near = Hash256::from_bytes(&bytes);
        }
        assert_eq!(code(&near.to_hex()), "degenerate_hash");
        assert_eq!(code(&"0".repeat(64)), "degenerate_hash");
        assert_eq!(code(&"f".repeat(64)), "degenerate_hash");
        assert_eq!(
            code(&format!("{}{}", "f".repeat(10), "0".repeat(54))),
            "degenerate_hash"
        );
        // Through the filing check, whatever quality is claimed.
        let err = check_new_hashes(&[pdq(&"0".repeat(64), 100)], &HashSet::new()).unwrap_err();
        assert!(err.to_string().contains("0 of 256 bits"), "{err}");
    }

    #[test]
    fn bad_hashes_say_why() {
        let none = HashSet::new();
        let err = |h: &[NewHash]| check_new_hashes(h, &none).unwrap_err().to_string();
        assert!(err(&[pdq("abc", 80)]).contains("64 hex digits"));
        assert!(err(&[pdq(&"g".repeat(64), 80)]).contains("character 1"));
        assert!(err(&[pdq(&"a".repeat(64), 49)]).contains("quality below 50"));
        assert!(err(&[pdq(&"a".repeat(64), 101)]).contains("0 to 100"));
        let twice = [pdq(&"a".repeat(64), 80), pdq(&"A".repeat(64), 90)];
        assert!(err(&twice).contains("twice"));
        let md5 = NewHash {
            kind: Kind::Md5,
            value: "0".repeat(32),
            quality: Some(60),
            role: Role::Plain,
            label: None,
        };
        assert!(err(&[md5]).contains("only pdq"));
    }
}
