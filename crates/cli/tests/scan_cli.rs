//! `hashbank scan` through the real binaries: a bank served over HTTP with
//! cases filed from the robustness originals as the victim's page files
//! them (the plain PDQ hash and the labelled extra hashes of
//! `media::robust`), a tree of altered copies (some plain PDQ finds, some
//! only the labelled hashes do), nested archives and hostile files, synced,
//! scanned, then a case withdrawn and the tree scanned again.

mod scan_support;
#[allow(dead_code)]
#[path = "serve/support.rs"]
mod support;

use std::path::{Path, PathBuf};

use scan_support::*;
use serde_json::{json, Value};
use support::{add_investigator, add_platform, Auth, Server, TestDb};

/// Originals filed as cases, and one that is not.
const DUCK: &str = "gc-farm-duck";
const KANGAROO: &str = "gc-world-kangaroo";
const LADYBIRD: &str = "mate-ladybird";
const TOUCAN: &str = "gc-erase-toucan";

/// The zip bomb: this many zero bytes in one entry (a few hundred KB zipped).
const BOMB_BYTES: usize = 200 << 20;

/// Archives nested this deep in the tree: deeper than the default limit.
const DEEP_LEVELS: usize = 10;

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn put(root: &Path, name: &str, bytes: &[u8]) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The tree scanned: copies plain PDQ finds, copies it does not, archives
/// nested in archives, and hostile files.
fn build_tree(root: &Path, hostile: bool) {
    put(root, "photos/duck.jpg", &read(original(DUCK)));
    put(
        root,
        "photos/duck_q70.jpg",
        &read(variant(DUCK, "jpeg_q70")),
    );
    put(
        root,
        "photos/kangaroo_small.jpg",
        &read(variant(KANGAROO, "scale_50")),
    );
    put(
        root,
        "photos/ladybird_turned.jpg",
        &read(variant(LADYBIRD, "rot_90")),
    );
    put(
        root,
        "photos/duck_cropped.jpg",
        &read(variant(DUCK, "crop_10")),
    );
    put(
        root,
        "photos/ladybird_captioned.jpg",
        &read(variant(LADYBIRD, "caption_20")),
    );
    put(root, "photos/toucan.jpg", &read(original(TOUCAN)));
    let deeper = zip_of(&[("kangaroo_q30.jpg", &read(variant(KANGAROO, "jpeg_q30")))]);
    let nested = zip_of(&[
        (
            "inner/ladybird_q70.jpg",
            &read(variant(LADYBIRD, "jpeg_q70")),
        ),
        ("readme.txt", b"holiday photos"),
        ("deeper.zip", &deeper),
    ]);
    put(root, "archives/nested.zip", &nested);
    let set = tar_gz_of(&[
        ("a/duck_scale50.jpg", &read(variant(DUCK, "scale_50"))),
        ("a/toucan_q70.jpg", &read(variant(TOUCAN, "jpeg_q70"))),
    ]);
    put(root, "archives/set.tar.gz", &set);
    if !hostile {
        return;
    }
    put(
        root,
        "archives/bomb.zip",
        &zip_bomb("zeros.jpg", BOMB_BYTES),
    );
    let traversal = zip_of(&[
        ("../../evil.jpg", &read(original(DUCK))),
        ("ok.jpg", &read(original(TOUCAN))),
    ]);
    put(root, "archives/traversal.zip", &traversal);
    put(
        root,
        "archives/deep.zip",
        &nested_zips(DEEP_LEVELS, &read(original(DUCK))),
    );
    let ladybird = read(original(LADYBIRD));
    put(
        root,
        "photos/broken.jpg",
        &ladybird[..ladybird.len() * 2 / 3],
    );
    put(root, "photos/notes.jpg", b"shopping list: milk, bread\n");
    put(root, "photos/huge.png", &png_claiming(100_000, 100_000));
    #[cfg(unix)]
    std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
}

/// A bank with three cases: the duck with its digests, the kangaroo in the
/// minor category, the ladybird.
struct Bank {
    _db: TestDb,
    server: Server,
    key: String,
    duck: Case,
    kangaroo: Case,
    ladybird: Case,
}

