//! `hashbank sync`: bringing a local bank file up to date from the feed.

use std::path::Path;

use crate::client::{BankClient, ClientError};
use matcher::{FileError, LocalBank};

/// Most entries the bank gives per feed page.
pub const MAX_PAGE: u32 = 10_000;

/// Pages pulled between two saves of a long sync (100 pages of 10,000:
/// a crash in a sync of millions of hashes loses at most a million).
pub const DEFAULT_SAVE_EVERY: u32 = 100;

/// How to sync.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// Feed entries asked per page, 1 to [`MAX_PAGE`].
    pub page_size: u32,
    /// Save after this many pages (and at the end).
    pub save_every: u32,
    /// Start over from an empty copy, whatever the file holds.
    pub rebuild: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            page_size: MAX_PAGE,
            save_every: DEFAULT_SAVE_EVERY,
            rebuild: false,
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Feed pages pulled.
    pub pages: u64,
    /// Feed entries received.
    pub entries: u64,
    /// Additions left out: hashes this build cannot compare.
    pub left_out: u64,
    /// Hashes added.
    pub added: u64,
    /// Hashes deleted.
    pub deleted: u64,
    /// The cursor the copy is at now.
    pub cursor: i64,
    /// Hashes the copy holds, by kind (PDQ, MD5, SHA-256, vPDQ).
    pub per_kind: [u64; model::Kind::COUNT],
    /// Whether the copy started from empty.
    pub from_scratch: bool,
}

impl SyncSummary {
    /// Hashes held.
    pub fn total(&self) -> u64 {
        self.per_kind.iter().sum()
    }
}

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The local file could not be opened or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// The local file follows another bank.
    #[error(
        "{}: holds a copy of the bank at {found}, not {wanted}",
        path.display()
    )]
    OtherBank {
        /// The file.
        path: std::path::PathBuf,
        /// The bank it follows.
        found: String,
        /// The bank asked for.
        wanted: String,
    },
    /// The bank could not be asked.
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl SyncError {
    /// Whether starting over (`--rebuild`) would get past this error.
    pub fn rebuild_helps(&self) -> bool {
        match self {
            SyncError::File(e) => e.is_damaged(),
            SyncError::OtherBank { .. } => true,
            SyncError::Client(_) => false,
        }
    }
}

/// Pulls the feed from the cursor of the copy at `out` (or from the start
/// when there is none, or with `rebuild`), applies it in order and saves
/// atomically; a second run fetches only what changed since.
pub fn sync(
    client: &BankClient,
    out: &Path,
    options: &SyncOptions,
) -> Result<SyncSummary, SyncError> {
    let mut bank = if options.rebuild || !out.exists() {
        LocalBank::new(client.url())
    } else {
        let bank = LocalBank::open(out)?;
        if bank.source() != client.url() {
            return Err(SyncError::OtherBank {
                path: out.to_path_buf(),
                found: bank.source().to_string(),
                wanted: client.url().to_string(),
            });
        }
        bank
    };
    let mut summary = SyncSummary {
        from_scratch: bank.cursor() == 0,
        ..SyncSummary::default()
    };
    let page_size = options.page_size.clamp(1, MAX_PAGE);
    let mut unsaved = options.rebuild || !out.exists();
    let mut pages_since_save = 0;
    loop {
        let page = client.feed(bank.cursor(), page_size)?;
        summary.pages += 1;
        summary.entries += page.changes.len() as u64 + page.left_out;
        summary.left_out += page.left_out;
        let applied = bank.apply(&page.changes, page.next_cursor);
        summary.added += applied.added;
        summary.deleted += applied.deleted;
        unsaved |= !page.changes.is_empty();
        pages_since_save += 1;
        tracing::debug!(
            cursor = page.next_cursor,
            entries = page.changes.len(),
            "feed page"
        );
        if !page.more {
            break;
        }
        if pages_since_save >= options.save_every.max(1) {
            bank.save(out)?;
            unsaved = false;
            pages_since_save = 0;
        }
    }
    if unsaved {
        bank.save(out)?;
    }
    summary.cursor = bank.cursor();
    summary.per_kind = bank.per_kind();
    Ok(summary)
}
