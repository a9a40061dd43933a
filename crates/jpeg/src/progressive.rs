//! Progressive Huffman decoding (ITU T.81 G.1.2; libjpeg's jdphuff.c): DC
//! first and refinement scans, AC first scans with end-of-band runs, and AC
//! refinement scans that append correction bits. Also the scan checks and
//! the per-coefficient progress (`coef_bits`) that block smoothing reads.

use super::bits::BitReader;
use super::coefficients::{Block, Coefficients};
use super::huffman::HuffTable;
use super::markers::{ScanHeader, BLOCK_SIZE, ZIGZAG};
use super::scan::BlockDecoder;
use super::{Malformed, Problem};

/// Largest successive-approximation bit position libjpeg accepts
/// (jdphuff.c `start_pass_phuff_decoder`).
const MAX_AL: u32 = 13;

/// Progress of each coefficient of each component: the `Al` of the last
/// scan that coded it, or -1 before any (libjpeg's `coef_bits`).
pub(crate) type Progress = Vec<[i32; BLOCK_SIZE]>;

/// What kind of progressive scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// First DC scan: differences, shifted up by `Al`.
    DcFirst,
    /// DC refinement: one bit per block.
    DcRefine,
    /// First AC scan of a band.
    AcFirst,
    /// AC refinement of a band.
    AcRefine,
}

/// Checks a progressive scan header as libjpeg does (errors only where
/// libjpeg stops; inconsistent progressions are only warnings there and
/// are decoded as they come here too), updates `progress`, and says which
/// kind of pass it is.
pub(crate) fn start_pass(scan: &ScanHeader, progress: &mut Progress) -> Result<Pass, Problem> {
    let dc = scan.ss == 0;
    let bad = if dc {
        scan.se != 0
    } else {
        scan.ss > scan.se || scan.se >= BLOCK_SIZE || scan.components.len() != 1
    } || (scan.ah != 0 && scan.al + 1 != scan.ah)
        || scan.al > MAX_AL;
    if bad {
        return Err(Problem::Malformed(Malformed("an invalid progressive scan")));
    }
    for sc in &scan.components {
        let bits = progress
            .get_mut(sc.index)
            .ok_or(Malformed("a scan names a component the frame lacks"))?;
        for b in &mut bits[scan.ss..=scan.se] {
            *b = scan.al as i32;
        }
    }
    Ok(match (dc, scan.ah == 0) {
        (true, true) => Pass::DcFirst,
        (true, false) => Pass::DcRefine,
        (false, true) => Pass::AcFirst,
        (false, false) => Pass::AcRefine,
    })
}

/// A progressive scan into the coefficient store.
pub(crate) struct ProgressiveScan<'a> {
    pub(crate) pass: Pass,
    /// Frame component index of each scan component.
    pub(crate) components: Vec<usize>,
    /// DC tables of the scan components (first DC scans only).
    pub(crate) dc: Vec<HuffTable>,
    /// The AC table (AC scans only: they hold one component).
    pub(crate) ac: Option<Box<HuffTable>>,
    pub(crate) ss: usize,
    pub(crate) se: usize,
    pub(crate) al: u32,
    pub(crate) store: &'a mut Coefficients,
    pub(crate) predictions: [i32; 4],
    /// Blocks left in the current end-of-band run.
    pub(crate) eob_run: u32,
}

impl BlockDecoder for ProgressiveScan<'_> {
    #[inline(always)]
    fn block(
        &mut self,
        reader: &mut BitReader,
        scan_index: usize,
        bx: usize,
        by: usize,
    ) -> Result<(), Malformed> {
        self.block_with(reader, scan_index, bx, by)
    }

    fn restart(&mut self) {
        self.predictions = [0; 4];
        self.eob_run = 0;
    }
}

