//! What one file is looked up by: a list of hashes, each with a label
//! saying what it is a hash of. Today the plain PDQ hash and the file's
//! MD5 and SHA-256; hashes of altered views of the picture can join the
//! list with labels of their own, and [`crate::decide`] judges them.

use media::Fingerprint;
use pdq::QUALITY_THRESHOLD;

use crate::hashes::HashValue;

/// What a query hash is a hash of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    /// The PDQ hash of the whole picture as it is, or a digest of the file.
    Plain,
}

impl Label {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Plain => "plain",
        }
    }
}

/// One hash of a query file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryHash {
    /// What it is a hash of.
    pub label: Label,
    /// The hash.
    pub value: HashValue,
}

/// The hashes one file is looked up by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The hashes, PDQ first.
    pub hashes: Vec<QueryHash>,
    /// Whether the file's PDQ hash was too weak to match on (left out).
    pub weak_pdq: bool,
}

impl Query {
    /// The query of a fingerprinted file: its PDQ hash when its quality
    /// reaches [`pdq::QUALITY_THRESHOLD`] (weaker ones match unrelated
    /// images), its MD5 and its SHA-256.
    pub fn of(print: &Fingerprint) -> Query {
        let weak_pdq = print.quality < QUALITY_THRESHOLD;
        let mut hashes = Vec::with_capacity(3);
        if !weak_pdq {
            hashes.push(QueryHash {
                label: Label::Plain,
                value: HashValue::Pdq(print.pdq),
            });
        }
        hashes.push(QueryHash {
            label: Label::Plain,
            value: HashValue::Md5(print.md5),
        });
        hashes.push(QueryHash {
            label: Label::Plain,
            value: HashValue::Sha256(print.sha256),
        });
        Query { hashes, weak_pdq }
    }
}
