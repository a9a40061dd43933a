//! Hashes as a local bank holds them: kind, role, category and quality,
//! with the same words the bank's API uses (all from `hashbank-model`).

pub use model::{hex, Category, HashValue, Kind, Role};

pub use matcher::HashMeta;
