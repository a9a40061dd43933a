//! Picture matching applied to video frames, for `bench/video/robustness`:
//! a design measured, not yet how videos are matched. Each frame of each
//! original (a folder of its frames, one a second) is stored as a picture
//! is (`media::robust::bank_hashes`: the plain hash and the extra hashes of
//! its parts), each frame of each copy is looked up as a scanned picture is
//! (`media::robust::query_hashes` and `decide`), and the share of the
//! copy's frames found in its original (by any of the original's hashes,
//! and by the best single kind of hash) is written per copy as a JSON line,
//! with the frames found in another original.
//!
//! ```text
//! cargo run --release -p hashbank-scan --example video_frames -- FRAMES
//! ```
//!
//! `FRAMES` holds `original-N/` and `copy-N-KIND/` folders of images.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hashbank_scan::{decide, HashMeta, HashValue, Kind, LocalBank, MatchSource, Query};
use matcher::Change;
use serde_json::json;

fn images(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
}

fn decode(path: &Path) -> (media::Decoded, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let image = media::decode(&bytes, &media::Limits::default(), media::Pipeline::Canonical)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (image, bytes)
}

/// The id of a stored hash: its original, frame and kind of hash.
fn id(original: u64, frame: usize, label: usize) -> u64 {
    (original << 32) | ((frame as u64) << 8) | label as u64
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("usage: video_frames FRAMES"));
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut bank = LocalBank::new("frames");
    let mut changes = Vec::new();
    for name in names.iter().filter(|n| n.starts_with("original-")) {
        let original: u64 = name["original-".len()..].parse().unwrap();
        for (frame, path) in images(&root.join(name)).iter().enumerate() {
            let (image, _) = decode(path);
            for (label, h) in media::robust::bank_hashes(&image).iter().enumerate() {
                if h.quality < pdq::QUALITY_THRESHOLD {
                    continue;
                }
                changes.push(Change::Add {
                    id: id(original, frame, label),
                    value: HashValue::Pdq(h.hash),
                    meta: HashMeta {
                        kind: Kind::Pdq,
                        role: h.label.role(),
                        category: None,
                        quality: Some(h.quality),
                        label: Some(h.label),
                    },
                });
            }
        }
    }
    bank.apply(&changes, 1);
    for name in names.iter().filter(|n| n.starts_with("copy-")) {
        let rest = &name["copy-".len()..];
        let (original, kind) = rest.split_once('-').unwrap();
        let original: u64 = original.parse().unwrap();
        let (mut frames, mut found, mut elsewhere) = (0usize, 0usize, 0usize);
        let mut by_label = [0usize; 256];
        for path in images(&root.join(name)) {
            let (image, bytes) = decode(&path);
            let query = Query::of(&image, &bytes);
            if query.weak_pdq {
                continue;
            }
            frames += 1;
            let candidates = bank.candidates(&[&query], model::SEARCH_RADIUS).unwrap();
            let matches = decide(&query, &candidates[0]);
            let originals: BTreeSet<u64> = matches.iter().map(|m| m.hash_id >> 32).collect();
            found += usize::from(originals.contains(&original));
            elsewhere += usize::from(originals.iter().any(|&o| o != original));
            let labels: BTreeSet<u64> = matches
                .iter()
                .filter(|m| m.hash_id >> 32 == original)
                .map(|m| m.hash_id & 0xff)
                .collect();
            for label in labels {
                by_label[label as usize] += 1;
            }
        }
        let share = |n: usize| n as f64 / frames.max(1) as f64;
        println!(
            "{}",
            json!({
                "copy": name,
                "original": original,
                "kind": kind,
                "frames": frames,
                "share_any": share(found),
                "share_best_label": share(*by_label.iter().max().unwrap()),
                "frames_in_another": elsewhere,
            })
        );
    }
}
