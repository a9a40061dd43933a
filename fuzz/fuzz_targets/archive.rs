//! Archive expansion (`hashbank-scan`'s zip, tar, tar.gz and gzip readers)
//! of any bytes never panics, under the default limits and under tight
//! ones (the first byte chooses; the rest is the archive): every file
//! read is within the entry limit, all of them within the total, no more
//! entries are reported than the entry limit allows (a gzipped file's one
//! inner file aside), and no path given for an entry read holds a `..`.
#![no_main]

use std::sync::atomic::AtomicBool;

use hashbank_scan::archive::{expand_bytes, sniff, ArchiveLimits, Item, SNIFF_LEN};
use libfuzzer_sys::fuzz_target;

/// Limits small enough for a fuzz input to reach each of them.
fn tight() -> ArchiveLimits {
    ArchiveLimits {
        max_entry_bytes: 64 << 10,
        max_total_bytes: 256 << 10,
        max_ratio: 10,
        ratio_floor: 4 << 10,
        max_entries: 64,
        max_depth: 3,
    }
}

/// Whether a path (`outer!/name!/name...`) holds a `..` part.
fn climbs(path: &str) -> bool {
    path.split(['/', '\\']).any(|part| part == "..")
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, archive)) = data.split_first() else {
        return;
    };
    let limits = if choice & 1 == 0 {
        ArchiveLimits::default()
    } else {
        tight()
    };
    let kind = sniff(&archive[..archive.len().min(SNIFF_LEN)]);
    if !kind.is_archive() {
        return;
    }
    let stop = AtomicBool::new(false);
    let (mut files, mut total, mut entries) = (0u64, 0u64, 0u64);
    expand_bytes(archive, "fuzz.bin", kind, &limits, &stop, &mut |item| {
        let path = match &item {
            Item::Archive { path } => path,
            Item::File { path, bytes } => {
                files += 1;
                entries += 1;
                total += bytes.len() as u64;
                assert!(bytes.len() as u64 <= limits.max_entry_bytes, "{path}");
                path
            }
            Item::Other { path } => {
                entries += 1;
                path
            }
            Item::Skipped { path, .. } => path,
        };
        if !matches!(item, Item::Skipped { .. }) {
            assert!(!climbs(path), "{path}");
        }
    });
    assert!(
        total <= limits.max_total_bytes,
        "{files} files, {total} bytes"
    );
    assert!(entries <= limits.max_entries + 1, "{entries} entries");
});
