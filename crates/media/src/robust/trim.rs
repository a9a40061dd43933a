//! Uniform borders and letterbox bars: finding the picture inside a frame.
//!
//! A copy with a white frame or black bars above and below hashes far from
//! its original, because PDQ sees the bars as part of the picture. Here
//! each side is walked inward while whole lines (rows or columns) stay the
//! colour of that side's outermost line; what remains is the picture.
//!
//! The same trimming runs on both sides (the original on the victim's
//! device, the copy on the platform), so a photograph whose own edges are
//! dark or blown out is trimmed the same way in both, and the trimmed hashes
//! meet even when the trim ate into the picture.

use super::plane::{Plane, Rect};

/// A line is part of a border when at least this fraction of its pixels is
/// within [`BORDER_TOLERANCE`] of the border's colour. Not 1.0, so that a
/// few JPEG ringing pixels or a small logo in a bar do not stop the trim.
const BORDER_LINE_FRACTION: f32 = 0.97;

/// Luma levels (of 255) a border pixel may differ from the border's colour:
/// JPEG noise on a flat bar at quality 30 to 90 stays within a few levels,
/// and a picture's edge is rarely this flat.
const BORDER_TOLERANCE: f32 = 10.0;

/// The most of each side that may be trimmed: beyond it, what is left is
/// too small a part of the image to be the picture.
const MAX_TRIM_FRACTION: f64 = 0.4;

/// Trims smaller than this fraction of the side are ignored: a line or two
/// of flat edge gives nearly the same hash as the whole image, and a second
/// hash of the same picture would only add comparisons.
const MIN_TRIM_FRACTION: f64 = 0.02;

/// A border may sit inside another of another colour (a phone's status bar
/// above the flat panel around a video): after a side's border, a second
/// one is trimmed too when it is at least this fraction of the side...
const MIN_NESTED_FRACTION: f64 = 0.05;

/// ...and flat to the level all along: the median of each of its lines
/// within this many levels of its first line's. An interface panel is; a
/// photograph's sky, whose rows are as uniform, drifts in a gradient.
const NESTED_DRIFT: f32 = 2.0;

/// The picture inside uniform borders, or `None` when no side has one.
pub(crate) fn trim_borders(plane: &Plane) -> Option<Rect> {
    let r = trim_rect(plane, plane.rect());
    let trimmed = (plane.width - r.width) as f64 / plane.width as f64 >= MIN_TRIM_FRACTION
        || (plane.height - r.height) as f64 / plane.height as f64 >= MIN_TRIM_FRACTION;
    (trimmed && r.width > 0 && r.height > 0).then_some(r)
}

/// Rectangle `r` of `plane` without the uniform borders inside it, however
/// thin: top and bottom over all columns, then left and right over the rows
/// that remain (so that bars above and below do not hide a frame at the
/// sides). One pass only: a second would start again from the picture's own
/// edge, and eat into a picture with a flat sky.
fn trim_rect(plane: &Plane, r: Rect) -> Rect {
    let max_rows = (r.height as f64 * MAX_TRIM_FRACTION) as usize;
    let max_cols = (r.width as f64 * MAX_TRIM_FRACTION) as usize;
    let row = |y: usize| -> Vec<f32> { plane.row(y)[r.x..r.x + r.width].to_vec() };
    let top = side(r.height, max_rows, |i| row(r.y + i));
    let bottom = side(r.height - top, max_rows, |i| row(r.y + r.height - 1 - i));
    let r = Rect {
        y: r.y + top,
        height: r.height - top - bottom,
        ..r
    };
    let col = |x: usize| -> Vec<f32> { (r.y..r.y + r.height).map(|y| plane.at(x, y)).collect() };
    let left = side(r.width, max_cols, |i| col(r.x + i));
    let right = side(r.width - left, max_cols, |i| col(r.x + r.width - 1 - i));
    Rect {
        x: r.x + left,
        width: r.width - left - right,
        ..r
    }
}

/// The lines of one side's border: [`run`], then a nested border of another
/// colour when it is long enough and flat (see [`MIN_NESTED_FRACTION`]).
fn side(len: usize, limit: usize, line: impl Fn(usize) -> Vec<f32>) -> usize {
    let first = run(len, limit, &line);
    if first == 0 || first >= limit.min(len.saturating_sub(1)) {
        return first;
    }
    let nested = run_flat(len - first, limit - first, |i| line(first + i));
    if nested as f64 >= MIN_NESTED_FRACTION * len as f64 {
        first + nested
    } else {
        first
    }
}

/// How many lines from the edge inward (line `i` given by `line(i)`, at most
/// `limit` and fewer than `len`) are uniform in the outermost line's colour.
fn run(len: usize, limit: usize, line: impl Fn(usize) -> Vec<f32>) -> usize {
    run_within(len, limit, line, None)
}

/// As [`run`], but each line's median must also stay within
/// [`NESTED_DRIFT`] of the first line's.
fn run_flat(len: usize, limit: usize, line: impl Fn(usize) -> Vec<f32>) -> usize {
    run_within(len, limit, line, Some(NESTED_DRIFT))
}

