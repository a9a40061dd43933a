//! Every endpoint with every role: no credentials, a malformed key, a wrong
//! key, a revoked key, a valid platform key, a case PIN right and wrong.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn every_endpoint_with_every_role_sqlite() {
    every_endpoint_with_every_role(&TestDb::sqlite());
}

#[test]
fn every_endpoint_with_every_role_postgres() {
    every_endpoint_with_every_role(&TestDb::postgres());
}

/// A role a request is made as.
struct Role {
    name: &'static str,
    auth: Auth,
}

fn every_endpoint_with_every_role(db: &TestDb) {
    let key = add_platform(db, "valid");
    let other = add_platform(db, "other");
    let revoked = add_platform(db, "revoked");
    let investigator = add_investigator(db, "unit");
    let server = Server::start(db, &["--key-cache-ms", "300"]);

    // The revoked key worked, and was cached, before it was revoked.
    assert_eq!(
        server.get("/v1/feed", &Auth::Key(revoked.clone())).status,
        200
    );
    let out = hashbank(db, &["platform", "revoke", "revoked"]);
    assert!(out.status.success());
    std::thread::sleep(Duration::from_millis(500));

    let image = random_hex(64);
    let (number, pin, created) = server.create_case(json!([pdq(&image)]), false);
    let hash_id = created["hashes"][0]["hash_id"].as_i64().unwrap();
    assert_eq!(server.match_one(&key, "pdq", &image).len(), 1);
    let report = server.post(
        "/v1/reports",
        &Auth::Key(key.clone()),
        &json!({"hash_id": hash_id, "value": image, "content_ref": "c1"}),
    );
    let report_id = report.body["report_id"].as_i64().unwrap();

    let malformed = "hbk_not_a_key".to_string();
    let wrong = {
        // The right shape and key id, a wrong secret.
        let mut k = key.clone();
        let last = k.pop().unwrap();
        k.push(if last == 'A' { 'B' } else { 'A' });
        k
    };
    let wrong_pin = if pin.starts_with('0') { "1" } else { "0" }.to_string() + &pin[1..];
    let roles = [
        Role {
            name: "none",
            auth: Auth::None,
        },
        Role {
            name: "malformed key",
            auth: Auth::Key(malformed),
        },
        Role {
            name: "wrong key",
            auth: Auth::Key(wrong),
        },
        Role {
            name: "revoked key",
            auth: Auth::Key(revoked),
        },
        Role {
            name: "platform",
            auth: Auth::Key(key.clone()),
        },
        Role {
            name: "case PIN",
            auth: Auth::Pin(pin.clone()),
        },
        Role {
            name: "wrong PIN",
            auth: Auth::Pin(wrong_pin),
        },
    ];

    // (method, path, body, expected status per role, in the order above)
    let case = format!("/v1/cases/{number}");
    let endpoints: Vec<(&str, String, Option<Value>, [u16; 7])> = vec![
        ("GET", "/healthz".into(), None, [200; 7]),
        ("GET", "/readyz".into(), None, [200; 7]),
        ("GET", "/openapi.json".into(), None, [200; 7]),
        (
            "POST",
            "/v1/cases".into(),
            Some(json!({"hashes": [pdq(&random_hex(64))]})),
            [201; 7],
        ),
        (
            "GET",
            case.clone(),
            None,
            [401, 401, 401, 401, 401, 200, 401],
        ),
        (
            "POST",
            format!("{case}/hashes"),
            Some(json!({"hashes": [{"kind": "md5", "value": random_hex(32)}]})),
            [401, 401, 401, 401, 401, 201, 401],
        ),
        (
            "GET",
            "/v1/feed".into(),
            None,
            [401, 401, 401, 401, 200, 401, 401],
        ),
        (
            "POST",
            "/v1/match".into(),
            Some(json!({"hashes": [{"kind": "pdq", "value": image}]})),
            [401, 401, 401, 401, 200, 401, 401],
        ),
        (
            "POST",
            "/v1/reports".into(),
            Some(json!({"hash_id": hash_id, "value": image, "content_ref": "c2"})),
            [401, 401, 401, 401, 201, 401, 401],
        ),
        (
            "POST",
            format!("/v1/reports/{report_id}/outcome"),
            Some(json!({"outcome": "pending_review"})),
            [401, 401, 401, 401, 200, 401, 401],
        ),
        (
            "PUT",
            "/v1/statement-settings".into(),
            Some(
                json!({"decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
                        "ground": "Terms 4.2", "explanation": "Shared without consent."}),
            ),
            [401, 401, 401, 401, 200, 401, 401],
        ),
        (
            "GET",
            "/v1/statement-settings".into(),
            None,
            [401, 401, 401, 401, 200, 401, 401],
        ),
        (
            // 409 for the platform: the outcome is not a removal.
            "GET",
            format!("/v1/reports/{report_id}/statement"),
            None,
            [401, 401, 401, 401, 409, 401, 401],
        ),
    ];
    for (method, path, body, expected) in &endpoints {
        for (role, want) in roles.iter().zip(expected) {
            let answer = server.send(method, path, &role.auth, body.as_ref());
            // The POST /v1/cases/{n}/hashes body is a new hash each time it succeeds.
            assert_eq!(
                answer.status, *want,
                "{method} {path} as {}: {:?}",
                role.name, answer.body
            );
            if answer.status == 401 {
                assert!(answer.body["error"].is_string() && answer.body["message"].is_string());
            }
        }
    }

    // An investigator's key: what a platform's may, but reports, outcomes
    // and statements (403); its own route, finds, refused to platforms.
    let as_investigator = Auth::Key(investigator.clone());
    for (method, path, body, expected) in &endpoints {
        let platform_only = path.starts_with("/v1/reports") || path == "/v1/statement-settings";
        let want = if platform_only { 403 } else { expected[4] };
        let answer = server.send(method, path, &as_investigator, body.as_ref());
        assert_eq!(
            answer.status, want,
            "{method} {path} as investigator: {:?}",
            answer.body
        );
    }
    let find =
        json!({"hash_id": hash_id, "reference": "PV-1", "found_on": "2026-01-01", "files": 1});
    for (role, want) in roles.iter().zip([401, 401, 401, 401, 403, 401, 401]) {
        let answer = server.post("/v1/finds", &role.auth, &find);
        assert_eq!(
            answer.status, want,
            "POST /v1/finds as {}: {:?}",
            role.name, answer.body
        );
    }
    assert_eq!(server.match_one(&investigator, "pdq", &image).len(), 1);
    assert_eq!(
        server.post("/v1/finds", &as_investigator, &find).status,
        201
    );

    // Another platform cannot give the outcome of this platform's report.
    let answer = server.post(
        &format!("/v1/reports/{report_id}/outcome"),
        &Auth::Key(other.clone()),
        &json!({"outcome": "removed"}),
    );
    assert_eq!((answer.status, answer.code()), (404, "not_found"));
    // Nor read its statement, removed, nor its settings.
    let answer = server.outcome(&key, report_id, "removed");
    assert_eq!(answer.status, 200);
    let answer = server.get(
        &format!("/v1/reports/{report_id}/statement"),
        &Auth::Key(other.clone()),
    );
    assert_eq!((answer.status, answer.code()), (404, "not_found"));
    let answer = server.get("/v1/statement-settings", &Auth::Key(other.clone()));
    assert_eq!((answer.status, answer.code()), (404, "not_found"));

    // Withdrawal, last: every role but the PIN is refused.
    let withdraw = format!("{case}/withdraw");
    for role in roles.iter().filter(|r| r.name != "case PIN") {
        let answer = server.send("POST", &withdraw, &role.auth, None);
        assert_eq!(answer.status, 401, "withdraw as {}", role.name);
    }
    let answer = server.send("POST", &withdraw, &Auth::Pin(pin), None);
    assert_eq!(answer.status, 200, "{:?}", answer.body);

    // Platforms never get a case number.
    let feed = server.whole_feed(&key);
    assert!(!serde_json::to_string(&feed).unwrap().contains(&number));
}
