//! Options every bank command shares: where the database is, its audit
//! key, and the argon2id cost of new PINs and keys. Also the async runtime
//! they run on.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hashbank_bank::{Argon2Cost, Bank, OpenOptions, Settings};

/// Where the bank is.
#[derive(Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// The bank's database: sqlite://FILE (created by `hashbank serve` on
    /// first start) or postgres://USER@HOST/NAME.
    #[arg(
        long,
        env = "HASHBANK_DATABASE",
        hide_env_values = true,
        default_value = "sqlite://hashbank.db",
        global = true
    )]
    pub database: String,
    /// Create the SQLite file when it does not exist (only `hashbank serve`
    /// does so without this; others refuse a missing database).
    #[arg(long, global = true)]
    pub create: bool,
    /// The audit log's key file (default for SQLite: NAME.audit-key beside
    /// NAME.db, made on first start; PostgreSQL: required, made with
    /// `hashbank audit new-key`).
    #[arg(
        long,
        env = "HASHBANK_AUDIT_KEY_FILE",
        value_name = "FILE",
        global = true
    )]
    pub audit_key: Option<PathBuf>,
    /// argon2id memory (KiB) for new PINs and API keys.
    #[arg(
        long,
        env = "HASHBANK_ARGON2_MEMORY_KIB",
        default_value_t = Argon2Cost::default().memory_kib,
        hide = true,
        global = true
    )]
    pub argon2_memory_kib: u32,
    /// argon2id passes for new PINs and API keys.
    #[arg(
        long,
        env = "HASHBANK_ARGON2_ITERATIONS",
        default_value_t = Argon2Cost::default().iterations,
        hide = true,
        global = true
    )]
    pub argon2_iterations: u32,
}

impl DatabaseArgs {
    /// The argon2id cost these options give.
    pub fn argon2(&self) -> Argon2Cost {
        Argon2Cost {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            ..Argon2Cost::default()
        }
    }

    /// Opens the bank with `settings` (their argon2 cost replaced by these
    /// options'), for writing: a missing SQLite file is refused unless
    /// `--create`.
    pub async fn open(&self, settings: Settings) -> anyhow::Result<std::sync::Arc<Bank>> {
        self.open_as(settings, self.create, false).await
    }

    /// Opens the bank for `hashbank serve`, which creates a missing SQLite
    /// file and its audit key.
    pub async fn open_to_serve(&self, settings: Settings) -> anyhow::Result<std::sync::Arc<Bank>> {
        self.open_as(settings, true, false).await
    }

    /// Opens an existing bank to read it, without its audit key.
    pub async fn open_to_read(&self) -> anyhow::Result<std::sync::Arc<Bank>> {
        self.open_as(Settings::default(), false, true).await
    }

    async fn open_as(
        &self,
        settings: Settings,
        create: bool,
        read_only: bool,
    ) -> anyhow::Result<std::sync::Arc<Bank>> {
        owner_only_files();
        let settings = Settings {
            argon2: self.argon2(),
            ..settings
        };
        let options = OpenOptions {
            create,
            audit_key: self.audit_key.clone(),
            read_only,
        };
        Bank::open_with(&self.database, settings, &options)
            .await
            .with_context(|| format!("opening the bank at {}", redact(&self.database)))
    }
}

/// Files the bank commands create (the database, its -wal and -shm, the
/// audit key) are readable by their owner only, whatever the umask was.
fn owner_only_files() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// `url` without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A multi-threaded async runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://bank:secret@db/hashbank"),
            "postgres://bank:***@db/hashbank"
        );
        assert_eq!(redact("sqlite://hashbank.db"), "sqlite://hashbank.db");
        assert_eq!(redact("postgres://bank@db/x"), "postgres://bank@db/x");
    }
}
