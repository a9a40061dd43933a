//! Videos through `hashbank sync` and `hashbank scan`, with the real
//! binaries, a real server and FFmpeg: a video filed in a case reaches the
//! local bank file; a scan finds, in folders and inside archives, another
//! copy of it (matched whole, with the shares), a still of it (at the
//! video's moment), a video that shows a banked picture (at the file's
//! moments), and tells which frames matched at which timestamps; unrelated
//! and broken videos do not match, and the bank's match API finds the same.

mod scan_support;
#[allow(dead_code)]
#[path = "serve/support.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use scan_support::*;
use serde_json::{json, Value};
use support::{add_platform, Server, TestDb};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/vpdq/videos")
        .join(name)
}

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed (apt-get install ffmpeg)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `hashbank hash` of one file: its one JSON record.
fn hash_record(path: &Path) -> Value {
    let out = hashbank(&["hash", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let line = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(line.lines().next().unwrap()).unwrap()
}

/// A video's record in the reference's text form.
fn vpdq_text(record: &Value) -> String {
    record["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{},{},{},{:.3}\n",
                f["frame"],
                f["quality"],
                f["pdq"].as_str().unwrap(),
                f["timestamp"].as_f64().unwrap()
            )
        })
        .collect()
}

fn matches_of<'a>(scanned: &'a Scanned, file: &str) -> Vec<&'a Value> {
    scanned
        .matches
        .iter()
        .filter(|m| m["path"].as_str().unwrap().ends_with(file))
        .collect()
}

/// A scan of `seized` through the bank's match API finds what `by_file`
/// (a scan against the local bank file) found.
fn api_finds_the_same(server: &Server, key_path: &Path, seized: &Path, by_file: &Scanned) {
    let by_api = scan(&[
        seized.to_str().unwrap(),
        "--bank",
        &server.base,
        "--key-file",
        key_path.to_str().unwrap(),
    ]);
    assert_eq!(
        match_set(&by_api, seized),
        match_set(by_file, seized),
        "{}",
        by_api.stderr
    );
}

#[test]
fn scans_find_videos_whole_by_a_still_and_showing_a_picture() {
    let dir = tempfile::tempdir().unwrap();
    let seized = dir.path().join("seized");
    std::fs::create_dir(&seized).unwrap();
    let chair = sample("chair-orig-22-sd-bar.mp4");
    let pattern = sample("pattern-hd-no-bar.mp4");

    // The bank: the chair film (its vPDQ hash), and a still of the pattern
    // film filed as a picture.
    let still_of_pattern = dir.path().join("pattern-still.png");
    ffmpeg(&[
        "-ss",
        "3",
        "-i",
        pattern.to_str().unwrap(),
        "-frames:v",
        "1",
        still_of_pattern.to_str().unwrap(),
    ]);
    let film = hash_record(&chair);
    assert_eq!(film["kind"], "video");
    let picture = hash_record(&still_of_pattern);
    let db = TestDb::sqlite();
    let key = add_platform(&db, "host");
    let server = Server::start(&db, &[]);
    let (_, _, created) = server.create_case(
        json!([
            {"kind": "vpdq", "value": vpdq_text(&film)},
            {"kind": "md5", "value": film["md5"]},
            {"kind": "pdq", "value": picture["pdq"], "quality": picture["quality"]},
        ]),
        false,
    );
    let film_id = created["hashes"][0]["hash_id"].as_u64().unwrap();
    let film_md5_id = created["hashes"][1]["hash_id"].as_u64().unwrap();
    let picture_id = created["hashes"][2]["hash_id"].as_u64().unwrap();

    // The copy a platform keeps holds the video.
    let key_path = key_file(dir.path(), &key);
    let bank = dir.path().join("bank.hbl");
    let synced = sync(&server.base, &key_path, &bank, &[]);
    assert!(synced.status.success(), "{}", text(&synced));
    assert!(text(&synced).contains("1 videos"), "{}", text(&synced));

    // The seized folder.
    std::fs::copy(sample("chair-20-sd-bar.mp4"), seized.join("copy.mp4")).unwrap();
    ffmpeg(&[
        "-ss",
        "5",
        "-i",
        chair.to_str().unwrap(),
        "-frames:v",
        "1",
        seized.join("still.png").to_str().unwrap(),
    ]);
    std::fs::copy(&pattern, seized.join("shows-the-picture.mp4")).unwrap();
    let chair_bytes = std::fs::read(&chair).unwrap();
    std::fs::write(
        seized.join("clips.zip"),
        zip_of(&[("inner/film.mp4", &chair_bytes)]),
    )
    .unwrap();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=10",
        "-t",
        "4",
        "-pix_fmt",
        "yuv420p",
        seized.join("unrelated.mp4").to_str().unwrap(),
    ]);
    let mut broken = chair_bytes[..4096].to_vec();
    broken.extend(std::iter::repeat_n(0u8, 4096));
    std::fs::write(seized.join("broken.mp4"), broken).unwrap();

    let root = seized.to_str().unwrap();
    let by_file = scan(&[root, "--bank", bank.to_str().unwrap()]);
    assert_eq!(by_file.code, 1, "{}", by_file.stderr);

    // Another copy of the film: matched whole, with the shares and the
    // moments in both videos.
    let copy = matches_of(&by_file, "/copy.mp4");
    assert_eq!(copy.len(), 1, "{:?}", by_file.matches);
    assert_eq!(copy[0]["hash_id"].as_u64(), Some(film_id));
    assert_eq!(copy[0]["kind"], "vpdq");
    assert_eq!(copy[0]["query"], "vpdq");
    assert!(
        copy[0]["shares"]["query"].as_f64().unwrap() >= 0.8,
        "{}",
        copy[0]
    );
    let frames = copy[0]["frames"].as_array().unwrap();
    assert!(frames.len() >= 10, "{}", copy[0]);
    assert!(frames.iter().all(|f| f["query"]["timestamp"].is_number()
        && f["stored"]["timestamp"].is_number()
        && f["distance"].as_u64().unwrap() <= 31));

    // A still of it: found at the film's moment near 5 s.
    let still = matches_of(&by_file, "/still.png");
    assert_eq!(still.len(), 1, "{:?}", by_file.matches);
    assert_eq!(still[0]["hash_id"].as_u64(), Some(film_id));
    let at = still[0]["frames"][0]["stored"]["timestamp"]
        .as_f64()
        .unwrap();
    assert!((3.0..=7.0).contains(&at), "{}", still[0]);

    // A video that shows the banked picture: found at its own moments.
    let shows = matches_of(&by_file, "/shows-the-picture.mp4");
    assert_eq!(shows.len(), 1, "{:?}", by_file.matches);
    assert_eq!(shows[0]["hash_id"].as_u64(), Some(picture_id));
    assert_eq!(shows[0]["kind"], "pdq");
    let moments: Vec<f64> = shows[0]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["query"]["timestamp"].as_f64().unwrap())
        .collect();
    assert!(
        moments.iter().any(|t| (2.0..=4.0).contains(t)),
        "{moments:?}"
    );

    // Inside an archive: the film itself, whole and by its MD5.
    let inner: BTreeSet<u64> = matches_of(&by_file, "clips.zip!/inner/film.mp4")
        .iter()
        .map(|m| m["hash_id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        inner,
        BTreeSet::from([film_id, film_md5_id]),
        "{:?}",
        by_file.matches
    );

    // Unrelated and broken videos: no match; the broken one skipped.
    assert!(matches_of(&by_file, "/unrelated.mp4").is_empty());
    assert!(matches_of(&by_file, "/broken.mp4").is_empty());
    let skipped: Vec<&Value> = by_file
        .skips
        .iter()
        .filter(|s| s["path"].as_str().unwrap().ends_with("/broken.mp4"))
        .collect();
    assert_eq!(skipped.len(), 1, "{:?}", by_file.skips);

    // The bank's match API finds the same files.
    api_finds_the_same(&server, &key_path, &seized, &by_file);

    // CSV gives the moments in a column.
    let csv = hashbank(&[
        "scan",
        "--no-progress",
        root,
        "--bank",
        bank.to_str().unwrap(),
        "--csv",
        dir.path().join("out.csv").to_str().unwrap(),
    ]);
    assert_eq!(csv.status.code(), Some(1), "{}", text(&csv));
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",moments"));
    let row = csv.lines().find(|l| l.contains("still.png")).unwrap();
    assert!(row.contains("bank ") && row.contains(" s"), "{row}");
}

