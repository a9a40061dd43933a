//! Hashes as the bank knows them: kinds, roles, categories, statuses, and
//! the checks every submitted hash passes.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{BankError, Result};

/// Most hashes one case may hold.
pub const MAX_HASHES_PER_CASE: usize = 500;

/// The kinds of hash the bank holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// PDQ perceptual hash: 64 hex digits, with a quality 0..=100.
    Pdq,
    /// MD5 of the file: 32 hex digits.
    Md5,
    /// SHA-256 of the file: 64 hex digits.
    Sha256,
}

impl Kind {
    /// The word used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pdq => "pdq",
            Kind::Md5 => "md5",
            Kind::Sha256 => "sha256",
        }
    }

    /// The kind named `word`.
    pub fn parse(word: &str) -> Result<Kind> {
        match word {
            "pdq" => Ok(Kind::Pdq),
            "md5" => Ok(Kind::Md5),
            "sha256" => Ok(Kind::Sha256),
            _ => Err(BankError::Internal(format!("unknown hash kind {word:?}"))),
        }
    }

    /// Hex digits in a hash of this kind.
    pub fn hex_len(self) -> usize {
        match self {
            Kind::Pdq | Kind::Sha256 => 64,
            Kind::Md5 => 32,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a hash is of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The plain PDQ / MD5 / SHA-256 of an image, exchangeable with other
    /// PDQ users.
    #[default]
    Plain,
    /// One of hashbank's additional hashes of the same image (e.g. a
    /// border-trimmed PDQ).
    Extra,
}

impl Role {
    /// The word used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Plain => "plain",
            Role::Extra => "extra",
        }
    }

    /// The role named `word`.
    pub fn parse(word: &str) -> Result<Role> {
        match word {
            "plain" => Ok(Role::Plain),
            "extra" => Ok(Role::Extra),
            _ => Err(BankError::Internal(format!("unknown hash role {word:?}"))),
        }
    }
}

/// A case's category. Platforms handle `minor` first and report it as
/// their law requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The images were taken before the person was 18.
    Minor,
}

impl Category {
    /// The word used in the API and the database.
    pub fn as_str(self) -> &'static str {
        "minor"
    }

    /// The category stored as `word` (NULL is none).
    pub fn parse(word: Option<&str>) -> Result<Option<Category>> {
        match word {
            None => Ok(None),
            Some("minor") => Ok(Some(Category::Minor)),
            Some(other) => Err(BankError::Internal(format!("unknown category {other:?}"))),
        }
    }
}

/// Whether a hash takes part in matching and the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

impl HashStatus {
    /// The word used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            HashStatus::Active => "active",
            HashStatus::Suspended => "suspended",
            HashStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status named `word`.
    pub fn parse(word: &str) -> Result<HashStatus> {
        match word {
            "active" => Ok(HashStatus::Active),
            "suspended" => Ok(HashStatus::Suspended),
            "withdrawn" => Ok(HashStatus::Withdrawn),
            _ => Err(BankError::Internal(format!("unknown hash status {word:?}"))),
        }
    }
}

/// A hash as a person submits it for her case.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHash {
    /// pdq, md5 or sha256.
    pub kind: Kind,
    /// The hash in hex.
    pub value: String,
    /// PDQ quality 0..=100 (PDQ only, required there).
    #[serde(default)]
    pub quality: Option<u32>,
    /// plain (default) or extra.
    #[serde(default)]
    pub role: Role,
}

/// A hash that passed [`check_new_hashes`]: value in lower-case hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedHash {
    /// Its kind.
    pub kind: Kind,
    /// Lower-case hex.
    pub value: String,
    /// PDQ quality.
    pub quality: Option<i64>,
    /// Its role.
    pub role: Role,
}

/// `value` as lower-case hex of a `kind` hash, or a 400 saying what is wrong
/// with it (`what` names it in the message, e.g. "hash 3").
pub fn check_hex(kind: Kind, value: &str, what: &str) -> Result<String> {
    if value.len() != kind.hex_len() {
        return Err(BankError::invalid(
            "invalid_hash",
            format!(
                "{what}: a {kind} hash has {} hex digits, this one has {} characters",
                kind.hex_len(),
                value.chars().count()
            ),
        ));
    }
    if let Some(pos) = value.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(BankError::invalid(
            "invalid_hash",
            format!(
                "{what}: a {kind} hash has only hex digits (0-9, a-f); character {} is not one",
                pos + 1
            ),
        ));
    }
    Ok(value.to_ascii_lowercase())
}