impl ProgressiveScan<'_> {
    #[inline(always)]
    fn block_with(
        &mut self,
        reader: &mut BitReader,
        scan_index: usize,
        bx: usize,
        by: usize,
    ) -> Result<(), Malformed> {
        let component = *self
            .components
            .get(scan_index)
            .ok_or(Malformed("a scan component out of range"))?;
        let block = self
            .store
            .components
            .get_mut(component)
            .and_then(|c| c.get_mut(bx, by))
            .ok_or(Malformed("a block outside the image"))?;
        match self.pass {
            Pass::DcFirst => {
                let (Some(table), Some(prediction)) = (
                    self.dc.get(scan_index),
                    self.predictions.get_mut(scan_index),
                ) else {
                    return Err(Malformed("a scan component out of range"));
                };
                dc_first(reader, table, prediction, self.al, &mut block[0])
            }
            Pass::DcRefine => {
                if reader.bit() {
                    block[0] |= (1i32 << self.al) as i16;
                }
                Ok(())
            }
            Pass::AcFirst => {
                let table = self.ac.as_deref().ok_or(Malformed("no AC table"))?;
                let block = all_terms(block)?;
                ac_first(
                    reader,
                    table,
                    self.ss,
                    self.se,
                    self.al,
                    &mut self.eob_run,
                    block,
                )
            }
            Pass::AcRefine => {
                let table = self.ac.as_deref().ok_or(Malformed("no AC table"))?;
                let block = all_terms(block)?;
                ac_refine(
                    reader,
                    table,
                    self.ss,
                    self.se,
                    self.al,
                    &mut self.eob_run,
                    block,
                )
            }
        }
    }
}

/// A block whose AC terms an AC scan writes. Components holding only DC
/// terms have their AC scans passed over, never decoded.
fn all_terms(block: &mut [i16]) -> Result<&mut Block, Malformed> {
    block
        .try_into()
        .map_err(|_| Malformed("an AC scan of a component read for its DC terms only"))
}

/// `Al`-shifted value as libjpeg stores it (`(JCOEF)LEFT_SHIFT(v, Al)`).
#[inline(always)]
fn shifted(value: i32, al: u32) -> i16 {
    (i64::from(value) << al) as i16
}

#[inline(always)]
fn dc_first(
    reader: &mut BitReader,
    table: &HuffTable,
    prediction: &mut i32,
    al: u32,
    dc: &mut i16,
) -> Result<(), Malformed> {
    let diff = table.decode_difference(reader)?;
    *prediction = prediction
        .checked_add(diff)
        .ok_or(Malformed("a DC value out of range"))?;
    *dc = shifted(*prediction, al);
    Ok(())
}

/// The run length an EOBn code gives: `2^r` plus `r` more bits.
#[inline(always)]
fn eob_run_length(reader: &mut BitReader, r: u32) -> u32 {
    (1 << r) + reader.bits(r)
}

#[inline(always)]
/// A first AC scan of one block; a run past the band lands on coefficient
/// 63 through the padded zig-zag table (the index stays under 63 + 16).
fn ac_first(
    reader: &mut BitReader,
    table: &HuffTable,
    ss: usize,
    se: usize,
    al: u32,
    eob_run: &mut u32,
    block: &mut Block,
) -> Result<(), Malformed> {
    if *eob_run > 0 {
        *eob_run -= 1;
        return Ok(());
    }
    let mut k = ss;
    while k <= se {
        reader.refill();
        let fast = table.fast_ac(reader);
        if fast != 0 {
            // A code and its extra bits within the lookahead: run, value.
            reader.consume((fast & 0xFF) as u32);
            k += ((fast >> 8) & 0xFF) as usize;
            block[ZIGZAG[k]] = shifted(fast >> 16, al);
            k += 1;
            continue;
        }
        let symbol = table.decode(reader)?;
        let run = u32::from(symbol >> 4);
        let size = u32::from(symbol & 15);
        if size != 0 {
            k += run as usize;
            let value = reader.signed(size);
            block[ZIGZAG[k]] = shifted(value, al);
        } else if run == 15 {
            k += 15;
        } else {
            *eob_run = eob_run_length(reader, run) - 1;
            break;
        }
        k += 1;
    }
    Ok(())
}