/// An animated GIF or WebP is matched as a picture and as a video: a GIF
/// and a WebP made from a banked film are found whole (with the shares),
/// once each, though their first frames are stills of it too; an unrelated
/// still GIF is a picture only and matches nothing.
#[test]
fn scans_match_animated_pictures_as_videos() {
    let dir = tempfile::tempdir().unwrap();
    let seized = dir.path().join("seized");
    std::fs::create_dir(&seized).unwrap();
    let film_path = dir.path().join("film.mp4");
    let film_file = film_path.to_str().unwrap();
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=10",
        "-t",
        "6",
        "-pix_fmt",
        "yuv420p",
        film_file,
    ]);
    let film = hash_record(&film_path);
    let db = TestDb::sqlite();
    let key = add_platform(&db, "host");
    let server = Server::start(&db, &[]);
    let (_, _, created) =
        server.create_case(json!([{"kind": "vpdq", "value": vpdq_text(&film)}]), false);
    let film_id = created["hashes"][0]["hash_id"].as_u64().unwrap();

    ffmpeg(&["-i", film_file, seized.join("film.gif").to_str().unwrap()]);
    ffmpeg(&[
        "-i",
        film_file,
        "-c:v",
        "libwebp_anim",
        "-loop",
        "0",
        seized.join("film.webp").to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "mandelbrot=size=160x120",
        "-frames:v",
        "1",
        seized.join("still.gif").to_str().unwrap(),
    ]);

    let key_path = key_file(dir.path(), &key);
    let bank = dir.path().join("bank.hbl");
    let synced = sync(&server.base, &key_path, &bank, &[]);
    assert!(text(&synced).contains("1 videos"), "{}", text(&synced));

    let root = seized.to_str().unwrap();
    let by_file = scan(&[root, "--bank", bank.to_str().unwrap()]);
    assert_eq!(by_file.code, 1, "{}", by_file.stderr);
    for name in ["/film.gif", "/film.webp"] {
        let found = matches_of(&by_file, name);
        assert_eq!(found.len(), 1, "{name}: {:?}", by_file.matches);
        assert_eq!(found[0]["hash_id"].as_u64(), Some(film_id));
        assert_eq!(found[0]["query"], "vpdq", "{}", found[0]);
        assert!(
            found[0]["shares"]["query"].as_f64().unwrap() >= 0.8,
            "{}",
            found[0]
        );
    }
    assert!(matches_of(&by_file, "/still.gif").is_empty());
    assert!(by_file.skips.is_empty(), "{:?}", by_file.skips);
    assert!(
        by_file
            .stderr
            .contains("3 images (2 animated, matched as videos too) and 0 videos hashed"),
        "{}",
        by_file.stderr
    );

    // The bank's match API finds the same.
    api_finds_the_same(&server, &key_path, &seized, &by_file);
}
