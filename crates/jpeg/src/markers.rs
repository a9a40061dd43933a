//! Markers and the header segments between them (ITU T.81 B.1, B.2): the
//! frame and scan headers, quantisation and Huffman tables, the restart
//! interval, and the JFIF and Adobe segments that tell the colour space.
//! What is refused follows libjpeg's `jdmarker.c`.

use super::huffman::{HuffSpec, MAX_CODE_LENGTH, MAX_SYMBOLS};
use super::{Malformed, Problem};

/// Marker codes (ITU T.81 table B.1).
pub(crate) mod code {
    /// Start of image.
    pub(crate) const SOI: u8 = 0xD8;
    /// End of image.
    pub(crate) const EOI: u8 = 0xD9;
    /// Start of scan.
    pub(crate) const SOS: u8 = 0xDA;
    /// Define quantisation tables.
    pub(crate) const DQT: u8 = 0xDB;
    /// Define number of lines.
    pub(crate) const DNL: u8 = 0xDC;
    /// Define restart interval.
    pub(crate) const DRI: u8 = 0xDD;
    /// Define Huffman tables.
    pub(crate) const DHT: u8 = 0xC4;
    /// Define arithmetic coding conditioning.
    pub(crate) const DAC: u8 = 0xCC;
    /// Baseline sequential DCT, Huffman.
    pub(crate) const SOF0: u8 = 0xC0;
    /// Extended sequential DCT, Huffman.
    pub(crate) const SOF1: u8 = 0xC1;
    /// Progressive DCT, Huffman.
    pub(crate) const SOF2: u8 = 0xC2;
    /// Lossless, Huffman.
    pub(crate) const SOF3: u8 = 0xC3;
    /// First restart marker; RST0..RST7 follow one another.
    pub(crate) const RST0: u8 = 0xD0;
    /// Last restart marker.
    pub(crate) const RST7: u8 = 0xD7;
    /// First application segment; APP0..APP15 follow one another.
    pub(crate) const APP0: u8 = 0xE0;
    /// Adobe's application segment.
    pub(crate) const APP14: u8 = 0xEE;
    /// Last application segment.
    pub(crate) const APP15: u8 = 0xEF;
    /// Comment.
    pub(crate) const COM: u8 = 0xFE;
    /// Temporary private use, no parameters.
    pub(crate) const TEM: u8 = 0x01;
}

/// Number of quantisation and of Huffman table slots (ITU T.81 B.2.4).
pub(crate) const TABLE_SLOTS: usize = 4;

/// Coefficients in a block.
pub(crate) const BLOCK_SIZE: usize = 64;

/// Zig-zag index to natural (row-major) index (ITU T.81 figure A.6), with
/// 16 more entries at 63: libjpeg's `jpeg_natural_order`, whose tail
/// catches a run that overshoots the block in corrupt data.
pub(crate) const ZIGZAG: [usize; BLOCK_SIZE + 16] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    63, 63, 63, 63, 63, 63,
];

/// Largest side libjpeg decodes (`JPEG_MAX_DIMENSION` in jmorecfg.h).
pub(crate) const MAX_SIDE: u16 = 65500;

/// Most components in one scan (ITU T.81 B.2.3).
pub(crate) const MAX_COMPONENTS_IN_SCAN: usize = 4;

/// Largest sampling factor (ITU T.81 B.2.2).
pub(crate) const MAX_SAMPLING: u8 = 4;

/// Bytes of an APP0 segment libjpeg reads to recognise JFIF
/// (`APP0_DATA_LEN` in jdmarker.c).
const JFIF_LENGTH: usize = 14;
/// Bytes of an APP14 segment libjpeg reads to recognise Adobe's
/// (`APP14_DATA_LEN` in jdmarker.c); the transform is the last of them.
const ADOBE_LENGTH: usize = 12;

