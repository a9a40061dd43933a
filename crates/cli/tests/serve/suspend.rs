//! Three platforms finding a hash's matches not violating suspend its
//! value: a deletion on the feed, out of matching, shown as suspended on
//! every case holding it, and kept suspended when another case files it.

use serde_json::json;

use crate::support::*;

#[test]
fn three_platforms_not_violating_suspend_a_hash_sqlite() {
    three_platforms_suspend(&TestDb::sqlite());
}

#[test]
fn three_platforms_not_violating_suspend_a_hash_postgres() {
    three_platforms_suspend(&TestDb::postgres());
}

fn three_platforms_suspend(db: &TestDb) {
    let keys: Vec<String> = ["one", "two", "three"]
        .iter()
        .map(|name| add_platform(db, name))
        .collect();
    let server = Server::start(db, &[]);
    let image = random_hex(64);
    let kept = random_hex(64);
    let (number, pin, created) = server.create_case(json!([pdq(&image), pdq(&kept)]), false);
    // The same value in a second case: one value for platforms.
    let (other, other_pin, again) = server.create_case(json!([pdq(&image)]), false);
    let hash_id = created["hashes"][0]["hash_id"].as_i64().unwrap();
    assert_eq!(again["hashes"][0]["hash_id"], json!(hash_id));
    assert_ne!(again["hashes"][0]["id"], created["hashes"][0]["id"]);

    for (i, key) in keys.iter().enumerate() {
        let found = server.match_one(key, "pdq", &image);
        assert_eq!(found.len(), 1, "before platform {i}: {found:?}");
        let report = server.report(key, hash_id, &image, &format!("item-{i}"));
        assert_eq!(report.status, 201, "{:?}", report.body);
        let id = report.body["report_id"].as_i64().unwrap();
        // The same platform saying it twice counts once.
        for _ in 0..2 {
            assert_eq!(server.outcome(key, id, "not_violating").status, 200);
        }
    }
    assert!(server.match_one(&keys[0], "pdq", &image).is_empty());
    assert_eq!(server.match_one(&keys[0], "pdq", &kept).len(), 1);

    let feed = server.whole_feed(&keys[0]);
    assert!(feed
        .iter()
        .any(|e| e["hash_id"] == json!(hash_id) && e["op"] == json!("delete")));
    assert!(!serde_json::to_string(&feed).unwrap().contains(&image));

    for (number, pin) in [(&number, &pin), (&other, &other_pin)] {
        let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
        let hashes = view.body["hashes"].as_array().unwrap();
        let suspended = hashes
            .iter()
            .find(|h| h["hash_id"] == json!(hash_id))
            .unwrap();
        assert_eq!(suspended["status"], json!("suspended"));
        assert_eq!(suspended["value"], json!(image), "the case keeps the value");
        assert_eq!(view.body["platforms"].as_array().unwrap().len(), 3);
    }

    // Filed again by a third case, the value is accepted, shown suspended,
    // and neither matched nor fed.
    let (_, third_pin, third) = server.create_case(json!([pdq(&image)]), false);
    assert_eq!(third["hashes"][0]["status"], json!("suspended"));
    assert_eq!(third["hashes"][0]["hash_id"], json!(hash_id));
    assert!(server.match_one(&keys[1], "pdq", &image).is_empty());
    assert_eq!(server.whole_feed(&keys[0]), feed, "no feed addition");
    // Nor when a case adds it to its hashes, minor or not.
    let (minor, minor_pin, _) = server.create_case(json!([pdq(&random_hex(64))]), true);
    let added = server.post(
        &format!("/v1/cases/{minor}/hashes"),
        &Auth::Pin(minor_pin),
        &json!({"hashes": [pdq(&image)]}),
    );
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert!(server.match_one(&keys[2], "pdq", &image).is_empty());
    assert!(!serde_json::to_string(&server.whole_feed(&keys[0]))
        .unwrap()
        .contains(&image));
    drop(third_pin);

    // After a restart, still out of matching.
    drop(server);
    let server = Server::start(db, &[]);
    assert!(server.match_one(&keys[0], "pdq", &image).is_empty());
    assert_eq!(server.match_one(&keys[0], "pdq", &kept).len(), 1);
}
