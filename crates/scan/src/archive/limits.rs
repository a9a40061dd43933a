//! The limits that keep archives from exhausting memory or time, and
//! reading an entry within them.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::skip::{Skip, SkipKind};

/// Bytes one archive may expand to in all, nested archives included.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 1 << 30;
/// Largest ratio of expanded to compressed size of an entry (or a gzip
/// stream) past [`DEFAULT_RATIO_FLOOR`]: photos barely compress, so 100:1
/// is far beyond anything but a bomb.
pub const DEFAULT_MAX_RATIO: u64 = 100;
/// Entries expanding to less than this are never called bombs, whatever
/// their ratio (an all-black thumbnail compresses very well).
pub const DEFAULT_RATIO_FLOOR: u64 = 1 << 20;
/// Entries one archive may hold in all, nested archives included.
pub const DEFAULT_MAX_ENTRIES: u64 = 1_000_000;
/// Archives inside archives, at most this deep.
pub const DEFAULT_MAX_DEPTH: u32 = 8;

/// The limits archives are read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Largest entry read (the media file limit).
    pub max_entry_bytes: u64,
    /// Bytes one archive may expand to in all.
    pub max_total_bytes: u64,
    /// Largest expanded-to-compressed ratio.
    pub max_ratio: u64,
    /// Expanded size under which the ratio is not judged.
    pub ratio_floor: u64,
    /// Entries one archive may hold in all.
    pub max_entries: u64,
    /// Deepest nesting of archives (1: no archive inside an archive).
    pub max_depth: u32,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_entry_bytes: media::DEFAULT_MAX_FILE_BYTES,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_ratio: DEFAULT_MAX_RATIO,
            ratio_floor: DEFAULT_RATIO_FLOOR,
            max_entries: DEFAULT_MAX_ENTRIES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// What is left to one archive (and everything nested in it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub bytes_left: u64,
    pub entries_left: u64,
}

impl Budget {
    pub(crate) fn new(limits: &ArchiveLimits) -> Budget {
        Budget {
            bytes_left: limits.max_total_bytes,
            entries_left: limits.max_entries,
        }
    }
}

/// What is known of an entry before it is read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Declared {
    /// Expanded size, as the archive states it (it may lie).
    pub size: Option<u64>,
    /// Compressed size, where the entry is compressed on its own (zip).
    pub compressed: Option<u64>,
}

/// The largest size an entry compressed to `compressed` bytes may expand to.
fn ratio_cap(limits: &ArchiveLimits, compressed: u64) -> u64 {
    compressed
        .saturating_mul(limits.max_ratio)
        .max(limits.ratio_floor)
}

fn bomb(size: u64, compressed: u64) -> Skip {
    Skip::new(
        SkipKind::ArchiveBomb,
        format!("expands {size} bytes from {compressed}: compressed beyond the ratio limit"),
    )
}

fn too_large(limits: &ArchiveLimits, size: u64) -> Skip {
    Skip::new(
        SkipKind::TooLarge,
        format!(
            "{size} bytes or more, over the limit of {} bytes",
            limits.max_entry_bytes
        ),
    )
}

fn over_budget(limits: &ArchiveLimits) -> Skip {
    Skip::new(
        SkipKind::ArchiveTooLarge,
        format!(
            "the archive expands beyond the limit of {} bytes",
            limits.max_total_bytes
        ),
    )
}

/// Reads an entry from `input` within the limits: first its head (up to
/// `head_len` bytes), then, if `wanted(head)`, the rest. Returns `None`
/// when the rest was not wanted. The bytes read are charged to `budget`.
pub(crate) fn read_entry(
    input: &mut dyn Read,
    declared: Declared,
    limits: &ArchiveLimits,
    budget: &mut Budget,
    head_len: usize,
    wanted: impl FnOnce(&[u8]) -> bool,
) -> Result<Option<Vec<u8>>, Skip> {
    let ratio_limit = declared.compressed.map(|c| ratio_cap(limits, c));
    if let Some(size) = declared.size {
        if let (Some(cap), Some(compressed)) = (ratio_limit, declared.compressed) {
            if size > cap {
                return Err(bomb(size, compressed));
            }
        }
        if size > limits.max_entry_bytes {
            return Err(too_large(limits, size));
        }
        if size > budget.bytes_left {
            return Err(over_budget(limits));
        }
    }
    let cap = limits
        .max_entry_bytes
        .min(budget.bytes_left)
        .min(ratio_limit.unwrap_or(u64::MAX));
    let mut limited = input.take(cap.saturating_add(1));
    let mut bytes = Vec::new();
    let unreadable = |e: io::Error| {
        Skip::new(
            SkipKind::CorruptArchive,
            format!("cannot read the entry: {e}"),
        )
    };
    (&mut limited)
        .take(head_len as u64)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if !wanted(&bytes) {
        budget.bytes_left -= (bytes.len() as u64).min(budget.bytes_left);
        return Ok(None);
    }
    limited.read_to_end(&mut bytes).map_err(unreadable)?;
    let len = bytes.len() as u64;
    if len > cap {
        return Err(match (ratio_limit, declared.compressed) {
            (Some(r), Some(c)) if len > r => bomb(len, c),
            _ if len > limits.max_entry_bytes => too_large(limits, len),
            _ => over_budget(limits),
        });
    }
    budget.bytes_left -= len;
    Ok(Some(bytes))
}