/// How the frame is coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// Baseline or extended sequential, Huffman.
    Sequential,
    /// Progressive, Huffman.
    Progressive,
}

/// One component of the frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ComponentSpec {
    /// Identifier the scans refer to.
    pub(crate) id: u8,
    /// Horizontal sampling factor, 1..=4.
    pub(crate) h: usize,
    /// Vertical sampling factor, 1..=4.
    pub(crate) v: usize,
    /// Quantisation table slot.
    pub(crate) table: usize,
}

/// The frame header (SOF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    /// Sequential or progressive.
    pub(crate) coding: Coding,
    /// Width in pixels.
    pub(crate) width: usize,
    /// Height in pixels.
    pub(crate) height: usize,
    /// The components, 1, 3 or 4.
    pub(crate) components: Vec<ComponentSpec>,
}

/// One component of a scan header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScanComponent {
    /// Index into the frame's components.
    pub(crate) index: usize,
    /// DC Huffman table slot.
    pub(crate) dc_table: usize,
    /// AC Huffman table slot.
    pub(crate) ac_table: usize,
}

/// The scan header (SOS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScanHeader {
    /// The components in the scan, in scan order.
    pub(crate) components: Vec<ScanComponent>,
    /// First coefficient (zig-zag index).
    pub(crate) ss: usize,
    /// Last coefficient.
    pub(crate) se: usize,
    /// Bit position of the previous pass (successive approximation).
    pub(crate) ah: u32,
    /// Bit position of this pass.
    pub(crate) al: u32,
}

/// What the marker reader stopped at.
#[derive(Debug)]
pub(crate) enum Stop {
    /// A frame header.
    Frame(FrameHeader),
    /// A scan header; the entropy-coded data starts at the cursor.
    Scan(ScanHeader),
    /// End of image.
    End,
}

/// The tables and settings that segments define and later segments may
/// redefine.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    /// Quantisation tables in natural order.
    pub(crate) quant: [Option<[u16; BLOCK_SIZE]>; TABLE_SLOTS],
    /// DC Huffman tables.
    pub(crate) dc: [Option<HuffSpec>; TABLE_SLOTS],
    /// AC Huffman tables.
    pub(crate) ac: [Option<HuffSpec>; TABLE_SLOTS],
    /// MCUs between restart markers, 0 for none.
    pub(crate) restart_interval: usize,
    /// A JFIF APP0 segment was seen.
    pub(crate) jfif: bool,
    /// The transform byte of an Adobe APP14 segment, if one was seen.
    pub(crate) adobe_transform: Option<u8>,
}

/// A position in the file.
pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `data`.
    pub(crate) fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor { data, pos: 0 }
    }

    /// The whole file.
    pub(crate) fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The current offset.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Moves to `pos`.
    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.data.len());
    }

    fn byte(&mut self) -> Result<u8, Malformed> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or(Malformed("the file ends inside its headers"))?;
        self.pos += 1;
        Ok(b)
    }

    fn u16(&mut self) -> Result<u16, Malformed> {
        Ok(u16::from(self.byte()?) << 8 | u16::from(self.byte()?))
    }

    /// The payload of a segment: its two length bytes count themselves.
    fn segment(&mut self) -> Result<&'a [u8], Malformed> {
        let length = usize::from(self.u16()?);
        if length < 2 {
            return Err(Malformed("a segment length under 2"));
        }
        let body = self
            .data
            .get(self.pos..self.pos + length - 2)
            .ok_or(Malformed("the file ends inside a segment"))?;
        self.pos += length - 2;
        Ok(body)
    }

    /// The first marker: the file must open with SOI.
    pub(crate) fn expect_soi(&mut self) -> Result<(), Malformed> {
        if self.data.get(..2) != Some(&[0xFF, code::SOI]) {
            return Err(Malformed("the file does not start with SOI"));
        }
        self.pos = 2;
        Ok(())
    }

    /// The next marker, as libjpeg's `next_marker` finds it: bytes before an
    /// `FF` are skipped, `FF` fill bytes are swallowed, and `FF 00` is data
    /// to skip.
    pub(crate) fn next_marker(&mut self) -> Result<u8, Malformed> {
        loop {
            while self.byte()? != 0xFF {}
            let mut code = self.byte()?;
            while code == 0xFF {
                code = self.byte()?;
            }
            if code != 0 {
                return Ok(code);
            }
        }
    }
}

