//! From decoded component planes to output pixels, a row at a time: each
//! component row upsampled to the output width (if it needs it), then the
//! row converted to grey or RGB. Rows are emitted as soon as the planes
//! hold every row they depend on, so that a single-scan image is turned
//! into pixels while its planes are still in cache.

use super::color::{self, ColorSpace};
use super::frame::Frame;
use super::upsample::{self, Method};
use super::Problem;

/// One component's decoded samples, rows `stride` apart, the MCU grid's
/// dummy blocks included: all rows, or for a single-scan image a ring of
/// the last two MCU rows, which is all the output rows still to emit need.
pub(crate) struct Plane {
    /// The samples.
    pub(crate) data: Vec<u8>,
    /// Samples per row.
    pub(crate) stride: usize,
    /// Rows held; row `y` is stored at `y % ring`.
    pub(crate) ring: usize,
}

impl Plane {
    /// Row `y`, or an empty slice if it is not held.
    pub(crate) fn row(&self, y: usize) -> &[u8] {
        let start = self.slot(y) * self.stride;
        self.data.get(start..start + self.stride).unwrap_or(&[])
    }

    /// The samples from the start of block row `by`, column `bx`, with
    /// blocks of `size` samples a side.
    pub(crate) fn block_mut(&mut self, bx: usize, by: usize, size: usize) -> Option<&mut [u8]> {
        let start = self.slot(by * size) * self.stride + bx * size;
        self.data.get_mut(start..)
    }

    /// Where row `y` is stored: `y % ring`, without a division on the
    /// paths every block takes (whole planes never wrap; rings are a power
    /// of two rows).
    #[inline(always)]
    fn slot(&self, y: usize) -> usize {
        if y < self.ring {
            y
        } else if self.ring.is_power_of_two() {
            y & (self.ring - 1)
        } else {
            y % self.ring.max(1)
        }
    }
}

/// MCU rows a single-scan image keeps of each plane: the row being decoded
/// and the one before, whose last output rows wait for the next row's
/// first samples.
const RING_MCU_ROWS: usize = 2;

/// Allocates a plane for each component of `frame`, checking the sizes:
/// whole planes, or rings of [`RING_MCU_ROWS`] MCU rows when `streaming`
/// (rounded up to a power of two rows).
pub(crate) fn planes(frame: &Frame, streaming: bool) -> Result<Vec<Plane>, Problem> {
    frame
        .components
        .iter()
        .map(|c| {
            let stride = c.padded_w * c.block_size;
            let all = c.padded_h * c.block_size;
            let rows = if streaming {
                all.min((RING_MCU_ROWS * c.v * c.block_size).next_power_of_two())
            } else {
                all
            };
            let len = stride
                .checked_mul(rows)
                .ok_or(Problem::Unsupported("an image too large to decode"))?;
            Ok(Plane {
                data: vec![0; len],
                stride,
                ring: rows,
            })
        })
        .collect()
}

/// How one component reaches the output.
struct Source {
    method: Method,
    /// Real samples per row.
    width: usize,
    /// Real rows.
    height: usize,
}

/// The output image being assembled.
pub(crate) struct Output {
    width: usize,
    height: usize,
    color: ColorSpace,
    sources: Vec<Source>,
    /// One upsampled row per component.
    scratch: Vec<Vec<u8>>,
    /// Column sums for the 2:1 vertical filters.
    sums: Vec<u16>,
    pixels: Vec<u8>,
    /// Rows emitted so far.
    done: usize,
}

