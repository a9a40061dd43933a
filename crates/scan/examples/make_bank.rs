//! Writes a local bank file without a server, for benchmarks: `--random N`
//! PDQ hashes (uniform, reproducible from `--seed`; their labels cycle
//! through the plain hash and the extra hashes of `media::robust`, as a
//! bank of whole images holds them), plus the PDQ, MD5 and
//! SHA-256 hashes of every record of a `hashbank hash` JSON lines file, so
//! that a scan has real matches. Then opens the file again and says how
//! long that took.
//!
//! ```text
//! cargo run --release -p hashbank-scan --example make_bank -- \
//!     --random 1000000 --hashes originals.jsonl --out bank.hbl
//! ```

use std::path::PathBuf;
use std::time::Instant;

use hashbank_scan::{HashMeta, HashValue, Kind, LocalBank, Role};
use matcher::Change;
use media::robust::{BankLabel, Part};
use pdq::Hash256;

/// The labels of the random PDQ hashes, in turn: those of one image.
const LABELS: [BankLabel; 11] = [
    BankLabel::Plain,
    BankLabel::Trim,
    BankLabel::Part(Part::Crop95),
    BankLabel::Part(Part::Crop90),
    BankLabel::Part(Part::Crop80),
    BankLabel::Part(Part::Corner85TopLeft),
    BankLabel::Part(Part::Corner85TopRight),
    BankLabel::Part(Part::Corner85BottomLeft),
    BankLabel::Part(Part::Corner85BottomRight),
    BankLabel::Part(Part::Top80),
    BankLabel::Part(Part::Bottom80),
];

/// Quality given to the random PDQ hashes.
const RANDOM_QUALITY: u8 = 100;
/// Ids of the hashes from the JSON lines file start here; random hashes
/// take the ids below.
const LISTED_ID_BASE: u64 = 1 << 40;

struct Args {
    random: u64,
    seed: u64,
    hashes: Option<PathBuf>,
    out: PathBuf,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        random: 0,
        seed: 1,
        hashes: None,
        out: PathBuf::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--random" => args.random = value()?.parse().map_err(|e| format!("--random: {e}"))?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--hashes" => args.hashes = Some(value()?.into()),
            "--out" => args.out = value()?.into(),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err(
            "usage: make_bank [--random N] [--seed S] [--hashes FILE.jsonl] --out BANKFILE".into(),
        );
    }
    Ok(args)
}

/// splitmix64: reproducible and fast.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn meta(kind: Kind, quality: Option<u8>) -> HashMeta {
    HashMeta {
        kind,
        role: Role::Plain,
        category: None,
        quality,
        label: (kind == Kind::Pdq).then_some(BankLabel::Plain),
    }
}

fn listed(path: &PathBuf) -> Result<Vec<Change>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    let mut id = LISTED_ID_BASE;
    for line in text.lines() {
        let record: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}", path.display()))?;
        let Some(pdq) = record["pdq"].as_str() else {
            continue;
        };
        let quality = record["quality"].as_u64().unwrap_or(0).min(100) as u8;
        let fields = [
            (Kind::Pdq, pdq, Some(quality)),
            (Kind::Md5, record["md5"].as_str().unwrap_or(""), None),
            (Kind::Sha256, record["sha256"].as_str().unwrap_or(""), None),
        ];
        for (kind, hex, quality) in fields {
            let value = HashValue::parse(kind, hex).ok_or(format!("a bad {kind} hash: {hex}"))?;
            out.push(Change::Add {
                id,
                value,
                meta: meta(kind, quality),
            });
            id += 1;
        }
    }
    Ok(out)
}

fn main() -> Result<(), String> {
    let args = parse()?;
    let mut changes = match &args.hashes {
        Some(path) => listed(path)?,
        None => Vec::new(),
    };
    let mut state = args.seed;
    for id in 1..=args.random {
        let hash = Hash256([
            next(&mut state),
            next(&mut state),
            next(&mut state),
            next(&mut state),
        ]);
        let label = LABELS[(id % LABELS.len() as u64) as usize];
        changes.push(Change::Add {
            id,
            value: HashValue::Pdq(hash),
            meta: HashMeta {
                role: label.role(),
                label: Some(label),
                ..meta(Kind::Pdq, Some(RANDOM_QUALITY))
            },
        });
    }
    let mut bank = LocalBank::new("bench");
    let started = Instant::now();
    bank.apply(&changes, 1);
    bank.save(&args.out).map_err(|e| e.to_string())?;
    let built = started.elapsed();
    let started = Instant::now();
    let opened = LocalBank::open(&args.out).map_err(|e| e.to_string())?;
    let open = started.elapsed();
    let [pdq, md5, sha256, _videos] = opened.per_kind();
    println!(
        "{{\"hashes\": {}, \"pdq\": {pdq}, \"md5\": {md5}, \"sha256\": {sha256}, \"bytes\": {}, \"build_seconds\": {:.3}, \"open_seconds\": {:.3}}}",
        opened.len(),
        std::fs::metadata(&args.out).map_err(|e| e.to_string())?.len(),
        built.as_secs_f64(),
        open.as_secs_f64()
    );
    Ok(())
}