fn unsupported(detail: &'static str) -> Problem {
    Problem::Unsupported(detail)
}

fn malformed(detail: &'static str) -> Problem {
    Problem::Malformed(Malformed(detail))
}

impl From<Malformed> for Problem {
    fn from(m: Malformed) -> Problem {
        Problem::Malformed(m)
    }
}

impl Tables {
    /// Reads markers and segments until a frame header, a scan header or
    /// EOI. `frame` is the frame header read before, if any: a second one
    /// is an error, a scan needs one.
    pub(crate) fn read_until_stop(
        &mut self,
        cursor: &mut Cursor,
        frame: Option<&FrameHeader>,
    ) -> Result<Stop, Problem> {
        loop {
            let marker = cursor.next_marker()?;
            match marker {
                code::SOF0 | code::SOF1 | code::SOF2 => {
                    if frame.is_some() {
                        return Err(malformed("a second frame header"));
                    }
                    let coding = if marker == code::SOF2 {
                        Coding::Progressive
                    } else {
                        Coding::Sequential
                    };
                    return Ok(Stop::Frame(parse_frame(cursor.segment()?, coding)?));
                }
                code::SOF3 => return Err(unsupported("lossless JPEG")),
                0xC5..=0xC7 => return Err(unsupported("hierarchical JPEG")),
                0xC9..=0xCB | 0xCD..=0xCF => return Err(unsupported("arithmetic-coded JPEG")),
                code::SOS => {
                    let Some(frame) = frame else {
                        return Err(malformed("a scan before the frame header"));
                    };
                    return Ok(Stop::Scan(parse_scan(cursor.segment()?, frame)?));
                }
                code::EOI => return Ok(Stop::End),
                code::DHT => self.parse_dht(cursor.segment()?)?,
                code::DQT => self.parse_dqt(cursor.segment()?)?,
                code::DRI => {
                    let body = cursor.segment()?;
                    let [hi, lo] = body else {
                        return Err(malformed("a DRI segment of the wrong length"));
                    };
                    self.restart_interval = usize::from(*hi) << 8 | usize::from(*lo);
                }
                code::APP0..=code::APP15 => {
                    let body = cursor.segment()?;
                    self.note_application(marker, body);
                }
                code::COM | code::DAC | code::DNL => {
                    cursor.segment()?;
                }
                code::RST0..=code::RST7 | code::TEM => {}
                code::SOI => return Err(malformed("a second SOI marker")),
                _ => return Err(malformed("an unknown marker")),
            }
        }
    }

    /// Notes JFIF and Adobe segments (libjpeg's `examine_app0` and
    /// `examine_app14`).
    fn note_application(&mut self, marker: u8, body: &[u8]) {
        if marker == code::APP0 && body.len() >= JFIF_LENGTH && body.starts_with(b"JFIF\0") {
            self.jfif = true;
        }
        if marker == code::APP14 && body.len() >= ADOBE_LENGTH && body.starts_with(b"Adobe") {
            self.adobe_transform = Some(body[ADOBE_LENGTH - 1]);
        }
    }