impl Output {
    /// An empty image for `frame` in `color`; with `luma_only`, a YCbCr
    /// frame gives its Y plane alone, as grey.
    pub(crate) fn new(
        frame: &Frame,
        color: ColorSpace,
        luma_only: bool,
    ) -> Result<Output, Problem> {
        let needed = match color {
            ColorSpace::Gray => 1,
            ColorSpace::YCbCr | ColorSpace::Rgb => 3,
            ColorSpace::Cmyk | ColorSpace::Ycck => 4,
        };
        if frame.components.len() != needed {
            return Err(Problem::Unsupported(
                "a component count that does not fit its colour space",
            ));
        }
        let (color, emitted) = match (color, luma_only) {
            (ColorSpace::YCbCr, true) => (ColorSpace::Gray, 1),
            _ => (color, needed),
        };
        let fancy = frame.scale > 1;
        let sources = frame
            .components
            .iter()
            .take(emitted)
            .map(|c| {
                let in_h = c.h * c.block_size / frame.scale;
                let in_v = c.v * c.block_size / frame.scale;
                let method = Method::choose(in_h, in_v, frame.max_h, frame.max_v, fancy, c.width)?;
                Ok(Source {
                    method,
                    width: c.width,
                    height: c.height,
                })
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        let len = frame
            .out_width
            .checked_mul(frame.out_height)
            .and_then(|n| n.checked_mul(color.channels()))
            .ok_or(Problem::Unsupported("an image too large to decode"))?;
        let scratch_len = frame.out_width + 2 * frame.max_h;
        Ok(Output {
            width: frame.out_width,
            height: frame.out_height,
            color,
            sources,
            scratch: vec![vec![0; scratch_len]; frame.components.len()],
            sums: Vec::with_capacity(frame.out_width),
            pixels: vec![0; len],
            done: 0,
        })
    }

    /// The colour space of the components.
    pub(crate) fn color(&self) -> ColorSpace {
        self.color
    }

    /// Emits output rows up to (not including) `until`.
    pub(crate) fn emit(&mut self, planes: &[Plane], until: usize) {
        let until = until.min(self.height);
        while self.done < until {
            self.emit_row(planes, self.done);
            self.done += 1;
        }
    }

    /// The finished pixels.
    pub(crate) fn into_pixels(self) -> Vec<u8> {
        self.pixels
    }

    fn emit_row(&mut self, planes: &[Plane], y: usize) {
        let Output {
            width,
            color,
            sources,
            scratch,
            sums,
            pixels,
            ..
        } = self;
        let width = *width;
        let mut rows: [&[u8]; 4] = [&[]; 4];
        for (((slot, source), plane), buf) in rows
            .iter_mut()
            .zip(sources.iter())
            .zip(planes)
            .zip(scratch.iter_mut())
        {
            *slot = component_row(source, plane, y, width, buf, sums);
        }
        let channels = color.channels();
        let Some(out) = pixels.get_mut(y * width * channels..(y + 1) * width * channels) else {
            return;
        };
        match color {
            ColorSpace::Gray => {
                let n = out.len().min(rows[0].len());
                out[..n].copy_from_slice(&rows[0][..n]);
            }
            ColorSpace::YCbCr => color::ycc_to_rgb(rows[0], rows[1], rows[2], out),
            ColorSpace::Rgb => color::rgb_to_rgb(rows[0], rows[1], rows[2], out),
            ColorSpace::Cmyk => color::cmyk_to_rgb(rows[0], rows[1], rows[2], rows[3], out),
            ColorSpace::Ycck => color::ycck_to_rgb(rows[0], rows[1], rows[2], rows[3], out),
        }
    }
}

/// Output row `y` of one component, `width` samples long.
fn component_row<'a>(
    source: &Source,
    plane: &'a Plane,
    y: usize,
    width: usize,
    buf: &'a mut [u8],
    sums: &mut Vec<u16>,
) -> &'a [u8] {
    let real = |row: &'a [u8]| &row[..source.width.min(row.len())];
    let near = plane.row(source.method.source_row(y));
    match source.method {
        Method::Full => return &near[..width.min(near.len())],
        Method::H2V1Fancy => upsample::h2v1_fancy(real(near), buf),
        Method::H1V2Fancy => {
            let (far, bias) = source.method.neighbour_row(y, source.height);
            upsample::h1v2_fancy(near, plane.row(far), bias, buf);
        }
        Method::H2V2Fancy => {
            let (far, _) = source.method.neighbour_row(y, source.height);
            upsample::h2v2_fancy(real(near), real(plane.row(far)), sums, buf);
        }
        Method::Replicate { h, .. } => upsample::replicate(real(near), h, buf),
    }
    &buf[..width.min(buf.len())]
}
