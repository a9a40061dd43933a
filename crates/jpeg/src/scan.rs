//! The MCU walk of one scan (ITU T.81 A.2): which block of which component
//! each coded block is, in order, for interleaved and non-interleaved
//! scans, with the restart markers between intervals. The entropy decoding
//! of each block is left to a [`BlockDecoder`].

use super::bits::{has_ff_byte, BitReader};
use super::frame::Frame;
use super::markers::{code, Cursor, ScanHeader};
use super::Malformed;

/// Most blocks in one MCU of an interleaved scan (ITU T.81 B.2.3; libjpeg's
/// `D_MAX_BLOCKS_IN_MCU`).
pub(crate) const MAX_BLOCKS_IN_MCU: usize = 10;

/// Number of distinct restart markers: RST0..RST7 repeat.
const RESTART_CYCLE: usize = 8;

/// Decodes the blocks of a scan.
pub(crate) trait BlockDecoder {
    /// Decodes the block at `(bx, by)` (in blocks) of the scan's component
    /// `scan_index`.
    fn block(
        &mut self,
        reader: &mut BitReader,
        scan_index: usize,
        bx: usize,
        by: usize,
    ) -> Result<(), Malformed>;

    /// Resets the DC predictions and end-of-band runs at a restart marker.
    fn restart(&mut self);

    /// Called after each row of MCUs, with the number of rows done.
    fn mcu_row_done(&mut self, _rows_done: usize) {}
}

/// The blocks of one MCU: for each, the scan component and its offset in
/// blocks within the MCU.
struct McuLayout {
    blocks: Vec<(usize, usize, usize)>,
    /// Per scan component, its sampling factors (blocks per MCU).
    factors: Vec<(usize, usize)>,
    mcus_x: usize,
    mcus_y: usize,
}

fn layout(frame: &Frame, scan: &ScanHeader) -> Result<McuLayout, Malformed> {
    if let [only] = scan.components.as_slice() {
        // Non-interleaved: one block per MCU, the component's own grid.
        let c = frame
            .components
            .get(only.index)
            .ok_or(Malformed("a scan names a component the frame lacks"))?;
        return Ok(McuLayout {
            blocks: vec![(0, 0, 0)],
            factors: vec![(1, 1)],
            mcus_x: c.blocks_w,
            mcus_y: c.blocks_h,
        });
    }
    let mut blocks = Vec::new();
    let mut factors = Vec::new();
    for (i, sc) in scan.components.iter().enumerate() {
        let c = frame
            .components
            .get(sc.index)
            .ok_or(Malformed("a scan names a component the frame lacks"))?;
        for dy in 0..c.v {
            for dx in 0..c.h {
                blocks.push((i, dx, dy));
            }
        }
        factors.push((c.h, c.v));
    }
    if blocks.len() > MAX_BLOCKS_IN_MCU {
        return Err(Malformed("more than 10 blocks in an MCU"));
    }
    Ok(McuLayout {
        blocks,
        factors,
        mcus_x: frame.mcus_x,
        mcus_y: frame.mcus_y,
    })
}

/// How many blocks a scan codes (dummy blocks of interleaved MCUs
/// included).
pub(crate) fn block_count(frame: &Frame, scan: &ScanHeader) -> Result<usize, Malformed> {
    let layout = layout(frame, scan)?;
    Ok(layout.mcus_x * layout.mcus_y * layout.blocks.len())
}

/// Decodes the scan whose data starts at the cursor, leaving the cursor
/// where the marker after the data can be read.
pub(crate) fn decode_scan<D: BlockDecoder>(
    cursor: &mut Cursor,
    frame: &Frame,
    scan: &ScanHeader,
    restart_interval: usize,
    decoder: &mut D,
) -> Result<(), Malformed> {
    let layout = layout(frame, scan)?;
    let data = cursor.data();
    let mut reader = BitReader::new(data, cursor.position());
    let mut until_restart = restart_interval;
    let mut next_restart = 0usize;
    for my in 0..layout.mcus_y {
        for mx in 0..layout.mcus_x {
            if restart_interval > 0 {
                if until_restart == 0 {
                    reader = restart(reader, cursor, next_restart)?;
                    next_restart = (next_restart + 1) % RESTART_CYCLE;
                    until_restart = restart_interval;
                    decoder.restart();
                }
                until_restart -= 1;
            }
            for &(i, dx, dy) in &layout.blocks {
                let (h, v) = layout.factors[i];
                decoder.block(&mut reader, i, mx * h + dx, my * v + dy)?;
            }
        }
        decoder.mcu_row_done(my + 1);
    }
    if reader.overran() {
        return Err(Malformed("the data ends before the image is complete"));
    }
    cursor.seek(reader.resume_position());
    Ok(())
}

/// Passes over the data of a scan without decoding it, leaving the cursor
/// at the marker after it (its last `FF`, as [`decode_scan`] does). `FF 00`
/// is data; restart markers must come in order, at least one per interval
/// boundary.
pub(crate) fn skip_scan(
    cursor: &mut Cursor,
    frame: &Frame,
    scan: &ScanHeader,
    restart_interval: usize,
) -> Result<(), Malformed> {
    let layout = layout(frame, scan)?;
    let data = cursor.data();
    let ends_early = Malformed("the data ends before the image is complete");
    let mut pos = cursor.position();
    let mut restarts = 0usize;
    loop {
        let ff = pos + find_ff(data.get(pos..).ok_or(ends_early)?).ok_or(ends_early)?;
        let mut probe = ff + 1;
        while data.get(probe) == Some(&0xFF) {
            probe += 1;
        }
        let marker = *data.get(probe).ok_or(ends_early)?;
        if marker == 0 {
            pos = probe + 1;
        } else if (code::RST0..=code::RST7).contains(&marker) {
            if usize::from(marker - code::RST0) != restarts % RESTART_CYCLE {
                return Err(Malformed("a restart marker is missing or out of order"));
            }
            restarts += 1;
            pos = probe + 1;
        } else {
            cursor.seek(probe - 1);
            break;
        }
    }
    let mcus = layout.mcus_x * layout.mcus_y;
    let boundaries = mcus.saturating_sub(1).checked_div(restart_interval);
    if restarts < boundaries.unwrap_or(0) {
        return Err(Malformed("a restart marker is missing or out of order"));
    }
    Ok(())
}

/// The index of the first `FF` byte, eight bytes at a time.
fn find_ff(data: &[u8]) -> Option<usize> {
    let mut chunks = data.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if has_ff_byte(u64::from_ne_bytes(word)) {
            break;
        }
        at += 8;
    }
    data.get(at..)?
        .iter()
        .position(|&b| b == 0xFF)
        .map(|i| at + i)
}

/// Ends a restart interval: the data must have sufficed, and the next
/// marker (after any stray bytes, which libjpeg also skips) must be the
/// expected RSTn. Returns a reader for the next interval.
#[inline(never)]
fn restart<'a>(
    reader: BitReader<'a>,
    cursor: &mut Cursor<'a>,
    expected: usize,
) -> Result<BitReader<'a>, Malformed> {
    if reader.overran() {
        return Err(Malformed("the data ends before the image is complete"));
    }
    cursor.seek(reader.resume_position());
    let marker = cursor
        .next_marker()
        .map_err(|_| Malformed("the data ends before the image is complete"))?;
    if usize::from(marker) != usize::from(code::RST0) + expected {
        return Err(Malformed("a restart marker is missing or out of order"));
    }
    let mut next = BitReader::new(cursor.data(), cursor.position());
    next.discard_bits();
    Ok(next)
}
