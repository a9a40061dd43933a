//! The coefficient store of a multi-scan image: every block of every
//! component, filled in scan by scan, then taken through the IDCT once all
//! scans are read (libjpeg's full-image coefficient buffer, jdcoefct.c).

use std::borrow::Cow;

use super::frame::Frame;
use super::idct::Multipliers;
use super::markers::BLOCK_SIZE;
use super::output::Plane;
use super::reduced::idct_scaled;
use super::Problem;

/// One block's coefficients in natural order.
pub(crate) type Block = [i16; BLOCK_SIZE];

/// The blocks of one component on its MCU grid: every coefficient, or only
/// the DC term where a decode uses nothing else and reads past the rest
/// (a 64th of the memory, which a large progressive file decoded at 1/8
/// would otherwise spend its time zeroing).
pub(crate) struct ComponentBlocks {
    /// Coefficients block by block, row by row.
    values: Vec<i16>,
    /// Coefficients held per block: [`BLOCK_SIZE`] or 1.
    per_block: usize,
    /// Blocks per row.
    width: usize,
}

impl ComponentBlocks {
    fn index(&self, bx: usize, by: usize) -> Option<usize> {
        if bx >= self.width {
            return None;
        }
        let at = by.checked_mul(self.width)?.checked_add(bx)?;
        (at < self.values.len() / self.per_block).then_some(at * self.per_block)
    }

    /// The DC term of the block at `(bx, by)`, if inside the grid.
    pub(crate) fn dc(&self, bx: usize, by: usize) -> Option<i16> {
        self.index(bx, by).map(|i| self.values[i])
    }

    /// The block at `(bx, by)`, if inside the grid: borrowed where every
    /// coefficient is held, made with zero AC terms where only the DC term
    /// is.
    pub(crate) fn block(&self, bx: usize, by: usize) -> Option<Cow<'_, Block>> {
        let i = self.index(bx, by)?;
        let held = &self.values[i..i + self.per_block];
        Some(match <&Block>::try_from(held) {
            Ok(block) => Cow::Borrowed(block),
            Err(_) => {
                let mut block = [0; BLOCK_SIZE];
                block[0] = held[0];
                Cow::Owned(block)
            }
        })
    }

    /// The held coefficients of the block at `(bx, by)` to write, if inside
    /// the grid: 64, or the DC term alone.
    pub(crate) fn get_mut(&mut self, bx: usize, by: usize) -> Option<&mut [i16]> {
        let i = self.index(bx, by)?;
        Some(&mut self.values[i..i + self.per_block])
    }

    /// Zeroes every AC term.
    pub(crate) fn clear_ac(&mut self) {
        if self.per_block == BLOCK_SIZE {
            for block in self.values.chunks_exact_mut(BLOCK_SIZE) {
                block[1..].fill(0);
            }
        }
    }
}

/// All components' blocks.
pub(crate) struct Coefficients {
    /// Per frame component.
    pub(crate) components: Vec<ComponentBlocks>,
}

impl Coefficients {
    /// Zeroed blocks for `frame`; the components flagged in `dc_only` hold
    /// only their DC terms.
    pub(crate) fn new(frame: &Frame, dc_only: &[bool]) -> Result<Coefficients, Problem> {
        let components = frame
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let per_block = match dc_only.get(i) {
                    Some(true) => 1,
                    _ => BLOCK_SIZE,
                };
                let count = c
                    .padded_w
                    .checked_mul(c.padded_h)
                    .and_then(|n| n.checked_mul(per_block))
                    .ok_or(Problem::Unsupported("an image too large to decode"))?;
                Ok(ComponentBlocks {
                    values: vec![0; count],
                    per_block,
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
                    let Some(block) = blocks.block(bx, by) else {
                        continue;
                    };
                    let stride = plane.stride;
                    if let Some(out) = plane.block_mut(bx, by, n) {
                        idct_scaled(n, &block, q, out, stride);
                    }
                }
            }
        }
    }
}
