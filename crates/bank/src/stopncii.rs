//! The feed and reports in the shape of the StopNCII partner API, for
//! clients written for StopNCII.org (python-threatexchange's `StopNCIIAPI`,
//! and HMA through it).
//!
//! - `FetchHashes` walks the released feed in release order. Each entry
//!   becomes a record of the value's state: an addition `Active` with its
//!   value; a deletion `Withdrawn` (its last case withdrawn) or `Deleted`
//!   (suspended) with the value the client must delete, read from the
//!   suspended value or opened from its seal (`crate::withdrawn`). A
//!   deletion whose seal is gone (the window over) gives no record.
//! - Only PDQ hashes a whole picture is matched against (`pdq`, `trim` and
//!   the crops: `model::radius` pairs them with a plain query) and MD5
//!   hashes have a StopNCII signal type; other entries give no record.
//! - Every read is logged as a feed read, so that the hashes it gave count
//!   as given to the platform for its reports.
//! - `SubmitFeedback` makes the platform's one report on the value
//!   (content reference `stopncii:feedback`) and sets its outcome.

use api::{
    FeedbackRecorded, FeedbackResult, FetchHashesResponse, NewReport, Outcome,
    StopNciiFeedbackValue, StopNciiHashFeedback, StopNciiHashRecord, StopNciiHashStatus,
    StopNciiSignalType,
};
use model::{BankLabel, QueryLabel};
use sqlx::Any;

use crate::bank::Bank;
use crate::error::{BankError, Result};
use crate::hashes::{parse_label, Kind};
use crate::platforms::Platform;
use crate::withdrawn::Reason;

/// Feed entries a page looks at when the client does not say.
pub const DEFAULT_STOPNCII_PAGE: i64 = 800;
/// Most feed entries a page looks at.
pub const MAX_STOPNCII_PAGE: i64 = crate::feed::MAX_FEED_LIMIT;
/// Most feedbacks per `SubmitFeedback`.
pub const MAX_FEEDBACKS: usize = 1000;
/// The content reference of the report a platform's feedback makes.
pub const FEEDBACK_CONTENT_REF: &str = "stopncii:feedback";
/// How far ahead of the bank's clock a start timestamp may be (clocks
/// differ a little; a checkpoint far ahead is an error).
const CLOCK_SLACK_SECONDS: i64 = 300;

/// The StopNCII signal type of a stored hash, if it has one.
fn signal_type(kind: Kind, label: Option<BankLabel>) -> Option<StopNciiSignalType> {
    match kind {
        Kind::Pdq => model::radius(QueryLabel::Plain, label.unwrap_or(BankLabel::Plain))
            .map(|_| StopNciiSignalType::ImagePdq),
        Kind::Md5 => Some(StopNciiSignalType::VideoMd5),
        Kind::Sha256 | Kind::Vpdq => None,
    }
}

