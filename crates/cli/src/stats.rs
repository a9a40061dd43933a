//! `hashbank stats`: the bank in numbers.

use crate::bank_args::{runtime, DatabaseArgs};
use clap::Args;

/// Options of `hashbank stats`.
#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Print one JSON object instead of lines of text.
    #[arg(long)]
    json: bool,
}

/// Prints counts of cases, hashes, platforms, reports, feed and audit log.
pub fn run(args: StatsArgs) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        let bank = args.db.open_to_read().await?;
        let stats = bank.stats().await?;
        bank.db().close().await;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&stats)?);
            return Ok(0);
        }
        let value = serde_json::to_value(&stats)?;
        for (name, value) in value.as_object().into_iter().flatten() {
            match value.as_object() {
                Some(groups) if groups.is_empty() => println!("{name:<20} 0"),
                Some(groups) => {
                    for (group, n) in groups {
                        println!("{:<20} {n}", format!("{name}.{group}"));
                    }
                }
                None => println!("{name:<20} {value}"),
            }
        }
        Ok(0)
    })
}
