//! `hashbank index`: build a PDQ index file from hash lists held elsewhere
//! (HMA and ThreatExchange exports, StopNCII-style lists) and match hashes
//! against it.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hashbank_index::{HammingIndex, Hash256, Match};

/// Exit status when some lines were bad (reported and skipped).
const EXIT_BAD_LINES: u8 = 1;

/// Query lines matched per batch (spread over the threads).
const QUERY_BATCH: usize = 4096;

#[derive(Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Build an index file from lists of PDQ hashes.
    ///
    /// Each line holds a hash as 64 hex digits, optionally followed by an id
    /// column separated by a comma or a tab (`HASH,ID` or `HASH<TAB>ID`); further
    /// columns are ignored. An id is an unsigned 64-bit integer. A line without an
    /// id column gets its line number as id, counted from 1 across all the lists
    /// in the order given (the first line of the second list follows the last line
    /// of the first). Blank lines are skipped. Bad lines are reported on standard
    /// error with their list and line number, skipped, and make the exit status 1.
    Build(BuildArgs),
    /// Match PDQ hashes read from standard input against an index file.
    ///
    /// Reads one hash per line (64 hex digits; further comma- or tab-separated
    /// columns are ignored) and writes one JSON line per hash, in input order:
    /// {"query": HASH, "matches": [{"id": ID, "hash": HASH, "distance": D}, ...]},
    /// nearest first, then by id. Bad lines are reported on standard error with
    /// their line number, skipped, and make the exit status 1.
    Query(QueryArgs),
}

#[derive(Args)]
struct BuildArgs {
    /// Where to write the index (written to a temporary file, then renamed).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Hash lists to read; standard input when none is given.
    #[arg(value_name = "LIST")]
    lists: Vec<PathBuf>,
}

#[derive(Args)]
struct QueryArgs {
    /// The index file (from `hashbank index build`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Largest Hamming distance to report (31 is PDQ's usual match threshold).
    #[arg(long, default_value_t = 31)]
    radius: u32,
    /// Report only the N nearest matches within the radius.
    #[arg(long, value_name = "N")]
    k: Option<usize>,
    /// Threads to match on (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

pub fn run(args: IndexArgs) -> Result<u8> {
    match args.command {
        IndexCommand::Build(args) => build(args),
        IndexCommand::Query(args) => query(args),
    }
}

/// A line of a hash list: the hash and the id column, if any.
fn parse_line(line: &str) -> Result<Option<(Hash256, Option<u64>)>, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let mut fields = line.split([',', '\t']).map(str::trim);
    let text = fields.next().unwrap_or_default();
    let hash = text.parse::<Hash256>().map_err(|e| e.to_string())?;
    let id = match fields.next() {
        None | Some("") => None,
        Some(id) => Some(
            id.parse::<u64>()
                .map_err(|_| format!("the id column {id:?} is not an unsigned 64-bit integer"))?,
        ),
    };
    Ok(Some((hash, id)))
}

/// Reports a bad line on standard error.
fn report(source: &str, line: usize, reason: &str) {
    eprintln!("hashbank: {source}:{line}: skipped: {reason}");
}

fn build(args: BuildArgs) -> Result<u8> {
    let sources: Vec<(String, Box<dyn BufRead>)> = if args.lists.is_empty() {
        vec![("<stdin>".into(), Box::new(io::stdin().lock()))]
    } else {
        let mut sources: Vec<(String, Box<dyn BufRead>)> = Vec::new();
        for path in &args.lists {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            sources.push((path.display().to_string(), Box::new(BufReader::new(file))));
        }
        sources
    };
    let mut entries = Vec::new();
    let mut bad = 0usize;
    let mut running_line = 0u64;
    for (name, reader) in sources {
        for (number, line) in reader.lines().enumerate() {
            running_line += 1;
            let line = line.with_context(|| format!("cannot read {name}"))?;
            match parse_line(&line) {
                Ok(Some((hash, id))) => entries.push((id.unwrap_or(running_line), hash)),
                Ok(None) => {}
                Err(reason) => {
                    report(&name, number + 1, &reason);
                    bad += 1;
                }
            }
        }
    }
    let count = entries.len();
    let index = HammingIndex::build(entries);
    index.compact();
    index
        .save(&args.out)
        .with_context(|| format!("cannot write the index {}", args.out.display()))?;
    eprintln!(
        "hashbank: indexed {count} hashes into {}{}",
        args.out.display(),
        if bad > 0 {
            format!(", skipped {bad} bad lines")
        } else {
            String::new()
        }
    );
    tracing::info!(count, bad, out = %args.out.display(), "index built");
    Ok(if bad > 0 { EXIT_BAD_LINES } else { 0 })
}

