//! JPEG decoding that gives, sample for sample, what Pillow gives with its
//! libjpeg-turbo (`Image.open(p).convert('RGB')`, or mode L for grey files):
//! libjpeg's integer IDCT, fancy upsampling, fixed-point colour conversion
//! and progressive block smoothing, and Pillow's CMYK handling. Also a
//! decode at 1/2, 1/4 or 1/8 size through libjpeg's reduced IDCTs, which
//! passes over the coefficients those do not read: AC codes read without
//! being stored at 1/8, progressive scans of unread bands not decoded.
//!
//! Baseline, extended sequential and progressive Huffman files with 1, 3 or
//! 4 components and any integer sampling ratios are read; arithmetic
//! coding, lossless and hierarchical files, and 12-bit samples are
//! refused as unsupported. Unlike libjpeg, data that ends early or breaks
//! off at a wrong marker is an error, never a grey fill.
//!
//! One file per step: [`markers`] (segments), [`huffman`] and [`bits`]
//! (entropy decoding), [`scan`] (the MCU walk and restarts), [`sequential`]
//! and [`progressive`] (blocks), [`coefficients`] and [`smoothing`]
//! (multi-scan images), [`idct`] and [`reduced`] (transforms), [`frame`]
//! (geometry), [`upsample`], [`color`] and [`output`] (pixels).

mod bits;
mod coefficients;
mod color;
mod frame;
mod huffman;
mod idct;
#[cfg(any(not(target_arch = "x86_64"), test))]
mod idct32;
// The SSE2 IDCT: `unsafe` for the intrinsics (see the module).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod idct_sse2;
mod markers;
mod output;
mod progressive;
mod reduced;
mod scan;
mod sequential;
mod smoothing;
mod std_tables;
mod upsample;

use std::rc::Rc;

use coefficients::Coefficients;
use color::ColorSpace;
use frame::{Frame, BLOCK_SIDE};
use huffman::{HuffSpec, HuffTable, SkipTable};
use idct::Multipliers;
use markers::{Coding, Cursor, FrameHeader, ScanHeader, Stop, Tables, BLOCK_SIZE, ZIGZAG};
use output::Output;
use progressive::{Pass, ProgressiveScan};
use sequential::{IntoCoefficients, IntoPlanes, ScanTables};

/// Most scans read from one file: a progressive file needs about ten, a
/// generous successive-approximation script a few dozen; each scan walks
/// every block it covers, so the count bounds the work a small hostile file
/// can ask for.
const MAX_SCANS: usize = 256;

/// Bad data, with what was wrong. Small, for the hot decoding paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) &'static str);

/// Why a file was not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Corrupt or truncated.
    Malformed(Malformed),
    /// Valid, but a feature not decoded here.
    Unsupported(&'static str),
}

/// Why a file was not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The data is corrupt or cut short (what was wrong).
    #[error("corrupt JPEG: {0}")]
    Corrupt(&'static str),
    /// A valid file using a feature this decoder does not read (which).
    #[error("unsupported JPEG: {0}")]
    Unsupported(&'static str),
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Error {
        match p {
            Problem::Malformed(Malformed(detail)) => Error::Corrupt(detail),
            Problem::Unsupported(detail) => Error::Unsupported(detail),
        }
    }
}

/// A decoded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width of the pixels held here.
    pub width: usize,
    /// Height of the pixels held here.
    pub height: usize,
    /// Width of the image in the file (differs from `width` when decoded
    /// scaled).
    pub source_width: usize,
    /// Height of the image in the file.
    pub source_height: usize,
    /// Pixels of the file per pixel held here, along each side: 1 at full
    /// size, 2, 4 or 8 when decoded scaled.
    pub block: usize,
    /// The pixels, row by row.
    pub pixels: Pixels,
}

/// Samples of a decoded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pixels {
    /// One grey sample a pixel (grey files, and the luma of a decode for
    /// hashing at a reduced size).
    Gray(Vec<u8>),
    /// Red, green and blue a pixel.
    Rgb(Vec<u8>),
}

impl Pixels {
    /// Samples a pixel.
    pub fn channels(&self) -> usize {
        match self {
            Pixels::Gray(_) => 1,
            Pixels::Rgb(_) => 3,
        }
    }

