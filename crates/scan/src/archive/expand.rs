//! Walking into archives: zip, tar, tar.gz and gzipped files, nested to a
//! depth limit, every entry read into memory within the limits, and every
//! entry that is not read given a reason.

use std::io::{self, Cursor, Read, Seek};
use std::sync::atomic::{AtomicBool, Ordering};

use flate2::read::MultiGzDecoder;

use super::limits::{read_entry, ArchiveLimits, Budget, Counting, Declared, StreamGuard};
use super::names::{check_name, printable};
use super::sniff::{sniff, Sniffed, SNIFF_LEN};
use super::tar::{EntryKind, Seeking, Skip as TarSkip, Streaming, TarReader};
use crate::skip::{Skip, SkipKind};
use crate::walk::{extension_in, IMAGE_EXTENSIONS};

/// What is found in an archive, one item at a time, in archive order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// An archive opened (the outer one, or one nested in it).
    Archive {
        /// Where, as `outer.zip!/inner.tar!/...`.
        path: String,
    },
    /// A file that may be an image, read whole.
    File {
        /// Where.
        path: String,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// A file that is neither an image (by content or name) nor an archive:
    /// passed over unread.
    Other {
        /// Where.
        path: String,
    },
    /// An entry (or the rest of an archive) skipped, with why.
    Skipped {
        /// Where.
        path: String,
        /// Why.
        skip: Skip,
    },
}

/// Reads the archive at `path` (shown as `display`), of kind `kind` (from
/// [`sniff`]), giving every item to `sink`. Stops early when `stop` is set.
pub fn expand_file(
    path: &std::path::Path,
    display: &str,
    kind: Sniffed,
    limits: &ArchiveLimits,
    stop: &AtomicBool,
    sink: &mut dyn FnMut(Item),
) {
    match std::fs::File::open(path) {
        Ok(file) => {
            let mut expander = Expander::new(limits, stop, sink);
            expander.archive(io::BufReader::new(file), kind, display, 1);
        }
        Err(e) => sink(Item::Skipped {
            path: display.to_string(),
            skip: Skip::new(SkipKind::Unreadable, format!("cannot read: {e}")),
        }),
    }
}

/// Reads an archive held in memory, as [`expand_file`].
pub fn expand_bytes(
    bytes: &[u8],
    display: &str,
    kind: Sniffed,
    limits: &ArchiveLimits,
    stop: &AtomicBool,
    sink: &mut dyn FnMut(Item),
) {
    let mut expander = Expander::new(limits, stop, sink);
    expander.archive(Cursor::new(bytes), kind, display, 1);
}

/// `outer!/name`.
fn join(outer: &str, name: &str) -> String {
    format!("{outer}!/{name}")
}

struct Expander<'a> {
    limits: &'a ArchiveLimits,
    budget: Budget,
    stop: &'a AtomicBool,
    sink: &'a mut dyn FnMut(Item),
}

