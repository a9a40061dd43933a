//! The victim's page runs under a strict Content-Security-Policy: every
//! response carries it, it names no other origin, allows no inline code and
//! no JavaScript eval, and gives the page exactly what it needs (its own
//! scripts and worker, WebAssembly compilation, previews from blob: URLs).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hashbank_bank::{Argon2Cost, Bank, Settings};
use hashbank_server::{router, AppState, Limits, CONTENT_SECURITY_POLICY, DEFAULT_MAX_BODY_BYTES};
use tower::ServiceExt;

/// Every directive and the sources it may list.
fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(String::from);
            let name = words.next().unwrap();
            (name, words.collect())
        })
        .collect()
}

#[test]
fn the_policy_is_strict() {
    let all = directives(CONTENT_SECURITY_POLICY);
    let allowed = ["'self'", "'none'", "'wasm-unsafe-eval'", "blob:"];
    for (name, sources) in &all {
        for source in sources {
            assert!(
                allowed.contains(&source.as_str()),
                "{name} lists {source}: only this origin, 'none', 'wasm-unsafe-eval' and blob: are allowed"
            );
        }
    }
    let get = |name: &str| -> Vec<String> {
        all.iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name} directive"))
            .1
            .clone()
    };
    assert_eq!(get("default-src"), ["'self'"]);
    assert_eq!(get("script-src"), ["'self'", "'wasm-unsafe-eval'"]);
    assert_eq!(get("style-src"), ["'self'"]);
    assert_eq!(get("connect-src"), ["'self'"]);
    assert_eq!(get("worker-src"), ["'self'"]);
    assert_eq!(get("img-src"), ["'self'", "blob:"]);
    assert_eq!(get("object-src"), ["'none'"]);
    assert_eq!(get("base-uri"), ["'none'"]);
    assert_eq!(get("frame-ancestors"), ["'none'"]);
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
    assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-eval'"));
}

#[tokio::test]
async fn the_page_and_the_api_carry_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<p>page</p>").unwrap();
    std::fs::write(web.path().join("module.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let url = format!("sqlite://{}", dir.path().join("bank.db").display());
    let settings = Settings {
        argon2: Argon2Cost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        },
        ..Settings::default()
    };
    let state = AppState::new(
        Bank::open(&url, settings).await.unwrap(),
        &Limits::default(),
    );
    let app = router(state, Some(web.path().into()), DEFAULT_MAX_BODY_BYTES);
    for (path, status) in [
        ("/", StatusCode::OK),
        ("/module.wasm", StatusCode::OK),
        ("/healthz", StatusCode::OK),
        ("/nothing-here", StatusCode::NOT_FOUND),
    ] {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(
            response.headers()["content-security-policy"],
            CONTENT_SECURITY_POLICY,
            "{path}"
        );
        if path.ends_with(".wasm") {
            // Streaming compilation needs the right type.
            assert_eq!(response.headers()["content-type"], "application/wasm");
        }
    }
}
