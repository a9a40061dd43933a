//! Upsampling one component row to the output width, as libjpeg-turbo's
//! jdsample.c does with fancy upsampling on: triangle filters for 2:1
//! horizontal (`h2v1_fancy_upsample`), 2:1 vertical (`h1v2_fancy_upsample`)
//! and both (`h2v2_fancy_upsample`), with the edges repeating the last real
//! sample or row; plain replication (`int_upsample`) for other integer
//! ratios, for the 2:1 cases on components two or fewer samples wide, and
//! when fancy upsampling is off (decoding at 1/8).

use super::Problem;

/// How one component reaches the output size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Already full size.
    Full,
    /// Triangle filter, 2:1 horizontally.
    H2V1Fancy,
    /// Triangle filter, 2:1 vertically.
    H1V2Fancy,
    /// Triangle filter, 2:1 both ways.
    H2V2Fancy,
    /// Each sample repeated `h` times across and `v` times down.
    Replicate {
        /// Horizontal factor.
        h: usize,
        /// Vertical factor.
        v: usize,
    },
}

/// Largest width of a component for which libjpeg replicates instead of
/// filtering 2:1 horizontally (jdsample.c: fancy needs
/// `downsampled_width > 2`).
const NARROW: usize = 2;

impl Method {
    /// libjpeg's choice (jdsample.c `jinit_upsampler`): `in_h`, `in_v` are
    /// the component's samples per row group, `out_h`, `out_v` the
    /// output's, `width` the component's width in samples.
    pub(crate) fn choose(
        in_h: usize,
        in_v: usize,
        out_h: usize,
        out_v: usize,
        fancy: bool,
        width: usize,
    ) -> Result<Method, Problem> {
        let wide = width > NARROW;
        Ok(if in_h == out_h && in_v == out_v {
            Method::Full
        } else if in_h * 2 == out_h && in_v == out_v && fancy && wide {
            Method::H2V1Fancy
        } else if in_h == out_h && in_v * 2 == out_v && fancy {
            Method::H1V2Fancy
        } else if in_h * 2 == out_h && in_v * 2 == out_v && fancy && wide {
            Method::H2V2Fancy
        } else if in_h > 0 && in_v > 0 && out_h.is_multiple_of(in_h) && out_v.is_multiple_of(in_v) {
            Method::Replicate {
                h: out_h / in_h,
                v: out_v / in_v,
            }
        } else {
            return Err(Problem::Unsupported("fractional sampling ratios"));
        })
    }

    /// The component row output row `y` is made from.
    pub(crate) fn source_row(self, y: usize) -> usize {
        match self {
            Method::Full | Method::H2V1Fancy => y,
            Method::H1V2Fancy | Method::H2V2Fancy => y / 2,
            Method::Replicate { v, .. } => y / v,
        }
    }

    /// For the vertical filters, the neighbouring row (above for even
    /// output rows, below for odd ones, clamped to the `rows` real rows)
    /// and the rounding bias of `h1v2_fancy_upsample`.
    pub(crate) fn neighbour_row(self, y: usize, rows: usize) -> (usize, u16) {
        let near = y / 2;
        if y.is_multiple_of(2) {
            (near.saturating_sub(1), 1)
        } else {
            ((near + 1).min(rows.saturating_sub(1)), 2)
        }
    }
}

/// Rounding bias of the left and right outputs of the horizontal triangle
/// filters (jdsample.c: 1 and 2 after a shift by 2; 8 and 7 after 4).
const H2V1_BIAS: [u16; 2] = [1, 2];
const H2V2_BIAS: [u16; 2] = [8, 7];

