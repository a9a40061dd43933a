//! The geometry of a frame: component sizes in samples and blocks, the MCU
//! grid, and at a reduced scale the size each component's blocks are
//! decoded to (libjpeg's jdinput.c `initial_setup` and jdmaster.c
//! `jpeg_calc_output_dimensions`).

use super::markers::{Coding, FrameHeader};
use super::Problem;

/// Samples on a block side (`DCTSIZE`).
pub(crate) const BLOCK_SIDE: usize = 8;

/// One component's geometry.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    /// Horizontal sampling factor.
    pub(crate) h: usize,
    /// Vertical sampling factor.
    pub(crate) v: usize,
    /// Quantisation table slot.
    pub(crate) table: usize,
    /// Blocks holding image data per row (`width_in_blocks`).
    pub(crate) blocks_w: usize,
    /// Block rows holding image data (`height_in_blocks`).
    pub(crate) blocks_h: usize,
    /// Blocks per row of the MCU grid, dummy blocks included.
    pub(crate) padded_w: usize,
    /// Block rows of the MCU grid.
    pub(crate) padded_h: usize,
    /// Samples each block is decoded to on a side: 8 at full size, fewer
    /// when scaling (`DCT_scaled_size`).
    pub(crate) block_size: usize,
    /// Samples per row after decoding (`downsampled_width`).
    pub(crate) width: usize,
    /// Rows after decoding (`downsampled_height`).
    pub(crate) height: usize,
}

/// A frame's geometry at one output scale.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// Sequential or progressive.
    pub(crate) coding: Coding,
    /// Width in the file.
    pub(crate) width: usize,
    /// Height in the file.
    pub(crate) height: usize,
    /// The components, in frame order.
    pub(crate) components: Vec<Component>,
    /// Largest horizontal sampling factor.
    pub(crate) max_h: usize,
    /// Largest vertical sampling factor.
    pub(crate) max_v: usize,
    /// MCUs per row of an interleaved scan.
    pub(crate) mcus_x: usize,
    /// MCU rows of an interleaved scan (`total_iMCU_rows`).
    pub(crate) mcus_y: usize,
    /// Output samples per block side of the component with the smallest
    /// blocks: 8 at full size, 4, 2 or 1 when scaling (`min_DCT_scaled_size`).
    pub(crate) scale: usize,
    /// Output width.
    pub(crate) out_width: usize,
    /// Output height.
    pub(crate) out_height: usize,
}

impl Frame {
    /// The geometry of `header` decoded with `scale` samples per block side
    /// (8, 4, 2 or 1).
    pub(crate) fn new(header: &FrameHeader, scale: usize) -> Result<Frame, Problem> {
        let max_h = header.components.iter().map(|c| c.h).max().unwrap_or(1);
        let max_v = header.components.iter().map(|c| c.v).max().unwrap_or(1);
        let (w, h) = (header.width, header.height);
        let mcus_x = w.div_ceil(max_h * BLOCK_SIDE);
        let mcus_y = h.div_ceil(max_v * BLOCK_SIDE);
        let components = header
            .components
            .iter()
            .map(|c| {
                let block_size = scaled_block_size(scale, max_h, max_v, c.h, c.v);
                Component {
                    h: c.h,
                    v: c.v,
                    table: c.table,
                    blocks_w: (w * c.h).div_ceil(max_h * BLOCK_SIDE),
                    blocks_h: (h * c.v).div_ceil(max_v * BLOCK_SIDE),
                    padded_w: mcus_x * c.h,
                    padded_h: mcus_y * c.v,
                    block_size,
                    width: (w * c.h * block_size).div_ceil(max_h * BLOCK_SIDE),
                    height: (h * c.v * block_size).div_ceil(max_v * BLOCK_SIDE),
                }
            })
            .collect();
        Ok(Frame {
            coding: header.coding,
            width: w,
            height: h,
            components,
            max_h,
            max_v,
            mcus_x,
            mcus_y,
            scale,
            out_width: (w * scale).div_ceil(BLOCK_SIDE),
            out_height: (h * scale).div_ceil(BLOCK_SIDE),
        })
    }
}

/// The block size of a component when the smallest is `scale`: doubled
/// while the component's sampling ratio to the largest factors stays a
/// multiple of two in both directions, so that subsampled chroma is
/// enlarged by the IDCT instead of the upsampler (jdmaster.c
/// `jpeg_calc_output_dimensions`). At full size it is always 8.
fn scaled_block_size(scale: usize, max_h: usize, max_v: usize, h: usize, v: usize) -> usize {
    let mut size = scale;
    while size < BLOCK_SIDE
        && (max_h * scale).is_multiple_of(h * size * 2)
        && (max_v * scale).is_multiple_of(v * size * 2)
    {
        size *= 2;
    }
    size
}

#[cfg(test)]
mod tests {
    use super::super::markers::ComponentSpec;
    use super::*;

    fn header(w: usize, h: usize, factors: &[(usize, usize)]) -> FrameHeader {
        FrameHeader {
            coding: Coding::Sequential,
            width: w,
            height: h,
            components: factors
                .iter()
                .enumerate()
                .map(|(i, &(h, v))| ComponentSpec {
                    id: i as u8 + 1,
                    h,
                    v,
                    table: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn four_two_zero_geometry() {
        let f = Frame::new(&header(17, 9, &[(2, 2), (1, 1), (1, 1)]), 8).unwrap();
        assert_eq!((f.mcus_x, f.mcus_y), (2, 1));
        let (y, cb) = (&f.components[0], &f.components[1]);
        assert_eq!(
            (y.blocks_w, y.blocks_h, y.padded_w, y.padded_h),
            (3, 2, 4, 2)
        );
        assert_eq!(
            (cb.blocks_w, cb.blocks_h, cb.padded_w, cb.padded_h),
            (2, 1, 2, 1)
        );
        assert_eq!((cb.width, cb.height), (9, 5));
    }

    #[test]
    fn scaling_enlarges_subsampled_chroma_in_the_idct() {
        let f = Frame::new(&header(4032, 3024, &[(2, 2), (1, 1), (1, 1)]), 1).unwrap();
        assert_eq!(f.components[0].block_size, 1);
        assert_eq!(f.components[1].block_size, 2);
        assert_eq!((f.out_width, f.out_height), (504, 378));
        assert_eq!((f.components[1].width, f.components[1].height), (504, 378));
        let f = Frame::new(&header(4032, 3024, &[(2, 2), (1, 1), (1, 1)]), 4).unwrap();
        assert_eq!(f.components[1].block_size, 8);
        // 4:2:2 at 1/8: chroma doubled horizontally only would need a
        // ratio of 2 both ways, so it stays at the luma size.
        let f = Frame::new(&header(64, 64, &[(2, 1), (1, 1), (1, 1)]), 1).unwrap();
        assert_eq!(f.components[1].block_size, 1);
    }
}
