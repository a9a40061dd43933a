//! `hashbank scan`: find the bank's images in files, folders and archives.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use client::{is_url, sends_in_clear, ApiKey, BankClient, ClientError, PlainHttp};
use hashbank_scan::archive::{
    ArchiveLimits, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_RATIO,
    DEFAULT_MAX_TOTAL_BYTES, DEFAULT_RATIO_FLOOR,
};
use hashbank_scan::report::{summary_text, write_csv, write_html, write_jsonl};
use hashbank_scan::{
    file_finds, report_matches, scan, LocalBank, MatchSource, Progress, RemoteBank, ScanOptions,
    ScanOutcome, DEFAULT_SEARCH_MEMORY,
};
use indicatif::{ProgressBar, ProgressStyle};
use media::{Limits, Options, Pipeline};

/// Scan files, folders and the archives in them for the bank's images.
///
/// Folders are walked in sorted order; every file in them is looked at by
/// its content: images are hashed on all cores, zip, tar and tar.gz
/// archives are opened (nested too, up to --max-depth) and their entries
/// read in memory, never written to disk. Each image is matched against a
/// local bank file made by `hashbank sync`, or through the bank's match API
/// when --bank is a URL (then --key-file is needed).
///
/// Matching: each image is looked up by its MD5 and SHA-256 (matched
/// exactly) and by labelled PDQ hashes: of the picture as it is, turned and
/// mirrored, without borders or a caption band, inside a screenshot,
/// straightened, and its top and bottom parts. The bank holds, besides each
/// image's plain PDQ hash, labelled hashes of parts of it (crops, the top
/// and bottom). Each pair of labels that stands for a real way of copying
/// an image is compared within its own radius (31 bits, PDQ's standard),
/// other pairs never. When no pair is within its radius, two stored hashes
/// of different labels both within 40 bits make a corroborated match (a
/// filtered copy). Each match says which of the file's hashes matched
/// (query) and how (evidence: pair or corroborated).
///
/// Hostile or broken input never stops the scan: archive bombs, entries
/// named to climb out of their archive, links, loops, files claiming huge
/// dimensions, non-images named as images and unreadable files are each
/// skipped with a reason and counted.
///
/// Output: one JSON line per match (path, hash_id, kind, role, distance,
/// query, evidence, category) and per skipped file (path, skipped, detail), to --out or
/// stdout; --csv and --html write the same as CSV and as a readable page
/// (no images in it). Matches of minor cases come first. A summary goes to
/// stderr.
///
/// Exit status: 0 when nothing matched, 1 when matches were found, 2 on
/// errors (usage, an unreadable bank file, the bank unreachable, a report
/// not sent); skipped files are not errors.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files and folders to scan.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// A local bank file (from `hashbank sync`), or the bank's URL to match
    /// through its match API.
    #[arg(long, value_name = "BANKFILE|URL")]
    bank: String,

    /// A file whose first line is the platform's API key (for a bank URL
    /// and for --report-to).
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,

    /// Write JSON lines here rather than to stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Also write the results as CSV.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,

    /// Also write a readable HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,

    /// Add a summary by matched bank hash: how many files match each, and
    /// which.
    #[arg(long)]
    investigate: bool,

    /// Send each match to the bank at URL as this platform's report (with
    /// --key-file), so the case's owner sees it.
    #[arg(long, value_name = "URL")]
    report_to: Option<String>,

    /// With --report-to: write a JSON line per reported match to FILE:
    /// path, hash_id, report_id, and the report's draft statement of
    /// reasons (EU Digital Services Act) once its outcome is `removed`, or
    /// what it is missing. Give the outcomes by report_id, then scan again:
    /// a match reported before keeps its report.
    #[arg(long, value_name = "FILE", requires = "report_to")]
    statements: Option<PathBuf>,

    /// With --report-to, an investigator's key (`hashbank investigator
    /// add`) and --reference: file a find per matched bank hash, with the
    /// number of files that matched it, instead of reports. The victims
    /// whose images they are see the find, the unit's contact text and the
    /// reference; nothing of them comes back (docs/investigators.md).
    #[arg(
        long,
        requires = "report_to",
        requires = "reference",
        conflicts_with_all = ["statements", "content_ref_prefix"]
    )]
    as_investigator: bool,

    /// With --as-investigator: the investigation's reference, which victims
    /// quote when they contact the unit (e.g. PV-2026-123).
    #[arg(long, value_name = "REFERENCE", requires = "as_investigator")]
    reference: Option<String>,

    /// With --as-investigator: the day the material was found (YYYY-MM-DD;
    /// default today).
    #[arg(long, value_name = "DAY", requires = "as_investigator")]
    found_on: Option<String>,

    /// Send the key over plain http:// to a host other than this machine
    /// (refused without it: use https://).
    #[arg(long)]
    insecure_http: bool,

    /// Put this before each path in the content reference of a report.
    #[arg(long, value_name = "TEXT", default_value = "")]
    content_ref_prefix: String,

    /// Use the fast pipeline (scale first, then hash): a few bits from the
    /// canonical hash, several times faster on large photos.
    #[arg(long)]
    fast: bool,

    /// Follow symbolic links inside folders (loops are detected).
    #[arg(long)]
    follow_links: bool,

    /// Largest file or archive entry to read, in bytes.
    #[arg(long, default_value_t = media::DEFAULT_MAX_FILE_BYTES, value_name = "BYTES")]
    max_file_size: u64,

    /// Largest image to decode, in pixels (width x height).
    #[arg(long, default_value_t = media::DEFAULT_MAX_PIXELS, value_name = "PIXELS")]
    max_pixels: u64,

    /// Most bytes one archive may expand to, nested archives included.
    #[arg(long, default_value_t = DEFAULT_MAX_TOTAL_BYTES, value_name = "BYTES")]
    max_archive_size: u64,

    /// Largest compression ratio of an archive entry over 1 MiB; beyond it
    /// the entry is a bomb.
    #[arg(long, default_value_t = DEFAULT_MAX_RATIO, value_name = "RATIO")]
    max_ratio: u64,

    /// Most entries one archive may hold, nested archives included.
    #[arg(long, default_value_t = DEFAULT_MAX_ENTRIES, value_name = "N")]
    max_entries: u64,

    /// Deepest nesting of archives in archives.
    #[arg(long, default_value_t = DEFAULT_MAX_DEPTH, value_name = "N")]
    max_depth: u32,

    /// How videos are hashed.
    #[command(flatten)]
    video: crate::video_args::VideoArgs,

    /// Hashing threads (default: all cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,

    /// Memory a bank file may take for its fast search layout, in MiB
    /// (about 0.6 KB a PDQ hash); a larger bank is searched in its compact
    /// index, more slowly. 0: always the compact index.
    #[arg(long, default_value_t = DEFAULT_SEARCH_MEMORY >> 20, value_name = "MIB")]
    search_memory: u64,

    /// Never show a progress bar (it is shown only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
}