/// Checks hashes submitted for a case: hex of the right length, PDQ quality
/// present and at least [`pdq::QUALITY_THRESHOLD`], no quality on MD5 or
/// SHA-256, no hash twice (in the request or with `existing`).
pub fn check_new_hashes(
    hashes: &[NewHash],
    existing: &HashSet<(Kind, String)>,
) -> Result<Vec<CheckedHash>> {
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(hashes.len());
    for (i, hash) in hashes.iter().enumerate() {
        let what = format!("hash {}", i + 1);
        let value = check_hex(hash.kind, &hash.value, &what)?;
        let quality = match (hash.kind, hash.quality) {
            (Kind::Pdq, None) => {
                return Err(BankError::invalid(
                    "missing_quality",
                    format!("{what}: a pdq hash needs its quality (0 to 100)"),
                ))
            }
            (Kind::Pdq, Some(q)) if q > 100 => {
                return Err(BankError::invalid(
                    "invalid_quality",
                    format!("{what}: PDQ quality runs from 0 to 100, not {q}"),
                ))
            }
            (Kind::Pdq, Some(q)) if q < u32::from(pdq::QUALITY_THRESHOLD) => {
                return Err(BankError::invalid(
                    "quality_too_low",
                    format!(
                        "{what}: PDQ hashes of quality below {} match too unreliably to be useful \
                         (this one has {q}); hash a larger or less uniform copy of the image",
                        pdq::QUALITY_THRESHOLD
                    ),
                ))
            }
            (Kind::Pdq, Some(q)) => Some(i64::from(q)),
            (_, Some(_)) => {
                return Err(BankError::invalid(
                    "invalid_quality",
                    format!("{what}: only pdq hashes have a quality"),
                ))
            }
            (_, None) => None,
        };
        let key = (hash.kind, value.clone());
        if existing.contains(&key) {
            return Err(BankError::invalid(
                "duplicate_hash",
                format!("{what}: this {} hash is already in the case", hash.kind),
            ));
        }
        if !seen.insert(key) {
            return Err(BankError::invalid(
                "duplicate_hash",
                format!("{what}: the same {} hash is given twice", hash.kind),
            ));
        }
        checked.push(CheckedHash {
            kind: hash.kind,
            value,
            quality,
            role: hash.role,
        });
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdq(value: &str, quality: u32) -> NewHash {
        NewHash {
            kind: Kind::Pdq,
            value: value.into(),
            quality: Some(quality),
            role: Role::Plain,
        }
    }

    #[test]
    fn good_hashes_are_lower_cased() {
        let checked = check_new_hashes(&[pdq(&"AB".repeat(32), 80)], &HashSet::new()).unwrap();
        assert_eq!(checked[0].value, "ab".repeat(32));
        assert_eq!(checked[0].quality, Some(80));
    }

    #[test]
    fn bad_hashes_say_why() {
        let none = HashSet::new();
        let err = |h: &[NewHash]| check_new_hashes(h, &none).unwrap_err().to_string();
        assert!(err(&[pdq("abc", 80)]).contains("64 hex digits"));
        assert!(err(&[pdq(&"g".repeat(64), 80)]).contains("character 1"));
        assert!(err(&[pdq(&"a".repeat(64), 49)]).contains("quality below 50"));
        assert!(err(&[pdq(&"a".repeat(64), 101)]).contains("0 to 100"));
        let twice = [pdq(&"a".repeat(64), 80), pdq(&"A".repeat(64), 90)];
        assert!(err(&twice).contains("twice"));
        let md5 = NewHash {
            kind: Kind::Md5,
            value: "0".repeat(32),
            quality: Some(60),
            role: Role::Plain,
        };
        assert!(err(&[md5]).contains("only pdq"));
    }
}
