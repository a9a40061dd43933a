//! Draft statements of reasons (`GET /v1/reports/{id}/statement`) and a
//! platform's statement settings: every draft is checked against the
//! Transparency Database's rules (../shared/docs/dsa-statements.md), and
//! against what it must never hold (a case number, a hash value).

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn statements_of_reasons_sqlite() {
    statements_of_reasons(&TestDb::sqlite());
}

#[test]
fn statements_of_reasons_postgres() {
    statements_of_reasons(&TestDb::postgres());
}

/// The database's words per field (those a draft may use).
const DECISION_VISIBILITY: &[&str] = &[
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
];
const DECISION_GROUND: &[&str] = &[
    "DECISION_GROUND_ILLEGAL_CONTENT",
    "DECISION_GROUND_INCOMPATIBLE_CONTENT",
];
const CONTENT_TYPE: &[&str] = &[
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_PRODUCT",
];
const CATEGORY: &[&str] = &[
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
];
const KEYWORDS: &[&str] = &[
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
];
const SOURCE_TYPE: &[&str] = &[
    "SOURCE_VOLUNTARY",
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
];
const AUTOMATED_DECISION: &[&str] = &[
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
];
const EEA: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Every way `statement` breaks the Transparency Database's rules, in
/// words (none: it would be accepted).
fn broken_rules(statement: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let mut fail = |why: String| broken.push(why);
    let text = |field: &str| statement.get(field).and_then(Value::as_str);
    let words = |field: &str| -> Option<Vec<&str>> {
        statement
            .get(field)?
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect()
    };
    let one_of = |field: &str, allowed: &[&str], fail: &mut dyn FnMut(String)| match text(field) {
        Some(word) if allowed.contains(&word) => {}
        other => fail(format!("{field}: {other:?} is not one of its words")),
    };
    let all_of =
        |field: &str, allowed: &[&str], required: bool, fail: &mut dyn FnMut(String)| match (
            statement.get(field),
            words(field),
        ) {
            (None, _) if !required => {}
            (_, Some(list)) if !list.is_empty() || !required => {
                for word in list {
                    if !allowed.contains(&word) {
                        fail(format!("{field}: {word:?} is not one of its words"));
                    }
                }
            }
            _ => fail(format!("{field}: required, a list of words")),
        };
    let at_most = |field: &str, max: usize, fail: &mut dyn FnMut(String)| {
        if let Some(value) = text(field) {
            if value.chars().count() > max {
                fail(format!("{field}: over {max} characters"));
            }
        }
    };
    let date = |field: &str, first: &str, required: bool, fail: &mut dyn FnMut(String)| match text(
        field,
    ) {
        None if !required => {}
        Some(day) if day.len() == 10 && day >= first && day <= "2038-01-01" => {
            let ok = day.as_bytes().iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
            if !ok {
                fail(format!("{field}: {day} is not YYYY-MM-DD"));
            }
        }
        other => fail(format!(
            "{field}: {other:?} is not a day from {first} to 2038-01-01"
        )),
    };

    all_of("decision_visibility", DECISION_VISIBILITY, true, &mut fail);
    one_of("decision_ground", DECISION_GROUND, &mut fail);
    let illegal = text("decision_ground") == Some("DECISION_GROUND_ILLEGAL_CONTENT");
    for (field, max, with_illegal) in [
        ("illegal_content_legal_ground", 500, true),
        ("illegal_content_explanation", 2000, true),
        ("incompatible_content_ground", 500, false),
        ("incompatible_content_explanation", 2000, false),
    ] {
        let given = text(field).is_some_and(|t| !t.trim().is_empty());
        if with_illegal == illegal && !given {
            fail(format!("{field}: required with this ground"));
        }
        if with_illegal != illegal && statement.get(field).is_some() {
            fail(format!("{field}: excluded with this ground"));
        }
        at_most(field, max, &mut fail);
    }
    if illegal && statement.get("incompatible_content_illegal").is_some() {
        fail("incompatible_content_illegal: only with incompatible content".into());
    }
    at_most("decision_ground_reference_url", 500, &mut fail);
    if let Some(url) = text("decision_ground_reference_url") {
        if !url.starts_with("https://") && !url.starts_with("http://") {
            fail("decision_ground_reference_url: not a URL".into());
        }
    }
    all_of("content_type", CONTENT_TYPE, true, &mut fail);
    one_of("category", CATEGORY, &mut fail);
    all_of("category_addition", CATEGORY, false, &mut fail);
    all_of("category_specification", KEYWORDS, false, &mut fail);
    all_of("territorial_scope", EEA, false, &mut fail);
    date("content_date", "2000-01-01", true, &mut fail);
    date("application_date", "2020-01-01", true, &mut fail);
    date(
        "end_date_visibility_restriction",
        "2000-01-01",
        false,
        &mut fail,
    );
    match text("decision_facts") {
        Some(facts) if !facts.is_empty() && facts.chars().count() <= 5000 => {}
        _ => fail("decision_facts: required, at most 5000 characters".into()),
    }
    one_of("source_type", SOURCE_TYPE, &mut fail);
    if text("source_type") == Some("SOURCE_VOLUNTARY") && statement.get("source_identity").is_some()
    {
        fail("source_identity: excluded when the source is voluntary".into());
    }
    one_of("automated_detection", &["Yes", "No"], &mut fail);
    one_of("automated_decision", AUTOMATED_DECISION, &mut fail);
    match text("puid") {
        Some(puid)
            if !puid.is_empty()
                && puid.len() <= 500
                && puid
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {}
        other => fail(format!("puid: {other:?} is not 1 to 500 of [a-zA-Z0-9-_]")),
    }
    broken
}

