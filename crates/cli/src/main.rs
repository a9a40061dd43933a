//! The `hashbank` command. Each subcommand lives in a module of its own;
//! this file parses arguments, sets up logging and maps errors to exit codes.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod hash;
mod index;
mod output;
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
