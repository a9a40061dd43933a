//! The audit chain against someone who can write the database but holds
//! neither the audit key (outside the database) nor the head the operator
//! kept: an edit, a recomputed chain, a cut tail and a rewound log all fail
//! `hashbank audit verify`.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::support::*;

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A bank whose audit log holds 5 entries (platforms added).
fn bank(db: &TestDb) {
    for i in 0..5 {
        add_platform(db, &format!("platform-{i}"));
    }
}

/// `hashbank audit verify` with `heads` kept: (exit status, output).
fn verify(db: &TestDb, heads: &[&str]) -> (i32, String) {
    let mut args = vec!["audit", "verify"];
    for head in heads {
        args.extend(["--head", head]);
    }
    let out = hashbank(db, &args);
    let said = format!("{}{}", text(&out), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap(), said)
}

/// What `hashbank audit head` prints.
fn head(db: &TestDb) -> String {
    let out = hashbank(db, &["audit", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    text(&out).trim().to_string()
}

type Row = (i64, i64, String, String, String, String, String);

fn rows(db: &TestDb) -> Vec<Row> {
    block_on(db, |pool| async move {
        sqlx::query_as(
            "SELECT seq, at, actor, action, subject, detail, entry_hash FROM audit ORDER BY seq",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    })
}

fn block_on<T, F>(db: &TestDb, f: impl FnOnce(sqlx::AnyPool) -> F) -> T
where
    F: std::future::Future<Output = T>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let out = f(pool.clone()).await;
        pool.close().await;
        out
    })
}

/// The bytes an entry's hash covers (as the bank lays them out).
fn message(prev: &str, row: &Row) -> Vec<u8> {
    let mut out = prev.as_bytes().to_vec();
    out.extend(row.0.to_be_bytes());
    out.extend(row.1.to_be_bytes());
    for text in [&row.2, &row.3, &row.4, &row.5] {
        out.extend((text.len() as u32).to_be_bytes());
        out.extend(text.as_bytes());
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rewrites entry `from`'s detail to `detail` and chains it and every later
/// entry again with `hash`, head row included: what a database writer can
/// do.
fn recompute(db: &TestDb, from: i64, detail: &str, hash: impl Fn(&[u8]) -> String) {
    let mut rows = rows(db);
    let mut prev = rows
        .iter()
        .find(|r| r.0 == from - 1)
        .map(|r| r.6.clone())
        .unwrap_or_else(|| "0".repeat(64));
    let mut statements = Vec::new();
    for row in rows.iter_mut().filter(|r| r.0 >= from) {
        if row.0 == from {
            row.5 = detail.to_string();
        }
        let new = hash(&message(&prev, row));
        statements.push(format!(
            "UPDATE audit SET detail = '{}', prev_hash = '{prev}', entry_hash = '{new}' WHERE seq = {}",
            row.5, row.0
        ));
        prev = new;
    }
    let last = rows.last().unwrap().0;
    statements.push(format!(
        "UPDATE head SET audit_seq = {last}, audit_hash = '{prev}' WHERE id = 1"
    ));
    db.sql(&statements.join("; "));
}

fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The bank's key, read from its file (what the attacker does not have).
fn hmac_with_key(db: &TestDb) -> impl Fn(&[u8]) -> String {
    let path = db
        .audit_key
        .clone()
        .unwrap_or_else(|| db.file().unwrap().with_extension("audit-key"));
    let file = std::fs::read_to_string(path).unwrap();
    let key_hex = file
        .lines()
        .find_map(|l| l.strip_prefix("key = "))
        .unwrap()
        .to_string();
    let key: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&key_hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    move |bytes| {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
        mac.update(bytes);
        hex(&mac.finalize().into_bytes())
    }
}

fn edit_and_recompute(db: &TestDb) {
    bank(db);
    assert_eq!(verify(db, &[]).0, 0);
    let kept = head(db);
    assert!(kept.starts_with("5:"), "{kept}");
    assert_eq!(verify(db, &[&kept]).0, 0, "the kept head verifies");

    // An edit.
    let original = rows(db)[2].5.clone();
    db.sql("UPDATE audit SET detail = 'name=someone-else' WHERE seq = 3");
    let (code, said) = verify(db, &[]);
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("broken at entry 3") && said.contains("altered"),
        "{said}"
    );

    // The edit with the chain recomputed by SHA-256, as it was before keys,
    // head row and all.
    recompute(db, 3, "name=someone-else", sha256);
    let (code, said) = verify(db, &[]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("broken at entry 3"), "{said}");

    // Only the key makes a chain that verifies (so the recomputation above
    // is right, and the key is what stops it).
    recompute(db, 3, &original, hmac_with_key(db));
    assert_eq!(verify(db, &[&kept]).0, 0);
}

fn cut_and_rewind(db: &TestDb) {
    bank(db);
    let kept = head(db);
    let third = rows(db)[2].6.clone();

    // The tail cut off and the head row rewound to entry 3: the chain that
    // is left is whole, so only the kept head shows the cut.
    db.sql(&format!(
        "DELETE FROM audit WHERE seq > 3; UPDATE head SET audit_seq = 3, audit_hash = '{third}' WHERE id = 1"
    ));
    assert_eq!(verify(db, &[]).0, 0);
    let (code, said) = verify(db, &[&kept]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("cut back"), "{said}");

    // Rewound, then written on past the kept head: entry 5 exists again but
    // is not the one kept.
    add_platform(db, "later-1");
    add_platform(db, "later-2");
    assert_eq!(verify(db, &[]).0, 0);
    let (code, said) = verify(db, &[&kept]);
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("broken at entry 5") && said.contains("rewritten"),
        "{said}"
    );
    // An earlier kept head still holds.
    assert_eq!(verify(db, &[&format!("3:{third}")]).0, 0);
    let (code, said) = verify(db, &["3:nothex"]);
    assert_ne!(code, 0, "{said}");
}

