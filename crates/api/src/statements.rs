//! A draft statement of reasons (`GET /v1/reports/{id}/statement`): what a
//! platform that removed a matched copy sends the uploader (EU Digital
//! Services Act, Art. 17) and the Commission's Transparency Database
//! (Art. 24(5)), in that database's API fields and words. The bank fills
//! what it knows from the report, its outcome and the platform's settings;
//! the platform sends it on itself.

use serde::{Deserialize, Serialize};

/// What the decision did to the content's visibility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DecisionVisibility {
    /// Removed.
    #[serde(rename = "DECISION_VISIBILITY_CONTENT_REMOVED")]
    ContentRemoved,
    /// Access disabled.
    #[serde(rename = "DECISION_VISIBILITY_CONTENT_DISABLED")]
    ContentDisabled,
}

words!(DecisionVisibility, "decision visibility", {
    ContentRemoved => "DECISION_VISIBILITY_CONTENT_REMOVED",
    ContentDisabled => "DECISION_VISIBILITY_CONTENT_DISABLED",
});

/// Why: the law, or the platform's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DecisionGround {
    /// Illegal content (with the legal ground and an explanation).
    #[serde(rename = "DECISION_GROUND_ILLEGAL_CONTENT")]
    IllegalContent,
    /// Incompatible with the platform's terms (with the clause and an
    /// explanation).
    #[serde(rename = "DECISION_GROUND_INCOMPATIBLE_CONTENT")]
    IncompatibleContent,
}

words!(DecisionGround, "decision ground", {
    IllegalContent => "DECISION_GROUND_ILLEGAL_CONTENT",
    IncompatibleContent => "DECISION_GROUND_INCOMPATIBLE_CONTENT",
});

/// What kind of content it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContentType {
    /// A picture.
    #[serde(rename = "CONTENT_TYPE_IMAGE")]
    Image,
    /// A video.
    #[serde(rename = "CONTENT_TYPE_VIDEO")]
    Video,
}

words!(ContentType, "content type", {
    Image => "CONTENT_TYPE_IMAGE",
    Video => "CONTENT_TYPE_VIDEO",
});

/// The statement's category (and added categories).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StatementCategory {
    /// Cyber violence: what every case of this bank is.
    #[serde(rename = "STATEMENT_CATEGORY_CYBER_VIOLENCE")]
    CyberViolence,
    /// Added for a hash of a minor case.
    #[serde(rename = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS")]
    ProtectionOfMinors,
}

words!(StatementCategory, "statement category", {
    CyberViolence => "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    ProtectionOfMinors => "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
});

/// The category's keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CategorySpecification {
    /// Intimate images shared without consent.
    #[serde(rename = "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING")]
    NonConsensualImageSharing,
}

words!(CategorySpecification, "category specification", {
    NonConsensualImageSharing => "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
});

/// How the decision was made, as the platform states in its outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AutomatedDecision {
    /// No person took part.
    #[serde(rename = "AUTOMATED_DECISION_FULLY")]
    Fully,
    /// A person confirmed what the match proposed.
    #[serde(rename = "AUTOMATED_DECISION_PARTIALLY")]
    Partially,
    /// A person decided.
    #[serde(rename = "AUTOMATED_DECISION_NOT_AUTOMATED")]
    NotAutomated,
}

words!(AutomatedDecision, "automated decision", {
    Fully => "AUTOMATED_DECISION_FULLY",
    Partially => "AUTOMATED_DECISION_PARTIALLY",
    NotAutomated => "AUTOMATED_DECISION_NOT_AUTOMATED",
});

/// Where the decision came from: a platform's own hash matching is
/// voluntary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SourceType {
    /// The platform's own initiative.
    #[serde(rename = "SOURCE_VOLUNTARY")]
    Voluntary,
}

words!(SourceType, "source type", {
    Voluntary => "SOURCE_VOLUNTARY",
});

/// The database's yes and no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
}

words!(YesNo, "yes or no", {
    Yes => "Yes",
    No => "No",
});

/// Most characters of a legal ground, a terms clause or a reference URL.
pub const MAX_GROUND_CHARS: usize = 500;
/// Most characters of an explanation.
pub const MAX_EXPLANATION_CHARS: usize = 2000;

/// What a platform says once for the statements of all its removals
/// (`PUT /v1/statement-settings`): on which ground it removes matched
/// copies, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatementSettings {
    /// Removed (the default) or access disabled.
    #[serde(default = "removed")]
    pub decision_visibility: DecisionVisibility,
    /// Illegal content, or incompatible with the platform's terms.
    pub decision_ground: DecisionGround,
    /// Illegal content: the law relied on (e.g. the national article on
    /// sharing intimate images without consent). Incompatible content: the
    /// clause of the terms. At most 500 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 500, min_length = 1))]
    pub ground: String,
    /// Why the content is illegal or incompatible. At most 2,000
    /// characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000, min_length = 1))]
    pub explanation: String,
    /// Where the law or the clause is published (`https://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub reference_url: Option<String>,
}

fn removed() -> DecisionVisibility {
    DecisionVisibility::ContentRemoved
}

/// A draft statement of reasons, in the Transparency Database API's fields.
/// It holds no personal data: no case number, no hash value, nothing of the
/// victim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statement {
    /// What was done to the content.
    pub decision_visibility: Vec<DecisionVisibility>,
    /// Law or terms.
    pub decision_ground: DecisionGround,
    /// With illegal content: the law relied on (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illegal_content_legal_ground: Option<String>,
    /// With illegal content: why it is illegal (at most 2,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illegal_content_explanation: Option<String>,
    /// With incompatible content: the terms' clause (at most 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_ground: Option<String>,
    /// With incompatible content: why (at most 2,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_explanation: Option<String>,
    /// Where the clause or the law is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_ground_reference_url: Option<String>,
    /// Picture or video.
    pub content_type: Vec<ContentType>,
    /// Cyber violence.
    pub category: StatementCategory,
    /// Protection of minors, for a hash of a minor case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_addition: Vec<StatementCategory>,
    /// Non-consensual image sharing.
    pub category_specification: Vec<CategorySpecification>,
    /// Where the restriction applies (EEA country codes), as the platform
    /// states in its outcome; everywhere when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub territorial_scope: Vec<String>,
    /// When the content was posted (`YYYY-MM-DD`), as the platform states;
    /// else the day it was reported.
    pub content_date: String,
    /// When the restriction started (`YYYY-MM-DD`): the outcome's day.
    pub application_date: String,
    /// When the restriction ends (`YYYY-MM-DD`), as the platform states;
    /// none for a permanent removal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_visibility_restriction: Option<String>,
    /// The facts: the kind of hash, the distance, the bank, the review.
    pub decision_facts: String,
    /// The platform's own matching.
    pub source_type: SourceType,
    /// A hash match is automated detection.
    pub automated_detection: YesNo,
    /// As the platform states in its outcome.
    pub automated_decision: AutomatedDecision,
    /// The platform's unique id of the decision: its content reference.
    pub puid: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are the ones serde writes, which are the database's.
    #[test]
    fn the_words_are_the_databases() {
        fn check<T: Serialize + Copy + std::fmt::Display>(all: &[T]) {
            for &v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), v.to_string());
            }
        }
        check(DecisionVisibility::ALL);
        check(DecisionGround::ALL);
        check(ContentType::ALL);
        check(StatementCategory::ALL);
        check(CategorySpecification::ALL);
        check(AutomatedDecision::ALL);
        check(SourceType::ALL);
        check(YesNo::ALL);
    }
}
