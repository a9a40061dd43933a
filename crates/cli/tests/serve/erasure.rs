//! Erasure on disk: after a withdrawal no byte of the database files holds
//! a withdrawn value (as hex text or as raw bytes), and the files are their
//! owner's only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

/// The forms a hash value could lie on disk in: its hex text (lower and
/// upper case) and its raw bytes.
fn forms(hex: &str) -> Vec<Vec<u8>> {
    let raw: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    vec![
        hex.as_bytes().to_vec(),
        hex.to_uppercase().into_bytes(),
        raw,
    ]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The database file, its -wal and -shm (those that exist), read whole.
fn database_files(db: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|p| p.exists())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Which of `values` some database file still holds, naming file and form.
/// Hex text is looked for among every run of 32 or more hex digits in the
/// files; raw bytes, for the first 20 values only (a byte search each).
pub(crate) fn found_on_disk(db: &Path, values: &[String]) -> Vec<String> {
    let files = database_files(db);
    let mut found = Vec::new();
    for (path, bytes) in &files {
        let mut windows: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
        for run in bytes.split(|b| !b.is_ascii_hexdigit()) {
            for len in [32, 64] {
                for w in run.windows(len) {
                    windows.insert(w.to_ascii_lowercase());
                }
            }
        }
        for value in values {
            if windows.contains(value.as_bytes()) {
                found.push(format!("{value} (hex) in {}", path.display()));
            }
        }
        for value in values.iter().take(20) {
            let raw = &forms(value)[2];
            if contains(bytes, raw) {
                found.push(format!("{value} (raw) in {}", path.display()));
            }
        }
    }
    found
}

fn case_hashes() -> (Vec<String>, Value) {
    let values = vec![
        random_hex(64),
        random_hex(64),
        random_hex(32),
        random_hex(64),
    ];
    // A video: its frames, and the key the bank looks it up by (the
    // SHA-256 of its text), must leave the disk too.
    let frames = [random_pdq(), random_pdq()];
    let video = format!("0,90,{},0.000\n30,80,{},1.000\n", frames[0], frames[1]);
    let key = {
        use sha2::Digest;
        sha2::Sha256::digest(video.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let body = json!([
        pdq(&values[0]),
        { "kind": "pdq", "value": values[1], "quality": 80, "role": "extra", "label": "crop90" },
        { "kind": "md5", "value": values[2] },
        { "kind": "sha256", "value": values[3] },
        { "kind": "vpdq", "value": video },
    ]);
    let mut values = values;
    values.extend(frames);
    values.push(key);
    (values, body)
}

#[test]
fn withdrawn_values_leave_the_sqlite_files() {
    let db = TestDb::sqlite();
    let file = db.file().unwrap();
    let key = add_platform(&db, "eraser");
    let mut server = Server::start(&db, &[]);
    let (kept, kept_body) = case_hashes();
    server.create_case(kept_body, false);
    let mut withdrawn = Vec::new();
    for round in 0..3 {
        let (values, body) = case_hashes();
        let (number, pin, _) = server.create_case(body, round == 1);
        // Some of them matched and reported first, as a platform would.
        let matches = server.match_one(&key, "pdq", &values[0]);
        assert_eq!(matches.len(), 1);
        let report = server.post(
            "/v1/reports",
            &Auth::Key(key.clone()),
            &json!({"hash_id": matches[0]["hash_id"], "value": values[0], "content_ref": "post/1"}),
        );
        assert_eq!(report.status, 201, "{:?}", report.body);
        // Every value is on disk before the withdrawal (so the search below
        // reads the right files in the right forms).
        assert!(
            values
                .iter()
                .all(|v| !found_on_disk(&file, std::slice::from_ref(v)).is_empty()),
            "a filed value is not found on disk at all"
        );
        let answer = server.post(
            &format!("/v1/cases/{number}/withdraw"),
            &Auth::Pin(pin),
            &json!({}),
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        withdrawn.extend(values);
        // Right after the answer, with the server still running.
        let found = found_on_disk(&file, &withdrawn);
        assert!(found.is_empty(), "withdrawn values on disk: {found:?}");
    }
    // The case not withdrawn is still there.
    assert!(!found_on_disk(&file, &kept[..1]).is_empty());
    server.kill();
    let found = found_on_disk(&file, &withdrawn);
    assert!(found.is_empty(), "withdrawn values on disk: {found:?}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key_file = file.with_extension("audit-key");
        let mut paths: Vec<PathBuf> = database_files(&file).into_iter().map(|(p, _)| p).collect();
        assert!(paths.len() >= 2, "{paths:?}");
        paths.push(key_file);
        for path in paths {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
    }
}

/// A value whose rows SQLite moved between pages while they were live (a
/// page split, a row that grew) leaves copies in the old page's unused
/// space, which `secure_delete` does not reach: after a withdrawal the bank
/// rewrites the file, so no copy is left anywhere.
#[test]
fn withdrawn_values_leave_no_copies_in_moved_pages() {
    let db = TestDb::sqlite();
    let file = db.file().unwrap();
    // Feed entries held and released in mixed batches, as by default.
    let server = Server::start(&db, &["--feed-hold-secs", "3600", "--feed-mix-writes", "8"]);
    let withdraw = |number: &str, pin: &str| {
        let answer = server.post(
            &format!("/v1/cases/{number}/withdraw"),
            &Auth::Pin(pin.to_string()),
            &json!({}),
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    };
    // Four clients at once, each filing cases and withdrawing some of its
    // own as it goes: pages fill, split, and are rebuilt around the holes.
    let (cases, withdrawn) = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let mut cases = Vec::new();
                    let mut withdrawn = Vec::new();
                    for round in 0..250 {
                        let values: Vec<String> = (0..5).map(|_| random_pdq()).collect();
                        let body: Vec<Value> = values.iter().map(|v| pdq(v)).collect();
                        let (number, pin, _) = server.create_case(json!(body), false);
                        cases.push((values, number, pin));
                        if round % 3 == 2 {
                            let (values, number, pin) = cases.remove(round % 2);
                            withdraw(&number, &pin);
                            withdrawn.extend(values);
                        }
                    }
                    (cases, withdrawn)
                })
            })
            .collect();
        let mut all = (Vec::new(), Vec::new());
        for client in clients {
            let (cases, withdrawn) = client.join().unwrap();
            all.0.extend(cases);
            all.1.extend(withdrawn);
        }
        all
    });
    // A checkpoint that a reader held up is done again by the server's
    // background loop (docs/erasure.md): within a few of its rounds.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut found = found_on_disk(&file, &withdrawn);
    while !found.is_empty() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(200));
        found = found_on_disk(&file, &withdrawn);
    }
    assert!(found.is_empty(), "withdrawn values on disk: {found:?}");
    let kept: Vec<String> = cases
        .iter()
        .map(|(values, _, _)| values[0].clone())
        .collect();
    let present = found_on_disk(&file, &kept);
    for value in &kept {
        assert!(present.iter().any(|f| f.starts_with(value.as_str())));
    }
}

