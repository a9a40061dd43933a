//! What a decoder needs of an H.264 or HEVC packet, read from its NAL unit
//! headers: whether later pictures may start from it (an IDR picture), and
//! whether any picture refers to it.
//!
//! Packets from MP4, MOV and Matroska hold NAL units each led by a 4-byte
//! big-endian length. A packet whose lengths do not tile it exactly is not
//! understood, and the caller decodes everything instead.

/// The codecs whose packets are read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC.
    Hevc,
}

/// What one packet's NAL headers say of its picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picture {
    /// An IDR picture: no picture after it in decoding order refers to a
    /// picture before it.
    pub idr: bool,
    /// An HEVC CRA or BLA picture: only the RASL pictures that follow it
    /// (in decoding order, up to the next such picture) may refer to
    /// pictures before it.
    pub clean_but_rasl: bool,
    /// An HEVC RASL picture: it may refer to pictures before its CRA.
    pub rasl: bool,
    /// No picture of its own layer refers to it (H.264: `nal_ref_idc` 0;
    /// HEVC: a sub-layer non-reference picture).
    pub unreferenced: bool,
    /// HEVC's temporal sub-layer (0 for H.264). A sub-layer non-reference
    /// picture may still be referred to by pictures of higher sub-layers.
    pub layer: u8,
}

/// The NAL units of a length-prefixed packet, or `None` when the lengths
/// do not tile it.
fn units(mut data: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.len() < 4 {
            return None;
        }
        let len = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
        let rest = &data[4..];
        if len == 0 || len > rest.len() {
            return None;
        }
        out.push(&rest[..len]);
        data = &rest[len..];
    }
    Some(out)
}

/// The picture a packet holds, or `None` when it holds no coded picture or
/// can't be read.
pub fn picture(codec: Codec, data: &[u8]) -> Option<Picture> {
    let mut seen = false;
    let mut idr = false;
    let mut clean_but_rasl = false;
    let mut rasl = false;
    let mut unreferenced = true;
    let mut layer = 0u8;
    for unit in units(data)? {
        match codec {
            Codec::H264 => {
                let kind = unit[0] & 0x1f;
                if !(1..=5).contains(&kind) {
                    continue;
                }
                seen = true;
                idr |= kind == 5;
                unreferenced &= unit[0] >> 5 == 0;
            }
            Codec::Hevc => {
                if unit.len() < 2 {
                    return None;
                }
                let kind = (unit[0] >> 1) & 0x3f;
                if kind > 31 {
                    continue;
                }
                let temporal = (unit[1] & 7).checked_sub(1)?;
                seen = true;
                idr |= kind == 19 || kind == 20;
                clean_but_rasl |= (16..=18).contains(&kind) || kind == 21;
                rasl |= kind == 8 || kind == 9;
                // Types 0 to 14 that are even: TRAIL_N, TSA_N, STSA_N,
                // RADL_N, RASL_N and the reserved RSV_VCL_N10/12/14.
                unreferenced &= kind <= 14 && kind % 2 == 0;
                layer = layer.max(temporal);
            }
        }
    }
    seen.then_some(Picture {
        idr,
        clean_but_rasl,
        rasl,
        unreferenced,
        layer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(units: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for u in units {
            out.extend((u.len() as u32).to_be_bytes());
            out.extend(*u);
        }
        out
    }

    #[test]
    fn h264_headers_give_idr_and_reference() {
        // SEI (6), then an IDR slice with nal_ref_idc 3.
        let idr = packet(&[&[0x06, 1, 2], &[0x65, 0x88]]);
        let p = picture(Codec::H264, &idr).unwrap();
        assert!(p.idr && !p.unreferenced);
        // A non-reference slice (nal_ref_idc 0, type 1).
        let b = packet(&[&[0x01, 0x9a]]);
        let p = picture(Codec::H264, &b).unwrap();
        assert!(!p.idr && p.unreferenced);
        // A reference P slice.
        let p = picture(Codec::H264, &packet(&[&[0x41, 0x9a]])).unwrap();
        assert!(!p.idr && !p.unreferenced);
        // Parameter sets alone hold no picture.
        assert_eq!(
            picture(Codec::H264, &packet(&[&[0x67, 1], &[0x68, 2]])),
            None
        );
    }

    #[test]
    fn hevc_headers_give_idr_reference_and_layer() {
        // IDR_W_RADL (19), layer 0.
        let p = picture(Codec::Hevc, &packet(&[&[19 << 1, 1, 0xaf]])).unwrap();
        assert!(p.idr && !p.unreferenced && p.layer == 0);
        // TRAIL_N (0) in sub-layer 2.
        let p = picture(Codec::Hevc, &packet(&[&[0, 3, 0xaf]])).unwrap();
        assert!(!p.idr && p.unreferenced && p.layer == 2);
        // TRAIL_R (1).
        let p = picture(Codec::Hevc, &packet(&[&[1 << 1, 1, 0xaf]])).unwrap();
        assert!(!p.unreferenced && !p.clean_but_rasl && !p.rasl);
        // CRA (21), then a RASL_N picture (8).
        let p = picture(Codec::Hevc, &packet(&[&[21 << 1, 1, 0xaf]])).unwrap();
        assert!(p.clean_but_rasl && !p.idr && !p.unreferenced);
        let p = picture(Codec::Hevc, &packet(&[&[8 << 1, 1, 0xaf]])).unwrap();
        assert!(p.rasl && p.unreferenced);
        // A temporal id of 0 is not allowed.
        assert_eq!(picture(Codec::Hevc, &packet(&[&[1 << 1, 0, 0xaf]])), None);
    }

    #[test]
    fn lengths_that_do_not_tile_the_packet_are_not_read() {
        // Annex B start codes instead of lengths.
        assert_eq!(picture(Codec::H264, &[0, 0, 0, 1, 0x65, 0x88]), None);
        let mut cut = packet(&[&[0x65, 0x88, 7]]);
        cut.pop();
        assert_eq!(picture(Codec::H264, &cut), None);
        assert_eq!(picture(Codec::H264, &[]), None);
    }
}