    /// Every sample.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Pixels::Gray(p) | Pixels::Rgb(p) => p,
        }
    }
}

/// Width and height from the frame header, without decoding.
pub fn dimensions(bytes: &[u8]) -> Result<(usize, usize), Error> {
    Ok(markers::frame_size(bytes)?)
}

/// What a decode keeps of each block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Every coefficient the (scaled) IDCT reads: libjpeg's output.
    Exact,
    /// What a PDQ hash of the image needs, for the fast pipeline: a YCbCr
    /// image decoded at 1/2, 1/4 or 1/8 gives its Y plane alone, as grey,
    /// and its chroma keeps only the DC term (read, never output). PDQ's
    /// luma (0.299 R + 0.587 G + 0.114 B) of JPEG's YCbCr-to-RGB
    /// conversion is Y itself, the chroma terms cancelling but for rounding
    /// and clipping. At full size (small images, hashed as they are)
    /// clipping at saturated edges did move hashes, so the output stays
    /// RGB there, as libjpeg gives it; luma keeps every coefficient
    /// everywhere (keeping only its lowest frequencies moved 1/4-scale
    /// hashes by 6 to 14 bits).
    ForHash,
}

/// Decodes at full size: grey files give one channel, all others RGB.
pub fn decode_full(bytes: &[u8]) -> Result<Image, Error> {
    Ok(decode(bytes, BLOCK_SIDE, true, Detail::Exact)?)
}

/// Decodes at `1/denominator` of the size (1, 2, 4 or 8) for hashing
/// ([`Detail::ForHash`]).
pub fn decode_for_hash(bytes: &[u8], denominator: usize) -> Result<Image, Error> {
    decode_scaled_detail(bytes, denominator, true, Detail::ForHash)
}

/// Decodes at `1/denominator` of the size (1, 2, 4 or 8) in the DCT domain;
/// `source_width` and `source_height` stay the full size.
#[cfg(test)]
pub(crate) fn decode_scaled(bytes: &[u8], denominator: usize) -> Result<Image, Error> {
    decode_scaled_detail(bytes, denominator, true, Detail::Exact)
}

/// [`decode_scaled`], with `skip` saying whether coefficients the scaled
/// IDCT does not read may be passed over (AC codes read without being
/// stored, progressive scans of such coefficients not decoded at all).
/// Either way gives the same pixels; `false` is there to show it.
pub(crate) fn decode_scaled_detail(
    bytes: &[u8],
    denominator: usize,
    skip: bool,
    detail: Detail,
) -> Result<Image, Error> {
    let scale = match denominator {
        1 => BLOCK_SIDE,
        2 | 4 | 8 => BLOCK_SIDE / denominator,
        _ => return Err(Problem::Unsupported("a scale other than 1/1, 1/2, 1/4 or 1/8").into()),
    };
    Ok(decode(bytes, scale, skip, detail)?)
}

