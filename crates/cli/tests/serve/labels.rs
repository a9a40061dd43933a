//! Hash labels: filed with a case, shown on it, carried by the feed, and
//! deciding which stored hashes a match query is compared with.

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn labels_carry_through_case_feed_and_match_sqlite() {
    labels_carry_through_case_feed_and_match(&TestDb::sqlite());
}

#[test]
fn labels_carry_through_case_feed_and_match_postgres() {
    labels_carry_through_case_feed_and_match(&TestDb::postgres());
}

/// A PDQ hash entry of quality 90 with a role and a label.
fn labelled(value: &str, role: &str, label: &str) -> Value {
    json!({"kind": "pdq", "value": value, "quality": 90, "role": role, "label": label})
}

/// `value` with its first `bits` bits flipped.
fn flip_bits(value: &str, bits: usize) -> String {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let digit = c.to_digit(16).unwrap();
            let flipped = bits.saturating_sub(4 * i).min(4);
            let mask = (0xf0u32 >> flipped) & 0xf;
            std::char::from_digit(digit ^ mask, 16).unwrap()
        })
        .collect()
}

/// The (hash id, label, role, distance) of each match of one query.
fn found(server: &Server, key: &str, query: Value, radius: Option<u32>) -> Vec<Value> {
    let mut body = json!({ "hashes": [query] });
    if let Some(r) = radius {
        body["radius"] = json!(r);
    }
    let answer = server.post("/v1/match", &Auth::Key(key.into()), &body);
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["results"][0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!([m["hash_id"], m["label"], m["role"], m["distance"]]))
        .collect()
}

fn labels_carry_through_case_feed_and_match(db: &TestDb) {
    let key = add_platform(db, "labels-example");
    let server = Server::start(db, &[]);
    let platform = Auth::Key(key.clone());

    let whole = random_hex(64);
    let crop = random_hex(64);
    let top = random_hex(64);
    let md5 = random_hex(32);
    let (number, pin, created) = server.create_case(
        json!([
            pdq(&whole),
            {"kind": "md5", "value": md5},
            labelled(&crop, "extra", "crop90"),
            labelled(&top, "extra", "top80"),
        ]),
        false,
    );
    let hashes = created["hashes"].as_array().unwrap();
    let labels: Vec<_> = hashes.iter().map(|h| h.get("label").cloned()).collect();
    assert_eq!(
        labels,
        vec![
            Some(json!("pdq")),
            None,
            Some(json!("crop90")),
            Some(json!("top80"))
        ],
        "a plain PDQ hash is labelled pdq; digests have no label"
    );
    let id = |i: usize| hashes[i]["hash_id"].clone();

    // The case view shows the labels.
    let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
    assert_eq!(view.status, 200, "{:?}", view.body);
    let seen: Vec<_> = view.body["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["hash_id"].clone(),
                h.get("label").cloned(),
                h["role"].clone(),
            )
        })
        .collect();
    assert!(seen.contains(&(id(2), Some(json!("crop90")), json!("extra"))));
    assert!(seen.contains(&(id(1), None, json!("plain"))));

    // The feed carries each PDQ addition's label beside its role.
    let feed = server.whole_feed(&key);
    let entry = |i: usize| feed.iter().find(|e| e["hash_id"] == id(i)).unwrap().clone();
    assert_eq!(
        (entry(0)["label"].clone(), entry(0)["role"].clone()),
        (json!("pdq"), json!("plain"))
    );
    assert_eq!(
        (entry(3)["label"].clone(), entry(3)["role"].clone()),
        (json!("top80"), json!("extra"))
    );
    assert!(entry(1).get("label").is_none(), "{:?}", entry(1));

    // A query labelled pdq (or with no label) finds the stored crop within
    // 31 bits, not beyond.
    let pdq_query = |value: &str| json!({"kind": "pdq", "value": value, "label": "pdq"});
    assert_eq!(
        found(&server, &key, pdq_query(&flip_bits(&crop, 31)), None),
        vec![json!([id(2), "crop90", "extra", 31])]
    );
    assert_eq!(
        found(&server, &key, json!({"kind": "pdq", "value": crop}), None),
        vec![json!([id(2), "crop90", "extra", 0])]
    );
    assert!(found(&server, &key, pdq_query(&flip_bits(&crop, 32)), None).is_empty());

    // A query labelled top80 is not compared with the crop, even at
    // distance 0; it is with the stored top80.
    let top_query = |value: &str| json!({"kind": "pdq", "value": value, "label": "top80"});
    assert!(found(&server, &key, top_query(&crop), None).is_empty());
    assert!(found(&server, &key, top_query(&crop), Some(63)).is_empty());
    assert_eq!(
        found(&server, &key, top_query(&top), None),
        vec![json!([id(3), "top80", "extra", 0])]
    );
    // Nor is a plain query compared with the stored top80.
    assert!(found(&server, &key, pdq_query(&top), None).is_empty());
    // A mirrored query is compared with the whole image only.
    let mirrored = json!({"kind": "pdq", "value": whole, "label": "flipx"});
    assert_eq!(
        found(&server, &key, mirrored, None),
        vec![json!([id(0), "pdq", "plain", 0])]
    );

    // An explicit radius applies to every compared pair.
    assert_eq!(
        found(&server, &key, pdq_query(&flip_bits(&crop, 40)), Some(40)),
        vec![json!([id(2), "crop90", "extra", 40])]
    );
    assert!(found(&server, &key, pdq_query(&flip_bits(&crop, 20)), Some(10)).is_empty());

    // The query is echoed with its label; digests match exactly, unlabelled.
    let answer = server.post(
        "/v1/match",
        &platform,
        &json!({"hashes": [{"kind": "pdq", "value": whole}, {"kind": "md5", "value": md5}]}),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["results"][0]["query"]["label"], json!("pdq"));
    assert!(answer.body["results"][1]["query"].get("label").is_none());
    let digest = &answer.body["results"][1]["matches"][0];
    assert_eq!(digest["hash_id"], id(1));
    assert!(digest.get("label").is_none());

    // Hashes added later keep their labels; after a restart the matcher
    // loads labels from the feed.
    let trim = random_hex(64);
    let more = server.post(
        &format!("/v1/cases/{number}/hashes"),
        &Auth::Pin(pin),
        &json!({"hashes": [labelled(&trim, "extra", "trim")]}),
    );
    assert_eq!(more.status, 201, "{:?}", more.body);
    let added = more.body["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["value"] == json!(trim))
        .unwrap()
        .clone();
    assert_eq!(added["label"], json!("trim"));
    drop(server);
    let server = Server::start(db, &[]);
    let turned = json!({"kind": "pdq", "value": trim, "label": "rot90"});
    assert_eq!(
        found(&server, &key, turned, None),
        vec![json!([added["hash_id"], "trim", "extra", 0])]
    );
    assert!(found(&server, &key, top_query(&crop), None).is_empty());
    assert_eq!(found(&server, &key, pdq_query(&crop), None).len(), 1);

    bad_labels_are_refused(&server, &key);
}

