//! What the decoder says of a file's first video stream: size, frame rate,
//! duration, codec and container.

use serde::Deserialize;

use crate::error::VideoError;

/// The first video stream of a file, as FFmpeg reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Frames a second: the stream's average rate, else its base rate (as
    /// the vPDQ reference takes it).
    pub frame_rate: f64,
    /// Seconds, when the file states it (stream's, else the container's).
    pub duration: Option<f64>,
    /// FFmpeg's name of the codec (`h264`, `hevc`, `vp9`, `av1`, `gif`).
    pub codec: String,
    /// FFmpeg's names of the container (`mov,mp4,m4a,3gp,3g2,mj2`).
    pub container: String,
}

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    streams: Vec<RawStream>,
    format: Option<RawFormat>,
}

#[derive(Deserialize)]
struct RawStream {
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct RawFormat {
    format_name: Option<String>,
    duration: Option<String>,
}

/// Reads the stream's description, as the decoder child writes it (the
/// shape of `ffprobe`'s JSON).
pub(crate) fn parse(json: &[u8]) -> Result<Stream, VideoError> {
    let output: Output = serde_json::from_slice(json)
        .map_err(|e| VideoError::Decoder(format!("the decoder wrote unreadable JSON: {e}")))?;
    let stream = output
        .streams
        .into_iter()
        .next()
        .ok_or_else(|| VideoError::NotAVideo("the file has no video stream".into()))?;
    let (width, height) = match (stream.width, stream.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => (w, h),
        _ => {
            return Err(VideoError::NotAVideo(
                "the video stream states no frame size".into(),
            ))
        }
    };
    let frame_rate = stream
        .avg_frame_rate
        .as_deref()
        .and_then(rate)
        .or_else(|| stream.r_frame_rate.as_deref().and_then(rate))
        .ok_or_else(|| VideoError::NotAVideo("the video stream states no frame rate".into()))?;
    let format = output.format;
    let duration = stream.duration.as_deref().and_then(seconds).or_else(|| {
        format
            .as_ref()
            .and_then(|f| f.duration.as_deref())
            .and_then(seconds)
    });
    Ok(Stream {
        width,
        height,
        frame_rate,
        duration,
        codec: stream.codec_name.unwrap_or_default(),
        container: format.and_then(|f| f.format_name).unwrap_or_default(),
    })
}

/// A rate written `num/den` (or a plain number); `None` for 0/0 and the
/// like.
fn rate(text: &str) -> Option<f64> {
    let value = match text.split_once('/') {
        Some((num, den)) => {
            let num: f64 = num.trim().parse().ok()?;
            let den: f64 = den.trim().parse().ok()?;
            num / den
        }
        None => text.trim().parse().ok()?,
    };
    (value.is_finite() && value > 0.0).then_some(value)
}

fn seconds(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_fall_back_to_the_base_rate_and_bad_json_is_an_error() {
        let json = br#"{"streams":[{"codec_name":"h264","width":640,"height":360,
            "avg_frame_rate":"0/0","r_frame_rate":"30000/1001"}],
            "format":{"format_name":"mov,mp4","duration":"12.5"}}"#;
        let s = parse(json).unwrap();
        assert_eq!((s.width, s.height, s.codec.as_str()), (640, 360, "h264"));
        assert!((s.frame_rate - 29.97).abs() < 0.01);
        assert_eq!(s.duration, Some(12.5));
        let none = parse(br#"{"streams":[],"format":{}}"#).unwrap_err();
        assert_eq!(
            none.to_string(),
            "not a video FFmpeg can read: the file has no video stream"
        );
        let no_rate = br#"{"streams":[{"width":2,"height":2,"avg_frame_rate":"0/0"}]}"#;
        assert!(parse(no_rate).is_err());
        assert!(parse(b"{").is_err());
        assert_eq!(rate("25"), Some(25.0));
        assert_eq!(rate("1/0"), None);
    }
}
