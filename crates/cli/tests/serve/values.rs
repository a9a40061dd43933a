//! Platforms see hash values, not case hashes: one feed entry and one
//! match per value however many cases file it; reports must name a hash
//! the platform was given, with its own hash of the copy, once per content;
//! outcomes count once per platform; degenerate PDQ hashes are refused.
//! Written as an attacker (or a careless platform) would try them.

use serde_json::{json, Value};

use crate::support::*;

/// The feed's additions of `value`.
fn additions(feed: &[Value], value: &str) -> Vec<Value> {
    feed.iter()
        .filter(|e| e["op"] == json!("add") && e["value"] == json!(value))
        .cloned()
        .collect()
}

/// `value` with its first `bits` bits flipped.
fn flip_bits(value: &str, bits: usize) -> String {
    let mut bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&value[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    for bit in 0..bits {
        bytes[bit / 8] ^= 1 << (bit % 8);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn one_value_in_many_cases_is_one_entry_sqlite() {
    one_value_is_one_entry(&TestDb::sqlite());
}

#[test]
fn one_value_in_many_cases_is_one_entry_postgres() {
    one_value_is_one_entry(&TestDb::postgres());
}

fn one_value_is_one_entry(db: &TestDb) {
    let key = add_platform(db, "photos");
    let server = Server::start(db, &[]);
    let image = random_hex(64);
    let md5 = random_hex(32);
    let mut cases = Vec::new();
    for _ in 0..6 {
        let other = random_hex(64);
        let (number, pin, created) = server.create_case(
            json!([pdq(&image), {"kind": "md5", "value": md5}, pdq(&other)]),
            false,
        );
        cases.push((number, pin, created));
    }
    let hash_id = cases[0].2["hashes"][0]["hash_id"].clone();
    let md5_id = cases[0].2["hashes"][1]["hash_id"].clone();
    for (_, _, created) in &cases {
        assert_eq!(created["hashes"][0]["hash_id"], hash_id);
        assert_eq!(created["hashes"][1]["hash_id"], md5_id);
    }
    // Each case has its own hash: its own id.
    let own: std::collections::HashSet<_> = cases
        .iter()
        .map(|(_, _, c)| c["hashes"][0]["id"].clone())
        .collect();
    assert_eq!(own.len(), cases.len());

    let found = server.match_one(&key, "pdq", &flip_last_bits(&image, 1));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["hash_id"], hash_id);
    assert_eq!(server.match_one(&key, "md5", &md5).len(), 1);
    let feed = server.whole_feed(&key);
    assert_eq!(additions(&feed, &image).len(), 1);
    assert_eq!(additions(&feed, &md5).len(), 1);
    assert_eq!(additions(&feed, &image)[0]["hash_id"], hash_id);

    // A minor case filing it makes the one entry minor.
    let (minor_number, minor_pin, _) = server.create_case(json!([pdq(&image)]), true);
    let found = server.match_one(&key, "pdq", &image);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["category"], json!("minor"));
    let feed = server.whole_feed(&key);
    let entries = additions(&feed, &image);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["category"], json!("minor"));
    assert_eq!(entries[0]["hash_id"], hash_id);

    // A report on the value shows on every case holding it, counted by
    // content.
    let report = server.report(&key, hash_id.as_i64().unwrap(), &image, "upload/9");
    assert_eq!(report.status, 201, "{:?}", report.body);
    let also = server.report(&key, md5_id.as_i64().unwrap(), &md5, "upload/9");
    assert_eq!(also.status, 201, "{:?}", also.body);
    for (number, pin, _) in &cases {
        let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
        assert_eq!(view.status, 200);
        let seen = &view.body["platforms"][0];
        assert_eq!(seen["platform"], json!("photos"));
        assert_eq!(seen["reports"].as_array().unwrap().len(), 2);
        assert_eq!(seen["matches_reported"], json!(1), "one piece of content");
    }

    // The minor case withdrawn, the value is no longer minor, still fed.
    let gone = server.post(
        &format!("/v1/cases/{minor_number}/withdraw"),
        &Auth::Pin(minor_pin),
        &json!({}),
    );
    assert_eq!(gone.status, 200, "{:?}", gone.body);
    let found = server.match_one(&key, "pdq", &image);
    assert_eq!(found.len(), 1);
    assert!(found[0].get("category").is_none() || found[0]["category"].is_null());
    let entries = additions(&server.whole_feed(&key), &image);
    assert_eq!(entries.len(), 1);
    assert!(entries[0].get("category").is_none(), "{entries:?}");

    // Withdrawn by all but one case, it stays; by the last, it goes.
    let (last, others) = cases.split_last().unwrap();
    for (number, pin, _) in others {
        let gone = server.post(
            &format!("/v1/cases/{number}/withdraw"),
            &Auth::Pin(pin.clone()),
            &json!({}),
        );
        assert_eq!(gone.status, 200);
        let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
        assert!(view.body["hashes"][0].get("hash_id").is_none());
        assert!(view.body["platforms"].as_array().unwrap().is_empty());
    }
    assert_eq!(server.match_one(&key, "pdq", &image).len(), 1);
    let feed = server.whole_feed(&key);
    assert!(!feed
        .iter()
        .any(|e| e["hash_id"] == hash_id && e["op"] == json!("delete")));
    let view = server.get(&format!("/v1/cases/{}", last.0), &Auth::Pin(last.1.clone()));
    assert_eq!(view.body["platforms"][0]["matches_reported"], json!(1));

    let gone = server.post(
        &format!("/v1/cases/{}/withdraw", last.0),
        &Auth::Pin(last.1.clone()),
        &json!({}),
    );
    assert_eq!(gone.status, 200);
    assert!(server.match_one(&key, "pdq", &image).is_empty());
    assert!(server.match_one(&key, "md5", &md5).is_empty());
    let feed = server.whole_feed(&key);
    assert!(additions(&feed, &image).is_empty());
    assert!(feed
        .iter()
        .any(|e| e["hash_id"] == hash_id && e["op"] == json!("delete")));
    // The value row is gone, not kept aside.
    let stats = hashbank(db, &["stats", "--json"]);
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["values"].get("active"), None, "{stats}");
    // Filed afresh, it is a new value under a new id.
    let (_, _, fresh) = server.create_case(json!([pdq(&image)]), false);
    assert_ne!(fresh["hashes"][0]["hash_id"], hash_id);
}

