//! Telling a video file by its first bytes, and an animated GIF by its
//! frames.

/// The containers a file's first bytes name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// ISO base media: MP4, MOV, M4V, 3GP, 3G2.
    Mp4,
    /// Matroska and WebM.
    Matroska,
    /// AVI.
    Avi,
    /// MPEG transport stream (`.ts`, `.mts`, `.m2ts`).
    MpegTs,
    /// MPEG program stream (`.mpg`, `.vob`).
    MpegPs,
    /// Flash video.
    Flv,
    /// Windows Media (ASF).
    Asf,
    /// Ogg (Theora).
    Ogg,
}

/// Bytes [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 400;

/// ISO base media brands of still images (HEIF, AVIF): not videos.
const IMAGE_BRANDS: [&[u8; 4]; 4] = [b"heic", b"heix", b"mif1", b"avif"];

/// The video container the first bytes of a file name, if any. GIFs are
/// images here; [`gif_is_animated`] tells the animated ones.
pub fn sniff(head: &[u8]) -> Option<Container> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(4, b"ftyp") {
        let brand = head.get(8..12)?;
        if IMAGE_BRANDS.iter().any(|b| &b[..] == brand) {
            return None;
        }
        return Some(Container::Mp4);
    }
    // QuickTime files without `ftyp` start with one of these atoms.
    if [b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"]
        .iter()
        .any(|atom| at(4, &atom[..]))
    {
        return Some(Container::Mp4);
    }
    if at(0, &[0x1a, 0x45, 0xdf, 0xa3]) {
        return Some(Container::Matroska);
    }
    if at(0, b"RIFF") && at(8, b"AVI ") {
        return Some(Container::Avi);
    }
    if head.len() >= 189 && head[0] == 0x47 && head[188] == 0x47 {
        return Some(Container::MpegTs);
    }
    // M2TS: a 4-byte time code before each 188-byte packet.
    if head.len() >= 197 && head[4] == 0x47 && head[196] == 0x47 {
        return Some(Container::MpegTs);
    }
    if at(0, &[0, 0, 1, 0xba]) {
        return Some(Container::MpegPs);
    }
    if at(0, b"FLV\x01") {
        return Some(Container::Flv);
    }
    if at(
        0,
        &[
            0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62,
            0xce, 0x6c,
        ],
    ) {
        return Some(Container::Asf);
    }
    if at(0, b"OggS") && head.windows(6).any(|w| w == b"theora") {
        return Some(Container::Ogg);
    }
    None
}

/// Whether a GIF holds more than one frame. Walks the blocks without
/// decoding them; a broken or truncated file counts the frames it had.
pub fn gif_is_animated(bytes: &[u8]) -> bool {
    gif_frames(bytes, 2) >= 2
}

/// Image blocks in a GIF, counted up to `stop`.
fn gif_frames(bytes: &[u8], stop: usize) -> usize {
    if !(bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) || bytes.len() < 13 {
        return 0;
    }
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3usize << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let mut at = 13 + table(bytes[10]);
    let mut frames = 0;
    // Skips data sub-blocks from `at`; the position after the terminator.
    let skip_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let len = usize::from(*bytes.get(at)?);
            at += 1;
            if len == 0 {
                return Some(at);
            }
            at += len;
        }
    };
    while frames < stop {
        match bytes.get(at) {
            Some(0x21) => match skip_blocks(at + 2) {
                Some(next) => at = next,
                None => break,
            },
            Some(0x2c) => {
                let Some(&flags) = bytes.get(at + 9) else {
                    break;
                };
                frames += 1;
                // Descriptor, local table, LZW code size, then the data.
                match skip_blocks(at + 10 + table(flags) + 1) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            _ => break,
        }
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_told_by_their_first_bytes() {
        let mut mp4 = vec![0, 0, 0, 0x20];
        mp4.extend_from_slice(b"ftypisom");
        assert_eq!(sniff(&mp4), Some(Container::Mp4));
        let mut heic = vec![0, 0, 0, 0x18];
        heic.extend_from_slice(b"ftypheic");
        assert_eq!(sniff(&heic), None);
        assert_eq!(
            sniff(&[0x1a, 0x45, 0xdf, 0xa3, 1]),
            Some(Container::Matroska)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI LIST"), Some(Container::Avi));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), None);
        let mut ts = vec![0u8; 400];
        ts[0] = 0x47;
        ts[188] = 0x47;
        assert_eq!(sniff(&ts), Some(Container::MpegTs));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), None);
        assert_eq!(sniff(b""), None);
    }

    /// A GIF of `frames` 1x1 images.
    fn gif(frames: usize) -> Vec<u8> {
        let mut out = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff".to_vec();
        for _ in 0..frames {
            out.extend_from_slice(b"\x21\xf9\x04\x00\x0a\x00\x00\x00");
            out.extend_from_slice(b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00");
        }
        out.push(0x3b);
        out
    }

    #[test]
    fn animated_gifs_are_told_from_still_ones() {
        assert!(!gif_is_animated(&gif(1)));
        assert!(gif_is_animated(&gif(2)));
        assert_eq!(gif_frames(&gif(5), 10), 5);
        let cut = gif(2);
        assert!(!gif_is_animated(&cut[..cut.len() - 12]));
        assert!(!gif_is_animated(b"GIF89a"));
        assert!(!gif_is_animated(b"\x89PNG"));
    }
}
