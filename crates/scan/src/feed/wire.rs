//! The bank's API as JSON: what the feed, the match API and the report
//! route send and answer, and the checks turning answers into changes.

use model::BankLabel;
use serde::{Deserialize, Serialize};

use crate::bankfile::Change;
use crate::hashes::{Category, HashMeta, HashValue, Kind, Role};

/// The label of a stored hash as the bank sends it: for a PDQ hash, the
/// label given when it is one of hashbank's and agrees with the role, `pdq`
/// for a plain hash without one (as every bank before labels sent it); for
/// a digest, none. `Err` says why a PDQ hash cannot be compared (an extra
/// hash without a known label, from a newer bank say): it is left out.
pub(crate) fn stored_label(
    kind: Kind,
    role: Role,
    label: Option<&str>,
) -> Result<Option<BankLabel>, String> {
    if kind != Kind::Pdq {
        return Ok(None);
    }
    match (role, label) {
        (Role::Plain, None) => Ok(Some(BankLabel::Plain)),
        (Role::Extra, None) => Err("an extra PDQ hash without a label".into()),
        (_, Some(text)) => match text.parse::<BankLabel>() {
            Ok(l) if l.role() == role => Ok(Some(l)),
            Ok(l) => Err(format!("label {l} on a {} hash", role.as_str())),
            Err(e) => Err(e.to_string()),
        },
    }
}

/// Highest PDQ quality.
const MAX_QUALITY: i64 = 100;

/// A page of the feed as sent.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// The entries, in cursor order.
    pub entries: Vec<Entry>,
    /// The cursor to ask for the next page after.
    pub next_cursor: i64,
    /// Whether more entries follow.
    pub more: bool,
}

/// A feed entry as sent.
#[derive(Debug, Deserialize)]
pub struct Entry {
    /// Its place in the feed.
    pub cursor: i64,
    /// `add` or `delete`.
    pub op: String,
    /// The bank's id of the hash.
    pub hash_id: i64,
    /// An addition's kind.
    #[serde(default)]
    pub kind: Option<Kind>,
    /// An addition's role (plain when absent).
    #[serde(default)]
    pub role: Option<Role>,
    /// An addition's hash, in hex.
    #[serde(default)]
    pub value: Option<String>,
    /// A PDQ addition's quality.
    #[serde(default)]
    pub quality: Option<i64>,
    /// An addition's category.
    #[serde(default)]
    pub category: Option<Category>,
    /// A PDQ addition's label.
    #[serde(default)]
    pub label: Option<String>,
}

impl Entry {
    /// The change this entry makes, `None` for an addition this build
    /// cannot compare (logged as a warning and left out), or why it is not
    /// a valid entry.
    pub fn change(&self) -> Result<Option<Change>, String> {
        let id = u64::try_from(self.hash_id)
            .map_err(|_| format!("entry {}: negative hash id", self.cursor))?;
        match self.op.as_str() {
            "delete" => Ok(Some(Change::Delete { id })),
            "add" => {
                let kind = self
                    .kind
                    .ok_or_else(|| format!("entry {}: an addition without a kind", self.cursor))?;
                let text = self.value.as_deref().unwrap_or("");
                let value = HashValue::parse(kind, text)
                    .ok_or_else(|| format!("entry {}: not a {kind} hash", self.cursor))?;
                let quality = match (kind, self.quality) {
                    (Kind::Pdq, Some(q)) if (0..=MAX_QUALITY).contains(&q) => Some(q as u8),
                    (Kind::Pdq, _) => {
                        return Err(format!(
                            "entry {}: a PDQ hash without a quality",
                            self.cursor
                        ))
                    }
                    _ => None,
                };
                let role = self.role.unwrap_or_default();
                let label = match stored_label(kind, role, self.label.as_deref()) {
                    Ok(label) => label,
                    Err(why) => {
                        tracing::warn!("feed entry {}: hash {id} left out: {why}", self.cursor);
                        return Ok(None);
                    }
                };
                Ok(Some(Change::Add {
                    id,
                    value,
                    meta: HashMeta {
                        kind,
                        role,
                        category: self.category,
                        quality,
                        label,
                    },
                }))
            }
            other => Err(format!(
                "entry {}: unknown operation {other:?}",
                self.cursor
            )),
        }
    }
}

