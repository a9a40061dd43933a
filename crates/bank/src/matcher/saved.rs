//! The matcher saved to a file when a server stops, and opened at its next
//! start instead of reading every hash from the database (`serve
//! --matcher-file`). Opening the index costs about a tenth of building it,
//! and the database is read only for the feed entries written since.
//!
//! The file holds hash values, so it must not outlive an erasure in a form
//! anyone can read. It is encrypted (AES-256-GCM, in sealed chunks, the last
//! one marked so that a cut file is refused) with a fresh key that is kept
//! only in the database (`matcher_keys`):
//! - every erasure deletes every key in its own transaction, so a file saved
//!   before a withdrawal can no longer be read once the withdrawal commits;
//! - a start deletes the file and its key, whether it could use them or not,
//!   so a file lives only while its server is stopped.
//!
//! A saved matcher that cannot be used (no key, damaged, another bank's) is
//! no error: the server loads from the database as it would without one.
//!
//! The file: `HBMATCHR`, a format version (u32) and the key's id (i64),
//! then chunks of a length (u32) and the sealed bytes. Inside: the feed
//! cursor the matcher had followed to (i64), then the matcher as
//! [`matcher::Matcher::write_to`] writes it (the same bytes a local bank
//! file holds). Integers little-endian.

use std::fs::{File, OpenOptions};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};

use super::FeedMatcher;
use crate::db::Db;
use crate::error::{BankError, Result};

const MAGIC: &[u8; 8] = b"HBMATCHR";
/// Version 2 holds the matcher in the layout the local bank file shares.
const VERSION: u32 = 2;
const HEADER_LEN: usize = 20;
/// Plain bytes per sealed chunk.
#[cfg(not(test))]
const CHUNK: usize = 1 << 20;
/// Small chunks in unit tests, so that a test file has several.
#[cfg(test)]
const CHUNK: usize = 1024;
const TAG_LEN: usize = 16;

/// What a start made of a saved matcher.
#[derive(Debug, PartialEq, Eq)]
pub enum Opened {
    /// The matcher was read from the file.
    Read {
        /// Hashes held after following the feed.
        hashes: usize,
        /// The feed cursor it was saved at.
        cursor: i64,
    },
    /// There was no file.
    Absent,
    /// The file was there but could not be used (the reason); it is gone.
    Unusable(String),
}

