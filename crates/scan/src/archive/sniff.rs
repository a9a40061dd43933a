//! What a file is, from its first bytes: the content decides, never the name.

use media::Format;

/// Bytes looked at: a tar header is 512 bytes.
pub const SNIFF_LEN: usize = 512;

/// What the first bytes say a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A zip archive.
    Zip,
    /// A tar archive.
    Tar,
    /// A gzip stream (a .tar.gz, or one gzipped file).
    Gzip,
    /// An image format the decoder reads.
    Image,
    /// A video container (`hashbank_video::sniff`), hashed through FFmpeg.
    Video,
    /// Anything else.
    Unknown,
}

impl Sniffed {
    /// Whether it is an archive to look into.
    pub fn is_archive(self) -> bool {
        matches!(self, Sniffed::Zip | Sniffed::Tar | Sniffed::Gzip)
    }
}

/// Local file header, and the end of an empty archive.
const ZIP_MAGICS: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];
/// gzip's magic and its one compression method (deflate).
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b, 0x08];
/// Where POSIX and GNU tar headers say `ustar`.
const USTAR_AT: usize = 257;
/// The checksum field of a tar header: offset and length.
const TAR_CHECKSUM: (usize, usize) = (148, 8);

/// What `head` (the first [`SNIFF_LEN`] bytes, or all of a shorter file) is.
pub fn sniff(head: &[u8]) -> Sniffed {
    if ZIP_MAGICS.iter().any(|m| head.starts_with(m)) {
        Sniffed::Zip
    } else if head.starts_with(GZIP_MAGIC) {
        Sniffed::Gzip
    } else if is_tar_header(head) {
        Sniffed::Tar
    } else if Format::sniff(head).is_some() {
        Sniffed::Image
    } else if video::sniff(head).is_some() {
        Sniffed::Video
    } else {
        Sniffed::Unknown
    }
}

/// Whether `head` starts with a tar header: `ustar` at its place, or (old
/// tars) a checksum that matches.
fn is_tar_header(head: &[u8]) -> bool {
    if head.len() < SNIFF_LEN {
        return false;
    }
    if &head[USTAR_AT..USTAR_AT + 5] == b"ustar" {
        return true;
    }
    let (at, len) = TAR_CHECKSUM;
    let field = &head[at..at + len];
    let digits: String = field
        .iter()
        .map(|&b| b as char)
        .take_while(|c| c.is_digit(8) || *c == ' ')
        .filter(|c| *c != ' ')
        .collect();
    let Ok(stated) = u32::from_str_radix(&digits, 8) else {
        return false;
    };
    let sum: u32 = head[..SNIFF_LEN]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (at..at + len).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    head[0] != 0 && sum == stated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), Sniffed::Gzip);
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Sniffed::Image);
        assert_eq!(sniff(b"just some text"), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
        let mut tar = Vec::new();
        {
            let mut builder = tar::Builder::new(&mut tar);
            let mut header = tar::Header::new_gnu();
            header.set_size(3);
            header.set_cksum();
            builder
                .append_data(&mut header, "a.txt", &b"abc"[..])
                .unwrap();
            builder.finish().unwrap();
        }
        assert_eq!(sniff(&tar[..SNIFF_LEN]), Sniffed::Tar);
        // An old-style header: no `ustar`, a valid checksum.
        let mut old = tar[..SNIFF_LEN].to_vec();
        old[USTAR_AT..USTAR_AT + 8].fill(0);
        let (at, len) = TAR_CHECKSUM;
        old[at..at + len].fill(b' ');
        let sum: u32 = old.iter().map(|&b| u32::from(b)).sum();
        old[at..at + 7].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert_eq!(sniff(&old), Sniffed::Tar);
        old[0] ^= 1;
        assert_eq!(sniff(&old), Sniffed::Unknown);
    }
}
