//! [`Bank`]: the database, the matcher and the settings, together.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::db::Db;
use crate::error::{BankError, Result};
use crate::matcher::{Change, FeedMatcher, Opened};
use crate::pins::ClientLocks;
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
    /// Consecutive wrong PINs from one client on one case number after which
    /// that client is locked out of that number.
    pub lockout_after: i64,
    /// The first such lock's length; each further lock doubles it, up to a
    /// day.
    pub first_lock: Duration,
    /// How long a verified API key is trusted before the database is asked
    /// again whether it was revoked.
    pub key_cache_ttl: Duration,
    /// argon2 computations that may run at once; each holds about
    /// `argon2.memory_kib` of memory while it runs.
    pub argon2_permits: usize,
    /// How long a request waits for an argon2 permit before it is answered
    /// [`BankError::Busy`].
    pub argon2_queue_wait: Duration,
    /// Wrong PINs on one case number, from all clients together, within
    /// `pin_window`, after which the number locks for everyone until the
    /// window ends.
    pub pin_ceiling: i64,
    /// The window `pin_ceiling` counts in.
    pub pin_window: Duration,
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
/// A request waits at most 2 seconds for an argon2 permit by default.
pub const DEFAULT_ARGON2_QUEUE_WAIT: Duration = Duration::from_secs(2);
/// Wrong PINs on one case number in a window, from everyone, by default.
pub const DEFAULT_PIN_CEILING: i64 = 100;
/// The window of the PIN ceiling: a day by default.
pub const DEFAULT_PIN_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// argon2 computations at once by default: one per core.
pub fn default_argon2_permits() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            argon2: Argon2Cost::default(),
            suspend_after: DEFAULT_SUSPEND_AFTER,
            lockout_after: DEFAULT_LOCKOUT_AFTER,
            first_lock: DEFAULT_FIRST_LOCK,
            key_cache_ttl: DEFAULT_KEY_CACHE_TTL,
            feed_release: FeedRelease::default(),
            argon2_permits: default_argon2_permits(),
            argon2_queue_wait: DEFAULT_ARGON2_QUEUE_WAIT,
            pin_ceiling: DEFAULT_PIN_CEILING,
            pin_window: DEFAULT_PIN_WINDOW,
        }
    }
}

/// The bank: cases, platforms, reports, the feed and the audit log in the
/// database, and the active hashes in memory.
pub struct Bank {
    pub(crate) db: Db,
    pub(crate) matcher: FeedMatcher,
    pub(crate) secrets: Secrets,
    pub(crate) settings: Settings,
    pub(crate) keys: KeyCache,
    /// Hash ids the match API gave platforms, not yet written.
    pub(crate) grants: crate::reports::Grants,
    /// Wrong PINs per client and case number.
    pub(crate) client_locks: ClientLocks,
    /// Permits for argon2 computations (see [`Settings::argon2_permits`]).
    argon2_pool: Arc<Semaphore>,
    /// argon2 computations started since the bank opened.
    argon2_runs: AtomicU64,
    /// Work for the argon2 threads.
    argon2_jobs: mpsc::Sender<Argon2Job>,
    /// This bank's random id, read once (`crate::exchanges`).
    pub(crate) bank_id: tokio::sync::OnceCell<String>,
}

/// A computation for an argon2 thread.
type Argon2Job = Box<dyn FnOnce() + Send>;

