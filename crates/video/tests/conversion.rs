//! The page's YUV to RGB conversion (`media::video::i420_to_rgb`, which the
//! browser's frames go through) gives FFmpeg's bytes: on a frame holding
//! every luma value with varied chroma, and on the first frames of each of
//! Meta's sample videos, FFmpeg's `rgb24` output equals ours byte for byte.

use std::path::Path;
use std::process::Command;

fn ffmpeg(args: &[&str]) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin"])
        .args(args)
        .output()
        .expect("ffmpeg is installed (scripts/deps.sh)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Our conversion of `frames` I420 frames of `width` x `height`.
fn ours(yuv: &[u8], width: usize, height: usize) -> Vec<u8> {
    let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
    let size = width * height + 2 * cw * ch;
    assert_eq!(yuv.len() % size, 0);
    let mut all = Vec::new();
    let mut rgb = Vec::new();
    for frame in yuv.chunks_exact(size) {
        let (y, chroma) = frame.split_at(width * height);
        let (u, v) = chroma.split_at(cw * ch);
        media::video::i420_to_rgb(width, height, y, width, u, v, cw, &mut rgb).unwrap();
        all.extend_from_slice(&rgb);
    }
    all
}

#[test]
fn every_luma_value_with_varied_chroma_converts_as_ffmpeg_converts() {
    let (w, h) = (256usize, 256usize);
    let mut yuv = Vec::with_capacity(w * h * 3 / 2);
    for _ in 0..h {
        yuv.extend(0..=255u8);
    }
    yuv.extend((0..w * h / 4).map(|i| (i * 7 % 256) as u8));
    yuv.extend((0..w * h / 4).map(|i| (i * 13 % 256) as u8));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("every.yuv");
    std::fs::write(&input, &yuv).unwrap();
    let theirs = ffmpeg(&[
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
        "256x256",
        "-i",
        input.to_str().unwrap(),
        "-sws_flags",
        "area",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
    ]);
    let mine = ours(&yuv, w, h);
    let differ = mine.iter().zip(&theirs).filter(|(a, b)| a != b).count();
    assert_eq!(mine.len(), theirs.len());
    assert_eq!(differ, 0, "{differ} bytes differ from FFmpeg's");
}

#[test]
fn sample_frames_convert_as_ffmpeg_converts() {
    let videos = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/vpdq/videos");
    let mut checked = 0;
    for entry in std::fs::read_dir(&videos).expect("the vPDQ sample videos") {
        let path = entry.unwrap().path();
        let probe = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=width,height",
                "-of",
                "csv=p=0",
            ])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8(probe.stdout).unwrap();
        let (w, h) = text.trim().split_once(',').unwrap();
        let (w, h): (usize, usize) = (w.parse().unwrap(), h.parse().unwrap());
        let take = [
            "-i",
            path.to_str().unwrap(),
            "-frames:v",
            "3",
            "-sws_flags",
            "area",
            "-f",
            "rawvideo",
            "-pix_fmt",
        ];
        let yuv = ffmpeg(&[&take[..], &["yuv420p", "-"]].concat());
        let theirs = ffmpeg(&[&take[..], &["rgb24", "-"]].concat());
        let mine = ours(&yuv, w, h);
        assert_eq!(mine.len(), theirs.len(), "{}", path.display());
        let differ = mine.iter().zip(&theirs).filter(|(a, b)| a != b).count();
        assert_eq!(
            differ,
            0,
            "{}: {differ} bytes differ from FFmpeg's",
            path.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 14);
}
