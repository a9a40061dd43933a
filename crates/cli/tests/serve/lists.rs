//! Hash lists in and out: `hashbank export --format jsonl|pytx` writes the
//! active hashes platforms may see, and `hashbank import` reads that back,
//! python-threatexchange's `<signal_type> <hash>` lines and HMA's signals.

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{json, Value};

use crate::support::*;

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn export(db: &TestDb, format: &str) -> Vec<String> {
    let out = hashbank(db, &["export", "--format", format]);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `export` once a server has released what an import holds (a small
/// import's hashes are held like any filing's: docs/erasure.md), expecting
/// `n` lines.
fn export_released(db: &TestDb, format: &str, n: usize) -> Vec<String> {
    let _server = Server::start(db, &[]);
    let mut lines = Vec::new();
    eventually(std::time::Duration::from_secs(20), || {
        lines = export(db, format);
        lines.len() >= n
    });
    lines
}

fn import(db: &TestDb, lines: &[String], extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    let mut file = std::fs::File::create(&list).unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    drop(file);
    let cases = dir.path().join("cases.txt");
    let mut args = vec![
        "import",
        list.to_str().unwrap(),
        "--cases-out",
        cases.to_str().unwrap(),
        "--create",
    ];
    args.extend(extra);
    hashbank(db, &args)
}

/// A bank holding one picture's hashes of each kind, a minor case's PDQ
/// hash, a video, and a withdrawn case; returns (picture values, minor
/// value, withdrawn value).
fn filled_bank(db: &TestDb) -> (Vec<String>, String, String) {
    let server = Server::start(db, &[]);
    let picture = vec![
        random_pdq(),
        random_pdq(),
        random_pdq(),
        random_hex(32),
        random_hex(64),
    ];
    server.create_case(
        json!([
            pdq(&picture[0]),
            { "kind": "pdq", "value": picture[1], "quality": 80, "role": "extra", "label": "crop90" },
            { "kind": "pdq", "value": picture[2], "quality": 80, "role": "extra", "label": "top80" },
            { "kind": "md5", "value": picture[3] },
            { "kind": "sha256", "value": picture[4] },
            { "kind": "vpdq", "value": format!("0,90,{},0.000\n", random_pdq()) },
        ]),
        false,
    );
    let minor = random_pdq();
    server.create_case(json!([pdq(&minor)]), true);
    let withdrawn = random_pdq();
    let (number, pin, _) = server.create_case(json!([pdq(&withdrawn)]), false);
    let answer = server.post(
        &format!("/v1/cases/{number}/withdraw"),
        &Auth::Pin(pin),
        &json!({}),
    );
    assert_eq!(answer.status, 200);
    (picture, minor, withdrawn)
}

#[test]
fn exports_are_the_active_hashes_and_import_back() {
    let db = TestDb::sqlite();
    let (picture, minor, withdrawn) = filled_bank(&db);

    let pytx: BTreeSet<String> = export(&db, "pytx").into_iter().collect();
    let want: BTreeSet<String> = [
        format!("pdq {}", picture[0]),
        format!("pdq {}", picture[1]),
        format!("video_md5 {}", picture[3]),
        format!("video_sha256 {}", picture[4]),
        format!("pdq {minor}"),
    ]
    .into();
    assert_eq!(pytx, want);

    let jsonl = export(&db, "jsonl");
    let parsed: Vec<Value> = jsonl
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), 7, "{jsonl:?}");
    assert!(!jsonl.iter().any(|l| l.contains(&withdrawn)));
    let minor_line = parsed
        .iter()
        .find(|v| v["value"] == minor.as_str())
        .unwrap();
    assert_eq!(minor_line["category"], "minor");
    let top = parsed
        .iter()
        .find(|v| v["value"] == picture[2].as_str())
        .unwrap();
    assert_eq!(
        (&top["role"], &top["label"]),
        (&json!("extra"), &json!("top80"))
    );

    // Into an empty bank: the same hashes, the minor one in a minor case.
    let copy = TestDb::sqlite();
    let out = import(&copy, &jsonl, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let mut again = export_released(&copy, "jsonl", jsonl.len());
    let mut first = jsonl.clone();
    let key = |l: &String| -> (String, String) {
        let v: Value = serde_json::from_str(l).unwrap();
        (v["value"].to_string(), v.to_string())
    };
    first.sort_by_key(key);
    again.sort_by_key(key);
    let strip = |lines: Vec<String>| -> Vec<Value> {
        lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    assert_eq!(strip(again), strip(first));
}

#[test]
fn python_threatexchange_and_hma_lists_import() {
    let db = TestDb::sqlite();
    let (a, b, c, d) = (random_pdq(), random_pdq(), random_pdq(), random_pdq());
    let md5 = random_hex(32);
    let sha = random_hex(64);
    let lines = vec![
        "# a python-threatexchange file".to_string(),
        format!("pdq {a}"),
        format!("video_md5 {md5}"),
        format!("video_sha256 {sha}"),
        "vpdq [\"x\"]".to_string(),
        "url https://example.org/".to_string(),
        json!({"id": 4, "signals": {"pdq": b, "video_md5": md5}}).to_string(),
        json!({"pdq": c}).to_string(),
        format!("{d},17"),
    ];
    // Without a quality for their PDQ hashes they are left out, and said.
    let out = import(&db, &lines, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("4 pdq hashes without a quality skipped"),
        "{said}"
    );
    assert!(said.contains("1 url") && said.contains("1 vpdq"), "{said}");
    let only = export_released(&db, "pytx", 2);
    assert_eq!(only.len(), 2, "the MD5 and SHA-256 only: {only:?}");

    let other = TestDb::sqlite();
    let out = import(&other, &lines, &["--pdq-quality", "90"]);
    assert!(out.status.success(), "{}", text(&out));
    let got: BTreeSet<String> = export_released(&other, "pytx", 6).into_iter().collect();
    let want: BTreeSet<String> = [
        format!("pdq {a}"),
        format!("pdq {b}"),
        format!("pdq {c}"),
        format!("pdq {d}"),
        format!("video_md5 {md5}"),
        format!("video_sha256 {sha}"),
    ]
    .into();
    assert_eq!(got, want);

    // A quality outside 50 to 100 is refused.
    let out = import(&TestDb::sqlite(), &lines, &["--pdq-quality", "20"]);
    assert!(!out.status.success());
}

#[test]
fn a_bad_line_is_named_and_nothing_is_imported() {
    for bad in [
        "pdq nothex".to_string(),
        "{\"kind\": \"pdq\", \"value\": 5}".to_string(),
        "{\"kind\": \"md5\", \"value\": \"00\", \"category\": \"adult\"}".to_string(),
        "{\"signals\": [1]}".to_string(),
        "Not a hash!".to_string(),
        "{broken".to_string(),
    ] {
        let db = TestDb::sqlite();
        let lines = vec![format!("video_md5 {}", random_hex(32)), bad.clone()];
        let out = import(&db, &lines, &["--pdq-quality", "90"]);
        assert!(!out.status.success(), "{bad}");
        let said = text(&out);
        assert!(
            said.contains("line 2") || said.contains("hash"),
            "{bad}: {said}"
        );
        // Nothing was imported: the database, if made, holds no hash.
        if db.file().unwrap().exists() {
            assert!(export(&db, "jsonl").is_empty(), "{bad}");
        }
    }
}
