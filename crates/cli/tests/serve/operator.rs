//! Operator commands against the database: platforms, stats, the audit log
//! and its verification, bulk import.

use std::io::Write;

use serde_json::{json, Value};

use crate::support::*;

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn platforms_stats_and_audit_sqlite() {
    platforms_stats_and_audit(&TestDb::sqlite());
}

#[test]
fn platforms_stats_and_audit_postgres() {
    platforms_stats_and_audit(&TestDb::postgres());
}

fn platforms_stats_and_audit(db: &TestDb) {
    let key = add_platform(db, "alpha");
    assert!(key.starts_with("hbk_"), "{key}");
    let again = hashbank(db, &["platform", "add", "alpha"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
    let bad = hashbank(db, &["platform", "add", "no spaces"]);
    assert_eq!(bad.status.code(), Some(1));
    add_platform(db, "beta");
    assert!(hashbank(db, &["platform", "revoke", "beta"])
        .status
        .success());
    assert_eq!(
        hashbank(db, &["platform", "revoke", "gamma"]).status.code(),
        Some(1)
    );
    let list = text(&hashbank(db, &["platform", "list"]));
    let alpha = list.lines().find(|l| l.starts_with("alpha")).unwrap();
    let beta = list.lines().find(|l| l.starts_with("beta")).unwrap();
    // name, key id, added, revoked, role
    let revoked = |line: &str| line.split_whitespace().nth(3).unwrap().to_string();
    assert_eq!(revoked(alpha), "-", "{alpha}");
    assert_ne!(revoked(beta), "-", "{beta}");
    assert!(alpha.ends_with("platform"), "{alpha}");
    assert!(!list.contains(&key), "the key is never shown again");

    // Some writes through the API.
    {
        let server = Server::start(db, &[]);
        let (number, pin, _) = server.create_case(json!([pdq(&random_hex(64))]), true);
        server.create_case(
            json!([pdq(&random_hex(64)), {"kind": "md5", "value": random_hex(32)}]),
            false,
        );
        server.post(
            &format!("/v1/cases/{number}/withdraw"),
            &Auth::Pin(pin),
            &json!({}),
        );
    }
    let stats: Value = serde_json::from_slice(&hashbank(db, &["stats", "--json"]).stdout).unwrap();
    assert_eq!(stats["cases"]["open"], json!(1));
    assert_eq!(stats["cases"]["withdrawn"], json!(1));
    assert_eq!(stats["hashes"]["active"], json!(2));
    assert_eq!(stats["hashes"]["withdrawn"], json!(1));
    assert_eq!(stats["platforms"], json!(1));
    assert_eq!(stats["revoked_platforms"], json!(1));
    let human = text(&hashbank(db, &["stats"]));
    assert!(human.contains("hashes.active"), "{human}");

    // The audit log: intact, then altered, then with an entry removed.
    let verify = || hashbank(db, &["audit", "verify"]);
    let ok = verify();
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains("intact: 6 entries"), "{}", text(&ok));
    db.sql("UPDATE audit SET detail = 'hashes=9' WHERE seq = 4");
    let altered = verify();
    assert_eq!(altered.status.code(), Some(1));
    assert!(
        text(&altered).contains("broken at entry 4"),
        "{}",
        text(&altered)
    );
    assert!(text(&altered).contains("altered"), "{}", text(&altered));
    db.sql("DELETE FROM audit WHERE seq = 4");
    let removed = verify();
    assert_eq!(removed.status.code(), Some(1));
    assert!(
        text(&removed).contains("entry 4 is missing"),
        "{}",
        text(&removed)
    );
    db.sql("DELETE FROM audit WHERE seq >= 4");
    let truncated = verify();
    assert_eq!(truncated.status.code(), Some(1));
    assert!(text(&truncated).contains("missing"), "{}", text(&truncated));

    // No key ever reaches the audit log: no detail holds the key or the
    // keys' prefix (compared exactly here: SQL's LIKE would take the `_`
    // for any character and, on SQLite, ignore case, so a random key id
    // holding "HBK" would look like a key).
    let details = audit_details(db);
    assert!(!details.is_empty());
    for detail in details {
        assert!(
            !detail.contains(&key) && !detail.contains("hbk_"),
            "{detail}"
        );
    }
}

/// The audit log's actions and details, in order.
pub(crate) fn audit_actions(db: &TestDb) -> Vec<(String, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT action, detail FROM audit ORDER BY seq")
                .fetch_all(&pool)
                .await
                .unwrap();
        pool.close().await;
        rows
    })
}

