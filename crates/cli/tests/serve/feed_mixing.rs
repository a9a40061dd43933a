//! The feed does not group cases: a platform reading it cannot tell which
//! hashes came from one case (or which deletions from one withdrawal) by
//! their order, their cursors or the batches they arrive in. Matching does
//! not wait for the feed's release, on any server.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

/// Cases filed.
const CASES: usize = 30;
/// Writes a release mixes (`--feed-mix-writes`).
const MIX: usize = 8;
/// How long another server may take to follow a write.
const WITHIN: Duration = Duration::from_secs(5);

/// A platform polling the feed: each poll that brings entries is one batch
/// as the platform sees it.
struct Reader {
    key: String,
    after: i64,
    batches: Vec<Vec<Value>>,
    cursors: Vec<i64>,
}

impl Reader {
    fn poll(&mut self, server: &Server) {
        let mut batch = Vec::new();
        loop {
            let page = server.get(
                &format!("/v1/feed?after={}&limit=10000", self.after),
                &Auth::Key(self.key.clone()),
            );
            assert_eq!(page.status, 200, "{:?}", page.body);
            for entry in page.body["entries"].as_array().unwrap() {
                self.cursors.push(entry["cursor"].as_i64().unwrap());
                batch.push(entry.clone());
            }
            self.after = page.body["next_cursor"].as_i64().unwrap();
            if !page.body["more"].as_bool().unwrap() {
                break;
            }
        }
        if !batch.is_empty() {
            self.batches.push(batch);
        }
    }
}

struct Filed {
    number: String,
    pin: String,
    ids: Vec<i64>,
    values: Vec<String>,
}

/// Checks that the batches of entries with `op` do not give cases away:
/// each mixes at least `MIX` cases, and hardly any case's entries sit side
/// by side (by chance, a case of 4 in a shuffled batch of 40 does about
/// once in 2,500).
fn assert_mixed(batches: &[Vec<Value>], op: &str, case_of: &HashMap<i64, usize>) -> usize {
    let mut seen = 0;
    let mut together = 0;
    let mut positions: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut at = 0;
    for batch in batches {
        let ops: Vec<&Value> = batch.iter().filter(|e| e["op"] == op).collect();
        if ops.is_empty() {
            at += batch.len();
            continue;
        }
        let cases: HashSet<usize> = ops
            .iter()
            .map(|e| case_of[&e["hash_id"].as_i64().unwrap()])
            .collect();
        assert!(
            cases.len() >= MIX,
            "a batch of {op} entries holds {} case(s) only",
            cases.len()
        );
        for entry in batch {
            if entry["op"] == op {
                let case = case_of[&entry["hash_id"].as_i64().unwrap()];
                positions.entry(case).or_default().push(at);
            }
            at += 1;
        }
        seen += ops.len();
    }
    for places in positions.values() {
        if places.len() > 1 && places.last().unwrap() - places[0] == places.len() - 1 {
            together += 1;
        }
    }
    assert!(
        together <= 2,
        "{together} of {} cases have their {op} entries side by side",
        positions.len()
    );
    seen
}

