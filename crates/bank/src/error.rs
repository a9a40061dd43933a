//! What can go wrong in the bank, in words a caller can show.

use std::time::Duration;

/// An error from the bank. The HTTP layer maps each variant to one status.
#[derive(Debug, thiserror::Error)]
pub enum BankError {
    /// The request is malformed or breaks a rule (bad hex, too many hashes,
    /// quality too low, ...). `code` is a short machine-readable word.
    #[error("{message}")]
    Invalid {
        /// Machine-readable reason, e.g. `invalid_hash`.
        code: &'static str,
        /// What is wrong, for a person.
        message: String,
    },
    /// Case number and PIN do not match a case (the same for an unknown
    /// number and a wrong PIN).
    #[error("the case number or the PIN is wrong")]
    WrongPin,
    /// Too many wrong PINs for this case number: try again after the wait.
    #[error("too many wrong PINs for this case number; try again later")]
    Locked {
        /// How long until the lock ends.
        retry_after: Duration,
    },
    /// The platform API key is missing, malformed, unknown or revoked.
    #[error("a valid platform API key is needed (Authorization: Bearer hbk_...)")]
    BadKey,
    /// The thing asked for does not exist (for this caller).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (e.g. a withdrawn case).
    #[error("{0}")]
    Conflict(String),
    /// The key is valid but not for this: an investigator's where a
    /// platform's is needed, or the other way round.
    #[error("{0}")]
    Forbidden(String),
    /// This platform already reported this content for this hash: report
    /// `report_id`.
    #[error("this platform already reported this content for hash {hash_id}: report {report_id}")]
    AlreadyReported {
        /// The hash.
        hash_id: i64,
        /// The earlier report.
        report_id: i64,
    },
    /// Too many PIN or key checks are waiting: try again after the wait.
    #[error("the bank is busy checking other requests; try again shortly")]
    Busy {
        /// How long to wait before trying again.
        retry_after: Duration,
    },
    /// The matcher is still loading.
    #[error("the bank is still loading its hashes; try again shortly")]
    NotReady,
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Bringing the schema up to date failed.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else that should not happen (a broken invariant).
    #[error("{0}")]
    Internal(String),
}

impl BankError {
    /// An [`BankError::Invalid`] with `code` and `message`.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> BankError {
        BankError::Invalid {
            code,
            message: message.into(),
        }
    }
}

/// A word in the database that names no kind, role or category: the
/// database holds what the bank did not write.
impl From<model::UnknownWord> for BankError {
    fn from(err: model::UnknownWord) -> BankError {
        BankError::Internal(err.to_string())
    }
}

/// Results of the bank.
pub type Result<T, E = BankError> = std::result::Result<T, E>;
