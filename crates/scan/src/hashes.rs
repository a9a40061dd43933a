//! Hashes as a local bank holds them: kind, role, category and quality,
//! with the same words the bank's API uses (all from `hashbank-model`).

use model::BankLabel;
pub use model::{hex, Category, HashValue, Kind, Role};

/// What a local bank keeps about each hash besides its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HashMeta {
    /// Its kind.
    pub kind: Kind,
    /// Plain or extra.
    pub role: Role,
    /// `Some(Minor)` for hashes of a minor case.
    pub category: Option<Category>,
    /// PDQ quality, 0..=100 (PDQ only).
    pub quality: Option<u8>,
    /// What a stored PDQ hash is a hash of (the whole picture, or a part
    /// or view of it), which says what it is compared with; `None` for
    /// digests.
    pub label: Option<BankLabel>,
}
