//! The database: one SQL dialect that SQLite and PostgreSQL both speak,
//! through sqlx's `Any` driver, with the schema brought up to date on open.
//!
//! Erased values do not stay on disk. SQLite runs with `secure_delete`
//! (deleted content is zeroed in its pages), but a row that SQLite moved
//! between pages while it was live can leave a copy in the unused space of
//! the page it left, which no later delete reaches; so after every erasure
//! the database is rewritten (`VACUUM`, one rewrite covering every erasure
//! committed before it began) and the write-ahead log checkpointed and
//! truncated, so no older page holding a value is left in either file. On
//! PostgreSQL the tables an erasure touched are vacuumed shortly after.
//! Erasures are counted in the head row with the last count cleaned, so a
//! process stopped between an erasure and its cleaning cleans at the next
//! start. A SQLite file (and its -wal
//! and -shm, which SQLite creates with the file's mode) is readable by its
//! owner only.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

use crate::error::{BankError, Result};

/// Connections the pool keeps at most for PostgreSQL.
const POSTGRES_CONNECTIONS: u32 = 16;
/// Native PostgreSQL connections for bulk reads, at most.
const POSTGRES_BULK_CONNECTIONS: u32 = 4;
/// Connections the pool keeps at most for SQLite (one writer at a time, WAL
/// readers alongside).
const SQLITE_CONNECTIONS: u32 = 8;
/// How long a connection may be waited for.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long SQLite waits for another writer (another process, e.g. an
/// operator command) before giving up, in milliseconds.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;
/// SQLite's page cache per connection, in KiB (its default is 2 MiB, which
/// makes random-id inserts into a bank of millions of hashes disk-bound).
const SQLITE_CACHE_KIB: u32 = 32 * 1024;
/// The size the write-ahead log file is cut back to when it starts again.
const SQLITE_LOG_KEEP_BYTES: u64 = 64 * 1024 * 1024;
/// Statements run on every new SQLite connection: write-ahead log, every
/// commit synced to disk before it returns, foreign keys enforced, deleted
/// content overwritten with zeros, and temporary data (a statement's undo
/// copies of the pages it changes, sorts) kept in memory: never in a
/// temporary file, where deleted values would outlive their erasure. The
/// log grows while readers keep a checkpoint from starting it again (a bank
/// copying another's feed grows it by gigabytes); it is cut back to
/// [`SQLITE_LOG_KEEP_BYTES`] whenever it starts again.
fn sqlite_setup() -> String {
    format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
         PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -{SQLITE_CACHE_KIB}; PRAGMA secure_delete = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = {SQLITE_LOG_KEEP_BYTES};"
    )
}
/// PostgreSQL: the tables an erasure touched are vacuumed at most this often
/// (a burst of withdrawals makes one vacuum, not one each).
const VACUUM_EVERY: Duration = Duration::from_secs(60);
/// The tables that hold hash values, and the keys of saved matchers.
const VALUE_TABLES: &str =
    "hashes, hash_values, reports, finds, feed, matcher_keys, exchange_holdings, exchange_forwards";

/// Which database the bank is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server (several bank servers may share it).
    Postgres,
}

/// A pool of connections to the bank's database.
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: AnyPool,
    /// PostgreSQL: a few connections of the native driver for the reads
    /// that return many rows (the feed, the matcher's load), which the
    /// `Any` driver decodes several times slower.
    pub(crate) pg: Option<sqlx::PgPool>,
    backend: Backend,
    file: Option<PathBuf>,
    erasure: Arc<Erasure>,
    pub(crate) audit_key: Option<Arc<crate::audit::AuditKey>>,
}

/// What is left to do on disk after erasures.
#[derive(Default)]
struct Erasure {
    /// SQLite: held while the database is rewritten, so that rewrites run
    /// one at a time and erasures waiting together share the next one.
    rewrite: tokio::sync::Mutex<()>,
    /// SQLite: a rewrite after an erasure failed.
    rewrite_due: AtomicBool,
    /// SQLite: a checkpoint after an erasure found readers in the way.
    checkpoint_due: AtomicBool,
    /// PostgreSQL: rows were erased since the last vacuum.
    vacuum_due: AtomicBool,
    /// PostgreSQL: when the last vacuum ran.
    last_vacuum: Mutex<Option<Instant>>,
}

