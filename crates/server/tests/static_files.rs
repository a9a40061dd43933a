//! The page's folder is served, and nothing outside it: not through `..`,
//! not through a symbolic link inside the folder that points out of it.
//! Errors from the static files are JSON like every other error.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hashbank_bank::{Argon2Cost, Bank, Settings};
use hashbank_server::{router, AppState, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

async fn state(dir: &std::path::Path) -> AppState {
    let url = format!("sqlite://{}", dir.join("bank.db").display());
    let settings = Settings {
        argon2: Argon2Cost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
        ..Settings::default()
    };
    AppState::new(
        Bank::open(&url, settings).await.unwrap(),
        &hashbank_server::Limits::default(),
    )
}

async fn ask(
    app: &axum::Router,
    method: &str,
    path: &str,
    range: Option<&str>,
) -> (StatusCode, serde_json::Value, String) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(range) = range {
        request = request.header("range", range);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json = if content_type.starts_with("application/json") {
        serde_json::from_str(&text).unwrap()
    } else {
        serde_json::Value::Null
    };
    (status, json, text)
}

#[cfg(unix)]
#[tokio::test]
async fn links_out_of_the_folder_are_not_followed() {
    use std::os::unix::fs::symlink;

    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = "the operator's secret";
    std::fs::write(outside.path().join("secret.txt"), secret).unwrap();
    let web = tempfile::tempdir().unwrap();
    let root = web.path();
    std::fs::write(root.join("index.html"), "<p>page</p>").unwrap();
    std::fs::create_dir(root.join("assets")).unwrap();
    std::fs::write(root.join("assets/app.js"), "let page = 1;").unwrap();
    // Links that stay inside are served; links that leave are not.
    symlink(root.join("assets/app.js"), root.join("same.js")).unwrap();
    symlink("assets", root.join("also")).unwrap();
    symlink(outside.path().join("secret.txt"), root.join("leak.txt")).unwrap();
    symlink("/etc/passwd", root.join("passwd")).unwrap();
    symlink(outside.path(), root.join("out")).unwrap();
    symlink("../", root.join("assets/up")).unwrap();
    // A folder whose index.html is a link out.
    std::fs::create_dir(root.join("trap")).unwrap();
    symlink(
        outside.path().join("secret.txt"),
        root.join("trap/index.html"),
    )
    .unwrap();

    let app = router(
        state(dir.path()).await,
        Some(root.into()),
        DEFAULT_MAX_BODY_BYTES,
    );
    for path in ["/", "/assets/app.js", "/same.js", "/also/app.js"] {
        let (status, _, text) = ask(&app, "GET", path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!text.contains(secret));
    }
    for path in [
        "/leak.txt",
        "/passwd",
        "/out/secret.txt",
        "/out/",
        "/trap/",
        "/trap/index.html",
        "/assets/up/../leak.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/etc/passwd",
        "/..%2fsecret.txt",
        "/nothing-here.js",
    ] {
        let (status, body, text) = ask(&app, "GET", path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {text}");
        assert_eq!(body["error"], "not_found", "{path}");
        assert!(!text.contains(secret) && !text.contains("root:"), "{path}");
    }
}

#[tokio::test]
async fn static_file_errors_are_json() {
    let dir = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<p>page</p>").unwrap();
    let app = router(
        state(dir.path()).await,
        Some(web.path().into()),
        DEFAULT_MAX_BODY_BYTES,
    );
    let (status, body, _) = ask(&app, "POST", "/index.html", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"], "method_not_allowed");
    let (status, body, _) = ask(&app, "GET", "/index.html", Some("bytes=9000-9999")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(body["error"], "range_not_satisfiable");
    let (status, body, _) = ask(&app, "GET", "/v1/nothing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}
