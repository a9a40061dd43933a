//! The feed's bodies (`GET /v1/feed`): what a platform pulls after a
//! cursor to keep a copy of the bank.

use std::borrow::Cow;

use model::{Category, Kind, Role};
use serde::{Deserialize, Serialize};

/// The query of `GET /v1/feed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// The last cursor seen; 0 (the default) for a full copy.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub after: i64,
    /// Entries per page: 1 to 10,000, 1000 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(minimum = 1, maximum = 10000, default = 1000, nullable = false)
    )]
    pub limit: Option<i64>,
}

/// Addition or deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FeedOp {
    /// A hash to match from now on.
    Add,
    /// A hash to forget (withdrawn or suspended): only its id is given.
    Delete,
}

words!(FeedOp, "feed operation", {
    Add => "add",
    Delete => "delete",
});

/// One entry of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedEntry {
    /// Its place in the feed; pull again after the last one seen.
    pub cursor: i64,
    /// add or delete.
    pub op: FeedOp,
    /// The public id of a hash value: one entry per value, however many
    /// cases hold it.
    pub hash_id: i64,
    /// Additions: the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::KindSchema>, nullable = false)
    )]
    pub kind: Option<Kind>,
    /// Additions: the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::RoleSchema>, nullable = false)
    )]
    pub role: Option<Role>,
    /// Additions of PDQ hashes: what the hash is a hash of, a `BankLabel`
    /// name (`pdq`, `trim`, `crop90`, ...). Text, so that a client reads the
    /// names a newer bank may add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::BankLabelSchema>, nullable = false)
    )]
    pub label: Option<Cow<'static, str>>,
    /// Additions: the hash, lower-case hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub value: Option<String>,
    /// Additions of PDQ hashes: the quality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub quality: Option<i64>,
    /// Additions from a `minor` case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::CategorySchema>, nullable = false)
    )]
    pub category: Option<Category>,
    /// Additions that came to this bank from another bank it follows (an
    /// exchange): the id of the bank where the hash was filed. Absent for
    /// the serving bank's own hashes (its page's `bank_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub origin: Option<String>,
}

/// A page of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedPage {
    /// Entries in cursor order.
    pub entries: Vec<FeedEntry>,
    /// Pull again with `after` = this.
    pub next_cursor: i64,
    /// Whether more entries follow right now.
    pub more: bool,
    /// The serving bank's random id: additions without an `origin` were
    /// filed there. A bank following this one (an exchange) gives it as
    /// their origin on its own feed, and ignores additions whose origin is
    /// itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub bank_id: Option<String>,
    /// The last cursor the feed has given so far: a reader whose cursor is
    /// beyond it holds a checkpoint this feed never gave (the bank was
    /// restored from a backup) and reads again from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub head_cursor: Option<i64>,
}
