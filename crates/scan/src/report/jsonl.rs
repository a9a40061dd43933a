//! JSON lines: one object per match (`path`, `hash_id`, `kind`, `role`,
//! `distance`, `query`: the label of the file's hash that matched,
//! `evidence`: `pair` or `corroborated`, `category`; where a video is
//! involved, `frames`: each frame found, `{query: {frame, timestamp},
//! stored: {frame, timestamp}, distance}` with the side that is a video,
//! and for a video matched whole `shares: {query, stored}`), one per
//! skipped file (`path`, `skipped`,
//! `detail`), and with `investigate` one per matched bank hash
//! (`{"investigate": {hash_id, kind, role, category, files, paths}}`).

use std::io::{self, Write};

use serde_json::json;

use super::groups::groups;
use crate::scan::{MatchRecord, ScanOutcome, SkipRecord};

/// A match as a JSON object.
pub fn match_json(m: &MatchRecord) -> serde_json::Value {
    let mut line = json!({
        "path": m.path,
        "hash_id": m.hash_id,
        "kind": m.kind.as_str(),
        "role": m.role.as_str(),
        "distance": m.distance,
        "query": m.label.as_str(),
        "evidence": m.evidence.as_str(),
        "category": m.category.map(|c| c.as_str()),
    });
    if !m.frames.is_empty() {
        line["frames"] = json!(m.frames);
    }
    if let Some(shares) = m.shares {
        line["shares"] = json!(shares);
    }
    line
}

/// A skipped file as a JSON object.
pub fn skip_json(s: &SkipRecord) -> serde_json::Value {
    json!({
        "path": s.path,
        "skipped": s.kind.as_str(),
        "detail": s.detail,
    })
}

/// Writes the outcome as JSON lines: matches, skipped files, then groups.
pub fn write_jsonl(
    out: &mut dyn Write,
    outcome: &ScanOutcome,
    investigate: bool,
) -> io::Result<()> {
    for m in &outcome.matches {
        writeln!(out, "{}", match_json(m))?;
    }
    for s in &outcome.skips {
        writeln!(out, "{}", skip_json(s))?;
    }
    if investigate {
        for g in groups(&outcome.matches) {
            let line = json!({
                "investigate": {
                    "hash_id": g.hash_id,
                    "kind": g.kind.as_str(),
                    "role": g.role.as_str(),
                    "category": g.category.map(|c| c.as_str()),
                    "files": g.paths.len(),
                    "paths": g.paths,
                }
            });
            writeln!(out, "{line}")?;
        }
    }
    out.flush()
}
