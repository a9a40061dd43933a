//! The match API's bodies (`POST /v1/match`): hashes asked about, and the
//! stored hashes they match.

use std::borrow::Cow;

use model::{Category, Kind, Role};
use serde::{Deserialize, Serialize};

/// A hash a platform asks about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HashQuery {
    /// pdq, md5 or sha256.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::KindSchema))]
    pub kind: Kind,
    /// The hash in hex.
    pub value: String,
    /// PDQ only: what the query hash is a hash of, a `QueryLabel` name
    /// (`pdq`, the default; `rot90`, `trim`, `screen`, `top80`, ...). It
    /// decides which stored hashes it is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::QueryLabelSchema>, nullable = false)
    )]
    pub label: Option<String>,
}

/// A match request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// 1 to 1000 hashes.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub hashes: Vec<HashQuery>,
    /// The same radius for every compared pair of labels, 0 to 63; without
    /// it, each pair's own (31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 63, nullable = false)
    )]
    pub radius: Option<u32>,
}

/// A stored hash a query matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchedHash {
    /// The public id of the stored hash's value.
    pub hash_id: i64,
    /// Its kind.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::KindSchema))]
    pub kind: Kind,
    /// Its role.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = crate::openapi::RoleSchema, required = true)
    )]
    pub role: Role,
    /// PDQ only: what the stored hash is a hash of, a `BankLabel` name.
    /// Text, so that a client reads the names a newer bank may add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::BankLabelSchema>, nullable = false)
    )]
    pub label: Option<Cow<'static, str>>,
    /// The stored hash, lower-case hex.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-fA-F]{32,64}$"))]
    pub hash: String,
    /// Bits that differ (0 for MD5 and SHA-256).
    pub distance: u32,
    /// `minor` when its case is in that category; null otherwise.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::CategorySchema>, required = true)
    )]
    pub category: Option<Category>,
}

/// What was found for one query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryResult {
    /// The query as asked (value in lower-case hex; a PDQ query with its
    /// label, `pdq` when none was given).
    pub query: HashQuery,
    /// Matching hashes: minor first, then nearest.
    pub matches: Vec<MatchedHash>,
}

/// What a match request answers: per query, in query order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchResponse {
    /// One per query.
    pub results: Vec<QueryResult>,
}
