//! Platforms: API keys issued by an operator, verified on every request
//! (argon2id, then trusted for a few seconds), revoked by name.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::Actor;
use crate::bank::Bank;
use crate::clock::rfc3339;
use crate::error::{BankError, Result};
use crate::secrets::{key_id_of, new_api_key, random_id};
use crate::write::Write;

/// Longest platform name.
const MAX_NAME_LEN: usize = 64;

/// Most languages of an investigator's contact text, and most characters
/// of each.
const MAX_CONTACT_LANGUAGES: usize = 24;
const MAX_CONTACT_CHARS: usize = 1000;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    /// A platform: the feed, the match API, reports and outcomes.
    Platform,
    /// An investigator: the feed, the match API and finds.
    Investigator,
}

impl KeyRole {
    /// The word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyRole::Platform => "platform",
            KeyRole::Investigator => "investigator",
        }
    }

    fn parse(word: &str) -> Result<KeyRole> {
        match word {
            "platform" => Ok(KeyRole::Platform),
            "investigator" => Ok(KeyRole::Investigator),
            other => Err(BankError::Internal(format!("stored key role {other:?}"))),
        }
    }
}

/// A platform or an investigator that presented a valid key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What its key may do.
    pub role: KeyRole,
}

impl Platform {
    /// A 403 unless the key is a platform's: reports, outcomes and
    /// statements are platforms' business.
    pub fn must_be_platform(&self) -> Result<()> {
        match self.role {
            KeyRole::Platform => Ok(()),
            KeyRole::Investigator => Err(BankError::Forbidden(
                "an investigator's key matches and files finds; reports, outcomes and                  statements are for platforms"
                    .into(),
            )),
        }
    }

    /// A 403 unless the key is an investigator's.
    pub fn must_be_investigator(&self) -> Result<()> {
        match self.role {
            KeyRole::Investigator => Ok(()),
            KeyRole::Platform => Err(BankError::Forbidden(
                "only an investigator's key files finds".into(),
            )),
        }
    }
}

/// Checks an investigator's contact text: a JSON object of language codes
/// (two or three lower-case letters) to texts of 1 to 1,000 characters.
pub fn check_contact(contact: &std::collections::BTreeMap<String, String>) -> Result<()> {
    let bad = |message: String| BankError::invalid("invalid_contact", message);
    if contact.is_empty() || contact.len() > MAX_CONTACT_LANGUAGES {
        return Err(bad(format!(
            "give the contact text in 1 to {MAX_CONTACT_LANGUAGES} languages"
        )));
    }
    for (language, text) in contact {
        if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(bad(format!(
                "{language:?} is not a language code (two or three lower-case letters: en, nl, ...)"
            )));
        }
        let chars = text.chars().count();
        if text.trim().is_empty() || chars > MAX_CONTACT_CHARS {
            return Err(bad(format!(
                "the {language} text has {chars} characters; give 1 to {MAX_CONTACT_CHARS}"
            )));
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(bad(format!(
                "the {language} text holds control characters (only line breaks are kept)"
            )));
        }
    }
    Ok(())
}

/// A platform as `hashbank platform list` shows it (never its key).
#[derive(Clone, Debug, Serialize)]
pub struct PlatformInfo {
    /// Its name.
    pub name: String,
    /// The public part of its key (`hbk_<key id>_...`).
    pub key_id: String,
    /// When it was added.
    pub created_at: String,
    /// When its key was revoked.
    pub revoked_at: Option<String>,
    /// `platform` or `investigator`.
    pub role: String,
}

/// How long a wrong secret for a known key id is refused without argon2.
const FAILED_KEY_TTL: Duration = Duration::from_secs(10 * 60);
/// Most wrong keys remembered at once (about 50 bytes each).
const MAX_FAILED_KEYS: usize = 10_000;

/// Verified keys, by SHA-256 of the key, with when they were last checked;
/// and wrong keys of known key ids, by SHA-256, with when they failed.
pub(crate) struct KeyCache {
    ttl: Duration,
    verified: Mutex<HashMap<[u8; 32], (Platform, Instant)>>,
    failed: Mutex<HashMap<[u8; 32], Instant>>,
}

impl KeyCache {
    pub(crate) fn new(ttl: Duration) -> KeyCache {
        KeyCache {
            ttl,
            verified: Mutex::new(HashMap::new()),
            failed: Mutex::new(HashMap::new()),
        }
    }

    fn failed_recently(&self, digest: &[u8; 32]) -> bool {
        self.failed
            .lock()
            .expect("failed keys")
            .get(digest)
            .is_some_and(|at| at.elapsed() < FAILED_KEY_TTL)
    }

