//! A picture turned by a small angle on a flat background.
//!
//! Turning a picture by a few degrees and expanding the canvas leaves four
//! triangles of background colour in the corners; PDQ, which is not
//! rotation invariant, then sees another picture. Here the four edges of the
//! turned picture are found as straight lines (a robust fit to where the
//! background ends along each side), their crossings give the picture's
//! corners, and the picture is resampled upright from them.

use super::plane::Plane;
use super::trim::median;

/// Luma levels (of 255) a pixel must differ from the background's colour to
/// count as picture: above JPEG noise on a flat fill, below the contrast of
/// nearly any picture edge against black or white.
const BACKGROUND_TOLERANCE: f32 = 10.0;

/// Side of the square in each corner that must be the background's colour
/// (fraction of the short side): a turned picture leaves triangles there.
const CORNER_FRACTION: f64 = 0.015;

/// Turns below this many degrees leave nothing to undo (the trimming
/// handles the thin slivers); above the maximum the four edges no longer
/// fall in the side ranges the fit reads them from.
const MIN_DEGREES: f64 = 0.5;
const MAX_DEGREES: f64 = 30.0;

/// Each edge is fitted over the middle of its side only, away from the
/// corners where two edges meet: this fraction of the side at each end is
/// left out.
const EDGE_MARGIN: f64 = 0.2;

/// Edges agree on the angle when within this many degrees of the middle of
/// the four estimates.
const MAX_SKEW_DEGREES: f64 = 1.5;

/// Edges that must agree on the angle (of four): one or two edges may be
/// spoiled by picture content as dark as the background (a night scene
/// turned on black), and the flat corners already tell a turned picture
/// from an upright one.
const MIN_AGREEING_EDGES: usize = 2;

/// Where along the sorted offsets of an edge's points its line is placed,
/// counted from the outermost: picture content only pulls points inward,
/// and this skips the odd noisy background pixel outward.
const OUTER_QUANTILE: f64 = 0.1;

/// Points fitted along each edge (fewer than the side's pixels keeps the
/// Theil-Sen slope estimate, quadratic in points, cheap).
const FIT_POINTS: usize = 48;