fn bank() -> Bank {
    let db = TestDb::sqlite();
    let key = add_platform(&db, "scanner-test");
    let server = Server::start(&db, &[]);
    let duck = file_case(&server, &original(DUCK), true, false);
    let kangaroo = file_case(&server, &original(KANGAROO), false, true);
    let ladybird = file_case(&server, &original(LADYBIRD), false, false);
    // The plain hash filed is the one `hashbank hash` gives.
    let plain = print_of(&original(DUCK)).pdq;
    let filed = bank_hash(&server, &duck, 0);
    assert_eq!(filed, plain);
    Bank {
        _db: db,
        server,
        key,
        duck,
        kangaroo,
        ladybird,
    }
}

/// The value of a case's hash `at` (filing order), as its owner sees it.
fn bank_hash(server: &Server, case: &Case, at: usize) -> String {
    let view = server.get(
        &format!("/v1/cases/{}", case.number),
        &Auth::Pin(case.pin.clone()),
    );
    assert_eq!(view.status, 200, "{:?}", view.body);
    let hashes = view.body["hashes"].as_array().unwrap();
    let hash = hashes
        .iter()
        .find(|h| h["hash_id"].as_u64() == Some(case.ids[at]))
        .unwrap_or_else(|| panic!("{:?}", view.body));
    hash["value"].as_str().unwrap().to_string()
}

/// What the tree matches: (path, case, label of the stored hash, label of
/// the file's hash). Every stored hash within its radius is a match of its
/// own (nothing tells which stored hashes come from one image), so a whole
/// copy matches the whole original and its top and bottom parts, and the
/// original without its borders when it has some (the duck).
fn expected(
    bank: &Bank,
    with_duck: bool,
) -> Vec<(&'static str, &Case, &'static str, &'static str)> {
    let whole = |path, case| {
        [
            (path, case, "pdq", "pdq"),
            (path, case, "top80", "top80"),
            (path, case, "bottom80", "bottom80"),
        ]
    };
    let mut out = Vec::new();
    out.extend(whole("photos/kangaroo_small.jpg", &bank.kangaroo));
    out.extend(whole(
        "archives/nested.zip!/deeper.zip!/kangaroo_q30.jpg",
        &bank.kangaroo,
    ));
    out.extend(whole(
        "archives/nested.zip!/inner/ladybird_q70.jpg",
        &bank.ladybird,
    ));
    out.extend([
        // Turned: the copy turned back, against the whole original.
        ("photos/ladybird_turned.jpg", &bank.ladybird, "pdq", "rot90"),
        // A caption over the bottom: the top parts meet.
        (
            "photos/ladybird_captioned.jpg",
            &bank.ladybird,
            "top80",
            "top80",
        ),
    ]);
    if with_duck {
        for path in [
            "photos/duck.jpg",
            "photos/duck_q70.jpg",
            "archives/set.tar.gz!/a/duck_scale50.jpg",
        ] {
            out.extend(whole(path, &bank.duck));
            out.extend([
                (path, &bank.duck, "trim", "trim"),
                (path, &bank.duck, "crop95", "pdq"),
            ]);
        }
        out.extend([
            ("photos/duck.jpg", &bank.duck, "md5", "md5"),
            ("photos/duck.jpg", &bank.duck, "sha256", "sha256"),
            // Cut to 90%: the whole copy against that part of the original.
            ("photos/duck_cropped.jpg", &bank.duck, "crop90", "pdq"),
        ]);
    }
    out
}

/// (path, hash id) of every expected match.
fn expected_matches(bank: &Bank, with_duck: bool) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = expected(bank, with_duck)
        .into_iter()
        .map(|(path, case, label, _)| (path.to_string(), case.id(label)))
        .collect();
    out.sort();
    out
}

