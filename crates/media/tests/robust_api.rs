//! `media::robust`: the contract the bank, `scan` and the victim's page rely
//! on, copies made here from synthetic pictures, and random inputs.

use media::robust::{
    bank_hashes, decide, query_hashes, radius, BankLabel, Candidate, Evidence, Match, Part,
    QueryLabel, Role, MAX_BANK_HASHES, MAX_QUERY_HASHES, SEARCH_RADIUS,
};
use media::{Decoded, PixelData};
use pdq::QUALITY_THRESHOLD;
use proptest::prelude::*;

/// A detailed RGB picture: overlapping waves and blocks, so that every part
/// of it has its own PDQ hash of full quality.
fn picture(w: usize, h: usize, seed: u32) -> Decoded {
    let s = seed as f32;
    let mut data = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32, y as f32);
            let v = 120.0
                + 50.0 * ((fx / (11.0 + s)).sin() * (fy / 17.0).cos())
                + 30.0 * ((fx + 2.0 * fy) / (23.0 + s)).sin()
                + if (x / 37 + y / 29 + seed as usize).is_multiple_of(3) {
                    35.0
                } else {
                    -10.0
                };
            let v = v.clamp(0.0, 255.0) as u8;
            data.extend_from_slice(&[v, v.wrapping_add(40) / 2 + 60, 255 - v]);
        }
    }
    Decoded::full(w, h, PixelData::Rgb(data))
}

fn rgb(image: &Decoded) -> &[u8] {
    image.pixels.as_slice()
}

/// `image` pasted at `(x, y)` onto a `w` x `h` canvas of one colour.
fn on_canvas(image: &Decoded, w: usize, h: usize, x: usize, y: usize, colour: [u8; 3]) -> Decoded {
    let mut data: Vec<u8> = colour.iter().copied().cycle().take(w * h * 3).collect();
    let src = rgb(image);
    for row in 0..image.height {
        let from = &src[row * image.width * 3..(row + 1) * image.width * 3];
        let at = ((y + row) * w + x) * 3;
        data[at..at + image.width * 3].copy_from_slice(from);
    }
    Decoded::full(w, h, PixelData::Rgb(data))
}

/// Rectangle `(x, y, w, h)` of `image`.
fn cut(image: &Decoded, x: usize, y: usize, w: usize, h: usize) -> Decoded {
    let src = rgb(image);
    let mut data = Vec::with_capacity(w * h * 3);
    for row in y..y + h {
        data.extend_from_slice(&src[(row * image.width + x) * 3..(row * image.width + x + w) * 3]);
    }
    Decoded::full(w, h, PixelData::Rgb(data))
}

fn mirrored(image: &Decoded) -> Decoded {
    let src = rgb(image);
    let w = image.width;
    let mut data = Vec::with_capacity(src.len());
    for row in 0..image.height {
        for x in (0..w).rev() {
            data.extend_from_slice(&src[(row * w + x) * 3..(row * w + x) * 3 + 3]);
        }
    }
    Decoded::full(w, image.height, PixelData::Rgb(data))
}

/// Every stored hash of every bank image against every query hash, as an
/// exact range search to [`SEARCH_RADIUS`] would give them, decided.
fn matches(bank: &[Decoded], copy: &Decoded) -> Vec<Match> {
    let queries = query_hashes(copy);
    let mut candidates = Vec::new();
    for (image, original) in bank.iter().enumerate() {
        for (k, stored) in bank_hashes(original).iter().enumerate() {
            if stored.quality < QUALITY_THRESHOLD {
                continue;
            }
            for q in queries.iter().filter(|q| q.quality >= QUALITY_THRESHOLD) {
                let distance = q.hash.distance(&stored.hash);
                if distance <= SEARCH_RADIUS {
                    candidates.push(Candidate {
                        query: q.label,
                        image: image as u64,
                        stored: (image * 100 + k) as u64,
                        label: stored.label,
                        distance,
                    });
                }
            }
        }
    }
    decide(&candidates)
}

