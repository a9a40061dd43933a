//! The `hashbank` command. Each subcommand lives in a module of its own;
//! this file parses arguments, sets up logging and maps errors to exit codes.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit;
mod bank_args;
mod exchange;
mod export;
mod hash;
mod import;
mod index;
mod output;
mod platform;
mod scan;
mod serve;
mod stats;
mod sync;
mod video_args;
mod walk;

/// hashbank: hash-and-match against non-consensual intimate images.
#[derive(Parser)]
#[command(name = "hashbank", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Hash image files and folders: PDQ, MD5, SHA-256.
    Hash(hash::HashArgs),
    /// Build a PDQ index from hash lists, and match hashes against it.
    Index(index::IndexArgs),
    /// Serve the bank over HTTP: cases, the hash feed, the match API.
    Serve(serve::ServeArgs),
    /// Add, list and revoke platforms and their API keys.
    Platform(platform::PlatformArgs),
    /// Add investigating units and their API keys (finds in seized
    /// material).
    Investigator(platform::InvestigatorArgs),
    /// Follow other banks' feeds (exchanges): add, list, pause, resume, remove.
    Exchange(exchange::ExchangeArgs),
    /// Print counts of cases, hashes, platforms, reports, feed and audit log.
    Stats(stats::StatsArgs),
    /// Check the audit log's hash chain.
    Audit(audit::AuditArgs),
    /// Load a list of hashes into the bank as new cases.
    Import(import::ImportArgs),
    /// Write the active hashes platforms may see, as JSON lines or
    /// python-threatexchange's lines.
    Export(export::ExportArgs),
    /// Keep a local copy of the bank's hashes in one file, from its feed.
    Sync(sync::SyncArgs),
    /// Scan files, folders and archives for the bank's images.
    Scan(scan::ScanArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HASHBANK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hash(args) => hash::run(args),
        Command::Index(args) => index::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Platform(args) => platform::run(args),
        Command::Investigator(args) => platform::run_investigator(args),
        Command::Exchange(args) => exchange::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Import(args) => import::run(args),
        Command::Export(args) => export::run(args),
        Command::Sync(args) => sync::run(args),
        Command::Scan(args) => scan::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("hashbank: {err:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Exit status when the command could not do its work at all.
const EXIT_FAILURE: u8 = 1;