/// Exit status: nothing matched.
const EXIT_CLEAN: u8 = 0;
/// Exit status: matches found.
const EXIT_MATCHES: u8 = 1;
/// Exit status: errors.
const EXIT_ERROR: u8 = 2;

/// Runs the command; see [`ScanArgs`] for the exit status.
pub fn run(args: ScanArgs) -> Result<u8> {
    match scan_and_report(&args) {
        Ok(code) => Ok(code),
        Err(err) => {
            eprintln!("hashbank: {err:#}");
            Ok(EXIT_ERROR)
        }
    }
}

fn scan_and_report(args: &ScanArgs) -> Result<u8> {
    for path in &args.paths {
        if std::fs::symlink_metadata(path).is_err() {
            bail!("{}: no such file or folder", path.display());
        }
    }
    let key = match &args.key_file {
        Some(file) => Some(ApiKey::from_file(file)?),
        None => None,
    };
    let needs_key = |what: &str| {
        key.clone()
            .with_context(|| format!("{what} needs --key-file with the platform's API key"))
    };
    let matcher: Box<dyn MatchSource> = if is_url(&args.bank) {
        let client = bank_client(&args.bank, needs_key("a bank URL")?, args.insecure_http)?;
        Box::new(RemoteBank::new(client))
    } else {
        let mut bank = LocalBank::open(&args.bank).map_err(|e| {
            let hint = if e.is_damaged() {
                "; run `hashbank sync --rebuild` to fetch a fresh copy"
            } else {
                ""
            };
            anyhow::anyhow!("{e}{hint}")
        })?;
        bank.set_search_memory(args.search_memory.saturating_mul(1 << 20));
        let started = std::time::Instant::now();
        let fast = bank.prepare_search();
        tracing::info!(
            hashes = bank.len(),
            fast_layout = fast,
            seconds = started.elapsed().as_secs_f64(),
            "bank file ready to search"
        );
        Box::new(bank)
    };
    let reporter = match &args.report_to {
        Some(url) => Some(bank_client(
            url,
            needs_key("--report-to")?,
            args.insecure_http,
        )?),
        None => None,
    };

    let options = ScanOptions {
        // A scanned video is looked up by its frames' views too, as a
        // picture is.
        video: video::Options {
            parts: video::Parts::Query,
            ..args.video.options(args.fast)?
        },
        media: Options {
            limits: Limits {
                max_file_bytes: args.max_file_size,
                max_pixels: args.max_pixels,
            },
            pipeline: if args.fast {
                Pipeline::Fast
            } else {
                Pipeline::Canonical
            },
            dihedral: false,
        },
        archives: ArchiveLimits {
            max_entry_bytes: args.max_file_size,
            max_total_bytes: args.max_archive_size,
            max_ratio: args.max_ratio,
            ratio_floor: DEFAULT_RATIO_FLOOR,
            max_entries: args.max_entries,
            max_depth: args.max_depth,
        },
        follow_links: args.follow_links,
        threads: args.jobs.unwrap_or(0),
    };
    let progress = Bar::new(!args.no_progress && io::stderr().is_terminal())?;
    let mut outcome = scan(&args.paths, matcher.as_ref(), &options, &progress);
    progress.bar.finish_and_clear();

    if let (Some(client), Some(reference)) = (&reporter, &args.reference) {
        let found_on = match &args.found_on {
            Some(day) => day.clone(),
            None => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or(0);
                hashbank_bank::rfc3339(now)[..10].to_string()
            }
        };
        let filed = file_finds(client, &outcome.matches, reference, &found_on);
        eprintln!(
            "hashbank: {} finds filed with {} under {reference} ({} files){}",
            filed.finds,
            client.url(),
            filed.files,
            if filed.failed > 0 {
                format!(", {} failed", filed.failed)
            } else {
                String::new()
            }
        );
        outcome.errors.extend(filed.errors);
    } else if let Some(client) = &reporter {
        let reported = report_matches(client, &outcome.matches, &args.content_ref_prefix);
        eprintln!(
            "hashbank: {} matches reported to {}{}{}",
            reported.sent,
            client.url(),
            if reported.earlier > 0 {
                format!(" ({} by an earlier scan)", reported.earlier)
            } else {
                String::new()
            },
            if reported.failed > 0 {
                format!(", {} failed", reported.failed)
            } else {
                String::new()
            }
        );
        if let Some(path) = &args.statements {
            let errors = write_statements(client, &reported.reports, path)?;
            outcome.errors.extend(errors);
        }
        outcome.errors.extend(reported.errors);
        if reported.failed as usize > outcome.errors.len() {
            outcome
                .errors
                .push(format!("{} reports could not be sent", reported.failed));
        }
    }

    write_outputs(args, &outcome)?;
    eprint!("{}", summary_text(&outcome, args.investigate));
    Ok(if !outcome.errors.is_empty() {
        EXIT_ERROR
    } else if outcome.matches.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_MATCHES
    })
}

