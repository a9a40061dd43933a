//! Exact near-duplicate search of PDQ hashes in Hamming space, and exact
//! MD5 / SHA-256 sets: the matching half of a bank.
//!
//! [`HammingIndex`] stores 256-bit hashes under ids the caller chooses (the
//! bank's hash ids) and answers "which stored hashes lie within Hamming
//! distance r of this one?" exactly: the same answer as comparing the query
//! with every stored hash. It also answers k-nearest queries and batches of
//! queries on several threads, takes inserts and removals while searches run,
//! and saves to one file that opens again in one read. [`Md5Set`] and
//! [`Sha256Set`] do the same for exact digests.
//!
//! [`FrozenIndex`] answers the same range searches, with the same results,
//! several times faster, but is built once and never changes, and takes about
//! nine times the memory (16 sorted copies of every hash, see
//! [`FrozenIndex::BYTES_PER_HASH`]): for many searches against a fixed set,
//! such as a scan of many files against a bank.
//!
//! This crate knows nothing of cases, platforms or HTTP. How a search works
//! (multi-index hashing over 8 substrings of 32 bits, and when a linear scan is
//! cheaper) is described in the `plan` module's source and in [`Strategy`]; the
//! file layout in `file.rs` and `hamming_file.rs`.
//!
//! ```
//! use hashbank_index::{Hash256, HammingIndex};
//!
//! let index = HammingIndex::new();
//! let stored: Hash256 = "f".repeat(64).parse().unwrap();
//! index.insert(7, stored);
//! index.insert(8, Hash256::ZERO);
//!
//! let mut query = stored;
//! query.0[0] ^= 0b111; // three bits differ
//! let matches = index.search(&query, 31);
//! assert_eq!(matches.len(), 1);
//! assert_eq!((matches[0].id, matches[0].distance), (7, 3));
//!
//! let nearest = index.nearest(&Hash256::ZERO, 1);
//! assert_eq!(nearest[0].id, 8);
//! ```

mod digest;
mod error;
pub mod file;
mod found;
mod frozen;
mod hamming;
mod hamming_file;
mod ids;
mod key;
mod layers;
mod masks;
mod plan;
mod removed;
// The popcount kernels: `unsafe` to call the copies compiled for AVX-512,
// AVX2 or POPCNT once the CPU is known to have them (see the module).
#[allow(unsafe_code)]
mod scan;
mod segment;
mod table;

pub use digest::{DigestSet, Md5Set, Sha256Set};
pub use error::FileError;
pub use file::FORMAT_VERSION;
pub use found::Match;
pub use frozen::FrozenIndex;
pub use hamming::HammingIndex;
pub use layers::DEFAULT_TAIL_LIMIT;
pub use pdq::Hash256;
pub use plan::Strategy;
