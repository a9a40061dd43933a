//! `hashbank serve`: the bank over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use hashbank_bank::{FeedRelease, Settings};
use hashbank_server::limits::{DEFAULT_FILINGS, DEFAULT_KEY_TRIES, DEFAULT_PIN_TRIES};
use hashbank_server::{
    ConnectionLimits, Limits, Rate, ServeOptions, TlsFiles, TrustedProxy, DEFAULT_BODY_TIMEOUT,
    DEFAULT_FOLLOW_INTERVAL, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_SHUTDOWN_GRACE, DEFAULT_WRITE_TIMEOUT,
};

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
    #[command(flatten)]
    limits: LimitArgs,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Read the feed for other servers' writes every this many milliseconds.
    #[arg(long, default_value_t = DEFAULT_FOLLOW_INTERVAL.as_millis() as u64)]
    follow_interval_ms: u64,
    /// Fetch from the banks this one follows (`hashbank exchange`) and send
    /// them forwarded reports every this many milliseconds (failures back
    /// off from it, doubling up to 5 minutes).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    exchange_interval_ms: u64,
    /// Trust a verified API key this many milliseconds before checking again
    /// whether it was revoked.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_KEY_CACHE_TTL.as_millis() as u64)]
    key_cache_ms: u64,
    /// Save the matcher to FILE on an orderly shutdown and open it at the
    /// next start, instead of reading every hash from the database (a large
    /// bank starts in seconds). Encrypted with a key kept in the database;
    /// an erasure makes it unreadable, and a start deletes it.
    #[arg(long, value_name = "FILE")]
    matcher_file: Option<PathBuf>,
    #[command(flatten)]
    tls: TlsArgs,
    #[command(flatten)]
    connections: ConnectionArgs,
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

/// Limits on what strangers can make the server do (docs/limits.md).
#[derive(Args, Debug)]
struct LimitArgs {
    /// Lock a client out of a case number after this many wrong PINs in a
    /// row from it.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_LOCKOUT_AFTER, value_parser = clap::value_parser!(i64).range(1..))]
    lockout_after: i64,
    /// The first lock's length in seconds (each further lock doubles it, up
    /// to a day).
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_FIRST_LOCK.as_secs())]
    first_lock_secs: u64,
    /// Lock a case number for everyone after this many wrong PINs on it from
    /// all clients together within the PIN window.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_PIN_CEILING, value_parser = clap::value_parser!(i64).range(1..))]
    pin_ceiling: i64,
    /// The window of the PIN ceiling, in seconds.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_PIN_WINDOW.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pin_window_secs: u64,
    /// argon2 checks (PINs, keys) that run at once [default: the number of cores].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4096))]
    argon2_permits: Option<u32>,
    /// Milliseconds a request waits for an argon2 check before it is answered
    /// 503 with Retry-After.
    #[arg(long, default_value_t = hashbank_bank::DEFAULT_ARGON2_QUEUE_WAIT.as_millis() as u64)]
    argon2_queue_ms: u64,
    /// Requests with a platform key not verified before, per minute, per client address.
    #[arg(long, default_value_t = DEFAULT_KEY_TRIES.per_client, value_parser = per_minute())]
    key_tries_per_minute: u32,
    /// Requests with a platform key not verified before, per minute, from all clients.
    #[arg(long, default_value_t = DEFAULT_KEY_TRIES.global, value_parser = per_minute())]
    key_tries_per_minute_global: u32,
    /// PIN tries per minute per client address.
    #[arg(long, default_value_t = DEFAULT_PIN_TRIES.per_client, value_parser = per_minute())]
    pin_tries_per_minute: u32,
    /// PIN tries per minute from all clients.
    #[arg(long, default_value_t = DEFAULT_PIN_TRIES.global, value_parser = per_minute())]
    pin_tries_per_minute_global: u32,
    /// Filings (new cases, added hashes) per minute per client address.
    #[arg(long, default_value_t = DEFAULT_FILINGS.per_client, value_parser = per_minute())]
    filings_per_minute: u32,
    /// Filings per minute from all clients.
    #[arg(long, default_value_t = DEFAULT_FILINGS.global, value_parser = per_minute())]
    filings_per_minute_global: u32,
    /// A reverse proxy (address or network, ADDR/LEN) whose X-Forwarded-For
    /// names the client; may be repeated. Without it the client is the TCP peer.
    #[arg(long, value_name = "ADDR_OR_CIDR")]
    trusted_proxy: Vec<TrustedProxy>,
}

fn per_minute() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..)
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            key_tries: Rate {
                per_client: self.key_tries_per_minute,
                global: self.key_tries_per_minute_global,
            },
            pin_tries: Rate {
                per_client: self.pin_tries_per_minute,
                global: self.pin_tries_per_minute_global,
            },
            filings: Rate {
                per_client: self.filings_per_minute,
                global: self.filings_per_minute_global,
            },
            trusted_proxies: self.trusted_proxy.clone(),
        }
    }
}

/// HTTPS.
#[derive(Args, Debug)]
struct TlsArgs {
    /// Serve HTTPS with the certificate chain in this PEM file (with
    /// --tls-key); every answer then carries Strict-Transport-Security.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key, a PEM file.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

impl TlsArgs {
    fn files(&self) -> Option<TlsFiles> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        }
    }
}

/// Timeouts and the connection cap.
#[derive(Args, Debug)]
struct ConnectionArgs {
    /// Seconds a client has to send a request's headers, from connecting
    /// or from the end of the previous answer (an idle connection is
    /// closed after them).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_HEADER_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout_secs: u64,
    /// Seconds a client has to send a request's body; past them the
    /// answer is 408.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_BODY_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout_secs: u64,
    /// Seconds an answer may wait for the client to read it.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_WRITE_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    write_timeout_secs: u64,
    /// Connections served at once; a new one over the cap is answered 503
    /// with Retry-After and closed.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_connections: usize,
    /// On SIGTERM or SIGINT, seconds the requests in flight get to finish.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_SHUTDOWN_GRACE.as_secs())]
    shutdown_grace_secs: u64,
}

impl ConnectionArgs {
    fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            body_timeout: Duration::from_secs(self.body_timeout_secs),
            write_timeout: Duration::from_secs(self.write_timeout_secs),
            max_connections: self.max_connections,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        let settings = Settings {
            suspend_after: args.suspend_after,
            lockout_after: args.limits.lockout_after,
            first_lock: Duration::from_secs(args.limits.first_lock_secs),
            pin_ceiling: args.limits.pin_ceiling,
            pin_window: Duration::from_secs(args.limits.pin_window_secs),
            argon2_permits: args
                .limits
                .argon2_permits
                .map_or_else(hashbank_bank::default_argon2_permits, |n| n as usize),
            argon2_queue_wait: Duration::from_millis(args.limits.argon2_queue_ms),
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
            limits: args.limits.limits(),
            tls: args.tls.files(),
            connections: args.connections.limits(),
            matcher_file: args.matcher_file,
        };
        let exchanges = tokio::spawn(crate::exchange::follow(
            bank.clone(),
            Duration::from_millis(args.exchange_interval_ms),
        ));
        let served = hashbank_server::run(bank.clone(), options, shutdown_signal()).await;
        exchanges.abort();
        let _ = exchanges.await;
        served.context("serving")?;
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
