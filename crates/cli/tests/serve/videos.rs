//! Videos in the bank, over real HTTP on SQLite and PostgreSQL: filed as
//! one hash (kind `vpdq`), fed whole, matched as vPDQ matches (a clip
//! finds the film it comes from, with the shares and the frames' moments),
//! a still of a banked video finds the video and a banked picture is found
//! in a video; the per-case limits answer 400s that name the limit, and a
//! withdrawal takes the video out of matching and puts its deletion on
//! the feed. The hashes are Meta's expected frame hashes of its sample
//! videos (`shared/testdata/vpdq/expected`).

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::support::*;

fn expected(name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/vpdq/expected")
        .join(format!("{name}.txt"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The frames of a sample kept every `step` frames, in the text form.
fn every(lines: &[String], step: usize) -> String {
    lines
        .iter()
        .filter(|l| l.split(',').next().unwrap().parse::<usize>().unwrap() % step == 0)
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The PDQ hash of frame `n` of a sample.
fn frame_hash(lines: &[String], n: usize) -> String {
    lines[n].split(',').nth(2).unwrap().to_string()
}

fn video(text: &str) -> Value {
    json!({ "kind": "vpdq", "value": text })
}

fn match_body(server: &Server, key: &str, body: &Value) -> Answer {
    server.post("/v1/match", &Auth::Key(key.into()), body)
}

/// The matches of one video query.
fn video_matches(server: &Server, key: &str, text: &str) -> Vec<Value> {
    let answer = match_body(server, key, &json!({ "hashes": [video(text)] }));
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["results"][0]["matches"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn videos_are_filed_fed_matched_and_withdrawn_sqlite() {
    videos_round_trip(&TestDb::sqlite());
}

#[test]
fn videos_are_filed_fed_matched_and_withdrawn_postgres() {
    videos_round_trip(&TestDb::postgres());
}

fn videos_round_trip(db: &TestDb) {
    let key = add_platform(db, "films");
    let server = Server::start(db, &[]);
    let chair = expected("chair-orig-22-sd-bar");
    let pattern = expected("pattern-hd-no-bar");
    let film = every(&chair, 1);
    // A still of the pattern video, banked as a picture.
    let still = frame_hash(&pattern, 60);
    let (number, pin, created) = server.create_case(json!([video(&film), pdq(&still)]), false);
    let video_id = created["hashes"][0]["hash_id"].as_i64().unwrap();
    let picture_id = created["hashes"][1]["hash_id"].as_i64().unwrap();
    assert_eq!(created["hashes"][0]["kind"], json!("vpdq"));

    // On the feed as one addition, the whole video in the text form.
    let feed = server.whole_feed(&key);
    let added: Vec<&Value> = feed
        .iter()
        .filter(|e| e["op"] == json!("add") && e["hash_id"].as_i64() == Some(video_id))
        .collect();
    assert_eq!(added.len(), 1, "{feed:?}");
    assert_eq!(added[0]["kind"], json!("vpdq"));
    let fed = added[0]["value"].as_str().unwrap();
    assert_eq!(
        fed.lines().count(),
        chair.len(),
        "every frame is of quality 50 and up"
    );
    assert_eq!(fed.lines().next().unwrap(), chair[0]);

    // A clip of another copy, one frame a second, finds the film: both
    // shares, and each frame found with its moment in both videos.
    let clip = every(&expected("chair-20-sd-bar")[..300], 30);
    let matches = video_matches(&server, &key, &clip);
    assert_eq!(matches.len(), 1, "{matches:?}");
    let m = &matches[0];
    assert_eq!(m["hash_id"].as_i64(), Some(video_id));
    assert_eq!(m["kind"], json!("vpdq"));
    let query_share = m["shares"]["query"].as_f64().unwrap();
    assert!(query_share >= 0.8, "{m}");
    assert!(m["shares"]["stored"].as_f64().unwrap() > 0.0);
    let frames = m["frames"].as_array().unwrap();
    assert!(!frames.is_empty());
    for f in frames {
        assert!(f["distance"].as_u64().unwrap() <= 31);
        let q = f["query"]["frame"].as_u64().unwrap();
        assert_eq!(q % 30, 0);
        assert!(f["stored"]["timestamp"].as_f64().unwrap() >= 0.0);
    }
    // Asking for more than the clip has: no match.
    let strict = match_body(
        &server,
        &key,
        &json!({ "hashes": [video(&clip)], "stored_share": 0.9 }),
    );
    assert_eq!(strict.status, 200);
    assert!(strict.body["results"][0]["matches"]
        .as_array()
        .unwrap()
        .is_empty());

    // A frame of the film posted as a picture finds the film, at a moment.
    let found = server.match_one(&key, "pdq", &frame_hash(&chair, 300));
    let in_film: Vec<&Value> = found
        .iter()
        .filter(|f| f["hash_id"].as_i64() == Some(video_id))
        .collect();
    assert_eq!(in_film.len(), 1, "{found:?}");
    let stored = &in_film[0]["frames"][0]["stored"];
    assert!(stored["frame"].as_u64().is_some() && stored["timestamp"].as_f64().is_some());

    // The pattern video, hashed at one frame a second, shows the banked
    // picture: found with the moments it shows it; it is no chair.
    let pattern_query = every(&pattern, 30);
    let matches = video_matches(&server, &key, &pattern_query);
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0]["hash_id"].as_i64(), Some(picture_id));
    assert_eq!(matches[0]["kind"], json!("pdq"));
    assert!(matches[0]["frames"][0]["query"]["timestamp"]
        .as_f64()
        .is_some());

    // Reports on the video: the platform's own vpdq of its copy, or a frame.
    let report = server.report(&key, video_id, &clip, "clip/1");
    assert_eq!(report.status, 201, "{:?}", report.body);
    let report = server.report(&key, video_id, &frame_hash(&chair, 120), "still/1");
    assert_eq!(report.status, 201, "{:?}", report.body);
    let wrong = server.report(&key, video_id, &pattern_query, "clip/2");
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.code(), "not_a_match");

    // Withdrawn: matched no more, and its deletion is on the feed.
    let gone = server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(gone.status, 200, "{:?}", gone.body);
    let answer = match_body(&server, &key, &json!({ "hashes": [video(&clip)] }));
    assert!(answer.body["results"][0]["matches"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(server
        .match_one(&key, "pdq", &frame_hash(&chair, 300))
        .iter()
        .all(|f| f["hash_id"].as_i64() != Some(video_id)));
    assert!(eventually(std::time::Duration::from_secs(30), || {
        server
            .whole_feed(&key)
            .iter()
            .any(|e| e["op"] == json!("delete") && e["hash_id"].as_i64() == Some(video_id))
    }));
    let feed = server.whole_feed(&key);
    assert!(!feed
        .iter()
        .any(|e| e["op"] == json!("add") && e["hash_id"].as_i64() == Some(video_id)));
}

/// A line of a video hash: frame `n`, quality `q`, hash `hex`.
fn line(n: usize, q: u8, hex: &str) -> String {
    format!("{n},{q},{hex},{:.3}\n", n as f64 / 30.0)
}

#[test]
fn video_limits_answer_400s_that_name_the_limit() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "films");
    let server = Server::start(&db, &[]);
    let file = |hashes: Value| server.post("/v1/cases", &Auth::None, &json!({ "hashes": hashes }));

    // Too many frames over the case: refused before anything is stored.
    let long: String = (0..5100).map(|n| line(n, 90, &random_pdq())).collect();
    let answer = file(json!([video(&long), video(&long.replace(",90,", ",91,"))]));
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(answer.code(), "too_many_frames");
    // Too many videos.
    let videos: Vec<Value> = (0..51)
        .map(|_| video(&line(0, 90, &random_pdq())))
        .collect();
    let answer = file(Value::Array(videos));
    assert_eq!(answer.code(), "too_many_videos", "{:?}", answer.body);
    // Not a video hash; frames out of order; no frame that can match.
    for (text, code) in [
        ("not a video".to_string(), "invalid_hash"),
        (
            line(5, 90, &random_pdq()) + &line(2, 90, &random_pdq()),
            "invalid_hash",
        ),
        (String::new(), "invalid_hash"),
        (line(0, 20, &random_pdq()), "no_usable_frames"),
        (line(0, 100, &"0".repeat(64)), "no_usable_frames"),
    ] {
        let answer = file(json!([video(&text)]));
        assert_eq!(answer.status, 400, "{text:?}: {:?}", answer.body);
        assert_eq!(answer.code(), code, "{text:?}: {:?}", answer.body);
    }
    // A quality on a video, a label, role extra: refused.
    let one = line(0, 90, &random_pdq());
    for extra in [
        json!({"quality": 90}),
        json!({"label": "pdq"}),
        json!({"role": "extra"}),
    ] {
        let mut hash = video(&one);
        hash.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        assert_eq!(file(json!([hash])).status, 400, "{extra}");
    }
    // Nothing was stored.
    assert!(server.whole_feed(&key).is_empty());

    // A match request carries at most 10,000 frames over its videos, and
    // shares in range.
    let half: String = (0..5001).map(|n| line(n, 90, &random_pdq())).collect();
    let answer = match_body(
        &server,
        &key,
        &json!({ "hashes": [video(&half), video(&half)] }),
    );
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "too_many_frames");
    for share in [
        json!({"query_share": 0}),
        json!({"query_share": 1.5}),
        json!({"stored_share": -0.1}),
    ] {
        let mut body = json!({ "hashes": [video(&one)] });
        body.as_object_mut()
            .unwrap()
            .extend(share.as_object().unwrap().clone());
        let answer = match_body(&server, &key, &body);
        assert_eq!(answer.status, 400, "{share}");
        assert_eq!(answer.code(), "invalid_share");
    }
}

/// A video filed with parts (as `hash --video-parts` gives them) is found
/// through them: here a "crop" part made of another sample's frames
/// stands for the video's crops, and a query of those frames finds the
/// video, though its plain frames share nothing. A part with a label that
/// is not a picture's extra hash is refused.
#[test]
fn a_video_is_found_through_its_parts() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "films");
    let server = Server::start(&db, &[]);
    let chair = expected("chair-orig-22-sd-bar");
    let pattern = expected("pattern-hd-no-bar");
    let plain = every(&chair, 30);
    let part: String = pattern
        .iter()
        .filter(|l| {
            let n: usize = l.split(',').next().unwrap().parse().unwrap();
            n.is_multiple_of(30)
        })
        .map(|l| format!("{l},crop90\n"))
        .collect();
    let answer = server.post(
        "/v1/cases",
        &Auth::None,
        &json!({ "hashes": [video(&(plain.clone() + &part.replace(",crop90", ",zoom50")))] }),
    );
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(answer.code(), "invalid_label");
    let (_, _, created) = server.create_case(json!([video(&(plain.clone() + &part))]), false);
    let id = created["hashes"][0]["hash_id"].as_i64().unwrap();
    // The feed carries the parts with the video.
    let feed = server.whole_feed(&key);
    let value = feed[0]["value"].as_str().unwrap();
    assert_eq!(
        value.lines().filter(|l| l.ends_with(",crop90")).count(),
        part.lines().count()
    );

    let query = every(&pattern, 30);
    let matches = video_matches(&server, &key, &query);
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0]["hash_id"].as_i64(), Some(id));
    assert_eq!(matches[0]["shares"]["query"], json!(1.0));
    // Without the parts, the same video would not be found.
    let (_, _, alone) = server.create_case(json!([video(&every(&chair, 15))]), false);
    let alone_id = alone["hashes"][0]["hash_id"].as_i64().unwrap();
    let answer = match_body(&server, &key, &json!({ "hashes": [video(&query)] }));
    let ids: Vec<i64> = answer.body["results"][0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["hash_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![id], "not {alone_id}");
}
