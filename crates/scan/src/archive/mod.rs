//! Archives: what a file is by its content, and walking into zip, tar,
//! tar.gz and gzipped files (nested too) under limits on entry size, total
//! expanded size, compression ratio, entry count and depth. Entries are
//! read into memory only: nothing is ever written to disk.

mod expand;
mod limits;
mod names;
mod sniff;
mod tar;

pub use expand::{expand_bytes, expand_file, Item};
pub use limits::{
    ArchiveLimits, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_RATIO,
    DEFAULT_MAX_TOTAL_BYTES, DEFAULT_RATIO_FLOOR,
};
pub use names::{check_name, printable};
pub use sniff::{sniff, Sniffed, SNIFF_LEN};
