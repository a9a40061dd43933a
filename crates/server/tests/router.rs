//! The router without a network: readiness before and after the matcher
//! loads, and static files from a web folder with the security headers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hashbank_bank::{Argon2Cost, Bank, Settings};
use hashbank_server::{router, AppState, Limits, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

/// Light argon2 for tests only.
const LIGHT: Argon2Cost = Argon2Cost {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

async fn open(dir: &tempfile::TempDir) -> AppState {
    let url = format!("sqlite://{}", dir.path().join("bank.db").display());
    let settings = Settings {
        argon2: LIGHT,
        ..Settings::default()
    };
    AppState::new(
        Bank::open(&url, settings).await.unwrap(),
        &Limits::default(),
    )
}

async fn call(
    app: axum::Router,
    method: &str,
    path: &str,
    body: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn not_ready_until_the_matcher_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let state = open(&dir).await;
    let app = router(state.clone(), None, DEFAULT_MAX_BODY_BYTES);

    let (status, _, _) = call(app.clone(), "GET", "/healthz", "").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(app.clone(), "GET", "/readyz", "").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let case = r#"{"hashes": [{"kind": "md5", "value": "0123456789abcdef0123456789abcdef"}]}"#;
    let (status, headers, body) = call(app.clone(), "POST", "/v1/cases", case).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("\"error\":\"not_ready\""), "{body}");
    assert_eq!(headers["retry-after"], "1");

    state.bank.load().await.unwrap();
    let (status, _, _) = call(app.clone(), "GET", "/readyz", "").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(app, "POST", "/v1/cases", case).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn web_folder_is_served_with_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<p>file a case</p>").unwrap();
    let state = open(&dir).await;
    let app = router(
        state,
        Some(web.path().to_path_buf()),
        DEFAULT_MAX_BODY_BYTES,
    );

    let (status, headers, body) = call(app.clone(), "GET", "/", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "<p>file a case</p>");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");

    let (status, _, body) = call(app.clone(), "GET", "/missing.js", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("\"error\":\"not_found\""), "{body}");
    let (status, _, _) = call(app, "GET", "/healthz", "").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the API still answers beside the files"
    );
}