/// A released feed entry: public cursor, op, hash id, kind, label, value,
/// released at.
type Row = (
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

impl Bank {
    /// A page of the StopNCII-shaped feed for `platform`: records released
    /// at or after `start_timestamp` (Unix seconds), or after the page
    /// `token` names, looking at up to `page_size` feed entries.
    pub async fn stopncii_fetch(
        &self,
        platform: &Platform,
        start_timestamp: i64,
        page_size: Option<i64>,
        token: Option<&str>,
    ) -> Result<FetchHashesResponse> {
        let limit = page_size.unwrap_or(DEFAULT_STOPNCII_PAGE);
        if !(1..=MAX_STOPNCII_PAGE).contains(&limit) {
            return Err(BankError::invalid(
                "invalid_page_size",
                format!("pageSize runs from 1 to {MAX_STOPNCII_PAGE}, not {limit}"),
            ));
        }
        let now = crate::clock::now_ms() / 1000;
        if start_timestamp < 0 || start_timestamp > now + CLOCK_SLACK_SECONDS {
            return Err(BankError::invalid(
                "invalid_start_timestamp",
                format!(
                    "startTimestamp is Unix seconds from 0 to now ({now}), not {start_timestamp}: \
                     a checkpoint from the future; fetch again from 0"
                ),
            ));
        }
        let db = &self.db;
        let after = match token {
            Some(token) => {
                let cursor = token.parse::<i64>().ok().filter(|c| *c > 0);
                let (head,): (i64,) = sqlx::query_as("SELECT public_cursor FROM head WHERE id = 1")
                    .fetch_one(&db.pool)
                    .await?;
                match cursor {
                    Some(cursor) if cursor <= head => cursor,
                    _ => {
                        return Err(BankError::invalid(
                            "invalid_page_token",
                            "nextPageToken is one a page of this bank gave",
                        ))
                    }
                }
            }
            None => {
                let (first,): (Option<i64>,) = sqlx::query_as(
                    "SELECT MIN(public_cursor) FROM feed \
                     WHERE released_at >= $1 AND public_cursor > 0",
                )
                .bind(start_timestamp.saturating_mul(1000))
                .fetch_one(&db.pool)
                .await?;
                match first {
                    Some(first) => first - 1,
                    None => {
                        return Ok(FetchHashesResponse {
                            count: 0,
                            next_page_token: None,
                            next_set_timestamp: start_timestamp,
                            has_more_records: false,
                            hash_records: Vec::new(),
                        })
                    }
                }
            }
        };
        let mut rows: Vec<Row> = sqlx::query_as(
            "SELECT public_cursor, op, hash_id, kind, label, value, released_at FROM feed \
             WHERE public_cursor > $1 ORDER BY public_cursor LIMIT $2",
        )
        .bind(after)
        .bind(limit + 1)
        .fetch_all(&db.pool)
        .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);

        // What the deletions delete: a suspended value is still stored;
        // a withdrawn one is opened from its seal.
        let deleted: Vec<i64> = rows
            .iter()
            .filter(|r| r.1 == "delete")
            .map(|r| r.2)
            .collect();
        let mut gone = std::collections::HashMap::new();
        for chunk in deleted.chunks(crate::db::PARAMS_PER_STATEMENT) {
            let list = crate::db::params(1, chunk.len());
            let sql = format!(
                "SELECT id, kind, label, value FROM hash_values \
                 WHERE status = 'suspended' AND id IN ({list})"
            );
            let mut query = sqlx::query_as::<Any, (i64, String, Option<String>, String)>(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for (id, kind, label, value) in query.fetch_all(&db.pool).await? {
                let label = parse_label(label.as_deref())?;
                gone.insert(id, (kind.parse::<Kind>()?, label, value, Reason::Suspended));
            }
            for (id, opened) in crate::withdrawn::open(&db.pool, chunk).await? {
                gone.entry(id)
                    .or_insert((opened.kind, opened.label, opened.value, opened.reason));
            }
        }

        let mut records = Vec::with_capacity(rows.len());
        for (_, op, id, kind, label, value, released_at) in &rows {
            let (kind, label, value, status) = if op == "add" {
                let (Some(kind), Some(value)) = (kind, value) else {
                    continue;
                };
                (
                    kind.parse::<Kind>()?,
                    parse_label(label.as_deref())?,
                    value.clone(),
                    StopNciiHashStatus::Active,
                )
            } else {
                let Some((kind, label, value, reason)) = gone.get(id) else {
                    continue;
                };
                let status = match reason {
                    Reason::Withdrawn => StopNciiHashStatus::Withdrawn,
                    Reason::Suspended => StopNciiHashStatus::Deleted,
                };
                (*kind, *label, value.clone(), status)
            };
            let Some(signal_type) = signal_type(kind, label) else {
                continue;
            };
            records.push(StopNciiHashRecord {
                last_modtimestamp: released_at.div_euclid(1000),
                signal_type,
                hash_value: value,
                hash_status: status,
                case_numbers: Default::default(),
                csp_feedbacks: Vec::new(),
            });
        }
        let last = rows.last().map(|r| (r.0, r.6));
        if let Some((to, _)) = last {
            sqlx::query(
                "INSERT INTO feed_reads (platform_id, from_cursor, to_cursor, entries, at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(platform.id)
            .bind(after)
            .bind(to)
            .bind(rows.len() as i64)
            .bind(crate::clock::now_ms())
            .execute(&db.pool)
            .await?;
        }
        Ok(FetchHashesResponse {
            count: records.len() as i64,
            next_page_token: more.then(|| last.map(|l| l.0.to_string())).flatten(),
            next_set_timestamp: last.map_or(start_timestamp, |l| l.1.div_euclid(1000)),
            has_more_records: more,
            hash_records: records,
        })
    }

    /// Records `feedbacks` as `platform`'s reports and outcomes: one report
    /// per value, made by the first feedback, its outcome set by each.
    pub async fn stopncii_feedback(
        &self,
        platform: &Platform,
        feedbacks: Vec<StopNciiHashFeedback>,
    ) -> Result<Vec<FeedbackRecorded>> {
        platform.must_be_platform()?;
        if feedbacks.is_empty() || feedbacks.len() > MAX_FEEDBACKS {
            return Err(BankError::invalid(
                "invalid_feedbacks",
                format!(
                    "hashFeedbacks holds 1 to {MAX_FEEDBACKS} feedbacks, not {}",
                    feedbacks.len()
                ),
            ));
        }
        for feedback in &feedbacks {
            let value = &feedback.hash_value;
            if !matches!(value.len(), 32 | 64) || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(BankError::invalid(
                    "invalid_value",
                    "hashValue is a PDQ hash (64 hex digits) or an MD5 (32)",
                ));
            }
        }
        let mut results = Vec::with_capacity(feedbacks.len());
        for feedback in feedbacks {
            let value = feedback.hash_value.to_ascii_lowercase();
            let outcome = match feedback.feedback_value {
                StopNciiFeedbackValue::Withdrawn | StopNciiFeedbackValue::Deleted => {
                    results.push(FeedbackRecorded {
                        hash_value: feedback.hash_value,
                        result: FeedbackResult::Ignored,
                        report_id: None,
                    });
                    continue;
                }
                StopNciiFeedbackValue::Blocked => Some(Outcome::Removed),
                StopNciiFeedbackValue::NotBlocked => Some(Outcome::NotViolating),
                StopNciiFeedbackValue::PendingReview => Some(Outcome::PendingReview),
                StopNciiFeedbackValue::Unknown
                | StopNciiFeedbackValue::None
                | StopNciiFeedbackValue::QualityUnknown => None,
            };
            let report_id = self.feedback_report(platform, &value).await?;
            if let (Some(report_id), Some(outcome)) = (report_id, outcome) {
                self.set_outcome(platform, report_id, &api::OutcomeRequest::new(outcome))
                    .await?;
            }
            results.push(FeedbackRecorded {
                hash_value: feedback.hash_value,
                result: if report_id.is_some() {
                    FeedbackResult::Recorded
                } else {
                    FeedbackResult::UnknownHash
                },
                report_id,
            });
        }
        Ok(results)
    }

    /// The platform's feedback report on the active PDQ or MD5 value
    /// `value`, made now if there is none; `None` when no such value was
    /// given to it.
    async fn feedback_report(&self, platform: &Platform, value: &str) -> Result<Option<i64>> {
        let kind = if value.len() == 32 {
            Kind::Md5
        } else {
            Kind::Pdq
        };
        let found: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT id, label FROM hash_values \
             WHERE value_key = $1 AND kind = $2 AND status = 'active'",
        )
        .bind(value)
        .bind(kind.as_str())
        .fetch_all(&self.db.pool)
        .await?;
        for (hash_id, label) in found {
            let label = parse_label(label.as_deref())?;
            if signal_type(kind, label).is_none() {
                continue;
            }
            let earlier: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM reports \
                 WHERE platform_id = $1 AND hash_id = $2 AND content_ref = $3",
            )
            .bind(platform.id)
            .bind(hash_id)
            .bind(FEEDBACK_CONTENT_REF)
            .fetch_optional(&self.db.pool)
            .await?;
            if let Some((id,)) = earlier {
                return Ok(Some(id));
            }
            let report = NewReport {
                hash_id,
                value: value.to_string(),
                label: None,
                distance: None,
                content_ref: FEEDBACK_CONTENT_REF.into(),
            };
            match self.report(platform, report).await {
                Ok(id) => return Ok(Some(id)),
                // Not given to this platform, or erased meanwhile.
                Err(BankError::NotFound(_)) => continue,
                // Made meanwhile by another request of this platform.
                Err(BankError::Conflict(_)) => {
                    let (id,): (i64,) = sqlx::query_as(
                        "SELECT id FROM reports \
                         WHERE platform_id = $1 AND hash_id = $2 AND content_ref = $3",
                    )
                    .bind(platform.id)
                    .bind(hash_id)
                    .bind(FEEDBACK_CONTENT_REF)
                    .fetch_one(&self.db.pool)
                    .await?;
                    return Ok(Some(id));
                }
                Err(other) => return Err(other),
            }
        }
        Ok(None)
    }
}