#[test]
fn the_plain_hash_comes_first_and_is_pdqs() {
    for (w, h) in [(200, 150), (97, 211), (64, 64), (3, 3)] {
        let image = picture(w, h, 1);
        let plain = pdq::hash(&image.as_image());
        let stored = bank_hashes(&image);
        assert_eq!(stored[0].label, BankLabel::Plain);
        assert_eq!(stored[0].role(), Role::Plain);
        assert_eq!(
            (stored[0].hash, stored[0].quality),
            (plain.hash, plain.quality)
        );
        assert!(stored.len() <= MAX_BANK_HASHES);
        for extra in &stored[1..] {
            assert_eq!(extra.role(), Role::Extra, "{}", extra.label);
            assert!(extra.quality >= QUALITY_THRESHOLD, "{}", extra.label);
        }
        let mut labels: Vec<BankLabel> = stored.iter().map(|s| s.label).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), stored.len(), "one hash per label");

        let queries = query_hashes(&image);
        assert_eq!(queries[0].label, QueryLabel::Plain);
        assert_eq!(
            (queries[0].hash, queries[0].quality),
            (plain.hash, plain.quality)
        );
        assert!(queries.len() <= MAX_QUERY_HASHES);
        assert!(queries[1..].iter().all(|q| q.quality >= QUALITY_THRESHOLD));
    }
}

#[test]
fn a_detailed_picture_stores_every_part() {
    let stored = bank_hashes(&picture(320, 240, 2));
    for p in Part::ALL {
        assert!(
            stored.iter().any(|s| s.label == BankLabel::Part(p)),
            "{p:?}"
        );
    }
    // No uniform border, so no trimmed hash.
    assert!(!stored.iter().any(|s| s.label == BankLabel::Trim));
}

#[test]
fn altered_copies_match_their_original_and_no_other() {
    let bank: Vec<Decoded> = (0..3).map(|s| picture(320, 240, s * 5 + 1)).collect();
    let original = &bank[1];
    let copies = [
        (
            "white frame",
            on_canvas(original, 384, 288, 32, 24, [255, 255, 255]),
        ),
        ("letterbox", on_canvas(original, 320, 300, 0, 30, [0, 0, 0])),
        (
            "screenshot",
            on_canvas(original, 960, 540, 401, 117, [38, 40, 44]),
        ),
        ("central 80%", cut(original, 32, 24, 256, 192)),
        ("off-centre 85%", cut(original, 38, 7, 272, 204)),
        ("mirror", mirrored(original)),
    ];
    for (what, copy) in &copies {
        let found = matches(&bank, copy);
        assert_eq!(found.len(), 1, "{what}: {found:?}");
        assert_eq!(found[0].image, 1, "{what}: {found:?}");
        assert_eq!(found[0].evidence, Evidence::Pair, "{what}");
    }
    // Plain PDQ alone finds none of these.
    let plain = pdq::hash(&original.as_image()).hash;
    for (what, copy) in &copies {
        let d = pdq::hash(&copy.as_image()).hash.distance(&plain);
        assert!(d > pdq::MATCH_DISTANCE, "{what}: plain PDQ already at {d}");
    }
}

#[test]
fn radii_are_symmetric_in_parts_and_never_cross_them() {
    for p in Part::ALL {
        for q in Part::ALL {
            let r = radius(QueryLabel::Part(p), BankLabel::Part(q));
            if p != q {
                assert_eq!(r, None, "{p:?} {q:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random sizes (down to 1x1), layouts and pixels never panic, and the
    /// contract holds.
    #[test]
    fn random_images_never_panic(
        w in 1usize..160,
        h in 1usize..160,
        channels in prop::sample::select(vec![1usize, 3, 4]),
        seed in any::<u64>(),
        flat in any::<bool>(),
        bar in 0usize..40,
    ) {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut data = vec![0u8; w * h * channels];
        for (i, v) in data.iter_mut().enumerate() {
            let y = i / (w * channels);
            *v = if flat || y < bar { 17 } else { (next() >> 24) as u8 };
        }
        let pixels = match channels {
            1 => PixelData::Gray(data),
            3 => PixelData::Rgb(data),
            _ => PixelData::Rgba(data),
        };
        let image = Decoded::full(w, h, pixels);
        let stored = bank_hashes(&image);
        prop_assert_eq!(stored[0].hash, pdq::hash(&image.as_image()).hash);
        prop_assert!(stored.len() <= MAX_BANK_HASHES);
        let queries = query_hashes(&image);
        prop_assert!(queries.len() <= MAX_QUERY_HASHES);
        for q in &queries {
            prop_assert!(q.region.x + q.region.width <= w && q.region.y + q.region.height <= h);
        }
        // Deciding over arbitrary candidates never panics either.
        let candidates: Vec<Candidate> = queries
            .iter()
            .zip(stored.iter().cycle())
            .enumerate()
            .map(|(k, (q, s))| Candidate {
                query: q.label,
                image: (k % 3) as u64,
                stored: k as u64,
                label: s.label,
                distance: q.hash.distance(&s.hash),
            })
            .collect();
        let decided = decide(&candidates);
        prop_assert!(decided.len() <= 3);
    }
}
