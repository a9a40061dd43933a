//! The decoder: FFmpeg's libraries (Debian's libavformat, libavcodec and
//! libswscale), run in a child process of its own ([`decoder_main`]).
//!
//! The child reads the file from its stdin (opened again through
//! `/proc/self/fd/0`, so it may seek and its name never reaches FFmpeg), and
//! writes to its stdout:
//! - a header of [`HEADER_BYTES`]: the size of each frame record (8 bytes,
//!   little-endian; 0 when no frame follows), then the stream's description
//!   as JSON, padded with spaces;
//! - one record per kept frame: its number (8 bytes, little-endian), then
//!   its RGB24 pixels at the plan's size, row after row.
//!
//! For H.264 and HEVC in MP4, MOV and Matroska it first reads the packets
//! without decoding them and decodes only those the kept frames need
//! ([`crate::select`]). When that plan fails (a kept frame does not come
//! out of the decoder as planned) it exits with [`EXIT_REPLAN`], and the
//! parent asks again for every frame to be decoded, as the reference does.

use std::ffi::OsString;
use std::io::{self, Write};

use ff::codec::Id;
use ff::format::Pixel;
use ff::software::scaling;
use ffmpeg_next as ff;

use crate::decode::Plan;
use crate::{check_stream, probe, Limits, Options, Parts, Pipeline};
use media::video::nal::{self, Codec};
use media::video::select::{self, Choice, Scanned, Selection};

/// The first argument that makes a program the decoder child.
pub const DECODER_COMMAND: &str = "__video-decoder";

/// Size of the header the child writes first.
pub(crate) const HEADER_BYTES: usize = 4096;

/// Exit status of a child whose plan failed: decode every frame instead.
pub(crate) const EXIT_REPLAN: i32 = 3;

/// What the parent asks of the child, as its arguments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub seconds_per_hash: f64,
    pub pipeline: Pipeline,
    /// Decode only what the kept frames need, where that can be planned.
    pub skipping: bool,
    pub max_frame_pixels: u64,
    pub max_duration: f64,
    /// Parts or views are hashed too (the plan's frame size depends on it).
    pub parts: Parts,
}

impl Request {
    /// The arguments after [`DECODER_COMMAND`].
    pub fn to_args(&self) -> Vec<OsString> {
        vec![
            self.seconds_per_hash.to_string().into(),
            match self.pipeline {
                Pipeline::Canonical => "canonical",
                Pipeline::Fast => "fast",
            }
            .into(),
            if self.skipping { "skip" } else { "all" }.into(),
            self.max_frame_pixels.to_string().into(),
            self.max_duration.to_string().into(),
            match self.parts {
                Parts::None => "none",
                Parts::Bank => "bank",
                Parts::Query => "query",
            }
            .into(),
        ]
    }

    fn from_args(args: &[OsString]) -> Option<Request> {
        let args: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
        let [seconds, pipeline, skipping, pixels, duration, parts] = args.as_slice() else {
            return None;
        };
        Some(Request {
            seconds_per_hash: seconds.parse().ok()?,
            pipeline: match *pipeline {
                "canonical" => Pipeline::Canonical,
                "fast" => Pipeline::Fast,
                _ => return None,
            },
            skipping: match *skipping {
                "skip" => true,
                "all" => false,
                _ => return None,
            },
            max_frame_pixels: pixels.parse().ok()?,
            max_duration: duration.parse().ok()?,
            parts: match *parts {
                "none" => Parts::None,
                "bank" => Parts::Bank,
                "query" => Parts::Query,
                _ => return None,
            },
        })
    }

    fn options(&self) -> Options {
        Options {
            seconds_per_hash: self.seconds_per_hash,
            pipeline: self.pipeline,
            parts: self.parts,
            limits: Limits {
                max_frame_pixels: self.max_frame_pixels,
                max_duration: self.max_duration,
                ..Limits::default()
            },
            ..Options::default()
        }
    }
}