/// Decodes with `scale` samples per block side, keeping what `detail`
/// says, passing over unread coefficients when `skip` is set.
fn decode(bytes: &[u8], scale: usize, skip: bool, detail: Detail) -> Result<Image, Problem> {
    let mut cursor = Cursor::new(bytes);
    cursor.expect_soi()?;
    let mut tables = Tables::default();
    let header = match tables.read_until_stop(&mut cursor, None)? {
        Stop::Frame(header) => header,
        _ => return Err(Problem::Malformed(Malformed("no frame header"))),
    };
    let frame = Frame::new(&header, scale)?;
    let first = match tables.read_until_stop(&mut cursor, Some(&header))? {
        Stop::Scan(scan) => scan,
        _ => return Err(Problem::Malformed(Malformed("no scan"))),
    };
    check_data_suffices(&cursor, &frame, &first)?;
    let color = ColorSpace::detect(&header, &tables);
    let reading = Reading {
        skip,
        dc_only: dc_only_per_component(&frame, color, detail),
    };
    let luma_only =
        detail == Detail::ForHash && frame.scale < BLOCK_SIDE && color == ColorSpace::YCbCr;
    let mut output = Output::new(&frame, color, luma_only)?;
    let single =
        header.coding == Coding::Sequential && first.components.len() == header.components.len();
    let mut planes = output::planes(&frame, single)?;
    if single {
        let quant = latch_all(&tables, &frame)?;
        // A scan of one component (a grey frame) has MCUs of one block.
        let rows_per_mcu_row = match frame.components.as_slice() {
            [only] => only.block_size,
            _ => frame.max_v * frame.scale,
        };
        let mut decoder = IntoPlanes {
            tables: scan_tables(&tables, &first, &reading)?,
            quant,
            frame: &frame,
            planes: &mut planes,
            output: &mut output,
            rows_per_mcu_row,
            predictions: [0; 4],
            block: [0; BLOCK_SIZE],
        };
        scan::decode_scan(
            &mut cursor,
            &frame,
            &first,
            tables.restart_interval,
            &mut decoder,
        )?;
        match tables.read_until_stop(&mut cursor, Some(&header))? {
            Stop::End => {}
            _ => return Err(Problem::Malformed(Malformed("data after the only scan"))),
        }
    } else {
        let done = decode_multi_scan(
            &mut cursor,
            &mut tables,
            &header,
            &frame,
            first,
            &mut planes,
            &reading,
        )?;
        if done == MultiScan::NeedsEveryScan {
            return decode(bytes, scale, false, detail);
        }
    }
    output.emit(&planes, frame.out_height);
    let pixels = match output.color() {
        ColorSpace::Gray => Pixels::Gray(output.into_pixels()),
        _ => Pixels::Rgb(output.into_pixels()),
    };
    Ok(Image {
        width: frame.out_width,
        height: frame.out_height,
        source_width: frame.width,
        source_height: frame.height,
        block: BLOCK_SIDE / scale,
        pixels,
    })
}

/// Refuses, before anything large is allocated, a first scan whose data
/// cannot hold its blocks: a scan that codes DC terms spends at least one
/// bit (a Huffman code) on every block. A few bytes declaring a huge image
/// thus cost nothing.
fn check_data_suffices(cursor: &Cursor, frame: &Frame, scan: &ScanHeader) -> Result<(), Problem> {
    let codes_dc = frame.coding == Coding::Sequential || (scan.ss == 0 && scan.ah == 0);
    let available_bits = (cursor.data().len().saturating_sub(cursor.position())).saturating_mul(8);
    if codes_dc && scan::block_count(frame, scan)? > available_bits {
        return Err(Problem::Malformed(Malformed(
            "the data is too short for the image size",
        )));
    }
    Ok(())
}

/// How a multi-scan decode ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MultiScan {
    /// The planes are filled.
    Done,
    /// A refinement scan needs coefficients of a scan that was passed
    /// over: the file must be decoded again without skipping.
    NeedsEveryScan,
}

/// Bits `ss..=se` of a zig-zag coefficient mask.
fn band_mask(ss: usize, se: usize) -> u64 {
    (ss..=se.min(BLOCK_SIZE - 1)).fold(0, |mask, k| mask | 1 << k)
}

