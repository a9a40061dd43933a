//! The StopNCII partner API's shape (`GET /v1/stopncii/FetchHashes`,
//! `POST /v1/stopncii/SubmitFeedback`): the bank's feed and reports as a
//! client written for StopNCII.org reads and writes them, with the field
//! names that API uses (camelCase, as the wire has them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The query of `GET /v1/stopncii/FetchHashes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FetchHashesQuery {
    /// Records released at or after this time (Unix seconds); 0 (the
    /// default) for every record. A checkpoint: the `nextSetTimestamp` of
    /// the last page read.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub start_timestamp: i64,
    /// Feed entries looked at for this page: 1 to 10,000, 800 when not
    /// given. A page holds at most this many records, fewer where entries
    /// have no StopNCII signal type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(minimum = 1, maximum = 10000, default = 800, nullable = false)
    )]
    pub page_size: Option<i64>,
    /// The previous page's `nextPageToken`, to read on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(nullable = false, max_length = 20))]
    pub next_page_token: Option<String>,
}

/// What a record's value is a hash of, as StopNCII names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StopNciiSignalType {
    /// A picture's PDQ hash (hashbank's `pdq`: the whole picture, its trim
    /// and its crops).
    #[serde(rename = "ImagePDQ")]
    ImagePdq,
    /// A file's MD5 (hashbank's `md5`, of a picture or a video).
    #[serde(rename = "VideoMD5")]
    VideoMd5,
}

/// Whether a record's hash is to be matched or deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StopNciiHashStatus {
    /// To match.
    Active,
    /// Its case was withdrawn: delete it.
    Withdrawn,
    /// Suspended (platforms found its matches not violating): delete it.
    Deleted,
}

/// A platform's feedback on a hash, as StopNCII names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StopNciiFeedbackValue {
    /// No state given.
    Unknown,
    /// A tag without a state.
    None,
    /// No state given.
    QualityUnknown,
    /// A match under review: outcome `pending_review`.
    PendingReview,
    /// Reviewed and taken down: outcome `removed`.
    Blocked,
    /// Reviewed and not taken down: outcome `not_violating`.
    NotBlocked,
    /// A record state, not feedback: ignored.
    Withdrawn,
    /// A record state, not feedback: ignored.
    Deleted,
}

/// A platform's feedback as a record carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StopNciiFeedback {
    /// The feedback.
    pub feedback_value: StopNciiFeedbackValue,
    /// Tags the platform gave.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who gave it: the platform's name.
    #[serde(default)]
    pub source: String,
}

/// One hash value's state now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StopNciiHashRecord {
    /// When the record was released to platforms (Unix seconds).
    pub last_modtimestamp: i64,
    /// What the value is a hash of.
    pub signal_type: StopNciiSignalType,
    /// The hash, lower-case hex. For a withdrawn or deleted record, the
    /// value the client must delete (kept sealed by the bank for the
    /// window only, docs/erasure.md).
    pub hash_value: String,
    /// Active, Withdrawn or Deleted.
    pub hash_status: StopNciiHashStatus,
    /// Always empty: the bank never gives a case number to a platform.
    pub case_numbers: BTreeMap<String, StopNciiHashStatus>,
    /// Always empty: feedback goes to the bank as reports, and a
    /// platform's own reports are its own to keep.
    #[serde(rename = "CSPFeedbacks")]
    pub csp_feedbacks: Vec<StopNciiFeedback>,
}

/// A page of `FetchHashes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FetchHashesResponse {
    /// Records in this page.
    pub count: i64,
    /// To read on while `hasMoreRecords`; null at the end.
    pub next_page_token: Option<String>,
    /// The checkpoint to keep: the next fetch's `startTimestamp`.
    pub next_set_timestamp: i64,
    /// Whether more records follow right now.
    pub has_more_records: bool,
    /// The records, in release order.
    pub hash_records: Vec<StopNciiHashRecord>,
}

/// One feedback of `SubmitFeedback`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StopNciiHashFeedback {
    /// The hash value the feedback is on, hex, as a record gave it.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub hash_value: String,
    /// The feedback.
    pub feedback_value: StopNciiFeedbackValue,
    /// Tags: accepted and not kept.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The body of `POST /v1/stopncii/SubmitFeedback`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubmitFeedbackRequest {
    /// How many feedbacks follow (checked when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// 1 to 1000 feedbacks.
    pub hash_feedbacks: Vec<StopNciiHashFeedback>,
}

/// What became of one feedback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackResult {
    /// Recorded as this platform's report on the value, with the outcome
    /// the feedback gives.
    Recorded,
    /// No active value this platform was given has this hash (withdrawn,
    /// suspended, never given, or not a PDQ or MD5 hash).
    UnknownHash,
    /// A record state (Withdrawn, Deleted), not feedback: nothing done.
    Ignored,
}

words!(FeedbackResult, "feedback result", {
    Recorded => "recorded",
    UnknownHash => "unknown_hash",
    Ignored => "ignored",
});

/// One feedback's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FeedbackRecorded {
    /// The hash value, as given.
    pub hash_value: String,
    /// What became of it.
    pub result: FeedbackResult,
    /// The report that holds it, when recorded (the same report for every
    /// feedback of this platform on this value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_id: Option<i64>,
}

/// What `SubmitFeedback` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubmitFeedbackResponse {
    /// Feedbacks recorded.
    pub count: i64,
    /// Per feedback, in order.
    pub results: Vec<FeedbackRecorded>,
}
