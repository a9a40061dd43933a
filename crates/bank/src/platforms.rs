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

/// A platform that presented a valid key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
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
}

/// Verified keys, by SHA-256 of the key, with when they were last checked.
pub(crate) struct KeyCache {
    ttl: Duration,
    verified: Mutex<HashMap<[u8; 32], (Platform, Instant)>>,
}

impl KeyCache {
    pub(crate) fn new(ttl: Duration) -> KeyCache {
        KeyCache {
            ttl,
            verified: Mutex::new(HashMap::new()),
        }
    }
}

impl Bank {
    /// Adds a platform; returns its API key, which is shown only this once.
    pub async fn add_platform(&self, name: &str) -> Result<String> {
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
            "INSERT INTO platforms (id, name, key_id, key_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(name)
        .bind(&key_id)
        .bind(&key_hash)
        .bind(write.at)
        .execute(write.conn())
        .await?;
        write
            .audit(
                &Actor::Operator,
                "platform.add",
                &format!("platform:{id}"),
                &format!("name={name} key_id={key_id}"),
            )
            .await?;
        write.commit().await?;
        Ok(key)
    }

    /// Every platform, by name.
    pub async fn list_platforms(&self) -> Result<Vec<PlatformInfo>> {
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT name, key_id, created_at, revoked_at FROM platforms ORDER BY name",
        )
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, key_id, created_at, revoked_at)| PlatformInfo {
                name,
                key_id,
                created_at: rfc3339(created_at),
                revoked_at: revoked_at.map(rfc3339),
            })
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
        let row: Option<(i64, String, String, Option<i64>)> = match key_id_of(key) {
            Some(key_id) => {
                sqlx::query_as(
                    "SELECT id, name, key_hash, revoked_at FROM platforms WHERE key_id = $1",
                )
                .bind(key_id)
                .fetch_optional(&self.db.pool)
                .await?
            }
            None => None,
        };
        let phc = row.as_ref().map(|r| r.2.clone());
        let key_text = if row.is_some() {
            key.to_string()
        } else {
            String::new()
        };
        if !self.verify_secret(key_text, phc).await? {
            return Err(BankError::BadKey);
        }
        let (id, name, _, revoked_at) = row.expect("verified against a real hash");
        if revoked_at.is_some() {
            return Err(BankError::BadKey);
        }
        let platform = Platform { id, name };
        self.keys
            .verified
            .lock()
            .expect("key cache")
            .insert(digest, (platform.clone(), Instant::now()));
        Ok(platform)
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