/// Progressive files and sequential files with more than one scan: all
/// scans into the coefficient store, then the IDCT (with block smoothing
/// where libjpeg applies it). With `skip`, a progressive scan whose band
/// holds no coefficient the IDCT reads is passed over; block smoothing
/// only estimates a coefficient from the DC terms and its own value, so
/// it reads no other.
fn decode_multi_scan(
    cursor: &mut Cursor,
    tables: &mut Tables,
    header: &FrameHeader,
    frame: &Frame,
    first: ScanHeader,
    planes: &mut [output::Plane],
    reading: &Reading,
) -> Result<MultiScan, Problem> {
    // Components that use only their DC term and read past the rest hold
    // only it.
    let compact: Vec<bool> = reading.dc_only.iter().map(|&d| d && reading.skip).collect();
    let mut store = Coefficients::new(frame, &compact)?;
    // Per component, zig-zag masks of the coefficients the IDCT reads (the
    // DC term alone where only it is used) and of those whose scans were
    // passed over.
    let read: Vec<u64> = frame
        .components
        .iter()
        .zip(&reading.dc_only)
        .map(|(c, &dc_only)| {
            let natural = match dc_only {
                true => 1,
                false => reduced::coefficients_read(c.block_size),
            };
            (0..BLOCK_SIZE).fold(0, |mask, k| mask | (natural >> ZIGZAG[k] & 1) << k)
        })
        .collect();
    let mut skipped = vec![0u64; frame.components.len()];
    let mut progress: progressive::Progress = vec![[-1; BLOCK_SIZE]; frame.components.len()];
    // Quantisation tables are latched at each component's first scan.
    let mut latched: Vec<Option<[u16; BLOCK_SIZE]>> = vec![None; frame.components.len()];
    let mut scan = first;
    for count in 1.. {
        if count > MAX_SCANS {
            return Err(Problem::Unsupported("more than 256 scans"));
        }
        for sc in &scan.components {
            if let Some(slot @ None) = latched.get_mut(sc.index) {
                let table = frame
                    .components
                    .get(sc.index)
                    .and_then(|c| tables.quant.get(c.table))
                    .and_then(|t| t.as_ref())
                    .ok_or(Malformed("a component without a quantisation table"))?;
                *slot = Some(*table);
            }
        }
        let restart = tables.restart_interval;
        match frame.coding {
            Coding::Sequential => {
                let mut decoder = IntoCoefficients {
                    tables: scan_tables(tables, &scan, reading)?,
                    store: &mut store,
                    predictions: [0; 4],
                };
                scan::decode_scan(cursor, frame, &scan, restart, &mut decoder)?;
            }
            Coding::Progressive => {
                let pass = progressive::start_pass(&scan, &mut progress)?;
                let mut dc = Vec::new();
                let mut ac = None;
                match pass {
                    Pass::DcFirst => {
                        for sc in &scan.components {
                            dc.push(*huffman_table(tables, true, sc.dc_table)?);
                        }
                    }
                    Pass::AcFirst | Pass::AcRefine => {
                        let sc = scan.components.first().ok_or(Malformed("an empty scan"))?;
                        ac = Some(huffman_table(tables, false, sc.ac_table)?);
                    }
                    Pass::DcRefine => {}
                }
                let band = band_mask(scan.ss, scan.se);
                let used = scan
                    .components
                    .iter()
                    .any(|sc| read.get(sc.index).is_some_and(|r| r & band != 0));
                if reading.skip && !used {
                    for sc in &scan.components {
                        if let Some(s) = skipped.get_mut(sc.index) {
                            *s |= band;
                        }
                    }
                    scan::skip_scan(cursor, frame, &scan, restart)?;
                } else {
                    let refines_skipped = pass == Pass::AcRefine
                        && scan
                            .components
                            .iter()
                            .any(|sc| skipped.get(sc.index).is_some_and(|s| s & band != 0));
                    if refines_skipped {
                        return Ok(MultiScan::NeedsEveryScan);
                    }
                    let mut decoder = ProgressiveScan {
                        pass,
                        components: scan.components.iter().map(|c| c.index).collect(),
                        dc,
                        ac,
                        ss: scan.ss,
                        se: scan.se,
                        al: scan.al,
                        store: &mut store,
                        predictions: [0; 4],
                        eob_run: 0,
                    };
                    scan::decode_scan(cursor, frame, &scan, restart, &mut decoder)?;
                }
            }
        }
        match tables.read_until_stop(cursor, Some(header))? {
            Stop::Scan(next) => scan = next,
            Stop::End => break,
            Stop::Frame(_) => return Err(Problem::Malformed(Malformed("a second frame header"))),
        }
    }
    let multipliers: Vec<Multipliers> = latched
        .iter()
        .map(|t| t.as_ref().map_or([0; BLOCK_SIZE], idct::multipliers))
        .collect();
    // A component that uses only its DC term drops any AC coefficient a
    // scan stored the plain way; skipping never stores one (its AC scans are
    // passed over, its sequential AC codes read past).
    if !reading.skip {
        for (blocks, _) in (store.components.iter_mut().zip(&reading.dc_only)).filter(|(_, &d)| d) {
            blocks.clear_ac();
        }
    }
    if smoothing::applies(frame, &latched, &progress) {
        smoothing::to_planes(frame, &store, &latched, &multipliers, &progress, planes);
    } else {
        store.to_planes(frame, &multipliers, planes);
    }
    Ok(MultiScan::Done)
}

