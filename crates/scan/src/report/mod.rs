//! What a scan writes: JSON lines, CSV, a self-contained HTML page, the
//! investigator's grouping by bank hash, and the summary on stderr.

mod csv;
mod groups;
mod html;
mod jsonl;
mod summary;

pub use csv::{csv_field, write_csv, CSV_HEADER};
pub use groups::{groups, Group};
pub use html::{escape, write_html};
pub use jsonl::{match_json, skip_json, write_jsonl};
pub use summary::{count, seconds, summary_text};

use crate::scan::MatchRecord;

/// Where a match involving a video was found, for a moderator to jump to:
/// per frame found, `file 12.000 s` (the scanned video's moment), `bank
/// 45.000 s` (the stored video's), or both as `file 12.000 s = bank
/// 45.000 s`, joined by `; `. Empty for a picture matched with a picture.
pub fn moments(m: &MatchRecord) -> String {
    m.frames
        .iter()
        .map(|f| {
            let file = f.query.map(|q| format!("file {:.3} s", q.timestamp));
            let bank = f.stored.map(|s| format!("bank {:.3} s", s.timestamp));
            match (file, bank) {
                (Some(a), Some(b)) => format!("{a} = {b}"),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
