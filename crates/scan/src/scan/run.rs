//! The scan itself: one thread walks folders and reads archives, the
//! hashing pool fingerprints and matches, a bounded channel between them
//! keeps memory bounded whatever the size of the tree.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use model::SEARCH_RADIUS;
use rayon::prelude::*;

use super::outcome::{MatchRecord, ScanOutcome, SkipRecord, Stats};
use crate::archive::{expand_bytes, expand_file, sniff, ArchiveLimits, Item, Sniffed, SNIFF_LEN};
use crate::decide::decide;
use crate::query::Query;
use crate::skip::{Skip, SkipKind};
use crate::source::MatchSource;
use crate::walk::{has_image_extension, walk, WalkOptions};

/// Files waiting for the hashing pool, per hashing thread: enough to keep
/// every thread busy, few enough to bound memory (each is at most the file
/// size limit).
const QUEUED_PER_THREAD: usize = 2;

/// How a scan is run.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Decoding limits and pipeline (canonical or fast).
    pub media: media::Options,
    /// How videos are hashed (vPDQ through FFmpeg, in a child process with
    /// limits): seconds per hash, limits, the tools.
    pub video: video::Options,
    /// Limits on archives.
    pub archives: ArchiveLimits,
    /// Follow symbolic links in folders.
    pub follow_links: bool,
    /// Hashing threads; 0 for one per core.
    pub threads: usize,
}

/// Told how a scan advances (a progress bar, say).
pub trait Progress: Sync {
    /// The walk found `files` files and archives to read.
    fn start(&self, _files: u64) {}
    /// `files` more of them are done.
    fn advance(&self, _files: u64) {}
}

/// Progress told to nobody.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Where an item comes in the output: the walked file's place, then the
/// place inside it (0 for the file itself).
type Key = (u64, u64);

/// Work for the hashing pool.
enum Work {
    /// A file on disk to read.
    File {
        key: Key,
        path: PathBuf,
        display: String,
    },
    /// A video file on disk, hashed by FFmpeg where it lies.
    Video {
        key: Key,
        path: PathBuf,
        display: String,
    },
    /// A file read from an archive.
    Bytes {
        key: Key,
        display: String,
        bytes: Vec<u8>,
    },
}

/// A file hashed and waiting for a batch to be matched.
struct Pending {
    key: Key,
    path: String,
    query: Query,
}

#[derive(Default)]
struct Records {
    matches: Vec<(Key, MatchRecord)>,
    skips: Vec<(Key, SkipRecord)>,
    stats: Stats,
    errors: Vec<String>,
}

struct Shared<'a> {
    matcher: &'a dyn MatchSource,
    options: &'a ScanOptions,
    progress: &'a dyn Progress,
    stop: AtomicBool,
    records: Mutex<Records>,
    pending: Mutex<Vec<Pending>>,
    hashing_ns: AtomicU64,
    matching_ns: AtomicU64,
}