impl Db {
    /// Opens the database at `url` (`sqlite://FILE` — created when absent —
    /// or `postgres://...`) and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Db> {
        Db::open_with(url, true).await
    }

    /// Opens the database at `url` and brings its schema up to date; a
    /// SQLite file that does not exist is created (readable by its owner
    /// only) when `create`, else refused.
    pub async fn open_with(url: &str, create: bool) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(BankError::invalid(
                "invalid_setting",
                format!("a database URL starts with sqlite:// or postgres://, not {url:?}"),
            ));
        };
        let file = match backend {
            Backend::Sqlite => sqlite_file(url)?,
            Backend::Postgres => None,
        };
        if let Some(file) = &file {
            prepare_sqlite_file(file, create)?;
        }
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode={}", if create { "rwc" } else { "rw" })
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => SQLITE_CONNECTIONS,
                Backend::Postgres => POSTGRES_CONNECTIONS,
            })
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(sqlx::raw_sql(&sqlite_setup())).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let pg = match backend {
            Backend::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(POSTGRES_BULK_CONNECTIONS)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_lazy_with(sqlx::postgres::PgConnectOptions::from_str(&url)?),
            ),
            Backend::Sqlite => None,
        };
        // A process killed between an erasure and its checkpoint leaves the
        // erased pages in the write-ahead log: the first maintenance after
        // opening checkpoints whatever is there.
        let erasure = Erasure {
            checkpoint_due: AtomicBool::new(backend == Backend::Sqlite),
            ..Erasure::default()
        };
        Ok(Db {
            pool,
            pg,
            backend,
            file,
            erasure: Arc::new(erasure),
            audit_key: None,
        })
    }

    /// The SQLite file, when the bank is on one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// After a write that erased hash values, makes sure they leave the
    /// disk: SQLite checkpoints its write-ahead log into the database file
    /// and truncates it (`wal_checkpoint(TRUNCATE)`; when readers are in
    /// the way it is tried again by [`Db::maintain`]); PostgreSQL marks the
    /// tables for [`Db::maintain`] to vacuum.
    pub(crate) async fn erased(&self) {
        match self.backend {
            Backend::Sqlite => {
                if let Err(err) = self.clean().await {
                    tracing::warn!(error = %err, "rewriting the database after an erasure failed");
                    self.erasure.rewrite_due.store(true, Ordering::Release);
                }
            }
            Backend::Postgres => self.erasure.vacuum_due.store(true, Ordering::Release),
        }
    }

    /// Erasures committed (`erasure_seq`) and erasures cleaned on disk
    /// (`cleaned_seq`).
    async fn erasure_counts(&self) -> Result<(i64, i64)> {
        Ok(
            sqlx::query_as("SELECT erasure_seq, cleaned_seq FROM head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Cleans the disk of every erasure committed so far, unless done: on
    /// SQLite, rewrites the database and checkpoints; on PostgreSQL, marks
    /// the tables for vacuuming. Called after erasures and at start.
    pub async fn clean(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            let (erased, cleaned) = self.erasure_counts().await?;
            if cleaned < erased {
                self.erasure.vacuum_due.store(true, Ordering::Release);
            }
            return Ok(());
        }
        // Whoever holds the lock rewrites for every erasure committed
        // before it read the count; an erasure that waited for it finds
        // itself covered.
        let _rewriting = self.erasure.rewrite.lock().await;
        let (erased, cleaned) = self.erasure_counts().await?;
        if cleaned >= erased {
            return Ok(());
        }
        sqlx::raw_sql("VACUUM").execute(&self.pool).await?;
        sqlx::query("UPDATE head SET cleaned_seq = $1 WHERE id = 1 AND cleaned_seq < $1")
            .bind(erased)
            .execute(&self.pool)
            .await?;
        if !self.checkpoint().await {
            self.erasure.checkpoint_due.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// SQLite: checkpoints the write-ahead log into the database file and
    /// truncates it; whether that completed.
    async fn checkpoint(&self) -> bool {
        let done: std::result::Result<(i64, i64, i64), _> =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.pool)
                .await;
        match done {
            Ok((0, _, _)) => true,
            Ok(_) => false,
            Err(err) => {
                tracing::warn!(error = %err, "checkpointing the write-ahead log failed");
                false
            }
        }
    }

    /// Finishes what erasures left to do on disk: a checkpoint that readers
    /// held up (SQLite), or a vacuum of the tables holding hash values at
    /// most every minute (PostgreSQL). The server runs this in its
    /// background loop.
    pub async fn maintain(&self) {
        match self.backend {
            Backend::Sqlite => {
                if self.erasure.rewrite_due.swap(false, Ordering::AcqRel) {
                    if let Err(err) = self.clean().await {
                        tracing::warn!(error = %err, "rewriting the database after an erasure failed");
                        self.erasure.rewrite_due.store(true, Ordering::Release);
                    }
                }
                if self.erasure.checkpoint_due.swap(false, Ordering::AcqRel)
                    && !self.checkpoint().await
                {
                    self.erasure.checkpoint_due.store(true, Ordering::Release);
                }
            }
            Backend::Postgres => {
                if !self.erasure.vacuum_due.load(Ordering::Acquire) {
                    return;
                }
                {
                    let last = self.erasure.last_vacuum.lock().expect("vacuum lock");
                    if last.is_some_and(|at| at.elapsed() < VACUUM_EVERY) {
                        return;
                    }
                }
                self.vacuum().await;
            }
        }
    }

    /// PostgreSQL: vacuums the tables holding hash values now, so that the
    /// space of erased rows is reclaimed (and reused).
    pub async fn vacuum(&self) {
        if self.backend != Backend::Postgres {
            return;
        }
        self.erasure.vacuum_due.store(false, Ordering::Release);
        *self.erasure.last_vacuum.lock().expect("vacuum lock") = Some(Instant::now());
        let done = async {
            let (erased, _) = self.erasure_counts().await?;
            sqlx::raw_sql(&format!("VACUUM {VALUE_TABLES}"))
                .execute(&self.pool)
                .await?;
            sqlx::query("UPDATE head SET cleaned_seq = $1 WHERE id = 1 AND cleaned_seq < $1")
                .bind(erased)
                .execute(&self.pool)
                .await?;
            Ok::<_, BankError>(())
        };
        if let Err(err) = done.await {
            tracing::warn!(error = %err, "vacuuming after an erasure failed");
            self.erasure.vacuum_due.store(true, Ordering::Release);
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Closes every connection.
    pub async fn close(&self) {
        if let Some(pg) = &self.pg {
            pg.close().await;
        }
        self.pool.close().await;
    }
}

/// The file of a `sqlite:` URL (`None` for an in-memory database), read as
/// sqlx reads it.
fn sqlite_file(url: &str) -> Result<Option<PathBuf>> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || params.contains("mode=memory") {
        return Ok(None);
    }
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| BankError::invalid("invalid_setting", "the database path is not UTF-8"))?;
    Ok(Some(PathBuf::from(path.as_ref())))
}

/// Makes sure `file` exists and is its owner's only before SQLite opens it:
/// created with mode 0600 when absent and `create` (SQLite gives its -wal
/// and -shm files the database file's mode), refused when absent
/// otherwise; an existing file (or -wal, -shm) that others may read is
/// made owner-only.
fn prepare_sqlite_file(file: &Path, create: bool) -> Result<()> {
    let io = |what: &str, err: std::io::Error| {
        BankError::invalid(
            "invalid_setting",
            format!("{what} {}: {err}", file.display()),
        )
    };
    match std::fs::metadata(file) {
        Ok(_) => {
            for path in [
                file.to_path_buf(),
                side_file(file, "-wal"),
                side_file(file, "-shm"),
            ] {
                owner_only(&path).map_err(|e| io("restricting", e))?;
            }
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Err(BankError::invalid(
                    "no_database",
                    format!(
                        "there is no bank at {} (is the path right? `hashbank serve` creates \
                         the database on first start, or give --create)",
                        file.display()
                    ),
                ));
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(file) {
                Ok(_) => Ok(()),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                Err(err) => Err(io("creating", err)),
            }
        }
        Err(err) => Err(io("reading", err)),
    }
}

/// `file` with `suffix` appended to its name (SQLite's -wal and -shm).
fn side_file(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Takes group and other permissions off `path`, if it exists.
fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions().mode(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err),
        };
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the database was readable by others; made owner-only");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A value bound to a statement built at run time.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
}

/// Most bound parameters in one statement built at run time (a multi-row
/// INSERT, an `IN` list). sqlx asks SQLite the name of every parameter
/// when it binds, and SQLite finds a `$N` name by walking the statement's
/// list of names: the cost of binding grows with the square of the named
/// parameters, and past a few hundred it costs more than the writing (it
/// was a third of a bank copy's time at 2,800 a statement).
pub(crate) const PARAMS_PER_STATEMENT: usize = 256;
/// Most bound parameters in one multi-row INSERT, whose parameters on
/// SQLite are anonymous (`?`, no names to walk); well under the limits
/// (SQLite 32,766, PostgreSQL 65,535).
const INSERT_PARAMS: usize = 4096;

/// `$first, …`: `n` numbered parameters, for an `IN` list.
pub(crate) fn params(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts `rows` into `table (columns)`, several rows per statement.
pub(crate) async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    // PostgreSQL numbers its parameters; SQLite takes them anonymous, in
    // order, which it binds without looking names up.
    let sqlite = conn.backend_name() == "SQLite";
    let per_statement = (INSERT_PARAMS / columns.len().max(1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                if sqlite {
                    sql.push('?');
                } else {
                    sql.push_str(&format!("${n}"));
                }
            }
            sql.push(')');
        }
        let mut query = sqlx::query::<Any>(&sql);
        for row in chunk {
            for value in row {
                query = match value.clone() {
                    Value::Int(v) => query.bind(v),
                    Value::Text(v) => query.bind(v),
                    Value::OptInt(v) => query.bind(v),
                    Value::OptText(v) => query.bind(v),
                };
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::*;

    /// An erasure committed but not cleaned on disk (the process stopped in
    /// between) is cleaned by the next start, and only once.
    #[tokio::test]
    async fn an_erasure_left_uncleaned_is_cleaned_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bank.db").display());
        let db = Db::open(&url).await.unwrap();
        // As a write that erased and was stopped before its rewrite.
        sqlx::query("UPDATE head SET erasure_seq = erasure_seq + 2 WHERE id = 1")
            .execute(&db.pool)
            .await
            .unwrap();
        db.close().await;
        let db = Db::open(&url).await.unwrap();
        assert_eq!(db.erasure_counts().await.unwrap(), (2, 0));
        db.clean().await.unwrap();
        assert_eq!(db.erasure_counts().await.unwrap(), (2, 2));
        db.clean().await.unwrap();
        assert_eq!(db.erasure_counts().await.unwrap(), (2, 2));
    }

    /// Migration 0002 labels the PDQ hashes stored before it as plain and
    /// leaves digests without a label, in `hashes` and on the feed.
    #[tokio::test]
    async fn labels_migration_labels_earlier_pdq_hashes_plain() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
        let pool = AnyPoolOptions::new().connect(&url).await.unwrap();
        pool.execute(sqlx::raw_sql(include_str!(
            "../migrations/sqlite/0001_bank.sql"
        )))
        .await
        .unwrap();
        pool.execute(sqlx::raw_sql(
            "INSERT INTO cases (id, number, pin_hash, status, created_at) \
             VALUES (1, 'HB-A', 'x', 'open', 0); \
             INSERT INTO hashes (id, case_id, kind, role, value, quality, status, added_at) \
             VALUES (10, 1, 'pdq', 'plain', 'ab', 90, 'active', 0), \
                    (11, 1, 'md5', 'plain', 'cd', NULL, 'active', 0); \
             INSERT INTO feed (cursor, op, hash_id, kind, role, value, quality) \
             VALUES (1, 'add', 10, 'pdq', 'plain', 'ab', 90), \
                    (2, 'add', 11, 'md5', 'plain', 'cd', NULL), \
                    (3, 'delete', 12, NULL, NULL, NULL, NULL);",
        ))
        .await
        .unwrap();
        pool.execute(sqlx::raw_sql(include_str!(
            "../migrations/sqlite/0002_labels.sql"
        )))
        .await
        .unwrap();
        for table in ["hashes", "feed"] {
            let id = if table == "hashes" { "id" } else { "hash_id" };
            let rows = sqlx::query(&format!("SELECT {id}, label FROM {table} ORDER BY {id}"))
                .fetch_all(&pool)
                .await
                .unwrap();
            let labels: Vec<(i64, Option<String>)> =
                rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            let mut want = vec![(10, Some("pdq".to_string())), (11, None)];
            if table == "feed" {
                want.push((12, None));
            }
            assert_eq!(labels, want, "{table}");
        }
    }

    /// Migration 0004 makes one value per (kind, label, value) held by an
    /// open case: the feed keeps one addition per active value (the others
    /// get deletions after the last cursor), a value is suspended when any
    /// hash of it was, and reports move to values, once per platform, value
    /// and content.
    #[tokio::test]
    async fn values_migration_merges_equal_hashes() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
        let pool = AnyPoolOptions::new().connect(&url).await.unwrap();
        for sql in [
            include_str!("../migrations/sqlite/0001_bank.sql"),
            include_str!("../migrations/sqlite/0002_labels.sql"),
        ] {
            pool.execute(sqlx::raw_sql(sql)).await.unwrap();
        }
        pool.execute(sqlx::raw_sql(
            "INSERT INTO cases (id, number, pin_hash, category, status, created_at) \
             VALUES (1, 'HB-A', 'x', NULL, 'open', 0), (2, 'HB-B', 'x', 'minor', 'open', 0), \
                    (3, 'HB-C', 'x', NULL, 'withdrawn', 0); \
             INSERT INTO platforms (id, name, key_id, key_hash, created_at) \
             VALUES (7, 'p', 'k', 'h', 0); \
             INSERT INTO hashes (id, case_id, kind, role, value, quality, status, added_at, label) \
             VALUES (10, 1, 'pdq', 'plain', 'ab', 90, 'active', 0, 'pdq'), \
                    (20, 2, 'pdq', 'plain', 'ab', 80, 'active', 0, 'pdq'), \
                    (11, 1, 'md5', 'plain', 'cd', NULL, 'suspended', 0, NULL), \
                    (21, 2, 'md5', 'plain', 'cd', NULL, 'active', 0, NULL), \
                    (30, 3, 'pdq', 'plain', NULL, NULL, 'withdrawn', 0, 'pdq'); \
             INSERT INTO feed (cursor, op, hash_id, kind, role, value, quality, category, label) \
             VALUES (1, 'add', 10, 'pdq', 'plain', 'ab', 90, NULL, 'pdq'), \
                    (3, 'add', 20, 'pdq', 'plain', 'ab', 80, 'minor', 'pdq'), \
                    (4, 'add', 21, 'md5', 'plain', 'cd', NULL, 'minor', NULL), \
                    (5, 'delete', 30, NULL, NULL, NULL, NULL, NULL, NULL), \
                    (6, 'delete', 11, NULL, NULL, NULL, NULL, NULL, NULL); \
             UPDATE head SET feed_cursor = 6; \
             INSERT INTO reports (id, platform_id, hash_id, distance, content_ref, outcome, reported_at) \
             VALUES (100, 7, 10, 0, 'c', NULL, 0), (101, 7, 20, 0, 'c', 'removed', 0), \
                    (102, 7, 10, 0, 'd', NULL, 0), (103, 7, 30, 0, 'e', NULL, 0);",
        ))
        .await
        .unwrap();
        pool.execute(sqlx::raw_sql(include_str!(
            "../migrations/sqlite/0004_values.sql"
        )))
        .await
        .unwrap();
        let values: Vec<(i64, String, Option<String>, String)> =
            sqlx::query_as("SELECT id, value, category, status FROM hash_values ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(
            values,
            vec![
                (10, "ab".into(), Some("minor".into()), "active".into()),
                (11, "cd".into(), Some("minor".into()), "suspended".into()),
            ]
        );
        let hashes: Vec<(i64, Option<i64>, String)> =
            sqlx::query_as("SELECT id, value_id, status FROM hashes ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(
            hashes,
            vec![
                (10, Some(10), "active".into()),
                (11, Some(11), "suspended".into()),
                (20, Some(10), "active".into()),
                (21, Some(11), "suspended".into()),
                (30, None, "withdrawn".into()),
            ]
        );
        let feed: Vec<(i64, String, i64, Option<String>)> =
            sqlx::query_as("SELECT cursor, op, hash_id, category FROM feed ORDER BY cursor")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(
            feed[..3].to_vec(),
            vec![
                (1, "add".into(), 10, Some("minor".into())),
                (5, "delete".into(), 30, None),
                (6, "delete".into(), 11, None),
            ]
        );
        let mut added: Vec<(i64, i64)> = feed[3..].iter().map(|f| (f.0, f.2)).collect();
        added.sort_by_key(|a| a.1);
        assert_eq!(
            feed[3..].iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
            ["delete"; 2]
        );
        assert_eq!(added.iter().map(|a| a.1).collect::<Vec<_>>(), [20, 21]);
        let mut cursors: Vec<i64> = added.iter().map(|a| a.0).collect();
        cursors.sort();
        assert_eq!(cursors, [7, 8]);
        let (head,): (i64,) = sqlx::query_as("SELECT feed_cursor FROM head")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(head, 8);
        let reports: Vec<(i64, i64, String, Option<String>)> =
            sqlx::query_as("SELECT id, hash_id, content_ref, outcome FROM reports ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(
            reports,
            vec![(100, 10, "c".into(), None), (102, 10, "d".into(), None)]
        );
    }
}