/// The picture turned upright, or `None` when the plane does not look like
/// a turned picture on a flat background.
pub(crate) fn straighten(plane: &Plane) -> Option<Plane> {
    let (w, h) = (plane.width, plane.height);
    if w < 16 || h < 16 {
        return None;
    }
    let background = corner_colour(plane)?;
    let is_picture =
        |x: usize, y: usize| (plane.at(x, y) - background).abs() > BACKGROUND_TOLERANCE;
    fn first(mut range: impl Iterator<Item = usize>, at: impl Fn(usize) -> bool) -> Option<usize> {
        range.find(|&i| at(i))
    }

    // Where the picture starts along each side: y as a function of x for the
    // top and bottom edges, x as a function of y for the left and right.
    let samples = |len: usize| -> Vec<usize> {
        let (lo, hi) = (
            (len as f64 * EDGE_MARGIN) as usize,
            (len as f64 * (1.0 - EDGE_MARGIN)) as usize,
        );
        let n = FIT_POINTS.min(hi.saturating_sub(lo)).max(1);
        (0..n).map(|k| lo + k * (hi - lo) / n).collect()
    };
    let mut top = Vec::new();
    let mut bottom = Vec::new();
    for x in samples(w) {
        if let Some(y) = first(0..h, |y| is_picture(x, y)) {
            top.push((x as f64, y as f64));
        }
        if let Some(y) = first((0..h).rev(), |y| is_picture(x, y)) {
            bottom.push((x as f64, y as f64 + 1.0));
        }
    }
    let mut left = Vec::new();
    let mut right = Vec::new();
    for y in samples(h) {
        if let Some(x) = first(0..w, |x| is_picture(x, y)) {
            left.push((y as f64, x as f64));
        }
        if let Some(x) = first((0..w).rev(), |x| is_picture(x, y)) {
            right.push((y as f64, x as f64 + 1.0));
        }
    }
    // Slopes: top and bottom are dy/dx, left and right dx/dy. A turn by
    // angle a gives -tan(a) on the horizontal edges and +tan(a) on the
    // vertical ones. Picture content as dark as the background pulls an
    // edge's points inward and may spoil an edge's slope: the turn is the
    // angle the edges near the middle estimate agree on.
    let slopes = [fit(&top)?, fit(&bottom)?, fit(&left)?, fit(&right)?];
    let angles = [-slopes[0], -slopes[1], slopes[2], slopes[3]].map(|s| s.atan().to_degrees());
    let mut sorted = angles;
    sorted.sort_by(f64::total_cmp);
    let middle = (sorted[1] + sorted[2]) / 2.0;
    let agreeing: Vec<f64> = angles
        .into_iter()
        .filter(|a| (a - middle).abs() <= MAX_SKEW_DEGREES)
        .collect();
    if agreeing.len() < MIN_AGREEING_EDGES {
        return None;
    }
    let degrees = agreeing.iter().sum::<f64>() / agreeing.len() as f64;
    if degrees.abs() < MIN_DEGREES || degrees.abs() > MAX_DEGREES {
        return None;
    }
    let t = degrees.to_radians().tan();
    // Each edge's offset at that slope, from its outermost points (content
    // only ever pulls points inward).
    let top = (-t, offset(&top, -t, Outermost::Low)?);
    let bottom = (-t, offset(&bottom, -t, Outermost::High)?);
    let left = (t, offset(&left, t, Outermost::Low)?);
    let right = (t, offset(&right, t, Outermost::High)?);

    // Corners: crossings of y = a x + b (horizontal edge) and x = c y + d
    // (vertical edge).
    let cross = |(a, b): (f64, f64), (c, d): (f64, f64)| -> (f64, f64) {
        let y = (a * d + b) / (1.0 - a * c);
        (c * y + d, y)
    };
    let tl = cross(top, left);
    let tr = cross(top, right);
    let bl = cross(bottom, left);
    let dist = |p: (f64, f64), q: (f64, f64)| ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
    let out_w = dist(tl, tr).round() as usize;
    let out_h = dist(tl, bl).round() as usize;
    if out_w < 16 || out_h < 16 || out_w > 2 * w || out_h > 2 * h {
        return None;
    }
    let ux = ((tr.0 - tl.0) / out_w as f64, (tr.1 - tl.1) / out_w as f64);
    let uy = ((bl.0 - tl.0) / out_h as f64, (bl.1 - tl.1) / out_h as f64);
    let mut data = Vec::with_capacity(out_w * out_h);
    for j in 0..out_h {
        for i in 0..out_w {
            let (u, v) = (i as f64 + 0.5, j as f64 + 0.5);
            let x = tl.0 + u * ux.0 + v * uy.0 - 0.5;
            let y = tl.1 + u * ux.1 + v * uy.1 - 0.5;
            data.push(bilinear(plane, x, y));
        }
    }
    Some(Plane::new(out_w, out_h, data))
}

/// The common colour of the four corners, or `None` if they differ or are
/// not flat.
fn corner_colour(plane: &Plane) -> Option<f32> {
    let (w, h) = (plane.width, plane.height);
    let side = ((w.min(h) as f64 * CORNER_FRACTION).ceil() as usize).max(2);
    let mut values = Vec::with_capacity(4 * side * side);
    for (x0, y0) in [(0, 0), (w - side, 0), (0, h - side), (w - side, h - side)] {
        for y in y0..y0 + side {
            values.extend_from_slice(&plane.row(y)[x0..x0 + side]);
        }
    }
    let colour = median(&mut values.clone());
    values
        .iter()
        .all(|v| (v - colour).abs() <= BACKGROUND_TOLERANCE / 2.0)
        .then_some(colour)
}

/// Which way is out for an edge: towards low or high values.
enum Outermost {
    Low,
    High,
}