/// Scans `paths` (files and folders; archives in them by content) and
/// matches every image against `matcher`.
pub fn scan(
    paths: &[PathBuf],
    matcher: &dyn MatchSource,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanOutcome {
    let started = Instant::now();
    let walked = walk(
        paths,
        &WalkOptions {
            follow_links: options.follow_links,
            all_files: true,
            report_links: true,
            videos: false,
        },
    );
    progress.start(walked.len() as u64);
    let shared = Shared {
        matcher,
        options,
        progress,
        stop: AtomicBool::new(false),
        records: Mutex::new(Records::default()),
        pending: Mutex::new(Vec::new()),
        hashing_ns: AtomicU64::new(0),
        matching_ns: AtomicU64::new(0),
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
    {
        Ok(pool) => {
            let (tx, rx) = sync_channel(pool.current_num_threads() * QUEUED_PER_THREAD);
            std::thread::scope(|scope| {
                scope.spawn(|| shared.produce(&walked, tx));
                pool.install(|| rx.into_iter().par_bridge().for_each(|w| shared.work(w)));
            });
        }
        Err(e) => shared.fail(format!("cannot start the hashing threads: {e}")),
    }
    let rest = std::mem::take(&mut *shared.pending.lock().expect("pending lock"));
    if !rest.is_empty() && !shared.stop.load(Ordering::Relaxed) {
        shared.match_batch(rest);
    }

    let records = shared.records.into_inner().expect("records lock");
    let mut matches = records.matches;
    matches.sort_by_key(|(key, m)| (m.category.is_none(), *key, m.hash_id));
    let mut skips = records.skips;
    skips.sort_by_key(|(key, _)| *key);
    let mut stats = records.stats;
    stats.elapsed = started.elapsed();
    stats.hashing = Duration::from_nanos(shared.hashing_ns.into_inner());
    stats.matching = Duration::from_nanos(shared.matching_ns.into_inner());
    ScanOutcome {
        matches: matches.into_iter().map(|(_, m)| m).collect(),
        skips: skips.into_iter().map(|(_, s)| s).collect(),
        stats,
        errors: records.errors,
    }
}

fn display(path: &Path) -> String {
    crate::archive::printable(path.as_os_str().as_encoded_bytes())
}

impl Shared<'_> {
    fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        self.records.lock().expect("records lock")
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Stops the scan for a failure that makes it incomplete.
    fn fail(&self, message: String) {
        self.stop.store(true, Ordering::Relaxed);
        let mut records = self.records();
        if !records.errors.contains(&message) {
            records.errors.push(message);
        }
    }

    fn skip(&self, key: Key, path: String, skip: Skip) {
        let mut records = self.records();
        *records.stats.skipped.entry(skip.kind).or_default() += 1;
        records.skips.push((
            key,
            SkipRecord {
                path,
                kind: skip.kind,
                detail: skip.detail,
            },
        ));
    }

    /// The walking thread: files to the pool, archives opened here.
    fn produce(&self, walked: &[Result<PathBuf, crate::walk::WalkError>], tx: SyncSender<Work>) {
        for (index, entry) in walked.iter().enumerate() {
            if self.stopped() {
                break;
            }
            let key = (index as u64, 0);
            let path = match entry {
                Ok(path) => path,
                Err(e) => {
                    let skip = Skip::new(e.kind.into(), e.message.clone());
                    self.skip(key, display(&e.path), skip);
                    self.progress.advance(1);
                    continue;
                }
            };
            let shown = display(path);
            let kind = if has_image_extension(path) {
                Sniffed::Image
            } else {
                match read_head(path) {
                    Ok(head) => sniff(&head),
                    Err(e) => {
                        let skip =
                            Skip::new(SkipKind::Unreadable, format!("cannot read the file: {e}"));
                        self.skip(key, shown, skip);
                        self.progress.advance(1);
                        continue;
                    }
                }
            };
            match kind {
                Sniffed::Image | Sniffed::Video => {
                    let path = path.clone();
                    let work = if kind == Sniffed::Video {
                        Work::Video {
                            key,
                            path,
                            display: shown,
                        }
                    } else {
                        Work::File {
                            key,
                            path,
                            display: shown,
                        }
                    };
                    if tx.send(work).is_err() {
                        break;
                    }
                }
                Sniffed::Unknown => {
                    self.records().stats.other += 1;
                    self.progress.advance(1);
                }
                archive => {
                    let mut place = 0;
                    expand_file(
                        path,
                        &shown,
                        archive,
                        &self.options.archives,
                        &self.stop,
                        &mut |item| {
                            place += 1;
                            self.item((index as u64, place), item, &mut |work| {
                                let _ = tx.send(work);
                            });
                        },
                    );
                    self.progress.advance(1);
                }
            }
        }
    }

    /// One item found in an archive; files go to `hash`.
    fn item(&self, key: Key, item: Item, hash: &mut dyn FnMut(Work)) {
        match item {
            Item::Archive { .. } => self.records().stats.archives += 1,
            Item::Other { .. } => self.records().stats.other += 1,
            Item::Skipped { path, skip } => self.skip(key, path, skip),
            Item::File { path, bytes } => hash(Work::Bytes {
                key,
                display: path,
                bytes,
            }),
        }
    }

    /// A hashing thread's share.
    fn work(&self, work: Work) {
        if self.stopped() {
            return;
        }
        match work {
            Work::File { key, path, display } => {
                let started = Instant::now();
                let read = media::read_file(&path, self.options.media.limits.max_file_bytes);
                self.hashing_ns
                    .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                match read {
                    Ok(bytes) => self.bytes(key, display, bytes),
                    Err(e) => self.skip(key, display, Skip::from(e.kind)),
                }
                self.progress.advance(1);
            }
            Work::Video { key, path, display } => {
                self.video(key, display, &path);
                self.progress.advance(1);
            }
            Work::Bytes {
                key,
                display,
                bytes,
            } => self.bytes(key, display, bytes),
        }
    }

    /// A video file: its vPDQ hash and digests (FFmpeg in a child process
    /// with limits: a decoder that crashes or hangs skips this file only),
    /// matched at once, the video whole and its digests exactly.
    fn video(&self, key: Key, display: String, file: &Path) {
        let started = Instant::now();
        let print = video::hash_file(file, &self.options.video);
        self.hashing_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        let print = match print {
            Ok(print) => print,
            Err(e) => return self.skip(key, display, Skip::from(&e)),
        };
        {
            let mut records = self.records();
            records.stats.hashed += 1;
            records.stats.videos += 1;
        }
        let query = Query::of_video(print);
        let found = self
            .one_query(&display, &query)
            .and_then(|found| self.whole_video(&display, &query, found));
        match found {
            Ok(found) => self.found(key, found),
            Err(e) => self.fail(e),
        }
    }

    /// The matches of one query's hashes (a picture's, or a video's
    /// digests), as `match_batch` decides them for a batch.
    fn one_query(&self, display: &str, query: &Query) -> Result<Vec<MatchRecord>, String> {
        let started = Instant::now();
        let candidates = self.matcher.candidates(&[query], SEARCH_RADIUS);
        self.matching_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        Ok(candidates
            .map_err(|e| e.to_string())?
            .first()
            .map(|candidates| decide(query, candidates))
            .unwrap_or_default()
            .iter()
            .map(|m| MatchRecord::new(display, m))
            .collect())
    }

    /// `found` and the stored videos `query`'s video matches whole (a
    /// stored hash already in `found` is not given twice).
    fn whole_video(
        &self,
        display: &str,
        query: &Query,
        mut found: Vec<MatchRecord>,
    ) -> Result<Vec<MatchRecord>, String> {
        let Some(hash) = &query.video else {
            return Ok(found);
        };
        let started = Instant::now();
        let whole = self.matcher.video_matches(hash);
        self.matching_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        for m in whole.map_err(|e| e.to_string())? {
            if found.iter().any(|f| f.hash_id as i64 == m.hash_id) {
                continue;
            }
            found.extend(MatchRecord::of_video(display, hash, m));
        }
        Ok(found)
    }

    /// Records one file's matches, if it has any.
    fn found(&self, key: Key, found: Vec<MatchRecord>) {
        if found.is_empty() {
            return;
        }
        let mut records = self.records();
        records.stats.matched_files += 1;
        for m in found {
            records.matches.push((key, m));
        }
    }

    /// The vPDQ hash of an animated GIF or WebP (`None` for a still
    /// picture): a GIF through FFmpeg's contained child from a private
    /// temporary file, a WebP as `hashbank hash` reads it.
    fn animation(&self, bytes: &[u8]) -> Option<Result<video::VideoPrint, String>> {
        let options = &self.options.video;
        if video::webp_is_animated(&bytes[..bytes.len().min(SNIFF_LEN)]) {
            return Some(video::hash_animated_webp(bytes, options).map_err(|e| e.to_string()));
        }
        if !video::gif_is_animated(bytes) {
            return None;
        }
        let written = tempfile::Builder::new()
            .prefix("hashbank-video-")
            .tempfile()
            .and_then(|mut file| {
                use std::io::Write;
                file.write_all(bytes)?;
                file.flush()?;
                Ok(file)
            });
        Some(match written {
            Ok(file) => video::hash_file(file.path(), options).map_err(|e| e.to_string()),
            Err(e) => Err(format!("cannot write a temporary file for it: {e}")),
        })
    }

    /// A video read from an archive: written to a private temporary file
    /// for FFmpeg, which reads files only, and deleted after.
    fn video_bytes(&self, key: Key, display: String, bytes: Vec<u8>) {
        let written = tempfile::Builder::new()
            .prefix("hashbank-video-")
            .tempfile()
            .and_then(|mut file| {
                use std::io::Write;
                file.write_all(&bytes)?;
                file.flush()?;
                Ok(file)
            });
        drop(bytes);
        match written {
            Ok(file) => self.video(key, display, file.path()),
            Err(e) => self.fail(format!("cannot write a temporary file for a video: {e}")),
        }
    }

    /// A file's bytes: an image or a video to hash, or an archive under an
    /// image's name.
    fn bytes(&self, key: Key, display: String, bytes: Vec<u8>) {
        let kind = sniff(&bytes[..bytes.len().min(SNIFF_LEN)]);
        if !kind.is_archive() {
            return self.media(kind, key, display, bytes);
        }
        let mut place = key.1;
        let mut found = Vec::new();
        expand_bytes(
            &bytes,
            &display,
            kind,
            &self.options.archives,
            &self.stop,
            &mut |item| {
                place += 1;
                found.push(((key.0, place), item));
            },
        );
        drop(bytes);
        for (key, item) in found {
            self.item(key, item, &mut |work| {
                if let Work::Bytes {
                    key,
                    display,
                    bytes,
                } = work
                {
                    let kind = sniff(&bytes[..bytes.len().min(SNIFF_LEN)]);
                    self.media(kind, key, display, bytes);
                }
            });
        }
    }

    /// Bytes that are no archive, sniffed as `kind`: a video, or else an
    /// image to decode.
    fn media(&self, kind: Sniffed, key: Key, display: String, bytes: Vec<u8>) {
        if kind == Sniffed::Video {
            self.video_bytes(key, display, bytes)
        } else {
            self.hash(key, display, bytes)
        }
    }

    /// Decodes once, then hashes the picture and its views (from the
    /// pixels) and the file (from the bytes). A decoder that panics on a
    /// file (a bug) skips that file only, with the reason: one bad file in
    /// a seized collection must not end the scan of the rest.
    fn hash(&self, key: Key, path: String, bytes: Vec<u8>) {
        let started = Instant::now();
        let options = &self.options.media;
        let query =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| query_of(&bytes, options)));
        // An animated GIF or WebP is matched as a picture (its first frame)
        // and as a video.
        let animation = match &query {
            Ok(Ok(_)) => {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.animation(&bytes)))
                    .unwrap_or_else(|panic| {
                        Some(Err(format!(
                            "the decoder failed on it: {}",
                            panic_text(panic.as_ref())
                        )))
                    })
            }
            _ => None,
        };
        drop(bytes);
        self.hashing_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        let query = match query {
            Ok(Ok(query)) => query,
            Ok(Err(kind)) => return self.skip(key, path, Skip::from(kind)),
            Err(panic) => {
                let skip = Skip::new(
                    SkipKind::DecoderFailed,
                    format!(
                        "the decoder failed on this file: {}",
                        panic_text(panic.as_ref())
                    ),
                );
                return self.skip(key, path, skip);
            }
        };
        {
            let mut records = self.records();
            records.stats.hashed += 1;
            records.stats.weak_pdq += u64::from(query.weak_pdq);
        }
        if let Some(animation) = animation {
            return self.animated(key, path, query, animation);
        }
        let pending = Pending { key, path, query };
        let batch = self.matcher.batch();
        if batch <= 1 {
            return self.match_batch(vec![pending]);
        }
        let full = {
            let mut queue = self.pending.lock().expect("pending lock");
            queue.push(pending);
            (queue.len() >= batch).then(|| std::mem::take(&mut *queue))
        };
        if let Some(full) = full {
            self.match_batch(full);
        }
    }

    /// An animated picture, matched at once: its first frame as a picture
    /// is, then the animation as a video; a stored hash found both ways is
    /// given once. An animation that can't be hashed as a video leaves the
    /// picture's matches, with a warning.
    fn animated(
        &self,
        key: Key,
        path: String,
        query: Query,
        animation: Result<video::VideoPrint, String>,
    ) {
        let found = match self.one_query(&path, &query) {
            Ok(found) => found,
            Err(e) => return self.fail(e),
        };
        let print = match animation {
            Ok(print) => print,
            Err(e) => {
                tracing::warn!("{path}: matched as a picture only; as a video: {e}");
                return self.found(key, found);
            }
        };
        self.records().stats.animations += 1;
        let video = Query::of_video(print);
        // The stored video found whole comes first, with its shares; its
        // frame the first picture showed is then left out.
        match self.whole_video(&path, &video, Vec::new()) {
            Ok(mut whole) => {
                for m in found {
                    if !whole.iter().any(|w| w.hash_id == m.hash_id) {
                        whole.push(m);
                    }
                }
                self.found(key, whole)
            }
            Err(e) => self.fail(e),
        }
    }

    fn match_batch(&self, batch: Vec<Pending>) {
        let started = Instant::now();
        let queries: Vec<&Query> = batch.iter().map(|p| &p.query).collect();
        let found = self.matcher.candidates(&queries, SEARCH_RADIUS);
        let decided: Vec<_> = match found {
            Ok(all) => batch
                .iter()
                .zip(all)
                .map(|(p, candidates)| decide(&p.query, &candidates))
                .collect(),
            Err(e) => return self.fail(e.to_string()),
        };
        self.matching_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        let mut records = self.records();
        for (p, matches) in batch.iter().zip(decided) {
            if matches.is_empty() {
                continue;
            }
            records.stats.matched_files += 1;
            for m in &matches {
                records.matches.push((p.key, MatchRecord::new(&p.path, m)));
            }
        }
    }
}

