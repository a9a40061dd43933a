//! What platforms do with the bank: pull the feed, match, report matches
//! and their outcomes; and the suspension of a hash that several platforms
//! found not violating.

use media::robust::QueryLabel;
use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::bank::{is_clash, Bank, CLASH_RETRIES};
use crate::error::{BankError, Result};
use crate::feed::{pull, FeedPage};
use crate::hashes::{check_hex, query_labels, HashStatus, Kind};
use crate::matcher::Found;
use crate::platforms::Platform;
use crate::secrets::random_id;
use crate::write::Write;

/// Most hashes in one match request.
pub const MAX_MATCH_BATCH: usize = 1000;
/// The match radius of the pairs of labels compared
/// ([`media::robust::radius`]) when the platform does not give one: PDQ's
/// usual threshold.
pub const DEFAULT_RADIUS: u32 = pdq::MATCH_DISTANCE;
/// The largest radius a platform may ask for.
pub const MAX_RADIUS: u32 = 63;
/// Longest content reference a platform may give.
pub const MAX_CONTENT_REF_LEN: usize = 1024;
/// The largest distance a report may give (a PDQ hash has 256 bits).
const MAX_DISTANCE: i64 = 256;

/// A hash a platform asks about.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// pdq, md5 or sha256.
    pub kind: Kind,
    /// The hash in hex.
    pub value: String,
    /// PDQ only: what the query hash is a hash of, a
    /// [`QueryLabel`] name (`pdq`, the default; `rot90`, `trim`, `screen`,
    /// `top80`, ...). It decides which stored hashes it is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// What was found for one query.
#[derive(Clone, Debug, Serialize)]
pub struct QueryResult {
    /// The query as asked (value in lower-case hex; a PDQ query with its
    /// label, `pdq` when none was given).
    pub query: Query,
    /// Matching hashes: minor first, then nearest.
    pub matches: Vec<Found>,
}

/// The label of a query hash: a [`QueryLabel`] for PDQ (`pdq` when none is
/// given), none for MD5 and SHA-256.
fn query_label(kind: Kind, label: Option<&str>, what: &str) -> Result<Option<QueryLabel>> {
    match (kind, label) {
        (Kind::Pdq, None) => Ok(Some(QueryLabel::Plain)),
        (Kind::Pdq, Some(text)) => text.parse().map(Some).map_err(|_| {
            BankError::invalid(
                "invalid_label",
                format!(
                    "{what}: unknown label {text:?}; a pdq query's label is one of {}",
                    query_label_names()
                ),
            )
        }),
        (_, None) => Ok(None),
        (_, Some(_)) => Err(BankError::invalid(
            "invalid_label",
            format!("{what}: only pdq hashes have a label; {kind} hashes match exactly"),
        )),
    }
}

/// Every query label's name, for messages.
fn query_label_names() -> String {
    query_labels()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A platform's report of a match.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// The matched hash's id.
    pub hash_id: i64,
    /// The distance the platform found.
    pub distance: i64,
    /// The platform's own reference to the content (never shown to others).
    pub content_ref: String,
}

/// What happened to reported content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Taken down.
    Removed,
    /// Reviewed and found not to be the victim's image.
    NotViolating,
    /// Still under review.
    PendingReview,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Removed => "removed",
            Outcome::NotViolating => "not_violating",
            Outcome::PendingReview => "pending_review",
        }
    }
}

impl Bank {
    /// A page of the feed for `platform` (logged with the cursor range).
    pub async fn feed(
        &self,
        platform: &Platform,
        after: i64,
        limit: Option<i64>,
    ) -> Result<FeedPage> {
        pull(&self.db, platform.id, after, limit).await
    }

    /// Matches a batch of hashes. A PDQ query is compared only with the
    /// stored hashes whose label [`media::robust::radius`] pairs with its
    /// own, each pair within its radius, or within `radius` when given; MD5
    /// and SHA-256 match exactly. A batch runs on the blocking pool.
    pub async fn match_hashes(
        self: &std::sync::Arc<Self>,
        queries: Vec<Query>,
        radius: Option<u32>,
    ) -> Result<Vec<QueryResult>> {
        self.ensure_ready()?;
        if queries.is_empty() || queries.len() > MAX_MATCH_BATCH {
            return Err(BankError::invalid(
                "invalid_batch",
                format!(
                    "give 1 to {MAX_MATCH_BATCH} hashes per request, not {}",
                    queries.len()
                ),
            ));
        }
        if let Some(radius) = radius.filter(|&r| r > MAX_RADIUS) {
            return Err(BankError::invalid(
                "invalid_radius",
                format!("radius runs from 0 to {MAX_RADIUS}, not {radius}"),
            ));
        }
        let mut checked = Vec::with_capacity(queries.len());
        for (i, q) in queries.into_iter().enumerate() {
            let what = format!("hash {}", i + 1);
            let value = check_hex(q.kind, &q.value, &what)?;
            let label = query_label(q.kind, q.label.as_deref(), &what)?;
            checked.push((
                Query {
                    kind: q.kind,
                    value,
                    label: label.map(|l| l.as_str().to_string()),
                },
                label.unwrap_or(QueryLabel::Plain),
            ));
        }
        let search = move |bank: &Bank, queries: Vec<(Query, QueryLabel)>| {
            queries
                .into_iter()
                .map(|(query, label)| QueryResult {
                    matches: bank.matcher.search(query.kind, &query.value, label, radius),
                    query,
                })
                .collect::<Vec<_>>()
        };
        // One hash is answered at once; a batch goes to the blocking pool.
        if checked.len() == 1 {
            return Ok(search(self, checked));
        }
        let bank = self.clone();
        tokio::task::spawn_blocking(move || search(&bank, checked))
            .await
            .map_err(|e| BankError::Internal(format!("match task: {e}")))
    }