/// The quantisation multipliers of every component, for a single scan.
fn latch_all(tables: &Tables, frame: &Frame) -> Result<Vec<Multipliers>, Problem> {
    frame
        .components
        .iter()
        .map(|c| {
            tables
                .quant
                .get(c.table)
                .and_then(|t| t.as_ref())
                .map(idct::multipliers)
                .ok_or(Problem::Malformed(Malformed(
                    "a component without a quantisation table",
                )))
        })
        .collect()
}

/// Per component, whether a decode uses only the DC term: at one sample
/// per block (the 1x1 IDCT reads nothing else), and for
/// [`Detail::ForHash`] chroma in a scaled decode.
fn dc_only_per_component(frame: &Frame, color: ColorSpace, detail: Detail) -> Vec<bool> {
    frame
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.block_size == 1
                || (detail == Detail::ForHash
                    && frame.scale < BLOCK_SIDE
                    && color == ColorSpace::YCbCr
                    && i > 0)
        })
        .collect()
}

/// How the scans of one decode are read.
struct Reading {
    /// Whether coefficients that are not used may be passed over.
    skip: bool,
    /// Per component, whether only its DC term is used.
    dc_only: Vec<bool>,
}

/// The DC and AC tables of each component of a sequential scan; when
/// skipping, a skip table for each component that uses only the DC term,
/// built once for the components that share an AC table (the two chroma
/// components, as a rule).
fn scan_tables(
    tables: &Tables,
    scan: &ScanHeader,
    reading: &Reading,
) -> Result<Vec<ScanTables>, Problem> {
    let mut built: Vec<(usize, Rc<SkipTable>)> = Vec::new();
    scan.components
        .iter()
        .map(|sc| {
            let ac = huffman_table(tables, false, sc.ac_table)?;
            let dc_only = reading.dc_only.get(sc.index).copied().unwrap_or(false);
            let skip = (reading.skip && dc_only).then(|| {
                match built.iter().find(|(slot, _)| *slot == sc.ac_table) {
                    Some((_, table)) => Rc::clone(table),
                    None => {
                        let table = Rc::new(SkipTable::build(&ac));
                        built.push((sc.ac_table, Rc::clone(&table)));
                        table
                    }
                }
            });
            Ok(ScanTables {
                component: sc.index,
                dc: huffman_table(tables, true, sc.dc_table)?,
                dc_only,
                skip,
                ac,
            })
        })
        .collect()
}