#[test]
fn the_rules_checker_finds_what_it_is_meant_to() {
    let good = json!({
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": "Art. 417/7 Sw.",
        "illegal_content_explanation": "Shared without consent.",
        "content_type": ["CONTENT_TYPE_IMAGE"],
        "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "content_date": "2026-01-02",
        "application_date": "2026-01-03",
        "decision_facts": "Matched.",
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
        "puid": "abc-1_2",
    });
    assert_eq!(broken_rules(&good), Vec::<String>::new());
    let spoil = |field: &str, value: Value| {
        let mut bad = good.clone();
        if value.is_null() {
            bad.as_object_mut().unwrap().remove(field);
        } else {
            bad[field] = value;
        }
        assert!(!broken_rules(&bad).is_empty(), "{field} spoiled");
    };
    spoil("puid", json!("a/b"));
    spoil("puid", json!("x".repeat(501)));
    spoil("illegal_content_legal_ground", Value::Null);
    spoil("incompatible_content_ground", json!("4.2"));
    spoil("content_date", json!("1999-12-31"));
    spoil("application_date", json!("2026-1-3"));
    spoil("category", json!("CYBER"));
    spoil("content_type", json!([]));
    spoil("territorial_scope", json!(["US"]));
    spoil("decision_facts", json!("x".repeat(5001)));
    spoil("automated_decision", Value::Null);
    spoil("source_identity", json!("someone"));
}