fn feed_does_not_group_cases(db: &TestDb) {
    let key = add_platform(db, "reader");
    let hold = [
        "--feed-mix-writes",
        "8",
        "--feed-hold-secs",
        "3600",
        "--feed-delete-hold-secs",
        "3600",
    ];
    let a = Server::start(db, &hold);
    let b = Server::start(db, &hold);
    let mut reader = Reader {
        key: key.clone(),
        after: 0,
        batches: Vec::new(),
        cursors: Vec::new(),
    };
    let mut filed = Vec::new();
    let mut case_of = HashMap::new();
    for i in 0..CASES {
        let values: Vec<String> = (0..4 + i % 3).map(|_| random_hex(64)).collect();
        let hashes: Vec<Value> = values.iter().map(|v| pdq(v)).collect();
        let (number, pin, body) = a.create_case(json!(hashes), i % 5 == 0);
        let ids: Vec<i64> = body["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["hash_id"].as_i64().unwrap())
            .collect();
        for id in &ids {
            case_of.insert(*id, i);
        }
        if i == 0 {
            // Held from the feed, but matched at once on the server that
            // wrote and within seconds on the other.
            assert_eq!(a.match_one(&key, "pdq", &values[0]).len(), 1);
            assert!(eventually(WITHIN, || b
                .match_one(&key, "pdq", &values[0])
                .len()
                == 1));
            assert!(a.whole_feed(&key).is_empty(), "a lone case is held");
        }
        reader.poll(if i % 2 == 0 { &a } else { &b });
        filed.push(Filed {
            number,
            pin,
            ids,
            values,
        });
    }
    assert!(
        reader.batches.len() >= 3,
        "{} batches",
        reader.batches.len()
    );
    let added = assert_mixed(&reader.batches, "add", &case_of);
    // Cursors run without a gap: no write's edge shows in them.
    let expected: Vec<i64> = (1..=reader.cursors.len() as i64).collect();
    assert_eq!(reader.cursors, expected);
    let released: HashSet<i64> = reader
        .batches
        .iter()
        .flatten()
        .map(|e| e["hash_id"].as_i64().unwrap())
        .collect();
    let held: Vec<usize> = (0..CASES)
        .filter(|&i| !filed[i].ids.iter().any(|id| released.contains(id)))
        .collect();
    assert!(!held.is_empty() && held.len() < MIX, "{held:?}");
    assert_eq!(
        added + held.iter().map(|&i| filed[i].ids.len()).sum::<usize>(),
        case_of.len()
    );

    // Withdrawals: released cases, and two still held.
    let additions = reader.batches.len();
    let mut withdrawn = Vec::new();
    for (n, i) in (0..CASES)
        .filter(|i| !held.contains(i))
        .take(3 * MIX)
        .chain(held.iter().copied().take(2))
        .enumerate()
    {
        let case = &filed[i];
        let answer = a.post(
            &format!("/v1/cases/{}/withdraw", case.number),
            &Auth::Pin(case.pin.clone()),
            &json!({}),
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        if n == 0 {
            assert!(eventually(WITHIN, || b
                .match_one(&key, "pdq", &case.values[0])
                .is_empty()));
        }
        withdrawn.push(i);
        reader.poll(if n % 2 == 0 { &b } else { &a });
    }
    let deletions = &reader.batches[additions..];
    assert!(deletions.len() >= 3, "{} batches", deletions.len());
    let deleted = assert_mixed(deletions, "delete", &case_of);
    assert_eq!(
        deleted,
        withdrawn
            .iter()
            .filter(|i| !held.contains(i))
            .map(|&i| filed[i].ids.len())
            .sum::<usize>()
    );
    // A held case withdrawn never shows on the feed at all.
    let all = a.whole_feed(&key);
    let shown: HashSet<i64> = all.iter().map(|e| e["hash_id"].as_i64().unwrap()).collect();
    for i in held.iter().take(2) {
        assert!(filed[*i].ids.iter().all(|id| !shown.contains(id)));
    }
    let text = serde_json::to_string(&all).unwrap();
    for i in &withdrawn {
        for value in &filed[*i].values {
            assert!(!text.contains(value.as_str()));
        }
    }
}

#[test]
fn feed_does_not_group_cases_sqlite() {
    feed_does_not_group_cases(&TestDb::sqlite());
}

#[test]
fn feed_does_not_group_cases_postgres() {
    feed_does_not_group_cases(&TestDb::postgres());
}

/// In a quiet time a case is released alone once held long enough, and so
/// is its withdrawal.
#[test]
fn a_lone_case_is_released_after_the_hold() {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "reader");
    let server = Server::start(
        &db,
        &[
            "--feed-mix-writes",
            "8",
            "--feed-hold-secs",
            "1",
            "--feed-delete-hold-secs",
            "1",
        ],
    );
    let values = [random_hex(64), random_hex(64)];
    let (number, pin, _) = server.create_case(json!([pdq(&values[0]), pdq(&values[1])]), false);
    assert!(eventually(Duration::from_secs(30), || server
        .whole_feed(&key)
        .len()
        == 2));
    server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert!(eventually(Duration::from_secs(30), || {
        let feed = server.whole_feed(&key);
        feed.len() == 2 && feed.iter().all(|e| e["op"] == "delete")
    }));
}