/// `h2v1_fancy_upsample` of `input` (the component's `input.len()` real
/// samples) into `out` (`2 * input.len()` samples, or fewer).
pub(crate) fn h2v1_fancy(input: &[u8], out: &mut [u8]) {
    let n = input.len();
    if n == 0 {
        return;
    }
    let at = |i: usize| u16::from(input[i]);
    let whole = (out.len() / 2).min(n);
    // Interior samples, then the two edges with the edge sample repeated.
    let interior = whole.min(n - 1);
    if interior >= 1 {
        for (pair, w) in out[2..2 * interior]
            .chunks_exact_mut(2)
            .zip(input.windows(3))
        {
            let this = 3 * u16::from(w[1]);
            pair[0] = ((this + u16::from(w[0]) + H2V1_BIAS[0]) >> 2) as u8;
            pair[1] = ((this + u16::from(w[2]) + H2V1_BIAS[1]) >> 2) as u8;
        }
    }
    for i in [0, n - 1] {
        let this = 3 * at(i);
        let left = at(i.saturating_sub(1));
        let right = at((i + 1).min(n - 1));
        if let Some(o) = out.get_mut(2 * i) {
            *o = ((this + left + H2V1_BIAS[0]) >> 2) as u8;
        }
        if let Some(o) = out.get_mut(2 * i + 1) {
            *o = ((this + right + H2V1_BIAS[1]) >> 2) as u8;
        }
    }
}

/// `h1v2_fancy_upsample` of one row: `near` is the nearer input row, `far`
/// the other, `bias` 1 for the upper output row and 2 for the lower.
pub(crate) fn h1v2_fancy(near: &[u8], far: &[u8], bias: u16, out: &mut [u8]) {
    for ((o, &a), &b) in out.iter_mut().zip(near).zip(far) {
        *o = ((3 * u16::from(a) + u16::from(b) + bias) >> 2) as u8;
    }
}

/// `h2v2_fancy_upsample` of one row: column sums `3 * near + far` over the
/// component's real width, then the horizontal triangle filter on them.
pub(crate) fn h2v2_fancy(near: &[u8], far: &[u8], sums: &mut Vec<u16>, out: &mut [u8]) {
    sums.clear();
    // The edge column sums are repeated, so that every output sees a left
    // and a right neighbour.
    let n = near.len().min(far.len());
    let (Some(&first_near), Some(&first_far)) = (near.first(), far.first()) else {
        return;
    };
    sums.push(3 * u16::from(first_near) + u16::from(first_far));
    sums.extend(
        near[..n]
            .iter()
            .zip(&far[..n])
            .map(|(&a, &b)| 3 * u16::from(a) + u16::from(b)),
    );
    let last = sums[n];
    sums.push(last);
    let whole = (out.len() / 2).min(n);
    for (pair, w) in out[..2 * whole].chunks_exact_mut(2).zip(sums.windows(3)) {
        let this = 3 * w[1];
        pair[0] = ((this + w[0] + H2V2_BIAS[0]) >> 4) as u8;
        pair[1] = ((this + w[2] + H2V2_BIAS[1]) >> 4) as u8;
    }
    if whole < n {
        if let (Some(o), Some(w)) = (out.get_mut(2 * whole), sums.get(whole..whole + 2)) {
            *o = ((3 * w[1] + w[0] + H2V2_BIAS[0]) >> 4) as u8;
        }
    }
}

