//! Sequential (baseline and extended) Huffman decoding of blocks (ITU T.81
//! F.2.2; libjpeg's jdhuff.c): the DC difference added to the prediction,
//! then AC run/size codes until end of block. A single scan holding every
//! component goes straight through the IDCT into the planes, MCU row by MCU
//! row; scans of a multi-scan file fill the coefficient store.

use std::rc::Rc;

use super::bits::BitReader;
use super::coefficients::{Block, Coefficients};
use super::frame::Frame;
use super::huffman::{HuffTable, SkipTable};
use super::idct::{dc_only, Multipliers};
use super::markers::{BLOCK_SIZE, ZIGZAG};
use super::output::{Output, Plane};
use super::reduced::idct_scaled;
use super::scan::BlockDecoder;
use super::Malformed;

/// Decodes one block. The DC prediction wraps as libjpeg's unsigned
/// arithmetic does; a run past the end of the block (at most to index
/// 63 + 15) lands on coefficient 63 through the padded zig-zag table, as in
/// libjpeg. When only the DC term is used (`dc_only`), the AC codes are
/// read past through the `skip` table, storing nothing, or without one
/// decoded and then cleared, the plain way to the same block. Returns
/// whether an AC coefficient was stored.
#[inline(always)]
pub(crate) fn decode_block(
    reader: &mut BitReader,
    dc: &HuffTable,
    ac: &HuffTable,
    dc_only: bool,
    skip: Option<&SkipTable>,
    prediction: &mut i32,
    block: &mut Block,
) -> Result<bool, Malformed> {
    let diff = dc.decode_difference(reader)?;
    *prediction = prediction.wrapping_add(diff);
    block[0] = *prediction as i16;
    if dc_only {
        if let Some(skip) = skip {
            skip.skip_block(ac, reader)?;
        } else {
            decode_ac(reader, ac, block)?;
            block[1..].fill(0);
        }
        return Ok(false);
    }
    decode_ac(reader, ac, block)
}

/// Decodes the AC codes of one block into it; returns whether a
/// coefficient was stored.
#[inline(always)]
fn decode_ac(reader: &mut BitReader, ac: &HuffTable, block: &mut Block) -> Result<bool, Malformed> {
    let mut stored = false;
    let mut k = 1usize;
    while k < BLOCK_SIZE {
        reader.refill();
        let fast = ac.fast_ac(reader);
        if fast != 0 {
            reader.consume((fast & 0xFF) as u32);
            k += ((fast >> 8) & 0xFF) as usize;
            block[ZIGZAG[k]] = (fast >> 16) as i16;
            stored = true;
            k += 1;
            continue;
        }
        let symbol = ac.decode(reader)?;
        let run = usize::from(symbol >> 4);
        let size = u32::from(symbol & 15);
        if size != 0 {
            k += run;
            let value = reader.signed(size);
            block[ZIGZAG[k]] = value as i16;
            stored = true;
        } else if run == 15 {
            k += 15;
        } else {
            break;
        }
        k += 1;
    }
    Ok(stored)
}

/// Huffman tables of one scan component.
pub(crate) struct ScanTables {
    /// Index into the frame's components.
    pub(crate) component: usize,
    /// DC table.
    pub(crate) dc: Box<HuffTable>,
    /// AC table.
    pub(crate) ac: Box<HuffTable>,
    /// Only the DC term is used: at one sample per block, or chroma of a
    /// scaled decode for [`super::Detail::ForHash`].
    pub(crate) dc_only: bool,
    /// For reading past the AC codes when only the DC term is used.
    pub(crate) skip: Option<Rc<SkipTable>>,
}

impl ScanTables {
    /// Decodes one block of this component: [`decode_block`] with its
    /// tables.
    #[inline(always)]
    pub(crate) fn decode_block(
        &self,
        reader: &mut BitReader,
        prediction: &mut i32,
        block: &mut Block,
    ) -> Result<bool, Malformed> {
        decode_block(
            reader,
            &self.dc,
            &self.ac,
            self.dc_only,
            self.skip.as_deref(),
            prediction,
            block,
        )
    }
}

/// A single scan holding every component: blocks decoded, transformed into
/// the planes, and rows emitted as MCU rows complete.
pub(crate) struct IntoPlanes<'a> {
    pub(crate) tables: Vec<ScanTables>,
    pub(crate) quant: Vec<Multipliers>,
    pub(crate) frame: &'a Frame,
    pub(crate) planes: &'a mut [Plane],
    pub(crate) output: &'a mut Output,
    /// Output rows each MCU row of the scan completes.
    pub(crate) rows_per_mcu_row: usize,
    pub(crate) predictions: [i32; 4],
    pub(crate) block: Block,
}

impl BlockDecoder for IntoPlanes<'_> {
    #[inline(always)]
    fn block(
        &mut self,
        reader: &mut BitReader,
        scan_index: usize,
        bx: usize,
        by: usize,
    ) -> Result<(), Malformed> {
        let Some(t) = self.tables.get(scan_index) else {
            return Err(Malformed("a scan component out of range"));
        };
        let c = t.component;
        let (Some(component), Some(plane), Some(quant), Some(prediction)) = (
            self.frame.components.get(c),
            self.planes.get_mut(c),
            self.quant.get(c),
            self.predictions.get_mut(scan_index),
        ) else {
            return Err(Malformed("a scan component out of range"));
        };
        let n = component.block_size;
        let has_ac = t.decode_block(reader, prediction, &mut self.block)?;
        let stride = plane.stride;
        if let Some(out) = plane.block_mut(bx, by, n) {
            if has_ac || n == 1 {
                idct_scaled(n, &self.block, quant, out, stride);
            } else {
                dc_only(self.block[0], quant, n, out, stride);
            }
        }
        if has_ac {
            self.block = [0; BLOCK_SIZE];
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.predictions = [0; 4];
    }

    fn mcu_row_done(&mut self, rows_done: usize) {
        // Output rows whose upsampling context is all decoded: the last
        // `max_v` rows of the MCU row may need the next one.
        let rows = rows_done * self.rows_per_mcu_row;
        self.output
            .emit(self.planes, rows.saturating_sub(self.frame.max_v));
    }
}

/// A sequential scan of a multi-scan file: blocks into the coefficient
/// store. Like libjpeg, coefficients a scan does not code keep what an
/// earlier scan of the same component put there.
pub(crate) struct IntoCoefficients<'a> {
    pub(crate) tables: Vec<ScanTables>,
    pub(crate) store: &'a mut Coefficients,
    pub(crate) predictions: [i32; 4],
}

impl BlockDecoder for IntoCoefficients<'_> {
    #[inline(always)]
    fn block(
        &mut self,
        reader: &mut BitReader,
        scan_index: usize,
        bx: usize,
        by: usize,
    ) -> Result<(), Malformed> {
        let (Some(t), Some(prediction)) = (
            self.tables.get(scan_index),
            self.predictions.get_mut(scan_index),
        ) else {
            return Err(Malformed("a scan component out of range"));
        };
        let held = self
            .store
            .components
            .get_mut(t.component)
            .and_then(|c| c.get_mut(bx, by))
            .ok_or(Malformed("a block outside the image"))?;
        if let Ok(block) = <&mut Block>::try_from(&mut *held) {
            return t.decode_block(reader, prediction, block).map(|_| ());
        }
        // A component held by its DC terms alone: its AC codes are read
        // past, never stored.
        let mut block = [0; BLOCK_SIZE];
        t.decode_block(reader, prediction, &mut block)?;
        held[0] = block[0];
        Ok(())
    }

    fn restart(&mut self) {
        self.predictions = [0; 4];
    }
}
