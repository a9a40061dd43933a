//! `hashbank platform add|list|revoke`: operators issue and revoke platform
//! API keys against the bank's database.

use clap::{Args, Subcommand};
use hashbank_bank::Settings;

use crate::bank_args::{runtime, DatabaseArgs};

/// Options of `hashbank platform`.
#[derive(Args, Debug)]
pub struct PlatformArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(subcommand)]
    action: PlatformAction,
}

#[derive(Subcommand, Debug)]
enum PlatformAction {
    /// Add a platform and print its API key (shown only this once).
    Add {
        /// The platform's name (letters, digits, dots, dashes, underscores).
        name: String,
    },
    /// List platforms: name, key id, added, revoked.
    List,
    /// Revoke a platform's key (refused by every server within seconds).
    Revoke {
        /// The platform's name.
        name: String,
    },
}

/// Runs the platform command.
pub fn run(args: PlatformArgs) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        let bank = match args.action {
            PlatformAction::List => args.db.open_to_read().await?,
            _ => args.db.open(Settings::default()).await?,
        };
        match args.action {
            PlatformAction::Add { name } => {
                let key = bank.add_platform(&name).await?;
                println!("{key}");
                eprintln!("hashbank: platform {name:?} added; its API key (above) is shown only this once");
            }
            PlatformAction::List => {
                let platforms = bank.list_platforms().await?;
                println!("{:<24}  {:<16}  {:<20}  revoked", "name", "key id", "added");
                for p in platforms {
                    println!(
                        "{:<24}  {:<16}  {:<20}  {}",
                        p.name,
                        p.key_id,
                        p.created_at,
                        p.revoked_at.as_deref().unwrap_or("-")
                    );
                }
            }
            PlatformAction::Revoke { name } => {
                bank.revoke_platform(&name).await?;
                eprintln!("hashbank: the key of platform {name:?} is revoked");
            }
        }
        bank.db().close().await;
        Ok(0)
    })
}