/// A shared count of the bytes that passed through a reader.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counter(Rc<Cell<u64>>);

impl Counter {
    pub(crate) fn get(&self) -> u64 {
        self.0.get()
    }
}

/// A reader that counts what it reads.
pub(crate) struct Counting<R> {
    inner: R,
    count: Counter,
}

impl<R: Read> Counting<R> {
    pub(crate) fn new(inner: R, count: &Counter) -> Counting<R> {
        Counting {
            inner,
            count: count.clone(),
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.0.set(self.count.0.get() + n as u64);
        Ok(n)
    }
}

/// Watches a compressed stream as a whole (a .tar.gz): the bytes it
/// expands to and its ratio.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamGuard {
    pub compressed: Counter,
    pub expanded: Counter,
}

impl StreamGuard {
    /// Why the stream must stop now, if it must.
    pub(crate) fn check(&self, limits: &ArchiveLimits) -> Result<(), Skip> {
        let expanded = self.expanded.get();
        let compressed = self.compressed.get();
        if expanded > ratio_cap(limits, compressed) {
            return Err(bomb(expanded, compressed));
        }
        if expanded > limits.max_total_bytes {
            return Err(over_budget(limits));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ArchiveLimits {
        ArchiveLimits {
            max_entry_bytes: 1000,
            max_total_bytes: 2500,
            max_ratio: 10,
            ratio_floor: 100,
            max_entries: 10,
            max_depth: 2,
        }
    }

    fn read(data: &[u8], declared: Declared, budget: &mut Budget) -> Result<usize, SkipKind> {
        read_entry(&mut &data[..], declared, &limits(), budget, 4, |_| true)
            .map(|b| b.map_or(0, |b| b.len()))
            .map_err(|s| s.kind)
    }

    #[test]
    fn entries_are_read_within_every_limit() {
        let mut budget = Budget::new(&limits());
        let data = vec![0u8; 900];
        assert_eq!(read(&data, Declared::default(), &mut budget), Ok(900));
        // The declared size is believed when it is over a limit...
        let lying = Declared {
            size: Some(5000),
            compressed: Some(10),
        };
        assert_eq!(read(&data, lying, &mut budget), Err(SkipKind::ArchiveBomb));
        let big = Declared {
            size: Some(1001),
            compressed: None,
        };
        assert_eq!(read(&data, big, &mut budget), Err(SkipKind::TooLarge));
        // ...and the bytes are counted when it is not.
        let small = Declared {
            size: Some(10),
            compressed: Some(50),
        };
        assert_eq!(read(&data, small, &mut budget), Err(SkipKind::ArchiveBomb));
        let long = vec![0u8; 1500];
        assert_eq!(
            read(&long, Declared::default(), &mut budget),
            Err(SkipKind::TooLarge)
        );
        assert_eq!(read(&data, Declared::default(), &mut budget), Ok(900));
        assert_eq!(budget.bytes_left, 700);
        assert_eq!(
            read(&data, Declared::default(), &mut budget),
            Err(SkipKind::ArchiveTooLarge)
        );
    }

    #[test]
    fn an_unwanted_entry_is_read_no_further() {
        let mut budget = Budget::new(&limits());
        let data = vec![1u8; 900];
        let got = read_entry(
            &mut &data[..],
            Declared::default(),
            &limits(),
            &mut budget,
            4,
            |h| h.len() == 4 && h[0] == 0,
        );
        assert_eq!(got, Ok(None));
        assert_eq!(budget.bytes_left, 2496);
    }

    #[test]
    fn streams_are_judged_as_a_whole() {
        let guard = StreamGuard::default();
        let mut input = Counting::new(&[0u8; 200][..], &guard.expanded);
        std::io::copy(&mut input, &mut std::io::sink()).unwrap();
        assert_eq!(
            guard.check(&limits()).unwrap_err().kind,
            SkipKind::ArchiveBomb
        );
        guard.compressed.0.set(100);
        assert!(guard.check(&limits()).is_ok());
    }
}
