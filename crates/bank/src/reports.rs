//! What platforms do with the bank: pull the feed, match, report matches
//! and their outcomes; and the suspension of a hash value that several
//! platforms found not violating.
//!
//! A report must name a hash the platform was given — returned to it by
//! the match API (recorded in `match_grants`, one row per platform and
//! value at most, written a second after the match at the latest; until
//! then held in this server's memory) or read by it from the feed (its logged feed reads reach
//! the value's addition) — and carry the platform's own hash of the copy it
//! found, within the radius of the pair of labels (MD5 and SHA-256: equal).
//! One report per platform, value and content reference; outcomes count
//! once per platform.

pub use api::{HashQuery, NewReport, Outcome, QueryResult};
use model::{QueryLabel, VideoHash, VideoRule, CORROBORATION_RADIUS};

use crate::audit::Actor;
use crate::bank::{is_clash, Bank, CLASH_RETRIES};
use crate::error::{BankError, Result};
use crate::feed::{pull, FeedPage};
use crate::hashes::{check_hex, check_video, Kind};
use crate::platforms::Platform;
use crate::secrets::random_id;
use crate::write::Write;

/// Most hashes in one match request.
pub const MAX_MATCH_BATCH: usize = 1000;
/// The match radius of the pairs of labels compared
/// ([`model::radius`]) when the platform does not give one: PDQ's
/// usual threshold.
pub const DEFAULT_RADIUS: u32 = pdq::MATCH_DISTANCE;
/// The largest radius a platform may ask for.
pub const MAX_RADIUS: u32 = 63;
/// Longest content reference a platform may give.
pub const MAX_CONTENT_REF_LEN: usize = 1024;
/// The largest distance a report may give (a PDQ hash has 256 bits).
const MAX_DISTANCE: i64 = 256;
/// Match grants recorded per statement (three parameters each).
const GRANTS_PER_STATEMENT: usize = crate::db::PARAMS_PER_STATEMENT / 3;
/// Most video frame hashes in one match request, over all its video
/// queries, views included: each is one search of the index.
pub const MAX_QUERY_FRAMES: usize = 10_000;

