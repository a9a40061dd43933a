//! The picture inside a screenshot.
//!
//! A screenshot shows the picture at some size on a user interface: flat
//! panels, bars, buttons and a little text. Flatness is what sets the
//! interface apart from a photograph, which has texture nearly everywhere
//! and, where it has none (a clear sky), still meets the interface in a step
//! of colour. So the image is cut into small cells, a cell is *busy* when
//! any colour channel varies inside it, busy cells are joined into connected
//! regions, and the picture is the largest region whose bounding box is
//! busy all along its inside and flat all along its outside. Interface
//! elements (text, buttons, panel edges) are thin or small and lose.
//!
//! Colour matters here: a dark blue sky can have the very luma of a dark
//! grey interface and still differ from it plainly in colour.

use super::plane::{Colour, Rect};

/// Side of a cell in working-plane pixels (the grid is as fine as the
/// working plane cut into cells of this side): small enough to place the
/// picture's edges within a few pixels, large enough to keep the grid cheap.
const CELL: usize = 4;

/// A cell is busy when the range of some colour channel over the cell (plus
/// one pixel to the right and below, so that a step on a cell boundary
/// counts) exceeds this many levels. Interface colours are flat to the
/// level; photographs, even smooth skies after JPEG, move by more over a
/// few pixels, and a picture's edge against the interface is a step of many
/// levels in some channel.
const BUSY_RANGE: u8 = 3;

/// The picture must cover at least this fraction of the screenshot: smaller
/// regions are icons and thumbnails whose hash says little.
const MIN_AREA_FRACTION: f64 = 0.03;

/// And at most this fraction: a region covering nearly everything is the
/// image itself, not a picture inside an interface.
const MAX_AREA_FRACTION: f64 = 0.9;

/// Each side of the picture must span at least this many cells for its
/// PDQ hash to carry detail (12 cells of 4 are 48 working pixels).
const MIN_SIDE_CELLS: usize = 12;

/// At least this fraction of the cells along the inside of the region's
/// bounding box must be busy: a picture meets the interface in a step all
/// around, or has texture up to its edge, while a scatter of text and icons
/// leaves gaps.
const MIN_EDGE: f64 = 0.9;

/// At least this fraction of the cells on a ring around the bounding box
/// must be flat: the picture sits on an interface, not inside more
/// photograph.
const MIN_FLAT_RING: f64 = 0.8;

/// Levels (per channel) within which a pixel next to the picture counts as
/// the interface's colour when the edges are placed to the pixel: above the
/// ringing JPEG leaves along a sharp edge at ordinary qualities.
const EDGE_TOLERANCE: u8 = 24;

/// A line next to the picture is the interface's when at least this
/// fraction of its pixels is within [`EDGE_TOLERANCE`] of the interface's
/// colour. An interface line is that colour all along, but for a button or
/// a little ringing; the edge line of a dark picture on a dark interface
/// can have half or more of its pixels that close and still be picture.
const INTERFACE_LINE: f64 = 0.85;

/// Cells between the bounding box and the ring checked for flatness:
/// JPEG ringing and resampling blur spread a picture's edge over a cell or
/// two of the interface around it.
const RING_GAP: usize = 2;

/// Lines in from each side of the bounding box among which the picture's
/// edge is looked for (see [`Grid::busy_edge`]).
const EDGE_DEPTH: usize = 2;

/// The rectangle of the picture inside a screenshot-like image, in the
/// image's pixels, or `None`. `cell` is the side of a grid cell in the
/// image's pixels.
pub(crate) fn find_picture(image: &Colour<'_>, factor: usize) -> Option<Rect> {
    let cell = CELL * factor.max(1);
    let grid = Grid::new(image, cell);
    let total = (grid.cols * grid.rows) as f64;
    let mut best: Option<(usize, Region)> = None;
    for region in grid.regions() {
        let (w, h) = (region.c1 - region.c0 + 1, region.r1 - region.r0 + 1);
        let area = (w * h) as f64;
        if area < total * MIN_AREA_FRACTION
            || area > total * MAX_AREA_FRACTION
            || w < MIN_SIDE_CELLS
            || h < MIN_SIDE_CELLS
        {
            continue;
        }
        if grid.busy_edge(&region) < MIN_EDGE || grid.flat_ring(&region) < MIN_FLAT_RING {
            continue;
        }
        if best.as_ref().is_none_or(|(a, _)| w * h > *a) {
            best = Some((w * h, region));
        }
    }
    let (_, region) = best?;
    let r = Rect {
        x: region.c0 * cell,
        y: region.r0 * cell,
        width: ((region.c1 + 1) * cell).min(image.width) - region.c0 * cell,
        height: ((region.r1 + 1) * cell).min(image.height) - region.r0 * cell,
    };
    Some(refine(image, r, cell + 1))
}