fn query(args: QueryArgs) -> Result<u8> {
    let index = HammingIndex::open(&args.file)
        .with_context(|| format!("cannot open the index {}", args.file.display()))?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let stdin = io::stdin().lock();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut bad = 0usize;
    let mut batch: Vec<Hash256> = Vec::with_capacity(QUERY_BATCH);
    let mut lines = stdin.lines().enumerate();
    loop {
        batch.clear();
        let mut ended = true;
        for (number, line) in lines.by_ref() {
            let line = line.context("cannot read standard input")?;
            match parse_line(&line) {
                Ok(Some((hash, _))) => batch.push(hash),
                Ok(None) => {}
                Err(reason) => {
                    report("<stdin>", number + 1, &reason);
                    bad += 1;
                }
            }
            if batch.len() == QUERY_BATCH {
                ended = false;
                break;
            }
        }
        let results = match args.k {
            Some(k) => index.nearest_batch(&batch, k, args.radius, threads),
            None => index.search_batch(&batch, args.radius, threads),
        };
        for (query, matches) in batch.iter().zip(&results) {
            writeln!(out, "{}", json_line(query, matches)).context("cannot write the results")?;
        }
        if ended {
            break;
        }
    }
    out.flush().context("cannot write the results")?;
    Ok(if bad > 0 { EXIT_BAD_LINES } else { 0 })
}

/// `{"query":HASH,"matches":[{"id":ID,"hash":HASH,"distance":D}]}` (hex
/// digits and integers only, so nothing needs escaping).
fn json_line(query: &Hash256, matches: &[Match]) -> String {
    let mut line = format!("{{\"query\":\"{query}\",\"matches\":[");
    for (i, m) in matches.iter().enumerate() {
        let comma = if i > 0 { "," } else { "" };
        let _ = write!(
            line,
            "{comma}{{\"id\":{},\"hash\":\"{}\",\"distance\":{}}}",
            m.id, m.hash, m.distance
        );
    }
    line.push_str("]}");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_and_without_ids() {
        let hash = "f".repeat(64);
        assert_eq!(parse_line("   "), Ok(None));
        let (h, id) = parse_line(&format!("{hash},42")).unwrap().unwrap();
        assert_eq!((h.to_hex(), id), (hash.clone(), Some(42)));
        let (_, id) = parse_line(&format!("{hash}\t7\tcase-12\r"))
            .unwrap()
            .unwrap();
        assert_eq!(id, Some(7));
        assert_eq!(parse_line(&hash).unwrap().unwrap().1, None);
        assert!(parse_line(&format!("{hash},-1"))
            .unwrap_err()
            .contains("not an unsigned"));
        assert!(parse_line("abc,1").unwrap_err().contains("64 hex digits"));
    }

    #[test]
    fn json_lines() {
        let m = Match {
            id: 3,
            hash: Hash256::ZERO,
            distance: 0,
        };
        let line = json_line(&Hash256::ZERO, &[m, m]);
        let zero = "0".repeat(64);
        assert_eq!(
            line,
            format!(
                "{{\"query\":\"{zero}\",\"matches\":[{{\"id\":3,\"hash\":\"{zero}\",\"distance\":0}},{{\"id\":3,\"hash\":\"{zero}\",\"distance\":0}}]}}"
            )
        );
    }
}