    /// DQT: one or more tables, 8- or 16-bit, in zig-zag order.
    fn parse_dqt(&mut self, mut body: &[u8]) -> Result<(), Problem> {
        while let Some((&pq_tq, rest)) = body.split_first() {
            let slot = usize::from(pq_tq & 15);
            let wide = pq_tq >> 4 != 0;
            if slot >= TABLE_SLOTS {
                return Err(malformed("a quantisation table slot over 3"));
            }
            let size = if wide { 2 * BLOCK_SIZE } else { BLOCK_SIZE };
            let values = rest
                .get(..size)
                .ok_or(Malformed("a DQT segment of the wrong length"))?;
            let mut table = [0u16; BLOCK_SIZE];
            for (k, &natural) in ZIGZAG.iter().take(BLOCK_SIZE).enumerate() {
                table[natural] = if wide {
                    u16::from(values[2 * k]) << 8 | u16::from(values[2 * k + 1])
                } else {
                    u16::from(values[k])
                };
            }
            self.quant[slot] = Some(table);
            body = &rest[size..];
        }
        Ok(())
    }

    /// DHT: one or more tables.
    fn parse_dht(&mut self, mut body: &[u8]) -> Result<(), Problem> {
        while !body.is_empty() {
            let (head, rest) = body
                .split_at_checked(1 + MAX_CODE_LENGTH)
                .ok_or(Malformed("a DHT segment of the wrong length"))?;
            let class_slot = head[0];
            let mut counts = [0u8; MAX_CODE_LENGTH];
            counts.copy_from_slice(&head[1..]);
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            if total > MAX_SYMBOLS || total > rest.len() {
                return Err(malformed("a bad Huffman table"));
            }
            let spec = HuffSpec {
                counts,
                symbols: rest[..total].to_vec(),
            };
            let slot = usize::from(class_slot & 0x0F);
            match class_slot >> 4 {
                0 if slot < TABLE_SLOTS => self.dc[slot] = Some(spec),
                1 if slot < TABLE_SLOTS => self.ac[slot] = Some(spec),
                _ => return Err(malformed("a Huffman table slot out of range")),
            }
            body = &rest[total..];
        }
        Ok(())
    }
}

/// SOF: precision, size, components.
fn parse_frame(body: &[u8], coding: Coding) -> Result<FrameHeader, Problem> {
    let [precision, h_hi, h_lo, w_hi, w_lo, count, specs @ ..] = body else {
        return Err(malformed("a frame header of the wrong length"));
    };
    match precision {
        8 => {}
        12 | 16 => return Err(unsupported("12- or 16-bit samples")),
        _ => return Err(malformed("a sample precision other than 8 bits")),
    }
    let height = u16::from(*h_hi) << 8 | u16::from(*h_lo);
    let width = u16::from(*w_hi) << 8 | u16::from(*w_lo);
    let count = usize::from(*count);
    if specs.len() != 3 * count {
        return Err(malformed("a frame header of the wrong length"));
    }
    match count {
        0 => return Err(malformed("a frame with no components")),
        1 | 3 | 4 => {}
        _ => return Err(unsupported("a component count other than 1, 3 or 4")),
    }
    if width == 0 {
        return Err(malformed("a frame of width 0"));
    }
    if height == 0 {
        return Err(unsupported("the height is given by a DNL marker"));
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(unsupported("a side over 65500 pixels"));
    }
    let mut components = Vec::with_capacity(count);
    for spec in specs.chunks_exact(3) {
        let (h, v) = (spec[1] >> 4, spec[1] & 15);
        if !(1..=MAX_SAMPLING).contains(&h) || !(1..=MAX_SAMPLING).contains(&v) {
            return Err(malformed("a sampling factor outside 1..=4"));
        }
        components.push(ComponentSpec {
            id: spec[0],
            h: usize::from(h),
            v: usize::from(v),
            table: usize::from(spec[2]),
        });
    }
    Ok(FrameHeader {
        coding,
        width: usize::from(width),
        height: usize::from(height),
        components,
    })
}

