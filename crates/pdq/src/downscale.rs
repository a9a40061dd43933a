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
    /// Interleaved 8-bit samples, `channels` per pixel, red, green, blue first.
    Rgb { data: &'a [u8], channels: usize },
    /// 8-bit grey: the luma is the grey value itself.
    Gray(&'a [u8]),
    /// Luma already computed.
    Float(&'a [f32]),
}

impl LumaSource<'_> {
    /// Writes the luma of row `row` (of `cols` pixels) into `out`.
    pub(crate) fn fill_row(&self, row: usize, cols: usize, out: &mut [f32]) {
        match *self {
            LumaSource::Rgb { data, channels } => {
                let line = &data[row * cols * channels..(row + 1) * cols * channels];
                for (y, px) in out.iter_mut().zip(line.chunks_exact(channels)) {
                    // Evaluated left to right in f32, as the reference does.
                    *y = LUMA_R * f32::from(px[0])
                        + LUMA_G * f32::from(px[1])
                        + LUMA_B * f32::from(px[2]);
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

/// Box filter down the columns of a `rows x width` plane, all columns at
/// once. `emit` receives each output row index, the column sums and the
/// window count.
fn box_columns(
    input: &[f32],
    width: usize,
    window: usize,
    mut emit: impl FnMut(usize, &[f32], f32),
) {
    let rows = input.len() / width;
    let p = Phases::new(rows, window);
    let row = |r: usize| &input[r * width..(r + 1) * width];
    let mut sum = vec![0f32; width];
    let mut count = 0usize;
    let (mut left, mut right, mut out) = (0usize, 0usize, 0usize);
    for _ in 0..p.warm {
        add_slice(&mut sum, row(right));
        right += 1;
        count += 1;
    }
    for _ in 0..p.grow {
        add_slice(&mut sum, row(right));
        right += 1;
        count += 1;
        emit(out, &sum, count as f32);
        out += 1;
    }
    let full = count as f32;
    for _ in 0..p.slide {
        add_slice(&mut sum, row(right));
        sub_slice(&mut sum, row(left));
        right += 1;
        left += 1;
        emit(out, &sum, full);
        out += 1;
    }
    for _ in 0..p.shrink {
        sub_slice(&mut sum, row(left));
        left += 1;
        count -= 1;
        emit(out, &sum, count as f32);
        out += 1;
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

fn divide_into(out: &mut [f32], sum: &[f32], count: f32) {
    for (o, s) in out.iter_mut().zip(sum) {
        *o = s / count;
    }
}

/// Runs `filter` over every group of `LANES` rows of a `rows x cols` plane,
/// given as a function that fills one row. The group's rows are laid side by
/// side (`group[col][lane]`); a last, short group is padded with zero rows
/// whose results are dropped.
fn for_row_groups(
    rows: usize,
    cols: usize,
    mut fill_row: impl FnMut(usize, &mut [f32]),
    mut filter: impl FnMut(usize, usize, &[[f32; LANES]]),
) {
    let mut line = vec![0f32; cols];
    let mut group = vec![[0f32; LANES]; cols];
    for first in (0..rows).step_by(LANES) {
        let lanes = LANES.min(rows - first);
        for lane in 0..LANES {
            if lane < lanes {
                fill_row(first + lane, &mut line);
                for (g, &v) in group.iter_mut().zip(&line) {
                    g[lane] = v;
                }
            } else {
                for g in group.iter_mut() {
                    g[lane] = 0.0;
                }
            }
        }
        filter(first, lanes, &group);
    }
}

/// Blurs the luma of a `rows x cols` image with the reference's two Jarosz
/// passes and returns the 64x64 decimation (`jaroszFilterFloat` then
/// `decimateFloat`). Needs `rows, cols >= 1`.
pub(crate) fn blur_and_decimate(
    source: LumaSource<'_>,
    rows: usize,
    cols: usize,
) -> Box<[[f32; 64]; 64]> {
    let row_window = window_size(cols);
    let col_window = window_size(rows);
    let sampled_cols: Vec<usize> = (0..DOWNSCALED).map(|j| decimation_index(j, cols)).collect();
    let sampled_rows: Vec<usize> = (0..DOWNSCALED).map(|i| decimation_index(i, rows)).collect();

    // Pass 1, along rows: luma -> a.
    let mut a = vec![0f32; rows * cols];
    let mut out_group = vec![[0f32; LANES]; cols];
    for_row_groups(
        rows,
        cols,
        |r, line| source.fill_row(r, cols, line),
        |first, lanes, group| {
            box_lanes(group, row_window, |o, sum, count| {
                for (dst, s) in out_group[o].iter_mut().zip(sum) {
                    *dst = s / count;
                }
            });
            for lane in 0..lanes {
                let dst = &mut a[(first + lane) * cols..(first + lane + 1) * cols];
                for (d, g) in dst.iter_mut().zip(&out_group) {
                    *d = g[lane];
                }
            }
        },
    );

    // Pass 1, along columns: a -> b.
    let mut b = vec![0f32; rows * cols];
    box_columns(&a, cols, col_window, |o, sum, count| {
        divide_into(&mut b[o * cols..(o + 1) * cols], sum, count);
    });
    drop(a);

    // Pass 2, along rows, kept only at the sampled columns: b -> c (rows x 64).
    let mut c = vec![0f32; rows * DOWNSCALED];
    for_row_groups(
        rows,
        cols,
        |r, line| line.copy_from_slice(&b[r * cols..(r + 1) * cols]),
        |first, lanes, group| {
            let mut next = 0;
            box_lanes(group, row_window, |o, sum, count| {
                while next < DOWNSCALED && sampled_cols[next] == o {
                    for lane in 0..lanes {
                        c[(first + lane) * DOWNSCALED + next] = sum[lane] / count;
                    }
                    next += 1;
                }
            });
        },
    );
    drop(b);

    // Pass 2, along columns, kept only at the sampled rows: c -> 64x64.
    let mut out = Box::new([[0f32; 64]; 64]);
    let mut next = 0;
    box_columns(&c, DOWNSCALED, col_window, |o, sum, count| {
        while next < DOWNSCALED && sampled_rows[next] == o {
            divide_into(&mut out[next], sum, count);
            next += 1;
        }
    });
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