#[test]
fn reports_need_evidence_sqlite() {
    reports_need_evidence(&TestDb::sqlite());
}

#[test]
fn reports_need_evidence_postgres() {
    reports_need_evidence(&TestDb::postgres());
}

fn reports_need_evidence(db: &TestDb) {
    let matcher = add_platform(db, "matcher");
    let reader = add_platform(db, "reader");
    let stranger = add_platform(db, "stranger");
    let server = Server::start(db, &["--suspend-after", "2"]);
    let image = random_hex(64);
    let md5 = random_hex(32);
    // The reader reads the feed before the case exists: that read does not
    // reach the case's entries.
    assert!(server.whole_feed(&reader).is_empty());
    let (number, pin, created) =
        server.create_case(json!([pdq(&image), {"kind": "md5", "value": md5}]), false);
    let hash_id = created["hashes"][0]["hash_id"].as_i64().unwrap();
    let md5_id = created["hashes"][1]["hash_id"].as_i64().unwrap();

    // A hash id never matched nor fed to the platform: refused, the same
    // way as an id that does not exist.
    let never = server.report(&stranger, hash_id, &image, "x");
    assert_eq!((never.status, never.code()), (404, "not_found"));
    let unknown = server.report(&stranger, 12345, &image, "x");
    assert_eq!((unknown.status, unknown.code()), (404, "not_found"));
    assert_eq!(
        never.body["message"]
            .as_str()
            .unwrap()
            .replace(&hash_id.to_string(), "12345"),
        unknown.body["message"].as_str().unwrap()
    );
    let early = server.report(&reader, hash_id, &image, "x");
    assert_eq!(early.status, 404, "a read before the entry existed");
    // Matching something else does not help.
    assert!(server
        .match_one(&stranger, "pdq", &random_hex(64))
        .is_empty());
    assert_eq!(server.report(&stranger, hash_id, &image, "x").status, 404);

    // Read from the feed, it may be reported.
    server.whole_feed(&reader);
    let fed = server.report(&reader, hash_id, &flip_last_bits(&image, 3), "r/1");
    assert_eq!(fed.status, 201, "{:?}", fed.body);

    // Matched, it may be reported; a value beyond the pair's radius is not
    // a match whatever distance the platform claims.
    assert_eq!(server.match_one(&matcher, "pdq", &image).len(), 1);
    let far = server.post(
        "/v1/reports",
        &Auth::Key(matcher.clone()),
        &json!({"hash_id": hash_id, "value": flip_bits(&image, 60), "distance": 0, "content_ref": "m/far"}),
    );
    assert_eq!(
        (far.status, far.code()),
        (400, "not_a_match"),
        "{:?}",
        far.body
    );
    let turned = server.post(
        "/v1/reports",
        &Auth::Key(matcher.clone()),
        &json!({"hash_id": hash_id, "value": flip_bits(&image, 35), "label": "rot90", "content_ref": "m/t"}),
    );
    assert_eq!((turned.status, turned.code()), (400, "not_a_match"));
    let wrong_kind = server.report(&matcher, hash_id, &md5, "m/k");
    assert_eq!(
        (wrong_kind.status, wrong_kind.code()),
        (400, "invalid_value")
    );
    assert_eq!(server.match_one(&matcher, "md5", &md5).len(), 1);
    let other_md5 = server.report(&matcher, md5_id, &random_hex(32), "m/md5");
    assert_eq!((other_md5.status, other_md5.code()), (400, "not_a_match"));
    let near = server.report(&matcher, hash_id, &flip_bits(&image, 20), "m/1");
    assert_eq!(near.status, 201, "{:?}", near.body);

    // 50 identical reports: one report, one match for the victim.
    let first = server.report(&matcher, hash_id, &image, "m/dup");
    assert_eq!(first.status, 201);
    for _ in 0..49 {
        let again = server.report(&matcher, hash_id, &image, "m/dup");
        assert_eq!((again.status, again.code()), (409, "conflict"));
        let id = first.body["report_id"].as_i64().unwrap().to_string();
        assert!(again.body["message"].as_str().unwrap().contains(&id));
    }
    let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
    let matcher_seen = view.body["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["platform"] == json!("matcher"))
        .unwrap()
        .clone();
    assert_eq!(matcher_seen["matches_reported"], json!(2), "m/1 and m/dup");
    assert_eq!(matcher_seen["reports"].as_array().unwrap().len(), 2);

    // One platform's ten not_violating outcomes count once: with
    // --suspend-after 2 the hash stays.
    for i in 0..10 {
        let report = server.report(&matcher, hash_id, &image, &format!("m/nv{i}"));
        assert_eq!(report.status, 201);
        let id = report.body["report_id"].as_i64().unwrap();
        assert_eq!(server.outcome(&matcher, id, "not_violating").status, 200);
    }
    assert_eq!(server.match_one(&stranger, "pdq", &image).len(), 1);
    // A second platform makes two.
    let id = fed.body["report_id"].as_i64().unwrap();
    assert_eq!(server.outcome(&reader, id, "not_violating").status, 200);
    assert!(server.match_one(&stranger, "pdq", &image).is_empty());
    // Another platform's report ids are not this one's to judge.
    let theirs = server.outcome(&stranger, id, "removed");
    assert_eq!(theirs.status, 404);
}

#[test]
fn degenerate_pdq_hashes_are_refused() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &[]);
    let zeros = "0".repeat(64);
    let ones = "f".repeat(64);
    for value in [&zeros, &ones] {
        let answer = server.post(
            "/v1/cases",
            &Auth::None,
            &json!({"hashes": [{"kind": "pdq", "value": value, "quality": 100}]}),
        );
        assert_eq!((answer.status, answer.code()), (400, "degenerate_hash"));
        assert!(answer.body["message"]
            .as_str()
            .unwrap()
            .contains("bits set"));
    }
    // An extra hash is judged the same way.
    let extra = server.post(
        "/v1/cases",
        &Auth::None,
        &json!({"hashes": [{"kind": "pdq", "value": zeros, "quality": 100, "role": "extra", "label": "trim"}]}),
    );
    assert_eq!((extra.status, extra.code()), (400, "degenerate_hash"));
    // Adding one to a case is refused too, and nothing is added.
    let (number, pin, _) = server.create_case(json!([pdq(&random_hex(64))]), false);
    let more = server.post(
        &format!("/v1/cases/{number}/hashes"),
        &Auth::Pin(pin.clone()),
        &json!({"hashes": [pdq(&random_hex(64)), {"kind": "pdq", "value": zeros, "quality": 100}]}),
    );
    assert_eq!((more.status, more.code()), (400, "degenerate_hash"));
    assert!(more.body["message"].as_str().unwrap().contains("hash 2"));
    let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin));
    assert_eq!(view.body["hashes"].as_array().unwrap().len(), 1);

    // An import skips them.
    drop(server);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("hashes.jsonl");
    let kept = random_hex(64);
    std::fs::write(
        &list,
        format!(
            "{}\n{}\n",
            json!({"kind": "pdq", "value": zeros, "quality": 100}),
            json!({"kind": "pdq", "value": kept, "quality": 90}),
        ),
    )
    .unwrap();
    let cases_out = dir.path().join("cases.txt");
    let out = hashbank(
        &db,
        &[
            "import",
            list.to_str().unwrap(),
            "--cases-out",
            cases_out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("imported 1 hashes") && stderr.contains("1 skipped"),
        "{stderr}"
    );
    let key = add_platform(&db, "after-import");
    let server = Server::start(&db, &[]);
    assert_eq!(server.match_one(&key, "pdq", &kept).len(), 1);
    assert!(server.match_one(&key, "pdq", &zeros).is_empty());
}

/// The match API answers before its grant is written; the grant reaches the
/// database within about a second, so that a report to another server of
/// the same bank finds it.
#[test]
fn a_match_on_one_server_may_be_reported_on_another_postgres() {
    let db = TestDb::postgres();
    let key = add_platform(&db, "photos");
    let a = Server::start(&db, &[]);
    let b = Server::start(&db, &[]);
    let image = random_hex(64);
    a.create_case(json!([pdq(&image)]), false);
    let near = flip_bits(&image, 6);
    let found = a.match_one(&key, "pdq", &near);
    assert_eq!(found.len(), 1);
    let hash_id = found[0]["hash_id"].as_i64().unwrap();
    let reported = eventually(std::time::Duration::from_secs(20), || {
        b.report(&key, hash_id, &near, "post/1").status == 201
    });
    assert!(
        reported,
        "the grant written on one server never reached the other"
    );
    // A platform that never matched it still may not report it.
    let other = add_platform(&db, "files");
    assert_eq!(b.report(&other, hash_id, &near, "post/2").status, 404);
}