    /// Records a platform's report of a match; returns the report id.
    pub async fn report(&self, platform: &Platform, report: NewReport) -> Result<i64> {
        if !(0..=MAX_DISTANCE).contains(&report.distance) {
            return Err(BankError::invalid(
                "invalid_distance",
                format!("distance runs from 0 to {MAX_DISTANCE}"),
            ));
        }
        let chars = report.content_ref.chars().count();
        if chars == 0 || chars > MAX_CONTENT_REF_LEN {
            return Err(BankError::invalid(
                "invalid_content_ref",
                format!("content_ref has 1 to {MAX_CONTENT_REF_LEN} characters"),
            ));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.insert_report(platform, &report).await {
                Err(e) if is_clash(&e) && attempt < CLASH_RETRIES => continue,
                other => return other,
            }
        }
    }

    async fn insert_report(&self, platform: &Platform, report: &NewReport) -> Result<i64> {
        let mut write = Write::begin(&self.db).await?;
        let status: Option<(String,)> = sqlx::query_as("SELECT status FROM hashes WHERE id = $1")
            .bind(report.hash_id)
            .fetch_optional(write.conn())
            .await?;
        match status {
            Some((s,)) if s != HashStatus::Withdrawn.as_str() => {}
            _ => {
                return Err(BankError::NotFound(format!(
                    "no hash with id {} is in the bank (it may have been withdrawn)",
                    report.hash_id
                )))
            }
        }
        let id = random_id();
        sqlx::query(
            "INSERT INTO reports (id, platform_id, hash_id, distance, content_ref, reported_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(platform.id)
        .bind(report.hash_id)
        .bind(report.distance)
        .bind(&report.content_ref)
        .bind(write.at)
        .execute(write.conn())
        .await?;
        write
            .audit(
                &Actor::Platform(platform.name.clone()),
                "report.create",
                &format!("report:{id}"),
                &format!("hash={} distance={}", report.hash_id, report.distance),
            )
            .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Records the outcome of one of the platform's own reports. When
    /// enough distinct platforms found a hash's matches not violating, the
    /// hash is suspended: off the feed (a deletion entry) and out of
    /// matching, still shown on its case.
    pub async fn set_outcome(
        &self,
        platform: &Platform,
        report_id: i64,
        outcome: Outcome,
    ) -> Result<()> {
        let mut write = Write::begin(&self.db).await?;
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT hash_id FROM reports WHERE id = $1 AND platform_id = $2")
                .bind(report_id)
                .bind(platform.id)
                .fetch_optional(write.conn())
                .await?;
        let Some((hash_id,)) = row else {
            return Err(BankError::NotFound(format!(
                "this platform made no report with id {report_id}"
            )));
        };
        sqlx::query("UPDATE reports SET outcome = $1, outcome_at = $2 WHERE id = $3")
            .bind(outcome.as_str())
            .bind(write.at)
            .bind(report_id)
            .execute(write.conn())
            .await?;
        write
            .audit(
                &Actor::Platform(platform.name.clone()),
                "report.outcome",
                &format!("report:{report_id}"),
                &format!("outcome={}", outcome.as_str()),
            )
            .await?;
        if outcome == Outcome::NotViolating {
            let (platforms,): (i64,) = sqlx::query_as(
                "SELECT COUNT(DISTINCT platform_id) FROM reports \
                 WHERE hash_id = $1 AND outcome = 'not_violating'",
            )
            .bind(hash_id)
            .fetch_one(write.conn())
            .await?;
            let (status,): (String,) = sqlx::query_as("SELECT status FROM hashes WHERE id = $1")
                .bind(hash_id)
                .fetch_one(write.conn())
                .await?;
            if platforms as usize >= self.settings.suspend_after
                && status == HashStatus::Active.as_str()
            {
                sqlx::query("UPDATE hashes SET status = 'suspended' WHERE id = $1")
                    .bind(hash_id)
                    .execute(write.conn())
                    .await?;
                write.feed_delete(vec![hash_id]).await?;
                write
                    .audit(
                        &Actor::System,
                        "hash.suspend",
                        &format!("hash:{hash_id}"),
                        &format!("not_violating_platforms={platforms}"),
                    )
                    .await?;
            }
        }
        let changes = write.commit().await?;
        self.applied(changes).await;
        Ok(())
    }
}
