//! Random ids, case numbers, PINs and API keys from the operating system's
//! CSPRNG, and their argon2id hashes.
//!
//! PINs and API keys are stored only as argon2id PHC strings; neither is
//! ever logged. A verification against an unknown case number runs against
//! a dummy hash, so it costs the same time as a real one. API keys carry a
//! public key id, so a key whose id is unknown is refused without argon2.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::error::{BankError, Result};

/// Crockford's base32 alphabet: digits and letters without I, L, O, U.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Case numbers start with this.
pub const CASE_NUMBER_PREFIX: &str = "HB";
/// Groups of base32 characters in a case number (`HB-XXXX-XXXX-XXXX`).
const CASE_NUMBER_GROUPS: usize = 3;
/// Characters per group: 3 x 4 characters of 5 bits = 60 random bits.
const CASE_NUMBER_GROUP_LEN: usize = 4;
/// Digits in a PIN: about 33 bits, enough with the lockout after 5 wrong tries.
pub const PIN_DIGITS: usize = 10;
/// API keys start with this (`hbk_<key id>_<secret>`).
pub const KEY_PREFIX: &str = "hbk";
/// Base32 characters in the public key id (80 bits: unique without a retry).
const KEY_ID_LEN: usize = 16;
/// Base32 characters in the key's secret (160 bits).
const KEY_SECRET_LEN: usize = 32;
/// Ids are positive integers below 2^53: random, and still exact as JSON
/// numbers in JavaScript (`Number.MAX_SAFE_INTEGER`), which a 63-bit id is
/// not. A clash (about 1 in 10^9 per hash at a million hashes) fails the
/// insert, which the bank retries with new ids.
const ID_MASK: u64 = (1 << 53) - 1;

