//! `hashbank import`: loads a list of hashes into the bank as cases of up to
//! 500 hashes, and writes each new case's number and PIN to a file.
//!
//! Each line of the list is one of (told apart line by line):
//! - what `hashbank hash` prints (fields `pdq`, `quality`, `md5`, `sha256`;
//!   lines with an `error` are skipped);
//! - one hash as the API takes it (`{"kind": "pdq", "value": ...,
//!   "quality": ...}`), with `category` `minor` as `hashbank export` writes
//!   it (such hashes become minor cases);
//! - HMA's signals of one piece of content, as its curation API gives and
//!   takes them: `{"pdq": ..., "video_md5": ...}`, or wrapped as
//!   `{"id": ..., "signals": {...}}`;
//! - python-threatexchange's `<signal_type> <hash>` (`pdq`, `video_md5`,
//!   `video_sha256`, `md5`, `sha256`; others, such as `vpdq`, are skipped and
//!   counted);
//! - a bare PDQ hash, or `HASH,ID` / `HASH<TAB>ID` (hash list CSV exports).
//!
//! PDQ hashes of quality below 50 are skipped and counted. Lists from other
//! systems carry no quality: their PDQ hashes are imported only with
//! `--pdq-quality`, which says what quality to record for them (their
//! source checked it). A hash given twice is imported once.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use hashbank_bank::{
    check_hex, check_new_hashes, check_pdq_value, Category, Kind, NewHash, Role, Settings,
    MAX_HASHES_PER_CASE,
};
use serde_json::Value;

use crate::bank_args::{runtime, DatabaseArgs};

/// Options of `hashbank import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// JSON lines of hashes (see above).
    file: PathBuf,
    /// Where to write each new case's number, PIN and hash count (created
    /// with owner-only permissions).
    #[arg(long, value_name = "FILE")]
    cases_out: PathBuf,
    /// Hashes per case.
    #[arg(long, default_value_t = MAX_HASHES_PER_CASE)]
    per_case: usize,
    /// Mark every imported case `minor` (images taken before 18).
    #[arg(long)]
    minor: bool,
    /// The quality to record for PDQ hashes the list gives without one
    /// (python-threatexchange and HMA lists); without it they are skipped.
    #[arg(long, value_name = "Q", value_parser = clap::value_parser!(u32).range(50..=100))]
    pdq_quality: Option<u32>,
}

/// Runs the import.
pub fn run(args: ImportArgs) -> anyhow::Result<u8> {
    let read = read_hashes(&args.file, args.pdq_quality)?;
    if read.plain.is_empty() && read.minor.is_empty() {
        bail!(
            "{} holds no hash to import{}",
            args.file.display(),
            read.why_skipped()
        );
    }
    let why_skipped = read.why_skipped();
    let mut batches = Vec::new();
    for (hashes, minor) in [(read.plain, args.minor), (read.minor, true)] {
        if hashes.is_empty() {
            continue;
        }
        let checked = check_new_hashes(&hashes, &HashSet::new())
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
        batches.push((checked, minor.then_some(Category::Minor)));
    }
    let mut out = create_private(&args.cases_out)?;
    writeln!(out, "# case_number pin hashes")?;
    let total: usize = batches.iter().map(|b| b.0.len()).sum();
    let cases = runtime()?.block_on(async {
        let bank = args.db.open(Settings::default()).await?;
        let mut cases = 0;
        for (checked, category) in batches {
            let mut written = 0;
            cases += bank
                .import(checked, args.per_case, category, |made| {
                    for case in &made[written..] {
                        let _ = writeln!(out, "{} {} {}", case.number, case.pin, case.hashes);
                    }
                    written = made.len();
                    let _ = out.flush();
                })
                .await?
                .len();
        }
        bank.db().close().await;
        anyhow::Ok(cases)
    })?;
    out.flush()?;
    eprintln!(
        "hashbank: imported {total} hashes as {cases} cases{}; numbers and PINs in {}",
        why_skipped,
        args.cases_out.display()
    );
    Ok(0)
}

/// What a list held: hashes to import (those of minor cases apart), and
/// what was skipped, by reason.
#[derive(Default)]
struct Read {
    plain: Vec<NewHash>,
    minor: Vec<NewHash>,
    /// Quality below 50, blank-picture PDQ hashes, duplicates.
    skipped: usize,
    /// PDQ hashes without a quality, with no `--pdq-quality`.
    no_quality: usize,
    /// Hashes of signal types the bank does not hold, by name.
    other_types: std::collections::BTreeMap<String, usize>,
}

impl Read {
    fn why_skipped(&self) -> String {
        let mut why = Vec::new();
        if self.skipped > 0 {
            why.push(format!(
                "{} skipped: quality below {}, blank-picture pdq hashes or duplicates",
                self.skipped,
                pdq::QUALITY_THRESHOLD
            ));
        }
        if self.no_quality > 0 {
            why.push(format!(
                "{} pdq hashes without a quality skipped: give --pdq-quality to import them",
                self.no_quality
            ));
        }
        if !self.other_types.is_empty() {
            let names: Vec<String> = self
                .other_types
                .iter()
                .map(|(name, n)| format!("{n} {name}"))
                .collect();
            why.push(format!(
                "skipped, of types the bank does not hold: {}",
                names.join(", ")
            ));
        }
        if why.is_empty() {
            String::new()
        } else {
            format!(" ({})", why.join("; "))
        }
    }
}

/// The hashbank kind of a signal type name of python-threatexchange or HMA.
fn kind_of_signal(name: &str) -> Option<Kind> {
    match name {
        "pdq" => Some(Kind::Pdq),
        "video_md5" | "md5" => Some(Kind::Md5),
        "video_sha256" | "sha256" => Some(Kind::Sha256),
        _ => None,
    }
}

