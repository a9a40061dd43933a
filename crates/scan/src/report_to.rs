//! `--report-to`: each match sent to the bank as the platform's report, so
//! the case's owner sees that it was found.

use crate::scan::MatchRecord;
use client::BankClient;

/// Most failures kept word for word; the rest are only counted.
const KEPT_ERRORS: usize = 10;

/// What sending the reports did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reported {
    /// Reports the bank accepted, or had from an earlier scan.
    pub sent: u64,
    /// Of those, reports it had from an earlier scan of the same content.
    pub earlier: u64,
    /// Each match's report: its path, its hash id and the report's id.
    pub reports: Vec<(String, u64, i64)>,
    /// Reports that failed.
    pub failed: u64,
    /// The first failures, in words.
    pub errors: Vec<String>,
}

/// Reports every match through `client`, with the file's own hash of the
/// deciding pair (the bank checks the distance itself); `content_ref` is
/// `prefix` followed by the file's path in the scanned set. The bank
/// accepts a report only of a hash this platform was given, by the feed
/// (`sync`) or the match API. A match reported by an earlier scan keeps its
/// report (and its outcome).
pub fn report_matches(client: &BankClient, matches: &[MatchRecord], prefix: &str) -> Reported {
    let mut out = Reported::default();
    for m in matches {
        let content_ref = format!("{prefix}{}", m.path);
        let label = match m.label {
            crate::query::Label::Pdq(l) => Some(l.as_str()),
            _ => None,
        };
        match client.report_or_earlier(m.hash_id, &reported_value(m), label, &content_ref) {
            Ok((id, new)) => {
                tracing::debug!(report = id, hash_id = m.hash_id, new, "reported");
                out.sent += 1;
                out.earlier += u64::from(!new);
                out.reports.push((m.path.clone(), m.hash_id, id));
            }
            Err(e) => {
                out.failed += 1;
                if out.errors.len() < KEPT_ERRORS {
                    out.errors
                        .push(format!("report of {} (hash {}): {e}", m.path, m.hash_id));
                }
            }
        }
    }
    out
}

/// The file's hash sent with a report: the deciding hash, or for a video
/// matched whole, the PDQ hash of its frame nearest to the stored video
/// (the bank takes a frame for a video; the whole hash may be long).
fn reported_value(m: &MatchRecord) -> String {
    let nearest = m
        .frames
        .iter()
        .min_by_key(|f| f.distance)
        .and_then(|f| f.query);
    if let (crate::hashes::HashValue::Vpdq(video), Some(at)) = (&m.value, nearest) {
        if let Some(frame) = video.frames.iter().find(|f| f.number == at.frame) {
            return frame.hash.to_hex();
        }
    }
    m.value.to_text()
}

/// What filing finds did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filed {
    /// Finds the bank recorded: one per matched bank hash.
    pub finds: u64,
    /// Files those finds count.
    pub files: u64,
    /// Finds that failed.
    pub failed: u64,
    /// The first failures, in words.
    pub errors: Vec<String>,
}

/// Files one find per matched bank hash through `client` (an
/// investigator's), under `reference` and the day `found_on`, with the
/// number of distinct files that matched it. Nothing about the files goes
/// to the bank but that count.
pub fn file_finds(
    client: &BankClient,
    matches: &[MatchRecord],
    reference: &str,
    found_on: &str,
) -> Filed {
    let mut files: std::collections::BTreeMap<u64, std::collections::BTreeSet<&str>> =
        std::collections::BTreeMap::new();
    for m in matches {
        files.entry(m.hash_id).or_default().insert(m.path.as_str());
    }
    let mut out = Filed::default();
    for (hash_id, paths) in files {
        let count = paths.len() as u64;
        match client.find(hash_id, reference, found_on, count) {
            Ok(id) => {
                tracing::debug!(find = id, hash_id, files = count, "find filed");
                out.finds += 1;
                out.files += count;
            }
            Err(e) => {
                out.failed += 1;
                if out.errors.len() < KEPT_ERRORS {
                    out.errors.push(format!("find of hash {hash_id}: {e}"));
                }
            }
        }
    }
    out
}