/// Places each edge of `r` to the pixel, within `reach` pixels of where
/// the cells put it. Each side's interface colour is the median of the line
/// `reach + 1` pixels outside it; the edge is the first line, coming in from
/// outside, that is not the interface's ([`INTERFACE_LINE`]). The
/// tolerance absorbs JPEG ringing and resampling blur around the picture;
/// a side on the image's border is left where it is.
fn refine(image: &Colour<'_>, r: Rect, reach: usize) -> Rect {
    let (x0, y0, x1, y1) = (r.x, r.y, r.x + r.width, r.y + r.height);
    let (w, h) = (image.width, image.height);
    let near = |p: [u8; 3], q: [u8; 3]| {
        p.iter()
            .zip(&q)
            .all(|(a, b)| a.abs_diff(*b) <= EDGE_TOLERANCE)
    };
    let column = |x: usize| -> Vec<[u8; 3]> { (y0..y1).map(|y| image.pixel(x, y)).collect() };
    let row = |y: usize| -> Vec<[u8; 3]> { (x0..x1).map(|x| image.pixel(x, y)).collect() };
    // How many lines, from `outer` inward (`step` +1 or -1), are mostly the
    // colour of line `probe`.
    let inward = |line: &dyn Fn(usize) -> Vec<[u8; 3]>,
                  probe: usize,
                  outer: usize,
                  up: bool,
                  limit: usize| {
        let colour = median_colour(&line(probe));
        (0..limit)
            .take_while(|&i| {
                let l = if up { outer + i } else { outer - i };
                let pixels = line(l);
                let like = pixels.iter().filter(|&&p| near(p, colour)).count();
                like as f64 >= pixels.len() as f64 * INTERFACE_LINE
            })
            .count()
    };
    let limit_x = (reach + 1).min(r.width / 4);
    let limit_y = (reach + 1).min(r.height / 4);
    // Start each side `reach` outside the box (the cells may have cut into
    // the picture by up to a cell) and move in.
    let out_x0 = x0.saturating_sub(reach);
    let out_x1 = (x1 + reach).min(w);
    let out_y0 = y0.saturating_sub(reach);
    let out_y1 = (y1 + reach).min(h);
    let left = if out_x0 > 0 {
        out_x0 + inward(&column, out_x0 - 1, out_x0, true, limit_x + (x0 - out_x0))
    } else {
        x0
    };
    let right = if out_x1 < w {
        out_x1 - inward(&column, out_x1, out_x1 - 1, false, limit_x + (out_x1 - x1))
    } else {
        x1
    };
    let top = if out_y0 > 0 {
        out_y0 + inward(&row, out_y0 - 1, out_y0, true, limit_y + (y0 - out_y0))
    } else {
        y0
    };
    let bottom = if out_y1 < h {
        out_y1 - inward(&row, out_y1, out_y1 - 1, false, limit_y + (out_y1 - y1))
    } else {
        y1
    };
    if right <= left || bottom <= top {
        return r;
    }
    Rect {
        x: left,
        y: top,
        width: right - left,
        height: bottom - top,
    }
}

/// The per-channel median of some pixels.
fn median_colour(pixels: &[[u8; 3]]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let mut v: Vec<u8> = pixels.iter().map(|p| p[k]).collect();
        if v.is_empty() {
            return out;
        }
        let mid = v.len() / 2;
        *o = *v.select_nth_unstable(mid).1;
    }
    out
}

/// Busy cells of an image.
struct Grid {
    cols: usize,
    rows: usize,
    busy: Vec<bool>,
}

/// A connected set of busy cells: its bounding box in cells (inclusive).
struct Region {
    c0: usize,
    r0: usize,
    c1: usize,
    r1: usize,
}

