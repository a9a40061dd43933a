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
    /// pdq, md5, sha256 or vpdq.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::KindSchema))]
    pub kind: Kind,
    /// The hash in hex; a video (vpdq) in the reference's text form, a line
    /// `frame,quality,pdq-hex,seconds` per frame (at most 10,000 frames
    /// over the request).
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Video queries: the share of the query's frames (quality 50 and up,
    /// each distinct hash once) that must be found in a stored video for a
    /// match, above 0 and at most 1; 0.8 when not given, so that a clip cut
    /// from a stored film matches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 1, nullable = false)
    )]
    pub query_share: Option<f64>,
    /// Video queries: the share of the stored video's frames that must be
    /// found in the query, 0 to 1; 0 when not given (any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 1, nullable = false)
    )]
    pub stored_share: Option<f64>,
}

/// A moment of a video.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameAt {
    /// The frame's number, from 0.
    pub frame: u32,
    /// Seconds from the start.
    pub timestamp: f64,
}

/// Frames found in each other: a frame of the query video, of the stored
/// video, or both.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchedFrame {
    /// The query's frame, when the query is a video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub query: Option<FrameAt>,
    /// The stored video's frame, when the stored hash is a video: the
    /// nearest to the query's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub stored: Option<FrameAt>,
    /// Bits that differ.
    pub distance: u32,
}

/// How much of two videos was found in each other.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shares {
    /// The share of the query's frames found in the stored video, 0 to 1.
    pub query: f64,
    /// The share of the stored video's frames found in the query, 0 to 1.
    pub stored: f64,
}

/// A stored hash a query matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The stored hash, lower-case hex; for a stored video, the PDQ hash of
    /// its frame nearest to the query (the whole video is on the feed).
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
    /// Where a video is involved, the frames found, in the query's frame
    /// order: a picture query that found a stored video gives the video's
    /// frame; a video query gives each of its frames found, with the stored
    /// video's nearest frame when the stored hash is a video.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<MatchedFrame>,
    /// A video query that matched a stored video: the two shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub shares: Option<Shares>,
}

/// What was found for one query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryResult {
    /// The query as asked (value in lower-case hex; a PDQ query with its
    /// label, `pdq` when none was given).
    pub query: HashQuery,
    /// Matching hashes: minor first, then nearest.
    pub matches: Vec<MatchedHash>,
}

/// What a match request answers: per query, in query order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchResponse {
    /// One per query.
    pub results: Vec<QueryResult>,
}
