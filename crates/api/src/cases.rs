//! The case routes' bodies: filing a case, adding hashes, seeing and
//! withdrawing it (case number in the path, PIN in `X-Case-Pin`).

use std::borrow::Cow;

use model::{Category, Kind, Role};
use serde::{Deserialize, Serialize};

use crate::reports::Outcome;

/// A hash as a person submits it for her case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewHash {
    /// pdq, md5, sha256, or vpdq for a video.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::KindSchema))]
    pub kind: Kind,
    /// The hash in hex: 64 digits (pdq, sha256) or 32 (md5); a video's vPDQ
    /// hash in the reference's text form, a line
    /// `frame,quality,pdq-hex,seconds` per frame (50 videos and 10,000
    /// frames per case at most).
    pub value: String,
    /// PDQ only, required there: its quality, at least 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 50, maximum = 100, nullable = false)
    )]
    pub quality: Option<u32>,
    /// plain (the default) or extra, for PDQ only.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::RoleSchema))]
    pub role: Role,
    /// PDQ only: what it is a hash of, a `BankLabel` name: `pdq` (the
    /// default) for the plain hash; required with role extra, and then the
    /// part hashed (`trim`, `crop90`, `top80`, ...). MD5 and SHA-256 have
    /// no label and are always plain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::BankLabelSchema>, nullable = false)
    )]
    pub label: Option<String>,
}

/// A new case as a person files it (`POST /v1/cases`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// 1 to 500 hashes.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub hashes: Vec<NewHash>,
    /// `minor` when the images were taken before she was 18.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::CategorySchema>, nullable = false)
    )]
    pub category: Option<Category>,
}

/// Hashes to add to a case (`POST /v1/cases/{number}/hashes`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoreHashes {
    /// 1 or more hashes; the case holds at most 500.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub hashes: Vec<NewHash>,
}

/// Whether a hash takes part in matching and the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum HashStatus {
    /// On the feed and matched.
    Active,
    /// Off the feed and out of matching after platforms found its matches
    /// not violating; still part of the case.
    Suspended,
    /// Erased with its case.
    Withdrawn,
}

words!(HashStatus, "hash status", {
    Active => "active",
    Suspended => "suspended",
    Withdrawn => "withdrawn",
});

/// A hash of a case, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseHash {
    /// The case's own id of this hash.
    pub id: i64,
    /// The public id of its value, the one platforms see (on the feed, in
    /// matches and in reports): the same in every case that holds the
    /// value. Absent once withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub hash_id: Option<i64>,
    /// Its kind.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::KindSchema))]
    pub kind: Kind,
    /// Its role.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::RoleSchema))]
    pub role: Role,
    /// PDQ only: what it is a hash of, a `BankLabel` name (`pdq`, `trim`,
    /// `crop90`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::BankLabelSchema>, nullable = false)
    )]
    pub label: Option<Cow<'static, str>>,
    /// The hash in lower-case hex; absent once withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub value: Option<String>,
    /// PDQ quality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub quality: Option<i64>,
    /// active, suspended or withdrawn.
    pub status: HashStatus,
}

/// What filing a case answers: number and PIN, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedCase {
    /// The case number.
    #[cfg_attr(feature = "openapi", schema(example = "HB-7K2M-9QXP-4TDA"))]
    pub case_number: String,
    /// The PIN, shown only this once: the bank keeps only its argon2id
    /// hash.
    #[cfg_attr(feature = "openapi", schema(example = "4817203956"))]
    pub pin: String,
    /// When (RFC 3339).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// Its hashes with their ids.
    pub hashes: Vec<CaseHash>,
}

/// All the hashes of a case, after some were added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseHashes {
    /// In the order they were added.
    pub hashes: Vec<CaseHash>,
}

/// One platform's report of a match, as the case's owner sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseReport {
    /// Which hash of the case matched: its value's public id (the
    /// `hash_id` of the case's hash).
    pub hash_id: i64,
    /// When the platform reported the match.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub reported_at: String,
    /// Absent until the platform gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub outcome: Option<Outcome>,
    /// When the outcome was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime, nullable = false))]
    pub outcome_at: Option<String>,
    /// A report on a video: the moments of the case's video (seconds from
    /// its start) that the platform's copy shows, by the frames it matched;
    /// at most [`MAX_MOMENTS`]. Absent for a picture, or once the video is
    /// withdrawn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moments: Vec<f64>,
}

/// The most moments one report shows.
pub const MAX_MOMENTS: usize = 100;

/// What one platform found for the case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePlatform {
    /// The platform's name.
    pub platform: String,
    /// Pieces of content it reported as matches (one piece that matched
    /// several of the case's hashes counts once).
    pub matches_reported: usize,
    /// Pieces of content it reported and said it removed.
    pub removed: usize,
    /// Its reports, oldest first.
    pub reports: Vec<CaseReport>,
}

/// An investigator's find of the case's images in seized material, as the
/// case's owner sees it: who found them, how to reach them, and what to
/// quote. Contacting them is her choice; they do not know who she is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseFind {
    /// The investigating unit's name.
    pub unit: String,
    /// The unit's contact text (phone, web address, opening hours, ...)
    /// per language code (`en`, `nl`, `fr`, `de`, ...), as the operator
    /// set it.
    pub contact: std::collections::BTreeMap<String, String>,
    /// The investigation's reference, to quote when contacting them.
    pub reference: String,
    /// The day the material was found (`YYYY-MM-DD`).
    pub found_on: String,
    /// How many of the case's hashes were found.
    pub hashes: usize,
    /// How many files of the seized material matched them.
    pub files: u64,
}

/// Whether a case is open or withdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    /// Its hashes are matched; hashes may be added.
    Open,
    /// Withdrawn: its hash values erased, the case closed.
    Withdrawn,
}

words!(CaseStatus, "case status", {
    Open => "open",
    Withdrawn => "withdrawn",
});

/// A case as its owner sees it (`GET /v1/cases/{number}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    /// The case number.
    pub case_number: String,
    /// open or withdrawn.
    pub status: CaseStatus,
    /// `minor` or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<crate::openapi::CategorySchema>, nullable = false)
    )]
    pub category: Option<Category>,
    /// When it was filed.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// When it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime, nullable = false))]
    pub withdrawn_at: Option<String>,
    /// Its hashes.
    pub hashes: Vec<CaseHash>,
    /// Per platform: matches reported and outcomes.
    pub platforms: Vec<CasePlatform>,
    /// Finds in seized material, per investigation, newest first.
    #[serde(default)]
    pub finds: Vec<CaseFind>,
}

/// What a withdrawal answers (`POST /v1/cases/{number}/withdraw`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawn {
    /// The case number.
    pub case_number: String,
    /// Always `withdrawn`.
    pub status: CaseStatus,
    /// When.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub withdrawn_at: String,
    /// Hashes erased.
    pub hashes_erased: usize,
}