impl Grid {
    fn new(image: &Colour<'_>, cell: usize) -> Grid {
        let cols = image.width.div_ceil(cell);
        let rows = image.height.div_ceil(cell);
        let mut lo = vec![[u8::MAX; 3]; cols];
        let mut hi = vec![[0u8; 3]; cols];
        let mut busy = vec![false; cols * rows];
        for r in 0..rows {
            lo.fill([u8::MAX; 3]);
            hi.fill([0; 3]);
            let y1 = ((r + 1) * cell + 1).min(image.height);
            for y in r * cell..y1 {
                for x in 0..image.width {
                    let p = image.pixel(x, y);
                    // The pixel belongs to its own cell and, on a cell's
                    // first column, to the cell on its left as well.
                    let c = x / cell;
                    let mut update = |c: usize| {
                        for k in 0..3 {
                            lo[c][k] = lo[c][k].min(p[k]);
                            hi[c][k] = hi[c][k].max(p[k]);
                        }
                    };
                    update(c);
                    if x % cell == 0 && c > 0 {
                        update(c - 1);
                    }
                }
            }
            for c in 0..cols {
                busy[r * cols + c] = (0..3).any(|k| hi[c][k].saturating_sub(lo[c][k]) > BUSY_RANGE);
            }
        }
        Grid { cols, rows, busy }
    }

    /// Connected regions of busy cells (8-connected).
    fn regions(&self) -> Vec<Region> {
        let mut seen = vec![false; self.busy.len()];
        let mut out = Vec::new();
        let mut stack = Vec::new();
        for start in 0..self.busy.len() {
            if !self.busy[start] || seen[start] {
                continue;
            }
            seen[start] = true;
            stack.push(start);
            let (sc, sr) = (start % self.cols, start / self.cols);
            let mut region = Region {
                c0: sc,
                r0: sr,
                c1: sc,
                r1: sr,
            };
            while let Some(i) = stack.pop() {
                let (c, r) = (i % self.cols, i / self.cols);
                region.c0 = region.c0.min(c);
                region.c1 = region.c1.max(c);
                region.r0 = region.r0.min(r);
                region.r1 = region.r1.max(r);
                for nr in r.saturating_sub(1)..=(r + 1).min(self.rows - 1) {
                    for nc in c.saturating_sub(1)..=(c + 1).min(self.cols - 1) {
                        let j = nr * self.cols + nc;
                        if self.busy[j] && !seen[j] {
                            seen[j] = true;
                            stack.push(j);
                        }
                    }
                }
            }
            out.push(region);
        }
        out
    }

    /// The fraction of flat cells on the ring [`RING_GAP`] cells outside
    /// the region's bounding box, over the sides that lie on the grid (1.0
    /// when none does: the box fills the image).
    fn flat_ring(&self, g: &Region) -> f64 {
        let (mut busy, mut all) = (0.0, 0usize);
        let sides = [
            g.r0.checked_sub(RING_GAP)
                .map(|r| self.row_busy(r, g.c0, g.c1)),
            Some(g.r1 + RING_GAP)
                .filter(|&r| r < self.rows)
                .map(|r| self.row_busy(r, g.c0, g.c1)),
            g.c0.checked_sub(RING_GAP)
                .map(|c| self.column_busy(c, g.r0, g.r1)),
            Some(g.c1 + RING_GAP)
                .filter(|&c| c < self.cols)
                .map(|c| self.column_busy(c, g.r0, g.r1)),
        ];
        for (fraction, cells) in sides.into_iter().flatten() {
            busy += fraction * cells as f64;
            all += cells;
        }
        if all == 0 {
            1.0
        } else {
            1.0 - busy / all as f64
        }
    }

    /// How busy the region's bounding box is along its inside: per side,
    /// the busiest of its outermost [`EDGE_DEPTH`] + 1 lines (ringing or
    /// blur around the picture may add a sparse line or two of busy cells
    /// outside its true edge), averaged over the four sides.
    fn busy_edge(&self, g: &Region) -> f64 {
        let depth = EDGE_DEPTH.min((g.r1 - g.r0) / 2).min((g.c1 - g.c0) / 2);
        let best = |line: &dyn Fn(usize) -> f64| (0..=depth).map(line).fold(0.0, f64::max);
        let top = best(&|d| self.row_busy(g.r0 + d, g.c0, g.c1).0);
        let bottom = best(&|d| self.row_busy(g.r1 - d, g.c0, g.c1).0);
        let left = best(&|d| self.column_busy(g.c0 + d, g.r0, g.r1).0);
        let right = best(&|d| self.column_busy(g.c1 - d, g.r0, g.r1).0);
        (top + bottom + left + right) / 4.0
    }

