//! Exchanges between banks through real `hashbank serve` processes: a bank
//! following another's feed gives its platforms the other's hashes, takes
//! withdrawals along, forwards reports and outcomes back, settles in a
//! loop, and keeps going through a source that fails.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{add_platform, eventually, hashbank, pdq, random_pdq, Auth, Server, TestDb};

/// Servers in these tests follow their sources this often (ms), and
/// release their feeds at once.
const EXCHANGE_ARGS: [&str; 4] = ["--exchange-interval-ms", "150", "--feed-mix-writes", "1"];
/// How long a change may take to cross from one bank to another.
const CROSS: Duration = Duration::from_secs(20);

fn start(db: &TestDb) -> Server {
    Server::start(db, &EXCHANGE_ARGS)
}

/// Runs `hashbank exchange ARGS` on `db`; its stdout, or a panic with its
/// stderr.
fn exchange(db: &TestDb, args: &[&str]) -> String {
    let mut all = vec!["exchange"];
    all.extend_from_slice(args);
    let out = hashbank(db, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Makes the bank on `follower` follow `source` as `name`, with a platform
/// key `source` issues to it (named `as_platform` there).
fn follow(
    follower: &TestDb,
    name: &str,
    source_db: &TestDb,
    source: &Server,
    as_platform: &str,
    dir: &Path,
) {
    let key = add_platform(source_db, as_platform);
    let file = key_file(dir, &format!("{name}.key"), &key);
    exchange(
        follower,
        &[
            "add",
            name,
            "--from",
            &source.base,
            "--key-file",
            file.to_str().unwrap(),
        ],
    );
}

fn key_file(dir: &Path, name: &str, key: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{key}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

/// The additions of `server`'s feed, by value.
fn additions(server: &Server, key: &str) -> Vec<Value> {
    let mut held = std::collections::BTreeMap::new();
    for entry in server.whole_feed(key) {
        let id = entry["hash_id"].as_i64().unwrap();
        if entry["op"] == "add" {
            held.insert(id, entry);
        } else {
            held.remove(&id);
        }
    }
    held.into_values().collect()
}

fn values(entries: &[Value]) -> std::collections::BTreeSet<String> {
    entries
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect()
}

/// The bank id `server` gives on its feed.
fn bank_id(server: &Server, key: &str) -> String {
    let page = server.get("/v1/feed?after=0&limit=1", &Auth::Key(key.into()));
    page.body["bank_id"].as_str().unwrap().to_string()
}

/// `hashbank sync` from `server` into `out`; the values the file holds.
fn sync(server: &Server, key_path: &Path, out: &Path) -> usize {
    let run = std::process::Command::new(crate::support::BIN)
        .args(["sync", "--bank", &server.base, "--key-file"])
        .arg(key_path)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    hashbank_scan::LocalBank::open(out).unwrap().len()
}

/// The row of `name` in `hashbank exchange list`.
fn listed(db: &TestDb, name: &str) -> String {
    exchange(db, &["list"])
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("{name} not listed"))
        .to_string()
}

fn a_case_reaches_platforms_of_a_following_bank(a_db: TestDb, b_db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let a_platform = add_platform(&a_db, "photos-a");
    let b_platform = add_platform(&b_db, "photos-b");
    let a = start(&a_db);
    follow(&b_db, "bank-a", &a_db, &a, "bank-b", dir.path());
    let b = start(&b_db);

    let (first, second) = (random_pdq(), random_pdq());
    let (number, pin, _) = a.create_case(json!([pdq(&first), pdq(&second)]), false);
    let a_id = bank_id(&a, &a_platform);
    assert!(eventually(CROSS, || additions(&b, &b_platform).len() == 2));
    let fed = additions(&b, &b_platform);
    assert_eq!(values(&fed), [first.clone(), second.clone()].into());
    for entry in &fed {
        assert_eq!(entry["origin"], a_id.as_str(), "{entry}");
    }
    // A's own feed gives its hashes without an origin.
    assert!(additions(&a, &a_platform)
        .iter()
        .all(|e| e.get("origin").is_none()));
    let row = listed(&b_db, "bank-a");
    assert!(row.contains(&a.base) && row.contains("  2  "), "{row}");

    // A bank following B sees them with the origin A.
    let c_db = TestDb::sqlite();
    let c_platform = add_platform(&c_db, "photos-c");
    follow(&c_db, "bank-b", &b_db, &b, "bank-c", dir.path());
    let c = start(&c_db);
    assert!(eventually(CROSS, || additions(&c, &c_platform).len() == 2));
    for entry in additions(&c, &c_platform) {
        assert_eq!(entry["origin"], a_id.as_str(), "{entry}");
    }

    // A platform synced to B alone has them.
    let key_path = key_file(dir.path(), "photos-b.key", &b_platform);
    let out = dir.path().join("b.hbl");
    assert_eq!(sync(&b, &key_path, &out), 2);

    // It reports a match on B, by B's hash id; the report and its outcome
    // reach the case on A, under A's platform record for B.
    let on_b = fed.iter().find(|e| e["value"] == first.as_str()).unwrap();
    let report = b.report(
        &b_platform,
        on_b["hash_id"].as_i64().unwrap(),
        &first,
        "https://photos-b.example/1",
    );
    assert_eq!(report.status, 201, "{:?}", report.body);
    let report_id = report.body["report_id"].as_i64().unwrap();
    assert_eq!(b.outcome(&b_platform, report_id, "removed").status, 200);
    let case_path = format!("/v1/cases/{number}");
    assert!(eventually(CROSS, || {
        let view = a.get(&case_path, &Auth::Pin(pin.clone()));
        view.body["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["platform"] == "bank-b" && p["removed"] == 1)
    }));
    let view = a.get(&case_path, &Auth::Pin(pin.clone()));
    let platform = &view.body["platforms"][0];
    assert_eq!(platform["matches_reported"], 1, "{view:?}");
    assert_eq!(platform["reports"][0]["outcome"], "removed");

    // The withdrawal on A leaves B's feed and the platform's file at its
    // next sync.
    let withdrawn = a.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 200, "{:?}", withdrawn.body);
    assert!(eventually(CROSS, || additions(&b, &b_platform).is_empty()));
    assert_eq!(sync(&b, &key_path, &out), 0);
    assert!(b.match_one(&b_platform, "pdq", &first).is_empty());
}

#[test]
fn a_case_reaches_platforms_of_a_following_bank_sqlite() {
    a_case_reaches_platforms_of_a_following_bank(TestDb::sqlite(), TestDb::sqlite());
}

#[test]
fn a_case_reaches_platforms_of_a_following_bank_postgres() {
    a_case_reaches_platforms_of_a_following_bank(TestDb::sqlite(), TestDb::postgres());
}

fn banks_following_each_other_settle(a_db: TestDb, b_db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let a_key = add_platform(&a_db, "photos-a");
    let b_key = add_platform(&b_db, "photos-b");
    let mut a = start(&a_db);
    let b = start(&b_db);
    follow(&a_db, "bank-b", &b_db, &b, "bank-a", dir.path());
    follow(&b_db, "bank-a", &a_db, &a, "bank-b", dir.path());

    let (only_a, only_b, both) = (random_pdq(), random_pdq(), random_pdq());
    let (a_number, a_pin, _) = a.create_case(json!([pdq(&only_a), pdq(&both)]), false);
    let (b_number, b_pin, _) = b.create_case(json!([pdq(&only_b), pdq(&both)]), true);
    let all: std::collections::BTreeSet<String> =
        [only_a.clone(), only_b.clone(), both.clone()].into();
    assert!(eventually(CROSS, || values(&additions(&a, &a_key)) == all
        && values(&additions(&b, &b_key)) == all));
    // Several rounds later, nothing grew: one addition per value, on
    // every feed; the feeds' whole length stays put.
    std::thread::sleep(Duration::from_millis(1500));
    let length = |s: &Server, k: &str| s.whole_feed(k).len();
    let (a_len, b_len) = (length(&a, &a_key), length(&b, &b_key));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!((length(&a, &a_key), length(&b, &b_key)), (a_len, b_len));
    assert_eq!(additions(&a, &a_key).len(), 3);
    // The value filed on minor case at B is minor on A too.
    let on_a = additions(&a, &a_key);
    let shared = on_a.iter().find(|e| e["value"] == both.as_str()).unwrap();
    assert_eq!(shared["category"], "minor", "{shared}");
    // A's own and shared values carry no origin on A; B's carries B's.
    let b_id = bank_id(&b, &b_key);
    let b_only = on_a.iter().find(|e| e["value"] == only_b.as_str()).unwrap();
    assert_eq!(b_only["origin"], b_id.as_str());
    assert!(shared.get("origin").is_none());

    // A withdraws: its own hash leaves both banks and stays gone; the
    // shared one stays (B's case holds it).
    let withdraw = |s: &Server, n: &str, p: &str| {
        let w = s.post(
            &format!("/v1/cases/{n}/withdraw"),
            &Auth::Pin(p.into()),
            &json!({}),
        );
        assert_eq!(w.status, 200, "{:?}", w.body);
    };
    withdraw(&a, &a_number, &a_pin);
    let left: std::collections::BTreeSet<String> = [only_b.clone(), both.clone()].into();
    assert!(eventually(CROSS, || values(&additions(&a, &a_key)) == left
        && values(&additions(&b, &b_key)) == left));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(values(&additions(&a, &a_key)), left, "resurrected on A");
    assert_eq!(values(&additions(&b, &b_key)), left, "resurrected on B");
    assert!(a.match_one(&a_key, "pdq", &only_a).is_empty());

    // B withdraws too: nothing is left anywhere, and nothing comes back.
    withdraw(&b, &b_number, &b_pin);
    assert!(eventually(CROSS, || additions(&a, &a_key).is_empty()
        && additions(&b, &b_key).is_empty()));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(additions(&a, &a_key).is_empty() && additions(&b, &b_key).is_empty());

    // A restart of A re-reads nothing twice.
    let c = b.create_case(json!([pdq(&random_pdq())]), false);
    drop(c);
    a.kill();
    let a = Server::start(&a_db, &EXCHANGE_ARGS);
    assert!(eventually(CROSS, || additions(&a, &a_key).len() == 1));
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(additions(&a, &a_key).len(), 1);
    assert_eq!(additions(&b, &b_key).len(), 1);

    // A stops following B: B's hash leaves A's feed, stays on B's.
    exchange(&a_db, &["remove", "bank-b"]);
    assert!(eventually(CROSS, || additions(&a, &a_key).is_empty()));
    assert_eq!(additions(&b, &b_key).len(), 1);
    assert!(!exchange(&a_db, &["list"]).contains("bank-b"));
}

#[test]
fn banks_following_each_other_settle_sqlite() {
    banks_following_each_other_settle(TestDb::sqlite(), TestDb::sqlite());
}

#[test]
fn banks_following_each_other_settle_postgres() {
    banks_following_each_other_settle(TestDb::postgres(), TestDb::sqlite());
}

/// A server on `listener` answering every request with `answer`.
fn fake_source(listener: TcpListener, answer: &'static str) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 4096];
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
}

#[test]
fn a_failing_source_is_recorded_retried_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a_db = TestDb::sqlite();
    let b_db = TestDb::sqlite();
    let a_key = add_platform(&a_db, "photos-a");
    let b_key = add_platform(&b_db, "photos-b");

    // Sources answering garbage and refusing the key: errors recorded.
    let garbage = TcpListener::bind("127.0.0.1:0").unwrap();
    let garbage_url = format!("http://{}", garbage.local_addr().unwrap());
    fake_source(
        garbage,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\
         Connection: close\r\n\r\n{\"entries",
    );
    let refusing = TcpListener::bind("127.0.0.1:0").unwrap();
    let refusing_url = format!("http://{}", refusing.local_addr().unwrap());
    fake_source(
        refusing,
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\
         Connection: close\r\n\r\n{\"error\":\"bad_key\",\"message\":\"no key!!\"}",
    );
    let failing = TcpListener::bind("127.0.0.1:0").unwrap();
    let failing_url = format!("http://{}", failing.local_addr().unwrap());
    fake_source(
        failing,
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let key = key_file(dir.path(), "some.key", "hbk_x_y");
    for (name, url) in [
        ("garbage", &garbage_url),
        ("refusing", &refusing_url),
        ("failing", &failing_url),
    ] {
        exchange(
            &b_db,
            &[
                "add",
                name,
                "--from",
                url,
                "--key-file",
                key.to_str().unwrap(),
            ],
        );
    }

    // A source that goes away and comes back, behind a proxy that can
    // drop every connection.
    let a = start(&a_db);
    let proxy = Proxy::start(&a.address());
    let key = add_platform(&a_db, "bank-b");
    let file = key_file(dir.path(), "bank-a.key", &key);
    exchange(
        &b_db,
        &[
            "add",
            "bank-a",
            "--from",
            &proxy.url,
            "--key-file",
            file.to_str().unwrap(),
        ],
    );
    let mut b = start(&b_db);
    let reported = random_pdq();
    let (number, pin, _) = a.create_case(json!([pdq(&reported)]), false);
    assert!(eventually(CROSS, || additions(&b, &b_key).len() == 1));
    assert!(eventually(CROSS, || {
        listed(&b_db, "garbage").contains("does not look like a hashbank")
            && listed(&b_db, "refusing").contains("refused the key")
            && listed(&b_db, "failing").contains("HTTP 503")
    }));

    // Gone: the error is recorded; what was held stays. A report and its
    // outcome made on B meanwhile wait for A, through a restart of B.
    proxy.set_up(false);
    a.create_case(json!([pdq(&random_pdq())]), false);
    assert!(eventually(CROSS, || listed(&b_db, "bank-a")
        .contains("cannot reach the bank")));
    assert_eq!(additions(&b, &b_key).len(), 1);
    let hash_id = additions(&b, &b_key)[0]["hash_id"].as_i64().unwrap();
    let report = b.report(&b_key, hash_id, &reported, "photo-9");
    assert_eq!(report.status, 201, "{:?}", report.body);
    let report_id = report.body["report_id"].as_i64().unwrap();
    assert_eq!(b.outcome(&b_key, report_id, "removed").status, 200);
    let pending = || {
        listed(&b_db, "bank-a")
            .split_whitespace()
            .nth(6)
            .unwrap()
            .to_string()
    };
    assert_eq!(pending(), "2");
    b.kill();
    let b = start(&b_db);

    // Back, with cases filed while B could not reach A: B catches up
    // (retried within the backoff), with nothing lost or doubled.
    proxy.set_up(true);
    a.create_case(json!([pdq(&random_pdq()), pdq(&random_pdq())]), false);
    assert!(eventually(CROSS, || additions(&b, &b_key).len() == 4));
    assert!(eventually(CROSS, || !listed(&b_db, "bank-a").contains("cannot reach")));
    assert!(eventually(CROSS, || pending() == "0"));
    let view = a.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin));
    let platform = &view.body["platforms"][0];
    assert_eq!(platform["platform"], "bank-b", "{:?}", view.body);
    assert_eq!(
        (&platform["matches_reported"], &platform["removed"]),
        (&json!(1), &json!(1)),
        "{:?}",
        view.body
    );

    // A checkpoint from the future (as if A were restored from an older
    // backup): recorded, read again from 0, nothing doubled.
    // B only sees A's next case if it read A again from the start.
    b_db.sql("UPDATE exchanges SET cursor = 1000000 WHERE name = 'bank-a'");
    a.create_case(json!([pdq(&random_pdq())]), false);
    assert!(eventually(CROSS, || additions(&b, &b_key).len() == 5));
    assert_eq!(b.whole_feed(&b_key).len(), 5, "nothing doubled");
    assert_eq!(additions(&a, &a_key).len(), 5);

    // Pause and resume; an unknown name is a clear error.
    exchange(&b_db, &["pause", "bank-a"]);
    assert!(listed(&b_db, "bank-a").contains(" yes "));
    a.create_case(json!([pdq(&random_pdq())]), false);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(additions(&b, &b_key).len(), 5);
    exchange(&b_db, &["resume", "bank-a"]);
    assert!(eventually(CROSS, || additions(&b, &b_key).len() == 6));
    let out = hashbank(&b_db, &["exchange", "remove", "no-such-bank"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no exchange named \"no-such-bank\""));
}

/// A TCP proxy to a server that passes connections on while up and drops
/// them at once while down.
struct Proxy {
    url: String,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    fn start(to: &str) -> Proxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let up = std::sync::Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        let to = to.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(client) = stream else { return };
                if !flag.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(&to) else {
                    continue;
                };
                let pipe = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                };
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy { url, up }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, std::sync::atomic::Ordering::SeqCst);
    }
}