/// Starts `n` threads that run argon2, and only argon2. Each argon2
/// computation allocates its 19 MiB anew; on threads of their own, that
/// memory is reused by the next computation of the same thread, where on
/// the runtime's many blocking threads each thread's allocator kept its own
/// copy (hundreds of MiB after a flood).
///
/// The threads run at the lowest priority (nice 19): when strangers keep
/// them busy with wrong keys and PINs, matching and every other request
/// still get the cores first, and argon2 has what is left.
fn start_argon2_threads(n: usize) -> Result<mpsc::Sender<Argon2Job>> {
    let (jobs, queue) = mpsc::channel::<Argon2Job>();
    let queue = Arc::new(Mutex::new(queue));
    for i in 0..n {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                lower_priority();
                loop {
                    let job = match queue.lock().expect("argon2 queue").recv() {
                        Ok(job) => job,
                        // The bank is gone.
                        Err(_) => return,
                    };
                    // A computation that panics fails its request, not the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .map_err(|e| BankError::Internal(format!("starting the argon2 threads: {e}")))?;
    }
    Ok(jobs)
}

/// Nice value of the argon2 threads: the lowest priority.
#[cfg(target_os = "linux")]
pub(crate) const ARGON2_NICE: i32 = 19;

/// Lowers the calling thread to [`ARGON2_NICE`] (on Linux the nice value
/// is a thread's own). Where that is refused, the thread runs on as it is.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(err) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), ARGON2_NICE)
    {
        tracing::warn!(error = %err, "could not lower the argon2 threads' priority");
    }
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
        if settings.argon2_permits == 0 || settings.argon2_permits > Semaphore::MAX_PERMITS {
            return Err(BankError::invalid(
                "invalid_setting",
                "argon2 permits must be at least 1",
            ));
        }
        if settings.lockout_after < 1 || settings.pin_ceiling < 1 || settings.pin_window.is_zero() {
            return Err(BankError::invalid(
                "invalid_setting",
                "lockout-after, the PIN ceiling and its window must be at least 1",
            ));
        }
        Ok(Arc::new(Bank {
            db,
            matcher: FeedMatcher::new(),
            secrets,
            keys: KeyCache::new(settings.key_cache_ttl),
            grants: crate::reports::Grants::default(),
            client_locks: ClientLocks::new(),
            argon2_pool: Arc::new(Semaphore::new(settings.argon2_permits)),
            argon2_runs: AtomicU64::new(0),
            argon2_jobs: start_argon2_threads(settings.argon2_permits)?,
            bank_id: tokio::sync::OnceCell::new(),
            settings,
        }))
    }

    /// Loads every active hash into the matcher.
    pub async fn load(&self) -> Result<()> {
        self.load_with(None).await.map(|_| ())
    }

    /// Loads every active hash into the matcher: from the matcher saved at
    /// `saved` when there is one that can be used (see
    /// [`FeedMatcher::save`]), else from the database. Says what became of the
    /// saved one.
    pub async fn load_with(&self, saved: Option<&Path>) -> Result<Opened> {
        // A process stopped between an erasure and its cleaning on disk
        // left the cleaning to this start.
        self.db.clean().await?;
        let opened = match saved {
            Some(path) => self.matcher.open_saved(&self.db, path).await?,
            None => Opened::Absent,
        };
        if !matches!(opened, Opened::Read { .. }) {
            self.matcher.load(&self.db).await?;
        }
        Ok(opened)
    }

    /// Saves the matcher to `path` for the next start (see
    /// [`FeedMatcher::save`]); returns the hashes saved.
    pub async fn save_matcher(&self, path: &Path) -> Result<usize> {
        self.matcher.save(&self.db, path).await
    }

    /// Applies what other servers (or operator commands) committed since the
    /// last call; returns the feed entries read.
    pub async fn follow(&self) -> Result<usize> {
        self.matcher.follow(&self.db).await
    }

    /// What the server does in the background besides following: writes
    /// the match API's grants, releases the held feed entries that are due,
    /// and finishes erasures on disk.
    pub async fn maintain(&self) -> Result<()> {
        self.flush_grants().await?;
        self.db.maintain().await;
        crate::release::release(&self.db, &self.settings.feed_release).await?;
        crate::withdrawn::destroy_expired(&self.db, crate::clock::now_ms()).await?;
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
    pub fn matcher(&self) -> &FeedMatcher {
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

    /// Runs an argon2 verification off the async threads, on a permit of
    /// the argon2 pool; [`BankError::Busy`] when none frees up in time.
    pub(crate) async fn verify_secret(&self, secret: String, phc: Option<String>) -> Result<bool> {
        let secrets = self.secrets.clone();
        self.on_argon2_pool(move || secrets.verify(&secret, phc.as_deref()))
            .await
    }

    /// Runs an argon2 hash off the async threads, on a permit of the argon2
    /// pool; [`BankError::Busy`] when none frees up in time.
    pub(crate) async fn hash_secret(&self, secret: String) -> Result<String> {
        let secrets = self.secrets.clone();
        self.on_argon2_pool(move || secrets.hash(&secret)).await?
    }

    /// argon2 computations started since the bank opened (each verification
    /// and each hash counts one).
    pub fn argon2_runs(&self) -> u64 {
        self.argon2_runs.load(Ordering::Relaxed)
    }

    /// Takes `n` permits of the argon2 pool, as if that many checks ran.
    #[cfg(test)]
    pub(crate) async fn hold_argon2_permits(&self, n: u32) -> tokio::sync::OwnedSemaphorePermit {
        self.argon2_pool
            .clone()
            .acquire_many_owned(n)
            .await
            .expect("the argon2 pool")
    }

    /// Runs `work` on an argon2 thread once a permit of the argon2 pool is
    /// free, waiting at most [`Settings::argon2_queue_wait`]. The permit is
    /// held until `work` ends, even when the request that asked for it is
    /// gone, so no more than the permits ever run at once.
    async fn on_argon2_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let wait = self.settings.argon2_queue_wait;
        let permit =
            match tokio::time::timeout(wait, self.argon2_pool.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(_)) => return Err(BankError::Internal("the argon2 pool is closed".into())),
                Err(_) => {
                    return Err(BankError::Busy {
                        retry_after: wait.max(Duration::from_secs(1)),
                    })
                }
            };
        self.argon2_runs.fetch_add(1, Ordering::Relaxed);
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Argon2Job = Box::new(move || {
            let out = work();
            drop(permit);
            let _ = done.send(out);
        });
        self.argon2_jobs
            .send(job)
            .map_err(|_| BankError::Internal("the argon2 threads stopped".into()))?;
        answer
            .await
            .map_err(|_| BankError::Internal("an argon2 thread failed".into()))
    }
}

/// Whether `err` is a unique-constraint violation (a random id or case
/// number that clashed), worth retrying with new ones.
pub(crate) fn is_clash(err: &BankError) -> bool {
    matches!(err, BankError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
}

/// Tries a write that draws random ids this many times before giving up.
pub(crate) const CLASH_RETRIES: usize = 3;

/// A bank for unit tests: a SQLite file in `dir`, argon2 at a light cost,
/// the matcher loaded.
#[cfg(test)]
pub(crate) async fn test_bank(dir: &tempfile::TempDir, settings: Settings) -> Arc<Bank> {
    let url = format!("sqlite://{}", dir.path().join("bank.db").display());
    let settings = Settings {
        argon2: Argon2Cost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
        ..settings
    };
    let bank = Bank::open(&url, settings).await.unwrap();
    bank.load().await.unwrap();
    bank
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use rustix::process::getpriority_process;
    use rustix::thread::gettid;

    #[tokio::test]
    async fn argon2_runs_at_the_lowest_priority_and_only_there() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let caller = getpriority_process(Some(gettid())).unwrap();
        let on_pool = bank
            .on_argon2_pool(|| getpriority_process(Some(gettid())))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(on_pool, ARGON2_NICE);
        // The other threads keep their priority.
        assert_eq!(getpriority_process(Some(gettid())).unwrap(), caller);
        assert_ne!(caller, ARGON2_NICE);
    }
}
