//! The kinds of hash, their roles and the categories of cases, with the
//! words the API, the database, the feed and the bank file use for them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A word that names none of a type's values (a kind, role or category).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {word:?}")]
pub struct UnknownWord {
    /// What was being read: `hash kind`, `hash role`, `category`.
    pub what: &'static str,
    /// The word found.
    pub word: String,
}

/// The kinds of hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// PDQ perceptual hash: 64 hex digits, with a quality 0..=100, matched
    /// within a Hamming radius.
    Pdq,
    /// MD5 of the file: 32 hex digits, matched exactly.
    Md5,
    /// SHA-256 of the file: 64 hex digits, matched exactly.
    Sha256,
    /// vPDQ hash of a video: the PDQ hashes of its frames, with their
    /// qualities, frame numbers and timestamps, in the reference's text
    /// form; stored, fed and matched as one unit ([`crate::VideoHash`]).
    Vpdq,
}

impl Kind {
    /// How many kinds there are.
    pub const COUNT: usize = 4;

    /// Every kind, in the order of their codes.
    pub const ALL: [Kind; Kind::COUNT] = [Kind::Pdq, Kind::Md5, Kind::Sha256, Kind::Vpdq];

    /// Its word (`pdq`, `md5`, `sha256`, `vpdq`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pdq => "pdq",
            Kind::Md5 => "md5",
            Kind::Sha256 => "sha256",
            Kind::Vpdq => "vpdq",
        }
    }

    /// Hex digits in a hash of this kind; `None` for `vpdq`, whose value is
    /// a list of frames.
    pub fn hex_len(self) -> Option<usize> {
        match self {
            Kind::Pdq | Kind::Sha256 => Some(64),
            Kind::Md5 => Some(32),
            Kind::Vpdq => None,
        }
    }

    /// Its code in binary files (0, 1, 2, 3).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The kind with code `code`.
    pub fn from_code(code: u8) -> Option<Kind> {
        Kind::ALL.get(usize::from(code)).copied()
    }
}

impl FromStr for Kind {
    type Err = UnknownWord;

    fn from_str(word: &str) -> Result<Kind, UnknownWord> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == word)
            .ok_or_else(|| UnknownWord {
                what: "hash kind",
                word: word.to_owned(),
            })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a hash is the plain PDQ / MD5 / SHA-256 of an image,
/// exchangeable with every other user of those hashes (HMA, StopNCII), or
/// one of hashbank's additional hashes of parts of it. A PDQ hash's role
/// follows from its label ([`crate::BankLabel::role`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The plain hash of the whole image.
    #[default]
    Plain,
    /// An additional hash, meaningful only to hashbank's matching.
    Extra,
}

impl Role {
    /// `plain` or `extra`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Plain => "plain",
            Role::Extra => "extra",
        }
    }

    /// Its code in binary files (0, 1).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The role with code `code`.
    pub fn from_code(code: u8) -> Option<Role> {
        [Role::Plain, Role::Extra].get(usize::from(code)).copied()
    }
}

impl FromStr for Role {
    type Err = UnknownWord;

    fn from_str(word: &str) -> Result<Role, UnknownWord> {
        match word {
            "plain" => Ok(Role::Plain),
            "extra" => Ok(Role::Extra),
            _ => Err(UnknownWord {
                what: "hash role",
                word: word.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A case's category. Platforms handle `minor` first and report it as their
/// law requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The images were taken before the person was 18.
    Minor,
}

impl Category {
    /// Its word.
    pub fn as_str(self) -> &'static str {
        "minor"
    }
}

impl FromStr for Category {
    type Err = UnknownWord;

    fn from_str(word: &str) -> Result<Category, UnknownWord> {
        match word {
            "minor" => Ok(Category::Minor),
            _ => Err(UnknownWord {
                what: "category",
                word: word.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_codes_read_back() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(kind));
            assert_eq!(Kind::from_code(kind.code()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
        }
        assert_eq!(Kind::from_code(4), None);
        for role in [Role::Plain, Role::Extra] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code(2), None);
        assert_eq!("minor".parse::<Category>(), Ok(Category::Minor));
        let err = "PDQ".parse::<Kind>().unwrap_err();
        assert_eq!(err.to_string(), "unknown hash kind \"PDQ\"");
        assert!("adult".parse::<Category>().is_err());
        assert!("".parse::<Role>().is_err());
    }
}