/// Appends a correction bit to an already nonzero coefficient: its
/// magnitude grows by `2^Al` when the bit is 1 and that bit is not set yet.
#[inline(always)]
fn correct(reader: &mut BitReader, coef: &mut i16, p1: i32) {
    if reader.bit() && (i32::from(*coef) & p1) == 0 {
        let grown = if *coef >= 0 {
            i32::from(*coef) + p1
        } else {
            i32::from(*coef) - p1
        };
        *coef = grown as i16;
    }
}

#[inline(always)]
fn ac_refine(
    reader: &mut BitReader,
    table: &HuffTable,
    ss: usize,
    se: usize,
    al: u32,
    eob_run: &mut u32,
    block: &mut Block,
) -> Result<(), Malformed> {
    let p1 = 1i32 << al;
    let m1 = -1i32 << al;
    // k stays within Se + 1 <= 64 (start_pass checked Se).
    let at = |k: usize| ZIGZAG[k];
    let mut k = ss;
    if *eob_run == 0 {
        while k <= se {
            let symbol = table.decode(reader)?;
            let mut run = i32::from(symbol >> 4);
            let size = symbol & 15;
            let mut value = 0i32;
            if size != 0 {
                // The size of a new coefficient is 1 in a valid stream;
                // libjpeg reads one sign bit whatever it says.
                value = if reader.bit() { p1 } else { m1 };
            } else if run != 15 {
                *eob_run = eob_run_length(reader, run as u32);
                break;
            }
            // Skip `run` zero coefficients, correcting nonzero ones on the
            // way; stop on the zero the new coefficient goes to.
            loop {
                let coef = &mut block[at(k)];
                if *coef != 0 {
                    correct(reader, coef, p1);
                } else {
                    run -= 1;
                    if run < 0 {
                        break;
                    }
                }
                k += 1;
                if k > se {
                    break;
                }
            }
            if value != 0 {
                block[at(k)] = value as i16;
            }
            k += 1;
        }
    }
    if *eob_run > 0 {
        // In an end-of-band run: only correction bits for the nonzero
        // coefficients left in the band.
        while k <= se {
            let coef = &mut block[at(k)];
            if *coef != 0 {
                correct(reader, coef, p1);
            }
            k += 1;
        }
        *eob_run -= 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::markers::ScanComponent;
    use super::*;

    fn header(ss: usize, se: usize, ah: u32, al: u32, comps: usize) -> ScanHeader {
        ScanHeader {
            components: (0..comps)
                .map(|i| ScanComponent {
                    index: i,
                    dc_table: 0,
                    ac_table: 0,
                })
                .collect(),
            ss,
            se,
            ah,
            al,
        }
    }

    #[test]
    fn scans_libjpeg_refuses_are_refused() {
        let mut p: Progress = vec![[-1; 64]; 3];
        assert!(start_pass(&header(0, 0, 0, 1, 3), &mut p).is_ok());
        assert!(start_pass(&header(0, 5, 0, 0, 1), &mut p).is_err());
        assert!(start_pass(&header(1, 5, 0, 0, 2), &mut p).is_err());
        assert!(start_pass(&header(6, 5, 0, 0, 1), &mut p).is_err());
        assert!(start_pass(&header(1, 64, 0, 0, 1), &mut p).is_err());
        assert!(start_pass(&header(1, 5, 2, 0, 1), &mut p).is_err());
        assert!(start_pass(&header(1, 5, 0, 14, 1), &mut p).is_err());
    }

    #[test]
    fn progress_records_the_last_al() {
        let mut p: Progress = vec![[-1; 64]; 3];
        assert_eq!(
            start_pass(&header(0, 0, 0, 1, 3), &mut p).unwrap(),
            Pass::DcFirst
        );
        assert_eq!(
            start_pass(&header(1, 5, 0, 2, 1), &mut p).unwrap(),
            Pass::AcFirst
        );
        assert_eq!(
            start_pass(&header(1, 5, 2, 1, 1), &mut p).unwrap(),
            Pass::AcRefine
        );
        assert_eq!(
            start_pass(&header(0, 0, 1, 0, 3), &mut p).unwrap(),
            Pass::DcRefine
        );
        assert_eq!(&p[0][..7], &[0, 1, 1, 1, 1, 1, -1]);
        assert_eq!(&p[1][..2], &[0, -1]);
    }
}
