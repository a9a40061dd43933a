//! The summary a scan prints on stderr: counts, skips by reason, time,
//! speed and matching's share of the work.

use std::fmt::Write as _;
use std::time::Duration;

use super::groups::groups;
use crate::scan::ScanOutcome;

/// A count with thousands separated: `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds with two decimals.
pub fn seconds(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

/// The summary, several lines, each ending in a newline.
pub fn summary_text(outcome: &ScanOutcome, investigate: bool) -> String {
    let s = &outcome.stats;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scanned {} files in {} s ({:.1} files/s): {} images{} and {} videos hashed, {} archives opened, {} other files passed over",
        count(s.files()),
        seconds(s.elapsed),
        s.files_per_second(),
        count(s.hashed.saturating_sub(s.videos)),
        if s.animations > 0 {
            format!(" ({} animated, matched as videos too)", count(s.animations))
        } else {
            String::new()
        },
        count(s.videos),
        count(s.archives),
        count(s.other),
    );
    let minor = outcome
        .matches
        .iter()
        .filter(|m| m.category.is_some())
        .count();
    let hashes = groups(&outcome.matches);
    let _ = writeln!(
        out,
        "matches: {} files match {} bank hashes ({} matches, {} of a minor case)",
        count(s.matched_files),
        count(hashes.len() as u64),
        count(outcome.matches.len() as u64),
        count(minor as u64),
    );
    let corroborated = outcome
        .matches
        .iter()
        .filter(|m| m.evidence == model::Evidence::Corroborated)
        .count();
    if corroborated > 0 {
        let _ = writeln!(
            out,
            "{} matches are corroborated near misses (two views of a picture both within {} bits), not pairs within their radius",
            count(corroborated as u64),
            model::CORROBORATION_RADIUS
        );
    }
    if s.skipped_total() > 0 {
        let reasons: Vec<String> = s
            .skipped
            .iter()
            .map(|(kind, n)| format!("{kind} {}", count(*n)))
            .collect();
        let _ = writeln!(
            out,
            "skipped {}: {}",
            count(s.skipped_total()),
            reasons.join(", ")
        );
    }
    if s.weak_pdq > 0 {
        let _ = writeln!(
            out,
            "{} images had a PDQ hash too weak to match on (quality under {}); their other hashes were matched",
            count(s.weak_pdq),
            pdq::QUALITY_THRESHOLD
        );
    }
    let _ = writeln!(
        out,
        "matching: {} s of {} s of hashing and matching ({:.2}%)",
        seconds(s.matching),
        seconds(s.hashing + s.matching),
        100.0 * s.matching_share()
    );
    if investigate {
        for g in &hashes {
            let _ = writeln!(
                out,
                "  bank hash {} ({}, {}{}): {} files",
                g.hash_id,
                g.kind,
                g.role.as_str(),
                g.category
                    .map_or(String::new(), |c| format!(", {}", c.as_str())),
                count(g.paths.len() as u64)
            );
        }
    }
    for e in &outcome.errors {
        let _ = writeln!(out, "error: {e}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
    }
}