/// argon2id cost: the defaults are OWASP's recommendation
/// (m = 19 MiB, t = 2, p = 1); lighter settings are for tests only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for Argon2Cost {
    fn default() -> Self {
        Argon2Cost {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes and verifies PINs and API keys with argon2id at one cost.
#[derive(Clone)]
pub struct Secrets {
    argon2: Argon2<'static>,
    /// A hash of a random secret, verified against when there is no real one.
    dummy: String,
}

impl Secrets {
    /// A hasher at `cost`.
    pub fn new(cost: Argon2Cost) -> Result<Secrets> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(|e| BankError::invalid("invalid_setting", format!("argon2 cost: {e}")))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut secrets = Secrets {
            argon2,
            dummy: String::new(),
        };
        secrets.dummy = secrets.hash(&random_base32(KEY_SECRET_LEN))?;
        Ok(secrets)
    }

    /// The argon2id PHC string of `secret`, with a fresh random salt.
    pub fn hash(&self, secret: &str) -> Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2
            .hash_password(secret.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| BankError::Internal(format!("argon2: {e}")))
    }

    /// Whether `secret` matches `phc` (a PHC string made by [`Secrets::hash`]).
    /// With `phc` None it verifies against a dummy hash and returns false,
    /// taking the same time.
    pub fn verify(&self, secret: &str, phc: Option<&str>) -> bool {
        let (phc, real) = match phc {
            Some(phc) => (phc, true),
            None => (self.dummy.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let ok = self
            .argon2
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok();
        ok && real
    }
}

/// A random positive id (hash, case, platform and report ids): not
/// sequential, so ids tell nothing about which came together.
pub fn random_id() -> i64 {
    loop {
        let id = (OsRng.next_u64() & ID_MASK) as i64;
        if id != 0 {
            return id;
        }
    }
}

/// `len` ids for values that arrive together from a source's feed page (see
/// `exchanges`): a random block of `len` consecutive ids, handed out in a
/// random order. The page's values already came together there, and go on
/// this bank's feed in one shuffled write, so the block tells nothing more;
/// a value table kept in id order then takes a page's values in a few of its
/// pages, not in one page each. The caller checks that the block is free.
pub fn random_block(len: usize) -> Vec<i64> {
    let len = len as u64;
    let base = loop {
        let base = OsRng.next_u64() & ID_MASK;
        if base != 0 && base.checked_add(len).is_some_and(|end| end <= ID_MASK + 1) {
            break base;
        }
    };
    let mut ids: Vec<i64> = (base..base + len).map(|id| id as i64).collect();
    ids.shuffle(&mut OsRng);
    ids
}

/// `len` random Crockford base32 characters.
fn random_base32(len: usize) -> String {
    (0..len)
        .map(|_| CROCKFORD[OsRng.gen_range(0..CROCKFORD.len())] as char)
        .collect()
}

/// A new case number, e.g. `HB-7K2M-9QXP-4TDA`.
pub fn new_case_number() -> String {
    let mut number = String::from(CASE_NUMBER_PREFIX);
    for _ in 0..CASE_NUMBER_GROUPS {
        number.push('-');
        number.push_str(&random_base32(CASE_NUMBER_GROUP_LEN));
    }
    number
}

/// A case number as typed, in its stored form: upper case, Crockford's
/// look-alikes mapped (O to 0, I and L to 1), spaces and dashes regrouped.
/// None when it cannot be a case number.
pub fn normalise_case_number(typed: &str) -> Option<String> {
    let mut chars: Vec<char> = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if chars.len() < CASE_NUMBER_PREFIX.len()
        || chars[..CASE_NUMBER_PREFIX.len()].iter().collect::<String>() != CASE_NUMBER_PREFIX
    {
        return None;
    }
    chars.drain(..CASE_NUMBER_PREFIX.len());
    if chars.len() != CASE_NUMBER_GROUPS * CASE_NUMBER_GROUP_LEN
        || !chars.iter().all(|c| CROCKFORD.contains(&(*c as u8)))
    {
        return None;
    }
    let mut number = String::from(CASE_NUMBER_PREFIX);
    for group in chars.chunks(CASE_NUMBER_GROUP_LEN) {
        number.push('-');
        number.extend(group);
    }
    Some(number)
}

/// A new PIN: [`PIN_DIGITS`] random digits.
pub fn new_pin() -> String {
    (0..PIN_DIGITS)
        .map(|_| char::from(b'0' + OsRng.gen_range(0..10u8)))
        .collect()
}

/// A new API key and its public key id: `hbk_<key id>_<secret>`.
pub fn new_api_key() -> (String, String) {
    let key_id = random_base32(KEY_ID_LEN);
    let key = format!("{KEY_PREFIX}_{key_id}_{}", random_base32(KEY_SECRET_LEN));
    (key, key_id)
}

/// The key id of a well-formed API key, None otherwise.
pub fn key_id_of(key: &str) -> Option<&str> {
    let mut parts = key.split('_');
    let (Some(KEY_PREFIX), Some(id), Some(secret), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let base32 = |s: &str| s.bytes().all(|b| CROCKFORD.contains(&b));
    (id.len() == KEY_ID_LEN && secret.len() == KEY_SECRET_LEN && base32(id) && base32(secret))
        .then_some(id)
}

/// SHA-256 of `text`, in lower-case hex.
pub fn sha256_hex(text: &[u8]) -> String {
    model::hex(&Sha256::digest(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIGHT: Argon2Cost = Argon2Cost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn a_block_of_ids_is_consecutive_valid_and_out_of_order() {
        for len in [1, 2, 10_000] {
            let ids = random_block(len);
            assert_eq!(ids.len(), len);
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert!(sorted[0] > 0 && sorted[len - 1] as u64 <= ID_MASK);
            assert!(sorted.windows(2).all(|w| w[1] == w[0] + 1), "consecutive");
            if len > 2 {
                assert_ne!(ids, sorted, "handed out in a random order");
            }
        }
        assert!(random_block(0).is_empty());
    }

    #[test]
    fn case_numbers_round_trip_and_forgive_typing() {
        let number = new_case_number();
        assert_eq!(number.len(), 17);
        assert_eq!(normalise_case_number(&number).as_deref(), Some(&*number));
        let typed = number.to_lowercase().replace('-', " ");
        assert_eq!(normalise_case_number(&typed).as_deref(), Some(&*number));
        assert_eq!(
            normalise_case_number("hb-oooo-iiii-llll").as_deref(),
            Some("HB-0000-1111-1111")
        );
        assert_eq!(normalise_case_number("HB-0000-1111-111U"), None);
        assert_eq!(normalise_case_number("XX-0000-1111-1111"), None);
        assert_eq!(normalise_case_number("HB-0000"), None);
    }

    #[test]
    fn pins_and_keys_have_their_shapes() {
        let pin = new_pin();
        assert_eq!(pin.len(), PIN_DIGITS);
        assert!(pin.bytes().all(|b| b.is_ascii_digit()));
        let (key, id) = new_api_key();
        assert_eq!(key_id_of(&key), Some(id.as_str()));
        assert_eq!(key_id_of("hbk_short_x"), None);
        assert_eq!(key_id_of(&format!("{key}_more")), None);
        assert!(random_id() > 0);
    }

    #[test]
    fn argon2_verifies_only_the_right_secret() {
        let secrets = Secrets::new(LIGHT).unwrap();
        let phc = secrets.hash("1234567890").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(secrets.verify("1234567890", Some(&phc)));
        assert!(!secrets.verify("1234567891", Some(&phc)));
        assert!(!secrets.verify("1234567890", None));
    }
}
