use std::io::Write;

use super::*;

/// A small JPEG-looking head: enough for sniffing, not a real image.
const JPEG_HEAD: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0";

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut builder = ::tar::Builder::new(&mut out);
        for (name, data) in entries {
            let mut header = ::tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.finish().unwrap();
    }
    out
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn items(bytes: &[u8], limits: &ArchiveLimits) -> Vec<Item> {
    let mut out = Vec::new();
    let stop = AtomicBool::new(false);
    expand_bytes(bytes, "top.x", sniff(bytes), limits, &stop, &mut |i| {
        out.push(i)
    });
    out
}

/// Items as (tag, path, skip kind) for comparing.
fn summary(items: &[Item]) -> Vec<(&'static str, String, Option<SkipKind>)> {
    items
        .iter()
        .map(|i| match i {
            Item::Archive { path } => ("archive", path.clone(), None),
            Item::File { path, .. } => ("file", path.clone(), None),
            Item::Other { path } => ("other", path.clone(), None),
            Item::Skipped { path, skip } => ("skip", path.clone(), Some(skip.kind)),
        })
        .collect()
}

#[test]
fn nested_archives_are_walked_with_their_paths() {
    let tgz = gz(&tar_of(&[("in/c.jpg", JPEG_HEAD), ("notes.txt", b"hello")]));
    let inner = zip_of(&[("b.png", b"\x89PNG\r\n\x1a\nrest"), ("deeper.tar.gz", &tgz)]);
    let outer = zip_of(&[
        ("a.jpg", JPEG_HEAD),
        ("inner.zip", &inner),
        ("x.gz", &gz(JPEG_HEAD)),
    ]);
    let got = summary(&items(&outer, &ArchiveLimits::default()));
    let want = vec![
        ("archive", "top.x".to_string(), None),
        ("file", "top.x!/a.jpg".into(), None),
        ("archive", "top.x!/inner.zip".into(), None),
        ("file", "top.x!/inner.zip!/b.png".into(), None),
        ("archive", "top.x!/inner.zip!/deeper.tar.gz".into(), None),
        (
            "file",
            "top.x!/inner.zip!/deeper.tar.gz!/in/c.jpg".into(),
            None,
        ),
        (
            "other",
            "top.x!/inner.zip!/deeper.tar.gz!/notes.txt".into(),
            None,
        ),
        ("archive", "top.x!/x.gz".into(), None),
        ("file", "top.x!/x.gz!/x".into(), None),
    ];
    assert_eq!(got, want);
    match &items(&outer, &ArchiveLimits::default())[1] {
        Item::File { bytes, .. } => assert_eq!(bytes, JPEG_HEAD),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_entries_are_skipped_with_reasons() {
    let zeros = vec![0u8; 8 << 20];
    let bomb = zip_of(&[("zeros.jpg", &zeros), ("ok.jpg", JPEG_HEAD)]);
    let got = summary(&items(&bomb, &ArchiveLimits::default()));
    assert_eq!(
        got[1],
        (
            "skip",
            "top.x!/zeros.jpg".into(),
            Some(SkipKind::ArchiveBomb)
        )
    );
    assert_eq!(got[2].0, "file");

    let traversal = tar_of(&[("ok.jpg", JPEG_HEAD)]);
    // The tar crate refuses to write `..`: write the name into the header.
    let mut evil = traversal.clone();
    evil[..100].fill(0);
    evil[..14].copy_from_slice(b"../../evil.jpg");
    let mut header = ::tar::Header::from_byte_slice(&evil[..512]).clone();
    header.set_cksum();
    evil[..512].copy_from_slice(header.as_bytes());
    let got = summary(&items(&evil, &ArchiveLimits::default()));
    assert_eq!(
        got[1],
        (
            "skip",
            "top.x!/../../evil.jpg".into(),
            Some(SkipKind::UnsafeName)
        )
    );

    let bomb_tgz = gz(&tar_of(&[("a.bin", &zeros), ("b.jpg", JPEG_HEAD)]));
    let got = summary(&items(&bomb_tgz, &ArchiveLimits::default()));
    assert_eq!(
        got.last().unwrap(),
        &("skip", "top.x".into(), Some(SkipKind::ArchiveBomb)),
        "{got:?}"
    );

    let damaged = b"PK\x03\x04 this is not really a zip".to_vec();
    let got = summary(&items(&damaged, &ArchiveLimits::default()));
    assert_eq!(
        got[1],
        ("skip", "top.x".into(), Some(SkipKind::CorruptArchive))
    );
}

#[test]
fn limits_on_depth_entries_and_total_hold() {
    // Eleven zips, one inside the other.
    let mut nested = zip_of(&[("core.jpg", JPEG_HEAD)]);
    for level in 0..10 {
        nested = zip_of(&[(&format!("level{level}.zip"), &nested)]);
    }
    let got = summary(&items(&nested, &ArchiveLimits::default()));
    let last = got.last().unwrap();
    assert_eq!(last.2, Some(SkipKind::TooDeep), "{got:?}");
    assert_eq!(got.iter().filter(|g| g.0 == "archive").count(), 8);

    let many: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| (format!("{i}.jpg"), JPEG_HEAD.to_vec()))
        .collect();
    let many_refs: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), &d[..])).collect();
    let limits = ArchiveLimits {
        max_entries: 5,
        ..ArchiveLimits::default()
    };
    let got = summary(&items(&zip_of(&many_refs), &limits));
    assert_eq!(got.iter().filter(|g| g.0 == "file").count(), 5);
    assert_eq!(got.last().unwrap().2, Some(SkipKind::TooManyEntries));

    let limits = ArchiveLimits {
        max_total_bytes: 3 * JPEG_HEAD.len() as u64,
        ..ArchiveLimits::default()
    };
    let got = summary(&items(&tar_of(&many_refs), &limits));
    assert_eq!(got.iter().filter(|g| g.0 == "file").count(), 3);
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got[4].2, Some(SkipKind::ArchiveTooLarge));
}

#[test]
fn names_of_gzipped_files() {
    assert_eq!(gunzipped_name("a/b/photo.jpg.gz"), "photo.jpg");
    assert_eq!(gunzipped_name("x.zip!/set.TGZ"), "set.tar");
    assert_eq!(gunzipped_name("blob"), "blob");
    assert_eq!(gunzipped_name(".gz"), "data");
}
