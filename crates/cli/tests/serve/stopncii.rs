//! The StopNCII-shaped routes (`/v1/stopncii/...`) against a real server:
//! a whole fetch equals the feed, paging and checkpoints, feedback as
//! reports and outcomes, withdrawn and suspended values as records to
//! delete, kept only sealed and only for their window, and what a stranger
//! or a confused client gets.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

const FETCH: &str = "/v1/stopncii/FetchHashes";
const FEEDBACK: &str = "/v1/stopncii/SubmitFeedback";

/// A StopNCII client's request: the key as subscription and function key.
fn call(server: &Server, key: &str, method: &str, path: &str, body: Option<&Value>) -> Answer {
    call_with(
        server,
        &[("Ocp-Apim-Subscription-Key", key), ("x-functions-key", key)],
        method,
        path,
        body,
    )
}

fn call_with(
    server: &Server,
    headers: &[(&str, &str)],
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = server
        .raw()
        .request(method, format!("{}{path}", server.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        body,
        headers,
    }
}

/// Every record from `start`, page by page of `page_size`; and the last
/// page's checkpoint.
fn fetch_all(server: &Server, key: &str, start: i64, page_size: i64) -> (Vec<Value>, i64) {
    let mut records = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path = format!("{FETCH}?startTimestamp={start}&pageSize={page_size}");
        if let Some(token) = &token {
            path.push_str(&format!("&nextPageToken={token}"));
        }
        let page = call(server, key, "GET", &path, None);
        assert_eq!(page.status, 200, "{:?}", page.body);
        let got = page.body["hashRecords"].as_array().unwrap();
        assert_eq!(page.body["count"].as_u64().unwrap() as usize, got.len());
        assert!(got.len() as i64 <= page_size);
        records.extend(got.iter().cloned());
        if !page.body["hasMoreRecords"].as_bool().unwrap() {
            assert!(page.body["nextPageToken"].is_null());
            return (records, page.body["nextSetTimestamp"].as_i64().unwrap());
        }
        token = Some(page.body["nextPageToken"].as_str().unwrap().to_string());
    }
}