/// (path, hash id, query label) of every match.
fn match_labels(scanned: &Scanned, root: &Path) -> Vec<(String, u64, String)> {
    let prefix = format!("{}/", root.display());
    let mut out: Vec<(String, u64, String)> = scanned
        .matches
        .iter()
        .map(|m| {
            (
                m["path"]
                    .as_str()
                    .unwrap()
                    .strip_prefix(&prefix)
                    .unwrap()
                    .to_string(),
                m["hash_id"].as_u64().unwrap(),
                m["query"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn expected_skips() -> Vec<(String, String)> {
    // The outer archive and seven inside it are opened; the eighth is too deep.
    let deep: String = (1..DEEP_LEVELS - 1)
        .map(|level| format!("!/d{level}.zip"))
        .collect();
    let mut out: Vec<(String, String)> = [
        ("archives/bomb.zip!/zeros.jpg", "archive_bomb"),
        ("archives/traversal.zip!/../../evil.jpg", "unsafe_name"),
        ("photos/broken.jpg", "corrupt"),
        ("photos/notes.jpg", "not_an_image"),
        ("photos/huge.png", "too_many_pixels"),
        ("loop", "link_loop"),
    ]
    .into_iter()
    .map(|(p, k)| (p.to_string(), k.to_string()))
    .chain([(format!("archives/deep.zip{deep}"), "too_deep".to_string())])
    .collect();
    out.sort();
    out
}

#[test]
fn a_tree_is_synced_scanned_and_a_withdrawal_reaches_it() {
    let bank = bank();
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    build_tree(&tree, true);
    let key = key_file(dir.path(), &bank.key);
    let file = dir.path().join("bank.hbl");
    let synced = sync(&bank.server.base, &key, &file, &[]);
    assert!(synced.status.success(), "{}", text(&synced));
    let filed = bank.duck.ids.len() + bank.kangaroo.ids.len() + bank.ladybird.ids.len();
    assert!(
        String::from_utf8_lossy(&synced.stdout).contains(&format!("{filed} added, 0 deleted")),
        "{}",
        text(&synced)
    );

    let csv = dir.path().join("out.csv");
    let html = dir.path().join("out.html");
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut args = vec![
            tree.display().to_string(),
            "--bank".into(),
            file.display().to_string(),
            "--follow-links".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let mut first = args(&["--investigate"]);
    first.extend([
        "--csv".into(),
        csv.display().to_string(),
        "--html".into(),
        html.display().to_string(),
    ]);
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let scanned = scan(&first);
    assert_eq!(scanned.code, 1, "{}", scanned.stderr);
    assert_eq!(match_set(&scanned, &tree), expected_matches(&bank, true));
    let mut labels: Vec<(String, u64, String)> = expected(&bank, true)
        .into_iter()
        .map(|(path, case, label, query)| (path.to_string(), case.id(label), query.to_string()))
        .collect();
    labels.sort();
    assert_eq!(match_labels(&scanned, &tree), labels);
    assert_eq!(skip_set(&scanned, &tree), expected_skips());
    // Minor first, with its category.
    assert_eq!(scanned.matches[0]["category"], json!("minor"));
    let first = scanned.matches[0]["hash_id"].as_u64().unwrap();
    assert!(bank.kangaroo.ids.contains(&first));
    let exact = scanned
        .matches
        .iter()
        .find(|m| m["hash_id"] == json!(bank.duck.id("md5")))
        .unwrap();
    assert_eq!(
        (&exact["kind"], &exact["distance"], &exact["role"]),
        (&json!("md5"), &json!(0), &json!("plain"))
    );
    assert_eq!(exact["evidence"], json!("pair"));
    // A crop found by the extra hash of the same part of the original.
    let cropped = scanned
        .matches
        .iter()
        .find(|m| m["path"].as_str().unwrap().ends_with("duck_cropped.jpg"))
        .unwrap();
    assert_eq!(
        (&cropped["role"], &cropped["query"], &cropped["evidence"]),
        (&json!("extra"), &json!("pdq"), &json!("pair"))
    );
    assert!(cropped["distance"].as_u64().unwrap() <= 31);
    // The investigator's view: per bank hash, its files.
    let duck_group = scanned
        .groups
        .iter()
        .map(|g| &g["investigate"])
        .find(|g| g["hash_id"] == json!(bank.duck.ids[0]))
        .unwrap();
    assert_eq!(duck_group["files"], json!(3));
    assert_eq!(scanned.groups[0]["investigate"]["category"], json!("minor"));
    assert_eq!(scanned.groups[0]["investigate"]["files"], json!(2));
    assert!(scanned.stderr.contains("skipped 7:"), "{}", scanned.stderr);
    assert!(
        scanned.stderr.contains("archive_bomb 1"),
        "{}",
        scanned.stderr
    );
    // The same in CSV and in the report page, which holds no image.
    let csv = std::fs::read_to_string(&csv).unwrap();
    let hashes: std::collections::BTreeSet<u64> = expected_matches(&bank, true)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let matches = expected(&bank, true).len();
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("match,")).count(),
        matches
    );
    assert_eq!(csv.lines().filter(|l| l.starts_with("skip,")).count(), 7);
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("group,")).count(),
        hashes.len()
    );
    assert!(csv.starts_with("record,path,hash_id,kind,role,distance,query,evidence,"));
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("archives/nested.zip!/deeper.zip!/kangaroo_q30.jpg"));
    assert!(html.contains("../../evil.jpg") && html.contains("By bank hash"));
    assert!(!html.contains("<img") && !html.contains("base64"));

    // Withdrawn: the next sync deletes the duck's hashes, its matches go.
    let withdrawn = bank.server.post(
        &format!("/v1/cases/{}/withdraw", bank.duck.number),
        &Auth::Pin(bank.duck.pin.clone()),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 200, "{:?}", withdrawn.body);
    let again = sync(&bank.server.base, &key, &file, &[]);
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains(&format!("0 added, {} deleted", bank.duck.ids.len())),
        "{}",
        text(&again)
    );
    let args = args(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let rescanned = scan(&args);
    assert_eq!(rescanned.code, 1, "{}", rescanned.stderr);
    assert_eq!(match_set(&rescanned, &tree), expected_matches(&bank, false));
    assert_eq!(skip_set(&rescanned, &tree), expected_skips());
}

#[test]
fn the_match_api_finds_the_same_and_reports_reach_the_case() {
    let bank = bank();
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    build_tree(&tree, false);
    let key = key_file(dir.path(), &bank.key);
    let key = key.to_str().unwrap();
    let file = dir.path().join("bank.hbl");
    assert!(sync(&bank.server.base, Path::new(key), &file, &[])
        .status
        .success());
    let root = tree.to_str().unwrap();
    let by_file = scan(&[root, "--bank", file.to_str().unwrap()]);
    let by_api = scan(&[root, "--bank", &bank.server.base, "--key-file", key]);
    assert_eq!(by_api.code, 1, "{}", by_api.stderr);
    assert_eq!(match_set(&by_api, &tree), match_set(&by_file, &tree));
    assert_eq!(match_set(&by_api, &tree), expected_matches(&bank, true));
    // Without a key the URL is refused, before any scanning.
    let keyless = scan(&[root, "--bank", &bank.server.base]);
    assert_eq!(keyless.code, 2);
    assert!(keyless.stderr.contains("--key-file"), "{}", keyless.stderr);

    // Reports: one per match, seen by the case's owner.
    let reported = scan(&[
        root,
        "--bank",
        file.to_str().unwrap(),
        "--report-to",
        &bank.server.base,
        "--key-file",
        key,
        "--content-ref-prefix",
        "seized-2031/",
    ]);
    assert_eq!(reported.code, 1, "{}", reported.stderr);
    let expected = expected(&bank, true);
    assert!(
        reported
            .stderr
            .contains(&format!("{} matches reported", expected.len())),
        "{}",
        reported.stderr
    );
    for case in [&bank.duck, &bank.kangaroo, &bank.ladybird] {
        // The owner sees pieces of content: a file that matched several
        // of her hashes is one match.
        let reports = expected
            .iter()
            .filter(|(_, c, _, _)| c.number == case.number)
            .map(|(path, _, _, _)| *path)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let view = bank.server.get(
            &format!("/v1/cases/{}", case.number),
            &Auth::Pin(case.pin.clone()),
        );
        assert_eq!(view.status, 200, "{:?}", view.body);
        assert_eq!(view.body["platforms"][0]["platform"], json!("scanner-test"));
        assert_eq!(
            view.body["platforms"][0]["matches_reported"],
            json!(reports),
            "{:?}",
            view.body
        );
        // The owner sees that it was found, not where.
        assert!(!view.body.to_string().contains("seized-2031"));
    }
    // The key never shows.
    for out in [&by_api.stderr, &reported.stderr] {
        assert!(!out.contains(&bank.key));
    }

    // Statements of reasons: scanned again, each match keeps its report,
    // which has none until its outcome is a removal.
    let statements = dir.path().join("statements.jsonl");
    let with_statements = |prefix: &str| {
        scan(&[
            root,
            "--bank",
            file.to_str().unwrap(),
            "--report-to",
            &bank.server.base,
            "--key-file",
            key,
            "--content-ref-prefix",
            prefix,
            "--statements",
            statements.to_str().unwrap(),
        ])
    };
    let lines = |path: &Path| -> Vec<Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let again = with_statements("seized-2031/");
    assert_eq!(again.code, 1, "{}", again.stderr);
    let n = expected.len();
    assert!(
        again.stderr.contains(&format!("{n} matches reported"))
            && again.stderr.contains(&format!("({n} by an earlier scan)"))
            && again.stderr.contains("0 statements of reasons written"),
        "{}",
        again.stderr
    );
    let waiting = lines(&statements);
    assert_eq!(waiting.len(), n);
    assert!(waiting
        .iter()
        .all(|l| l["missing"].as_str().unwrap().contains("no removal")));
    let settings = json!({"decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
                          "ground": "Terms 4.2", "explanation": "Shared without consent."});
    let platform = Auth::Key(bank.key.clone());
    let answer = bank
        .server
        .send("PUT", "/v1/statement-settings", &platform, Some(&settings));
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    for line in &waiting {
        let answer = bank.server.post(
            &format!("/v1/reports/{}/outcome", line["report_id"]),
            &platform,
            &json!({"outcome": "removed", "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
                    "content_type": "CONTENT_TYPE_IMAGE"}),
        );
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }
    let done = with_statements("seized-2031/");
    assert!(
        done.stderr
            .contains(&format!("{n} statements of reasons written")),
        "{}",
        done.stderr
    );
    let drafted = lines(&statements);
    assert_eq!(drafted.len(), n);
    for line in &drafted {
        let statement = &line["statement"];
        let path = line["path"].as_str().unwrap();
        assert_eq!(
            statement["puid"],
            json!(hashbank_bank::puid_of(&format!("seized-2031/{path}")))
        );
        assert_eq!(statement["incompatible_content_ground"], json!("Terms 4.2"));
        assert_eq!(statement["automated_detection"], json!("Yes"));
        // No path, no case number in the statement.
        let text = statement.to_string();
        assert!(
            !text.contains("seized-2031") && !text.contains(path),
            "{text}"
        );
        for case in [&bank.duck, &bank.kangaroo, &bank.ladybird] {
            assert!(!text.contains(&case.number));
        }
    }
    // An investigator: a find per matched bank hash, on each case's page.
    let unit = add_investigator(&bank._db, "fccu-test");
    std::fs::create_dir(dir.path().join("unit")).unwrap();
    let unit_key = key_file(&dir.path().join("unit"), &unit);
    let unit_key = unit_key.to_str().unwrap();
    let investigate = |extra: &[&str]| {
        let mut args = vec![
            root,
            "--bank",
            &bank.server.base,
            "--key-file",
            unit_key,
            "--report-to",
            &bank.server.base,
        ];
        args.extend_from_slice(extra);
        scan(&args)
    };
    let no_reference = investigate(&["--as-investigator"]);
    assert_eq!(no_reference.code, 2, "{}", no_reference.stderr);
    let found = investigate(&[
        "--as-investigator",
        "--reference",
        "PV-2026-123",
        "--found-on",
        "2026-12-01",
    ]);
    assert_eq!(found.code, 1, "{}", found.stderr);
    let hashes: std::collections::BTreeSet<u64> = expected
        .iter()
        .map(|(_, case, label, _)| case.id(label))
        .collect();
    assert!(
        found
            .stderr
            .contains(&format!("{} finds filed", hashes.len())),
        "{}",
        found.stderr
    );
    for case in [&bank.duck, &bank.kangaroo, &bank.ladybird] {
        let view = bank.server.get(
            &format!("/v1/cases/{}", case.number),
            &Auth::Pin(case.pin.clone()),
        );
        let finds = &view.body["finds"];
        assert_eq!(finds[0]["unit"], json!("fccu-test"), "{finds}");
        assert_eq!(finds[0]["reference"], json!("PV-2026-123"));
        assert_eq!(finds[0]["found_on"], json!("2026-12-01"));
        assert!(finds[0]["files"].as_u64().unwrap() >= 1);
    }
    // A platform's key files no finds.
    let refused = scan(&[
        root,
        "--bank",
        &bank.server.base,
        "--key-file",
        key,
        "--report-to",
        &bank.server.base,
        "--as-investigator",
        "--reference",
        "PV-1",
    ]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("403"), "{}", refused.stderr);

    // --statements needs --report-to.
    let alone = scan(&[
        root,
        "--bank",
        file.to_str().unwrap(),
        "--statements",
        "x.jsonl",
    ]);
    assert_eq!(alone.code, 2, "{}", alone.stderr);
}

#[test]
fn exit_codes_say_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean");
    put(&clean, "toucan.jpg", &read(original(TOUCAN)));
    put(&clean, "notes.jpg", b"not an image");
    let empty = dir.path().join("empty.hbl");
    let mut bank = hashbank_scan::LocalBank::new("http://127.0.0.1:9");
    bank.apply(&[], 0);
    bank.save(&empty).unwrap();
    let clean_root = clean.to_str().unwrap();
    // Nothing matched; a skipped file is not an error.
    let scanned = scan(&[clean_root, "--bank", empty.to_str().unwrap()]);
    assert_eq!(scanned.code, 0, "{}", scanned.stderr);
    assert_eq!(scanned.skips.len(), 1);
    assert!(scanned.stderr.contains("2 files"), "{}", scanned.stderr);
    // A bank file that is damaged, missing or not a bank file.
    let damaged = dir.path().join("damaged.hbl");
    let bytes = std::fs::read(&empty).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() - 5]).unwrap();
    let scanned = scan(&[clean_root, "--bank", damaged.to_str().unwrap()]);
    assert_eq!(scanned.code, 2);
    assert!(
        scanned.stderr.contains("damaged.hbl: truncated"),
        "{}",
        scanned.stderr
    );
    assert!(scanned.stderr.contains("--rebuild"), "{}", scanned.stderr);
    let missing = scan(&[clean_root, "--bank", "/nonexistent/bank.hbl"]);
    assert_eq!(missing.code, 2);
    let foreign = scan(&[
        clean_root,
        "--bank",
        clean.join("notes.jpg").to_str().unwrap(),
    ]);
    assert_eq!(foreign.code, 2);
    assert!(
        foreign.stderr.contains("not a hashbank bank file"),
        "{}",
        foreign.stderr
    );
    // A path that is not there, and a bad argument.
    let typo = scan(&["/nonexistent/folder", "--bank", empty.to_str().unwrap()]);
    assert_eq!(typo.code, 2);
    let usage = scan(&[
        clean_root,
        "--bank",
        empty.to_str().unwrap(),
        "--max-depth",
        "deep",
    ]);
    assert_eq!(usage.code, 2);
    // The bank unreachable: an error, not a clean result.
    let key = key_file(dir.path(), "hbk_x.y");
    let down = scan(&[
        clean_root,
        "--bank",
        "http://127.0.0.1:9",
        "--key-file",
        key.to_str().unwrap(),
    ]);
    assert_eq!(down.code, 2, "{}", down.stderr);
    assert!(
        down.stderr.contains("cannot reach the bank"),
        "{}",
        down.stderr
    );
}
