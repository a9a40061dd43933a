//! `hashbank audit verify`: walks the audit log's hash chain.

use clap::{Args, Subcommand};
use hashbank_bank::{AuditVerdict, Settings};

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
    },
}

/// Exit status when the audit log is broken.
const EXIT_BROKEN: u8 = 1;

/// Runs the audit command.
pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    let AuditAction::Verify { db } = args.action;
    runtime()?.block_on(async move {
        let bank = db.open(Settings::default()).await?;
        let verdict = hashbank_bank::verify_audit(bank.db()).await?;
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
    })
}
