//! `hashbank hash` end to end: the real binary on real files.

mod hash_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hash_support::{hashbank, lines, scratch};

fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    assert!(
        dir.join("pdq/expected").is_dir(),
        "test data not found at {}: the tests need ../shared/testdata beside the workspace",
        dir.display()
    );
    dir
}

#[test]
fn folder_gives_one_json_line_per_image_matching_the_reference() {
    let dir = testdata().join("pdq/data/bridge-mods");
    let out = hashbank(&["hash", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = lines(&out);
    assert_eq!(records.len(), 12);
    let expected =
        std::fs::read_to_string(testdata().join("pdq/expected/pdqhash-pil-rgb-fullres.csv"))
            .unwrap();
    for r in &records {
        let path = r["path"].as_str().unwrap();
        let name = Path::new(path).file_name().unwrap().to_str().unwrap();
        let want = expected
            .lines()
            .find(|l| l.ends_with(&format!("bridge-mods/{name}")))
            .unwrap();
        let want_hash: pdq::Hash256 = want.split(',').next().unwrap().parse().unwrap();
        let got: pdq::Hash256 = r["pdq"].as_str().unwrap().parse().unwrap();
        assert!(got.distance(&want_hash) <= 2, "{path}");
        for key in ["quality", "width", "height"] {
            assert!(r[key].is_u64(), "{key} in {r}");
        }
        assert_eq!(r["md5"].as_str().unwrap().len(), 32);
        assert_eq!(r["sha256"].as_str().unwrap().len(), 64);
    }
    // Sorted walk order, so output is reproducible.
    let paths: Vec<&str> = records
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn digests_are_of_the_file_bytes() {
    let file = testdata().join("pdq/data/misc-images/c.png");
    let out = hashbank(&["hash", file.to_str().unwrap()]);
    let r = &lines(&out)[0];
    let bytes = std::fs::read(&file).unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let md5: String = md5::Md5::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(r["sha256"], sha.as_str());
    assert_eq!(r["md5"], md5.as_str());
}

#[test]
fn failures_are_reported_and_do_not_stop_the_run() {
    let dir = scratch("failures");
    std::fs::copy(
        testdata().join("pdq/data/misc-images/c.png"),
        dir.join("a-good.png"),
    )
    .unwrap();
    std::fs::write(dir.join("b-text.jpg"), "not an image").unwrap();
    std::fs::write(dir.join("c-empty.png"), "").unwrap();
    std::fs::write(dir.join("d-notes.txt"), "skipped: not an image extension").unwrap();
    std::fs::copy(
        testdata().join("pdq/data/misc-images/wee.jpg"),
        dir.join("e-good.jpg"),
    )
    .unwrap();
    let out = hashbank(&["hash", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let records = lines(&out);
    let names: Vec<String> = records
        .iter()
        .map(|r| {
            Path::new(r["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["a-good.png", "b-text.jpg", "c-empty.png", "e-good.jpg"]
    );
    assert!(records[0]["pdq"].is_string());
    assert!(records[1]["error"]
        .as_str()
        .unwrap()
        .contains("not an image"));
    assert!(records[2]["error"].as_str().unwrap().contains("empty"));
    assert!(records[3]["pdq"].is_string());

    // --all-files takes the .txt too; a missing path is a failure record.
    let out = hashbank(&[
        "hash",
        "--all-files",
        dir.to_str().unwrap(),
        "/nonexistent/x.jpg",
    ]);
    let records = lines(&out);
    assert_eq!(records.len(), 6);
    assert!(records[5]["error"]
        .as_str()
        .unwrap()
        .contains("cannot read"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(hashbank(&["hash"]).status.code(), Some(2));
    assert_eq!(
        hashbank(&["hash", "--format", "xml", "x"]).status.code(),
        Some(2)
    );
}

#[test]
fn csv_text_dihedral_and_fast() {
    let file = testdata().join("pdq/data/reg-test-input/dih/bridge-1-original.jpg");
    let f = file.to_str().unwrap();
    let out = hashbank(&["hash", "--format", "csv", "--dihedral", f]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = text.lines();
    assert_eq!(
        rows.next().unwrap(),
        "path,pdq,quality,md5,sha256,width,height,orig,rot90,rot180,rot270,flipx,flipy,flipplus1,flipminus1,frame,timestamp,error"
    );
    let row: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(row.len(), 18);
    assert_eq!(row[1], row[7], "orig equals the plain hash");

    let json = lines(&hashbank(&["hash", "--dihedral", f]));
    let rot90: pdq::Hash256 = json[0]["dihedral"]["rot90"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // The physically rotated file lands near the rot90 variant.
    let turned = testdata().join("pdq/data/reg-test-input/dih/bridge-2-rotate-90.jpg");
    let turned = lines(&hashbank(&["hash", turned.to_str().unwrap()]));
    let turned: pdq::Hash256 = turned[0]["pdq"].as_str().unwrap().parse().unwrap();
    assert!(rot90.distance(&turned) <= 31);

    let text = String::from_utf8(hashbank(&["hash", "--format", "text", f]).stdout).unwrap();
    assert!(text.lines().nth(1).unwrap().contains("1600x1004"), "{text}");

    let canonical: pdq::Hash256 = json[0]["pdq"].as_str().unwrap().parse().unwrap();
    let fast = lines(&hashbank(&["hash", "--fast", f]));
    let fast_hash: pdq::Hash256 = fast[0]["pdq"].as_str().unwrap().parse().unwrap();
    assert!(fast_hash.distance(&canonical) <= 8);
    assert_eq!(fast[0]["width"], 1600, "fast reports the file's own size");
}

#[test]
fn limits_are_settable() {
    let file = testdata().join("pdq/data/reg-test-input/dih/bridge-1-original.jpg");
    let out = hashbank(&["hash", "--max-pixels", "1000", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(lines(&out)[0]["error"]
        .as_str()
        .unwrap()
        .contains("over the limit of 1000 pixels"));
    let out = hashbank(&["hash", "--max-file-size", "10", file.to_str().unwrap()]);
    assert!(lines(&out)[0]["error"]
        .as_str()
        .unwrap()
        .contains("over the limit of 10 bytes"));
}

#[cfg(unix)]
#[test]
fn links_are_not_followed_unless_asked() {
    let dir = scratch("links");
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::copy(
        testdata().join("pdq/data/misc-images/c.png"),
        dir.join("sub/c.png"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.join("sub/c.png"), dir.join("link.png")).unwrap();
    // A loop: sub/back -> dir.
    std::os::unix::fs::symlink(&dir, dir.join("sub/back")).unwrap();
    let out = hashbank(&["hash", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out).len(), 1);
    let out = hashbank(&["hash", "--follow-links", dir.to_str().unwrap()]);
    let records = lines(&out);
    assert!(
        records.iter().filter(|r| r["pdq"].is_string()).count() == 2,
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r["error"].as_str().is_some_and(|e| e.contains("loop"))),
        "{records:?}"
    );
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_print_apart() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("non-utf8");
    let source = testdata().join("pdq/data/bridge-mods");
    let image = std::fs::read_dir(&source)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "jpg"))
        .unwrap();
    // A lossy conversion prints all three as "caf\u{fffd}.jpg".
    for name in [
        &b"caf\xe9.jpg"[..],
        b"caf\xe8.jpg",
        "caf\u{fffd}.jpg".as_bytes(),
    ] {
        std::fs::copy(&image, dir.join(OsStr::from_bytes(name))).unwrap();
    }
    let out = hashbank(&["hash", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let mut names: Vec<String> = lines(&out)
        .iter()
        .map(|r| {
            let path = r["path"].as_str().unwrap();
            path.rsplit('/').next().unwrap().to_string()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["caf\\xE8.jpg", "caf\\xE9.jpg", "caf\u{fffd}.jpg"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PNG of `width` x `height` 16-bit RGBA pixels, a gradient that
/// compresses to a few megabytes, written row by row.
fn huge_png(path: &Path, width: u32, height: u32) {
    use std::io::Write;
    let mut row = vec![0u8; 1 + width as usize * 8];
    for (i, v) in row[1..].iter_mut().enumerate() {
        *v = (i % 251) as u8;
    }
    let mut idat = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    for _ in 0..height {
        idat.write_all(&row).unwrap();
    }
    let idat = idat.finish().unwrap();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [
        (b"IHDR", &ihdr[..]),
        (b"IDAT", &idat[..]),
        (b"IEND", &[][..]),
    ] {
        file.extend_from_slice(&(body.len() as u32).to_be_bytes());
        let start = file.len();
        file.extend_from_slice(kind);
        file.extend_from_slice(body);
        let crc = crc32fast::hash(&file[start..]);
        file.extend_from_slice(&crc.to_be_bytes());
    }
    std::fs::write(path, file).unwrap();
}

/// Runs hashbank and returns its output and its peak resident memory in
/// bytes.
#[cfg(target_os = "linux")]
// The child's peak memory comes from wait4(2), through libc.
#[allow(unsafe_code)]
fn hashbank_peak(args: &[&str]) -> (Output, u64) {
    use std::os::unix::process::ExitStatusExt;
    let child = Command::new(env!("CARGO_BIN_EXE_hashbank"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let reader = std::thread::spawn(move || {
        let mut child = child;
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        use std::io::Read;
        child
            .stdout
            .take()
            .unwrap()
            .read_to_end(&mut stdout)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_end(&mut stderr)
            .unwrap();
        (stdout, stderr)
    });
    let (stdout, stderr) = reader.join().unwrap();
    let mut status = 0;
    // SAFETY: wait4 fills `status` and `usage` for our own child, which
    // nothing else waits for (the Child handle was moved and dropped
    // without a wait).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout,
        stderr,
    };
    (output, usage.ru_maxrss as u64 * 1024)
}

#[cfg(target_os = "linux")]
#[test]
fn a_small_file_of_a_huge_16_bit_image_is_hashed_in_bounded_memory() {
    // 100 megapixels of 16-bit RGBA (800 MB as stored) in a few MB: decoded
    // whole it would take 800 MB, then more to scale it to 8 bits. Row by
    // row, only the 8-bit RGB pixels are held (300 MB).
    let dir = scratch("huge-png");
    let one = dir.join("one.png");
    huge_png(&one, 10_000, 10_000);
    assert!(std::fs::metadata(&one).unwrap().len() < 8 << 20);
    std::fs::copy(&one, dir.join("two.png")).unwrap();
    let (out, peak) = hashbank_peak(&["hash", "--jobs", "2", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = lines(&out);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["width"], 10_000);
    assert_eq!(records[0]["pdq"], records[1]["pdq"]);
    // Two such images at once, or one decoded at 16 bits, would pass 600 MB.
    assert!(peak < 500 << 20, "peak resident memory {} MB", peak >> 20);
    let _ = std::fs::remove_dir_all(&dir);
}
