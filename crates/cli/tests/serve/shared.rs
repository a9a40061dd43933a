//! Two servers on one PostgreSQL database: each sees the other's writes
//! within a few seconds (it follows the feed).

use std::time::Duration;

use serde_json::json;

use crate::support::*;

/// How long a write may take to show on the other server.
const WITHIN: Duration = Duration::from_secs(5);

#[test]
fn two_servers_share_one_postgres() {
    let db = TestDb::postgres();
    let key = add_platform(&db, "shared");
    let a = Server::start(&db, &[]);
    let b = Server::start(&db, &[]);

    let image = random_hex(64);
    let md5 = random_hex(32);
    let (number, pin, _) = a.create_case(json!([pdq(&image), {"kind": "md5", "value": md5}]), true);
    assert_eq!(
        a.match_one(&key, "pdq", &image).len(),
        1,
        "at once on the server that wrote"
    );
    assert!(
        eventually(WITHIN, || b.match_one(&key, "pdq", &image).len() == 1),
        "B never matched A's case"
    );
    assert_eq!(
        b.match_one(&key, "md5", &md5)[0]["category"],
        json!("minor")
    );
    // B can open the case A filed.
    assert_eq!(
        b.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()))
            .status,
        200
    );

    let withdrawn = a.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 200);
    assert!(a.match_one(&key, "pdq", &image).is_empty(), "at once on A");
    assert!(
        eventually(WITHIN, || b.match_one(&key, "pdq", &image).is_empty()
            && b.match_one(&key, "md5", &md5).is_empty()),
        "B still matches a withdrawn case"
    );

    // Revocation reaches B too, within its key cache time.
    assert_eq!(b.get("/v1/feed", &Auth::Key(key.clone())).status, 200);
    assert!(hashbank(&db, &["platform", "revoke", "shared"])
        .status
        .success());
    assert!(
        eventually(WITHIN, || b.get("/v1/feed", &Auth::Key(key.clone())).status
            == 401),
        "B still takes a revoked key"
    );
}