/// Runs the decoder child on the arguments after [`DECODER_COMMAND`];
/// returns the process's exit status. A program that hashes videos calls
/// this when it is started with [`DECODER_COMMAND`] as its first argument.
pub fn decoder_main(args: &[OsString]) -> i32 {
    if args.len() == 1 && args[0] == crate::spawner::SPAWNER_ARG {
        return crate::spawner::serve();
    }
    let Some(request) = Request::from_args(args) else {
        eprintln!("the video decoder was started with arguments it does not know");
        return 2;
    };
    ff::log::set_level(ff::log::Level::Error);
    if let Err(e) = ff::init() {
        eprintln!("cannot start FFmpeg's libraries: {e}");
        return 1;
    }
    let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let result = run(&request, &mut out);
    let flushed = out.flush();
    match result {
        Ok(()) if flushed.is_ok() => 0,
        Ok(()) => 1,
        Err(End::Replan) => EXIT_REPLAN,
        Err(End::Failed(message)) => {
            eprintln!("{message}");
            1
        }
    }
}

/// Opens and closes a decoder of each codec a phone or file host writes,
/// so that their tables are built once in the spawner, not in each child.
/// Nothing is decoded.
pub(crate) fn warm_up() {
    ff::log::set_level(ff::log::Level::Error);
    if ff::init().is_err() {
        return;
    }
    use ff::codec::Id;
    for id in [Id::H264, Id::HEVC, Id::VP8, Id::VP9, Id::MPEG4] {
        if let Some(codec) = ff::decoder::find(id) {
            let _ = ff::codec::Context::new_with_codec(codec).decoder().video();
        }
    }
}

enum End {
    /// The plan did not hold: decode everything.
    Replan,
    Failed(String),
}

impl From<ff::Error> for End {
    fn from(e: ff::Error) -> End {
        End::Failed(e.to_string())
    }
}

impl From<io::Error> for End {
    fn from(e: io::Error) -> End {
        End::Failed(format!("cannot write frames: {e}"))
    }
}

/// The file, opened again through the child's stdin, by the file protocol
/// and the allowed demuxers only.
fn open() -> Result<ff::format::context::Input, End> {
    let mut options = ff::Dictionary::new();
    options.set("protocol_whitelist", "file");
    options.set("format_whitelist", crate::child::DEMUXERS);
    ff::format::input_with_dictionary(&"file:/proc/self/fd/0", options)
        .map_err(|e| End::Failed(e.to_string()))
}

fn run(request: &Request, out: &mut impl Write) -> Result<(), End> {
    let options = request.options();
    let input = open()?;
    let Some(stream) = input
        .streams()
        .find(|s| s.parameters().medium() == ff::media::Type::Video)
    else {
        return Err(End::Failed("the file has no video stream".into()));
    };
    let index = stream.index();
    let mut json = describe(&input, &stream)?;
    let described =
        probe::parse(json.to_string().as_bytes()).map_err(|e| End::Failed(e.to_string()))?;
    let refused = check_stream(&described, &options).is_err();
    let plan = Plan::new(&described, &options);
    let codec = match stream.parameters().id() {
        Id::H264 => Some(Codec::H264),
        Id::HEVC => Some(Codec::Hevc),
        _ => None,
    };
    let choice = match request.pipeline {
        Pipeline::Canonical => Choice::Every(plan.step),
        Pipeline::Fast => Choice::NearestIdr(plan.step),
    };
    let mut input = input;
    let mut selection = None;
    if let (false, true, Some(codec)) = (refused, request.skipping && plan.step > 1, codec) {
        let most = (request.max_duration * described.frame_rate * 2.0).clamp(1e4, 2e7) as usize;
        selection = scan(&mut input, index, codec, most).and_then(|p| select::select(&p, choice));
        input = open()?;
    }
    let record = if refused {
        0
    } else {
        8 + plan.width * plan.height * 3
    };
    let mut header = Vec::with_capacity(HEADER_BYTES);
    header.extend((record as u64).to_le_bytes());
    if let Some(selection) = &selection {
        let sent = selection.send.iter().filter(|&&s| s).count();
        json["plan"] = serde_json::json!({ "decoded": sent, "pictures": selection.send.len() });
    }
    header.extend(json.to_string().as_bytes());
    if header.len() > HEADER_BYTES {
        return Err(End::Failed("the stream's description is too long".into()));
    }
    header.resize(HEADER_BYTES, b' ');
    out.write_all(&header)?;
    out.flush()?;
    if refused {
        // The parent says why.
        return Ok(());
    }
    decode(input, index, &plan, request.pipeline, selection, out)
}