/// How a video query is matched: the default rule, with the shares the
/// platform asked for; a 400 for a share out of range.
pub fn video_rule(query_share: Option<f64>, stored_share: Option<f64>) -> Result<VideoRule> {
    let mut rule = VideoRule::default();
    if let Some(share) = query_share {
        if !(share > 0.0 && share <= 1.0) {
            return Err(BankError::invalid(
                "invalid_share",
                format!("query_share runs from above 0 to 1, not {share}"),
            ));
        }
        rule.query_share = share;
    }
    if let Some(share) = stored_share {
        if !(0.0..=1.0).contains(&share) {
            return Err(BankError::invalid(
                "invalid_share",
                format!("stored_share runs from 0 to 1, not {share}"),
            ));
        }
        rule.stored_share = share;
    }
    Ok(rule)
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
    QueryLabel::all()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Bank {
    /// A page of the feed for `platform` (logged with the cursor range).
    pub async fn feed(
        &self,
        platform: &Platform,
        after: i64,
        limit: Option<i64>,
    ) -> Result<FeedPage> {
        let bank_id = self.bank_id().await?;
        pull(&self.db, &bank_id, platform.id, after, limit).await
    }

    /// Matches a batch of hashes. A PDQ query is compared only with the
    /// stored hashes whose label [`model::radius`] pairs with its
    /// own, each pair within its radius, or within `radius` when given; MD5
    /// and SHA-256 match exactly. A video (vpdq) is matched as vPDQ
    /// matches, under `rule` ([`video_rule`]), and finds the stored pictures
    /// its frames show; a picture finds the stored videos that show it. A
    /// batch runs on the blocking pool.
    pub async fn match_hashes(
        self: &std::sync::Arc<Self>,
        queries: Vec<HashQuery>,
        radius: Option<u32>,
        rule: VideoRule,
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
        let mut frames_left = MAX_QUERY_FRAMES;
        for (i, q) in queries.into_iter().enumerate() {
            let what = format!("hash {}", i + 1);
            let label = query_label(q.kind, q.label.as_deref(), &what)?;
            let (value, video) = if q.kind == Kind::Vpdq {
                let video = check_video(&q.value, frames_left, frames_left, &what).map_err(
                    |e| match e {
                        BankError::Invalid {
                            code: "too_many_frames",
                            ..
                        } => BankError::invalid(
                            "too_many_frames",
                            format!(
                                "{what}: a match request holds at most {MAX_QUERY_FRAMES} video \
                                 frames over all its videos"
                            ),
                        ),
                        other => other,
                    },
                )?;
                frames_left -= video.hash_count();
                (video.to_text(), Some(video))
            } else {
                (check_hex(q.kind, &q.value, &what)?, None)
            };
            checked.push((
                HashQuery {
                    kind: q.kind,
                    value,
                    label: label.map(|l| l.as_str().to_string()),
                },
                label.unwrap_or(QueryLabel::Plain),
                video,
            ));
        }
        let search =
            move |bank: &Bank, queries: Vec<(HashQuery, QueryLabel, Option<VideoHash>)>| {
                queries
                    .into_iter()
                    .map(|(query, label, video)| QueryResult {
                        matches: match video {
                            Some(video) => bank.matcher.search_video(&video, &rule),
                            None => bank.matcher.search(query.kind, &query.value, label, radius),
                        },
                        query,
                    })
                    .collect::<Vec<_>>()
            };
        // One hash is answered at once; a batch or a video goes to the
        // blocking pool.
        if checked.len() == 1 && checked[0].2.is_none() {
            return Ok(search(self, checked));
        }
        let bank = self.clone();
        tokio::task::spawn_blocking(move || search(&bank, checked))
            .await
            .map_err(|e| BankError::Internal(format!("match task: {e}")))
    }

    /// [`Bank::match_hashes`] for `platform`, recording which hash ids it
    /// was given (one row per platform and value, whatever it asks), so
    /// that it may report them.
    pub async fn match_for(
        self: &std::sync::Arc<Self>,
        platform: &Platform,
        queries: Vec<HashQuery>,
        radius: Option<u32>,
        rule: VideoRule,
    ) -> Result<Vec<QueryResult>> {
        let results = self.match_hashes(queries, radius, rule).await?;
        let mut ids: Vec<i64> = results
            .iter()
            .flat_map(|r| r.matches.iter().map(|m| m.hash_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if !ids.is_empty() {
            self.grant(platform.id, &ids).await?;
        }
        Ok(results)
    }

    /// Records that `platform_id` was given hash ids `ids`: at once in
    /// memory, in the database with the next [`Bank::flush_grants`] (the
    /// server's background loop, every second), so that a match is never
    /// held up by a commit.
    async fn grant(&self, platform_id: i64, ids: &[i64]) -> Result<()> {
        if self.grants.add(platform_id, ids, crate::clock::now_ms()) {
            self.flush_grants().await?;
        }
        Ok(())
    }

    /// Writes the grants recorded in memory since the last call.
    pub(crate) async fn flush_grants(&self) -> Result<()> {
        let pending = self.grants.pending();
        if pending.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.pool.begin().await?;
        for chunk in pending.chunks(GRANTS_PER_STATEMENT) {
            let rows = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            // Grants of values withdrawn since they were matched are left
            // out: a grant needs its value.
            let sql = format!(
                "INSERT INTO match_grants (platform_id, hash_id, at) \
                 SELECT g.column1, g.column2, g.column3 FROM (VALUES {rows}) AS g \
                 WHERE EXISTS (SELECT 1 FROM hash_values v WHERE v.id = g.column2) \
                 ON CONFLICT (platform_id, hash_id) DO NOTHING"
            );
            let mut query = sqlx::query::<sqlx::Any>(&sql);
            for &(platform_id, id, at) in chunk {
                query = query.bind(platform_id).bind(id).bind(at);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.grants.written(&pending);
        Ok(())
    }

    /// Records a platform's report of a match; returns the report id.
    ///
    /// 404 when the hash id was not given to this platform (by the match
    /// API or the feed) or no longer exists; 400 when the platform's hash
    /// is not of the stored hash's kind or lies beyond the radius of the
    /// pair of labels; 409 when this platform already reported this
    /// content for this hash.
    pub async fn report(&self, platform: &Platform, report: NewReport) -> Result<i64> {
        platform.must_be_platform()?;
        if let Some(d) = report.distance.filter(|d| !(0..=MAX_DISTANCE).contains(d)) {
            return Err(BankError::invalid(
                "invalid_distance",
                format!("distance runs from 0 to {MAX_DISTANCE}, not {d}"),
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

    /// Whether the key `platform_id` was given the value `id`, by the
    /// match API (held or written grants) or by a feed page it read.
    pub(crate) async fn granted(
        &self,
        write: &mut Write,
        platform_id: i64,
        id: i64,
    ) -> Result<bool> {
        Ok(self.grants.holds(platform_id, id) || given(write, platform_id, id).await?)
    }

    async fn insert_report(&self, platform: &Platform, report: &NewReport) -> Result<i64> {
        let mut write = Write::begin(&self.db).await?;
        let stored = crate::values::for_report(&mut write, report.hash_id).await?;
        if !self
            .granted(&mut write, platform.id, report.hash_id)
            .await?
        {
            return Err(crate::values::not_given(report.hash_id));
        }
        let (distance, label) = evidence(&stored, report)?;
        let earlier: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM reports WHERE platform_id = $1 AND hash_id = $2 AND content_ref = $3",
        )
        .bind(platform.id)
        .bind(report.hash_id)
        .bind(&report.content_ref)
        .fetch_optional(write.conn())
        .await?;
        if let Some((earlier,)) = earlier {
            return Err(BankError::AlreadyReported {
                hash_id: report.hash_id,
                report_id: earlier,
            });
        }
        let id = random_id();
        sqlx::query(
            "INSERT INTO reports (id, platform_id, hash_id, distance, content_ref, value, label, \
             reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(platform.id)
        .bind(report.hash_id)
        .bind(i64::from(distance))
        .bind(&report.content_ref)
        .bind(report.value.to_ascii_lowercase())
        .bind(label.map(|l| l.as_str()))
        .bind(write.at)
        .execute(write.conn())
        .await?;
        crate::exchanges::forward_report(
            &mut write,
            id,
            report.hash_id,
            &platform.name,
            &report.value.to_ascii_lowercase(),
            label.map(|l| l.as_str()),
            &report.content_ref,
        )
        .await?;
        write
            .audit(
                &Actor::Platform(platform.name.clone()),
                "report.create",
                &format!("report:{id}"),
                &format!("hash={} distance={distance}", report.hash_id),
            )
            .await?;
        write.commit().await?;
        Ok(id)
    }

    /// Records the outcome of one of the platform's own reports. When
    /// enough distinct platforms found a hash value's matches not
    /// violating, the value is suspended: off the feed (a deletion entry)
    /// and out of matching, in every case that holds it or files it again,
    /// still shown on those cases.
    ///
    /// What the outcome says for a statement of reasons (how automated,
    /// picture or video, countries, days) is checked and kept with it, in
    /// place of what an earlier outcome said.
    pub async fn set_outcome(
        &self,
        platform: &Platform,
        report_id: i64,
        request: &api::OutcomeRequest,
    ) -> Result<()> {
        platform.must_be_platform()?;
        let outcome = request.outcome;
        let facts = crate::statements::check_outcome_facts(request)?;
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
        sqlx::query(
            "UPDATE reports SET outcome = $1, outcome_at = $2, automated_decision = $3, \
             content_type = $4, territorial_scope = $5, content_date = $6, end_date = $7 \
             WHERE id = $8",
        )
        .bind(outcome.as_str())
        .bind(write.at)
        .bind(facts.automated_decision)
        .bind(facts.content_type)
        .bind(facts.territorial_scope)
        .bind(facts.content_date)
        .bind(facts.end_date)
        .bind(report_id)
        .execute(write.conn())
        .await?;
        crate::exchanges::forward_outcome(&mut write, report_id, outcome.as_str()).await?;
        write
            .audit(
                &Actor::Platform(platform.name.clone()),
                "report.outcome",
                &format!("report:{report_id}"),
                &format!("outcome={}", outcome.as_str()),
            )
            .await?;
        if outcome == Outcome::NotViolating {
            // Each platform counts once, however many of its reports on
            // this value it found not violating.
            let (platforms,): (i64,) = sqlx::query_as(
                "SELECT COUNT(DISTINCT platform_id) FROM reports \
                 WHERE hash_id = $1 AND outcome = 'not_violating'",
            )
            .bind(hash_id)
            .fetch_one(write.conn())
            .await?;
            if platforms as usize >= self.settings.suspend_after
                && crate::values::suspend(&mut write, hash_id).await?
            {
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

/// Most grants held in memory before they are written at once.
const MAX_PENDING_GRANTS: usize = 100_000;

/// Grants of the match API not yet in the database, and whether each is.
#[derive(Default)]
pub(crate) struct Grants {
    pending: std::sync::Mutex<std::collections::HashMap<(i64, i64), i64>>,
}

impl Grants {
    /// Whether `platform_id` was given `id` and it is not written yet.
    fn holds(&self, platform_id: i64, id: i64) -> bool {
        self.lock().contains_key(&(platform_id, id))
    }

    /// Records `ids` as given to `platform_id` at `at`; true when so many
    /// are held that they should be written now.
    fn add(&self, platform_id: i64, ids: &[i64], at: i64) -> bool {
        let mut pending = self.lock();
        for &id in ids {
            pending.entry((platform_id, id)).or_insert(at);
        }
        pending.len() >= MAX_PENDING_GRANTS
    }

    /// Every grant held, to be written. They stay held until
    /// [`Grants::written`], so a report checked while they are being
    /// written still finds them here or in the table.
    fn pending(&self) -> Vec<(i64, i64, i64)> {
        self.lock()
            .iter()
            .map(|(&(platform_id, id), &at)| (platform_id, id, at))
            .collect()
    }

    /// Lets go of grants now in the table.
    fn written(&self, grants: &[(i64, i64, i64)]) {
        let mut pending = self.lock();
        for &(platform_id, id, at) in grants {
            if pending.get(&(platform_id, id)) == Some(&at) {
                pending.remove(&(platform_id, id));
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<(i64, i64), i64>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether hash id `id` was given to `platform_id`: returned by the match
/// API, or on the feed at a cursor one of its logged feed reads reached.
async fn given(write: &mut Write, platform_id: i64, id: i64) -> Result<bool> {
    let (granted,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM match_grants WHERE platform_id = $1 AND hash_id = $2")
            .bind(platform_id)
            .bind(id)
            .fetch_one(write.conn())
            .await?;
    if granted > 0 {
        return Ok(true);
    }
    let (read,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM feed f WHERE f.op = 'add' AND f.hash_id = $2 AND EXISTS ( \
             SELECT 1 FROM feed_reads r WHERE r.platform_id = $1 \
             AND r.from_cursor < f.public_cursor AND r.to_cursor >= f.public_cursor)",
    )
    .bind(platform_id)
    .bind(id)
    .fetch_one(write.conn())
    .await?;
    Ok(read > 0)
}

/// The distance between the platform's hash and the stored one, and the
/// platform hash's label; a 400 unless it is a match: MD5 and SHA-256
/// equal, PDQ within the radius of the pair of labels
/// ([`model::radius`]), or within [`CORROBORATION_RADIUS`] for the
/// pairs a corroborated match is made of ([`model::corroborates`]).
fn evidence(
    stored: &crate::values::ReportedValue,
    report: &NewReport,
) -> Result<(u32, Option<QueryLabel>)> {
    let what = "value";
    if stored.kind == Kind::Vpdq {
        return video_evidence(stored, report);
    }
    let value = check_hex(stored.kind, &report.value, what).map_err(|e| {
        BankError::invalid(
            "invalid_value",
            format!(
                "{e} (value is the platform's own {} hash of the copy it found)",
                stored.kind
            ),
        )
    })?;
    let label = query_label(stored.kind, report.label.as_deref(), what)?;
    if stored.kind != Kind::Pdq {
        if value != stored.value {
            return Err(BankError::invalid(
                "not_a_match",
                format!(
                    "a {} hash matches only when equal; this value is not the stored one",
                    stored.kind
                ),
            ));
        }
        return Ok((0, None));
    }
    let query = label.unwrap_or(QueryLabel::Plain);
    let bank = model::stored_label(stored.label);
    let distance = match (
        pdq::Hash256::from_hex(&value),
        pdq::Hash256::from_hex(&stored.value),
    ) {
        (Ok(a), Ok(b)) => a.distance(&b),
        _ => {
            return Err(BankError::Internal(
                "a stored pdq hash that is not hex".into(),
            ))
        }
    };
    let Some(pair) = model::radius(query, bank) else {
        return Err(BankError::invalid(
            "not_a_match",
            format!("a {query} hash is never compared with a stored {bank} hash"),
        ));
    };
    let reach = if model::corroborates(query, bank) {
        pair.max(CORROBORATION_RADIUS)
    } else {
        pair
    };
    if distance > reach {
        return Err(BankError::invalid(
            "not_a_match",
            format!(
                "this value is {distance} bits from the stored hash; a {query} hash matches a \
                 stored {bank} hash within {reach}"
            ),
        ));
    }
    Ok((distance, label))
}

/// [`evidence`] for a stored video: the platform's own hash of its copy is
/// a video (vpdq text) that matches the stored one by the default rule, or
/// the PDQ hash of a picture or frame within [`pdq::MATCH_DISTANCE`] of a
/// stored frame of quality 50 or more. The distance is that of the nearest
/// pair of frames.
fn video_evidence(
    stored: &crate::values::ReportedValue,
    report: &NewReport,
) -> Result<(u32, Option<QueryLabel>)> {
    let Ok(video) = VideoHash::from_text(&stored.value) else {
        return Err(BankError::Internal(
            "a stored vpdq hash that does not read".into(),
        ));
    };
    if report.label.is_some() {
        return Err(BankError::invalid(
            "invalid_label",
            "a report on a video has no label",
        ));
    }
    let rule = VideoRule::default();
    let nearest = |hash: &pdq::Hash256| {
        video
            .frames
            .iter()
            .filter(|f| f.quality >= rule.min_quality)
            .map(|f| f.hash.distance(hash))
            .min()
    };
    if let Ok(frame) = pdq::Hash256::from_hex(&report.value) {
        return match nearest(&frame) {
            Some(d) if d <= rule.radius => Ok((d, None)),
            _ => Err(BankError::invalid(
                "not_a_match",
                format!(
                    "this pdq hash is not within {} bits of any frame of the stored video",
                    rule.radius
                ),
            )),
        };
    }
    let copy =
        check_video(&report.value, MAX_QUERY_FRAMES, MAX_QUERY_FRAMES, "value").map_err(|e| {
            BankError::invalid(
                "invalid_value",
                format!(
                    "{e} (value is the platform's own vpdq hash of the copy it found, or the pdq \
                 hash of one of its frames)"
                ),
            )
        })?;
    let shares = model::compare_videos(&copy, &video, &rule);
    if !rule.is_match(shares) {
        return Err(BankError::invalid(
            "not_a_match",
            format!(
                "{:.0}% of this video's frames are in the stored video; a match needs {:.0}%",
                shares.query * 100.0,
                rule.query_share * 100.0
            ),
        ));
    }
    let distance = copy
        .comparable(rule.min_quality)
        .iter()
        .filter_map(|f| nearest(&f.hash))
        .min()
        .unwrap_or(0);
    Ok((distance, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{test_bank, Settings};
    use crate::cases::NewCase;
    use crate::hashes::{NewHash, Role};

    const STORED: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

    /// A grant is let go from memory only once it is in the table, and
    /// only as it was written: one granted again meanwhile stays.
    #[test]
    fn grants_stay_held_until_written() {
        let grants = Grants::default();
        grants.add(1, &[10, 11], 100);
        let writing = grants.pending();
        assert_eq!(writing.len(), 2);
        // While they are being written, a report still finds them.
        assert!(grants.holds(1, 10) && grants.holds(1, 11));
        grants.add(2, &[10], 200);
        grants.written(&writing);
        assert!(!grants.holds(1, 10) && !grants.holds(1, 11));
        assert!(grants.holds(2, 10));
    }

    async fn grants_written(bank: &Bank) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM match_grants")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        n
    }

    #[tokio::test]
    async fn grants_are_written_later_and_never_for_a_withdrawn_value() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let key = bank.add_platform("photos").await.unwrap();
        let platform = bank.authenticate(&key).await.unwrap();
        let case = bank
            .create_case(NewCase {
                hashes: vec![NewHash {
                    kind: Kind::Pdq,
                    value: STORED.into(),
                    quality: Some(100),
                    role: Role::Plain,
                    label: None,
                }],
                category: None,
            })
            .await
            .unwrap();
        let query = || {
            vec![HashQuery {
                kind: Kind::Pdq,
                value: STORED.into(),
                label: None,
            }]
        };

        // The match is answered before its grant is written; a report may
        // follow at once all the same.
        let found = bank
            .match_for(&platform, query(), None, VideoRule::default())
            .await
            .unwrap();
        let id = found[0].matches[0].hash_id;
        assert!(bank.grants.holds(platform.id, id));
        assert_eq!(grants_written(&bank).await, 0);
        bank.flush_grants().await.unwrap();
        assert!(!bank.grants.holds(platform.id, id));
        assert_eq!(grants_written(&bank).await, 1);

        // Matched again, then withdrawn before the grant is written: the
        // write leaves it out, and the earlier grant went with the value.
        bank.match_for(&platform, query(), None, VideoRule::default())
            .await
            .unwrap();
        assert!(bank.grants.holds(platform.id, id));
        bank.withdraw_case(&case.case_number, &case.pin)
            .await
            .unwrap();
        bank.flush_grants().await.unwrap();
        assert_eq!(grants_written(&bank).await, 0);
    }
}