fn audit_details(db: &TestDb) -> Vec<String> {
    audit_actions(db)
        .into_iter()
        .map(|(_, detail)| detail)
        .collect()
}

#[test]
fn import_makes_cases_of_500() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("hashes.jsonl");
    let mut file = std::fs::File::create(&list).unwrap();
    let first = random_hex(64);
    writeln!(file, "{}", json!({"path": "a.jpg", "pdq": first, "quality": 90, "md5": random_hex(32), "sha256": random_hex(64)})).unwrap();
    writeln!(
        file,
        "{}",
        json!({"path": "b.jpg", "error": "not an image"})
    )
    .unwrap();
    writeln!(
        file,
        "{}",
        json!({"path": "c.jpg", "pdq": random_hex(64), "quality": 10})
    )
    .unwrap();
    for _ in 0..1100 {
        writeln!(
            file,
            "{}",
            json!({"kind": "pdq", "value": random_hex(64), "quality": 80})
        )
        .unwrap();
    }
    writeln!(
        file,
        "{}",
        json!({"kind": "pdq", "value": first, "quality": 80})
    )
    .unwrap();
    drop(file);
    let cases_out = dir.path().join("cases.txt");
    let out = hashbank(
        &db,
        &[
            "import",
            list.to_str().unwrap(),
            "--cases-out",
            cases_out.to_str().unwrap(),
            "--create",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases = std::fs::read_to_string(&cases_out).unwrap();
    let lines: Vec<&str> = cases.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 3, "1103 hashes in cases of 500");
    assert!(lines[2].ends_with(" 103"), "{}", lines[2]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cases_out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "PINs are readable by the owner only");
    }

    let key = add_platform(&db, "importer");
    let server = Server::start(&db, &[]);
    assert_eq!(server.match_one(&key, "pdq", &first).len(), 1);
    let (number, pin) = {
        let mut parts = lines[0].split(' ');
        (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
        )
    };
    let view = server.get(&format!("/v1/cases/{number}"), &Auth::Pin(pin));
    assert_eq!(view.status, 200);
    assert_eq!(view.body["hashes"].as_array().unwrap().len(), 500);
}

/// Operator commands on a mistyped SQLite path fail and create nothing; only
/// `serve` (or `--create`) makes a database.
#[test]
fn operator_commands_refuse_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped.db");
    let url = format!("sqlite://{}", missing.display());
    let list = dir.path().join("list.jsonl");
    std::fs::write(
        &list,
        json!({"kind": "pdq", "value": random_hex(64), "quality": 90}).to_string(),
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let cases_out = elsewhere.path().join("cases.txt");
    let cases_out = cases_out.to_str().unwrap();
    let commands: [&[&str]; 8] = [
        &["audit", "verify"],
        &["audit", "head"],
        &["audit", "new-key", "--out", "/dev/null/key"],
        &["stats"],
        &["platform", "list"],
        &["platform", "add", "alpha"],
        &["platform", "revoke", "alpha"],
        &["import", list, "--cases-out", cases_out],
    ];
    for args in commands {
        let out = std::process::Command::new(BIN)
            .args(args)
            .args(["--database", &url])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {said}");
        assert!(
            said.contains("no bank at") && said.contains("mistyped.db"),
            "{args:?}: {said}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 1, "{args:?} left {left:?}");
    }
    let out = std::process::Command::new(BIN)
        .args(["platform", "add", "alpha", "--create", "--database", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(missing.exists());
    assert!(missing.with_extension("audit-key").exists());
}
