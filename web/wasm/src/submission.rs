//! The hashes a case holds for one image, in one place: the plain PDQ hash,
//! MD5 and SHA-256 of the file, then the additional PDQ hashes of parts of
//! the image that `media::robust` computes so that cropped, framed or
//! captioned copies are found too (role `extra`). Each PDQ hash goes with
//! its label: `pdq` for the whole image, or the part of the picture that
//! was hashed (`trim`, `crop90`, `top80`, ...), which the bank uses to
//! compare it only with the copies of that part.

use api::NewHash;
use media::robust::bank_hashes;
use media::Decoded;
use model::{Kind, Role};
use pdq::PdqHash;

use crate::report::Print;

/// An image's PDQ hashes: the plain one and the additional ones.
pub struct ImageHashes {
    /// The plain PDQ hash of the whole image, exactly [`pdq::hash`].
    pub plain: PdqHash,
    /// The additional hashes of sufficient quality, with their labels.
    pub extra: Vec<(PdqHash, &'static str)>,
}

/// The PDQ hashes of a decoded image. The plain hash is the first of
/// `media::robust::bank_hashes`, which is exactly [`pdq::hash`] of the whole
/// image, so the full-size image is hashed once.
pub fn image_hashes(image: &Decoded) -> ImageHashes {
    let mut all = bank_hashes(image).into_iter().map(|h| {
        let hash = PdqHash {
            hash: h.hash,
            quality: h.quality,
        };
        (hash, h.label.as_str())
    });
    let (plain, _) = all.next().expect("bank_hashes starts with the plain hash");
    ImageHashes {
        plain,
        extra: all.collect(),
    }
}

/// Every hash to submit for one usable image, as the bank reads them
/// ([`NewHash`]): the plain PDQ hash, MD5 and SHA-256 (role `plain`), then
/// the additional PDQ hashes (role `extra`), without repeats.
pub fn submission(print: &Print, extra: &[(PdqHash, &'static str)]) -> Vec<NewHash> {
    let mut out = vec![
        NewHash {
            kind: Kind::Pdq,
            value: print.pdq.clone(),
            quality: Some(u32::from(print.quality)),
            role: Role::Plain,
            label: Some(model::BankLabel::Plain.as_str().to_string()),
        },
        NewHash {
            kind: Kind::Md5,
            value: print.md5.clone(),
            quality: None,
            role: Role::Plain,
            label: None,
        },
        NewHash {
            kind: Kind::Sha256,
            value: print.sha256.clone(),
            quality: None,
            role: Role::Plain,
            label: None,
        },
    ];
    for (hash, label) in extra {
        let value = hash.hash.to_hex();
        if out.iter().any(|h| h.kind == Kind::Pdq && h.value == value) {
            continue;
        }
        out.push(NewHash {
            kind: Kind::Pdq,
            value,
            quality: Some(u32::from(hash.quality)),
            role: Role::Extra,
            label: Some(label.to_string()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::PixelData;

    #[test]
    fn plain_hashes_first_then_the_extra_ones_once_each() {
        let (w, h) = (160, 120);
        let pixels = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                ((x * 7 + y * 3) % 200 + ((x / 20 + y / 15) % 2) * 40) as u8
            })
            .collect();
        let image = Decoded::full(w, h, PixelData::Gray(pixels));
        let hashes = image_hashes(&image);
        assert_eq!(hashes.plain, pdq::hash(&image.as_image()));
        let print = Print {
            pdq: hashes.plain.hash.to_hex(),
            quality: hashes.plain.quality,
            md5: "0".repeat(32),
            sha256: "1".repeat(64),
            width: w,
            height: h,
        };
        let mut extra = hashes.extra.clone();
        extra.push((hashes.plain, "again"));
        let list = submission(&print, &extra);
        let roles: Vec<_> = list
            .iter()
            .map(|h| (h.kind, h.role, h.label.as_deref()))
            .collect();
        assert_eq!(
            &roles[..3],
            &[
                (Kind::Pdq, Role::Plain, Some("pdq")),
                (Kind::Md5, Role::Plain, None),
                (Kind::Sha256, Role::Plain, None)
            ]
        );
        assert!(list[3..]
            .iter()
            .all(|h| h.kind == Kind::Pdq && h.role == Role::Extra));
        for h in &list[3..] {
            let label: media::robust::BankLabel = h.label.as_deref().unwrap().parse().unwrap();
            assert_eq!(label.role(), media::robust::Role::Extra);
        }
        assert!(list[3..]
            .iter()
            .all(|h| h.quality.unwrap() >= u32::from(pdq::QUALITY_THRESHOLD)));
        let mut values: Vec<_> = list.iter().map(|h| &h.value).collect();
        values.sort();
        values.dedup();
        assert_eq!(values.len(), list.len(), "no hash twice");
        assert!(list.len() > 3, "a textured picture has extra hashes");
    }
}
