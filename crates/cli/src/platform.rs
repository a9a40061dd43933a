//! `hashbank platform add|list|revoke` and `hashbank investigator add`:
//! operators issue and revoke platforms' and investigators' API keys
//! against the bank's database.

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
    /// List platforms and investigators: name, key id, added, revoked,
    /// role.
    List,
    /// Revoke a platform's or an investigator's key (refused by every
    /// server within seconds).
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
                println!(
                    "{:<24}  {:<16}  {:<20}  {:<20}  role",
                    "name", "key id", "added", "revoked"
                );
                for p in platforms {
                    println!(
                        "{:<24}  {:<16}  {:<20}  {:<20}  {}",
                        p.name,
                        p.key_id,
                        p.created_at,
                        p.revoked_at.as_deref().unwrap_or("-"),
                        p.role
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

/// Options of `hashbank investigator`.
#[derive(Args, Debug)]
pub struct InvestigatorArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    #[command(subcommand)]
    action: InvestigatorAction,
}

#[derive(Subcommand, Debug)]
enum InvestigatorAction {
    /// Add an investigating unit and print its API key (shown only this
    /// once). Its key reads the feed and matches, as a platform's does, and
    /// files finds instead of reports. `hashbank platform list` and
    /// `platform revoke` cover investigators too.
    Add {
        /// The unit's name, shown to victims whose images it finds
        /// (letters, digits, dots, dashes, underscores).
        name: String,
        /// A JSON file of the unit's contact text per language, shown to
        /// victims with a find: `{"en": "...", "nl": "...", ...}` (phone,
        /// web address, opening hours, how to quote a reference); 1 to
        /// 1,000 characters each.
        #[arg(long, value_name = "FILE")]
        contact: std::path::PathBuf,
    },
}

/// Most bytes of a contact file.
const MAX_CONTACT_FILE: u64 = 64 * 1024;

/// Runs the investigator command.
pub fn run_investigator(args: InvestigatorArgs) -> anyhow::Result<u8> {
    use anyhow::Context;
    let InvestigatorAction::Add { name, contact } = args.action;
    let size = std::fs::metadata(&contact)
        .with_context(|| format!("{}: cannot read", contact.display()))?
        .len();
    if size > MAX_CONTACT_FILE {
        anyhow::bail!("{}: over {MAX_CONTACT_FILE} bytes", contact.display());
    }
    let text = std::fs::read_to_string(&contact)
        .with_context(|| format!("{}: cannot read as UTF-8 text", contact.display()))?;
    let contact_text: std::collections::BTreeMap<String, String> = serde_json::from_str(&text)
        .with_context(|| {
            format!(
                "{}: not a JSON object of language codes to texts",
                contact.display()
            )
        })?;
    hashbank_bank::check_contact(&contact_text)
        .with_context(|| format!("{}", contact.display()))?;
    runtime()?.block_on(async move {
        let bank = args.db.open(Settings::default()).await?;
        let key = bank.add_investigator(&name, &contact_text).await?;
        println!("{key}");
        eprintln!(
            "hashbank: investigator {name:?} added; its API key (above) is shown only this once"
        );
        bank.db().close().await;
        Ok(0)
    })
}
