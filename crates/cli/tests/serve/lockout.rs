//! Wrong PINs lock the client that sent them out of that case number, for a
//! time that doubles on each lock; the owner, asking from elsewhere, still
//! opens her case. Wrong PINs on one number from everyone together lock it
//! for everyone once they reach the ceiling. An unknown number behaves
//! exactly as a known one.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

#[test]
fn a_strangers_wrong_pins_do_not_lock_the_owner_out_sqlite() {
    a_strangers_wrong_pins_do_not_lock_the_owner_out(&TestDb::sqlite());
}

#[test]
fn a_strangers_wrong_pins_do_not_lock_the_owner_out_postgres() {
    a_strangers_wrong_pins_do_not_lock_the_owner_out(&TestDb::postgres());
}

fn a_strangers_wrong_pins_do_not_lock_the_owner_out(db: &TestDb) {
    let server = Server::start(db, &["--trusted-proxy", "127.0.0.1"]);
    let (number, pin, _) = server.create_case(json!([pdq(&random_hex(64))]), false);
    let unknown = "HB-ZZZZ-ZZZZ-ZZZZ".to_string();
    let stranger = "198.51.100.7";
    let owner = "203.0.113.5";
    let wrong = Auth::Pin(wrong_pin(&pin));

    let mut bodies = Vec::new();
    for target in [&number, &unknown] {
        let path = format!("/v1/cases/{target}");
        for attempt in 1..=50 {
            let answer = server.send_from(stranger, "GET", &path, &wrong, None);
            if attempt <= 5 {
                assert_eq!(answer.status, 401, "{target} attempt {attempt}");
            } else {
                assert_eq!((answer.status, answer.code()), (429, "locked"), "{target}");
                assert_eq!(answer.headers["retry-after"], "900");
            }
            if attempt <= 6 {
                bodies.push(answer.body);
            }
        }
        // The stranger is locked out even with the right PIN.
        let locked = server.send_from(stranger, "GET", &path, &Auth::Pin(pin.clone()), None);
        assert_eq!((locked.status, locked.code()), (429, "locked"), "{target}");
    }
    // The same answers for the existing and the unknown number.
    assert_eq!(bodies[..6], bodies[6..]);

    // The owner opens her case, from her address, with her PIN.
    let path = format!("/v1/cases/{number}");
    let mine = server.send_from(owner, "GET", &path, &Auth::Pin(pin.clone()), None);
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    // ... and can add to it and withdraw it.
    let more = json!({"hashes": [{"kind": "md5", "value": random_hex(32)}]});
    let added = server.send_from(
        owner,
        "POST",
        &format!("{path}/hashes"),
        &Auth::Pin(pin.clone()),
        Some(&more),
    );
    assert_eq!(added.status, 201, "{:?}", added.body);
}

#[test]
fn locks_double_and_a_right_pin_resets_the_count() {
    let db = TestDb::sqlite();
    let server = Server::start(&db, &["--first-lock-secs", "1"]);
    let (number, pin, _) = server.create_case(json!([pdq(&random_hex(64))]), false);
    let path = format!("/v1/cases/{number}");
    let wrong = Auth::Pin(wrong_pin(&pin));

    for _ in 1..=5 {
        assert_eq!(server.get(&path, &wrong).status, 401);
    }
    let locked = server.get(&path, &Auth::Pin(pin.clone()));
    assert_eq!((locked.status, locked.code()), (429, "locked"));
    assert_eq!(locked.headers["retry-after"], "1");
    std::thread::sleep(Duration::from_millis(1100));
    for _ in 1..=5 {
        assert_eq!(server.get(&path, &wrong).status, 401);
    }
    let locked = server.get(&path, &wrong);
    assert_eq!(locked.headers["retry-after"], "2");
    std::thread::sleep(Duration::from_millis(2100));

    // A right PIN resets the count.
    for _ in 1..=4 {
        assert_eq!(server.get(&path, &wrong).status, 401);
    }
    assert_eq!(server.get(&path, &Auth::Pin(pin.clone())).status, 200);
    for _ in 1..=4 {
        assert_eq!(server.get(&path, &wrong).status, 401);
    }
    assert_eq!(server.get(&path, &Auth::Pin(pin)).status, 200);
}

#[test]
fn guesses_from_many_addresses_reach_the_ceiling_sqlite() {
    guesses_from_many_addresses_reach_the_ceiling(&TestDb::sqlite());
}

#[test]
fn guesses_from_many_addresses_reach_the_ceiling_postgres() {
    guesses_from_many_addresses_reach_the_ceiling(&TestDb::postgres());
}

fn guesses_from_many_addresses_reach_the_ceiling(db: &TestDb) {
    let server = Server::start(
        db,
        &["--trusted-proxy", "127.0.0.0/8", "--pin-ceiling", "20"],
    );
    let (number, pin, _) = server.create_case(json!([pdq(&random_hex(64))]), false);
    let wrong = Auth::Pin(wrong_pin(&pin));
    let mut bodies = Vec::new();
    for target in [number.as_str(), "HB-ZZZZ-ZZZZ-ZZZZ"] {
        let path = format!("/v1/cases/{target}");
        // Five addresses of four guesses: none is locked out alone.
        for client in 1..=5 {
            for _ in 1..=4 {
                let from = format!("192.0.2.{client}");
                let answer = server.send_from(&from, "GET", &path, &wrong, None);
                assert_eq!(answer.status, 401, "{target} from {from}");
            }
        }
        // The number is locked for everyone for the rest of the day.
        let answer = server.send_from("203.0.113.5", "GET", &path, &Auth::Pin(pin.clone()), None);
        assert_eq!((answer.status, answer.code()), (429, "locked"), "{target}");
        let wait: u64 = answer.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait > 23 * 3600 && wait <= 24 * 3600, "{wait}");
        bodies.push(answer.body);
    }
    assert_eq!(bodies[0], bodies[1]);
}

/// `pin` with its first digit changed.
fn wrong_pin(pin: &str) -> String {
    (if pin.starts_with('0') { "1" } else { "0" }).to_string() + &pin[1..]
}
