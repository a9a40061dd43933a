//! Three platforms finding a hash's matches not violating suspend it: a
//! deletion on the feed, out of matching, shown as suspended on the case.

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
    let hash_id = created["hashes"][0]["id"].as_i64().unwrap();

    for (i, key) in keys.iter().enumerate() {
        assert_eq!(
            server.match_one(key, "pdq", &image).len(),
            1,
            "before platform {i}"
        );
        let platform = Auth::Key(key.clone());
        let report = server.post(
            "/v1/reports",
            &platform,
            &json!({"hash_id": hash_id, "distance": 0, "content_ref": format!("item-{i}")}),
        );
        assert_eq!(report.status, 201);
        let id = report.body["report_id"].as_i64().unwrap();
        // The same platform saying it twice counts once.
        for _ in 0..2 {
            let outcome = server.post(
                &format!("/v1/reports/{id}/outcome"),
                &platform,
                &json!({"outcome": "not_violating"}),
            );
            assert_eq!(outcome.status, 200);
        }
    }
    assert!(server.match_one(&keys[0], "pdq", &image).is_empty());
    assert_eq!(server.match_one(&keys[0], "pdq", &kept).len(), 1);

    let feed = server.whole_feed(&keys[0]);
    assert!(feed
        .iter()
        .any(|e| e["hash_id"] == json!(hash_id) && e["op"] == json!("delete")));
    assert!(!serde_json::to_string(&feed).unwrap().contains(&image));

    let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin));
    let hashes = view.body["hashes"].as_array().unwrap();
    let suspended = hashes.iter().find(|h| h["id"] == json!(hash_id)).unwrap();
    assert_eq!(suspended["status"], json!("suspended"));
    assert_eq!(suspended["value"], json!(image), "the case keeps the value");
    assert_eq!(view.body["platforms"].as_array().unwrap().len(), 3);
}
