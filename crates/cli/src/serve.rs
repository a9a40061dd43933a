//! `hashbank serve`: the bank over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use hashbank_bank::{FeedRelease, Settings};
use hashbank_server::{ServeOptions, DEFAULT_FOLLOW_INTERVAL, DEFAULT_MAX_BODY_BYTES};

use crate::bank_args::{runtime, DatabaseArgs};

/// Options of `hashbank serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Address and port to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Serve the static files in DIR at / (the web page for filing cases).
    /// Without it, web/dist is served when it holds the built page (from the
    /// repository root after web/build.sh).
    #[arg(long, value_name = "DIR")]
    web_dir: Option<PathBuf>,
    /// Suspend a hash when this many platforms report its matches as not violating.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_SUSPEND_AFTER)]
    suspend_after: usize,
    /// Lock a case number after this many wrong PINs in a row.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_LOCKOUT_AFTER)]
    lockout_after: i64,
    /// The first lock's length in seconds (each further lock doubles it).
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_FIRST_LOCK.as_secs())]
    first_lock_secs: u64,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Read the feed for other servers' writes every this many milliseconds.
    #[arg(long, default_value_t = DEFAULT_FOLLOW_INTERVAL.as_millis() as u64)]
    follow_interval_ms: u64,
    /// Trust a verified API key this many milliseconds before checking again
    /// whether it was revoked.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_KEY_CACHE_TTL.as_millis() as u64)]
    key_cache_ms: u64,
    #[command(flatten)]
    feed: FeedArgs,
}

/// When the feed releases new entries to platforms (in shuffled batches
/// that mix many cases).
#[derive(Args, Debug)]
struct FeedArgs {
    /// Release held feed entries once they come from this many writes
    /// (filings, withdrawals).
    #[arg(long, env = "HASHBANK_FEED_MIX_WRITES", default_value_t = hashbank_bank::DEFAULT_MIX_WRITES)]
    feed_mix_writes: usize,
    /// Release held additions after at most this many seconds, mixed or not
    /// (0: right after each write).
    #[arg(long, env = "HASHBANK_FEED_HOLD_SECS", default_value_t = hashbank_bank::DEFAULT_HOLD.as_secs())]
    feed_hold_secs: u64,
    /// Release held deletions after at most this many seconds, mixed or not
    /// (0: right after each write).
    #[arg(long, env = "HASHBANK_FEED_DELETE_HOLD_SECS", default_value_t = hashbank_bank::DEFAULT_DELETE_HOLD.as_secs())]
    feed_delete_hold_secs: u64,
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        let settings = Settings {
            suspend_after: args.suspend_after,
            lockout_after: args.lockout_after,
            first_lock: Duration::from_secs(args.first_lock_secs),
            key_cache_ttl: Duration::from_millis(args.key_cache_ms),
            feed_release: FeedRelease {
                mix_writes: args.feed.feed_mix_writes.max(1),
                hold: Duration::from_secs(args.feed.feed_hold_secs),
                delete_hold: Duration::from_secs(args.feed.feed_delete_hold_secs),
            },
            ..Settings::default()
        };
        let bank = args.db.open_to_serve(settings).await?;
        let options = ServeOptions {
            listen: args.listen,
            web_dir: args.web_dir.or_else(default_web_dir),
            max_body_bytes: args.max_body_bytes,
            follow_interval: Duration::from_millis(args.follow_interval_ms.max(1)),
        };
        hashbank_server::run(bank.clone(), options, shutdown_signal())
            .await
            .context("serving")?;
        bank.db().close().await;
        Ok(0)
    })
}

/// The page's folder when `--web-dir` is not given: `web/dist` under the
/// current folder, if the page was built there.
fn default_web_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(DEFAULT_WEB_DIR);
    dir.join("index.html").is_file().then(|| {
        println!("hashbank: serving the page in {DEFAULT_WEB_DIR} at /");
        dir
    })
}

/// Where web/build.sh puts the page.
const DEFAULT_WEB_DIR: &str = "web/dist";

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
