//! Rate limits on filing, PIN tries and platform keys, per client address
//! and for everyone, answered 429 with Retry-After; the client address from
//! X-Forwarded-For only when the peer is a trusted proxy.

use serde_json::json;

use crate::support::*;

fn assert_limited(answer: &Answer, what: &str) {
    assert_eq!(
        (answer.status, answer.code()),
        (429, "rate_limited"),
        "{what}: {:?}",
        answer.body
    );
    let wait: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{what}: Retry-After {wait}");
    assert!(answer.body["message"].is_string());
}

fn new_case() -> serde_json::Value {
    json!({"hashes": [pdq(&random_hex(64))]})
}

#[test]
fn filing_is_limited_per_client_and_for_everyone() {
    let db = TestDb::sqlite();
    let server = Server::start(
        &db,
        &[
            "--trusted-proxy",
            "127.0.0.1",
            "--filings-per-minute",
            "3",
            "--filings-per-minute-global",
            "5",
        ],
    );
    let file =
        |from: &str| server.send_from(from, "POST", "/v1/cases", &Auth::None, Some(&new_case()));
    for _ in 0..3 {
        assert_eq!(file("192.0.2.1").status, 201);
    }
    assert_limited(&file("192.0.2.1"), "fourth case from one client");
    // Another client files; the refused ones did not spend everyone's allowance.
    assert_eq!(file("192.0.2.2").status, 201);
    let answer = file("192.0.2.3");
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    // Five cases a minute from everyone: the next client is refused too.
    assert_limited(&file("192.0.2.4"), "sixth case from everyone");
    // IPv6 clients are their /64.
    let answer = file("2001:db8:1:2::1");
    assert_limited(&answer, "from IPv6 after the global limit");
}

#[test]
fn adding_hashes_counts_as_filing() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &["--filings-per-minute", "2"]);
    let (number, pin, _) = server.create_case(new_case()["hashes"].clone(), false);
    let path = format!("/v1/cases/{number}/hashes");
    let more = || json!({"hashes": [{"kind": "md5", "value": random_hex(32)}]});
    assert_eq!(
        server.post(&path, &Auth::Pin(pin.clone()), &more()).status,
        201
    );
    assert_limited(
        &server.post(&path, &Auth::Pin(pin), &more()),
        "third filing",
    );
}

#[test]
fn pin_tries_are_limited_per_client_across_numbers() {
    let db = TestDb::sqlite();
    let server = Server::start(
        &db,
        &[
            "--trusted-proxy",
            "127.0.0.1",
            "--pin-tries-per-minute",
            "4",
        ],
    );
    let (number, pin, _) = server.create_case(new_case()["hashes"].clone(), false);
    let wrong = Auth::Pin("0000000000".into());
    // A stranger trying a different number each time is not held by the
    // lockout of one number, but by the limit on PIN tries.
    for i in 0..4 {
        let path = format!("/v1/cases/HB-ZZZZ-ZZZZ-ZZ{i:02}");
        let answer = server.send_from("192.0.2.1", "GET", &path, &wrong, None);
        assert_eq!(answer.status, 401);
    }
    let answer = server.send_from(
        "192.0.2.1",
        "GET",
        "/v1/cases/HB-ZZZZ-ZZZZ-ZZZ9",
        &wrong,
        None,
    );
    assert_limited(&answer, "fifth PIN try");
    // The owner, elsewhere, opens her case.
    let path = format!("/v1/cases/{number}");
    let answer = server.send_from("203.0.113.5", "GET", &path, &Auth::Pin(pin), None);
    assert_eq!(answer.status, 200);
}

#[test]
fn wrong_keys_are_limited_but_a_verified_key_is_not() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "photos");
    let server = Server::start(&db, &["--key-tries-per-minute", "4"]);
    // The platform's key is verified once (one try of four), then trusted.
    assert_eq!(server.get("/v1/feed", &Auth::Key(key.clone())).status, 200);
    let mut wrong = key.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    let tries = [
        "hbk_not_a_key".to_string(),
        wrong.clone(),
        "hbk_0000000000000000_00000000000000000000000000000000".to_string(),
    ];
    for attempt in &tries {
        let answer = server.get("/v1/feed", &Auth::Key(attempt.clone()));
        assert_eq!(answer.status, 401, "{attempt}");
    }
    assert_limited(
        &server.get("/v1/feed", &Auth::Key(wrong)),
        "fourth wrong key",
    );
    // The same address still reaches the feed with the verified key.
    assert_eq!(server.get("/v1/feed", &Auth::Key(key)).status, 200);
}

#[test]
fn a_forwarded_header_from_an_untrusted_peer_is_ignored() {
    let db = TestDb::sqlite();
    // 127.0.0.1 is not named as a proxy: its X-Forwarded-For is the
    // client's own claim, and every request is from 127.0.0.1.
    let server = Server::start(
        &db,
        &["--trusted-proxy", "10.0.0.1", "--filings-per-minute", "2"],
    );
    for i in 1..=2 {
        let from = format!("192.0.2.{i}");
        let answer = server.send_from(&from, "POST", "/v1/cases", &Auth::None, Some(&new_case()));
        assert_eq!(answer.status, 201);
    }
    let answer = server.send_from(
        "192.0.2.3",
        "POST",
        "/v1/cases",
        &Auth::None,
        Some(&new_case()),
    );
    assert_limited(&answer, "a third case under a third claimed address");
}
