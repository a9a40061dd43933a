//! Animated WebP as a video. FFmpeg 5.1 does not decode animated WebP, so
//! its frames are decoded here, in process, by the pure Rust `image-webp`
//! (bounded by the same limits, and by the deadline between frames).
//!
//! Each frame is the whole canvas after the frame is drawn, as a viewer
//! shows it. The frame rate is the frames over the animation's length, as
//! FFmpeg gives a stream's average rate; frames are kept and timed from it
//! as in any video.

use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use model::{VideoHash, MAX_VIDEO_FRAMES};

use crate::error::VideoError;
use crate::probe::Stream;
use crate::{Options, VideoPrint};
use media::video::frame_step;

/// Frame rate of an animation whose frames state no delay: 10 frames a
/// second, as browsers show them.
const NO_DELAY_RATE: f64 = 10.0;

/// Whether the bytes are a WebP file with the animation flag set.
pub fn webp_is_animated(head: &[u8]) -> bool {
    head.len() > 20
        && head.starts_with(b"RIFF")
        && &head[8..16] == b"WEBPVP8X"
        && head[20] & 0x02 != 0
}

/// Hashes an animated WebP held in memory.
pub fn hash_animated_webp(bytes: &[u8], options: &Options) -> Result<VideoPrint, VideoError> {
    let limits = &options.limits;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(VideoError::FileTooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let bad = |e: image_webp::DecodingError| VideoError::NotAVideo(format!("WebP: {e}"));
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(bad)?;
    if !decoder.is_animated() {
        return Err(VideoError::NotAVideo(
            "the WebP file is not animated".into(),
        ));
    }
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_frame_pixels {
        return Err(VideoError::FrameTooLarge {
            width: width.into(),
            height: height.into(),
            pixels,
            limit: limits.max_frame_pixels,
        });
    }
    let count = decoder.num_frames();
    let millis = decoder.loop_duration();
    let frame_rate = if millis == 0 {
        NO_DELAY_RATE
    } else {
        f64::from(count) * 1000.0 / millis as f64
    };
    let duration = f64::from(count) / frame_rate;
    if duration > limits.max_duration {
        return Err(VideoError::TooLong {
            seconds: duration,
            limit: limits.max_duration,
        });
    }
    let step = frame_step(options.seconds_per_hash, frame_rate);
    if u64::from(count).div_ceil(step) > MAX_VIDEO_FRAMES as u64 {
        return Err(VideoError::TooManyFrames {
            limit: MAX_VIDEO_FRAMES,
        });
    }
    let channels = if decoder.has_alpha() { 4 } else { 3 };
    let started = Instant::now();
    let frames = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut canvas = vec![0u8; pixels as usize * channels];
        let mut frames = Vec::new();
        for number in 0..count {
            if started.elapsed().as_secs() >= limits.max_decode_seconds {
                return Err(VideoError::Timeout {
                    limit: limits.max_decode_seconds,
                });
            }
            decoder.read_frame(&mut canvas).map_err(bad)?;
            if u64::from(number) % step != 0 {
                continue;
            }
            let (w, h) = (width as usize, height as usize);
            let image = if channels == 4 {
                pdq::Image::rgba(w, h, &canvas)
            } else {
                pdq::Image::rgb(w, h, &canvas)
            }
            .expect("the canvas is the image's size");
            frames.push(media::video::hash_frame(
                &image,
                u64::from(number),
                frame_rate,
            ));
        }
        Ok(frames)
    }))
    .map_err(|_| VideoError::Decoder("the WebP decoder failed on this file".into()))??;
    let (md5, sha256) = crate::digests(bytes);
    Ok(VideoPrint {
        hash: VideoHash {
            frames,
            parts: Vec::new(),
        },
        stream: Stream {
            width,
            height,
            frame_rate,
            duration: Some(duration),
            codec: "webp".into(),
            container: "webp".into(),
        },
        duration,
        md5,
        sha256,
        planned: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_animation_flag_makes_a_webp_a_video() {
        let mut head = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\x02\0\0\0".to_vec();
        head.extend_from_slice(&[0; 8]);
        assert!(webp_is_animated(&head));
        head[20] = 0x10; // alpha only
        assert!(!webp_is_animated(&head));
        assert!(!webp_is_animated(b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0"));
        assert!(!webp_is_animated(b"GIF89a"));
    }

    #[test]
    fn broken_and_still_webps_are_refused_with_a_reason() {
        let err = hash_animated_webp(b"RIFF\0\0\0\0WEBPVP8X", &Options::default()).unwrap_err();
        assert!(matches!(err, VideoError::NotAVideo(_)), "{err}");
        let small = Options {
            limits: crate::Limits {
                max_file_bytes: 4,
                ..crate::Limits::default()
            },
            ..Options::default()
        };
        let err = hash_animated_webp(b"RIFF\0\0\0\0WEBPVP8X", &small).unwrap_err();
        assert!(matches!(err, VideoError::FileTooLarge { .. }), "{err}");
    }
}