/// A database made by an earlier version, readable by all, is made its
/// owner's only when opened.
#[cfg(unix)]
#[test]
fn an_existing_readable_database_is_made_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::sqlite();
    let file = db.file().unwrap();
    add_platform(&db, "first");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = hashbank(&db, &["stats"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn withdrawn_values_leave_postgres_pages() {
    let db = TestDb::postgres();
    db.sql("CREATE EXTENSION IF NOT EXISTS pageinspect");
    let server = Server::start(&db, &[]);
    let (kept, kept_body) = case_hashes();
    server.create_case(kept_body, false);
    let (values, body) = case_hashes();
    let (number, pin, _) = server.create_case(body, false);
    assert!(
        pages_holding(&db, &values[0]) > 0,
        "the search finds a stored value"
    );
    let answer = server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(answer.status, 200);
    // The server vacuums in the background shortly after an erasure.
    let gone = eventually(Duration::from_secs(30), || {
        values.iter().all(|v| pages_holding(&db, v) == 0)
    });
    let left: Vec<_> = values.iter().map(|v| pages_holding(&db, v)).collect();
    assert!(
        gone,
        "row versions still holding withdrawn values: {left:?}"
    );
    assert!(pages_holding(&db, &kept[0]) > 0);
}

/// Row versions, live or dead, in the bank's tables that hold `hex`, read
/// from the raw pages (`pageinspect`). Vacuum removes dead versions; the
/// bytes of a removed version may stay in the page's free space until it is
/// reused (docs/erasure.md), which this does not count.
fn pages_holding(db: &TestDb, hex: &str) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' \
         CROSS JOIN LATERAL generate_series(0, (pg_relation_size(c.oid) / 8192)::int - 1) AS b \
         CROSS JOIN LATERAL heap_page_items(get_raw_page(c.relname::text, b)) AS t \
         WHERE c.relkind = 'r' AND t.t_data IS NOT NULL \
         AND position('\\x{}'::bytea IN t.t_data) > 0",
        hex.bytes().map(|b| format!("{b:02x}")).collect::<String>()
    );
    count(db, &sql)
}

fn count(db: &TestDb, sql: &str) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    })
}