/// `int_upsample` of one row: each input sample `h` times.
pub(crate) fn replicate(input: &[u8], h: usize, out: &mut [u8]) {
    if h == 1 {
        let n = out.len().min(input.len());
        out[..n].copy_from_slice(&input[..n]);
        return;
    }
    for (chunk, &v) in out.chunks_mut(h).zip(input) {
        chunk.fill(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libjpeg_picks_these_methods() {
        let choose = |ih, iv, oh, ov, fancy, w| Method::choose(ih, iv, oh, ov, fancy, w).unwrap();
        assert_eq!(choose(1, 1, 2, 2, true, 100), Method::H2V2Fancy);
        assert_eq!(choose(1, 1, 2, 1, true, 100), Method::H2V1Fancy);
        assert_eq!(choose(1, 1, 1, 2, true, 100), Method::H1V2Fancy);
        assert_eq!(choose(1, 1, 1, 2, true, 1), Method::H1V2Fancy);
        assert_eq!(
            choose(1, 1, 2, 2, true, 2),
            Method::Replicate { h: 2, v: 2 }
        );
        assert_eq!(
            choose(1, 1, 2, 2, false, 100),
            Method::Replicate { h: 2, v: 2 }
        );
        assert_eq!(
            choose(1, 1, 4, 1, true, 100),
            Method::Replicate { h: 4, v: 1 }
        );
        assert_eq!(choose(2, 2, 4, 4, true, 100), Method::H2V2Fancy);
        assert_eq!(choose(1, 2, 2, 2, true, 100), Method::H2V1Fancy);
        assert!(Method::choose(2, 1, 3, 1, true, 100).is_err());
    }

    #[test]
    fn h2v1_matches_the_libjpeg_formulas() {
        let input = [10u8, 50, 200, 0];
        let mut out = [0u8; 8];
        h2v1_fancy(&input, &mut out);
        // First and last outputs copy the edge samples.
        assert_eq!(out[0], 10);
        assert_eq!(out[7], 0);
        assert_eq!(out[1], ((3 * 10 + 50 + 2) >> 2) as u8);
        assert_eq!(out[2], ((3 * 50 + 10 + 1) >> 2) as u8);
        assert_eq!(out[3], ((3 * 50 + 200 + 2) >> 2) as u8);
        assert_eq!(out[6], ((200 + 1) >> 2) as u8);
    }

    #[test]
    fn h2v2_matches_the_libjpeg_formulas() {
        let near = [10u8, 50, 200];
        let far = [20u8, 60, 100];
        let mut sums = Vec::new();
        let mut out = [0u8; 6];
        h2v2_fancy(&near, &far, &mut sums, &mut out);
        let cs: Vec<u16> = near
            .iter()
            .zip(&far)
            .map(|(&a, &b)| 3 * a as u16 + b as u16)
            .collect();
        assert_eq!(out[0], ((cs[0] * 4 + 8) >> 4) as u8);
        assert_eq!(out[1], ((cs[0] * 3 + cs[1] + 7) >> 4) as u8);
        assert_eq!(out[2], ((cs[1] * 3 + cs[0] + 8) >> 4) as u8);
        assert_eq!(out[5], ((cs[2] * 4 + 7) >> 4) as u8);
    }

    /// The filters as jdsample.c writes them, with explicit edge cases.
    fn h2v1_plain(input: &[u8]) -> Vec<u8> {
        let n = input.len();
        let v = |i: usize| i32::from(input[i]);
        let mut out = vec![0u8; 2 * n];
        for i in 0..n {
            let (l, r) = (v(i.saturating_sub(1)), v((i + 1).min(n - 1)));
            out[2 * i] = ((3 * v(i) + l + 1) >> 2) as u8;
            out[2 * i + 1] = ((3 * v(i) + r + 2) >> 2) as u8;
        }
        out
    }

    fn h2v2_plain(near: &[u8], far: &[u8]) -> Vec<u8> {
        let n = near.len();
        let cs = |i: usize| 3 * i32::from(near[i]) + i32::from(far[i]);
        let mut out = vec![0u8; 2 * n];
        for i in 0..n {
            let (l, r) = (cs(i.saturating_sub(1)), cs((i + 1).min(n - 1)));
            out[2 * i] = ((3 * cs(i) + l + 8) >> 4) as u8;
            out[2 * i + 1] = ((3 * cs(i) + r + 7) >> 4) as u8;
        }
        out
    }

    #[test]
    fn the_row_filters_equal_the_plain_formulas_at_every_width() {
        let near: Vec<u8> = (0..40u32).map(|i| (i * 97 % 256) as u8).collect();
        let far: Vec<u8> = (0..40u32).map(|i| (i * 61 % 256) as u8).collect();
        let mut sums = Vec::new();
        for n in 1..40 {
            // Output widths of 2n (even image width) and 2n - 1 (odd).
            for width in [2 * n, 2 * n - 1] {
                let mut out = vec![0u8; width];
                h2v1_fancy(&near[..n], &mut out);
                assert_eq!(out, h2v1_plain(&near[..n])[..width], "h2v1 {n} {width}");
                h2v2_fancy(&near[..n], &far[..n], &mut sums, &mut out);
                assert_eq!(
                    out,
                    h2v2_plain(&near[..n], &far[..n])[..width],
                    "h2v2 {n} {width}"
                );
            }
        }
    }

    #[test]
    fn vertical_neighbours_clamp_at_the_edges() {
        assert_eq!(Method::H2V2Fancy.neighbour_row(0, 5), (0, 1));
        assert_eq!(Method::H2V2Fancy.neighbour_row(1, 5), (1, 2));
        assert_eq!(Method::H2V2Fancy.neighbour_row(4, 5), (1, 1));
        assert_eq!(Method::H2V2Fancy.neighbour_row(9, 5), (4, 2));
    }
}
