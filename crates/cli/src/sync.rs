//! `hashbank sync`: keep a local copy of the bank's hashes in one file.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use client::{sync, ApiKey, SyncError, SyncOptions, DEFAULT_SAVE_EVERY, MAX_PAGE};
use hashbank_scan::report::count;

/// Pull the bank's hash feed into a local bank file, for `hashbank scan`.
///
/// The first run copies every active hash; each later run resumes from the
/// cursor the file holds and fetches only what changed, applying deletions
/// (withdrawn and suspended hashes disappear from the copy). The file is
/// written atomically: a crash or a failed run leaves the previous copy
/// whole. A damaged, foreign or other bank's file is refused; --rebuild
/// starts over from the start of the feed.
///
/// Exit status: 0 when the copy is up to date, 2 on errors (the key
/// refused, the bank unreachable, the file damaged).
#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The bank's URL, e.g. https://bank.example.org.
    #[arg(long, value_name = "URL")]
    bank: String,

    /// A file whose first line is the platform's API key.
    #[arg(long, value_name = "FILE")]
    key_file: PathBuf,

    /// The local bank file to create or bring up to date.
    #[arg(long, value_name = "BANKFILE")]
    out: PathBuf,

    /// Start over: fetch the whole feed into a new copy, whatever the file
    /// holds.
    #[arg(long)]
    rebuild: bool,

    /// Send the key over plain http:// to a host other than this machine
    /// (refused without it: use https://).
    #[arg(long)]
    insecure_http: bool,

    /// Feed entries per request.
    #[arg(long, default_value_t = MAX_PAGE, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PAGE)))]
    page_size: u32,

    /// During a long first sync, save after this many pages.
    #[arg(long, default_value_t = DEFAULT_SAVE_EVERY, value_name = "PAGES",
          value_parser = clap::value_parser!(u32).range(1..))]
    save_every: u32,
}

/// Exit status when the sync failed.
const EXIT_ERROR: u8 = 2;

/// Runs the command: 0 on success, 2 on errors (reported on stderr).
pub fn run(args: SyncArgs) -> Result<u8> {
    match sync_once(&args) {
        Ok(()) => Ok(0),
        Err(err) => {
            eprintln!("hashbank: {err:#}");
            if err
                .downcast_ref::<SyncError>()
                .is_some_and(SyncError::rebuild_helps)
            {
                eprintln!(
                    "hashbank: run `hashbank sync --rebuild` to fetch a fresh copy into {}",
                    args.out.display()
                );
            }
            Ok(EXIT_ERROR)
        }
    }
}

fn sync_once(args: &SyncArgs) -> Result<()> {
    let key = ApiKey::from_file(&args.key_file)?;
    let client = crate::scan::bank_client(&args.bank, key, args.insecure_http)?;
    let options = SyncOptions {
        page_size: args.page_size,
        save_every: args.save_every,
        rebuild: args.rebuild,
    };
    let summary = sync(&client, &args.out, &options)?;
    let [pdq, md5, sha256, videos] = summary.per_kind;
    println!(
        "synced {} from {}: {} added, {} deleted, cursor {}, {} hashes ({} pdq, {} md5, {} sha256, {} videos); {} feed entries in {} requests",
        args.out.display(),
        client.url(),
        count(summary.added),
        count(summary.deleted),
        summary.cursor,
        count(summary.total()),
        count(pdq),
        count(md5),
        count(sha256),
        count(videos),
        count(summary.entries),
        count(summary.pages),
    );
    if summary.left_out > 0 {
        eprintln!(
            "hashbank: {} hashes left out: extra hashes this build cannot compare (a newer hashbank can)",
            count(summary.left_out)
        );
    }
    Ok(())
}