/// The stream's description, in the shape of `ffprobe`'s JSON (what
/// [`probe::parse`] reads).
fn describe(
    input: &ff::format::context::Input,
    stream: &ff::format::stream::Stream,
) -> Result<serde_json::Value, End> {
    let parameters = stream.parameters();
    let codec = parameters.id();
    let decoder = ff::codec::Context::from_parameters(parameters)?
        .decoder()
        .video()
        .map_err(|e| End::Failed(format!("cannot decode the video stream: {e}")))?;
    let rate = |r: ff::Rational| format!("{}/{}", r.numerator(), r.denominator());
    let mut video = serde_json::json!({
        "codec_name": codec.name(),
        "width": decoder.width(),
        "height": decoder.height(),
        "avg_frame_rate": rate(stream.avg_frame_rate()),
        "r_frame_rate": rate(stream.rate()),
    });
    let base = stream.time_base();
    if stream.duration() > 0 && base.denominator() != 0 {
        let seconds =
            stream.duration() as f64 * f64::from(base.numerator()) / f64::from(base.denominator());
        video["duration"] = seconds.to_string().into();
    }
    let mut format = serde_json::json!({ "format_name": input.format().name() });
    if input.duration() > 0 {
        format["duration"] = (input.duration() as f64 / f64::from(ff::ffi::AV_TIME_BASE))
            .to_string()
            .into();
    }
    Ok(serde_json::json!({ "streams": [video], "format": format }))
}

/// The stream's packets read without decoding, or `None` when one can't
/// be read or there are more than `most`.
fn scan(
    input: &mut ff::format::context::Input,
    index: usize,
    codec: Codec,
    most: usize,
) -> Option<Vec<Scanned>> {
    let mut packets = Vec::new();
    let mut packet = ff::Packet::empty();
    loop {
        match packet.read(input) {
            Ok(()) => {}
            Err(ff::Error::Eof) => break,
            Err(_) => return None,
        }
        if packet.stream() != index {
            continue;
        }
        if packets.len() >= most {
            return None;
        }
        packets.push(Scanned {
            pts: packet.pts()?,
            picture: nal::picture(codec, packet.data()?)?,
        });
    }
    Some(packets)
}

/// Converts decoded frames to RGB24 at the plan's size, as the reference
/// does: swscale's area method, its default (BT.601) matrix.
struct Scaler {
    context: Option<scaling::Context>,
    rgb: ff::frame::Video,
    width: u32,
    height: u32,
    block: u32,
}

impl Scaler {
    fn new(plan: &Plan) -> Scaler {
        Scaler {
            context: None,
            rgb: ff::frame::Video::empty(),
            width: plan.width as u32,
            height: plan.height as u32,
            block: plan.block as u32,
        }
    }

    /// Writes frame `number` to `out`.
    fn write(
        &mut self,
        number: u64,
        frame: &mut ff::frame::Video,
        out: &mut impl Write,
    ) -> Result<(), End> {
        if self.block > 1 {
            // Whole blocks only: each written pixel is the mean of one
            // block, a partial last block dropped.
            let (w, h) = (self.width * self.block, self.height * self.block);
            if frame.width() >= w && frame.height() >= h {
                frame.set_width(w);
                frame.set_height(h);
            }
        }
        let fits = self.context.as_ref().is_some_and(|c| {
            let i = c.input();
            i.format == frame.format() && i.width == frame.width() && i.height == frame.height()
        });
        if !fits {
            self.context = Some(scaling::Context::get(
                frame.format(),
                frame.width(),
                frame.height(),
                Pixel::RGB24,
                self.width,
                self.height,
                scaling::Flags::AREA,
            )?);
            self.rgb = ff::frame::Video::empty();
        }
        let context = self.context.as_mut().expect("made above");
        context.run(frame, &mut self.rgb)?;
        out.write_all(&number.to_le_bytes())?;
        let stride = self.rgb.stride(0);
        let row = self.width as usize * 3;
        let data = self.rgb.data(0);
        for y in 0..self.height as usize {
            out.write_all(&data[y * stride..y * stride + row])?;
        }
        Ok(())
    }
}