/// A hash asked about, with what it is a hash of (PDQ only).
#[derive(Debug, Serialize)]
pub(crate) struct Query {
    pub kind: Kind,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'static str>,
}

/// A match request.
#[derive(Debug, Serialize)]
pub(crate) struct MatchRequest<'a> {
    pub hashes: &'a [Query],
    pub radius: u32,
}

/// A match answer.
#[derive(Debug, Deserialize)]
pub struct MatchAnswer {
    /// One result per query, in the order asked.
    pub results: Vec<QueryResult>,
}

/// What was found for one query.
#[derive(Debug, Deserialize)]
pub struct QueryResult {
    /// The stored hashes found.
    pub matches: Vec<Found>,
}

/// A stored hash found.
#[derive(Debug, Deserialize)]
pub struct Found {
    /// The bank's id of the hash.
    pub hash_id: i64,
    /// Its kind.
    pub kind: Kind,
    /// Its role.
    #[serde(default)]
    pub role: Role,
    /// Bits that differ from the query (0 for digests).
    pub distance: u32,
    /// Its category.
    #[serde(default)]
    pub category: Option<Category>,
    /// A PDQ hash's label.
    #[serde(default)]
    pub label: Option<String>,
}

/// A report of a match.
#[derive(Debug, Serialize)]
pub(crate) struct Report<'a> {
    pub hash_id: u64,
    /// The file's own hash; the bank computes the distance from it.
    pub value: &'a str,
    /// PDQ only: what the file's hash is a hash of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'a str>,
    pub content_ref: &'a str,
}

/// A report's answer.
#[derive(Debug, Deserialize)]
pub struct ReportCreated {
    /// The bank's id of the report.
    pub report_id: i64,
}

/// An error answer of the bank.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    /// The error's code.
    pub error: String,
    /// What went wrong, in words.
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> Entry {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn entries_become_changes() {
        let add = entry(&format!(
            r#"{{"cursor":3,"op":"add","hash_id":9,"kind":"pdq","role":"extra","value":"{}","quality":80,"category":"minor"}}"#,
            "a".repeat(64)
        ));
        assert_eq!(add.change(), Ok(None), "an extra hash needs a label");
        let add = entry(&format!(
            r#"{{"cursor":3,"op":"add","hash_id":9,"kind":"pdq","role":"extra","label":"crop90","value":"{}","quality":80,"category":"minor"}}"#,
            "a".repeat(64)
        ));
        match add.change().unwrap().unwrap() {
            Change::Add { id, meta, .. } => {
                assert_eq!(id, 9);
                assert_eq!(meta.role, Role::Extra);
                assert_eq!(meta.label, Some(BankLabel::Part(model::Part::Crop90)));
                assert_eq!(meta.category, Some(Category::Minor));
                assert_eq!(meta.quality, Some(80));
            }
            other => panic!("{other:?}"),
        }
        let delete = entry(r#"{"cursor":4,"op":"delete","hash_id":9}"#);
        assert_eq!(delete.change().unwrap(), Some(Change::Delete { id: 9 }));
        let bad = entry(r#"{"cursor":5,"op":"add","hash_id":9,"kind":"md5","value":"xyz"}"#);
        assert!(bad.change().unwrap_err().contains("not a md5 hash"));
        let odd = entry(r#"{"cursor":6,"op":"rename","hash_id":9}"#);
        assert!(odd.change().unwrap_err().contains("unknown operation"));
        let no_quality = entry(&format!(
            r#"{{"cursor":7,"op":"add","hash_id":1,"kind":"pdq","value":"{}"}}"#,
            "0".repeat(64)
        ));
        assert!(no_quality.change().is_err());
    }

    #[test]
    fn labels_of_stored_hashes() {
        let plain = |label| stored_label(Kind::Pdq, Role::Plain, label);
        let extra = |label| stored_label(Kind::Pdq, Role::Extra, label);
        assert_eq!(plain(None), Ok(Some(BankLabel::Plain)));
        assert_eq!(plain(Some("pdq")), Ok(Some(BankLabel::Plain)));
        assert_eq!(extra(Some("trim")), Ok(Some(BankLabel::Trim)));
        assert!(extra(None).is_err());
        assert!(extra(Some("crop99")).is_err());
        assert!(extra(Some("pdq")).is_err());
        assert!(plain(Some("trim")).is_err());
        assert_eq!(stored_label(Kind::Md5, Role::Plain, Some("x")), Ok(None));
    }
}
