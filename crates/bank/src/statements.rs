//! Statements of reasons for platforms' removals (EU Digital Services Act,
//! Art. 17 and 24(5)): a platform's settings for all its statements, the
//! facts only it knows given with each outcome, and the draft of one
//! report's statement in the Transparency Database's fields. A draft holds
//! nothing of the victim: no case number, no hash value, nothing a case
//! says about her.

use api::{
    AutomatedDecision, CategorySpecification, ContentType, DecisionGround, Outcome, OutcomeRequest,
    SourceType, Statement, StatementCategory, StatementSettings, YesNo, MAX_EXPLANATION_CHARS,
    MAX_GROUND_CHARS,
};
use sha2::{Digest, Sha256};

use crate::audit::Actor;
use crate::bank::Bank;
use crate::clock::{day, is_day};
use crate::error::{BankError, Result};
use crate::platforms::Platform;
use crate::write::Write;

/// The countries a restriction may name: the European Economic Area.
const EEA: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];
/// The days the database takes: content posted from, restrictions up to.
const FIRST_CONTENT_DAY: &str = "2000-01-01";
const LAST_DAY: &str = "2038-01-01";
/// Longest `puid` the database takes.
const MAX_PUID: usize = 500;

/// The facts an outcome gives for its statement, checked, as stored.
#[derive(Debug, Default)]
pub(crate) struct OutcomeFacts {
    pub automated_decision: Option<&'static str>,
    pub content_type: Option<&'static str>,
    pub territorial_scope: Option<String>,
    pub content_date: Option<String>,
    pub end_date: Option<String>,
}

/// Checks what an outcome says for its statement: EEA country codes, real
/// days within the database's range.
pub(crate) fn check_outcome_facts(request: &OutcomeRequest) -> Result<OutcomeFacts> {
    let mut countries: Vec<&str> = Vec::new();
    for code in &request.territorial_scope {
        if !EEA.contains(&code.as_str()) {
            return Err(BankError::invalid(
                "invalid_territorial_scope",
                format!(
                    "territorial_scope: {code:?} is not the two capital letters of a country of \
                     the European Economic Area"
                ),
            ));
        }
        if !countries.contains(&code.as_str()) {
            countries.push(code);
        }
    }
    let day_in = |field: &str, text: &Option<String>, first: &str| -> Result<Option<String>> {
        let Some(text) = text else { return Ok(None) };
        if !is_day(text) || text.as_str() < first || text.as_str() > LAST_DAY {
            return Err(BankError::invalid(
                "invalid_date",
                format!("{field}: give a day written YYYY-MM-DD, from {first} to {LAST_DAY}"),
            ));
        }
        Ok(Some(text.clone()))
    };
    Ok(OutcomeFacts {
        automated_decision: request.automated_decision.map(|a| a.as_str()),
        content_type: request.content_type.map(|c| c.as_str()),
        territorial_scope: (!countries.is_empty()).then(|| countries.join(",")),
        content_date: day_in("content_date", &request.content_date, FIRST_CONTENT_DAY)?,
        end_date: day_in("end_date", &request.end_date, FIRST_CONTENT_DAY)?,
    })
}