fn of_status(records: &[Value], status: &str) -> BTreeSet<(String, String)> {
    records
        .iter()
        .filter(|r| r["hashStatus"] == status)
        .map(|r| {
            assert!(r["caseNumbers"].as_object().unwrap().is_empty(), "{r}");
            (
                r["signalType"].as_str().unwrap().to_string(),
                r["hashValue"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A case of one picture: its PDQ hash, a crop and a top part, its MD5 and
/// SHA-256; returns (number, pin, [pdq, crop90, top80, md5, sha256]).
fn file_picture(server: &Server) -> (String, String, Vec<String>) {
    let values = vec![
        random_pdq(),
        random_pdq(),
        random_pdq(),
        random_hex(32),
        random_hex(64),
    ];
    let body = json!([
        pdq(&values[0]),
        { "kind": "pdq", "value": values[1], "quality": 80, "role": "extra", "label": "crop90" },
        { "kind": "pdq", "value": values[2], "quality": 80, "role": "extra", "label": "top80" },
        { "kind": "md5", "value": values[3] },
        { "kind": "sha256", "value": values[4] },
    ]);
    let (number, pin, _) = server.create_case(body, false);
    (number, pin, values)
}

/// What a StopNCII client is given of one picture: the whole picture's
/// hashes as ImagePDQ (the crop too: a whole copy is matched against it),
/// the MD5 as VideoMD5; never the top part or the SHA-256.
fn expected(values: &[String]) -> BTreeSet<(String, String)> {
    [
        ("ImagePDQ", &values[0]),
        ("ImagePDQ", &values[1]),
        ("VideoMD5", &values[3]),
    ]
    .iter()
    .map(|(t, v)| (t.to_string(), v.to_string()))
    .collect()
}

#[test]
fn a_whole_fetch_is_the_feed_paged_and_checkpointed() {
    whole_fetch(TestDb::sqlite());
}

#[test]
fn a_whole_fetch_is_the_feed_on_postgres() {
    whole_fetch(TestDb::postgres());
}

fn whole_fetch(db: TestDb) {
    let key = add_platform(&db, "stopncii-client");
    let server = Server::start(&db, &[]);
    let mut want = BTreeSet::new();
    for _ in 0..4 {
        want.extend(expected(&file_picture(&server).2));
    }
    let (records, checkpoint) = fetch_all(&server, &key, 0, 800);
    assert_eq!(of_status(&records, "Active"), want);
    assert_eq!(records.len(), want.len(), "one record per value");
    // The same through the feed: every addition with a StopNCII type.
    let feed: BTreeSet<(String, String)> = server
        .whole_feed(&key)
        .iter()
        .filter(|e| e["op"] == "add")
        .filter_map(|e| {
            let value = e["value"].as_str()?.to_string();
            match (e["kind"].as_str()?, e["label"].as_str()) {
                ("pdq", Some("pdq" | "trim" | "crop90")) => Some(("ImagePDQ".into(), value)),
                ("md5", _) => Some(("VideoMD5".into(), value)),
                _ => None,
            }
        })
        .collect();
    assert_eq!(feed, want);
    // Pages of 2 feed entries: the same records, none twice.
    let (paged, _) = fetch_all(&server, &key, 0, 2);
    assert_eq!(paged.len(), want.len());
    assert_eq!(of_status(&paged, "Active"), want);
    // From the checkpoint: the newest records again at most (records are
    // states, so a repeat is harmless), then what came since.
    let later = expected(&file_picture(&server).2);
    let (since, next) = fetch_all(&server, &key, checkpoint, 800);
    let since = of_status(&since, "Active");
    assert!(since.is_superset(&later), "{since:?}");
    assert!(next >= checkpoint);
    // From now on: nothing, and the checkpoint stays.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (none, same) = fetch_all(&server, &key, now + 2, 800);
    assert!(none.is_empty());
    assert_eq!(same, now + 2);
}

#[test]
fn feedback_arrives_as_reports_and_outcomes_on_the_case() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "feedback-client");
    let other = add_platform(&db, "never-fetched");
    let server = Server::start(&db, &[]);
    let (number, pin, values) = file_picture(&server);
    // A platform that fetched nothing was given nothing: unknown_hash.
    let answer = call(
        &server,
        &other,
        "POST",
        FEEDBACK,
        Some(
            &json!({"count": 1, "hashFeedbacks": [{"hashValue": values[0], "feedbackValue": "Blocked", "tags": []}]}),
        ),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["results"][0]["result"], "unknown_hash");
    assert_eq!(answer.body["count"], 0);

    fetch_all(&server, &key, 0, 800);
    let feedback = |value: &str, what: &str| {
        let answer = call(
            &server,
            &key,
            "POST",
            FEEDBACK,
            Some(
                &json!({"count": 1, "hashFeedbacks": [{"hashValue": value, "feedbackValue": what, "tags": ["x"]}]}),
            ),
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body["results"][0].clone()
    };
    let first = feedback(&values[0], "PendingReview");
    assert_eq!(first["result"], "recorded");
    let view = || {
        let answer = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin.clone()));
        assert_eq!(answer.status, 200);
        answer.body["platforms"].clone()
    };
    let platforms = view();
    assert_eq!(
        platforms[0]["reports"][0]["outcome"], "pending_review",
        "{platforms}"
    );
    // Later feedback on the same value sets the same report's outcome.
    let again = feedback(&values[0].to_uppercase(), "Blocked");
    assert_eq!(again["report_id"].as_i64(), None);
    assert_eq!(again["reportId"], first["reportId"]);
    let platforms = view();
    assert_eq!(
        platforms[0]["reports"].as_array().unwrap().len(),
        1,
        "{platforms}"
    );
    assert_eq!(
        platforms[0]["reports"][0]["outcome"], "removed",
        "{platforms}"
    );
    // The MD5 too; the top part and the SHA-256 were never given this way.
    assert_eq!(feedback(&values[3], "NotBlocked")["result"], "recorded");
    assert_eq!(feedback(&values[2], "Blocked")["result"], "unknown_hash");
    assert_eq!(feedback(&random_pdq(), "Blocked")["result"], "unknown_hash");
    assert_eq!(feedback(&values[1], "Withdrawn")["result"], "ignored");
    let platforms = view();
    let outcomes: BTreeSet<String> = platforms[0]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        outcomes,
        ["not_violating", "removed"].map(String::from).into()
    );

    // Malformed feedback: a clear 400 each, nothing recorded.
    for body in [
        json!({"hashFeedbacks": []}),
        json!({"count": 2, "hashFeedbacks": [{"hashValue": values[0], "feedbackValue": "Blocked"}]}),
        json!({"hashFeedbacks": [{"hashValue": "zz", "feedbackValue": "Blocked"}]}),
        json!({"hashFeedbacks": [{"hashValue": values[0], "feedbackValue": "Loved"}]}),
        json!({"hashFeedbacks": (0..1001).map(|_| json!({"hashValue": values[0], "feedbackValue": "Blocked"})).collect::<Vec<_>>()}),
    ] {
        let answer = call(&server, &key, "POST", FEEDBACK, Some(&body));
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.body);
        assert!(answer.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn withdrawn_and_suspended_values_come_as_records_to_delete_for_their_window_only() {
    withdrawn_records(TestDb::sqlite());
}

#[test]
fn withdrawn_records_on_postgres() {
    withdrawn_records(TestDb::postgres());
}

fn withdrawn_records(db: TestDb) {
    let key = add_platform(&db, "deleter");
    let second = add_platform(&db, "second");
    let server = Server::start(&db, &["--suspend-after", "1"]);
    let (number, pin, withdrawn) = file_picture(&server);
    let (_, _, suspended) = file_picture(&server);
    let (_, checkpoint) = fetch_all(&server, &key, 0, 800);
    fetch_all(&server, &second, 0, 800);

    // One platform finds a match of the second picture not violating: with
    // --suspend-after 1 the value is suspended.
    let answer = call(
        &server,
        &second,
        "POST",
        FEEDBACK,
        Some(
            &json!({"hashFeedbacks": [{"hashValue": suspended[0], "feedbackValue": "NotBlocked"}]}),
        ),
    );
    assert_eq!(
        answer.body["results"][0]["result"], "recorded",
        "{:?}",
        answer.body
    );
    let answer = server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);

    let (records, _) = fetch_all(&server, &key, checkpoint, 800);
    assert_eq!(of_status(&records, "Withdrawn"), expected(&withdrawn));
    assert_eq!(
        of_status(&records, "Deleted"),
        [("ImagePDQ".to_string(), suspended[0].clone())].into()
    );
    // A whole fetch as well: the erased values as deletions, the rest active.
    let (all, _) = fetch_all(&server, &key, 0, 3);
    assert_eq!(of_status(&all, "Withdrawn"), expected(&withdrawn));
    assert!(!of_status(&all, "Active")
        .iter()
        .any(|(_, v)| withdrawn.contains(v)));
    // Never in the clear on disk, though the bank can still give them (the
    // SQLite file read whole; PostgreSQL's pages: erasure.rs).
    if let Some(file) = db.file() {
        let found = crate::erasure::found_on_disk(&file, &withdrawn);
        assert!(found.is_empty(), "withdrawn values on disk: {found:?}");
    }
    // Feedback on a withdrawn value finds nothing.
    let answer = call(
        &server,
        &key,
        "POST",
        FEEDBACK,
        Some(&json!({"hashFeedbacks": [{"hashValue": withdrawn[0], "feedbackValue": "Blocked"}]})),
    );
    assert_eq!(answer.body["results"][0]["result"], "unknown_hash");

    // The window over (the keys' day moved 31 days back): the key and the
    // sealed values are destroyed by the server's upkeep, and their records
    // are no longer given.
    db.sql("UPDATE withdrawal_keys SET day = day - 31");
    db.sql("UPDATE withdrawn_values SET day = day - 31");
    assert!(
        eventually(Duration::from_secs(20), || {
            let (records, _) = fetch_all(&server, &key, 0, 800);
            of_status(&records, "Withdrawn").is_empty()
        }),
        "withdrawn records still given after their window"
    );
    let (all, _) = fetch_all(&server, &key, 0, 800);
    assert_eq!(
        of_status(&all, "Deleted").len(),
        1,
        "a suspended value is still stored"
    );
}

#[test]
fn strangers_and_confused_clients_get_clear_errors() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "careful");
    let server = Server::start(&db, &[]);
    file_picture(&server);
    let wrong = "hbk_0000000000000000_0000000000000000000000000000000000000000000";
    for headers in [
        vec![],
        vec![
            ("Ocp-Apim-Subscription-Key", wrong),
            ("x-functions-key", wrong),
        ],
        // The bank's bearer key is not this API's header.
        vec![("Authorization", "Bearer x")],
        // A function key that is not the same key.
        vec![
            ("Ocp-Apim-Subscription-Key", key.as_str()),
            ("x-functions-key", wrong),
        ],
    ] {
        let mut headers = headers;
        let bearer = format!("Bearer {key}");
        if headers.first().is_some_and(|h| h.0 == "Authorization") {
            headers = vec![("Authorization", bearer.as_str())];
        }
        let answer = call_with(&server, &headers, "GET", FETCH, None);
        assert_eq!(answer.status, 401, "{headers:?}: {:?}", answer.body);
        assert_eq!(answer.body["error"], "unauthorized");
    }
    // The subscription key alone is enough.
    let answer = call_with(
        &server,
        &[("Ocp-Apim-Subscription-Key", &key)],
        "GET",
        FETCH,
        None,
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    for (query, code) in [
        ("pageSize=0", "invalid_page_size"),
        ("pageSize=10001", "invalid_page_size"),
        ("nextPageToken=abc", "invalid_page_token"),
        ("nextPageToken=-3", "invalid_page_token"),
        ("nextPageToken=999999999", "invalid_page_token"),
        ("startTimestamp=-1", "invalid_start_timestamp"),
        ("startTimestamp=99999999999", "invalid_start_timestamp"),
        ("startTimestamp=soon", "bad_request"),
        ("cursor=4", "bad_request"),
    ] {
        let answer = call(&server, &key, "GET", &format!("{FETCH}?{query}"), None);
        assert_eq!(answer.status, 400, "{query}: {:?}", answer.body);
        if code != "bad_request" {
            assert_eq!(answer.body["error"], code, "{query}");
        }
        assert!(answer.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let answer = call_with(
        &server,
        &[
            ("Ocp-Apim-Subscription-Key", &key),
            ("Content-Type", "application/json"),
        ],
        "POST",
        FEEDBACK,
        None,
    );
    assert_eq!(answer.status, 400, "{:?}", answer.body);
}