    /// The fraction of busy cells on row `r` from column `c0` to `c1`
    /// (inclusive), and their number.
    fn row_busy(&self, r: usize, c0: usize, c1: usize) -> (f64, usize) {
        let cells = &self.busy[r * self.cols + c0..=r * self.cols + c1];
        (
            cells.iter().filter(|&&b| b).count() as f64 / cells.len() as f64,
            cells.len(),
        )
    }

    /// The same on column `c` from row `r0` to `r1`.
    fn column_busy(&self, c: usize, r0: usize, r1: usize) -> (f64, usize) {
        let busy = (r0..=r1).filter(|&r| self.busy[r * self.cols + c]).count();
        (busy as f64 / (r1 - r0 + 1) as f64, r1 - r0 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat dark canvas (RGB) with a title bar, a side panel with
    /// buttons, and a textured picture at `(px, py)` of size `pw` x `ph`
    /// whose lower part has the canvas's luma in another colour.
    pub(crate) fn screenshot(
        (w, h): (usize, usize),
        (px, py, pw, ph): (usize, usize, usize, usize),
    ) -> Vec<u8> {
        let mut data = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                let mut p = [38u8, 40, 44];
                if y < h / 30 {
                    p = [60, 62, 66];
                } else if x < w / 8 {
                    p = if (y / 12) % 3 == 0 && x > 4 && x < w / 8 - 4 {
                        [75, 77, 80]
                    } else {
                        [45, 47, 50]
                    };
                }
                if (px..px + pw).contains(&x) && (py..py + ph).contains(&y) {
                    let (u, t) = ((x - px) as f32, (y - py) as f32);
                    p = if t > ph as f32 * 0.7 {
                        // Dark blue, about the canvas's luma.
                        [10, 30, 120]
                    } else {
                        let v = (120.0 + 60.0 * (u / 7.0).sin() * (t / 11.0).cos()) as u8;
                        [v, v / 2, 255 - v]
                    };
                }
                data[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&p);
            }
        }
        data
    }

    #[test]
    fn the_picture_is_found_on_a_canvas() {
        let (w, h) = (480, 270);
        let data = screenshot((w, h), (203, 61, 160, 120));
        let image = Colour::new(w, h, 3, &data);
        let r = find_picture(&image, 1).expect("a picture");
        assert_eq!(
            r,
            Rect {
                x: 203,
                y: 61,
                width: 160,
                height: 120
            }
        );
    }

    /// A dark picture on a dark interface: most pixels of its edge lines
    /// are near the interface's colour, yet they are picture.
    #[test]
    fn a_dark_picture_keeps_its_edges() {
        let (w, h) = (480, 270);
        let (px, py, pw, ph) = (150, 50, 200, 150);
        let mut data = screenshot((w, h), (px, py, pw, ph));
        for y in py..py + ph {
            for x in px..px + pw {
                let p = if (x * 7 + y * 13) % 10 < 6 {
                    [50u8, 52, 56]
                } else {
                    [140, 120, 100]
                };
                data[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&p);
            }
        }
        let image = Colour::new(w, h, 3, &data);
        assert_eq!(
            find_picture(&image, 1),
            Some(Rect {
                x: px,
                y: py,
                width: pw,
                height: ph
            })
        );
    }

    #[test]
    fn a_photograph_has_no_picture_inside() {
        let (w, h) = (200, 150);
        let data: Vec<u8> = (0..w * h)
            .map(|i| (((i % w) * 7 + (i / w) * 13) % 200) as u8)
            .collect();
        assert_eq!(find_picture(&Colour::new(w, h, 1, &data), 1), None);
        let flat = vec![9u8; w * h];
        assert_eq!(find_picture(&Colour::new(w, h, 1, &flat), 1), None);
    }
}
