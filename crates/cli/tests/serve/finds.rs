//! Investigators: their own key and role, finds shown on the cases that
//! hold the hash and nowhere else, nothing about a case given back to the
//! investigator, and each role kept to its own routes.

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn finds_reach_the_case_and_nothing_reaches_the_investigator_sqlite() {
    finds_reach_the_case(&TestDb::sqlite());
}

#[test]
fn finds_reach_the_case_and_nothing_reaches_the_investigator_postgres() {
    finds_reach_the_case(&TestDb::postgres());
}

fn finds_reach_the_case(db: &TestDb) {
    let platform = add_platform(db, "host");
    // Bad contact files are refused, saying why.
    let dir = tempfile::tempdir().unwrap();
    for (name, text, says) in [
        ("empty", "{}".to_string(), "1 to 24 languages"),
        ("not-json", "call us".to_string(), "not a JSON object"),
        (
            "bad-language",
            json!({"English": "call"}).to_string(),
            "not a language code",
        ),
        (
            "too-long",
            json!({"en": "x".repeat(1001)}).to_string(),
            "1001 characters",
        ),
    ] {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        let out = hashbank(
            db,
            &[
                "investigator",
                "add",
                name,
                "--contact",
                path.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{name}: {stderr}");
    }
    let unit = add_investigator(db, "fccu-brussels");
    let list = String::from_utf8(hashbank(db, &["platform", "list"]).stdout).unwrap();
    assert!(
        list.lines()
            .any(|l| l.starts_with("fccu-brussels") && l.ends_with("investigator")),
        "{list}"
    );
    let server = Server::start(db, &[]);
    let as_unit = Auth::Key(unit.clone());
    let as_platform = Auth::Key(platform.clone());

    let image = random_pdq();
    let (number, pin, created) = server.create_case(json!([pdq(&image)]), false);
    let hash_id = created["hashes"][0]["hash_id"].as_i64().unwrap();
    // A second case holding the same picture, and one that is not found.
    let (twin, twin_pin, _) = server.create_case(json!([pdq(&image)]), false);
    let (other, other_pin, other_created) = server.create_case(json!([pdq(&random_pdq())]), true);
    let other_id = other_created["hashes"][0]["hash_id"].as_i64().unwrap();

    // The investigator matches as a platform does; nothing of a case comes back.
    let matched = server.post(
        "/v1/match",
        &as_unit,
        &json!({"hashes": [{"kind": "pdq", "value": image}]}),
    );
    assert_eq!(matched.status, 200, "{:?}", matched.body);
    assert_eq!(
        matched.body["results"][0]["matches"][0]["hash_id"],
        json!(hash_id)
    );
    let find = |auth: &Auth, body: Value| server.post("/v1/finds", auth, &body);
    let good = json!({"hash_id": hash_id, "reference": "PV-2026-123", "found_on": "2026-11-30", "files": 3});
    let filed = find(&as_unit, good.clone());
    assert_eq!(filed.status, 201, "{:?}", filed.body);
    let find_id = filed.body["find_id"].as_i64().unwrap();
    for answer in [&matched.body, &filed.body] {
        let text = answer.to_string();
        for secret in [&number, &twin, &other, &pin] {
            assert!(!text.contains(secret.as_str()), "{text}");
        }
    }
    // Again under the same reference: the same find, updated.
    let mut again = good.clone();
    again["files"] = json!(5);
    let refiled = find(&as_unit, again);
    assert_eq!(refiled.status, 201);
    assert_eq!(refiled.body["find_id"], json!(find_id));

    // Bad finds, and finds the key has no business filing.
    let cases: Vec<(Auth, Value, u16)> = vec![
        (as_platform.clone(), good.clone(), 403),
        (Auth::None, good.clone(), 401),
        // A hash this investigator was never given.
        (
            as_unit.clone(),
            json!({"hash_id": other_id, "reference": "PV-1", "found_on": "2026-11-30", "files": 1}),
            404,
        ),
        (
            as_unit.clone(),
            json!({"hash_id": hash_id, "reference": "<b>", "found_on": "2026-11-30", "files": 1}),
            400,
        ),
        (
            as_unit.clone(),
            json!({"hash_id": hash_id, "reference": "PV-1", "found_on": "2099-01-01", "files": 1}),
            400,
        ),
        (
            as_unit.clone(),
            json!({"hash_id": hash_id, "reference": "PV-1", "found_on": "2026-11-30", "files": 0}),
            400,
        ),
        (
            as_unit.clone(),
            json!({"hash_id": hash_id, "reference": "PV-1", "found_on": "2026-11-30", "files": 1, "case": "x"}),
            400,
        ),
    ];
    for (auth, body, want) in cases {
        let answer = find(&auth, body.clone());
        assert_eq!(answer.status, want, "{body}: {:?}", answer.body);
    }
    // The investigator's key reports nothing and has no statements.
    let report = server.report(&unit, hash_id, &image, "seized-1");
    assert_eq!((report.status, report.code()), (403, "forbidden"));
    for (method, path, body) in [
        (
            "POST",
            "/v1/reports/1/outcome".to_string(),
            Some(json!({"outcome": "removed"})),
        ),
        ("GET", "/v1/reports/1/statement".to_string(), None),
        ("GET", "/v1/statement-settings".to_string(), None),
        (
            "PUT",
            "/v1/statement-settings".to_string(),
            Some(
                json!({"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT", "ground": "g", "explanation": "e"}),
            ),
        ),
    ] {
        let answer = server.send(method, &path, &as_unit, body.as_ref());
        assert_eq!(answer.status, 403, "{method} {path}: {:?}", answer.body);
    }
    let feedback = server
        .raw()
        .post(format!("{}/v1/stopncii/SubmitFeedback", server.base))
        .header("Ocp-Apim-Subscription-Key", &unit)
        .json(&json!({"count": 1, "hashFeedbacks": [{"hashValue": image, "feedbackValue": "Blocked", "tags": []}]}))
        .send()
        .unwrap();
    assert_eq!(feedback.status().as_u16(), 403);
    assert_eq!(server.get("/v1/feed", &as_unit).status, 200);

    // The cases holding the hash show the find; the other does not.
    let view = |number: &str, pin: &str| {
        let answer = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.to_string()));
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body
    };
    for (n, p) in [(&number, &pin), (&twin, &twin_pin)] {
        let finds = view(n, p)["finds"].clone();
        assert_eq!(finds.as_array().unwrap().len(), 1, "{finds}");
        assert_eq!(finds[0]["unit"], "fccu-brussels");
        assert_eq!(finds[0]["reference"], "PV-2026-123");
        assert_eq!(finds[0]["found_on"], "2026-11-30");
        assert_eq!(
            (finds[0]["hashes"].as_i64(), finds[0]["files"].as_i64()),
            (Some(1), Some(5))
        );
        assert!(finds[0]["contact"]["nl"]
            .as_str()
            .unwrap()
            .contains("referentie"));
    }
    assert_eq!(view(&other, &other_pin)["finds"], json!([]));
    // Platforms never see finds on the feed.
    assert!(!server
        .whole_feed(&platform)
        .iter()
        .any(|e| e.to_string().contains("PV-2026")));

    // In the audit log: who filed what, by hash and count.
    let audit = crate::operator::audit_actions(db);
    assert!(audit.iter().any(|(a, _)| a == "investigator.add"));
    assert_eq!(
        audit
            .iter()
            .filter(|(a, d)| a == "find.file" && d.contains(&format!("hash={hash_id}")))
            .count(),
        2
    );

    // Erased with the hash: once both cases are withdrawn, a new case of the
    // same picture has no find.
    for (n, p) in [(&number, &pin), (&twin, &twin_pin)] {
        let answer = server.send(
            "POST",
            &format!("/v1/cases/{n}/withdraw"),
            &Auth::Pin(p.to_string()),
            None,
        );
        assert_eq!(answer.status, 200);
    }
    let (again, again_pin, _) = server.create_case(json!([pdq(&image)]), false);
    assert_eq!(view(&again, &again_pin)["finds"], json!([]));
}