impl FeedMatcher {
    /// Saves the matcher to `path` (owner-only, replacing what is there),
    /// encrypted with a new key stored in the database; returns the hashes
    /// saved. The feed is followed first under the new key, so that the file
    /// holds nothing erased before the key existed; an erasure after it
    /// deletes the key.
    pub async fn save(&self, db: &Db, path: &Path) -> Result<usize> {
        discard(db, path).await?;
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let key_id = crate::secrets::random_id();
        sqlx::query("INSERT INTO matcher_keys (id, key, created_at) VALUES ($1, $2, $3)")
            .bind(key_id)
            .bind(model::hex(&key))
            .bind(crate::clock::now_ms())
            .execute(&db.pool)
            .await?;
        let saved = async {
            self.follow(db).await?;
            let (plain, hashes) = {
                let applied = self.applied.lock().await;
                (self.encode(*applied)?, self.len())
            };
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || write_sealed(&path, key_id, &key, plain))
                .await
                .map_err(|e| BankError::Internal(format!("saving the matcher: {e}")))??;
            Ok(hashes)
        };
        let result = saved.await;
        if result.is_err() {
            let _ = delete_key(db, key_id).await;
        }
        result
    }

    /// Reads the matcher saved at `path`, if it can be used, and follows the
    /// feed from where it was saved; then the matcher is ready. The file and
    /// its key are deleted in every case.
    pub async fn open_saved(&self, db: &Db, path: &Path) -> Result<Opened> {
        // The header first: a file that is not a saved matcher (a path
        // mistyped onto some other file) is left as it is, and neither read
        // whole nor deleted.
        let head = match read_head(path) {
            Ok(head) => head,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Opened::Absent),
            Err(e) => return Err(io_error(path, e)),
        };
        if !head.starts_with(MAGIC) {
            return Ok(Opened::Unusable(
                "not a saved matcher; the file is left as it is".into(),
            ));
        }
        let Some(key_id) = key_id_of(&head) else {
            remove_file(path)?;
            return Ok(Opened::Unusable(
                "a saved matcher of another version".into(),
            ));
        };
        // A database that does not answer leaves the file for the retry.
        let key: Option<(String,)> = sqlx::query_as("SELECT key FROM matcher_keys WHERE id = $1")
            .bind(key_id)
            .fetch_optional(&db.pool)
            .await?;
        delete_key(db, key_id).await?;
        let Some(key) = key.and_then(|(hex,)| model::unhex::<32>(&hex)) else {
            remove_file(path)?;
            return Ok(Opened::Unusable(
                "its key is gone (an erasure since it was saved, or another bank)".into(),
            ));
        };
        // Read (hundreds of MB for a large bank), deleted and opened off the
        // async threads.
        let file = path.to_path_buf();
        let decoded = tokio::task::spawn_blocking(move || {
            let bytes = std::fs::read(&file).map_err(|e| io_error(&file, e))?;
            remove_file(&file)?;
            Ok::<_, BankError>(open_sealed(bytes, &key).and_then(|plain| decode(&plain)))
        })
        .await
        .map_err(|e| BankError::Internal(format!("opening the saved matcher: {e}")))??;
        let decoded = match decoded {
            Ok(decoded) => decoded,
            Err(reason) => return Ok(Opened::Unusable(reason)),
        };
        let (cursor, hashes) = decoded;
        {
            let mut applied = self.applied.lock().await;
            if !self.is_empty() || *applied != 0 {
                return Err(BankError::Internal(
                    "a saved matcher opens only into an empty one".into(),
                ));
            }
            self.hashes.replace_with(hashes);
            *applied = cursor;
            self.cursor.store(cursor, Ordering::Release);
        }
        self.follow(db).await?;
        self.ready.store(true, Ordering::Release);
        Ok(Opened::Read {
            hashes: self.len(),
            cursor,
        })
    }

    /// The plain bytes of the file's contents at `cursor`; the caller holds
    /// the `applied` lock, so no change lands halfway.
    fn encode(&self, cursor: i64) -> Result<Vec<u8>> {
        let io = |e: std::io::Error| BankError::Internal(format!("encoding the matcher: {e}"));
        let mut out = Cursor::new(Vec::new());
        out.write_all(&cursor.to_le_bytes()).map_err(io)?;
        self.hashes.write_to(&mut out).map_err(io)?;
        Ok(out.into_inner())
    }
}

/// The feed cursor and the matcher in a file's plain contents; an error
/// says what was wrong.
fn decode(plain: &[u8]) -> std::result::Result<(i64, matcher::Matcher), String> {
    let cursor = plain
        .get(..8)
        .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
        .ok_or("cut short")?;
    let mut rest = &plain[8..];
    let len = rest.len() as u64;
    let hashes = matcher::Matcher::read_from(&mut rest, len, Path::new("the saved matcher"))
        .map_err(|e| e.to_string())?;
    Ok((cursor, hashes))
}

fn header(key_id: i64) -> [u8; HEADER_LEN] {
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&VERSION.to_le_bytes());
    header[12..].copy_from_slice(&key_id.to_le_bytes());
    header
}

/// The key id of a file that starts as a saved matcher of this version.
fn key_id_of(bytes: &[u8]) -> Option<i64> {
    let head = bytes.get(..HEADER_LEN)?;
    (head[..8] == *MAGIC && head[8..12] == VERSION.to_le_bytes())
        .then(|| i64::from_le_bytes(head[12..].try_into().expect("8 bytes")))
}

fn nonce(chunk: u64) -> Nonce {
    let mut nonce = [0u8; NONCE_LEN];
    nonce[NONCE_LEN - 8..].copy_from_slice(&chunk.to_le_bytes());
    Nonce::assume_unique_for_key(nonce)
}

/// What each chunk is sealed with besides its bytes: the header, and
/// whether it is the last.
fn aad(header: &[u8; HEADER_LEN], last: bool) -> [u8; HEADER_LEN + 1] {
    let mut aad = [0u8; HEADER_LEN + 1];
    aad[..HEADER_LEN].copy_from_slice(header);
    aad[HEADER_LEN] = u8::from(last);
    aad
}

