//! Luma, the Jarosz tent filter and decimation to 64x64.
//!
//! The reference (`downscaling.cpp`) blurs the whole luma plane with two
//! passes of a box filter along rows then along columns, then samples the
//! 64x64 cell centres. Every output value is a running f32 sum divided by its
//! window count, and the order of the adds decides the last bits, so this
//! module keeps the reference's arithmetic exactly while changing only the
//! order in which independent sums are computed:
//!
//! * box filters along rows run eight rows side by side (each row's sum is
//!   still its own sequence of adds), so the adds vectorise;
//! * box filters along columns run a whole row of column sums at once;
//! * the second pass computes only what decimation samples: its row filter
//!   divides only at the 64 sampled columns and its column filter runs only
//!   on those 64 columns.
//!
//! `tests` compares all of this with a plain transcription of the reference.

/// Rows filtered side by side in a row pass.
const LANES: usize = 8;

/// Output side of the downscaled luma.
pub(crate) const DOWNSCALED: usize = 64;

/// Luma weights as the reference writes them: `static const float c = 0.299;`
/// (a double literal rounded to float).
const LUMA_R: f32 = 0.299_f64 as f32;
const LUMA_G: f32 = 0.587_f64 as f32;
const LUMA_B: f32 = 0.114_f64 as f32;

