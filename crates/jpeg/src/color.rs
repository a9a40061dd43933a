//! Colour: which colour space the components are in (libjpeg's
//! jdapimin.c `default_decompress_parms`), and the conversion of a row to
//! what Pillow's `convert('RGB')` gives: libjpeg's fixed-point YCbCr to RGB
//! (jdcolor.c), and for four-component files libjpeg's CMYK output, inverted
//! as Pillow's "CMYK;I" raw mode does, then Pillow's `cmyk2rgb`
//! (libImaging/Convert.c).

use super::markers::{FrameHeader, Tables};

/// Fractional bits of the conversion constants (jdcolor.c `SCALEBITS`).
const SCALE_BITS: u32 = 16;
/// One half in those units (jdcolor.c `ONE_HALF`).
const ONE_HALF: i32 = 1 << (SCALE_BITS - 1);
/// `FIX(1.40200)` = round(1.402 * 2^16): Cr to R.
const FIX_1_40200: i32 = 91881;
/// `FIX(1.77200)`: Cb to B.
const FIX_1_77200: i32 = 116130;
/// `FIX(0.71414)`: Cr to G.
const FIX_0_71414: i32 = 46802;
/// `FIX(0.34414)`: Cb to G.
const FIX_0_34414: i32 = 22554;
/// The value chroma is centred on (`CENTERJSAMPLE`).
const CENTER: i32 = 128;
/// Largest sample (`MAXJSAMPLE`).
const MAX_SAMPLE: i32 = 255;

/// Component IDs 'R', 'G', 'B' that mark an RGB file without a JFIF or
/// Adobe segment (jdapimin.c).
const RGB_IDS: [u8; 3] = [b'R', b'G', b'B'];
/// Component IDs 1, 2, 3, the JFIF numbering, taken as YCbCr.
const JFIF_IDS: [u8; 3] = [1, 2, 3];
/// Adobe transform codes (Adobe technical note 5116): none, YCbCr, YCCK.
const ADOBE_NONE: u8 = 0;
const ADOBE_YCC: u8 = 1;
const ADOBE_YCCK: u8 = 2;

/// The colour space of the components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColorSpace {
    /// One component, grey.
    Gray,
    /// Luma and chroma.
    YCbCr,
    /// Red, green, blue stored as they are.
    Rgb,
    /// Cyan, magenta, yellow, black.
    Cmyk,
    /// Luma, chroma and black.
    Ycck,
}

impl ColorSpace {
    /// The colour space libjpeg assumes from the component count, the JFIF
    /// and Adobe segments and the component IDs.
    pub(crate) fn detect(frame: &FrameHeader, tables: &Tables) -> ColorSpace {
        let ids: Vec<u8> = frame.components.iter().map(|c| c.id).collect();
        match ids.len() {
            1 => ColorSpace::Gray,
            3 => {
                if tables.jfif {
                    ColorSpace::YCbCr
                } else if let Some(transform) = tables.adobe_transform {
                    match transform {
                        ADOBE_NONE => ColorSpace::Rgb,
                        ADOBE_YCC => ColorSpace::YCbCr,
                        // libjpeg warns and assumes YCbCr.
                        _ => ColorSpace::YCbCr,
                    }
                } else if ids == JFIF_IDS {
                    ColorSpace::YCbCr
                } else if ids == RGB_IDS {
                    ColorSpace::Rgb
                } else {
                    ColorSpace::YCbCr
                }
            }
            _ => match tables.adobe_transform {
                None | Some(ADOBE_NONE) => ColorSpace::Cmyk,
                Some(ADOBE_YCCK) => ColorSpace::Ycck,
                // libjpeg warns and assumes YCCK.
                Some(_) => ColorSpace::Ycck,
            },
        }
    }

    /// Output values per pixel: grey stays grey, everything else is RGB.
    pub(crate) fn channels(self) -> usize {
        match self {
            ColorSpace::Gray => 1,
            _ => 3,
        }
    }
}

/// libjpeg's YCbCr to RGB of one pixel, before range limiting.
#[inline(always)]
fn ycc_unclamped(y: u8, cb: u8, cr: u8) -> [i32; 3] {
    let y = i32::from(y);
    let cb = i32::from(cb) - CENTER;
    let cr = i32::from(cr) - CENTER;
    [
        y + ((FIX_1_40200 * cr + ONE_HALF) >> SCALE_BITS),
        y + ((-FIX_0_34414 * cb + ONE_HALF - FIX_0_71414 * cr) >> SCALE_BITS),
        y + ((FIX_1_77200 * cb + ONE_HALF) >> SCALE_BITS),
    ]
}

