//! `hashbank audit`: walks the audit log's chain (`verify`), prints its
//! head for the operator to keep (`head`), makes a key (`new-key`).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use hashbank_bank::{AuditKey, AuditVerdict, Bank, KeptHead};

use crate::bank_args::{runtime, DatabaseArgs};

/// Options of `hashbank audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    action: AuditAction,
}

#[derive(Subcommand, Debug)]
enum AuditAction {
    /// Check that no entry of the audit log was altered or removed: exit 0
    /// when intact, 1 naming the first broken entry.
    Verify {
        #[command(flatten)]
        db: DatabaseArgs,
        /// A head printed earlier by `hashbank audit head` (SEQ:HASH): the
        /// log must still hold that entry unchanged, so a log cut back or
        /// rewritten from there fails. May be given several times.
        #[arg(long, value_name = "SEQ:HASH")]
        head: Vec<KeptHead>,
    },
    /// Check the audit log, then print its last entry as SEQ:HASH, to keep
    /// outside the bank and give to `hashbank audit verify --head` later.
    Head {
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Make a new audit key file for a bank (the file must not exist): it
    /// seals the entries written from now on. A PostgreSQL bank needs one;
    /// give every server the same file with --audit-key.
    NewKey {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Where to write the key (readable by its owner only).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Exit status when the audit log is broken.
const EXIT_BROKEN: u8 = 1;

/// Runs the audit command.
pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    runtime()?.block_on(async move {
        match args.action {
            AuditAction::Verify { db, head } => {
                let bank = db.open(hashbank_bank::Settings::default()).await?;
                let verdict = verify(&bank, &head).await?;
                bank.db().close().await;
                match verdict {
                    AuditVerdict::Intact { entries } => {
                        println!("audit log intact: {entries} entries");
                        Ok(0)
                    }
                    AuditVerdict::Broken { seq, reason } => {
                        println!("audit log broken at entry {seq}: {reason}");
                        Ok(EXIT_BROKEN)
                    }
                }
            }
            AuditAction::Head { db } => {
                let bank = db.open(hashbank_bank::Settings::default()).await?;
                match verify(&bank, &[]).await? {
                    AuditVerdict::Intact { .. } => {
                        let head = hashbank_bank::audit_head(bank.db()).await?;
                        bank.db().close().await;
                        println!("{head}");
                        Ok(0)
                    }
                    AuditVerdict::Broken { seq, reason } => {
                        bank.db().close().await;
                        println!("audit log broken at entry {seq}: {reason}");
                        Ok(EXIT_BROKEN)
                    }
                }
            }
            AuditAction::NewKey { db, out } => {
                let bank = db.open_to_read().await?;
                let head = hashbank_bank::audit_head(bank.db()).await?;
                bank.db().close().await;
                let key = AuditKey::generate(head.seq + 1);
                key.save(&out)
                    .with_context(|| format!("making the audit key {}", out.display()))?;
                eprintln!(
                    "hashbank: audit key written to {}; it seals entries from {} on. Give every \
                     server of this bank the same file (--audit-key) and keep a copy apart from \
                     the database",
                    out.display(),
                    key.from_seq()
                );
                Ok(0)
            }
        }
    })
}

/// The verdict on `bank`'s audit log, checked against every kept head.
async fn verify(bank: &Bank, heads: &[KeptHead]) -> anyhow::Result<AuditVerdict> {
    let mut verdict = hashbank_bank::verify_audit(bank.db(), None).await?;
    for head in heads {
        if !matches!(verdict, AuditVerdict::Intact { .. }) {
            break;
        }
        verdict = hashbank_bank::verify_audit(bank.db(), Some(head)).await?;
    }
    Ok(verdict)
}
