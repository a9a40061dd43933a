//! `hashbank index build` and `hashbank index query`, run as a user would.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn hashbank(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hashbank"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hashbank runs");
    // The command may exit before reading its input (a refused file): a
    // broken pipe here is then expected.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("hashbank finishes")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("hashbank-cli-index-{}-{name}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const A: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

/// `A` with its last `bits` bits (at most 4) flipped.
fn near_a(bits: u32) -> String {
    let last = u8::from_str_radix(&A[63..], 16).unwrap() ^ ((1u8 << bits) - 1);
    format!("{}{:x}", &A[..63], last)
}

#[test]
fn build_then_query_with_ids_line_numbers_and_bad_lines() {
    let dir = temp_dir("basic");
    let list = dir.join("list.csv");
    let zero = "0".repeat(64);
    fs::write(
        &list,
        format!(
            "{A},1001\n\nnot-a-hash\n{zero}\n{},77\textra\n{zero},-5\n",
            near_a(3)
        ),
    )
    .unwrap();
    let out = dir.join("bank.hbi");
    let built = hashbank(
        &[
            "index",
            "build",
            "--out",
            out.to_str().unwrap(),
            list.to_str().unwrap(),
        ],
        "",
    );
    let stderr = text(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("list.csv:3:"), "{stderr}");
    assert!(
        stderr.contains("list.csv:6:") && stderr.contains("not an unsigned"),
        "{stderr}"
    );
    assert!(stderr.contains("indexed 3 hashes"), "{stderr}");

    let queried = hashbank(
        &["index", "query", out.to_str().unwrap()],
        &format!("{}\n{zero}\nxyz\n", near_a(1)),
    );
    assert_eq!(queried.status.code(), Some(1));
    assert!(text(&queried.stderr).contains("<stdin>:3:"));
    let lines: Vec<String> = text(&queried.stdout).lines().map(String::from).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        format!(
            "{{\"query\":\"{}\",\"matches\":[{{\"id\":1001,\"hash\":\"{A}\",\"distance\":1}},{{\"id\":77,\"hash\":\"{}\",\"distance\":2}}]}}",
            near_a(1),
            near_a(3)
        )
    );
    // The zero hash had no id column: its id is its line number, 4.
    assert!(lines[1].contains("\"id\":4,"), "{}", lines[1]);

    let nearest = hashbank(
        &[
            "index",
            "query",
            out.to_str().unwrap(),
            "--k",
            "1",
            "--radius",
            "256",
        ],
        &format!("{A}\n"),
    );
    assert_eq!(nearest.status.code(), Some(0));
    assert_eq!(text(&nearest.stdout).matches("\"id\"").count(), 1);
    assert!(text(&nearest.stdout).contains("\"id\":1001,"));
}

#[test]
fn stdin_lists_and_line_numbers_across_lists() {
    let dir = temp_dir("stdin");
    let out = dir.join("from-stdin.hbi");
    let zero = "0".repeat(64);
    let built = hashbank(
        &["index", "build", "--out", out.to_str().unwrap()],
        &format!("{A}\n{zero}\n"),
    );
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let queried = hashbank(
        &["index", "query", out.to_str().unwrap(), "--radius", "0"],
        &format!("{zero}\n"),
    );
    assert!(text(&queried.stdout).contains("\"id\":2,"));

    let first = dir.join("first.txt");
    let second = dir.join("second.txt");
    fs::write(&first, format!("{A}\n{A}\n")).unwrap();
    fs::write(&second, format!("{zero}\n")).unwrap();
    let out = dir.join("two.hbi");
    let built = hashbank(
        &[
            "index",
            "build",
            "--out",
            out.to_str().unwrap(),
            first.to_str().unwrap(),
            second.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(built.status.code(), Some(0));
    let queried = hashbank(
        &["index", "query", out.to_str().unwrap(), "--radius", "0"],
        &format!("{zero}\n"),
    );
    assert!(
        text(&queried.stdout).contains("\"id\":3,"),
        "{}",
        text(&queried.stdout)
    );
}

#[test]
fn refuses_a_file_that_is_not_an_index() {
    let dir = temp_dir("foreign");
    let path = dir.join("list.txt");
    fs::write(&path, format!("{A}\n")).unwrap();
    let queried = hashbank(
        &["index", "query", path.to_str().unwrap()],
        &format!("{A}\n"),
    );
    assert_eq!(queried.status.code(), Some(1));
    assert!(
        text(&queried.stderr).contains("not a hashbank index file"),
        "{}",
        text(&queried.stderr)
    );
    let usage = hashbank(&["index", "query"], "");
    assert_eq!(usage.status.code(), Some(2));
}

fn testdata(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/pdq")
        .join(relative);
    assert!(
        path.exists(),
        "conformance data missing: {}",
        path.display()
    );
    path
}

/// The reference needles and haystack through the command line: 250 pairs,
/// the haystack ids being the 1-based line numbers.
#[test]
fn needles_and_haystack_through_the_command_line() {
    let dir = temp_dir("conformance");
    let out = dir.join("haystack.hbi");
    let haystack = testdata("data/reg-test-input/haystack.txt");
    let built = hashbank(
        &[
            "index",
            "build",
            "--out",
            out.to_str().unwrap(),
            haystack.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let needles = fs::read_to_string(testdata("data/reg-test-input/needles.txt")).unwrap();
    let queried = hashbank(&["index", "query", out.to_str().unwrap()], &needles);
    assert_eq!(queried.status.code(), Some(0));
    let mut pairs = Vec::new();
    for (n, line) in text(&queried.stdout).lines().enumerate() {
        for part in line.split("{\"id\":").skip(1) {
            let id: usize = part.split(',').next().unwrap().parse().unwrap();
            let distance: u32 = part
                .split("\"distance\":")
                .nth(1)
                .unwrap()
                .trim_end_matches(['}', ']', ','])
                .parse()
                .unwrap();
            pairs.push(format!("{n},{},{distance}", id - 1));
        }
    }
    pairs.sort();
    let mut expected: Vec<String> =
        fs::read_to_string(testdata("expected/needles-vs-haystack-d31.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(String::from)
            .collect();
    expected.sort();
    assert_eq!(pairs, expected);
}