/// Gets report `report_id`'s statement as `key`, checks it against the
/// rules and against what it must not hold; returns it.
fn drafted(server: &Server, key: &str, report_id: i64, secrets: &[&str]) -> Value {
    let answer = server.get(
        &format!("/v1/reports/{report_id}/statement"),
        &Auth::Key(key.into()),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(
        broken_rules(&answer.body),
        Vec::<String>::new(),
        "{}",
        answer.body
    );
    let text = answer.body.to_string().to_lowercase();
    for secret in secrets {
        assert!(!text.contains(&secret.to_lowercase()), "{secret} in {text}");
    }
    answer.body
}

fn statements_of_reasons(db: &TestDb) {
    let key = add_platform(db, "host");
    let other = add_platform(db, "other");
    let server = Server::start(db, &[]);
    let as_key = Auth::Key(key.clone());

    let image = random_pdq();
    let file = random_hex(32);
    let (number, pin, created) =
        server.create_case(json!([pdq(&image), {"kind": "md5", "value": file}]), false);
    let image_id = created["hashes"][0]["hash_id"].as_i64().unwrap();
    let file_id = created["hashes"][1]["hash_id"].as_i64().unwrap();
    let minor_image = random_pdq();
    let (minor_number, _, minor_created) = server.create_case(json!([pdq(&minor_image)]), true);
    let minor_id = minor_created["hashes"][0]["hash_id"].as_i64().unwrap();
    for (kind, value) in [("pdq", &image), ("md5", &file), ("pdq", &minor_image)] {
        assert_eq!(server.match_one(&key, kind, value).len(), 1);
    }
    let copy = flip_last_bits(&image, 4);
    let report = |hash_id, value: &str, content_ref: &str| {
        let answer = server.report(&key, hash_id, value, content_ref);
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.body["report_id"].as_i64().unwrap()
    };
    let image_report = report(image_id, &copy, "uploads/2026/IMG_0042.jpg");
    let file_report = report(file_id, &file, "file-9");
    let minor_report = report(minor_id, &minor_image, "post_77");
    // The same content again: refused, naming the report it has.
    let again = server.report(&key, image_id, &copy, "uploads/2026/IMG_0042.jpg");
    assert_eq!((again.status, again.code()), (409, "conflict"));
    assert_eq!(again.body["report_id"], json!(image_report));
    let statement_path = |id: i64| format!("/v1/reports/{id}/statement");
    let conflict = |id: i64, says: &str| {
        let answer = server.get(&statement_path(id), &as_key);
        assert_eq!(
            (answer.status, answer.code()),
            (409, "conflict"),
            "{:?}",
            answer.body
        );
        let message = answer.body["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    };

    // Not removed yet.
    conflict(image_report, "no removal");
    assert_eq!(
        server.outcome(&key, image_report, "pending_review").status,
        200
    );
    conflict(image_report, "no removal");

    // Removed, but no settings.
    assert_eq!(server.outcome(&key, image_report, "removed").status, 200);
    conflict(image_report, "statement settings");
    let answer = server.get("/v1/statement-settings", &as_key);
    assert_eq!(answer.status, 404);

    // Settings: bad ones refused, good ones kept.
    let settings = json!({
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "ground": "Art. 417/7 of the Belgian Criminal Code",
        "explanation": "Intimate images shared without the consent of the person they show.",
        "reference_url": "https://www.ejustice.just.fgov.be/",
    });
    for (field, value) in [
        ("ground", json!("")),
        ("ground", json!("x".repeat(501))),
        ("explanation", json!("x".repeat(2001))),
        ("explanation", json!("a\u{0}b")),
        ("reference_url", json!("javascript:alert(1)")),
        ("decision_ground", json!("DECISION_GROUND_WHATEVER")),
        ("unknown", json!(1)),
    ] {
        let mut bad = settings.clone();
        bad[field] = value;
        let answer = server.send("PUT", "/v1/statement-settings", &as_key, Some(&bad));
        assert_eq!(answer.status, 400, "{field}: {:?}", answer.body);
    }
    let answer = server.send("PUT", "/v1/statement-settings", &as_key, Some(&settings));
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let answer = server.get("/v1/statement-settings", &as_key);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["ground"], settings["ground"]);
    assert_eq!(
        answer.body["decision_visibility"],
        "DECISION_VISIBILITY_CONTENT_REMOVED"
    );

    // Removed without saying how automated: still missing.
    conflict(image_report, "automated_decision");

    // Bad facts in an outcome are refused, and leave the outcome as it was.
    let outcome =
        |id: i64, body: Value| server.post(&format!("/v1/reports/{id}/outcome"), &as_key, &body);
    for bad in [
        json!({"outcome": "removed", "territorial_scope": ["US"]}),
        json!({"outcome": "removed", "content_date": "2026-02-30"}),
        json!({"outcome": "removed", "end_date": "2040-01-01"}),
        json!({"outcome": "removed", "automated_decision": "AUTOMATED_DECISION_SOMEWHAT"}),
    ] {
        let answer = outcome(image_report, bad.clone());
        assert_eq!(answer.status, 400, "{bad}: {:?}", answer.body);
    }
    conflict(image_report, "automated_decision");

    let answer = outcome(
        image_report,
        json!({"outcome": "removed", "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
               "territorial_scope": ["BE", "NL"], "content_date": "2026-11-30"}),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let secrets = [
        number.as_str(),
        pin.as_str(),
        &image,
        &copy,
        &file,
        &minor_number,
    ];
    let draft = drafted(&server, &key, image_report, &secrets);
    assert_eq!(draft["decision_ground"], "DECISION_GROUND_ILLEGAL_CONTENT");
    assert_eq!(draft["illegal_content_legal_ground"], settings["ground"]);
    assert_eq!(draft["content_type"], json!(["CONTENT_TYPE_IMAGE"]));
    assert_eq!(draft["category"], "STATEMENT_CATEGORY_CYBER_VIOLENCE");
    assert!(draft.get("category_addition").is_none());
    assert_eq!(
        draft["category_specification"],
        json!(["KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"])
    );
    assert_eq!(draft["territorial_scope"], json!(["BE", "NL"]));
    assert_eq!(draft["content_date"], "2026-11-30");
    assert_eq!(draft["automated_detection"], "Yes");
    assert_eq!(draft["automated_decision"], "AUTOMATED_DECISION_PARTIALLY");
    assert_eq!(draft["source_type"], "SOURCE_VOLUNTARY");
    // A path is not a puid: its digest is, the same each time.
    let puid = draft["puid"].as_str().unwrap();
    assert!(puid.starts_with("ref-") && !puid.contains("IMG"), "{puid}");
    assert_eq!(
        puid,
        hashbank_bank::puid_of("uploads/2026/IMG_0042.jpg"),
        "the platform can compute it"
    );
    let facts = draft["decision_facts"].as_str().unwrap();
    assert!(
        facts.contains("PDQ") && facts.contains("4 of 256"),
        "{facts}"
    );

    // A file hash: picture or video must be said.
    let full = json!({"outcome": "removed", "automated_decision": "AUTOMATED_DECISION_FULLY"});
    assert_eq!(outcome(file_report, full.clone()).status, 200);
    conflict(file_report, "content_type");
    let mut with_type = full.clone();
    with_type["content_type"] = json!("CONTENT_TYPE_VIDEO");
    assert_eq!(outcome(file_report, with_type).status, 200);
    let draft = drafted(&server, &key, file_report, &secrets);
    assert_eq!(draft["content_type"], json!(["CONTENT_TYPE_VIDEO"]));
    assert_eq!(draft["puid"], "file-9");

    // A minor case: protection of minors added. Terms ground this time.
    let terms = json!({
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_visibility": "DECISION_VISIBILITY_CONTENT_DISABLED",
        "ground": "Community rules 3.1",
        "explanation": "No intimate images of others without their consent.",
    });
    let answer = server.send("PUT", "/v1/statement-settings", &as_key, Some(&terms));
    assert_eq!(answer.status, 200);
    let mut ended = full.clone();
    ended["end_date"] = json!("2027-01-01");
    assert_eq!(outcome(minor_report, ended).status, 200);
    let draft = drafted(&server, &key, minor_report, &secrets);
    assert_eq!(
        draft["category_addition"],
        json!(["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"])
    );
    assert_eq!(draft["incompatible_content_ground"], terms["ground"]);
    assert!(draft.get("illegal_content_legal_ground").is_none());
    assert!(draft.get("decision_ground_reference_url").is_none());
    assert_eq!(
        draft["decision_visibility"],
        json!(["DECISION_VISIBILITY_CONTENT_DISABLED"])
    );
    assert_eq!(draft["end_date_visibility_restriction"], "2027-01-01");

    // Another platform: no such report; unknown and bad ids likewise.
    for (auth, path, want) in [
        (Auth::Key(other.clone()), statement_path(image_report), 404),
        (as_key.clone(), statement_path(image_report ^ 1), 404),
        (as_key.clone(), "/v1/reports/abc/statement".to_string(), 400),
    ] {
        assert_eq!(server.get(&path, &auth).status, want, "{path}");
    }

    // Withdrawn: the reports go with the hashes, and so does the draft.
    let answer = server.send(
        "POST",
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin.clone()),
        None,
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(
        server.get(&statement_path(image_report), &as_key).status,
        404
    );
    assert_eq!(
        server.get(&statement_path(minor_report), &as_key).status,
        200
    );
}
