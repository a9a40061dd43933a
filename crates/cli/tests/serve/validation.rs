//! Malformed requests get JSON errors with the right status and a clear
//! message; limits hold; the OpenAPI document tells the truth.

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn malformed_requests_are_refused_clearly() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "checker");
    let server = Server::start(&db, &["--max-body-bytes", "65536"]);
    let platform = Auth::Key(key);
    let create = |body: Value| server.post("/v1/cases", &Auth::None, &body);

    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"hashes": [pdq("abc")]}),
            "invalid_hash",
            "64 hex digits",
        ),
        (
            json!({"hashes": [pdq(&"g".repeat(64))]}),
            "invalid_hash",
            "only hex digits",
        ),
        (
            json!({"hashes": [{"kind": "pdq", "value": random_hex(64), "quality": 49}]}),
            "quality_too_low",
            "PDQ hashes of quality below 50 match too unreliably to be useful",
        ),
        (
            json!({"hashes": [{"kind": "pdq", "value": random_hex(64)}]}),
            "missing_quality",
            "quality",
        ),
        (
            json!({"hashes": [{"kind": "md5", "value": random_hex(64)}]}),
            "invalid_hash",
            "32 hex digits",
        ),
        (
            json!({"hashes": [{"kind": "crc32", "value": "00"}]}),
            "invalid_json",
            "unknown value `crc32`",
        ),
        (
            json!({"hashes": [pdq(&random_hex(64))], "name": "x"}),
            "invalid_json",
            "unknown field `name`",
        ),
        (
            json!({"hashes": [{"kind": "md5", "value": random_hex(32), "image": "x"}]}),
            "invalid_json",
            "unknown field `image`",
        ),
        (json!({"hashes": []}), "no_hashes", "at least one"),
        (
            json!({"hashes": [pdq(&"a".repeat(64)), pdq(&"A".repeat(64))]}),
            "duplicate_hash",
            "twice",
        ),
        (
            json!({"hashes": (0..501).map(|_| pdq(&random_hex(64))).collect::<Vec<_>>()}),
            "too_many_hashes",
            "500",
        ),
    ];
    for (body, code, message) in cases {
        let answer = create(body.clone());
        assert_eq!(
            (answer.status, answer.code()),
            (400, code),
            "{body}: {:?}",
            answer.body
        );
        let text = answer.body["message"].as_str().unwrap();
        assert!(text.contains(message), "{text:?} lacks {message:?}");
    }

    // Not JSON, not declared as JSON, too large.
    let raw = server.raw();
    let url = format!("{}/v1/cases", server.base);
    let broken = raw
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"hashes\": [")
        .send()
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().unwrap();
    assert_eq!(body["error"], json!("invalid_json"));
    let untyped = raw.post(&url).body("{}").send().unwrap();
    assert_eq!(untyped.status(), 415);
    assert_eq!(
        untyped.json::<Value>().unwrap()["error"],
        json!("unsupported_media_type")
    );
    let huge = raw
        .post(&url)
        .header("content-type", "application/json")
        .body(format!(
            "{{\"hashes\": [], \"x\": \"{}\"}}",
            "a".repeat(70_000)
        ))
        .send()
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(
        huge.json::<Value>().unwrap()["error"],
        json!("body_too_large")
    );

    // Match limits.
    let batch: Vec<Value> = (0..1001)
        .map(|_| json!({"kind": "md5", "value": random_hex(32)}))
        .collect();
    let answer = server.post("/v1/match", &platform, &json!({ "hashes": batch }));
    assert_eq!((answer.status, answer.code()), (400, "invalid_batch"));
    let one = json!([{"kind": "pdq", "value": random_hex(64)}]);
    let answer = server.post(
        "/v1/match",
        &platform,
        &json!({"hashes": one, "radius": 64}),
    );
    assert_eq!((answer.status, answer.code()), (400, "invalid_radius"));
    let answer = server.post(
        "/v1/match",
        &platform,
        &json!({"hashes": [{"kind": "pdq", "value": "xyz"}]}),
    );
    assert_eq!((answer.status, answer.code()), (400, "invalid_hash"));
    let answer = server.post(
        "/v1/match",
        &platform,
        &json!({"hashes": one, "quality": 3}),
    );
    assert_eq!((answer.status, answer.code()), (400, "invalid_json"));

    // Feed parameters.
    for (query, code) in [
        ("after=abc", "invalid_query"),
        ("limit=0", "invalid_limit"),
        ("limit=10001", "invalid_limit"),
        ("after=-1", "invalid_cursor"),
        ("since=3", "invalid_query"),
    ] {
        let answer = server.get(&format!("/v1/feed?{query}"), &platform);
        assert_eq!((answer.status, answer.code()), (400, code), "{query}");
    }

    // Reports.
    let answer = server.post(
        "/v1/reports",
        &platform,
        &json!({"hash_id": 1, "value": "a".repeat(64), "content_ref": "x"}),
    );
    assert_eq!((answer.status, answer.code()), (404, "not_found"));
    let answer = server.post(
        "/v1/reports",
        &platform,
        &json!({"hash_id": 1, "value": "a".repeat(64), "distance": 300, "content_ref": "x"}),
    );
    assert_eq!((answer.status, answer.code()), (400, "invalid_distance"));
    let answer = server.post(
        "/v1/reports/abc/outcome",
        &platform,
        &json!({"outcome": "removed"}),
    );
    assert_eq!((answer.status, answer.code()), (400, "invalid_path"));
    let answer = server.post(
        "/v1/reports/1/outcome",
        &platform,
        &json!({"outcome": "gone"}),
    );
    assert_eq!((answer.status, answer.code()), (400, "invalid_json"));

    // Unknown paths and methods are JSON errors too; every answer carries
    // the security headers.
    let answer = server.get("/v1/nothing", &Auth::None);
    assert_eq!((answer.status, answer.code()), (404, "not_found"));
    let answer = server.send("DELETE", "/v1/cases", &Auth::None, None);
    assert_eq!((answer.status, answer.code()), (405, "method_not_allowed"));
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "cache-control",
    ] {
        assert!(answer.headers.contains_key(name), "{name}");
    }
    assert!(answer.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
}

