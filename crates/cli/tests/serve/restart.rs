//! `serve --matcher-file`: the matcher saved on an orderly shutdown opens
//! at the next start, and an erasure while the server is stopped leaves the
//! saved file unreadable.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

fn terminate(mut server: Server) -> Vec<String> {
    server.terminate();
    let status = server
        .wait_exit(Duration::from_secs(60))
        .expect("the server stops");
    assert!(status.success(), "{status:?}");
    server.said()
}

fn said(lines: &[String], start: &str) -> bool {
    lines.iter().any(|l| l.starts_with(start))
}

fn restart_opens_the_saved_matcher(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("matcher");
    let file_arg = file.to_str().unwrap();
    let key = add_platform(&db, "host");
    let server = Server::start(&db, &["--matcher-file", file_arg]);
    let kept = random_pdq();
    let withdrawn = random_pdq();
    // A video rides in the saved matcher too: its frames and their moments.
    let frame = random_pdq();
    let video = format!("0,90,{},0.000\n30,90,{frame},1.000\n", random_pdq());
    server.create_case(json!([pdq(&kept), {"kind": "vpdq", "value": video}]), false);
    let (number, pin, _) = server.create_case(json!([pdq(&withdrawn)]), false);
    let lines = terminate(server);
    assert!(said(&lines, "hashbank: matcher saved to"), "{lines:?}");
    assert!(file.exists());

    // Saved, then opened: the second start says so and matches.
    let server = Server::start(&db, &["--matcher-file", file_arg]);
    assert!(
        said(&server.said(), "hashbank: matcher opened from"),
        "{:?}",
        server.said()
    );
    assert!(!file.exists(), "a start deletes the file it opened");
    assert_eq!(server.match_one(&key, "pdq", &kept).len(), 1);
    let in_video = server.match_one(&key, "pdq", &frame);
    assert_eq!(in_video.len(), 1, "{in_video:?}");
    assert_eq!(in_video[0]["kind"], json!("vpdq"));
    assert_eq!(in_video[0]["frames"][0]["stored"]["timestamp"], json!(1.0));
    assert_eq!(server.match_one(&key, "pdq", &withdrawn).len(), 1);
    let lines = terminate(server);
    assert!(said(&lines, "hashbank: matcher saved to"), "{lines:?}");

    // Withdrawn while the server is stopped (through a server without a
    // saved matcher): the saved file can no longer be read.
    let other = Server::start(&db, &[]);
    let answer = other.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    drop(other);
    assert!(file.exists());
    let server = Server::start(&db, &["--matcher-file", file_arg]);
    let lines = server.said();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("hashbank: the saved matcher in") && l.contains("key")),
        "{lines:?}"
    );
    assert!(!file.exists());
    assert_eq!(server.match_one(&key, "pdq", &kept).len(), 1);
    assert!(server.match_one(&key, "pdq", &withdrawn).is_empty());
}

#[test]
fn restart_opens_the_saved_matcher_sqlite() {
    restart_opens_the_saved_matcher(TestDb::sqlite());
}

#[test]
fn restart_opens_the_saved_matcher_postgres() {
    restart_opens_the_saved_matcher(TestDb::postgres());
}
