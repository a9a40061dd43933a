//! The bank's HTTP API as types: every request and response body of the
//! routes `hashbank serve` answers (docs/api.md), in one place for every
//! side that speaks it: the server (`hashbank-server`), the platform
//! client of `sync` and `scan` (`hashbank-scan`), and the victim's page
//! (`web/wasm` builds its hashes as [`NewHash`]; `web/src/api-types.ts`
//! is made from these types' schemas, and a test fails when it differs).
//!
//! This crate is the wire and nothing else: no rule (what the bank checks
//! is `hashbank-bank`'s), no HTTP, no I/O. With the `openapi` feature (on
//! by default) the types have OpenAPI schemas ([`openapi`]), from which the
//! server's document at `/openapi.json` is made; without it the crate
//! builds for WebAssembly with serde alone.
//!
//! Kinds, roles and categories are `model`'s. Labels travel as their names,
//! so that a client reads the names a newer bank may add.
//!
//! ```
//! use api::{NewCase, NewHash};
//! use model::{Category, Kind, Role};
//!
//! let case = NewCase {
//!     hashes: vec![NewHash {
//!         kind: Kind::Md5,
//!         value: "0123456789abcdef0123456789abcdef".into(),
//!         quality: None,
//!         role: Role::Plain,
//!         label: None,
//!     }],
//!     category: Some(Category::Minor),
//! };
//! assert_eq!(
//!     serde_json::to_string(&case).unwrap(),
//!     r#"{"hashes":[{"kind":"md5","value":"0123456789abcdef0123456789abcdef","role":"plain"}],"category":"minor"}"#
//! );
//! ```

#[macro_use]
mod words;

mod cases;
mod feed;
mod matching;
#[cfg(feature = "openapi")]
pub mod openapi;
mod reports;
mod service;
mod statements;
mod stopncii;

pub use cases::{
    CaseFind, CaseHash, CaseHashes, CasePlatform, CaseReport, CaseStatus, CaseView, CreatedCase,
    HashStatus, MoreHashes, NewCase, NewHash, Withdrawn, MAX_MOMENTS,
};
pub use feed::{FeedEntry, FeedOp, FeedPage, FeedQuery};
pub use matching::{
    FrameAt, HashQuery, MatchRequest, MatchResponse, MatchedFrame, MatchedHash, QueryResult, Shares,
};
pub use reports::{
    FindRecorded, NewFind, NewReport, Outcome, OutcomeRecorded, OutcomeRequest, ReportCreated,
    MAX_REFERENCE_CHARS,
};
pub use service::{ErrorBody, Health, Readiness};
pub use statements::{
    AutomatedDecision, CategorySpecification, ContentType, DecisionGround, DecisionVisibility,
    SourceType, Statement, StatementCategory, StatementSettings, YesNo, MAX_EXPLANATION_CHARS,
    MAX_GROUND_CHARS,
};
pub use stopncii::{
    FeedbackRecorded, FeedbackResult, FetchHashesQuery, FetchHashesResponse, StopNciiFeedback,
    StopNciiFeedbackValue, StopNciiHashFeedback, StopNciiHashRecord, StopNciiHashStatus,
    StopNciiSignalType, SubmitFeedbackRequest, SubmitFeedbackResponse,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `as_str` gives, and `FromStr` reads, are the ones serde
    /// writes.
    #[test]
    fn words_are_the_wire_words() {
        fn check<T>(all: &[T])
        where
            T: Copy + serde::Serialize + std::fmt::Display + std::str::FromStr + PartialEq,
            T: std::fmt::Debug,
        {
            for &value in all {
                let wire = serde_json::to_value(value).unwrap();
                assert_eq!(wire, value.to_string(), "{value:?}");
                assert!(value.to_string().parse::<T>().ok() == Some(value));
            }
            assert!("nonsense".parse::<T>().is_err());
        }
        check(HashStatus::ALL);
        check(CaseStatus::ALL);
        check(Outcome::ALL);
        check(FeedOp::ALL);
        check(FeedbackResult::ALL);
    }

    /// What the bank leaves out is absent, not null; only a match's
    /// category is written as null.
    #[test]
    fn absent_fields_stay_out() {
        let delete = FeedEntry {
            cursor: 4,
            op: FeedOp::Delete,
            hash_id: 9,
            kind: None,
            role: None,
            label: None,
            value: None,
            quality: None,
            category: None,
            origin: None,
        };
        assert_eq!(
            serde_json::to_string(&delete).unwrap(),
            r#"{"cursor":4,"op":"delete","hash_id":9}"#
        );
        let found = MatchedHash {
            hash_id: 1,
            kind: model::Kind::Md5,
            role: model::Role::Plain,
            label: None,
            hash: "0".repeat(32),
            distance: 0,
            category: None,
            frames: Vec::new(),
            shares: None,
        };
        let json = serde_json::to_value(&found).unwrap();
        assert!(!json.as_object().unwrap().contains_key("frames"));
        assert!(!json.as_object().unwrap().contains_key("shares"));
        assert_eq!(json["category"], serde_json::Value::Null);
        assert!(json.as_object().unwrap().contains_key("category"));
        assert!(!json.as_object().unwrap().contains_key("label"));
    }

    /// Requests refuse fields they do not have; answers are read with
    /// fields a newer bank may add.
    #[test]
    fn requests_are_strict_answers_are_not() {
        let unknown = r#"{"hashes":[{"kind":"md5","value":"00","colour":"red"}]}"#;
        assert!(serde_json::from_str::<NewCase>(unknown).is_err());
        let report = r#"{"hash_id":1,"value":"00","content_ref":"x","extra":1}"#;
        assert!(serde_json::from_str::<NewReport>(report).is_err());
        let page = r#"{"entries":[{"cursor":1,"op":"add","hash_id":2,"kind":"md5",
            "value":"00","label":"a-label-from-later","new":true}],
            "next_cursor":1,"more":false,"new":1}"#;
        let page: FeedPage = serde_json::from_str(page).unwrap();
        assert_eq!(page.entries[0].label.as_deref(), Some("a-label-from-later"));
    }
}
