//! The OpenAPI schemas of the API's types (with the `openapi` feature):
//! those of `model`'s words ([`Kind`], [`Role`], [`Category`] and the
//! label names), made from `model`'s own lists, and [`Schemas`], every
//! schema of the API, which the server's OpenAPI document includes and the
//! page's TypeScript types are made from.

use std::borrow::Cow;

use model::{BankLabel, Category, Kind, QueryLabel, Role};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A string schema of `words`, with `description`.
fn words<'a>(
    words: impl IntoIterator<Item = &'a str>,
    default: Option<&str>,
    description: &str,
) -> RefOr<Schema> {
    let words: Vec<&str> = words.into_iter().collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words))
        .default(default.map(Into::into))
        .description(Some(description))
        .into()
}

/// Defines a schema, named `$name`, of some of `model`'s words.
macro_rules! word_schema {
    ($(#[$doc:meta])* $schema:ident, $name:literal, $make:expr) => {
        $(#[$doc])*
        pub struct $schema;

        impl PartialSchema for $schema {
            fn schema() -> RefOr<Schema> {
                $make
            }
        }

        impl ToSchema for $schema {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

word_schema!(
    /// The schema of [`Kind`].
    KindSchema,
    "Kind",
    words(Kind::ALL.map(Kind::as_str), None, "The kind of a hash.")
);

word_schema!(
    /// The schema of [`Role`].
    RoleSchema,
    "Role",
    words(
        (0..).map_while(Role::from_code).map(Role::as_str),
        Some(Role::default().as_str()),
        "plain: the plain hash of an image; extra: one of hashbank's additional hashes of it."
    )
);

word_schema!(
    /// The schema of [`Category`].
    CategorySchema,
    "Category",
    words(
        [Category::Minor.as_str()],
        None,
        "The images were taken before the person was 18: platforms handle these first."
    )
);

word_schema!(
    /// The schema of a [`BankLabel`] name.
    BankLabelSchema,
    "BankLabel",
    words(
        BankLabel::all().map(BankLabel::as_str),
        Some(BankLabel::Plain.as_str()),
        "PDQ only: what a stored hash is a hash of. pdq: the whole image (role plain); the \
         others (role extra): the image without uniform borders (trim) or a fixed part of it \
         (central crops crop95, crop90, crop80; 85% crops pushed to a corner crop85tl, \
         crop85tr, crop85bl, crop85br; the top or bottom 80%)."
    )
);

word_schema!(
    /// The schema of a [`QueryLabel`] name.
    QueryLabelSchema,
    "QueryLabel",
    words(
        QueryLabel::all().map(QueryLabel::as_str),
        Some(QueryLabel::Plain.as_str()),
        "PDQ only: what a query hash is a hash of: the whole image (pdq), turned or mirrored \
         (rot90, flipx, ...), without uniform borders (trim), without a caption band \
         (uncaption), the picture inside a screenshot (screen), a turned picture straightened \
         (straight), or a fixed part (top80, bottom80, ...)."
    )
);

/// Every schema of the API's bodies, by name.
#[derive(utoipa::OpenApi)]
#[openapi(components(schemas(
    KindSchema,
    RoleSchema,
    CategorySchema,
    BankLabelSchema,
    QueryLabelSchema,
    crate::NewHash,
    crate::NewCase,
    crate::MoreHashes,
    crate::HashStatus,
    crate::CaseHash,
    crate::CreatedCase,
    crate::CaseHashes,
    crate::CaseReport,
    crate::CasePlatform,
    crate::CaseFind,
    crate::CaseStatus,
    crate::CaseView,
    crate::Withdrawn,
    crate::FeedOp,
    crate::FeedEntry,
    crate::FeedPage,
    crate::HashQuery,
    crate::MatchRequest,
    crate::MatchedHash,
    crate::FrameAt,
    crate::MatchedFrame,
    crate::Shares,
    crate::QueryResult,
    crate::MatchResponse,
    crate::NewReport,
    crate::ReportCreated,
    crate::Outcome,
    crate::OutcomeRequest,
    crate::OutcomeRecorded,
    crate::NewFind,
    crate::FindRecorded,
    crate::DecisionVisibility,
    crate::DecisionGround,
    crate::ContentType,
    crate::StatementCategory,
    crate::CategorySpecification,
    crate::AutomatedDecision,
    crate::SourceType,
    crate::YesNo,
    crate::Statement,
    crate::StatementSettings,
    crate::StopNciiSignalType,
    crate::StopNciiHashStatus,
    crate::StopNciiFeedbackValue,
    crate::StopNciiFeedback,
    crate::StopNciiHashRecord,
    crate::FetchHashesResponse,
    crate::StopNciiHashFeedback,
    crate::SubmitFeedbackRequest,
    crate::FeedbackResult,
    crate::FeedbackRecorded,
    crate::SubmitFeedbackResponse,
    crate::ErrorBody,
    crate::Health,
    crate::Readiness,
)))]
pub struct Schemas;
