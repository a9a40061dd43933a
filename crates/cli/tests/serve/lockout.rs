//! Five wrong PINs lock a case number for a time that doubles on each lock;
//! an unknown number behaves exactly the same.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

#[test]
fn wrong_pins_lock_known_and_unknown_numbers_alike_sqlite() {
    wrong_pins_lock(&TestDb::sqlite());
}

#[test]
fn wrong_pins_lock_known_and_unknown_numbers_alike_postgres() {
    wrong_pins_lock(&TestDb::postgres());
}

fn wrong_pins_lock(db: &TestDb) {
    let server = Server::start(db, &["--first-lock-secs", "1"]);
    let (number, pin, _) = server.create_case(json!([pdq(&random_hex(64))]), false);
    let unknown = "HB-ZZZZ-ZZZZ-ZZZZ".to_string();
    let wrong = Auth::Pin("0000000000".into());

    let mut bodies = Vec::new();
    for target in [&number, &unknown] {
        let path = format!("/v1/cases/{target}");
        for attempt in 1..=5 {
            let answer = server.get(&path, &wrong);
            assert_eq!(answer.status, 401, "{target} attempt {attempt}");
            bodies.push(answer.body);
        }
        // Locked now: even the right PIN is refused.
        let locked = server.get(&path, &Auth::Pin(pin.clone()));
        assert_eq!((locked.status, locked.code()), (429, "locked"), "{target}");
        assert_eq!(locked.headers["retry-after"], "1");
        bodies.push(locked.body);
    }
    // Same bodies for the existing and the unknown number.
    assert_eq!(bodies[..6], bodies[6..]);

    // After the lock, the count starts again; the next lock is twice as long.
    std::thread::sleep(Duration::from_millis(1100));
    for target in [&number, &unknown] {
        let path = format!("/v1/cases/{target}");
        for _ in 1..=5 {
            assert_eq!(server.get(&path, &wrong).status, 401);
        }
        let locked = server.get(&path, &wrong);
        assert_eq!(locked.status, 429);
        assert_eq!(locked.headers["retry-after"], "2", "{target}");
    }
    std::thread::sleep(Duration::from_millis(2100));

    // A right PIN resets the count.
    let path = format!("/v1/cases/{number}");
    for _ in 1..=4 {
        assert_eq!(server.get(&path, &wrong).status, 401);
    }
    assert_eq!(server.get(&path, &Auth::Pin(pin.clone())).status, 200);
    for _ in 1..=4 {
        assert_eq!(server.get(&path, &wrong).status, 401);
    }
    assert_eq!(server.get(&path, &Auth::Pin(pin)).status, 200);
}
