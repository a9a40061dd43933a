//! The report routes' bodies: a platform's report of a match
//! (`POST /v1/reports`) and its outcome (`POST /v1/reports/{id}/outcome`).

use serde::{Deserialize, Serialize};

/// A platform's report of a match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// The matched hash's id: one the match API returned to this platform,
    /// or one it read from the feed.
    pub hash_id: i64,
    /// The platform's own hash of the copy it found, in hex, of the stored
    /// hash's kind; the bank computes the distance from it.
    pub value: String,
    /// PDQ only: what the platform's hash is a hash of, a `QueryLabel`
    /// name (`pdq`, the default; `rot90`, `trim`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::QueryLabelSchema>, nullable = false)
    )]
    pub label: Option<String>,
    /// Optional and not trusted: the bank computes the distance from
    /// `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 256, nullable = false)
    )]
    pub distance: Option<i64>,
    /// The platform's own reference to the content (never shown to others).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub content_ref: String,
}

/// What a report answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCreated {
    /// The report's id, for its outcome.
    pub report_id: i64,
}

/// What happened to reported content, as the platform says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Taken down.
    Removed,
    /// Reviewed and found not to be the victim's image.
    NotViolating,
    /// Still under review.
    PendingReview,
}

words!(Outcome, "outcome", {
    Removed => "removed",
    NotViolating => "not_violating",
    PendingReview => "pending_review",
});

/// The outcome of a report, as its platform gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// What became of the content.
    pub outcome: Outcome,
    /// For the statement of reasons of a removal: how automated the
    /// decision was (the draft needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_decision: Option<crate::AutomatedDecision>,
    /// For the statement: picture or video, when the bank cannot tell
    /// (a file's MD5 or SHA-256 is of either).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<crate::ContentType>,
    /// For the statement: the EEA countries (two-letter codes) where the
    /// content is restricted; everywhere when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 30))]
    pub territorial_scope: Vec<String>,
    /// For the statement: when the content was posted (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date, nullable = false))]
    pub content_date: Option<String>,
    /// For the statement: when the restriction ends (`YYYY-MM-DD`); none
    /// for a permanent removal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = Date, nullable = false))]
    pub end_date: Option<String>,
}

impl OutcomeRequest {
    /// An outcome with nothing for a statement of reasons.
    pub fn new(outcome: Outcome) -> OutcomeRequest {
        OutcomeRequest {
            outcome,
            automated_decision: None,
            content_type: None,
            territorial_scope: Vec::new(),
            content_date: None,
            end_date: None,
        }
    }
}

/// What giving an outcome answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeRecorded {
    /// The report.
    pub report_id: i64,
    /// Its outcome now.
    pub outcome: Outcome,
}

/// Longest reference of an investigation, in characters.
pub const MAX_REFERENCE_CHARS: usize = 100;

/// An investigator's find (`POST /v1/finds`): a bank hash found in material
/// seized in an investigation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewFind {
    /// The matched hash's id: one the match API returned to this
    /// investigator, or one it read from the feed.
    pub hash_id: i64,
    /// The investigation's reference (e.g. `PV-2026-123`), which the
    /// victim quotes when she contacts the unit: 1 to 100 characters,
    /// letters, digits, spaces and `-_./:#`.
    #[cfg_attr(feature = "openapi", schema(max_length = 100, min_length = 1))]
    pub reference: String,
    /// The day the material was found or examined (`YYYY-MM-DD`).
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub found_on: String,
    /// How many files of the material matched the hash (1 to 1,000,000).
    pub files: u64,
}

/// What filing a find answers: its id. Filing the same hash under the
/// same reference again updates it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindRecorded {
    /// The find's id.
    pub find_id: i64,
}
