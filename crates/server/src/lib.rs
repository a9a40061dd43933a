//! The bank over HTTP: an axum router with one shared state, one error type
//! mapped to `{"error": code, "message": text}` in one place, the OpenAPI
//! document at `/openapi.json`, and [`run`], which serves it with the
//! matcher loaded in the background and following the feed.
//!
//! This crate is only the HTTP layer: every rule lives in `hashbank-bank`.
//! It never logs a URI, a header or a body (case numbers, PINs and keys
//! pass through), only method, route template, status and time.
//!
//! ```
//! // Every route the API serves is documented in the OpenAPI document.
//! let doc = hashbank_server::openapi::document();
//! for (path, method) in hashbank_server::routes() {
//!     let method = method.as_str().to_lowercase();
//!     assert!(doc["paths"][&path][&method].is_object(), "{method} {path}");
//! }
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use hashbank_bank::{Bank, Opened};
use tower_http::set_header::SetResponseHeaderLayer;

mod canned;
mod cases;
mod client;
mod error;
mod extract;
mod health;
pub mod limits;
mod listen;
pub mod openapi;
mod platform;
mod routes;
mod stopncii;
mod tls;

pub use client::ClientAddr;
pub use error::{ApiError, ApiResult};
pub use extract::PIN_HEADER;
pub use limits::{Limits, Rate, TrustedProxy};
pub use listen::{
    ConnectionLimits, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_SHUTDOWN_GRACE, DEFAULT_WRITE_TIMEOUT,
};
pub use routes::{router, routes, CONTENT_SECURITY_POLICY};
pub use tls::{TlsError, TlsFiles};

/// The `Strict-Transport-Security` header every answer carries over TLS.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Request bodies are at most 1 MiB by default.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Each server reads the feed for other servers' writes this often by default.
pub const DEFAULT_FOLLOW_INTERVAL: Duration = Duration::from_secs(1);
/// Wait before loading the matcher again after a failure.
const LOAD_RETRY: Duration = Duration::from_secs(1);

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The bank.
    pub bank: Arc<Bank>,
    /// The rate limits.
    pub(crate) limits: Arc<limits::Limiters>,
}

impl AppState {
    /// The state of a server of `bank` with `limits`.
    pub fn new(bank: Arc<Bank>, limits: &Limits) -> AppState {
        AppState {
            bank,
            limits: Arc::new(limits::Limiters::new(limits)),
        }
    }
}

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// Static files to serve at `/` (the victim's web page), if any.
    pub web_dir: Option<PathBuf>,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// How often to follow the feed for other servers' writes.
    pub follow_interval: Duration,
    /// Rate limits and trusted proxies.
    pub limits: Limits,
    /// Serve HTTPS with this certificate and key (plain HTTP without).
    pub tls: Option<TlsFiles>,
    /// Timeouts, the connection cap and the shutdown grace period.
    pub connections: ConnectionLimits,
    /// Where to save the matcher on shutdown and open it at the next start
    /// (see [`hashbank_bank::FeedMatcher::save`]); none: loaded from the
    /// database at every start.
    pub matcher_file: Option<PathBuf>,
}

/// Serves the bank until `shutdown` completes. Prints
/// `hashbank: listening on http://ADDR` (`https://` with TLS) on stdout
/// once listening; loads the matcher in the background (`/readyz` answers
/// 503 until then) and then follows the feed every `follow_interval`.
/// Each request carries the client's address as
/// `ConnectInfo<SocketAddr>`. On shutdown, stops accepting and lets the
/// requests in flight finish (see [`ConnectionLimits`]), then saves the
/// matcher to `matcher_file` when one is named. Prints on stdout what
/// became of a saved matcher at the start and how many hashes it saved.
pub async fn run(
    bank: Arc<Bank>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tls = match &options.tls {
        Some(files) => Some(
            files
                .acceptor()
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
        ),
        None => None,
    };
    listen::raise_open_file_limit(options.connections.max_connections);
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let address = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("hashbank: listening on {scheme}://{address}");
    tracing::info!(%address, scheme, "listening");

    let background = bank.clone();
    let follow_interval = options.follow_interval;
    let matcher_file = options.matcher_file.clone();
    let matcher_task = tokio::spawn(async move {
        load_then_follow(background, follow_interval, matcher_file).await;
    });
    let saving = bank.clone();

    let app = router(
        AppState::new(bank, &options.limits),
        options.web_dir,
        options.max_body_bytes,
    );
    let body_timeout = options.connections.body_timeout;
    let mut app = routes::with_security_headers(app.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            listen::body_deadline(body_timeout, request, next)
        },
    )));
    if tls.is_some() {
        app = app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ));
    }
    let served = listen::serve(listener, app, tls, options.connections, shutdown).await;
    matcher_task.abort();
    let _ = matcher_task.await;
    if let Some(path) = &options.matcher_file {
        save_matcher(&saving, path).await;
    }
    served
}

/// Saves the loaded matcher to `path`; a failure is said and the next
/// start loads from the database.
async fn save_matcher(bank: &Bank, path: &std::path::Path) {
    if !bank.matcher().is_ready() {
        return;
    }
    let started = std::time::Instant::now();
    match bank.save_matcher(path).await {
        Ok(hashes) => {
            println!(
                "hashbank: matcher saved to {}: {hashes} hashes",
                path.display()
            );
            tracing::info!(
                hashes,
                millis = started.elapsed().as_millis() as u64,
                "matcher saved"
            );
        }
        Err(err) => {
            println!(
                "hashbank: the matcher could not be saved to {}: {err}",
                path.display()
            );
            tracing::error!(error = %err, "saving the matcher failed");
        }
    }
}

async fn load_then_follow(bank: Arc<Bank>, interval: Duration, saved: Option<PathBuf>) {
    loop {
        let started = std::time::Instant::now();
        match bank.load_with(saved.as_deref()).await {
            Ok(opened) => {
                let path = saved.as_deref().unwrap_or(std::path::Path::new(""));
                match opened {
                    Opened::Read { hashes, cursor } => {
                        println!(
                            "hashbank: matcher opened from {}: {hashes} hashes, then followed the feed from cursor {cursor}",
                            path.display()
                        );
                    }
                    Opened::Unusable(reason) => {
                        println!(
                            "hashbank: the saved matcher in {} was not used ({reason}); loaded from the database",
                            path.display()
                        );
                    }
                    Opened::Absent => {}
                }
                tracing::info!(
                    hashes = bank.matcher().len(),
                    millis = started.elapsed().as_millis() as u64,
                    "matcher loaded"
                );
                break;
            }
            Err(err) => {
                tracing::error!(error = %err, "loading the matcher failed; retrying");
                tokio::time::sleep(LOAD_RETRY).await;
            }
        }
    }
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = bank.follow().await {
            tracing::warn!(error = %err, "following the feed failed");
        }
        if let Err(err) = bank.maintain().await {
            tracing::warn!(error = %err, "releasing the feed failed");
        }
    }
}
