//! Accepting connections and holding each to its bounds: a client has
//! `header_timeout` to send a request's headers (from the connection's
//! start, and again after each answer, so an idle keep-alive connection is
//! closed after it too), `body_timeout` to send a body, and
//! `write_timeout` to take an answer it stopped reading. At most
//! `max_connections` are served at once; the next ones get a short `503`
//! with `Retry-After` and are closed. On shutdown the server stops
//! accepting, lets the requests in flight finish for up to
//! `shutdown_grace`, then closes what is left.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body::Frame;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tokio_rustls::TlsAcceptor;
use tower::Service;

use crate::error::ApiError;

/// Time to send a request's headers by default.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time to send a request's body by default.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Time an answer may wait for the client to read it by default.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Time requests in flight get to finish on shutdown by default.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Connections over the cap that are answered `503` at once: as many again
/// as the cap, and at least 64 (each costs a socket and a few kilobytes for
/// at most [`OVERFLOW_LIFETIME`]); beyond these a new connection is closed
/// without an answer.
fn overflow_connections(max_connections: usize) -> usize {
    max_connections.max(64)
}
/// Time a connection over the cap has to send its headers.
const OVERFLOW_HEADER_TIMEOUT: Duration = Duration::from_secs(2);
/// Time a connection over the cap is kept in all.
const OVERFLOW_LIFETIME: Duration = Duration::from_secs(5);
/// Seconds a client over the cap is asked to wait.
const OVERFLOW_RETRY_SECONDS: u64 = 1;
/// Largest request head (request line and headers) hyper buffers.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Files the process keeps open besides connections (database, logs, the
/// page's files being sent).
const OTHER_FILES: u64 = 128;
/// Wait after accepting failed for a reason other than the one connection
/// (out of file descriptors): accepting again at once would spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// How long clients may take and how many may be connected.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Time to send a request's headers, from the connection's start or
    /// the end of the previous answer (an idle keep-alive connection is
    /// closed after it).
    pub header_timeout: Duration,
    /// Time to send a request's whole body, from the end of its headers;
    /// past it the answer is `408` and the connection is closed.
    pub body_timeout: Duration,
    /// Time an answer may wait for the client to read more of it before
    /// the connection is closed.
    pub write_timeout: Duration,
    /// Connections served at once; over it a new connection gets `503`
    /// with `Retry-After`.
    pub max_connections: usize,
    /// On shutdown, time the requests in flight get to finish.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

/// Raises the soft limit of open files to the hard limit, where allowed,
/// and warns when it is too low for `max_connections`.
pub(crate) fn raise_open_file_limit(max_connections: usize) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            tracing::info!(limit, "open file limit");
            let needed =
                (max_connections + overflow_connections(max_connections)) as u64 + OTHER_FILES;
            if limit < needed {
                tracing::warn!(
                    limit,
                    needed,
                    "the open file limit is below the connection cap and what the server needs besides; \
                     raise it (ulimit -n) or lower --max-connections"
                );
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not read or raise the open file limit"),
    }
}

/// Accepts connections on `listener` and serves `app` on each (over TLS
/// when `tls` is given) until `shutdown` completes, then drains.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let overflow = Arc::new(Semaphore::new(overflow_connections(limits.max_connections)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    if !is_connection_error(&err) {
                        tracing::warn!(error = %err, "accepting a connection failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let (permit, overloaded) = match slots.clone().try_acquire_owned() {
            Ok(permit) => (permit, false),
            Err(_) => match overflow.clone().try_acquire_owned() {
                Ok(permit) => (permit, true),
                Err(_) => {
                    tracing::debug!("connection closed: over the connection cap");
                    continue;
                }
            },
        };
        let connection = Connection {
            peer,
            app: app.clone(),
            tls: tls.clone(),
            limits,
            overloaded,
        };
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            if overloaded {
                let _ = tokio::time::timeout(OVERFLOW_LIFETIME, connection.serve(stream, watcher))
                    .await;
            } else {
                connection.serve(stream, watcher).await;
            }
        });
    }
    drop(listener);
    let open = graceful.count();
    tracing::info!(open, "shutting down: no new connections");
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutting down: requests still in flight after the grace period are cut");
    }
    Ok(())
}

/// Errors of one connection, after which accepting goes on at once.
fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// One accepted connection and how to serve it.
struct Connection {
    peer: SocketAddr,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: ConnectionLimits,
    overloaded: bool,
}

impl Connection {
    async fn serve(self, stream: TcpStream, watcher: Watcher) {
        let stream = WriteTimeout::new(stream, self.limits.write_timeout);
        match self.tls.clone() {
            None => self.http(stream, watcher).await,
            Some(acceptor) => {
                let handshake_time = self.header_timeout();
                match tokio::time::timeout(handshake_time, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => self.http(stream, watcher).await,
                    Ok(Err(err)) => tracing::debug!(error = %err, "TLS handshake failed"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                }
            }
        }
    }

    fn header_timeout(&self) -> Duration {
        if self.overloaded {
            self.limits.header_timeout.min(OVERFLOW_HEADER_TIMEOUT)
        } else {
            self.limits.header_timeout
        }
    }

    /// Serves HTTP/1.1 on `io`: the app with the peer's address in each
    /// request's extensions, or only `503` when over the cap.
    async fn http<I>(self, io: I, watcher: Watcher)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let peer = self.peer;
        let overloaded = self.overloaded;
        let tls = self.tls.is_some();
        let app = self.app.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            async move {
                if overloaded {
                    return Ok(overloaded_response(tls));
                }
                app.call(request.map(Body::new)).await
            }
        });
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_timeout())
            .max_buf_size(MAX_HEAD_BYTES)
            .keep_alive(!overloaded);
        let io = crate::canned::JsonParseErrors::new(io);
        let connection = builder.serve_connection(TokioIo::new(io), service);
        if let Err(err) = watcher.watch(connection).await {
            tracing::debug!(error = %err, "connection ended with an error");
        }
    }
}

/// The answer to a connection over the cap.
fn overloaded_response(tls: bool) -> Response {
    let mut error = ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "the server has too many connections open; try again shortly",
    );
    error.retry_after = Some(Duration::from_secs(OVERFLOW_RETRY_SECONDS));
    let mut response = error.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(crate::STRICT_TRANSPORT_SECURITY),
        );
    }
    response
}

/// Middleware: the request's body must arrive whole within `limit` of its
/// headers; past it the answer is `408` and the connection is closed.
pub(crate) async fn body_deadline(limit: Duration, request: Request, next: Next) -> Response {
    let expired = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep(limit)),
            expired: expired.clone(),
        })
    });
    let response = next.run(request).await;
    if expired.load(Ordering::Relaxed) {
        let mut response = ApiError::body_timeout().into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    response
}

/// A request body that fails once its deadline passes.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimedOut;

impl http_body::Body for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A stream whose writes fail once they have waited `limit` for the client
/// to read (a client that stops reading an answer cannot hold the
/// connection).
struct WriteTimeout<T> {
    inner: T,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> WriteTimeout<T> {
    fn new(inner: T, limit: Duration) -> WriteTimeout<T> {
        WriteTimeout {
            inner,
            limit,
            stalled: None,
        }
    }

    /// After a write that made progress (`ready`) or not: the stall
    /// timer stopped, or started and checked.
    fn track<R>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        match poll {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let limit = self.limit;
                let stalled = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                if stalled.as_mut().poll(cx).is_ready() {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client stopped reading the answer",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteTimeout<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.track(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.track(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.track(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.track(cx, poll)
    }
}