impl<'a> Expander<'a> {
    fn new(
        limits: &'a ArchiveLimits,
        stop: &'a AtomicBool,
        sink: &'a mut dyn FnMut(Item),
    ) -> Expander<'a> {
        Expander {
            limits,
            budget: Budget::new(limits),
            stop,
            sink,
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn skip(&mut self, path: String, kind: SkipKind, detail: impl Into<String>) {
        (self.sink)(Item::Skipped {
            path,
            skip: Skip::new(kind, detail),
        });
    }

    /// Takes one entry off the budget; false (after saying so) when none is left.
    fn count_entry(&mut self, archive: &str) -> bool {
        if self.budget.entries_left == 0 {
            let limit = self.limits.max_entries;
            self.skip(
                archive.to_string(),
                SkipKind::TooManyEntries,
                format!("more than {limit} entries; the rest is not read"),
            );
            return false;
        }
        self.budget.entries_left -= 1;
        true
    }

    fn archive<R: Read + Seek>(&mut self, input: R, kind: Sniffed, display: &str, depth: u32) {
        (self.sink)(Item::Archive {
            path: display.to_string(),
        });
        match kind {
            Sniffed::Zip => self.zip(input, display, depth),
            Sniffed::Tar => self.tar(TarReader::new(Seeking(input)), display, depth, None),
            Sniffed::Gzip => self.gzip(input, display, depth),
            Sniffed::Image | Sniffed::Video | Sniffed::Unknown => {}
        }
    }

    /// One entry of `path` from `input`: read if it may be an image or an
    /// archive, looked into if an archive. With a stream `guard`, the whole
    /// stream's limits are checked too; false when the stream must stop.
    fn entry(
        &mut self,
        path: String,
        input: &mut dyn Read,
        declared: Declared,
        depth: u32,
        guard: Option<&StreamGuard>,
    ) -> bool {
        let named_image = extension_in(path.as_bytes(), IMAGE_EXTENSIONS);
        let mut kind = Sniffed::Unknown;
        let read = read_entry(
            input,
            declared,
            self.limits,
            &mut self.budget,
            SNIFF_LEN,
            |head| {
                kind = sniff(head);
                kind.is_archive() || matches!(kind, Sniffed::Image | Sniffed::Video) || named_image
            },
        );
        if let Some(Err(stream_skip)) = guard.map(|g| g.check(self.limits)) {
            (self.sink)(Item::Skipped {
                path,
                skip: stream_skip,
            });
            return false;
        }
        match read {
            Err(skip) if skip.kind == SkipKind::ArchiveTooLarge => {
                (self.sink)(Item::Skipped { path, skip });
                return false;
            }
            Err(skip) => (self.sink)(Item::Skipped { path, skip }),
            Ok(None) => (self.sink)(Item::Other { path }),
            Ok(Some(bytes)) if kind.is_archive() => {
                if depth >= self.limits.max_depth {
                    let limit = self.limits.max_depth;
                    self.skip(
                        path,
                        SkipKind::TooDeep,
                        format!("archives nested more than {limit} deep"),
                    );
                } else {
                    self.archive(Cursor::new(&bytes[..]), kind, &path, depth + 1);
                }
            }
            Ok(Some(bytes)) => (self.sink)(Item::File { path, bytes }),
        }
        true
    }

    fn zip<R: Read + Seek>(&mut self, input: R, display: &str, depth: u32) {
        let mut zip = match zip::ZipArchive::new(input) {
            Ok(zip) => zip,
            Err(e) => {
                return self.skip(
                    display.to_string(),
                    SkipKind::CorruptArchive,
                    format!("not a readable zip archive: {e}"),
                )
            }
        };
        for index in 0..zip.len() {
            if self.stopped() || !self.count_entry(display) {
                return;
            }
            let (raw_name, folder, link, encrypted, size, compressed) =
                match zip.by_index_raw(index) {
                    Ok(f) => (
                        f.name_raw().to_vec(),
                        f.is_dir(),
                        f.is_symlink(),
                        f.encrypted(),
                        f.size(),
                        f.compressed_size(),
                    ),
                    Err(e) => {
                        self.skip(
                            join(display, &format!("#{}", index + 1)),
                            SkipKind::CorruptArchive,
                            format!("a damaged zip entry: {e}"),
                        );
                        continue;
                    }
                };
            let path = match check_name(&raw_name) {
                Ok(name) => join(display, &name),
                Err(skip) => {
                    (self.sink)(Item::Skipped {
                        path: join(display, &printable(&raw_name)),
                        skip,
                    });
                    continue;
                }
            };
            if folder {
                continue;
            }
            if link {
                self.skip(
                    path,
                    SkipKind::LinkInArchive,
                    "a symbolic link in the archive",
                );
                continue;
            }
            if encrypted {
                self.skip(path, SkipKind::Encrypted, "an encrypted zip entry");
                continue;
            }
            let mut file = match zip.by_index(index) {
                Ok(file) => file,
                Err(e) => {
                    self.skip(
                        path,
                        SkipKind::CorruptArchive,
                        format!("cannot read the entry: {e}"),
                    );
                    continue;
                }
            };
            let declared = Declared {
                size: Some(size),
                compressed: Some(compressed),
            };
            if !self.entry(path, &mut file, declared, depth, None) {
                return;
            }
        }
    }

    fn tar<R: TarSkip>(
        &mut self,
        mut tar: TarReader<R>,
        display: &str,
        depth: u32,
        guard: Option<&StreamGuard>,
    ) {
        loop {
            if self.stopped() {
                return;
            }
            if let Some(guard) = guard {
                // Passing over data of a stream means expanding it: refuse
                // what would go past the limit before doing it.
                let ahead = guard.expanded.get().saturating_add(tar.data_left());
                let over = ahead > self.limits.max_total_bytes;
                if let Some(skip) = guard.check(self.limits).err().or_else(|| {
                    over.then(|| {
                        Skip::new(
                            SkipKind::ArchiveTooLarge,
                            format!(
                                "the archive expands beyond the limit of {} bytes",
                                self.limits.max_total_bytes
                            ),
                        )
                    })
                }) {
                    return (self.sink)(Item::Skipped {
                        path: display.to_string(),
                        skip,
                    });
                }
            }
            let entry = match tar.next_entry() {
                Ok(Some(entry)) => entry,
                Ok(None) => return,
                Err(e) => {
                    return self.skip(
                        display.to_string(),
                        SkipKind::CorruptArchive,
                        format!("a damaged tar archive: {e}"),
                    )
                }
            };
            if let Some(Err(skip)) = guard.map(|g| g.check(self.limits)) {
                return (self.sink)(Item::Skipped {
                    path: display.to_string(),
                    skip,
                });
            }
            if !self.count_entry(display) {
                return;
            }
            let path = match check_name(&entry.name) {
                Ok(name) => join(display, &name),
                Err(skip) => {
                    (self.sink)(Item::Skipped {
                        path: join(display, &printable(&entry.name)),
                        skip,
                    });
                    continue;
                }
            };
            match entry.kind {
                EntryKind::Folder => {}
                EntryKind::Link => {
                    self.skip(path, SkipKind::LinkInArchive, "a link in the archive")
                }
                EntryKind::Special => self.skip(
                    path,
                    SkipKind::SpecialFile,
                    "a device, pipe or other special entry",
                ),
                EntryKind::File => {
                    let declared = Declared {
                        size: Some(entry.size),
                        compressed: None,
                    };
                    if !self.entry(path, &mut tar.data(), declared, depth, guard) {
                        return;
                    }
                }
            }
        }
    }

    fn gzip<R: Read>(&mut self, input: R, display: &str, depth: u32) {
        let guard = StreamGuard::default();
        let decoder = MultiGzDecoder::new(Counting::new(input, &guard.compressed));
        let mut stream = Counting::new(decoder, &guard.expanded);
        let mut head = Vec::with_capacity(SNIFF_LEN);
        if let Err(e) = (&mut stream).take(SNIFF_LEN as u64).read_to_end(&mut head) {
            return self.skip(
                display.to_string(),
                SkipKind::CorruptArchive,
                format!("a damaged gzip stream: {e}"),
            );
        }
        let kind = sniff(&head);
        let mut whole = Cursor::new(head).chain(stream);
        if kind == Sniffed::Tar {
            self.tar(
                TarReader::new(Streaming(whole)),
                display,
                depth,
                Some(&guard),
            );
        } else {
            let path = join(display, &gunzipped_name(display));
            self.entry(path, &mut whole, Declared::default(), depth, Some(&guard));
        }
    }
}

/// The name of the file inside a gzipped file: its own name without `.gz`.
fn gunzipped_name(display: &str) -> String {
    let own = display.rsplit(['/', '\\']).next().unwrap_or(display);
    let lower = own.to_ascii_lowercase();
    let stem = if lower.ends_with(".tgz") {
        format!("{}.tar", &own[..own.len() - 4])
    } else if lower.ends_with(".gz") {
        own[..own.len() - 3].to_string()
    } else {
        own.to_string()
    };
    if stem.is_empty() {
        "data".to_string()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests;