#[test]
fn edits_and_recomputed_chains_fail_verify_sqlite() {
    edit_and_recompute(&TestDb::sqlite());
}

#[test]
fn edits_and_recomputed_chains_fail_verify_postgres() {
    edit_and_recompute(&TestDb::postgres());
}

#[test]
fn cut_and_rewound_logs_fail_verify_against_a_kept_head_sqlite() {
    cut_and_rewind(&TestDb::sqlite());
}

#[test]
fn cut_and_rewound_logs_fail_verify_against_a_kept_head_postgres() {
    cut_and_rewind(&TestDb::postgres());
}

/// Verifying needs the key: without it, or with another, the log fails.
#[test]
fn the_key_is_needed_and_must_be_the_banks() {
    let db = TestDb::sqlite();
    bank(&db);
    let file = db.file().unwrap();
    let key = file.with_extension("audit-key");
    let other = file.with_extension("other-key");
    std::fs::write(&other, format!("key = {}\nfrom = 1\n", random_hex(64))).unwrap();
    let out = hashbank(
        &db,
        &["audit", "verify", "--audit-key", other.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("broken at entry 1"), "{}", text(&out));
    std::fs::rename(&key, file.with_extension("moved")).unwrap();
    let out = hashbank(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no audit key"), "{said}");
    // Writing without it is refused too, and no new key is made.
    let out = hashbank(&db, &["platform", "add", "nokey"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!key.exists());
}

/// `audit new-key` makes the key a PostgreSQL bank needs, sealing the
/// entries from the next on; a bank that had no key keeps its earlier
/// entries as they were (plain SHA-256) and verifies whole.
#[test]
fn a_bank_without_a_key_is_sealed_from_its_next_entry() {
    let db = TestDb::sqlite();
    bank(&db);
    let file = db.file().unwrap();
    let key = file.with_extension("audit-key");
    // As if written before keys: entries chained by SHA-256, no key file.
    std::fs::remove_file(&key).unwrap();
    let first = rows(&db)[0].5.clone();
    recompute(&db, 1, &first, sha256);
    let newkey = file.with_extension("new-key");
    let out = hashbank(
        &db,
        &["audit", "new-key", "--out", newkey.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&newkey)
        .unwrap()
        .contains("from = 6"));
    let with_key = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--audit-key", newkey.to_str().unwrap()]);
        hashbank(&db, &all)
    };
    assert!(with_key(&["platform", "add", "sealed"]).status.success());
    let out = with_key(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("intact: 6 entries"), "{}", text(&out));
    // The sealed entry cannot be recomputed without the key.
    recompute(&db, 6, "name=forged", sha256);
    assert_eq!(with_key(&["audit", "verify"]).status.code(), Some(1));
}