/// Labels that are unknown or do not fit the kind or role get a 400 that
/// says why.
fn bad_labels_are_refused(server: &Server, key: &str) {
    let value = random_hex(64);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            labelled(&value, "extra", "crop99"),
            "invalid_label",
            "unknown label \"crop99\"",
        ),
        (
            json!({"kind": "pdq", "value": value, "quality": 90, "role": "extra"}),
            "missing_label",
            "needs its label",
        ),
        (
            labelled(&value, "plain", "crop90"),
            "invalid_label",
            "a plain pdq hash has label pdq",
        ),
        (
            labelled(&value, "extra", "pdq"),
            "invalid_label",
            "an extra hash is labelled with its part",
        ),
        (
            json!({"kind": "md5", "value": random_hex(32), "label": "pdq"}),
            "invalid_label",
            "only pdq hashes have a label",
        ),
        (
            json!({"kind": "sha256", "value": random_hex(64), "role": "extra"}),
            "invalid_role",
            "only pdq hashes can have role extra",
        ),
        (
            json!({"kind": "pdq", "value": value, "quality": 90, "label": 3}),
            "invalid_json",
            "label",
        ),
    ];
    for (hash, code, message) in cases {
        let answer = server.post("/v1/cases", &Auth::None, &json!({ "hashes": [hash] }));
        assert_eq!(
            (answer.status, answer.code()),
            (400, code),
            "{hash}: {:?}",
            answer.body
        );
        let text = answer.body["message"].as_str().unwrap();
        assert!(text.contains(message), "{text:?} lacks {message:?}");
    }

    let platform = Auth::Key(key.into());
    let queries: Vec<(Value, &str)> = vec![
        (
            json!({"kind": "pdq", "value": value, "label": "sideways"}),
            "unknown label \"sideways\"",
        ),
        (
            json!({"kind": "md5", "value": random_hex(32), "label": "pdq"}),
            "only pdq hashes have a label",
        ),
    ];
    for (query, message) in queries {
        let answer = server.post("/v1/match", &platform, &json!({ "hashes": [query] }));
        assert_eq!(
            (answer.status, answer.code()),
            (400, "invalid_label"),
            "{query}: {:?}",
            answer.body
        );
        let text = answer.body["message"].as_str().unwrap();
        assert!(text.contains(message), "{text:?} lacks {message:?}");
    }
}
