//! Criterion 1 of the reference's conformance rules: given the exact pixel
//! buffers the C++ reference hashed, give exactly its hashes and qualities.
//! The buffers are `../shared/testdata/pdq/decoded-as-hashed/*.png`; the
//! expected values are the reference's own output.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use pdq::{hash, hash_dihedral, Hash256, Image};

fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/pdq");
    assert!(
        dir.join("expected").is_dir(),
        "PDQ test data not found at {}: the tests need ../shared/testdata beside the workspace",
        dir.display()
    );
    dir
}

/// `path -> columns before the path`, from a reference CSV whose last
/// column is the path.
fn expected(name: &str) -> BTreeMap<String, Vec<String>> {
    let text = fs::read_to_string(testdata().join("expected").join(name)).unwrap();
    text.lines()
        .map(|line| {
            let mut cols: Vec<String> = line.split(',').map(str::to_owned).collect();
            let path = cols.pop().unwrap();
            (path, cols)
        })
        .collect()
}

struct Decoded {
    width: usize,
    height: usize,
    gray: bool,
    data: Vec<u8>,
}

fn read_png(path: &Path) -> Decoded {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut data).unwrap();
    data.truncate(info.buffer_size());
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    let gray = match info.color_type {
        png::ColorType::Grayscale => true,
        png::ColorType::Rgb => false,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    Decoded {
        width: info.width as usize,
        height: info.height as usize,
        gray,
        data,
    }
}

fn image(d: &Decoded) -> Image<'_> {
    if d.gray {
        Image::gray(d.width, d.height, &d.data).unwrap()
    } else {
        Image::rgb(d.width, d.height, &d.data).unwrap()
    }
}

/// The decoded-as-hashed buffers that the reference's CSVs list.
fn buffers(list: &BTreeMap<String, Vec<String>>) -> Vec<(String, Decoded)> {
    let dir = testdata().join("decoded-as-hashed");
    let out: Vec<(String, Decoded)> = list
        .keys()
        .filter_map(|path| {
            let rel = path.strip_prefix("data/")?;
            let png = dir.join(format!("{rel}.png"));
            Some((path.clone(), read_png(&png)))
        })
        .collect();
    assert_eq!(out.len(), 49, "every data/ image has its decoded buffer");
    out
}

#[test]
fn hashes_and_qualities_equal_the_cpp_reference() {
    let want = expected("cpp-reference-pdq.csv");
    let mut failures = Vec::new();
    for (path, decoded) in buffers(&want) {
        let got = hash(&image(&decoded));
        let cols = &want[&path];
        let (hash_hex, quality) = (&cols[0], cols[1].parse::<u8>().unwrap());
        if got.hash.to_hex() != *hash_hex || got.quality != quality {
            failures.push(format!(
                "{path}: got {},{} want {hash_hex},{quality}",
                got.hash, got.quality
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dihedral_hashes_equal_the_cpp_reference() {
    let want = expected("cpp-reference-pdqdih-across.csv");
    let mut failures = Vec::new();
    for (path, decoded) in buffers(&want) {
        let got = hash_dihedral(&image(&decoded));
        let cols = &want[&path];
        let hashes: Vec<Hash256> = cols[..8].iter().map(|h| h.parse().unwrap()).collect();
        let quality: u8 = cols[8].parse().unwrap();
        if got.hashes[..] != hashes[..] || got.quality != quality {
            failures.push(format!(
                "{path}: got {:?} q{} want {hashes:?} q{quality}",
                got.hashes, got.quality
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
