//! The whole API in one place: each resource's routes merged, the fallbacks,
//! the limits and the headers every response carries.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::handler::Handler;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use percent_encoding::percent_decode_str;
use tower::ServiceExt;
use tower_http::services::fs::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::set_status::SetStatus;

use crate::error::ApiError;
use crate::AppState;

/// A router that remembers its routes, so that the OpenAPI test can check
/// that every route is documented.
pub(crate) struct Api {
    router: Router<AppState>,
    listed: Vec<(&'static str, Method)>,
}

impl Api {
    pub(crate) fn new() -> Api {
        Api {
            router: Router::new(),
            listed: Vec::new(),
        }
    }

    /// Adds `handler` for `method` on `path`.
    pub(crate) fn route<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Api
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        self.router = self.router.route(path, on(filter, handler));
        self.listed.push((path, method));
        self
    }

    fn merge(mut self, other: Api) -> Api {
        self.router = self.router.merge(other.router);
        self.listed.extend(other.listed);
        self
    }
}

/// Every route of the API. This is the whole API: read here what it offers.
fn api() -> Api {
    Api::new()
        .merge(crate::health::routes()) //   GET  /healthz, /readyz, /openapi.json
        .merge(crate::cases::routes()) //    case number + PIN: file, view, add, withdraw
        .merge(crate::platform::routes()) // platform key: feed, match, reports, outcomes
        .merge(crate::stopncii::routes()) // platform key, StopNCII's shape: fetch, feedback
}

/// Every (path, method) the API serves, for checking the OpenAPI document.
pub fn routes() -> Vec<(String, Method)> {
    api()
        .listed
        .into_iter()
        .map(|(path, method)| (path.to_string(), method))
        .collect()
}

/// The router: the API, then static files from `web_dir` (the victim's web
/// page) when given, with `max_body_bytes` per request. Every error leaves
/// as `{"error", "message"}` JSON.
pub fn router(state: AppState, web_dir: Option<PathBuf>, max_body_bytes: usize) -> Router {
    let mut router = api()
        .router
        .method_not_allowed_fallback(|| async { ApiError::wrong_method() });
    router = match web_dir {
        Some(dir) => {
            let files = StaticFiles::new(dir);
            router.fallback(move |request: Request| files.clone().serve(request))
        }
        None => router.fallback(no_route),
    };
    let router = router
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn(log_request))
        .layer(middleware::from_fn(json_errors))
        .with_state(state);
    with_security_headers(router)
}

/// `router` with the headers every response carries (those it does not
/// set itself).
pub(crate) fn with_security_headers(mut router: Router) -> Router {
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
}

async fn no_route() -> ApiError {
    ApiError::no_route()
}

/// Any error answer that is not already JSON (from axum or the static
/// files) becomes the JSON error of its status, keeping the headers that
/// say what to do next.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut answer = ApiError::from_status(status).into_response();
    for name in [
        header::ALLOW,
        header::RETRY_AFTER,
        header::WWW_AUTHENTICATE,
        header::CONTENT_RANGE,
        header::CONNECTION,
    ] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// The static files of one folder, never a file outside it: a path that
/// leads out of the folder, by `..` or through a symbolic link, is not
/// found.
#[derive(Clone)]
struct StaticFiles {
    /// The folder, with every link in its path resolved.
    root: Arc<PathBuf>,
    files: ServeDir<SetStatus<axum::routing::MethodRouter>>,
}

impl StaticFiles {
    fn new(dir: PathBuf) -> StaticFiles {
        let root = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        StaticFiles {
            root: Arc::new(root.clone()),
            files: ServeDir::new(root)
                .not_found_service(axum::routing::any(no_route).with_state(())),
        }
    }

    async fn serve(self, request: Request) -> Response {
        if !self.inside(request.uri().path()).await {
            return ApiError::no_route().into_response();
        }
        match self.files.oneshot(request).await {
            Ok(response) => response.map(axum::body::Body::new),
            Err(never) => match never {},
        }
    }

    /// Whether the file or folder `path` names is inside the folder once
    /// every link is resolved (a path naming nothing is: it is not found).
    async fn inside(&self, path: &str) -> bool {
        let Ok(decoded) = percent_decode_str(path).decode_utf8() else {
            return false;
        };
        let mut full = PathBuf::from(self.root.as_ref());
        for segment in decoded.split('/') {
            if segment.is_empty() || segment == "." {
                continue;
            }
            if segment == ".." || segment.contains(['\\', '\0']) {
                return false;
            }
            full.push(segment);
        }
        let real = match tokio::fs::canonicalize(&full).await {
            Ok(real) => real,
            Err(_) => return true,
        };
        if !real.starts_with(self.root.as_ref()) {
            return false;
        }
        if real.is_dir() {
            if let Ok(index) = tokio::fs::canonicalize(real.join("index.html")).await {
                return index.starts_with(self.root.as_ref());
            }
        }
        true
    }
}

/// Headers on every response: nothing loads from elsewhere, nothing frames
/// the page, nothing is cached (case data and PINs pass through here),
/// nothing leaks in a Referer. The victim's page runs under this policy: its
/// scripts and styles are files of this origin (no inline code), it
/// compiles its own WebAssembly (`'wasm-unsafe-eval'`, which allows no
/// `eval` of JavaScript), hashes in a worker of this origin, and shows
/// previews of local files from `blob:` URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; \
    img-src 'self' blob:; style-src 'self'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'; object-src 'none'";

const SECURITY_HEADERS: [(&str, &str); 8] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// Logs method, route template, status and time, and nothing else: no
/// URI (it holds case numbers), no header (PINs, keys), no body.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(other)".into());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        route,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}