/// Checks a platform's settings: a ground and an explanation within the
/// database's lengths, an http(s) reference URL, no control characters.
fn check_settings(settings: &StatementSettings) -> Result<()> {
    let text = |field: &str, value: &str, max: usize| -> Result<()> {
        if value.trim().is_empty() || value.chars().count() > max {
            return Err(BankError::invalid(
                "invalid_statement_settings",
                format!("{field}: give 1 to {max} characters"),
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\n') {
            return Err(BankError::invalid(
                "invalid_statement_settings",
                format!("{field}: no control characters but line breaks"),
            ));
        }
        Ok(())
    };
    text("ground", &settings.ground, MAX_GROUND_CHARS)?;
    text("explanation", &settings.explanation, MAX_EXPLANATION_CHARS)?;
    if let Some(url) = &settings.reference_url {
        text("reference_url", url, MAX_GROUND_CHARS)?;
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || url.contains(char::is_whitespace) {
            return Err(BankError::invalid(
                "invalid_statement_settings",
                "reference_url: give an http(s):// address without spaces",
            ));
        }
    }
    Ok(())
}

/// The `puid` of a report: its content reference when the database takes
/// it as it is (`[A-Za-z0-9_-]`, at most 500), else `ref-` and the first
/// 128 bits of its SHA-256 in hex, which the platform can compute from its
/// own reference and which says nothing of a path or an address.
pub fn puid_of(content_ref: &str) -> String {
    let plain = !content_ref.is_empty()
        && content_ref.len() <= MAX_PUID
        && content_ref
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        return content_ref.to_string();
    }
    let digest = Sha256::digest(content_ref.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("ref-{hex}")
}

/// What a report's row gives its statement.
type ReportRow = (
    i64,            // distance
    String,         // content_ref
    Option<String>, // outcome
    i64,            // reported_at
    Option<i64>,    // outcome_at
    Option<String>, // automated_decision
    Option<String>, // content_type
    Option<String>, // territorial_scope
    Option<String>, // content_date
    Option<String>, // end_date
    String,         // the value's kind
    Option<String>, // the value's category
);

impl Bank {
    /// Sets `platform`'s settings for the statements of its removals.
    pub async fn set_statement_settings(
        &self,
        platform: &Platform,
        settings: &StatementSettings,
    ) -> Result<()> {
        platform.must_be_platform()?;
        check_settings(settings)?;
        let json = serde_json::to_string(settings)
            .map_err(|e| BankError::Internal(format!("statement settings: {e}")))?;
        let mut write = Write::begin(&self.db).await?;
        sqlx::query("UPDATE platforms SET statement_settings = $1 WHERE id = $2")
            .bind(json)
            .bind(platform.id)
            .execute(write.conn())
            .await?;
        write
            .audit(
                &Actor::Platform(platform.name.clone()),
                "platform.statement_settings",
                &format!("platform:{}", platform.id),
                &format!("ground={}", settings.decision_ground.as_str()),
            )
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// `platform`'s settings for its statements, if it gave them.
    pub async fn statement_settings(
        &self,
        platform: &Platform,
    ) -> Result<Option<StatementSettings>> {
        platform.must_be_platform()?;
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT statement_settings FROM platforms WHERE id = $1")
                .bind(platform.id)
                .fetch_optional(&self.db.pool)
                .await?;
        match row.and_then(|(json,)| json) {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| BankError::Internal(format!("stored statement settings: {e}"))),
        }
    }

    /// The draft statement of reasons of `platform`'s report `report_id`,
    /// removed: 404 for no such report of this platform (or one whose hash
    /// was withdrawn since, which erased its reports), 409 while the
    /// report is not removed or a fact is missing (the platform's
    /// settings, how automated the decision was, picture or video for a
    /// file hash).
    pub async fn statement(&self, platform: &Platform, report_id: i64) -> Result<Statement> {
        platform.must_be_platform()?;
        let row: Option<ReportRow> = sqlx::query_as(
            "SELECT r.distance, r.content_ref, r.outcome, r.reported_at, r.outcome_at, \
             r.automated_decision, r.content_type, r.territorial_scope, r.content_date, \
             r.end_date, v.kind, v.category \
             FROM reports r JOIN hash_values v ON v.id = r.hash_id \
             WHERE r.id = $1 AND r.platform_id = $2",
        )
        .bind(report_id)
        .bind(platform.id)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some((
            distance,
            content_ref,
            outcome,
            reported_at,
            outcome_at,
            automated,
            content_type,
            scope,
            content_date,
            end_date,
            kind,
            category,
        )) = row
        else {
            return Err(BankError::NotFound(format!(
                "this platform has no report with id {report_id} (a withdrawn case's reports \
                 are erased with it)"
            )));
        };
        let (Some(Outcome::Removed), Some(outcome_at)) = (
            outcome.as_deref().and_then(|o| o.parse::<Outcome>().ok()),
            outcome_at,
        ) else {
            return Err(BankError::Conflict(format!(
                "report {report_id} has no removal as its outcome: a statement of reasons is \
                 drafted for removed content only"
            )));
        };
        let Some(settings) = self.statement_settings(platform).await? else {
            return Err(BankError::Conflict(
                "this platform has not given its statement settings (PUT \
                 /v1/statement-settings): the ground and the explanation of its removals"
                    .into(),
            ));
        };
        let Some(automated) = automated.and_then(|a| a.parse::<AutomatedDecision>().ok()) else {
            return Err(BankError::Conflict(format!(
                "report {report_id}: its outcome does not say how automated the decision was \
                 (automated_decision); give the outcome again with it"
            )));
        };
        let kind: model::Kind = kind
            .parse()
            .map_err(|e| BankError::Internal(format!("stored kind: {e}")))?;
        let content_type = match (
            content_type.and_then(|c| c.parse::<ContentType>().ok()),
            kind,
        ) {
            (Some(given), _) => given,
            (None, model::Kind::Pdq) => ContentType::Image,
            (None, model::Kind::Vpdq) => ContentType::Video,
            (None, model::Kind::Md5 | model::Kind::Sha256) => {
                return Err(BankError::Conflict(format!(
                    "report {report_id} matched a file's {} hash, which may be of a picture or \
                     a video: give the outcome again with its content_type",
                    kind.as_str()
                )))
            }
        };
        let illegal = settings.decision_ground == DecisionGround::IllegalContent;
        let minor = category.as_deref() == Some("minor");
        Ok(Statement {
            decision_visibility: vec![settings.decision_visibility],
            decision_ground: settings.decision_ground,
            illegal_content_legal_ground: illegal.then(|| settings.ground.clone()),
            illegal_content_explanation: illegal.then(|| settings.explanation.clone()),
            incompatible_content_ground: (!illegal).then(|| settings.ground.clone()),
            incompatible_content_explanation: (!illegal).then(|| settings.explanation.clone()),
            decision_ground_reference_url: settings.reference_url,
            content_type: vec![content_type],
            category: StatementCategory::CyberViolence,
            category_addition: if minor {
                vec![StatementCategory::ProtectionOfMinors]
            } else {
                Vec::new()
            },
            category_specification: vec![CategorySpecification::NonConsensualImageSharing],
            territorial_scope: scope
                .map(|s| s.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
            content_date: content_date.unwrap_or_else(|| day(reported_at)),
            application_date: day(outcome_at),
            end_date_visibility_restriction: end_date,
            decision_facts: facts(kind, distance, &self.bank_id().await?, automated),
            source_type: SourceType::Voluntary,
            automated_detection: YesNo::Yes,
            automated_decision: automated,
            puid: puid_of(&content_ref),
        })
    }
}

/// The decision's facts in words: how the copy was found and decided,
/// nothing about the person.
fn facts(kind: model::Kind, distance: i64, bank_id: &str, automated: AutomatedDecision) -> String {
    let how = match kind {
        model::Kind::Pdq => format!(
            "its PDQ hash (a perceptual hash of a picture) was {distance} of 256 bits from the \
             bank's"
        ),
        model::Kind::Vpdq => format!(
            "a frame's PDQ hash (a perceptual hash of a picture) was {distance} of 256 bits from \
             a frame of the bank's video hash"
        ),
        model::Kind::Md5 => "its MD5 hash was equal to the bank's: the same file".to_string(),
        model::Kind::Sha256 => {
            "its SHA-256 hash was equal to the bank's: the same file".to_string()
        }
    };
    let review = match automated {
        AutomatedDecision::Fully => {
            "The content was removed on the match, without review by a person."
        }
        AutomatedDecision::Partially => {
            "A person reviewed the match and confirmed it before the content was removed."
        }
        AutomatedDecision::NotAutomated => {
            "A person reviewed the content and decided to remove it."
        }
    };
    format!(
        "The platform's own hash matching found that the content matched a hash in a hashbank \
         bank (id {bank_id}) of intimate images that a person depicted in them reported as shared \
         without consent: {how}. {review}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_reference_the_database_refuses_becomes_a_digest() {
        assert_eq!(puid_of("post-123_a"), "post-123_a");
        let path = puid_of("uploads/jane/IMG_1.jpg");
        assert!(path.starts_with("ref-") && path.len() == 36, "{path}");
        assert_eq!(
            path,
            puid_of("uploads/jane/IMG_1.jpg"),
            "the same each time"
        );
        assert_ne!(path, puid_of("uploads/jane/IMG_2.jpg"));
        assert!(puid_of(&"a".repeat(501)).starts_with("ref-"));
        assert!(puid_of("").starts_with("ref-"));
    }

    #[test]
    fn outcome_facts_are_checked() {
        let mut request = OutcomeRequest::new(Outcome::Removed);
        request.territorial_scope = vec!["BE".into(), "NL".into(), "BE".into()];
        request.content_date = Some("2024-02-29".into());
        let facts = check_outcome_facts(&request).unwrap();
        assert_eq!(facts.territorial_scope.as_deref(), Some("BE,NL"));
        for bad in [
            ("scope", vec!["US".to_string()], None, None),
            ("scope", vec!["be".to_string()], None, None),
            ("content", vec![], Some("1999-12-31"), None),
            ("content", vec![], Some("2025-02-30"), None),
            ("end", vec![], None, Some("2038-01-02")),
        ] {
            let mut request = OutcomeRequest::new(Outcome::Removed);
            request.territorial_scope = bad.1.clone();
            request.content_date = bad.2.map(str::to_string);
            request.end_date = bad.3.map(str::to_string);
            assert!(check_outcome_facts(&request).is_err(), "{bad:?}");
        }
    }
}