fn cipher(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte key"))
}

/// Seals `plain` into `path` (through a temporary file, synced and renamed).
fn write_sealed(path: &Path, key_id: i64, key: &[u8; 32], mut plain: Vec<u8>) -> Result<()> {
    let header = header(key_id);
    let cipher = cipher(key);
    let temp = temp_path(path);
    let written = (|| -> std::io::Result<()> {
        let file = private_file(&temp)?;
        let mut out = std::io::BufWriter::with_capacity(CHUNK + 64, file);
        out.write_all(&header)?;
        let chunks = plain.len().div_ceil(CHUNK).max(1);
        for (i, chunk) in plain
            .chunks_mut(CHUNK)
            .chain(std::iter::once(&mut [][..]))
            .take(chunks)
            .enumerate()
        {
            let last = i + 1 == chunks;
            let tag = cipher
                .seal_in_place_separate_tag(nonce(i as u64), Aad::from(aad(&header, last)), chunk)
                .map_err(|_| std::io::Error::other("sealing failed"))?;
            out.write_all(&((chunk.len() + TAG_LEN) as u32).to_le_bytes())?;
            out.write_all(chunk)?;
            out.write_all(tag.as_ref())?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io_error(path, e));
    }
    Ok(())
}

/// The plain contents of a sealed file; an error says what was wrong.
fn open_sealed(mut bytes: Vec<u8>, key: &[u8; 32]) -> std::result::Result<Vec<u8>, String> {
    let header: [u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or("cut short in its header")?;
    let cipher = cipher(key);
    let mut read = HEADER_LEN;
    let mut written = 0;
    let mut chunk = 0u64;
    loop {
        let len_bytes = bytes
            .get(read..read + 4)
            .ok_or("cut short before its last chunk")?;
        let len = u32::from_le_bytes(len_bytes.try_into().expect("4 bytes")) as usize;
        read += 4;
        if !(TAG_LEN..=CHUNK + TAG_LEN).contains(&len) || read + len > bytes.len() {
            return Err("a chunk's length is wrong".into());
        }
        let last = read + len == bytes.len();
        let sealed = &mut bytes[read..read + len];
        let opened = cipher
            .open_in_place(nonce(chunk), Aad::from(aad(&header, last)), sealed)
            .map_err(|_| "damaged, cut short or sealed with another key".to_string())?;
        let n = opened.len();
        bytes.copy_within(read..read + n, written);
        written += n;
        read += len;
        chunk += 1;
        if last {
            break;
        }
    }
    bytes.truncate(written);
    Ok(bytes)
}

/// Deletes a file at `path` and the key it names, if any (a file left by an
/// earlier save that no start opened).
/// Refuses to replace a file that is not a saved matcher.
async fn discard(db: &Db, path: &Path) -> Result<()> {
    let head = match read_head(path) {
        Ok(head) => head,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(path, e)),
    };
    if !head.starts_with(MAGIC) {
        return Err(BankError::Internal(format!(
            "{} is not a saved matcher: not replaced",
            path.display()
        )));
    }
    if let Some(key_id) = key_id_of(&head) {
        let _ = delete_key(db, key_id).await;
    }
    remove_file(path)
}

/// Up to the header's length of the file's first bytes.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEADER_LEN);
    File::open(path)?
        .take(HEADER_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

async fn delete_key(db: &Db, key_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM matcher_keys WHERE id = $1")
        .bind(key_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(path, e)),
        _ => Ok(()),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "matcher".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// A new file only its owner can read and write.
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn io_error(path: &Path, e: std::io::Error) -> BankError {
    BankError::Internal(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use model::QueryLabel;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::bank::{test_bank, Bank, Settings};
    use crate::cases::NewCase;
    use crate::hashes::{check_pdq_value, Category, NewHash};
    use crate::hashes::{Kind, Role};
    use api::MatchedHash as Found;

    /// `n` acceptable PDQ values from `seed`.
    fn pdq_values(n: usize, seed: u64) -> Vec<String> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut values = Vec::new();
        while values.len() < n {
            let value: String = (0..32)
                .map(|_| format!("{:02x}", rng.gen::<u8>()))
                .collect();
            if check_pdq_value(&value, "hash").is_ok() {
                values.push(value);
            }
        }
        values
    }

    /// A case of PDQ hashes (the first one as a trimmed extra), one MD5
    /// and one SHA-256; all its values.
    fn case(seed: u64, minor: bool) -> (NewCase, Vec<(Kind, String)>) {
        let pdq = pdq_values(40, seed);
        let md5 = format!("{seed:032x}");
        let sha256 = format!("{seed:064x}");
        let mut hashes: Vec<NewHash> = pdq
            .iter()
            .enumerate()
            .map(|(i, value)| NewHash {
                kind: Kind::Pdq,
                value: value.clone(),
                quality: Some(90),
                role: if i == 0 { Role::Extra } else { Role::Plain },
                label: Some(if i == 0 { "trim" } else { "pdq" }.into()),
            })
            .collect();
        for (kind, value) in [(Kind::Md5, &md5), (Kind::Sha256, &sha256)] {
            hashes.push(NewHash {
                kind,
                value: value.clone(),
                quality: None,
                role: Role::Plain,
                label: None,
            });
        }
        let mut values: Vec<(Kind, String)> = pdq.into_iter().map(|v| (Kind::Pdq, v)).collect();
        values.push((Kind::Md5, md5));
        values.push((Kind::Sha256, sha256));
        let category = minor.then_some(Category::Minor);
        (NewCase { hashes, category }, values)
    }

    /// The same bank opened again, its matcher not loaded.
    async fn reopen(dir: &tempfile::TempDir) -> Arc<Bank> {
        let url = format!("sqlite://{}", dir.path().join("bank.db").display());
        Bank::open(&url, Settings::default()).await.unwrap()
    }

    fn search(bank: &Bank, values: &[(Kind, String)]) -> Vec<Vec<Found>> {
        values
            .iter()
            .map(|(kind, value)| bank.matcher.search(*kind, value, QueryLabel::Plain, None))
            .collect()
    }

    async fn keys(bank: &Bank) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM matcher_keys")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        n
    }

    /// Whether `bytes` hold `value` as hex text (either case) or raw bytes.
    fn holds(bytes: &[u8], value: &str) -> bool {
        let raw: Vec<u8> = (0..value.len() / 2)
            .map(|i| u8::from_str_radix(&value[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        [
            value.as_bytes().to_vec(),
            value.to_uppercase().into_bytes(),
            raw,
        ]
        .iter()
        .any(|form| bytes.windows(form.len()).any(|w| w == form.as_slice()))
    }

    /// Saved, then opened by a later start: the same answers for every
    /// value, what others filed meanwhile followed, and the file and its
    /// key gone. The file is its owner's only and holds no value in the
    /// clear.
    #[tokio::test]
    async fn a_saved_matcher_opens_as_it_was_and_follows_what_came_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("matcher");
        let bank = test_bank(&dir, Settings::default()).await;
        let (a, a_values) = case(1, false);
        let (b, b_values) = case(2, true);
        bank.create_case(a).await.unwrap();
        bank.create_case(b).await.unwrap();
        let saved = bank.save_matcher(&path).await.unwrap();
        assert_eq!(saved, 84);
        assert_eq!(keys(&bank).await, 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 3 * CHUNK, "several chunks: {}", bytes.len());
        for (_, value) in a_values.iter().chain(&b_values) {
            assert!(!holds(&bytes, value), "{value} in the clear");
        }
        let expected = search(&bank, &a_values);
        drop(bank);

        // While it is stopped, another server files a case.
        let other = reopen(&dir).await;
        other.load().await.unwrap();
        let (c, c_values) = case(3, false);
        other.create_case(c).await.unwrap();

        let again = reopen(&dir).await;
        let opened = again.load_with(Some(&path)).await.unwrap();
        assert!(
            matches!(opened, Opened::Read { hashes: 126, cursor } if cursor > 0),
            "{opened:?}"
        );
        assert!(again.matcher.is_ready());
        assert_eq!(again.matcher.len(), 126);
        assert_eq!(search(&again, &a_values), expected);
        assert_eq!(search(&again, &b_values), search(&other, &b_values));
        assert_eq!(search(&again, &c_values), search(&other, &c_values));
        assert!(search(&again, &c_values).iter().all(|f| f.len() == 1));
        assert!(!path.exists());
        assert_eq!(keys(&again).await, 0);
        // A start after that finds no file and loads from the database.
        let fourth = reopen(&dir).await;
        assert_eq!(fourth.load_with(Some(&path)).await.unwrap(), Opened::Absent);
        assert_eq!(fourth.matcher.len(), 126);
    }

    /// A withdrawal after the save deletes the key: the file, and any copy
    /// of it, can no longer be read, and the next start loads from the
    /// database without the withdrawn values.
    #[tokio::test]
    async fn an_erasure_after_saving_leaves_the_file_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("matcher");
        let copy = dir.path().join("copy");
        let bank = test_bank(&dir, Settings::default()).await;
        let (a, a_values) = case(4, false);
        let (b, b_values) = case(5, false);
        let made = bank.create_case(a).await.unwrap();
        bank.create_case(b).await.unwrap();
        bank.save_matcher(&path).await.unwrap();
        std::fs::copy(&path, &copy).unwrap();
        drop(bank);

        let other = reopen(&dir).await;
        other.load().await.unwrap();
        other
            .withdraw_case(&made.case_number, &made.pin)
            .await
            .unwrap();
        assert_eq!(keys(&other).await, 0);

        for file in [&copy, &path] {
            let again = reopen(&dir).await;
            let opened = again.load_with(Some(file)).await.unwrap();
            assert!(
                matches!(&opened, Opened::Unusable(reason) if reason.contains("key")),
                "{opened:?}"
            );
            assert!(!file.exists());
            assert_eq!(again.matcher.len(), 42);
            assert!(search(&again, &a_values).iter().all(Vec::is_empty));
            assert!(search(&again, &b_values).iter().all(|f| f.len() == 1));
        }
    }

    /// A file damaged, cut at a chunk's end or cut anywhere is refused and
    /// the database used; a file that is not a saved matcher is left alone.
    #[tokio::test]
    async fn a_damaged_or_cut_file_is_refused_and_the_database_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("matcher");
        let bank = test_bank(&dir, Settings::default()).await;
        let (a, a_values) = case(6, false);
        bank.create_case(a).await.unwrap();
        type Damage = fn(&mut Vec<u8>);
        let damages: [(&str, Damage); 4] = [
            ("a byte flipped", |b| {
                let middle = b.len() / 2;
                b[middle] ^= 1;
            }),
            ("the last chunk dropped", |b| {
                // The first chunk: header, length, CHUNK bytes and a tag.
                b.truncate(HEADER_LEN + 4 + CHUNK + TAG_LEN);
            }),
            ("cut anywhere", |b| b.truncate(b.len() - 7)),
            ("another key id", |b| b[12] ^= 1),
        ];
        for (what, damage) in damages {
            bank.save_matcher(&path).await.unwrap();
            let mut bytes = std::fs::read(&path).unwrap();
            damage(&mut bytes);
            std::fs::write(&path, &bytes).unwrap();
            let again = reopen(&dir).await;
            let opened = again.load_with(Some(&path)).await.unwrap();
            assert!(matches!(opened, Opened::Unusable(_)), "{what}: {opened:?}");
            assert!(!path.exists(), "{what}");
            assert_eq!(again.matcher.len(), 42, "{what}");
            assert!(search(&again, &a_values).iter().all(|f| f.len() == 1));
        }

        // Some other file at the path (a mistyped name) is neither read as
        // a matcher nor deleted, nor replaced by a save.
        let other = b"the operator's own notes".to_vec();
        std::fs::write(&path, &other).unwrap();
        let again = reopen(&dir).await;
        let opened = again.load_with(Some(&path)).await.unwrap();
        assert!(matches!(opened, Opened::Unusable(_)), "{opened:?}");
        assert_eq!(again.matcher.len(), 42);
        assert!(again.save_matcher(&path).await.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), other);
    }
}
