//! Reading the bank's answers (`hashbank-api`'s bodies): the checks that
//! turn feed entries into changes of the bank file, and the labels of the
//! stored hashes the feed and the match API give.

use api::{FeedEntry, FeedOp};
use model::BankLabel;

use matcher::{Change, HashMeta};
use model::{HashValue, Kind, Role};

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

/// The change feed entry `entry` makes, `None` for an addition this build
/// cannot compare (logged as a warning and left out), or why it is not a
/// valid entry.
pub fn change(entry: &FeedEntry) -> Result<Option<Change>, String> {
    let id = u64::try_from(entry.hash_id)
        .map_err(|_| format!("entry {}: negative hash id", entry.cursor))?;
    match entry.op {
        FeedOp::Delete => Ok(Some(Change::Delete { id })),
        FeedOp::Add => {
            let kind = entry
                .kind
                .ok_or_else(|| format!("entry {}: an addition without a kind", entry.cursor))?;
            let text = entry.value.as_deref().unwrap_or("");
            let value = HashValue::parse(kind, text)
                .ok_or_else(|| format!("entry {}: not a {kind} hash", entry.cursor))?;
            let quality = match (kind, entry.quality) {
                (Kind::Pdq, Some(q)) if (0..=MAX_QUALITY).contains(&q) => Some(q as u8),
                (Kind::Pdq, _) => {
                    return Err(format!(
                        "entry {}: a PDQ hash without a quality",
                        entry.cursor
                    ))
                }
                _ => None,
            };
            let role = entry.role.unwrap_or_default();
            let label = match stored_label(kind, role, entry.label.as_deref()) {
                Ok(label) => label,
                Err(why) => {
                    tracing::warn!("feed entry {}: hash {id} left out: {why}", entry.cursor);
                    return Ok(None);
                }
            };
            Ok(Some(Change::Add {
                id,
                value,
                meta: HashMeta {
                    kind,
                    role,
                    category: entry.category,
                    quality,
                    label,
                },
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> FeedEntry {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn entries_become_changes() {
        let add = entry(&format!(
            r#"{{"cursor":3,"op":"add","hash_id":9,"kind":"pdq","role":"extra","value":"{}","quality":80,"category":"minor"}}"#,
            "a".repeat(64)
        ));
        assert_eq!(change(&add), Ok(None), "an extra hash needs a label");
        let add = entry(&format!(
            r#"{{"cursor":3,"op":"add","hash_id":9,"kind":"pdq","role":"extra","label":"crop90","value":"{}","quality":80,"category":"minor"}}"#,
            "a".repeat(64)
        ));
        match change(&add).unwrap().unwrap() {
            Change::Add { id, meta, .. } => {
                assert_eq!(id, 9);
                assert_eq!(meta.role, Role::Extra);
                assert_eq!(meta.label, Some(BankLabel::Part(model::Part::Crop90)));
                assert_eq!(meta.category, Some(model::Category::Minor));
                assert_eq!(meta.quality, Some(80));
            }
            other => panic!("{other:?}"),
        }
        let delete = entry(r#"{"cursor":4,"op":"delete","hash_id":9}"#);
        assert_eq!(change(&delete).unwrap(), Some(Change::Delete { id: 9 }));
        let bad = entry(r#"{"cursor":5,"op":"add","hash_id":9,"kind":"md5","value":"xyz"}"#);
        assert!(change(&bad).unwrap_err().contains("not a md5 hash"));
        // An operation this build does not know is not read at all: the
        // page is refused as not the bank's.
        let odd = serde_json::from_str::<FeedEntry>(r#"{"cursor":6,"op":"rename","hash_id":9}"#);
        assert!(odd
            .unwrap_err()
            .to_string()
            .contains("unknown variant `rename`"));
        let no_quality = entry(&format!(
            r#"{{"cursor":7,"op":"add","hash_id":1,"kind":"pdq","value":"{}"}}"#,
            "0".repeat(64)
        ));
        assert!(change(&no_quality).is_err());
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
