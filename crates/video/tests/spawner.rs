//! Decoder children forked by a spawner against children started per
//! file: the same hashes on every sample, in both pipelines and with the
//! parts a bank and a scan add; a forked child past its deadline is stopped
//! with its spawner, leaves no process behind, and the next file is hashed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/vpdq/videos");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (see ../shared/README.md)", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mp4"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 14, "the 14 sample videos");
    paths
}

fn decoder() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hashbank-video-decoder"))
}

fn options(spawner: bool) -> video::Options {
    video::Options {
        decoder: decoder(),
        spawner,
        ..video::Options::default()
    }
}

/// Everything a print says, as text.
fn described(print: &video::VideoPrint) -> String {
    format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{}",
        print.hash.to_text(),
        print.hash.parts,
        print.md5,
        print.sha256,
        print.planned,
        print.duration
    )
}

#[test]
fn forked_decoders_give_the_started_decoders_hashes() {
    let kinds = [
        (video::Pipeline::Canonical, video::Parts::None, 1.0),
        (video::Pipeline::Canonical, video::Parts::Bank, 0.5),
        (video::Pipeline::Fast, video::Parts::None, 1.0),
        (video::Pipeline::Fast, video::Parts::Query, 1.0),
    ];
    for (i, path) in samples().iter().enumerate() {
        // Every sample as the reference hashes it; the others on a few.
        for (pipeline, parts, seconds_per_hash) in
            kinds.into_iter().take(if i % 5 == 0 { 4 } else { 1 })
        {
            let started = video::Options {
                pipeline,
                parts,
                seconds_per_hash,
                ..options(false)
            };
            let forked = video::Options {
                spawner: true,
                ..started.clone()
            };
            let what = format!("{} {pipeline:?} {parts:?}", path.display());
            let a = video::hash_file(path, &started).unwrap_or_else(|e| panic!("{what}: {e}"));
            let b = video::hash_file(path, &forked).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(!a.hash.frames.is_empty(), "{what}");
            assert_eq!(described(&a), described(&b), "{what}");
        }
    }
}

/// Processes running the decoder program whose parent is neither this
/// test nor one of its children (a spawner): children left behind by a
/// spawner that was killed.
fn strays() -> Vec<u32> {
    let me = std::process::id();
    let program = decoder();
    let parent = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid ...
        let after = &stat[stat.rfind(')')? + 2..];
        after.split(' ').nth(1)?.parse().ok()
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(exe) = std::fs::read_link(format!("/proc/{pid}/exe")) else {
            continue;
        };
        if exe != program {
            continue;
        }
        match parent(pid) {
            Some(p) if p == me || parent(p) == Some(me) => {}
            Some(_) => found.push(pid),
            None => {}
        }
    }
    found
}

#[test]
fn a_forked_decoder_past_its_deadline_is_stopped_and_the_next_file_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long-1080p.mp4");
    // 20 s of 1080p, every frame hashed: several seconds of work.
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=1920x1080:rate=30")
        .args(["-t", "20", "-c:v", "libx264", "-preset", "ultrafast"])
        .arg(&long)
        .status()
        .expect("ffmpeg is installed");
    assert!(status.success());
    let mut tight = video::Options {
        seconds_per_hash: 0.0,
        ..options(true)
    };
    tight.limits.max_decode_seconds = 1;
    let started = Instant::now();
    let error = video::hash_file(&long, &tight).expect_err("stopped at 1 s");
    assert!(started.elapsed() < Duration::from_secs(10));
    let said = error.to_string();
    assert!(
        said.contains("took over 1 s") || said.contains("more than 1 s of CPU"),
        "{said}"
    );
    // The killed spawner's child dies with it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !strays().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(strays(), Vec::<u32>::new(), "decoder processes left behind");
    // A new spawner serves the next file.
    let next = &samples()[0];
    let forked = video::hash_file(next, &options(true)).unwrap();
    let started = video::hash_file(next, &options(false)).unwrap();
    assert_eq!(described(&forked), described(&started));
}
