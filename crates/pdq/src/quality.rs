//! The quality metric: how much significant gradient the downscaled image has.

/// Quality of a 64x64 downscaled luma buffer, 0..=100
/// (`pdqImageDomainQualityMetric`).
///
/// Each difference between neighbouring cells, vertical and horizontal, is
/// scaled to percent of the 0..255 range in f32 and truncated toward zero;
/// the absolute values are summed, divided by 90 (integer division) and
/// capped at 100. The constants are the reference's heuristics.
pub(crate) fn quality(buffer: &[[f32; 64]; 64]) -> u8 {
    let step = |u: f32, v: f32| ((((u - v) * 100.0) / 255.0) as i32).abs();
    let mut gradient_sum: i32 = 0;
    for pair in buffer.windows(2) {
        for (&u, &v) in pair[0].iter().zip(&pair[1]) {
            gradient_sum += step(u, v);
        }
    }
    for row in buffer.iter() {
        for pair in row.windows(2) {
            gradient_sum += step(pair[0], pair[1]);
        }
    }
    (gradient_sum / 90).min(100) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_image_has_no_quality() {
        assert_eq!(quality(&[[128.0; 64]; 64]), 0);
    }

    #[test]
    fn truncation_toward_zero() {
        // A step of 3 grey levels is 1.17 percent: 1 per pair, in both signs.
        let mut buffer = [[0f32; 64]; 64];
        for (i, row) in buffer.iter_mut().enumerate() {
            row.fill(if i % 2 == 0 { 0.0 } else { 3.0 });
        }
        // 63 * 64 vertical pairs of 1, no horizontal difference.
        assert_eq!(quality(&buffer), (63 * 64 / 90) as u8);
    }

    #[test]
    fn capped_at_100() {
        let mut buffer = [[0f32; 64]; 64];
        for (i, row) in buffer.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if (i + j) % 2 == 0 { 0.0 } else { 255.0 };
            }
        }
        assert_eq!(quality(&buffer), 100);
    }
}