/// The offset of the line of `slope` along an edge's points: a value near
/// the outermost of the points' offsets ([`OUTER_QUANTILE`] in from it, to
/// step over noise).
fn offset(points: &[(f64, f64)], slope: f64, out: Outermost) -> Option<f64> {
    let mut offsets: Vec<f64> = points.iter().map(|p| p.1 - slope * p.0).collect();
    if offsets.is_empty() {
        return None;
    }
    offsets.sort_by(f64::total_cmp);
    let k = ((offsets.len() - 1) as f64 * OUTER_QUANTILE).round() as usize;
    Some(match out {
        Outermost::Low => offsets[k],
        Outermost::High => offsets[offsets.len() - 1 - k],
    })
}

/// The slope of a line through `(t, v)` points: Theil-Sen (the median of
/// pairwise slopes), robust to the points where the picture's own content
/// matches the background.
fn fit(points: &[(f64, f64)]) -> Option<f64> {
    if points.len() < FIT_POINTS / 4 {
        return None;
    }
    let mut slopes = Vec::with_capacity(points.len() * points.len() / 2);
    for (i, p) in points.iter().enumerate() {
        for q in &points[i + 1..] {
            if q.0 != p.0 {
                slopes.push((q.1 - p.1) / (q.0 - p.0));
            }
        }
    }
    median_f64(&mut slopes)
}

fn median_f64(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    Some(*m)
}

/// Bilinear sample at `(x, y)`, clamped to the plane.
fn bilinear(plane: &Plane, x: f64, y: f64) -> f32 {
    let x = x.clamp(0.0, (plane.width - 1) as f64);
    let y = y.clamp(0.0, (plane.height - 1) as f64);
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = (
        (x0 + 1).min(plane.width - 1),
        (y0 + 1).min(plane.height - 1),
    );
    let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
    let top = plane.at(x0, y0) * (1.0 - fx) + plane.at(x1, y0) * fx;
    let bottom = plane.at(x0, y1) * (1.0 - fx) + plane.at(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` x `h` textured picture turned by `degrees` counter-clockwise
    /// onto a black canvas just large enough to hold it.
    fn turned(w: usize, h: usize, degrees: f64) -> Plane {
        let a = degrees.to_radians();
        let (s, c) = (a.sin(), a.cos());
        let cw = (w as f64 * c + h as f64 * s.abs()).ceil() as usize;
        let ch = (w as f64 * s.abs() + h as f64 * c).ceil() as usize;
        let (cx, cy) = (cw as f64 / 2.0, ch as f64 / 2.0);
        let mut data = vec![0f32; cw * ch];
        for y in 0..ch {
            for x in 0..cw {
                // Inverse turn of the canvas point into the picture.
                let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                let u = c * dx - s * dy + w as f64 / 2.0;
                let v = s * dx + c * dy + h as f64 / 2.0;
                if u >= 0.0 && v >= 0.0 && u < w as f64 && v < h as f64 {
                    data[y * cw + x] =
                        (90.0 + 60.0 * ((u / 9.0).sin() + (v / 13.0).cos()) / 2.0) as f32;
                }
            }
        }
        Plane::new(cw, ch, data)
    }

    #[test]
    fn a_turned_picture_is_straightened() {
        for degrees in [5.0, -5.0, 12.0] {
            let p = turned(240, 160, degrees);
            let upright = straighten(&p).expect("a turned picture");
            assert!(
                upright.width.abs_diff(240) <= 3,
                "{degrees}: {}",
                upright.width
            );
            assert!(
                upright.height.abs_diff(160) <= 3,
                "{degrees}: {}",
                upright.height
            );
        }
    }

    #[test]
    fn upright_and_flat_planes_are_left_alone() {
        assert!(straighten(&turned(240, 160, 0.0)).is_none());
        assert!(straighten(&Plane::new(50, 40, vec![0.0; 2000])).is_none());
    }
}