/// SOS: the components in the scan and the spectral and successive
/// approximation parameters.
fn parse_scan(body: &[u8], frame: &FrameHeader) -> Result<ScanHeader, Problem> {
    let Some((&count, rest)) = body.split_first() else {
        return Err(malformed("a scan header of the wrong length"));
    };
    let count = usize::from(count);
    if !(1..=MAX_COMPONENTS_IN_SCAN).contains(&count) || rest.len() != 2 * count + 3 {
        return Err(malformed("a scan header of the wrong length"));
    }
    let mut components: Vec<ScanComponent> = Vec::with_capacity(count);
    for pair in rest[..2 * count].chunks_exact(2) {
        // The first frame component with this id not already in the scan
        // (libjpeg's `get_sos`).
        let index = frame
            .components
            .iter()
            .enumerate()
            .position(|(i, c)| c.id == pair[0] && !components.iter().any(|s| s.index == i))
            .ok_or(Malformed("a scan names a component the frame lacks"))?;
        components.push(ScanComponent {
            index,
            dc_table: usize::from(pair[1] >> 4),
            ac_table: usize::from(pair[1] & 15),
        });
    }
    let tail = &rest[2 * count..];
    Ok(ScanHeader {
        components,
        ss: usize::from(tail[0]),
        se: usize::from(tail[1]),
        ah: u32::from(tail[2] >> 4),
        al: u32::from(tail[2] & 15),
    })
}

/// Width and height from the frame header, reading nothing past it.
pub(crate) fn frame_size(data: &[u8]) -> Result<(usize, usize), Problem> {
    let mut cursor = Cursor::new(data);
    cursor.expect_soi()?;
    let mut tables = Tables::default();
    match tables.read_until_stop(&mut cursor, None)? {
        Stop::Frame(frame) => Ok((frame.width, frame.height)),
        _ => Err(malformed("no frame header")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_visits_every_position_once() {
        let mut seen = [false; BLOCK_SIZE];
        for &n in &ZIGZAG[..BLOCK_SIZE] {
            assert!(!seen[n]);
            seen[n] = true;
        }
        // Neighbours in zig-zag order are neighbours in the block.
        for k in 1..BLOCK_SIZE {
            let (a, b) = (ZIGZAG[k - 1], ZIGZAG[k]);
            let (ra, ca, rb, cb) = (a / 8, a % 8, b / 8, b % 8);
            assert!(ra.abs_diff(rb) <= 1 && ca.abs_diff(cb) <= 1, "{a} {b}");
        }
    }

    #[test]
    fn next_marker_skips_junk_fill_and_stuffing() {
        let data = [0x00, 0x12, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xC4];
        let mut c = Cursor::new(&data);
        assert_eq!(c.next_marker().unwrap(), 0xC4);
        assert_eq!(c.position(), data.len());
    }

    #[test]
    fn frame_size_reads_the_sof() {
        let data = [
            0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 0xAA, 0xBB, 0xFF, 0xC0, 0x00, 0x0B, 8, 0x00, 0x0D,
            0x00, 0x07, 1, 1, 0x11, 0,
        ];
        assert_eq!(frame_size(&data).unwrap(), (7, 13));
        assert!(frame_size(&data[..15]).is_err());
    }

    #[test]
    fn frames_libjpeg_refuses_are_refused() {
        let sof = |precision: u8, count: u8, sampling: u8| {
            let mut body = vec![precision, 0, 8, 0, 8, count];
            for i in 0..count {
                body.extend_from_slice(&[i + 1, sampling, 0]);
            }
            parse_frame(&body, Coding::Sequential)
        };
        assert!(sof(8, 3, 0x22).is_ok());
        assert!(matches!(sof(12, 3, 0x11), Err(Problem::Unsupported(_))));
        assert!(matches!(sof(8, 2, 0x11), Err(Problem::Unsupported(_))));
        assert!(matches!(sof(8, 3, 0x51), Err(Problem::Malformed(_))));
        assert!(matches!(sof(8, 3, 0x10), Err(Problem::Malformed(_))));
    }
}
