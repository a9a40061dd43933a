//! Which packets an H.264 or HEVC stream must be decoded from for the
//! frames that are hashed, read from the packets alone before decoding.
//!
//! A frame's number is its place in presentation order: the rank of its
//! timestamp among all the stream's pictures (the reference numbers frames
//! as the decoder gives them out, which is that order). A kept frame needs
//! the reference pictures before it back to the last IDR picture (or HEVC
//! CRA picture, unless a RASL picture of that CRA is needed); pictures no
//! one refers to, and everything after the last kept frame before the next
//! such picture, are never decoded.

use std::collections::HashMap;

use super::nal::Picture;

/// One packet of the stream, as read before decoding.
#[derive(Debug, Clone, Copy)]
pub struct Scanned {
    /// Presentation timestamp.
    pub pts: i64,
    /// What its NAL headers say.
    pub picture: Picture,
}

/// What to decode and what to hash.
#[derive(Debug)]
pub struct Selection {
    /// For each packet in decoding order: send it to the decoder.
    pub send: Vec<bool>,
    /// The frames to hash: presentation timestamp to frame number.
    pub keep: HashMap<i64, u64>,
}

/// Which frames are hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Every `step`-th frame, as the reference keeps them.
    Every(u64),
    /// For every `step`-th frame, the nearest IDR picture within `step`
    /// frames of it when there is one (it costs one picture to decode),
    /// else the frame itself; each frame once.
    NearestIdr(u64),
}