#[inline(always)]
fn clamp(v: i32) -> u8 {
    v.clamp(0, MAX_SAMPLE) as u8
}

/// The fractional parts of the constants, for products of two 16-bit
/// numbers: 1.402 = 1 + 26345 / 2^16, 1.772 = 2 - 14942 / 2^16,
/// -0.71414 = -1 + 18734 / 2^16.
const CR_R_FRACTION: i32 = FIX_1_40200 - (1 << SCALE_BITS);
const CB_B_FRACTION: i32 = FIX_1_77200 - (2 << SCALE_BITS);
const CR_G_FRACTION: i32 = (1 << SCALE_BITS) - FIX_0_71414;

/// [`ycc_unclamped`] with each product split into a whole part and a
/// fraction below 2^15, which is the same integer arithmetic and lets the
/// compiler use 16-bit multiplies over many pixels at once.
#[inline(always)]
fn ycc_split(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = i32::from(y);
    let cb = i32::from(i16::from(cb) - CENTER as i16);
    let cr = i32::from(i16::from(cr) - CENTER as i16);
    let r = y + cr + ((CR_R_FRACTION * cr + ONE_HALF) >> SCALE_BITS);
    let g = y - cr + ((-FIX_0_34414 * cb + CR_G_FRACTION * cr + ONE_HALF) >> SCALE_BITS);
    let b = y + 2 * cb + ((CB_B_FRACTION * cb + ONE_HALF) >> SCALE_BITS);
    [clamp(r), clamp(g), clamp(b)]
}

/// Pixels converted per step of [`ycc_to_rgb`].
const STEP: usize = 16;

/// YCbCr rows to interleaved RGB (jdcolor.c `ycc_rgb_convert`).
pub(crate) fn ycc_to_rgb(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    let n = (out.len() / 3).min(y.len()).min(cb.len()).min(cr.len());
    let whole = n / STEP * STEP;
    for (((o, y), cb), cr) in out[..whole * 3]
        .chunks_exact_mut(3 * STEP)
        .zip(y.chunks_exact(STEP))
        .zip(cb.chunks_exact(STEP))
        .zip(cr.chunks_exact(STEP))
    {
        let mut rgb = [[0u8; 3]; STEP];
        for i in 0..STEP {
            rgb[i] = ycc_split(y[i], cb[i], cr[i]);
        }
        for (px, v) in o.chunks_exact_mut(3).zip(&rgb) {
            px.copy_from_slice(v);
        }
    }
    for (((px, &y), &cb), &cr) in out[whole * 3..n * 3]
        .chunks_exact_mut(3)
        .zip(&y[whole..n])
        .zip(&cb[whole..n])
        .zip(&cr[whole..n])
    {
        px.copy_from_slice(&ycc_split(y, cb, cr));
    }
}

/// RGB rows interleaved (jdcolor.c `rgb_rgb_convert`).
pub(crate) fn rgb_to_rgb(r: &[u8], g: &[u8], b: &[u8], out: &mut [u8]) {
    for (((px, &r), &g), &b) in out.chunks_exact_mut(3).zip(r).zip(g).zip(b) {
        px[0] = r;
        px[1] = g;
        px[2] = b;
    }
}

/// Pillow's `MULDIV255`: `a * b / 255`, rounded, in integers.
#[inline(always)]
fn muldiv255(a: i32, b: i32) -> i32 {
    let t = a * b + 128;
    ((t >> 8) + t) >> 8
}

/// Pillow's `cmyk2rgb` on an inverted ("CMYK;I") pixel.
#[inline(always)]
fn pillow_cmyk(c: i32, m: i32, y: i32, k: i32) -> [u8; 3] {
    let nk = MAX_SAMPLE - k;
    [c, m, y].map(|v| clamp(nk - muldiv255(v, nk)))
}

/// CMYK rows as libjpeg gives them to RGB as Pillow makes it: each value
/// inverted, then `cmyk2rgb`.
pub(crate) fn cmyk_to_rgb(c: &[u8], m: &[u8], y: &[u8], k: &[u8], out: &mut [u8]) {
    let inv = |v: u8| MAX_SAMPLE - i32::from(v);
    for ((((px, &c), &m), &y), &k) in out.chunks_exact_mut(3).zip(c).zip(m).zip(y).zip(k) {
        px.copy_from_slice(&pillow_cmyk(inv(c), inv(m), inv(y), inv(k)));
    }
}

