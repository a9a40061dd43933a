//! Helpers for the sync and scan tests: the real `hashbank` binary, cases
//! filed with hashes of the robustness originals, and trees of files and
//! archives (benign photos, and hostile files made at test time).

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::support::{Server, BIN};

/// The robustness set beside the repository.
pub fn robustness() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/robustness")
}

/// An original photo of the set.
pub fn original(id: &str) -> PathBuf {
    robustness().join("images").join(format!("{id}.jpg"))
}

/// A transformed copy of an original.
pub fn variant(id: &str, transform: &str) -> PathBuf {
    let dir = robustness().join("variants");
    let jpg = dir.join(format!("{id}__{transform}.jpg"));
    if jpg.exists() {
        jpg
    } else {
        dir.join(format!("{id}__{transform}.png"))
    }
}

/// Runs `hashbank ARGS` (no database).
pub fn hashbank(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("running hashbank")
}

/// Stdout and stderr of a run, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A file's hashes as `hashbank hash` gives them.
#[derive(Clone, Debug)]
pub struct Print {
    pub pdq: String,
    pub quality: u64,
    pub md5: String,
    pub sha256: String,
}

/// The hashes of `path` from `hashbank hash`.
pub fn print_of(path: &Path) -> Print {
    let out = hashbank(&["hash", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    Print {
        pdq: record["pdq"].as_str().unwrap().to_string(),
        quality: record["quality"].as_u64().unwrap(),
        md5: record["md5"].as_str().unwrap().to_string(),
        sha256: record["sha256"].as_str().unwrap().to_string(),
    }
}

/// A filed case: number, PIN, the ids of its hashes in filing order and
/// what each is (`pdq`, an extra hash's label, `md5`, `sha256`).
#[derive(Clone, Debug)]
pub struct Case {
    pub number: String,
    pub pin: String,
    pub ids: Vec<u64>,
    pub labels: Vec<String>,
}

impl Case {
    /// The id of the case's hash labelled `label`.
    pub fn id(&self, label: &str) -> u64 {
        let at = self
            .labels
            .iter()
            .position(|l| l == label)
            .unwrap_or_else(|| panic!("no {label} hash in {:?}", self.labels));
        self.ids[at]
    }
}

/// Files a case of the original at `path` as the victim's page does: the
/// hashes of `media::robust::bank_hashes` (the plain PDQ hash, then the
/// extra hashes of parts of the picture with their labels), and the file's
/// MD5 and SHA-256 when asked.
pub fn file_case(server: &Server, path: &Path, digests: bool, minor: bool) -> Case {
    let bytes = std::fs::read(path).unwrap();
    let image = media::decode(
        &bytes,
        &media::Limits::default(),
        media::Pipeline::Canonical,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut hashes = Vec::new();
    let mut labels = Vec::new();
    for h in media::robust::bank_hashes(&image) {
        let mut hash = json!({
            "kind": "pdq",
            "value": h.hash.to_hex(),
            "quality": h.quality,
            "role": h.role().as_str(),
        });
        if h.role() == media::robust::Role::Extra {
            hash["label"] = json!(h.label.as_str());
        }
        hashes.push(hash);
        labels.push(h.label.as_str().to_string());
    }
    if digests {
        let (md5, sha256) = media::digests(&bytes);
        hashes.push(json!({"kind": "md5", "value": hex(&md5)}));
        hashes.push(json!({"kind": "sha256", "value": hex(&sha256)}));
        labels.extend(["md5".to_string(), "sha256".to_string()]);
    }
    let (number, pin, created) = server.create_case(json!(hashes), minor);
    let ids = created["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["hash_id"].as_u64().unwrap())
        .collect();
    Case {
        number,
        pin,
        ids,
        labels,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `key` to a key file readable by its owner only.
pub fn key_file(dir: &Path, key: &str) -> PathBuf {
    let path = dir.join("platform.key");
    std::fs::write(&path, format!("{key}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

/// `hashbank sync` of the bank at `url` into `out`.
pub fn sync(url: &str, key: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sync",
        "--bank",
        url,
        "--key-file",
        key.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    hashbank(&args)
}

/// What a scan wrote: exit code, match lines, skip lines, group lines.
#[derive(Debug)]
pub struct Scanned {
    pub code: i32,
    pub matches: Vec<Value>,
    pub skips: Vec<Value>,
    pub groups: Vec<Value>,
    pub stderr: String,
}

/// `hashbank scan ARGS` with JSON lines on stdout.
pub fn scan(args: &[&str]) -> Scanned {
    let mut all = vec!["scan", "--no-progress"];
    all.extend(args);
    let out = hashbank(&all);
    let code = out.status.code().expect("an exit code");
    let lines: Vec<Value> = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let (groups, records): (Vec<Value>, Vec<Value>) = lines
        .into_iter()
        .partition(|l| l.get("investigate").is_some());
    let (skips, matches) = records
        .into_iter()
        .partition(|l| l.get("skipped").is_some());
    Scanned {
        code,
        matches,
        skips,
        groups,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// (path relative to `root`, hash id) of every match.
pub fn match_set(scanned: &Scanned, root: &Path) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = scanned
        .matches
        .iter()
        .map(|m| {
            (
                relative(m["path"].as_str().unwrap(), root),
                m["hash_id"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// (path relative to `root`, reason) of every skip.
pub fn skip_set(scanned: &Scanned, root: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = scanned
        .skips
        .iter()
        .map(|s| {
            (
                relative(s["path"].as_str().unwrap(), root),
                s["skipped"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn relative(path: &str, root: &Path) -> String {
    let root = format!("{}/", root.display());
    path.strip_prefix(&root)
        .unwrap_or_else(|| panic!("{path} is not under {root}"))
        .to_string()
}

/// A zip (deflated) of `entries`.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, data) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// A zip of one entry of `size` zero bytes: a few hundred KB on disk.
pub fn zip_bomb(name: &str, size: usize) -> Vec<u8> {
    zip_of(&[(name, &vec![0u8; size])])
}

/// A tar.gz of `entries`.
pub fn tar_gz_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    {
        let mut builder = tar::Builder::new(&mut tar);
        for (name, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.finish().unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

/// Zips nested `levels` deep (`d1.zip` in the outer one, `d2.zip` in it,
/// ...), the last holding `core` as `core.jpg`.
pub fn nested_zips(levels: usize, core: &[u8]) -> Vec<u8> {
    let mut inner = zip_of(&[("core.jpg", core)]);
    for level in (1..levels).rev() {
        inner = zip_of(&[(&format!("d{level}.zip"), &inner)]);
    }
    inner
}

/// A PNG whose header claims `width` x `height` pixels, with 16 bytes of
/// pixel data: a few dozen bytes on disk.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    /// zlib of 16 zero bytes.
    const DATA: [u8; 11] = [
        0x78, 0x9c, 0x63, 0x60, 0x40, 0x05, 0x00, 0x00, 0x10, 0x00, 0x01,
    ];
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &header[..]),
        (b"IDAT", &DATA[..]),
        (b"IEND", &[][..]),
    ] {
        png.extend((data.len() as u32).to_be_bytes());
        let chunk = [&kind[..], data].concat();
        png.extend(&chunk);
        png.extend(crc32(&chunk).to_be_bytes());
    }
    png
}

/// CRC-32 (IEEE), as PNG chunks use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
