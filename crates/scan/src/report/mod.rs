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