    /// Remembers a wrong key; when the table is full of recent ones, the
    /// key is not remembered (and costs argon2 again next time).
    fn failed(&self, digest: [u8; 32]) {
        let mut failed = self.failed.lock().expect("failed keys");
        if failed.len() >= MAX_FAILED_KEYS {
            failed.retain(|_, at| at.elapsed() < FAILED_KEY_TTL);
        }
        if failed.len() < MAX_FAILED_KEYS {
            failed.insert(digest, Instant::now());
        }
    }
}

impl Bank {
    /// Adds a platform; returns its API key, which is shown only this once.
    pub async fn add_platform(&self, name: &str) -> Result<String> {
        self.add_key(name, KeyRole::Platform, None).await
    }

    /// Adds an investigator, with its unit's contact text per language
    /// ([`check_contact`]); returns its API key, shown once.
    pub async fn add_investigator(
        &self,
        name: &str,
        contact: &std::collections::BTreeMap<String, String>,
    ) -> Result<String> {
        check_contact(contact)?;
        let json = serde_json::to_string(contact)
            .map_err(|e| BankError::Internal(format!("contact: {e}")))?;
        self.add_key(name, KeyRole::Investigator, Some(json)).await
    }

    async fn add_key(&self, name: &str, role: KeyRole, contact: Option<String>) -> Result<String> {
        check_name(name)?;
        let (key, key_id) = new_api_key();
        let key_hash = self.hash_secret(key.clone()).await?;
        let mut write = Write::begin(&self.db).await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM platforms WHERE name = $1")
            .bind(name)
            .fetch_optional(write.conn())
            .await?;
        if taken.is_some() {
            return Err(BankError::Conflict(format!(
                "a platform named {name:?} exists already"
            )));
        }
        let id = random_id();
        sqlx::query(
            "INSERT INTO platforms (id, name, key_id, key_hash, created_at, role, contact) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(name)
        .bind(&key_id)
        .bind(&key_hash)
        .bind(write.at)
        .bind(role.as_str())
        .bind(contact)
        .execute(write.conn())
        .await?;
        write
            .audit(
                &Actor::Operator,
                match role {
                    KeyRole::Platform => "platform.add",
                    KeyRole::Investigator => "investigator.add",
                },
                &format!("platform:{id}"),
                &format!("name={name} key_id={key_id}"),
            )
            .await?;
        write.commit().await?;
        Ok(key)
    }

    /// Every platform, by name.
    pub async fn list_platforms(&self) -> Result<Vec<PlatformInfo>> {
        let rows: Vec<(String, String, i64, Option<i64>, String)> = sqlx::query_as(
            "SELECT name, key_id, created_at, revoked_at, role FROM platforms ORDER BY name",
        )
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(name, key_id, created_at, revoked_at, role)| PlatformInfo {
                    name,
                    key_id,
                    created_at: rfc3339(created_at),
                    revoked_at: revoked_at.map(rfc3339),
                    role,
                },
            )
            .collect())
    }

    /// Revokes the platform's key: refused on every server within the key
    /// cache's time.
    pub async fn revoke_platform(&self, name: &str) -> Result<()> {
        let mut write = Write::begin(&self.db).await?;
        let row: Option<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, revoked_at FROM platforms WHERE name = $1")
                .bind(name)
                .fetch_optional(write.conn())
                .await?;
        let Some((id, revoked_at)) = row else {
            return Err(BankError::NotFound(format!("no platform named {name:?}")));
        };
        if revoked_at.is_some() {
            return Err(BankError::Conflict(format!(
                "the key of {name:?} is revoked already"
            )));
        }
        sqlx::query("UPDATE platforms SET revoked_at = $1 WHERE id = $2")
            .bind(write.at)
            .bind(id)
            .execute(write.conn())
            .await?;
        write
            .audit(
                &Actor::Operator,
                "platform.revoke",
                &format!("platform:{id}"),
                &format!("name={name}"),
            )
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// The platform whose key this is; [`BankError::BadKey`] for a
    /// malformed, unknown, wrong or revoked key.
    pub async fn authenticate(&self, key: &str) -> Result<Platform> {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let cached = self
            .keys
            .verified
            .lock()
            .expect("key cache")
            .get(&digest)
            .cloned();
        if let Some((platform, checked)) = cached {
            if checked.elapsed() < self.keys.ttl {
                return Ok(platform);
            }
            // The secret was verified before; only revocation can change.
            let revoked: Option<(Option<i64>,)> =
                sqlx::query_as("SELECT revoked_at FROM platforms WHERE id = $1")
                    .bind(platform.id)
                    .fetch_optional(&self.db.pool)
                    .await?;
            let mut verified = self.keys.verified.lock().expect("key cache");
            return match revoked {
                Some((None,)) => {
                    verified.insert(digest, (platform.clone(), Instant::now()));
                    Ok(platform)
                }
                _ => {
                    verified.remove(&digest);
                    Err(BankError::BadKey)
                }
            };
        }
        // A malformed key, an unknown key id and a revoked key are refused
        // without argon2: key ids are public, random and 80 bits long, so
        // learning that one does not exist tells a stranger nothing. Only a
        // known key id costs one verification, and a wrong secret for it is
        // then remembered for a while.
        let Some(key_id) = key_id_of(key) else {
            return Err(BankError::BadKey);
        };
        if self.keys.failed_recently(&digest) {
            return Err(BankError::BadKey);
        }
        let row: Option<(i64, String, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT id, name, key_hash, revoked_at, role FROM platforms WHERE key_id = $1",
        )
        .bind(key_id)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some((id, name, key_hash, None, role)) = row else {
            return Err(BankError::BadKey);
        };
        if !self.verify_secret(key.to_string(), Some(key_hash)).await? {
            self.keys.failed(digest);
            return Err(BankError::BadKey);
        }
        let platform = Platform {
            id,
            name,
            role: KeyRole::parse(&role)?,
        };
        self.keys
            .verified
            .lock()
            .expect("key cache")
            .insert(digest, (platform.clone(), Instant::now()));
        Ok(platform)
    }

    /// Whether `key` was verified before and is trusted without argon2 (it
    /// may still have been revoked since).
    pub fn key_verified_before(&self, key: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        self.keys
            .verified
            .lock()
            .expect("key cache")
            .contains_key(&digest)
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(BankError::invalid(
            "invalid_name",
            format!(
                "a platform name has 1 to {MAX_NAME_LEN} letters, digits, dots, dashes or underscores"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{test_bank as bank, Settings};

    #[tokio::test]
    async fn only_a_known_key_id_costs_argon2_and_only_once() {
        let dir = tempfile::tempdir().unwrap();
        let bank = bank(&dir, Settings::default()).await;
        let key = bank.add_platform("photos").await.unwrap();
        let runs = bank.argon2_runs();

        // Malformed keys and keys of unknown ids: thousands, no argon2.
        for i in 0..2000 {
            let malformed = format!("hbk_{i}");
            let (unknown, _) = new_api_key();
            for attempt in [malformed.as_str(), unknown.as_str(), "", "Bearer x"] {
                assert!(matches!(
                    bank.authenticate(attempt).await,
                    Err(BankError::BadKey)
                ));
            }
        }
        assert_eq!(bank.argon2_runs(), runs);

        // A wrong secret for the real key id: one verification, then it is
        // remembered as wrong.
        let mut wrong = key.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == 'A' { 'B' } else { 'A' });
        for _ in 0..100 {
            assert!(matches!(
                bank.authenticate(&wrong).await,
                Err(BankError::BadKey)
            ));
        }
        assert_eq!(bank.argon2_runs(), runs + 1);

        // The right key: one verification, then cached.
        assert!(!bank.key_verified_before(&key));
        for _ in 0..100 {
            assert_eq!(bank.authenticate(&key).await.unwrap().name, "photos");
        }
        assert_eq!(bank.argon2_runs(), runs + 2);
        assert!(bank.key_verified_before(&key));

        // A revoked key is refused without argon2 too.
        let other = bank.add_platform("other").await.unwrap();
        bank.revoke_platform("other").await.unwrap();
        let runs = bank.argon2_runs();
        assert!(matches!(
            bank.authenticate(&other).await,
            Err(BankError::BadKey)
        ));
        assert_eq!(bank.argon2_runs(), runs);
    }

    #[tokio::test]
    async fn a_full_argon2_pool_answers_busy_after_the_queue_wait() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            argon2_permits: 2,
            argon2_queue_wait: Duration::from_millis(50),
            ..Settings::default()
        };
        let bank = bank(&dir, settings).await;
        let key = bank.add_platform("photos").await.unwrap();
        let held = bank.hold_argon2_permits(2).await;
        let runs = bank.argon2_runs();
        let answer = bank.authenticate(&key).await;
        let Err(BankError::Busy { retry_after }) = answer else {
            panic!("{answer:?}");
        };
        assert!(retry_after >= Duration::from_secs(1));
        assert!(matches!(
            bank.add_platform("more").await,
            Err(BankError::Busy { .. })
        ));
        assert_eq!(bank.argon2_runs(), runs);
        drop(held);
        assert_eq!(bank.authenticate(&key).await.unwrap().name, "photos");
    }
}