/// [`run`], each line's median within `drift` of the first's when given.
fn run_within(
    len: usize,
    limit: usize,
    line: impl Fn(usize) -> Vec<f32>,
    drift: Option<f32>,
) -> usize {
    if len < 2 {
        return 0;
    }
    let mut first = line(0);
    if first.is_empty() {
        return 0;
    }
    let colour = median(&mut first);
    let flat = |l: &mut Vec<f32>| drift.is_none_or(|d| (median(l) - colour).abs() <= d);
    let mut n = 0;
    while n < limit.min(len - 1) {
        let mut l = line(n);
        if !is_border(&l, colour) || !flat(&mut l) {
            break;
        }
        n += 1;
    }
    n
}

/// Whether a line is a border of `colour`.
pub(crate) fn is_border(line: &[f32], colour: f32) -> bool {
    near_fraction(line, colour, BORDER_TOLERANCE) >= BORDER_LINE_FRACTION
}

/// The fraction of `line` within `tolerance` of `colour`.
pub(crate) fn near_fraction(line: &[f32], colour: f32, tolerance: f32) -> f32 {
    if line.is_empty() {
        return 0.0;
    }
    let near = line
        .iter()
        .filter(|&&v| (v - colour).abs() <= tolerance)
        .count();
    near as f32 / line.len() as f32
}

/// The median of `values` (reordered).
pub(crate) fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    *m
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A textured `w` x `h` picture inside bars of the given thickness.
    pub(crate) fn framed(
        w: usize,
        h: usize,
        (left, top, right, bottom): (usize, usize, usize, usize),
        bar: f32,
    ) -> Plane {
        let (cw, ch) = (w + left + right, h + top + bottom);
        let mut data = vec![bar; cw * ch];
        for y in 0..h {
            for x in 0..w {
                let v = ((x * 7 + y * 13) % 50) as f32 * 3.0 + 40.0 + (x as f32 / 9.0).sin() * 20.0;
                data[(y + top) * cw + x + left] = v;
            }
        }
        Plane::new(cw, ch, data)
    }

    #[test]
    fn letterbox_bars_are_trimmed() {
        let p = framed(200, 120, (0, 15, 0, 15), 2.0);
        assert_eq!(
            trim_borders(&p),
            Some(Rect {
                x: 0,
                y: 15,
                width: 200,
                height: 120
            })
        );
    }

    #[test]
    fn a_white_frame_is_trimmed_on_all_sides() {
        let p = framed(160, 100, (16, 10, 16, 10), 255.0);
        assert_eq!(
            trim_borders(&p),
            Some(Rect {
                x: 16,
                y: 10,
                width: 160,
                height: 100
            })
        );
    }

    #[test]
    fn bars_inside_a_frame_of_another_colour_are_trimmed() {
        // Black bars left and right inside a white frame above and below.
        let inner = framed(100, 80, (20, 0, 20, 0), 0.0);
        let (w, h) = (inner.width, inner.height + 20);
        let mut data = vec![255.0; w * h];
        data[10 * w..(10 + inner.height) * w].copy_from_slice(&inner.data);
        let p = Plane::new(w, h, data);
        assert_eq!(
            trim_borders(&p),
            Some(Rect {
                x: 20,
                y: 10,
                width: 100,
                height: 80
            })
        );
    }

    /// A picture with a `bar`-coloured band of `bar_rows` at the top, then
    /// `band_rows` of `band(i)` for band line `i`, then texture.
    fn under_bands(bar_rows: usize, band_rows: usize, band: impl Fn(usize) -> f32) -> Plane {
        let picture = framed(200, 120, (0, 0, 0, 0), 0.0);
        let w = picture.width;
        let mut data = vec![20.0; w * bar_rows];
        for i in 0..band_rows {
            data.extend(std::iter::repeat_n(band(i), w));
        }
        data.extend_from_slice(&picture.data);
        Plane::new(w, bar_rows + band_rows + picture.height, data)
    }

    #[test]
    fn a_flat_panel_under_a_status_bar_is_trimmed_with_it() {
        // A dark status bar, then a grey panel around the video, as in a
        // screen recording.
        let p = under_bands(6, 30, |_| 120.0);
        assert_eq!(
            trim_borders(&p),
            Some(Rect {
                x: 0,
                y: 36,
                width: 200,
                height: 120
            })
        );
    }

    #[test]
    fn a_sky_under_a_bar_is_not_a_nested_border() {
        // Each row of a sky is uniform, and all within the border tolerance
        // of the first, but its level drifts row by row.
        let sky = under_bands(6, 30, |i| 120.0 + i as f32 * 0.3);
        assert_eq!(trim_borders(&sky).map(|r| r.y), Some(6));
        // A band too narrow to be a panel stays too.
        let thin = under_bands(6, 4, |_| 120.0);
        assert_eq!(trim_borders(&thin).map(|r| r.y), Some(6));
    }

    #[test]
    fn pictures_without_borders_are_left_alone() {
        assert_eq!(trim_borders(&framed(120, 90, (0, 0, 0, 0), 0.0)), None);
        // A one-line edge is below the minimum trim.
        assert_eq!(trim_borders(&framed(120, 90, (0, 1, 0, 0), 0.0)), None);
    }

    #[test]
    fn a_flat_image_keeps_most_of_itself() {
        let p = Plane::new(50, 40, vec![128.0; 2000]);
        let r = trim_borders(&p).expect("flat lines are trimmed");
        assert!(r.width >= 10 && r.height >= 8, "{r:?}");
    }
}