#[test]
fn openapi_documents_every_route_and_every_documented_path_answers() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &[]);
    let doc = server.get("/openapi.json", &Auth::None);
    assert_eq!(doc.status, 200);
    assert_eq!(
        doc.body["openapi"].as_str().unwrap().chars().next(),
        Some('3')
    );
    let paths = doc.body["paths"].as_object().unwrap();

    let routes = hashbank_server::routes();
    assert!(routes.len() >= 11);
    for (path, method) in &routes {
        let method = method.as_str().to_lowercase();
        assert!(
            paths.get(path).and_then(|p| p.get(&method)).is_some(),
            "{method} {path} is served but not documented"
        );
    }
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let served = routes
                .iter()
                .any(|(p, m)| p == path && m.as_str().eq_ignore_ascii_case(method));
            assert!(served, "{method} {path} is documented but not served");
            let concrete = path
                .replace("{number}", "HB-0000-0000-0000")
                .replace("{id}", "1");
            let answer = server.send(
                &method.to_uppercase(),
                &concrete,
                &Auth::None,
                Some(&json!({})),
            );
            assert!(
                answer.status != 404 && answer.status != 405,
                "{method} {path}: {} {:?}",
                answer.status,
                answer.body
            );
        }
    }
}

#[test]
fn health_and_readiness() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &[]);
    let health = server.get("/healthz", &Auth::None);
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
    let ready = server.get("/readyz", &Auth::None);
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body["matcher_loaded"], json!(true));
    assert_eq!(ready.body["database"], json!(true));
}
