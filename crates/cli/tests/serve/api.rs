//! A case's life: filed, matched, reported, added to, withdrawn.

use serde_json::json;

use crate::support::*;

#[test]
fn case_lifecycle_sqlite() {
    case_lifecycle(&TestDb::sqlite());
}

#[test]
fn case_lifecycle_postgres() {
    case_lifecycle(&TestDb::postgres());
}

fn case_lifecycle(db: &TestDb) {
    let key = add_platform(db, "photos-example");
    let server = Server::start(db, &[]);
    let platform = Auth::Key(key.clone());

    let image = random_hex(64);
    let md5 = random_hex(32);
    let sha = random_hex(64);
    let (number, pin, created) = server.create_case(
        json!([pdq(&image), {"kind": "md5", "value": md5}, {"kind": "sha256", "value": sha.to_uppercase()}]),
        false,
    );
    assert!(number.starts_with("HB-") && number.len() == 17, "{number}");
    assert!(pin.len() == 10 && pin.bytes().all(|b| b.is_ascii_digit()));
    let ids: Vec<i64> = created["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["hash_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        created["hashes"][2]["value"],
        json!(sha),
        "stored in lower case"
    );

    // A minor case with a PDQ hash farther from the query comes first.
    let near_image = flip_last_bits(&image, 2);
    let (_, _, minor) = server.create_case(json!([pdq(&near_image)]), true);
    let minor_id = minor["hashes"][0]["hash_id"].as_i64().unwrap();

    let query = flip_last_bits(&image, 1);
    let matches = server.match_one(&key, "pdq", &query);
    assert_eq!(matches.len(), 2, "{matches:?}");
    assert_eq!(matches[0]["hash_id"], json!(minor_id));
    assert_eq!(matches[0]["category"], json!("minor"));
    assert_eq!(matches[0]["role"], json!("plain"));
    assert_eq!(matches[1]["hash_id"], json!(ids[0]));
    assert_eq!(matches[1]["distance"], json!(1));
    assert_eq!(matches[1]["hash"], json!(image));
    assert_eq!(
        server.match_one(&key, "md5", &md5)[0]["hash_id"],
        json!(ids[1])
    );
    assert_eq!(
        server.match_one(&key, "sha256", &sha)[0]["distance"],
        json!(0)
    );
    let narrow = server.post(
        "/v1/match",
        &platform,
        &json!({"hashes": [{"kind": "pdq", "value": query}], "radius": 0}),
    );
    assert!(narrow.body["results"][0]["matches"]
        .as_array()
        .unwrap()
        .is_empty());

    // The feed has the hashes, never the case number.
    let feed = server.get("/v1/feed?after=0", &platform);
    assert_eq!(feed.status, 200);
    let text = feed.body.to_string();
    assert!(!text.contains(&number));
    assert!(text.contains(&image) && text.contains(&md5));
    assert_eq!(feed.body["entries"].as_array().unwrap().len(), 4);
    let entry = feed.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["hash_id"] == json!(minor_id))
        .unwrap();
    assert_eq!(entry["category"], json!("minor"));
    assert_eq!(entry["op"], json!("add"));

    // Report a match and its outcome; the case shows them by platform.
    let report = server.post(
        "/v1/reports",
        &platform,
        &json!({"hash_id": ids[0], "value": query, "content_ref": "upload/123"}),
    );
    assert_eq!(report.status, 201, "{:?}", report.body);
    let report_id = report.body["report_id"].as_i64().unwrap();
    let outcome = server.post(
        &format!("/v1/reports/{report_id}/outcome"),
        &platform,
        &json!({"outcome": "removed"}),
    );
    assert_eq!(outcome.status, 200, "{:?}", outcome.body);
    let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
    assert_eq!(view.status, 200, "{:?}", view.body);
    assert_eq!(view.body["status"], json!("open"));
    let seen = &view.body["platforms"][0];
    assert_eq!(seen["platform"], json!("photos-example"));
    assert_eq!(seen["matches_reported"], json!(1));
    assert_eq!(seen["removed"], json!(1));
    assert_eq!(seen["reports"][0]["outcome"], json!("removed"));
    assert!(!view.body.to_string().contains("upload/123"));

    // Typed loosely, the number still opens the case.
    let loose = number.to_lowercase().replace('-', "");
    assert_eq!(
        server
            .get(&format!("/v1/cases/{loose}"), &Auth::Pin(pin.clone()))
            .status,
        200
    );

    // Add hashes, up to 500 in all.
    let more = server.post(
        &format!("/v1/cases/{number}/hashes"),
        &Auth::Pin(pin.clone()),
        &json!({"hashes": [pdq(&random_hex(64))]}),
    );
    assert_eq!(more.status, 201, "{:?}", more.body);
    assert_eq!(more.body["hashes"].as_array().unwrap().len(), 4);
    let too_many: Vec<_> = (0..497).map(|_| pdq(&random_hex(64))).collect();
    let refused = server.post(
        &format!("/v1/cases/{number}/hashes"),
        &Auth::Pin(pin.clone()),
        &json!({ "hashes": too_many }),
    );
    assert_eq!((refused.status, refused.code()), (400, "too_many_hashes"));

    // Withdraw: erased, deletions on the feed, out of matching at once.
    let withdrawn = server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin.clone()),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 200, "{:?}", withdrawn.body);
    assert_eq!(withdrawn.body["hashes_erased"], json!(4));
    let matches = server.match_one(&key, "pdq", &query);
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0]["hash_id"], json!(minor_id));
    assert!(server.match_one(&key, "md5", &md5).is_empty());
    let feed = server.whole_feed(&key);
    let text = serde_json::to_string(&feed).unwrap();
    assert!(!text.contains(&image) && !text.contains(&md5) && !text.contains(&sha));
    for id in &ids {
        let deletions = feed
            .iter()
            .filter(|e| e["hash_id"] == json!(id) && e["op"] == json!("delete"))
            .count();
        assert_eq!(deletions, 1, "hash {id}");
        assert!(feed
            .iter()
            .all(|e| !(e["hash_id"] == json!(id) && e["op"] == json!("add"))));
    }
    let cursors: Vec<i64> = feed.iter().map(|e| e["cursor"].as_i64().unwrap()).collect();
    assert!(
        cursors.windows(2).all(|w| w[0] < w[1]),
        "stable cursor order"
    );
    let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
    assert_eq!(view.body["status"], json!("withdrawn"));
    assert!(view.body["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h.get("value").is_none() && h["status"] == json!("withdrawn")));
    let again = server.post(
        &format!("/v1/cases/{number}/hashes"),
        &Auth::Pin(pin.clone()),
        &json!({"hashes": [pdq(&random_hex(64))]}),
    );
    assert_eq!(again.status, 409);
    let twice = server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(twice.status, 409);

    // A report on a withdrawn hash is refused.
    let late = server.post(
        "/v1/reports",
        &platform,
        &json!({"hash_id": ids[1], "value": md5, "content_ref": "x"}),
    );
    assert_eq!(late.status, 404);

    // After a restart, the matcher loads the same state from the database.
    drop(server);
    let server = Server::start(db, &[]);
    assert_eq!(server.match_one(&key, "pdq", &query).len(), 1);
    assert!(server.match_one(&key, "md5", &md5).is_empty());
}

#[test]
fn feed_pages_in_stable_order() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "pager");
    let server = Server::start(&db, &[]);
    let hashes: Vec<_> = (0..25).map(|_| pdq(&random_hex(64))).collect();
    server.create_case(json!(hashes), false);
    let platform = Auth::Key(key.clone());
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = server.get(&format!("/v1/feed?after={after}&limit=10"), &platform);
        assert_eq!(page.status, 200);
        let entries = page.body["entries"].as_array().unwrap();
        assert!(entries.len() <= 10);
        seen.extend(entries.iter().map(|e| e["cursor"].as_i64().unwrap()));
        after = page.body["next_cursor"].as_i64().unwrap();
        // The Link header names the next page while there is one.
        let link = page.headers.get("link").map(|v| v.to_str().unwrap());
        if !page.body["more"].as_bool().unwrap() {
            assert_eq!(link, None);
            break;
        }
        assert_eq!(
            link,
            Some(format!("</v1/feed?after={after}&limit=10>; rel=\"next\"").as_str())
        );
    }
    assert_eq!(seen, (1..=25).collect::<Vec<i64>>());
    let ids: Vec<_> = server
        .whole_feed(&key)
        .iter()
        .map(|e| e["hash_id"].clone())
        .collect();
    let again: Vec<_> = server
        .whole_feed(&key)
        .iter()
        .map(|e| e["hash_id"].clone())
        .collect();
    assert_eq!(ids, again);
    // Every read was logged with the platform and its cursor range.
    let stats = hashbank(&db, &["stats", "--json"]);
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert!(stats["feed_reads"].as_i64().unwrap() >= 5, "{stats}");
}