/// Most reasons kept word for word for reports that have no statement yet.
const KEPT_REASONS: usize = 3;

/// Writes a JSON line per report of `reports` (path, hash id, report id)
/// to `path`: its draft statement, or what it is missing (the bank's
/// reason: not removed, no settings, ...); says on stderr how many and why.
/// Failures to ask are returned as errors.
fn write_statements(
    client: &BankClient,
    reports: &[(String, u64, i64)],
    path: &Path,
) -> Result<Vec<String>> {
    let mut errors = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let (mut written, mut waiting) = (0usize, 0usize);
    write_to(path, |w| {
        for (file, hash_id, report_id) in reports {
            let mut line = serde_json::json!({
                "path": file,
                "hash_id": hash_id,
                "report_id": report_id,
            });
            match client.statement(*report_id) {
                Ok(statement) => {
                    line["statement"] = serde_json::json!(statement);
                    written += 1;
                }
                Err(ClientError::Api {
                    status: 409,
                    message,
                    ..
                }) => {
                    line["missing"] = serde_json::json!(message);
                    waiting += 1;
                    if reasons.len() < KEPT_REASONS && !reasons.contains(&message) {
                        reasons.push(message);
                    }
                }
                Err(err) => {
                    errors.push(format!("statement of report {report_id} ({file}): {err}"));
                    continue;
                }
            }
            writeln!(w, "{line}")?;
        }
        Ok(())
    })?;
    eprintln!(
        "hashbank: {written} statements of reasons written to {}; {waiting} reports have none          yet{}",
        path.display(),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(": {}", reasons.join("; "))
        }
    );
    Ok(errors)
}

/// A client of the bank at `url`, refusing plain http:// to another host
/// unless `insecure_http` (then with a warning).
pub fn bank_client(url: &str, key: ApiKey, insecure_http: bool) -> Result<BankClient> {
    if !insecure_http {
        return Ok(BankClient::new(url, key)?);
    }
    if sends_in_clear(url) {
        eprintln!(
            "hashbank: warning: sending the platform key to {url} over plain http:// \
             (--insecure-http): anyone on the network in between can read it"
        );
    }
    Ok(BankClient::with_plain_http(url, key, PlainHttp::Anywhere)?)
}

fn write_outputs(args: &ScanArgs, outcome: &ScanOutcome) -> Result<()> {
    match &args.out {
        Some(path) => write_to(path, |w| write_jsonl(w, outcome, args.investigate))?,
        None => write_jsonl(&mut io::stdout().lock(), outcome, args.investigate)
            .context("writing to stdout")?,
    }
    if let Some(path) = &args.csv {
        write_to(path, |w| write_csv(w, outcome, args.investigate))?;
    }
    if let Some(path) = &args.html {
        write_to(path, |w| write_html(w, outcome, args.investigate))?;
    }
    Ok(())
}

fn write_to(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let file = File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    let mut out = BufWriter::new(file);
    write(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// The progress bar on stderr: files walked and done, files/s, ETA.
struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new(shown: bool) -> Result<Bar> {
        let bar = if shown {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template(
                "{bar:40} {pos}/{len} files  {per_sec}  eta {eta}",
            )?);
            bar
        } else {
            ProgressBar::hidden()
        };
        Ok(Bar { bar })
    }
}

impl Progress for Bar {
    fn start(&self, files: u64) {
        self.bar.set_length(files);
    }

    fn advance(&self, files: u64) {
        self.bar.inc(files);
    }
}