/// A Huffman table by slot; slots 0 and 1 left undefined fall back on the
/// Annex K tables as in libjpeg (`jpeg_std_huff_table`).
fn huffman_table(tables: &Tables, dc: bool, slot: usize) -> Result<Box<HuffTable>, Problem> {
    let defined = if dc { &tables.dc } else { &tables.ac };
    let spec = match (defined.get(slot).and_then(|s| s.as_ref()), dc, slot) {
        (Some(spec), _, _) => spec.clone(),
        (None, true, 0) => HuffSpec::from_standard(std_tables::DC_LUMINANCE),
        (None, true, 1) => HuffSpec::from_standard(std_tables::DC_CHROMINANCE),
        (None, false, 0) => HuffSpec::from_standard(std_tables::AC_LUMINANCE),
        (None, false, 1) => HuffSpec::from_standard(std_tables::AC_CHROMINANCE),
        _ => {
            return Err(Problem::Malformed(Malformed(
                "a scan uses an undefined Huffman table",
            )))
        }
    };
    Ok(HuffTable::build(&spec, dc)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files of the coverage set (`tests/jpeg_support/cases`).
    const CASES: [(&str, &[u8]); 6] = [
        (
            "4:2:0",
            include_bytes!("../tests/jpeg_support/cases/sample_2x2.jpg"),
        ),
        (
            "4:2:2 progressive",
            include_bytes!("../tests/jpeg_support/cases/sample_2x1_prog.jpg"),
        ),
        (
            "4:4:0",
            include_bytes!("../tests/jpeg_support/cases/sample_1x2.jpg"),
        ),
        (
            "3x2 sampling",
            include_bytes!("../tests/jpeg_support/cases/sample_3x2.jpg"),
        ),
        (
            "grey",
            include_bytes!("../tests/jpeg_support/cases/gray.jpg"),
        ),
        (
            "CMYK",
            include_bytes!("../tests/jpeg_support/cases/pil_cmyk.jpg"),
        ),
    ];

    /// Mean of each `factor x factor` block of `full` (partial blocks at
    /// the right and bottom edges included).
    fn block_means(full: &Image, factor: usize) -> Vec<f64> {
        let c = full.pixels.channels();
        let (w, h) = (full.width.div_ceil(factor), full.height.div_ceil(factor));
        let px = full.pixels.as_slice();
        let mut out = Vec::with_capacity(w * h * c);
        for by in 0..h {
            for bx in 0..w {
                for ch in 0..c {
                    let (mut sum, mut n) = (0.0, 0.0);
                    for y in by * factor..((by + 1) * factor).min(full.height) {
                        for x in bx * factor..((bx + 1) * factor).min(full.width) {
                            sum += f64::from(px[(y * full.width + x) * c + ch]);
                            n += 1.0;
                        }
                    }
                    out.push(sum / n);
                }
            }
        }
        out
    }

    #[test]
    fn scaled_decodes_have_the_reduced_size_and_the_block_means() {
        for (name, bytes) in CASES {
            let full = decode_full(bytes).unwrap();
            for denominator in [1, 2, 4, 8] {
                let scaled = decode_scaled(bytes, denominator).unwrap();
                assert_eq!(
                    (scaled.source_width, scaled.source_height),
                    (full.width, full.height)
                );
                assert_eq!(
                    (scaled.width, scaled.height),
                    (
                        full.width.div_ceil(denominator),
                        full.height.div_ceil(denominator)
                    ),
                    "{name} 1/{denominator}"
                );
                if denominator == 1 {
                    assert_eq!(scaled, full, "{name}");
                    continue;
                }
                let want = block_means(&full, denominator);
                let got = scaled.pixels.as_slice();
                let mean_error = got
                    .iter()
                    .zip(&want)
                    .map(|(&g, &w)| (f64::from(g) - w).abs())
                    .sum::<f64>()
                    / want.len() as f64;
                assert!(mean_error < 4.0, "{name} 1/{denominator}: {mean_error}");
            }
        }
    }

    /// The JPEGs of a directory and those below it.
    fn jpegs_below(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                jpegs_below(&path, out);
            } else if path.extension().is_some_and(|x| x == "jpg") {
                out.push(path);
            }
        }
    }

    /// Every JPEG of the PDQ test data and of the coverage set, and a few
    /// robustness photographs with their re-encoded and greyed copies.
    fn skip_test_files() -> Vec<std::path::PathBuf> {
        let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let testdata = crate_dir.join("../../../shared/testdata");
        let mut files = Vec::new();
        jpegs_below(&testdata.join("pdq/data"), &mut files);
        jpegs_below(&crate_dir.join("tests/jpeg_support/cases"), &mut files);
        let robustness = testdata.join("robustness");
        for name in ["gc-details-egeskovslotspejling", "gc-erase-horse"] {
            files.push(robustness.join(format!("images/{name}.jpg")));
            for variant in ["jpeg_q30", "gray", "scale_50"] {
                files.push(robustness.join(format!("variants/{name}__{variant}.jpg")));
            }
        }
        files
    }

    /// Pillow 13 `im.draft('RGB', (w / 8, h / 8))` of the large test JPEGs:
    /// `path width height sha256-prefix`.
    const DRAFT_EIGHTHS: &str = "\
pdq/data/reg-test-input/exif-rotn/exif-rotn-1.jpg 504 378 d3361b3ef51f98c8
pdq/data/reg-test-input/exif-rotn/exif-rotn-3.jpg 504 378 d33b75cadfb68a4a
pdq/data/reg-test-input/exif-rotn/exif-rotn-6.jpg 504 378 630a3386fa10962e
pdq/data/reg-test-input/exif-rotn/exif-rotn-8.jpg 504 378 10c94bcdc2943d70
";

    #[test]
    fn eighth_size_equals_libjpeg_scaled_decoding() {
        use sha2::{Digest, Sha256};
        let testdata =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
        for line in DRAFT_EIGHTHS.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            let bytes = std::fs::read(testdata.join(f[0])).unwrap();
            let d = decode_scaled(&bytes, 8).unwrap();
            assert_eq!((d.source_width, d.source_height), (4032, 3024));
            assert_eq!(
                format!("{} {}", d.width, d.height),
                format!("{} {}", f[1], f[2])
            );
            let digest: String = Sha256::digest(d.pixels.as_slice())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(&digest[..16], f[3], "{}", f[0]);
            // For hashing, chroma keeps only its DC term at this scale:
            // other pixels, the same size.
            let for_hash = decode_for_hash(&bytes, 8).unwrap();
            assert_eq!((for_hash.width, for_hash.height), (d.width, d.height));
            assert_ne!(for_hash.pixels, d.pixels, "{}", f[0]);
        }
    }

    #[test]
    fn skipping_unread_coefficients_changes_no_pixel() {
        let files = skip_test_files();
        assert!(files.len() > 80, "{} files", files.len());
        let mut progressive = 0;
        for path in files {
            let bytes = std::fs::read(&path).unwrap();
            progressive += usize::from(bytes.windows(2).any(|w| w == [0xFF, 0xC2]));
            for (denominator, detail) in [2, 4, 8]
                .into_iter()
                .flat_map(|d| [(d, Detail::Exact), (d, Detail::ForHash)])
            {
                let skipped = decode_scaled_detail(&bytes, denominator, true, detail);
                let decoded = decode_scaled_detail(&bytes, denominator, false, detail);
                let at = format!("{} 1/{denominator} {detail:?}", path.display());
                match (skipped, decoded) {
                    (Ok(a), Ok(b)) => assert!(a == b, "{at}"),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("{at}: {a:?} {b:?}"),
                }
            }
        }
        assert!(progressive >= 10, "{progressive} progressive files");
    }

    #[test]
    fn a_refinement_of_a_skipped_band_decodes_every_scan() {
        // Luma band 3..=3 (row 2 of the block), which the 2-point IDCT
        // does not read, comes alone and is then refined with 1..=63;
        // chroma band 10..=10 (row 4) is read at no scale below 1/1.
        let bytes = include_bytes!("../tests/jpeg_support/cases/scan_skipped_bands.jpg");
        let mut cursor = Cursor::new(bytes);
        cursor.expect_soi().unwrap();
        let mut tables = Tables::default();
        let Ok(Stop::Frame(header)) = tables.read_until_stop(&mut cursor, None) else {
            panic!("no frame header");
        };
        assert_eq!(header.coding, Coding::Progressive);
        for denominator in [2, 4, 8] {
            for detail in [Detail::Exact, Detail::ForHash] {
                let skipped = decode_scaled_detail(bytes, denominator, true, detail).unwrap();
                let decoded = decode_scaled_detail(bytes, denominator, false, detail).unwrap();
                assert_eq!(skipped, decoded, "1/{denominator} {detail:?}");
            }
        }
    }

    #[test]
    fn other_scales_are_refused() {
        let (_, bytes) = CASES[0];
        assert!(matches!(
            decode_scaled(bytes, 3),
            Err(Error::Unsupported(_))
        ));
    }

    #[test]
    fn dimensions_come_from_the_frame_header() {
        for (_, bytes) in CASES {
            let full = decode_full(bytes).unwrap();
            assert_eq!(dimensions(bytes).unwrap(), (full.width, full.height));
            // Nothing past the frame header is read.
            let sof = bytes
                .windows(2)
                .position(|w| w[0] == 0xFF && (0xC0..=0xC2).contains(&w[1]))
                .unwrap();
            let end = sof + 2 + (usize::from(bytes[sof + 2]) << 8 | usize::from(bytes[sof + 3]));
            assert_eq!(
                dimensions(&bytes[..end]).unwrap(),
                (full.width, full.height)
            );
        }
    }
}