/// Where luma comes from.
#[derive(Clone, Copy)]
pub(crate) enum LumaSource<'a> {
    /// Interleaved 8-bit samples, `channels` (3 or 4) per pixel, red, green,
    /// blue first.
    Rgb { data: &'a [u8], channels: usize },
    /// 8-bit grey: the luma is the grey value itself.
    Gray(&'a [u8]),
    /// Luma already computed.
    Float(&'a [f32]),
}

impl LumaSource<'_> {
    /// Writes the luma of rows `first..first + lanes` side by side into
    /// `group[col][lane]`; `line` is scratch space of `cols` values.
    fn fill_lanes(
        &self,
        first: usize,
        lanes: usize,
        cols: usize,
        group: &mut [[f32; LANES]],
        line: &mut [f32],
    ) {
        match *self {
            LumaSource::Rgb { data, channels: 3 } if lanes == LANES => luma_lanes::<3>(
                &data[first * cols * 3..(first + LANES) * cols * 3],
                cols,
                group,
            ),
            LumaSource::Rgb { data, channels: 4 } if lanes == LANES => luma_lanes::<4>(
                &data[first * cols * 4..(first + LANES) * cols * 4],
                cols,
                group,
            ),
            _ => {
                for lane in 0..lanes {
                    self.fill_row(first + lane, cols, line);
                    for (g, &v) in group.iter_mut().zip(line.iter()) {
                        g[lane] = v;
                    }
                }
            }
        }
    }

    /// Writes the luma of row `row` (of `cols` pixels) into `out`.
    pub(crate) fn fill_row(&self, row: usize, cols: usize, out: &mut [f32]) {
        match *self {
            LumaSource::Rgb { data, channels } => {
                let line = &data[row * cols * channels..(row + 1) * cols * channels];
                match channels {
                    3 => luma_row::<3>(line, out),
                    _ => luma_row::<4>(line, out),
                }
            }
            LumaSource::Gray(data) => {
                for (y, &g) in out.iter_mut().zip(&data[row * cols..(row + 1) * cols]) {
                    *y = f32::from(g);
                }
            }
            LumaSource::Float(data) => out.copy_from_slice(&data[row * cols..(row + 1) * cols]),
        }
    }
}

/// `weight * v` for every 8-bit `v`, as f32: the products the reference
/// computes, looked up instead of recomputed.
const fn weighted(weight: f32) -> [f32; 256] {
    let mut table = [0f32; 256];
    let mut v = 0;
    while v < 256 {
        table[v] = weight * v as f32;
        v += 1;
    }
    table
}

const LUMA_R_TABLE: [f32; 256] = weighted(LUMA_R);
const LUMA_G_TABLE: [f32; 256] = weighted(LUMA_G);
const LUMA_B_TABLE: [f32; 256] = weighted(LUMA_B);

/// Luma of one row of interleaved pixels with `C` values each:
/// `(0.299*R + 0.587*G) + 0.114*B` in f32, the reference's order.
fn luma_row<const C: usize>(line: &[u8], out: &mut [f32]) {
    for (y, px) in out.iter_mut().zip(line.chunks_exact(C)) {
        *y = LUMA_R_TABLE[usize::from(px[0])]
            + LUMA_G_TABLE[usize::from(px[1])]
            + LUMA_B_TABLE[usize::from(px[2])];
    }
}

/// Luma of `LANES` rows of interleaved pixels with `C` values each, written
/// side by side: `group[col][lane]`. Column by column, so each column's
/// lanes are stored together.
fn luma_lanes<const C: usize>(rows: &[u8], cols: usize, group: &mut [[f32; LANES]]) {
    let lines: [&[u8]; LANES] = std::array::from_fn(|l| &rows[l * cols * C..(l + 1) * cols * C]);
    for (c, g) in group.iter_mut().enumerate().take(cols) {
        for (y, line) in g.iter_mut().zip(&lines) {
            let px = &line[c * C..c * C + 3];
            *y = LUMA_R_TABLE[usize::from(px[0])]
                + LUMA_G_TABLE[usize::from(px[1])]
                + LUMA_B_TABLE[usize::from(px[2])];
        }
    }
}

/// Window of one box pass: `ceil(old / 128)`, half of a 64th of the side
/// because two passes are made (`computeJaroszFilterWindowSize`).
pub(crate) fn window_size(old: usize) -> usize {
    old.div_ceil(2 * DOWNSCALED)
}

/// The input index sampled for output cell `out` of 64 (cell centres,
/// computed in f64 and truncated, as `decimateFloat`).
pub(crate) fn decimation_index(out: usize, len: usize) -> usize {
    (((out as f64 + 0.5) * len as f64) / DOWNSCALED as f64) as usize
}

/// The four phases of a box filter of `window` over `len` values: how many
/// adds come before the first output, how many outputs grow the window, how
/// many slide it, how many shrink it (`box1DFloat`).
struct Phases {
    warm: usize,
    grow: usize,
    slide: usize,
    shrink: usize,
}

impl Phases {
    fn new(len: usize, window: usize) -> Phases {
        debug_assert!(window >= 1 && window <= len);
        let half = (window + 2) / 2;
        Phases {
            warm: half - 1,
            grow: window - half + 1,
            slide: len - window,
            shrink: half - 1,
        }
    }
}

/// Box filter over `input.len()` positions of `L` independent lanes. `emit`
/// receives each output position with its running sums and window count;
/// it divides where it needs the value.
#[inline(always)]
fn box_lanes<const L: usize>(
    input: &[[f32; L]],
    window: usize,
    mut emit: impl FnMut(usize, &[f32; L], f32),
) {
    let p = Phases::new(input.len(), window);
    let mut sum = [0f32; L];
    let mut count = 0usize;
    let (mut left, mut right, mut out) = (0usize, 0usize, 0usize);
    for _ in 0..p.warm {
        add(&mut sum, &input[right]);
        right += 1;
        count += 1;
    }
    for _ in 0..p.grow {
        add(&mut sum, &input[right]);
        right += 1;
        count += 1;
        emit(out, &sum, count as f32);
        out += 1;
    }
    let full = count as f32;
    for (add_in, sub_in) in input[right..right + p.slide].iter().zip(&input[left..]) {
        add(&mut sum, add_in);
        sub(&mut sum, sub_in);
        emit(out, &sum, full);
        out += 1;
    }
    left += p.slide;
    for _ in 0..p.shrink {
        sub(&mut sum, &input[left]);
        left += 1;
        count -= 1;
        emit(out, &sum, count as f32);
        out += 1;
    }
}

#[inline(always)]
fn add<const L: usize>(sum: &mut [f32; L], x: &[f32; L]) {
    for (s, v) in sum.iter_mut().zip(x) {
        *s += v;
    }
}

#[inline(always)]
fn sub<const L: usize>(sum: &mut [f32; L], x: &[f32; L]) {
    for (s, v) in sum.iter_mut().zip(x) {
        *s -= v;
    }
}

/// Rows of a plane kept for a column filter: row `r` lives in slot
/// `r % capacity`, so only the last `capacity` rows are held.
struct Rows {
    values: Vec<f32>,
    width: usize,
    capacity: usize,
}

impl Rows {
    fn new(width: usize, capacity: usize) -> Rows {
        Rows {
            values: vec![0f32; width * capacity],
            width,
            capacity,
        }
    }

    fn row(&self, r: usize) -> &[f32] {
        let slot = r % self.capacity;
        &self.values[slot * self.width..(slot + 1) * self.width]
    }

    fn row_mut(&mut self, r: usize) -> &mut [f32] {
        let slot = r % self.capacity;
        &mut self.values[slot * self.width..(slot + 1) * self.width]
    }
}

/// A box filter running down every column of a plane at once, fed one row
/// at a time. Its sums follow the reference's four phases exactly; output
/// row `o` comes out once input row `o + half - 1` (or the last row) is in.
struct ColumnBox {
    sum: Vec<f32>,
    phases: Phases,
    window: usize,
    rows: usize,
    count: usize,
}

impl ColumnBox {
    fn new(width: usize, rows: usize, window: usize) -> ColumnBox {
        ColumnBox {
            sum: vec![0f32; width],
            phases: Phases::new(rows, window),
            window,
            rows,
            count: 0,
        }
    }

    /// Takes input row `r` (rows must come in order); `held` must still
    /// hold row `r - window`. Emits the output row that becomes ready.
    fn push(&mut self, r: usize, held: &Rows, mut emit: impl FnMut(usize, &[f32], f32)) {
        add_slice(&mut self.sum, held.row(r));
        if r < self.phases.warm + self.phases.grow {
            self.count += 1;
        } else {
            sub_slice(&mut self.sum, held.row(r - self.window));
        }
        if r >= self.phases.warm {
            emit(r - self.phases.warm, &self.sum, self.count as f32);
        }
    }

    /// After the last row: emits the outputs of the shrinking window.
    fn finish(&mut self, held: &Rows, mut emit: impl FnMut(usize, &[f32], f32)) {
        for i in 0..self.phases.shrink {
            sub_slice(&mut self.sum, held.row(self.rows - self.window + i));
            self.count -= 1;
            emit(
                self.rows - self.phases.warm + i,
                &self.sum,
                self.count as f32,
            );
        }
    }
}

fn add_slice(sum: &mut [f32], x: &[f32]) {
    for (s, v) in sum.iter_mut().zip(x) {
        *s += v;
    }
}

fn sub_slice(sum: &mut [f32], x: &[f32]) {
    for (s, v) in sum.iter_mut().zip(x) {
        *s -= v;
    }
}

/// Groups of `LANES` rows laid side by side (`group[col][lane]`), the input
/// of a row filter that runs the rows together.
struct Lanes {
    group: Vec<[f32; LANES]>,
    out: Vec<[f32; LANES]>,
    line: Vec<f32>,
}

impl Lanes {
    fn new(cols: usize) -> Lanes {
        Lanes {
            group: vec![[0f32; LANES]; cols],
            out: vec![[0f32; LANES]; cols],
            line: vec![0f32; cols],
        }
    }
}

/// Blurs the luma of a `rows x cols` image with the reference's two Jarosz
/// passes and returns the 64x64 decimation (`jaroszFilterFloat` then
/// `decimateFloat`). Needs `rows, cols >= 1`.
///
/// The passes stream: eight rows at a time are filtered along rows, pushed
/// through the first column filter (which holds only the rows its window
/// still needs), filtered along rows again at the 64 sampled columns, and
/// the second column filter runs on those 64 columns alone.
pub(crate) fn blur_and_decimate(
    source: LumaSource<'_>,
    rows: usize,
    cols: usize,
) -> Box<[[f32; 64]; 64]> {
    let row_window = window_size(cols);
    let col_window = window_size(rows);
    let sampled_cols: Vec<usize> = (0..DOWNSCALED).map(|j| decimation_index(j, cols)).collect();
    let sampled_rows: Vec<usize> = (0..DOWNSCALED).map(|i| decimation_index(i, rows)).collect();

    // First pass along rows writes into `blurred`, which keeps the rows the
    // first column filter still needs.
    let mut input = Lanes::new(cols);
    let mut blurred = Rows::new(cols, col_window + LANES);
    let mut columns = ColumnBox::new(cols, rows, col_window);
    // Rows out of the first column filter wait in `second` for the second
    // pass along rows, which keeps only the sampled columns, in `narrow`.
    let mut second = Lanes::new(cols);
    let mut narrow = Rows::new(DOWNSCALED, rows);

    let to_second = |o: usize, sum: &[f32], count: f32, second: &mut Lanes, narrow: &mut Rows| {
        let lane = o % LANES;
        for (g, s) in second.group.iter_mut().zip(sum) {
            g[lane] = s / count;
        }
        if lane == LANES - 1 || o == rows - 1 {
            let first = o - lane;
            let mut next = 0;
            box_lanes(&second.group, row_window, |c, sums, count| {
                while next < DOWNSCALED && sampled_cols[next] == c {
                    for (l, s) in sums.iter().enumerate().take(lane + 1) {
                        narrow.row_mut(first + l)[next] = s / count;
                    }
                    next += 1;
                }
            });
        }
    };

    for first in (0..rows).step_by(LANES) {
        let lanes = LANES.min(rows - first);
        source.fill_lanes(first, lanes, cols, &mut input.group, &mut input.line);
        box_lanes(&input.group, row_window, |c, sums, count| {
            for (dst, s) in input.out[c].iter_mut().zip(sums) {
                *dst = s / count;
            }
        });
        for lane in 0..lanes {
            for (dst, g) in blurred.row_mut(first + lane).iter_mut().zip(&input.out) {
                *dst = g[lane];
            }
        }
        for r in first..first + lanes {
            columns.push(r, &blurred, |o, sum, count| {
                to_second(o, sum, count, &mut second, &mut narrow)
            });
        }
    }
    columns.finish(&blurred, |o, sum, count| {
        to_second(o, sum, count, &mut second, &mut narrow)
    });

    // Second pass along columns, on the 64 sampled columns only.
    let mut out = Box::new([[0f32; 64]; 64]);
    let mut last = ColumnBox::new(DOWNSCALED, rows, col_window);
    let mut next = 0;
    let mut keep = |o: usize, sum: &[f32], count: f32| {
        while next < DOWNSCALED && sampled_rows[next] == o {
            for (dst, s) in out[next].iter_mut().zip(sum) {
                *dst = s / count;
            }
            next += 1;
        }
    };
    for r in 0..rows {
        last.push(r, &narrow, &mut keep);
    }
    last.finish(&narrow, &mut keep);
    out
}

/// The 64x64 luma of an image that is already 64x64: the reference copies
/// it through without blurring (`pdqFloat256FromFloatLuma`).
pub(crate) fn copy_64(source: LumaSource<'_>) -> Box<[[f32; 64]; 64]> {
    let mut out = Box::new([[0f32; 64]; 64]);
    for (r, row) in out.iter_mut().enumerate() {
        source.fill_row(r, DOWNSCALED, row);
    }
    out
}

#[cfg(test)]
pub(crate) mod reference {
    //! A plain transcription of the reference's `downscaling.cpp`, for tests.

    fn box_1d(input: &[f32], out: &mut [f32], len: usize, stride: usize, window: usize) {
        let half = (window + 2) / 2;
        let (p1, p2) = (half - 1, window - half + 1);
        let (p3, p4) = (len - window, half - 1);
        let (mut li, mut ri, mut oi) = (0, 0, 0);
        let mut sum = 0f32;
        let mut count = 0usize;
        for _ in 0..p1 {
            sum += input[ri];
            count += 1;
            ri += stride;
        }
        for _ in 0..p2 {
            sum += input[ri];
            count += 1;
            out[oi] = sum / count as f32;
            ri += stride;
            oi += stride;
        }
        for _ in 0..p3 {
            sum += input[ri];
            sum -= input[li];
            out[oi] = sum / count as f32;
            li += stride;
            ri += stride;
            oi += stride;
        }
        for _ in 0..p4 {
            sum -= input[li];
            count -= 1;
            out[oi] = sum / count as f32;
            li += stride;
            oi += stride;
        }
    }

    pub(crate) fn blur_and_decimate(luma: &[f32], rows: usize, cols: usize) -> [[f32; 64]; 64] {
        let mut b1 = luma.to_vec();
        let mut b2 = vec![0f32; rows * cols];
        let wr = super::window_size(cols);
        let wc = super::window_size(rows);
        for _ in 0..2 {
            for i in 0..rows {
                box_1d(&b1[i * cols..], &mut b2[i * cols..], cols, 1, wr);
            }
            for j in 0..cols {
                box_1d(&b2[j..], &mut b1[j..], rows, cols, wc);
            }
        }
        let mut out = [[0f32; 64]; 64];
        for (i, row) in out.iter_mut().enumerate() {
            let ini = super::decimation_index(i, rows);
            for (j, v) in row.iter_mut().enumerate() {
                *v = b1[ini * cols + super::decimation_index(j, cols)];
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_same(got: &[[f32; 64]; 64], want: &[[f32; 64]; 64]) {
        for i in 0..64 {
            for j in 0..64 {
                assert_eq!(got[i][j].to_bits(), want[i][j].to_bits(), "cell ({i}, {j})");
            }
        }
    }

    fn luma_of(source: LumaSource<'_>, rows: usize, cols: usize) -> Vec<f32> {
        let mut luma = vec![0f32; rows * cols];
        for r in 0..rows {
            source.fill_row(r, cols, &mut luma[r * cols..(r + 1) * cols]);
        }
        luma
    }

    #[test]
    fn window_sizes_follow_the_reference() {
        for (dim, want) in [
            (512, 4),
            (1600, 13),
            (1004, 8),
            (4032, 32),
            (3024, 24),
            (256, 2),
            (64, 1),
            (128, 1),
            (129, 2),
            (5, 1),
        ] {
            assert_eq!(window_size(dim), want, "{dim}");
        }
    }

    #[test]
    fn luma_weights_are_the_float_ones() {
        assert_eq!(LUMA_R, 0.299f32);
        assert_eq!(LUMA_G, 0.587f32);
        assert_eq!(LUMA_B, 0.114f32);
    }

    #[test]
    fn luma_tables_give_the_computed_products() {
        for v in 0..=255u8 {
            let x = f32::from(v);
            assert_eq!(
                LUMA_R_TABLE[usize::from(v)].to_bits(),
                (0.299f32 * x).to_bits()
            );
            assert_eq!(
                LUMA_G_TABLE[usize::from(v)].to_bits(),
                (0.587f32 * x).to_bits()
            );
            assert_eq!(
                LUMA_B_TABLE[usize::from(v)].to_bits(),
                (0.114f32 * x).to_bits()
            );
        }
    }

    #[test]
    fn rgba_and_partial_row_groups_match_reference() {
        // 13 rows: one full group of 8 and a short group of 5.
        let (rows, cols) = (13, 300);
        let data: Vec<u8> = (0..rows * cols * 4)
            .map(|i| (i * 131 % 253) as u8)
            .collect();
        let source = LumaSource::Rgb {
            data: &data,
            channels: 4,
        };
        let want = reference::blur_and_decimate(&luma_of(source, rows, cols), rows, cols);
        assert_same(&blur_and_decimate(source, rows, cols), &want);
    }

    #[test]
    fn large_image_matches_reference() {
        let (rows, cols) = (700, 1030);
        let data: Vec<u8> = (0..rows * cols * 3)
            .map(|i| ((i * 7919) ^ (i >> 5)) as u8)
            .collect();
        let source = LumaSource::Rgb {
            data: &data,
            channels: 3,
        };
        let want = reference::blur_and_decimate(&luma_of(source, rows, cols), rows, cols);
        assert_same(&blur_and_decimate(source, rows, cols), &want);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_size_matches_reference(
            rows in 5usize..300,
            cols in 5usize..300,
            seed in any::<u64>(),
        ) {
            let mut x = seed | 1;
            let data: Vec<u8> = (0..rows * cols)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let source = LumaSource::Gray(&data);
            let want = reference::blur_and_decimate(&luma_of(source, rows, cols), rows, cols);
            assert_same(&blur_and_decimate(source, rows, cols), &want);
        }
    }
}