/// The first bytes of a file, for sniffing.
/// The hashes of a file's bytes.
fn query_of(bytes: &[u8], options: &media::Options) -> Result<Query, media::ErrorKind> {
    #[cfg(test)]
    if bytes.starts_with(tests::PANIC_MARKER) {
        panic!("a decoder bug, injected by a test");
    }
    media::decode(bytes, &options.limits, options.pipeline).map(|image| Query::of(&image, bytes))
}

/// What a panic said.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    std::fs::File::open(path)?
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;
    use matcher::LocalBank;

    /// Bytes that make the decoder panic in this crate's tests.
    pub(crate) const PANIC_MARKER: &[u8] = b"\xffPANIC-IN-THE-DECODER";

    /// A file whose decoding panics, alone and inside a zip archive, is
    /// skipped with the reason; the files around it are still hashed.
    #[test]
    fn a_decoder_panic_skips_that_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let image = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/testdata/pdq/data/misc-images/small.jpg"),
        )
        .unwrap();
        std::fs::write(dir.path().join("a.jpg"), &image).unwrap();
        std::fs::write(dir.path().join("b-bug.jpg"), PANIC_MARKER).unwrap();
        std::fs::write(dir.path().join("c.jpg"), &image).unwrap();
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default();
        zip.start_file("inner-bug.jpg", stored).unwrap();
        zip.write_all(PANIC_MARKER).unwrap();
        zip.start_file("inner.jpg", stored).unwrap();
        zip.write_all(&image).unwrap();
        let zip = zip.finish().unwrap().into_inner();
        std::fs::write(dir.path().join("d.zip"), zip).unwrap();

        let bank = LocalBank::new("test");
        let options = ScanOptions {
            threads: 2,
            ..ScanOptions::default()
        };
        let outcome = scan(&[dir.path().to_path_buf()], &bank, &options, &NoProgress);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert_eq!(outcome.stats.hashed, 3);
        let failed: Vec<&str> = outcome
            .skips
            .iter()
            .filter(|s| s.kind == SkipKind::DecoderFailed)
            .map(|s| s.path.as_str())
            .collect();
        assert_eq!(failed.len(), 2, "{:?}", outcome.skips);
        assert!(failed[0].ends_with("b-bug.jpg"), "{failed:?}");
        assert!(failed[1].contains("inner-bug.jpg"), "{failed:?}");
        assert_eq!(
            outcome.stats.skipped.get(&SkipKind::DecoderFailed),
            Some(&2)
        );
        let detail = &outcome.skips[0].detail;
        assert!(detail.contains("injected by a test"), "{detail}");
    }
}