/// The selection for `packets` (in decoding order), or `None` when the
/// stream can't be planned safely: a timestamp missing or repeated, or a
/// first picture that is not an IDR picture (the decoder may then drop
/// pictures, and the numbers would no longer be the reference's).
pub fn select(packets: &[Scanned], choice: Choice) -> Option<Selection> {
    let first = packets.first()?;
    if !first.picture.idr {
        return None;
    }
    let mut order: Vec<usize> = (0..packets.len()).collect();
    order.sort_by_key(|&i| packets[i].pts);
    if order
        .windows(2)
        .any(|w| packets[w[0]].pts == packets[w[1]].pts)
    {
        return None;
    }
    // rank[i]: the frame number of packet i.
    let mut rank = vec![0u64; packets.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r as u64;
    }
    let total = packets.len() as u64;
    let mut kept = vec![false; packets.len()];
    match choice {
        Choice::Every(step) => {
            let step = step.max(1);
            for (i, r) in rank.iter().enumerate() {
                kept[i] = r % step == 0;
            }
        }
        Choice::NearestIdr(step) => {
            let step = step.max(1);
            // Frame numbers of the IDR pictures, ascending.
            let idrs: Vec<u64> = order
                .iter()
                .filter(|&&i| packets[i].picture.idr)
                .map(|&i| rank[i])
                .collect();
            let mut slot = 0;
            while slot < total {
                let at = idrs.partition_point(|&r| r < slot);
                let after = idrs.get(at).copied();
                let before = at.checked_sub(1).map(|j| idrs[j]);
                let nearest = match (before, after) {
                    (Some(b), Some(a)) if slot - b <= a - slot => Some(b),
                    (_, Some(a)) => Some(a),
                    (b, None) => b,
                };
                let frame = match nearest {
                    Some(r) if r.abs_diff(slot) <= step => r,
                    _ => slot,
                };
                kept[order[frame as usize]] = true;
                slot += step;
            }
        }
    }
    // A picture no one refers to may still be referred to by pictures of a
    // higher HEVC sub-layer: only those of the highest layer are skipped.
    let top = packets.iter().map(|p| p.picture.layer).max().unwrap_or(0);
    let mut send = vec![false; packets.len()];
    // A kept frame later in decoding order needs the reference pictures
    // from here on.
    let mut pending = false;
    // A RASL picture after this point (up to the next CRA) is sent: it
    // needs the pictures before its CRA.
    let mut rasl_sent = false;
    for i in (0..packets.len()).rev() {
        let picture = packets[i].picture;
        if kept[i] {
            send[i] = true;
            pending = true;
        } else if pending
            && !(picture.unreferenced && picture.layer == top)
            // Only RASL pictures refer to RASL pictures.
            && (!picture.rasl || rasl_sent)
        {
            send[i] = true;
        }
        rasl_sent |= send[i] && picture.rasl;
        if picture.idr || (picture.clean_but_rasl && !rasl_sent) {
            pending = false;
        }
        if picture.idr || picture.clean_but_rasl {
            rasl_sent = false;
        }
    }
    let keep = (0..packets.len())
        .filter(|&i| kept[i])
        .map(|i| (packets[i].pts, rank[i]))
        .collect();
    Some(Selection { send, keep })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pic(idr: bool, unreferenced: bool) -> Picture {
        Picture {
            idr,
            clean_but_rasl: false,
            rasl: false,
            unreferenced,
            layer: 0,
        }
    }

    /// A stream of `gops` groups of `gop` pictures in decoding order: an
    /// IDR picture, then P pictures each followed by a B picture shown
    /// before it (`b_ref`: whether the B pictures are references).
    fn stream(gops: usize, gop: usize, b_ref: bool) -> Vec<Scanned> {
        let mut out = Vec::new();
        for g in 0..gops {
            let base = (g * gop) as i64;
            out.push(Scanned {
                pts: base,
                picture: pic(true, false),
            });
            let mut shown = 1;
            while shown < gop {
                if shown + 1 < gop {
                    out.push(Scanned {
                        pts: base + shown as i64 + 1,
                        picture: pic(false, false),
                    });
                    out.push(Scanned {
                        pts: base + shown as i64,
                        picture: pic(false, !b_ref),
                    });
                    shown += 2;
                } else {
                    out.push(Scanned {
                        pts: base + shown as i64,
                        picture: pic(false, false),
                    });
                    shown += 1;
                }
            }
        }
        out
    }

    #[test]
    fn numbers_are_presentation_ranks_and_refs_before_a_kept_frame_are_sent() {
        let packets = stream(2, 10, false);
        let s = select(&packets, Choice::Every(5)).unwrap();
        let mut kept: Vec<u64> = s.keep.values().copied().collect();
        kept.sort();
        assert_eq!(kept, vec![0, 5, 10, 15]);
        for (i, p) in packets.iter().enumerate() {
            let frame = p.pts as u64;
            let in_gop = frame % 10;
            let needed = if p.picture.unreferenced {
                in_gop == 5
            } else {
                // Reference pictures up to the one shown 6th (decoded
                // before the B picture shown 5th).
                in_gop <= 6
            };
            assert_eq!(s.send[i], needed, "packet {i} (frame {frame})");
        }
    }

    #[test]
    fn a_kept_frame_at_an_idr_picture_needs_nothing_else() {
        let packets = stream(3, 30, true);
        let s = select(&packets, Choice::Every(30)).unwrap();
        let sent: Vec<i64> = packets
            .iter()
            .zip(&s.send)
            .filter(|(_, &send)| send)
            .map(|(p, _)| p.pts)
            .collect();
        assert_eq!(sent, vec![0, 30, 60]);
    }

    #[test]
    fn nearest_idr_takes_key_pictures_and_fills_long_gaps() {
        // IDR pictures every 60 frames, a hash every 30: each slot has an
        // IDR picture within 30 frames, so only they are decoded.
        let packets = stream(3, 60, true);
        let s = select(&packets, Choice::NearestIdr(30)).unwrap();
        let mut kept: Vec<u64> = s.keep.values().copied().collect();
        kept.sort();
        assert_eq!(kept, vec![0, 60, 120]);
        assert_eq!(s.send.iter().filter(|&&x| x).count(), 3);
        // One IDR picture in 100 frames, a hash every 10: slot 10 takes
        // the IDR picture, the slots further from it are decoded exactly.
        let packets = stream(1, 100, true);
        let s = select(&packets, Choice::NearestIdr(10)).unwrap();
        let mut kept: Vec<u64> = s.keep.values().copied().collect();
        kept.sort();
        assert_eq!(
            kept,
            (2..10).fold(vec![0], |mut v, k| {
                v.push(k * 10);
                v
            })
        );
    }

    #[test]
    fn a_cra_picture_starts_afresh_unless_its_rasl_pictures_are_needed() {
        // Decoding order: IDR 0, P 2, B 1, CRA 6, RASL 4 (shown before the
        // CRA, refers to P 2), RASL 5, P 8, B 7.
        let p = |pts, idr, cra, rasl, unreferenced| Scanned {
            pts,
            picture: Picture {
                idr,
                clean_but_rasl: cra,
                rasl,
                unreferenced,
                layer: 0,
            },
        };
        let packets = [
            p(0, true, false, false, false),
            p(2, false, false, false, false),
            p(1, false, false, false, true),
            p(3, false, false, false, false),
            p(6, false, true, false, false),
            p(4, false, false, true, false),
            p(5, false, false, true, true),
            p(8, false, false, false, false),
            p(7, false, false, false, true),
        ];
        let sent = |s: &Selection| -> Vec<i64> {
            packets
                .iter()
                .zip(&s.send)
                .filter(|(_, &x)| x)
                .map(|(p, _)| p.pts)
                .collect()
        };
        // Frame 7 needs the CRA and P 8 only.
        let s = select(&packets, Choice::Every(7)).unwrap();
        assert_eq!(sent(&s), vec![0, 6, 8, 7]);
        // Frame 4, a RASL picture, needs what came before its CRA too.
        let s = select(&packets, Choice::Every(4)).unwrap();
        assert_eq!(sent(&s), vec![0, 2, 3, 6, 4, 8]);
    }

    #[test]
    fn streams_that_cannot_be_planned_are_refused() {
        let mut packets = stream(1, 10, false);
        packets[3].pts = packets[4].pts;
        assert!(select(&packets, Choice::Every(5)).is_none());
        let packets = stream(1, 10, false);
        assert!(select(&packets[1..], Choice::Every(5)).is_none());
        assert!(select(&[], Choice::Every(5)).is_none());
    }

    #[test]
    fn unreferenced_pictures_of_lower_hevc_layers_are_kept() {
        let mut packets = stream(1, 10, false);
        // The B pictures are sub-layer non-reference pictures of layer 0,
        // and a P picture sits in layer 1: they may be referred to.
        packets[1].picture.layer = 1;
        let s = select(&packets, Choice::Every(9)).unwrap();
        for (i, p) in packets.iter().enumerate() {
            if p.picture.unreferenced && p.pts < 9 {
                assert!(s.send[i], "packet {i}");
            }
        }
    }
}