/// Decodes the stream: the packets `selection` sends, or all of them.
fn decode(
    mut input: ff::format::context::Input,
    index: usize,
    plan: &Plan,
    pipeline: Pipeline,
    mut selection: Option<Selection>,
    out: &mut impl Write,
) -> Result<(), End> {
    let parameters = input
        .stream(index)
        .ok_or_else(|| End::Failed("the video stream went away".into()))?
        .parameters();
    let mut decoder = ff::codec::Context::from_parameters(parameters)?
        .decoder()
        .video()
        .map_err(|e| End::Failed(format!("cannot decode the video stream: {e}")))?;
    if pipeline == Pipeline::Fast {
        // The frames are reduced at once; deblocking changes little that
        // survives the reduction.
        decoder.skip_loop_filter(ff::Discard::All);
    }
    let mut scaler = Scaler::new(plan);
    let mut frame = ff::frame::Video::empty();
    let mut decoded = 0u64;
    let mut packet_number = 0usize;
    let mut packet = ff::Packet::empty();
    // A read error ends the input, as it does for `ffmpeg`.
    while packet.read(&mut input).is_ok() {
        if packet.stream() != index {
            continue;
        }
        let number = packet_number;
        packet_number += 1;
        if let Some(selection) = &selection {
            match selection.send.get(number) {
                Some(true) => {}
                Some(false) => continue,
                None => return Err(End::Replan),
            }
        }
        if decoder.send_packet(&packet).is_err() && selection.is_some() {
            return Err(End::Replan);
        }
        drain(
            &mut decoder,
            &mut frame,
            &mut selection,
            &mut decoded,
            plan,
            &mut scaler,
            out,
        )?;
    }
    let _ = decoder.send_eof();
    drain(
        &mut decoder,
        &mut frame,
        &mut selection,
        &mut decoded,
        plan,
        &mut scaler,
        out,
    )?;
    if let Some(selection) = selection {
        if !selection.keep.is_empty() || packet_number != selection.send.len() {
            return Err(End::Replan);
        }
    }
    Ok(())
}

/// Takes every frame the decoder has ready; writes those kept.
fn drain(
    decoder: &mut ff::decoder::Video,
    frame: &mut ff::frame::Video,
    selection: &mut Option<Selection>,
    decoded: &mut u64,
    plan: &Plan,
    scaler: &mut Scaler,
    out: &mut impl Write,
) -> Result<(), End> {
    loop {
        match decoder.receive_frame(frame) {
            Ok(()) => {}
            Err(ff::Error::Eof) => return Ok(()),
            Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => return Ok(()),
            Err(_) if selection.is_some() => return Err(End::Replan),
            Err(_) => return Ok(()),
        }
        let number = match selection {
            None => {
                let n = *decoded;
                *decoded += 1;
                if !n.is_multiple_of(plan.step) {
                    continue;
                }
                n
            }
            // Each planned frame once; frames decoded only as references
            // are not kept.
            Some(selection) => match frame.pts().and_then(|pts| selection.keep.remove(&pts)) {
                Some(n) => n,
                None => continue,
            },
        };
        scaler.write(number, frame, out)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_go_through_arguments() {
        let request = Request {
            seconds_per_hash: 0.5,
            pipeline: Pipeline::Fast,
            skipping: false,
            max_frame_pixels: 1000,
            max_duration: 12.5,
            parts: Parts::Query,
        };
        assert_eq!(Request::from_args(&request.to_args()), Some(request));
        assert_eq!(Request::from_args(&["1".into()]), None);
    }
}
