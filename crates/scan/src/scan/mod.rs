//! Scanning files, folders and archives against a bank.

mod outcome;
mod run;

pub use outcome::{MatchRecord, ScanOutcome, SkipRecord, Stats};
pub use run::{scan, NoProgress, Progress, ScanOptions};
