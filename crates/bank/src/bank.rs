//! [`Bank`]: the database, the matcher and the settings, together.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::error::{BankError, Result};
use crate::matcher::{Change, Matcher};
use crate::platforms::KeyCache;
use crate::release::FeedRelease;
use crate::secrets::{Argon2Cost, Secrets};

/// The bank's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// argon2id cost for new PINs and API keys.
    pub argon2: Argon2Cost,
    /// Distinct platforms whose "not violating" outcomes for matches of one
    /// hash suspend it.
    pub suspend_after: usize,
    /// Consecutive wrong PINs after which a case number locks.
    pub lockout_after: i64,
    /// The first lock's length; each further lock doubles it.
    pub first_lock: Duration,
    /// How long a verified API key is trusted before the database is asked
    /// again whether it was revoked.
    pub key_cache_ttl: Duration,
    /// When held feed entries are released to platforms.
    pub feed_release: FeedRelease,
}

/// How to open the bank's database.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Create a SQLite file that does not exist yet (and its audit key);
    /// without it a missing file is refused.
    pub create: bool,
    /// The audit key file; by default `NAME.audit-key` beside a SQLite file
    /// `NAME.db`. A PostgreSQL bank needs it named.
    pub audit_key: Option<PathBuf>,
    /// Open without the audit key: the bank can then only be read.
    pub read_only: bool,
}

/// Platforms whose "not violating" outcomes suspend a hash, by default.
pub const DEFAULT_SUSPEND_AFTER: usize = 3;
/// Wrong PINs before a lock, by default.
pub const DEFAULT_LOCKOUT_AFTER: i64 = 5;
/// The first lock lasts 15 minutes by default.
pub const DEFAULT_FIRST_LOCK: Duration = Duration::from_secs(15 * 60);
/// A verified API key is trusted for 3 seconds by default: the match API is
/// not bound by argon2, and a revocation takes effect within that time on
/// every server.
pub const DEFAULT_KEY_CACHE_TTL: Duration = Duration::from_secs(3);

impl Default for Settings {
    fn default() -> Self {
        Settings {
            argon2: Argon2Cost::default(),
            suspend_after: DEFAULT_SUSPEND_AFTER,
            lockout_after: DEFAULT_LOCKOUT_AFTER,
            first_lock: DEFAULT_FIRST_LOCK,
            key_cache_ttl: DEFAULT_KEY_CACHE_TTL,
            feed_release: FeedRelease::default(),
        }
    }
}

/// The bank: cases, platforms, reports, the feed and the audit log in the
/// database, and the active hashes in memory.
pub struct Bank {
    pub(crate) db: Db,
    pub(crate) matcher: Matcher,
    pub(crate) secrets: Secrets,
    pub(crate) settings: Settings,
    pub(crate) keys: KeyCache,
}

impl Bank {
    /// Opens the bank at `url` (see [`Db::open`]), creating a SQLite file
    /// and its audit key when absent. The matcher is empty and not ready
    /// until [`Bank::load`].
    pub async fn open(url: &str, settings: Settings) -> Result<Arc<Bank>> {
        let options = OpenOptions {
            create: true,
            ..OpenOptions::default()
        };
        Bank::open_with(url, settings, &options).await
    }

    /// Opens the bank at `url` as `options` say.
    pub async fn open_with(
        url: &str,
        settings: Settings,
        options: &OpenOptions,
    ) -> Result<Arc<Bank>> {
        let mut db = Db::open_with(url, options.create).await?;
        if !options.read_only {
            let key =
                crate::audit::open_key(&db, options.audit_key.as_deref(), options.create).await?;
            db.audit_key = Some(Arc::new(key));
        }
        let secrets = Secrets::new(settings.argon2)?;
        if settings.suspend_after == 0 {
            return Err(BankError::invalid(
                "invalid_setting",
                "suspend-after must be at least 1",
            ));
        }
        Ok(Arc::new(Bank {
            db,
            matcher: Matcher::new(),
            secrets,
            keys: KeyCache::new(settings.key_cache_ttl),
            settings,
        }))
    }

    /// Loads every active hash into the matcher.
    pub async fn load(&self) -> Result<()> {
        self.matcher.load(&self.db).await
    }

    /// Applies what other servers (or operator commands) committed since the
    /// last call; returns the feed entries read.
    pub async fn follow(&self) -> Result<usize> {
        self.matcher.follow(&self.db).await
    }

    /// What the server does in the background besides following: releases
    /// the held feed entries that are due, and finishes erasures on disk.
    pub async fn maintain(&self) -> Result<()> {
        self.db.maintain().await;
        crate::release::release(&self.db, &self.settings.feed_release).await?;
        Ok(())
    }

    /// Releases the held feed entries that are due now; returns how many.
    pub async fn release_feed(&self) -> Result<usize> {
        crate::release::release(&self.db, &self.settings.feed_release).await
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The matcher.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the database answers and the matcher is loaded.
    pub async fn is_ready(&self) -> bool {
        self.matcher.is_ready() && self.db.ping().await
    }

    /// Fails with [`BankError::NotReady`] until the matcher is loaded.
    pub(crate) fn ensure_ready(&self) -> Result<()> {
        if self.matcher.is_ready() {
            Ok(())
        } else {
            Err(BankError::NotReady)
        }
    }

    /// Applies changes this server just committed to its own matcher, then
    /// releases the feed entries that are due.
    pub(crate) async fn applied(&self, changes: Vec<Change>) {
        let feed = !changes.is_empty();
        self.matcher.apply(changes).await;
        if feed {
            if let Err(err) = self.release_feed().await {
                tracing::warn!(error = %err, "releasing the feed failed");
            }
        }
    }

    /// Runs an argon2 verification off the async threads.
    pub(crate) async fn verify_secret(&self, secret: String, phc: Option<String>) -> Result<bool> {
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.verify(&secret, phc.as_deref()))
            .await
            .map_err(|e| BankError::Internal(format!("argon2 task: {e}")))
    }

    /// Runs an argon2 hash off the async threads.
    pub(crate) async fn hash_secret(&self, secret: String) -> Result<String> {
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.hash(&secret))
            .await
            .map_err(|e| BankError::Internal(format!("argon2 task: {e}")))?
    }
}

/// Whether `err` is a unique-constraint violation (a random id or case
/// number that clashed), worth retrying with new ones.
pub(crate) fn is_clash(err: &BankError) -> bool {
    matches!(err, BankError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
}

/// Tries a write that draws random ids this many times before giving up.
pub(crate) const CLASH_RETRIES: usize = 3;
