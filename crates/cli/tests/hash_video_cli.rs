//! `hashbank hash` on videos, end to end: the real binary, Meta's sample
//! videos and clips FFmpeg makes here, in every container and codec phones
//! and file hosts produce; then the limits, and decoders that crash or hang.

mod hash_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hash_support::{hashbank, lines, scratch};
use md5::Md5;
use model::VideoHash;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn samples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/vpdq/videos");
    assert!(
        dir.is_dir(),
        "the sample videos are missing: {} (see ../shared/README.md)",
        dir.display()
    );
    dir
}

/// Makes a clip with FFmpeg from its test pattern: `seconds` long, at
/// `size` and `rate`, with the given output arguments.
fn make_clip(path: &Path, size: &str, rate: u32, seconds: u32, args: &[&str]) {
    let source = format!("testsrc2=size={size}:rate={rate}");
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", &source, "-t"])
        .arg(seconds.to_string())
        .args(args)
        .arg(path)
        .output()
        .expect("ffmpeg is installed (apt-get install ffmpeg)");
    assert!(
        out.status.success(),
        "ffmpeg made no {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn frames(record: &Value) -> Vec<u64> {
    record["frames"]
        .as_array()
        .unwrap_or_else(|| panic!("no frames: {record}"))
        .iter()
        .map(|f| f["frame"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_video_gives_one_record_with_a_frame_a_second_and_the_file_digests() {
    let path = samples().join("chair-19-sd-bar.mp4");
    let out = hashbank(&["hash", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let records = lines(&out);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["kind"], "video");
    assert_eq!(
        (r["width"].as_u64(), r["height"].as_u64()),
        (Some(480), Some(720))
    );
    assert_eq!(r["frame_rate"], 30.0);
    assert_eq!(r["duration"], 18.8);
    // 564 frames at 30 frames/s: frames 0, 30, ..., 540.
    assert_eq!(frames(r), (0..19).map(|i| i * 30).collect::<Vec<_>>());
    assert_eq!(r["frames"][1]["timestamp"], 1.0);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(r["md5"], model::hex(&Md5::digest(&bytes)));
    assert_eq!(r["sha256"], model::hex(&Sha256::digest(&bytes)));

    // The reference's text form holds the same frames, and reads back.
    let text = hashbank(&["hash", "--format", "vpdq", path.to_str().unwrap()]);
    let hash = VideoHash::from_text(&String::from_utf8(text.stdout).unwrap()).unwrap();
    assert_eq!(hash.frames.len(), 19);
    assert_eq!(hash.frames[3].hash.to_hex(), r["frames"][3]["pdq"]);

    // Every frame, and every other second.
    let all = lines(&hashbank(&[
        "hash",
        "--seconds-per-hash",
        "0",
        path.to_str().unwrap(),
    ]));
    assert_eq!(frames(&all[0]), (0..564).collect::<Vec<_>>());
    let two = lines(&hashbank(&[
        "hash",
        "--seconds-per-hash",
        "2",
        path.to_str().unwrap(),
    ]));
    assert_eq!(frames(&two[0]), (0..10).map(|i| i * 60).collect::<Vec<_>>());
    assert_eq!(two[0]["frames"][1]["pdq"], all[0]["frames"][60]["pdq"]);

    let csv = hashbank(&["hash", "--format", "csv", path.to_str().unwrap()]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "path,pdq,quality,md5,sha256,width,height,frame,timestamp,error"
    );
    assert_eq!(rows.len(), 20, "a row per frame");
    assert!(rows[2].ends_with(",30,1.000,"), "{}", rows[2]);
}

/// `--video-parts` adds, per kept frame, the hashes of its parts as the
/// bank stores a picture's; the text form carries them as labelled lines
/// after the plain frames, which stay the reference's.
#[test]
fn video_parts_are_a_pictures_extra_hashes_of_each_kept_frame() {
    let path = samples().join("pattern-hd-no-bar.mp4");
    let plain = lines(&hashbank(&["hash", path.to_str().unwrap()]));
    let out = hashbank(&["hash", "--video-parts", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let r = &lines(&out)[0];
    assert_eq!(
        r["frames"], plain[0]["frames"],
        "the plain frames do not change"
    );
    let parts = r["parts"].as_array().unwrap();
    let labels: Vec<&str> = parts.iter().map(|p| p["label"].as_str().unwrap()).collect();
    for label in ["crop95", "crop90", "crop80", "top80", "bottom80"] {
        assert!(labels.contains(&label), "{labels:?}");
    }
    assert!(!labels.contains(&"pdq"));
    let numbers = frames(r);
    for p in parts {
        for f in p["frames"].as_array().unwrap() {
            assert!(numbers.contains(&f["frame"].as_u64().unwrap()), "{p}");
        }
    }
    let text = hashbank(&[
        "hash",
        "--video-parts",
        "--format",
        "vpdq",
        path.to_str().unwrap(),
    ]);
    let hash = VideoHash::from_text(&String::from_utf8(text.stdout).unwrap()).unwrap();
    assert_eq!(hash.frames.len(), numbers.len());
    assert_eq!(hash.parts.len(), parts.len());
}

#[test]
fn the_containers_and_codecs_phones_and_hosts_make_are_read() {
    let dir = scratch("containers");
    let clips: &[(&str, &[&str])] = &[
        ("h264.mp4", &["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
        (
            "hevc.mov",
            &[
                "-c:v",
                "libx265",
                "-pix_fmt",
                "yuv420p",
                "-x265-params",
                "log-level=error",
            ],
        ),
        ("vp8.webm", &["-c:v", "libvpx", "-b:v", "300k"]),
        ("vp9.webm", &["-c:v", "libvpx-vp9", "-b:v", "300k"]),
        (
            "av1.webm",
            &["-c:v", "libaom-av1", "-cpu-used", "8", "-b:v", "300k"],
        ),
        ("h264.mkv", &["-c:v", "libx264"]),
        ("mpeg4.avi", &["-c:v", "mpeg4"]),
        ("h263.3gp", &["-c:v", "h263", "-s", "176x144"]),
        ("clip.ts", &["-c:v", "libx264"]),
    ];
    for (name, args) in clips {
        make_clip(&dir.join(name), "192x128", 10, 3, args);
    }
    let out = hashbank(&["hash", dir.to_str().unwrap()]);
    let records = lines(&out);
    assert_eq!(out.status.code(), Some(0), "{records:?}");
    assert_eq!(records.len(), clips.len(), "every clip found in the folder");
    for r in &records {
        assert_eq!(r["kind"], "video", "{r}");
        // 3 s at 10 frames/s: a frame hashed each second.
        assert_eq!(frames(r), vec![0, 10, 20], "{}", r["path"]);
        for f in r["frames"].as_array().unwrap() {
            assert!(f["quality"].as_u64().unwrap() >= 50, "{r}");
        }
    }
    // The same picture in every codec: the frames are within PDQ's radius.
    let first: Vec<pdq::Hash256> = records
        .iter()
        .map(|r| r["frames"][0]["pdq"].as_str().unwrap().parse().unwrap())
        .collect();
    let h264 = first[records
        .iter()
        .position(|r| r["path"].as_str().unwrap().ends_with("h264.mp4"))
        .unwrap()];
    for (r, h) in records.iter().zip(&first) {
        if r["path"].as_str().unwrap().ends_with(".3gp") {
            continue; // another frame size: another picture
        }
        assert!(
            h.distance(&h264) <= 31,
            "{}: {}",
            r["path"],
            h.distance(&h264)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn animated_gifs_and_webps_are_an_image_and_a_video_a_still_one_only_an_image() {
    let dir = scratch("gif");
    make_clip(&dir.join("moving.gif"), "96x64", 5, 2, &[]);
    make_clip(&dir.join("still.gif"), "96x64", 1, 1, &["-frames:v", "1"]);
    make_clip(
        &dir.join("moving.webp"),
        "96x64",
        5,
        2,
        &["-c:v", "libwebp_anim", "-loop", "0"],
    );
    let records = lines(&hashbank(&["hash", dir.to_str().unwrap()]));
    let kinds: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            let name = Path::new(r["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, r["kind"].as_str().unwrap_or("image").to_owned())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("moving.gif", "image"),
            ("moving.gif", "video"),
            ("moving.webp", "image"),
            ("moving.webp", "video"),
            ("still.gif", "image"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert!(records[0]["pdq"].is_string());
    assert_eq!(frames(&records[1]), vec![0, 5]);
    // The WebP animation: 10 frames of 200 ms, a frame hashed each second.
    assert_eq!(records[3]["frame_rate"], 5.0, "{}", records[3]);
    assert_eq!(frames(&records[3]), vec![0, 5]);
    let gif_frame: pdq::Hash256 = records[1]["frames"][1]["pdq"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let webp_frame: pdq::Hash256 = records[3]["frames"][1]["pdq"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        gif_frame.distance(&webp_frame) <= 31,
        "the same picture in both"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn limits_refuse_a_video_before_it_is_decoded() {
    let path = samples().join("chair-19-sd-bar.mp4");
    let p = path.to_str().unwrap();
    let refused = |args: &[&str], says: &str| {
        let mut all = vec!["hash"];
        all.extend_from_slice(args);
        all.push(p);
        let out = hashbank(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let r = &lines(&out)[0];
        let error = r["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{args:?}: {r}"));
        assert!(error.contains(says), "{args:?}: {error}");
    };
    refused(&["--max-duration", "10"], "18.8 s, over the limit of 10 s");
    refused(
        &["--max-frame-pixels", "100000"],
        "480x720 (345600 pixels), over the limit",
    );
    refused(
        &["--max-video-size", "1000"],
        "over the limit of 1000 bytes",
    );
    refused(&["--max-decoder-memory", "20000000"], "");
    let out = hashbank(&["hash", "--seconds-per-hash", "-1", p]);
    assert_eq!(out.status.code(), Some(2));
}

/// A stand-in for the decoder child that behaves as a broken one would.
fn fake_decoder(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_decoder_that_crashes_or_hangs_fails_only_its_own_file() {
    let dir = scratch("decoders");
    let video = samples().join("doorknob-hd-no-bar.mp4");
    let v = video.to_str().unwrap();
    let image = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/pdq/data/reg-test-input/dih/bridge-1-original.jpg");
    let i = image.to_str().unwrap();

    let crash = fake_decoder(&dir, "crash", "kill -SEGV $$");
    let out = hashbank(&["hash", "--video-decoder", crash.to_str().unwrap(), v, i]);
    let records = lines(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        records[0]["error"]
            .as_str()
            .unwrap()
            .contains("crashed (signal 11)"),
        "{}",
        records[0]
    );
    assert!(
        records[1]["pdq"].is_string(),
        "the image after it is hashed"
    );

    let hang = fake_decoder(&dir, "hang", "exec sleep 600");
    let started = Instant::now();
    let out = hashbank(&[
        "hash",
        "--video-decoder",
        hang.to_str().unwrap(),
        "--max-decode-seconds",
        "2",
        v,
        i,
    ]);
    assert!(started.elapsed() < Duration::from_secs(60));
    let records = lines(&out);
    assert_eq!(
        records[0]["error"], "decoding took over 2 s and was stopped",
        "{}",
        records[0]
    );
    assert!(records[1]["pdq"].is_string());

    // A decoder that describes the video truly, then writes more than it
    // was asked for.
    let flood = fake_decoder(
        &dir,
        "flood",
        &format!(
            "{} \"$@\" | head -c 4096; exec cat /dev/zero",
            env!("CARGO_BIN_EXE_hashbank-decoder")
        ),
    );
    let out = hashbank(&[
        "hash",
        "--video-decoder",
        flood.to_str().unwrap(),
        "--max-duration",
        "5",
        v,
    ]);
    let error = lines(&out)[0]["error"].as_str().unwrap().to_owned();
    assert!(error.contains("out of order"), "{error}");

    // Bytes that only look like a video: FFmpeg refuses them, the run goes on.
    let fake = dir.join("fake.mp4");
    let mut bytes = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
    bytes.extend((0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&fake, &bytes).unwrap();
    let cut = dir.join("cut.mp4");
    let whole = std::fs::read(samples().join("chair-20-sd-bar.mp4")).unwrap();
    std::fs::write(&cut, &whole[..whole.len() / 3]).unwrap();
    let out = hashbank(&["hash", fake.to_str().unwrap(), cut.to_str().unwrap(), i]);
    let records = lines(&out);
    assert_eq!(records.len(), 3);
    assert!(
        records[0]["error"]
            .as_str()
            .unwrap()
            .contains("not a video"),
        "{}",
        records[0]
    );
    // A cut file's moov atom is at its end: FFmpeg can't read it either.
    assert!(
        records[1]["error"].is_string() || records[1]["kind"] == "video",
        "{}",
        records[1]
    );
    assert!(records[2]["pdq"].is_string());

    // Names FFmpeg would take for protocols, and a playlist naming another
    // file: read as the files they are, and refused.
    let listed = dir.join("list.m3u8");
    std::fs::write(
        &listed,
        format!("#EXTM3U\n#EXTINF:4,\n{v}\n#EXT-X-ENDLIST\n"),
    )
    .unwrap();
    // Read as a protocol from the samples' folder, this name would give
    // the doorknob clip; read as a file, it is a few bytes of nothing.
    let tricky = dir.join("concat:doorknob-hd-no-bar.mp4");
    std::fs::write(&tricky, b"\0\0\0\x20ftypisom not a video").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hashbank"))
        .args(["hash", listed.to_str().unwrap(), tricky.to_str().unwrap()])
        .current_dir(samples())
        .output()
        .unwrap();
    let records = lines(&out);
    assert_eq!(records.len(), 2);
    for r in &records {
        let error = r["error"].as_str().unwrap_or_else(|| panic!("hashed: {r}"));
        assert!(
            error.contains("not a video") || error.contains("not an image"),
            "{error}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// FFmpeg's libraries are mapped by `hashbank-decoder` alone: `hashbank`
/// itself (the server among its commands) never loads them.
#[test]
fn only_the_decoder_loads_ffmpeg() {
    let loaded = |program: &str, args: &[&str]| -> String {
        let out = Command::new(program)
            .args(args)
            .env("LD_DEBUG", "libs")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let main = loaded(env!("CARGO_BIN_EXE_hashbank"), &["--version"]);
    assert!(main.contains("libc.so"), "LD_DEBUG said nothing: {main}");
    assert!(!main.contains("libavcodec"), "hashbank loads FFmpeg");
    let decoder = loaded(env!("CARGO_BIN_EXE_hashbank-decoder"), &[]);
    assert!(decoder.contains("libavcodec"), "{decoder}");
}

/// Without `hashbank-decoder` beside it, `hashbank` says so for each video
/// and still hashes the pictures.
#[test]
fn a_missing_decoder_is_named_and_pictures_are_still_hashed() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("alone");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // A link, not a copy: the same file, in a folder without the decoder.
    let alone = dir.join("hashbank");
    std::fs::hard_link(env!("CARGO_BIN_EXE_hashbank"), &alone).unwrap();
    let video = samples().join("chair-19-sd-bar.mp4");
    let image = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/pdq/data/reg-test-input/dih/bridge-1-original.jpg");
    let out = Command::new(&alone)
        .args(["hash", "--jobs", "1"])
        .arg(&video)
        .arg(&image)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let records = lines(&out);
    let error = records[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("hashbank-decoder") && error.contains("not there"),
        "{}",
        records[0]
    );
    assert!(records[1]["pdq"].is_string(), "{}", records[1]);
    let _ = std::fs::remove_dir_all(&dir);
}