/// YCCK rows to RGB: libjpeg's `ycck_cmyk_convert` (CMY = 255 minus the
/// range-limited RGB of the YCC part, K unchanged), then as
/// [`cmyk_to_rgb`].
pub(crate) fn ycck_to_rgb(y: &[u8], cb: &[u8], cr: &[u8], k: &[u8], out: &mut [u8]) {
    for ((((px, &y), &cb), &cr), &k) in out.chunks_exact_mut(3).zip(y).zip(cb).zip(cr).zip(k) {
        let [r, g, b] = ycc_unclamped(y, cb, cr);
        // libjpeg stores the range-limited 255 - v; the inverted raw mode
        // turns that back into the range-limited v.
        let cmy = [r, g, b].map(|v| i32::from(clamp(v)));
        px.copy_from_slice(&pillow_cmyk(
            cmy[0],
            cmy[1],
            cmy[2],
            MAX_SAMPLE - i32::from(k),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_rounded_coefficients() {
        let fix = |x: f64| (x * 65536.0 + 0.5) as i32;
        assert_eq!(FIX_1_40200, fix(1.40200));
        assert_eq!(FIX_1_77200, fix(1.77200));
        assert_eq!(FIX_0_71414, fix(0.71414));
        assert_eq!(FIX_0_34414, fix(0.34414));
    }

    /// libjpeg's tables (jdcolor.c `build_ycc_rgb_table`), built the way it
    /// builds them, agree with the arithmetic here on every input.
    #[test]
    fn arithmetic_matches_the_libjpeg_tables() {
        let mut cr_r = [0i32; 256];
        let mut cb_b = [0i32; 256];
        let mut cr_g = [0i64; 256];
        let mut cb_g = [0i64; 256];
        for i in 0..256 {
            let x = i as i64 - 128;
            cr_r[i] = ((i64::from(FIX_1_40200) * x + i64::from(ONE_HALF)) >> 16) as i32;
            cb_b[i] = ((i64::from(FIX_1_77200) * x + i64::from(ONE_HALF)) >> 16) as i32;
            cr_g[i] = -i64::from(FIX_0_71414) * x;
            cb_g[i] = -i64::from(FIX_0_34414) * x + i64::from(ONE_HALF);
        }
        for y in [0u8, 1, 77, 128, 200, 254, 255] {
            for cb in 0..=255u8 {
                for cr in 0..=255u8 {
                    let want = [
                        i32::from(y) + cr_r[cr as usize],
                        i32::from(y) + ((cb_g[cb as usize] + cr_g[cr as usize]) >> 16) as i32,
                        i32::from(y) + cb_b[cb as usize],
                    ];
                    assert_eq!(ycc_unclamped(y, cb, cr), want);
                }
            }
        }
    }

    #[test]
    fn the_split_products_are_the_same_arithmetic() {
        for y in [0u8, 1, 77, 128, 200, 254, 255] {
            for cb in 0..=255u8 {
                for cr in 0..=255u8 {
                    let want = ycc_unclamped(y, cb, cr).map(clamp);
                    assert_eq!(ycc_split(y, cb, cr), want);
                }
            }
        }
        // And the row function over a long row with a remainder.
        let y: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
        let cb: Vec<u8> = (0..1000u32).map(|i| (i * 13 % 256) as u8).collect();
        let cr: Vec<u8> = (0..1000u32).map(|i| (i * 29 % 256) as u8).collect();
        let mut out = vec![0u8; 3000];
        ycc_to_rgb(&y, &cb, &cr, &mut out);
        for i in 0..1000 {
            assert_eq!(
                &out[3 * i..3 * i + 3],
                &ycc_unclamped(y[i], cb[i], cr[i]).map(clamp)
            );
        }
    }

    #[test]
    fn grey_chroma_gives_grey() {
        let y = [0u8, 50, 128, 255];
        let mut out = [0u8; 12];
        ycc_to_rgb(&y, &[128; 4], &[128; 4], &mut out);
        assert_eq!(out, [0, 0, 0, 50, 50, 50, 128, 128, 128, 255, 255, 255]);
    }

    #[test]
    fn cmyk_follows_pillow() {
        // No ink is white, full black is black; inverted storage as Adobe
        // writes it (0 = full ink).
        let mut out = [0u8; 6];
        cmyk_to_rgb(&[255, 255], &[255, 255], &[255, 255], &[255, 0], &mut out);
        assert_eq!(out, [255, 255, 255, 0, 0, 0]);
        // A value checked against Pillow: stored (C, M, Y, K) = (200, 100,
        // 50, 230) -> inverted (55, 155, 205, 25) -> nk = 230.
        let mut px = [0u8; 3];
        cmyk_to_rgb(&[200], &[100], &[50], &[230], &mut px);
        let nk = 230;
        let want = [55, 155, 205].map(|v| (nk - muldiv255(v, nk)) as u8);
        assert_eq!(px, want);
    }
}
