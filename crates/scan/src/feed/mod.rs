//! The bank's platform API from the platform's side: the key, the HTTP
//! client (feed, match, reports) and `sync`.

mod client;
mod key;
mod sync;
pub mod wire;

pub use client::{is_url, sends_in_clear, BankClient, ClientError, FeedPage, PlainHttp};
pub use key::{ApiKey, KeyFileError};
pub use sync::{sync, SyncError, SyncOptions, SyncSummary, DEFAULT_SAVE_EVERY, MAX_PAGE};