fn plain_hash(kind: Kind, value: &str, quality: Option<u32>) -> NewHash {
    NewHash {
        kind,
        value: value.to_string(),
        quality,
        role: Role::Plain,
        label: None,
    }
}

/// The hashes of one line of a list (see the module's description), and
/// whether they are a minor case's; `Err` names what is wrong with it.
fn parse_line(line: &str, read: &mut Read) -> Result<(Vec<NewHash>, bool), String> {
    let line = line.trim();
    if line.starts_with('{') {
        let mut value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        if value.get("kind").is_some() {
            let minor = match value.as_object_mut().and_then(|o| o.remove("category")) {
                None | Some(Value::Null) => false,
                Some(Value::String(c)) if c == "minor" => true,
                Some(other) => return Err(format!("category {other} is not \"minor\"")),
            };
            let hash = serde_json::from_value::<NewHash>(value).map_err(|e| e.to_string())?;
            return Ok((vec![hash], minor));
        }
        if let Some(signals) = value.get("signals") {
            return Ok((signal_object(signals, read)?, false));
        }
        if value.get("error").is_some() {
            return Ok((Vec::new(), false));
        }
        if value.get("quality").is_some() || value.get("path").is_some() {
            return Ok((image_record(&value), false));
        }
        return Ok((signal_object(&value, read)?, false));
    }
    // python-threatexchange: `<signal_type> <hash>`.
    if let Some((name, rest)) = line.split_once(' ') {
        let rest = rest.trim();
        if name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !rest.is_empty()
        {
            return match kind_of_signal(name) {
                Some(kind) => Ok((vec![plain_hash(kind, rest, None)], false)),
                None => {
                    *read.other_types.entry(name.to_string()).or_default() += 1;
                    Ok((Vec::new(), false))
                }
            };
        }
    }
    // A hash list: `HASH`, `HASH,ID`, `HASH<TAB>ID`.
    let hash = line.split([',', '\t']).next().unwrap_or("").trim();
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok((vec![plain_hash(Kind::Pdq, hash, None)], false));
    }
    Err("neither JSON, a `<signal_type> <hash>` line, nor a PDQ hash".into())
}

/// The hashes of an object of signal type names and hashes (HMA).
fn signal_object(value: &Value, read: &mut Read) -> Result<Vec<NewHash>, String> {
    let Some(object) = value.as_object() else {
        return Err("signals are an object of signal type names and hashes".into());
    };
    let mut hashes = Vec::new();
    for (name, signal) in object {
        let Some(text) = signal.as_str() else {
            return Err(format!("the {name} signal is not text"));
        };
        match kind_of_signal(name) {
            Some(kind) => hashes.push(plain_hash(kind, text, None)),
            None => *read.other_types.entry(name.clone()).or_default() += 1,
        }
    }
    Ok(hashes)
}

/// The hashes in `path` (PDQ hashes without a quality given
/// `pdq_quality`), and what was skipped.
fn read_hashes(path: &PathBuf, pdq_quality: Option<u32>) -> anyhow::Result<Read> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut read = Read::default();
    let mut seen = HashSet::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (found, minor) = parse_line(&line, &mut read)
            .map_err(|e| anyhow::anyhow!("{} line {}: {e}", path.display(), n + 1))?;
        for mut hash in found {
            if hash.kind == Kind::Pdq && hash.quality.is_none() {
                match pdq_quality {
                    Some(q) => hash.quality = Some(q),
                    None => {
                        read.no_quality += 1;
                        continue;
                    }
                }
            }
            let quality_ok = hash.kind != Kind::Pdq
                || hash.quality.unwrap_or(0) >= u32::from(pdq::QUALITY_THRESHOLD);
            // A PDQ hash of a blank picture, or with far too few or too
            // many bits set, is skipped like one of low quality (a
            // malformed one is left for the check below to name).
            let degenerate = hash.kind == Kind::Pdq
                && check_hex(Kind::Pdq, &hash.value, "hash").is_ok()
                && check_pdq_value(&hash.value.to_ascii_lowercase(), "hash").is_err();
            let label = hash.label.clone();
            if quality_ok
                && !degenerate
                && seen.insert((hash.kind, label, hash.value.to_ascii_lowercase()))
            {
                if minor {
                    read.minor.push(hash);
                } else {
                    read.plain.push(hash);
                }
            } else {
                read.skipped += 1;
            }
        }
    }
    Ok(read)
}

/// The hashes of one `hashbank hash` record (none for a failed file).
fn image_record(value: &Value) -> Vec<NewHash> {
    if value.get("error").is_some() {
        return Vec::new();
    }
    let text = |field: &str| value.get(field).and_then(Value::as_str).map(str::to_string);
    let mut hashes = Vec::new();
    if let Some(pdq) = text("pdq") {
        let quality = value
            .get("quality")
            .and_then(Value::as_u64)
            .map(|q| q as u32);
        hashes.push(plain_hash(Kind::Pdq, &pdq, quality));
    }
    for (field, kind) in [("md5", Kind::Md5), ("sha256", Kind::Sha256)] {
        if let Some(v) = text(field) {
            hashes.push(plain_hash(kind, &v, None));
        }
    }
    hashes
}

/// Creates `path` readable by its owner only (it will hold PINs).
pub(crate) fn create_private(path: &std::path::Path) -> anyhow::Result<BufWriter<File>> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        /// Owner read and write only.
        const OWNER_ONLY: u32 = 0o600;
        options.mode(OWNER_ONLY);
    }
    let file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    Ok(BufWriter::new(file))
}
