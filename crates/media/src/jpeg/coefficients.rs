//! The coefficient store of a multi-scan image: every block of every
//! component, filled in scan by scan, then taken through the IDCT once all
//! scans are read (libjpeg's full-image coefficient buffer, jdcoefct.c).

use super::frame::Frame;
use super::idct::Multipliers;
use super::markers::BLOCK_SIZE;
use super::output::Plane;
use super::reduced::idct_scaled;
use super::Problem;

/// One block's coefficients in natural order.
pub(crate) type Block = [i16; BLOCK_SIZE];

/// The blocks of one component on its MCU grid.
pub(crate) struct ComponentBlocks {
    /// Blocks row by row.
    pub(crate) blocks: Vec<Block>,
    /// Blocks per row.
    pub(crate) width: usize,
}

impl ComponentBlocks {
    /// The block at `(bx, by)`, if inside the grid.
    pub(crate) fn get(&self, bx: usize, by: usize) -> Option<&Block> {
        if bx >= self.width {
            return None;
        }
        self.blocks
            .get(by.checked_mul(self.width)?.checked_add(bx)?)
    }

    /// The block at `(bx, by)` to write, if inside the grid.
    pub(crate) fn get_mut(&mut self, bx: usize, by: usize) -> Option<&mut Block> {
        if bx >= self.width {
            return None;
        }
        self.blocks
            .get_mut(by.checked_mul(self.width)?.checked_add(bx)?)
    }
}

/// All components' blocks.
pub(crate) struct Coefficients {
    /// Per frame component.
    pub(crate) components: Vec<ComponentBlocks>,
}

impl Coefficients {
    /// Zeroed blocks for `frame`.
    pub(crate) fn new(frame: &Frame) -> Result<Coefficients, Problem> {
        let components = frame
            .components
            .iter()
            .map(|c| {
                let count = c
                    .padded_w
                    .checked_mul(c.padded_h)
                    .ok_or(Problem::Unsupported("an image too large to decode"))?;
                Ok(ComponentBlocks {
                    blocks: vec![[0; BLOCK_SIZE]; count],
                    width: c.padded_w,
                })
            })
            .collect::<Result<Vec<_>, Problem>>()?;
        Ok(Coefficients { components })
    }

    /// Runs the IDCT over every block holding image data, into `planes`.
    pub(crate) fn to_planes(&self, frame: &Frame, quant: &[Multipliers], planes: &mut [Plane]) {
        for (((c, blocks), plane), q) in frame
            .components
            .iter()
            .zip(&self.components)
            .zip(planes.iter_mut())
            .zip(quant)
        {
            let n = c.block_size;
            for by in 0..c.blocks_h {
                for bx in 0..c.blocks_w {
                    let Some(block) = blocks.get(bx, by) else {
                        continue;
                    };
                    let stride = plane.stride;
                    if let Some(out) = plane.block_mut(bx, by, n) {
                        idct_scaled(n, block, q, out, stride);
                    }
                }
            }
        }
    }
}
