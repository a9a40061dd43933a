//! Turning command-line paths into the list of files to read: the walk
//! `hashbank scan` uses too, kept in `hashbank-scan`.

pub use hashbank_scan::walk::{walk, WalkOptions};
