//! The bank's platform API from the platform's side: the key, the HTTP
//! client (feed, match, reports) and `sync`, which keeps a local bank file
//! (`matcher::LocalBank`) in step with the bank's feed. Used by `hashbank
//! sync` and by `hashbank scan` when it matches through the bank or reports
//! to it.

mod client;
mod key;
mod sync;
mod wire;

pub use client::{is_url, sends_in_clear, BankClient, ClientError, FeedPage, PlainHttp};
pub use key::{ApiKey, KeyFileError};
pub use sync::{sync, SyncError, SyncOptions, SyncSummary, DEFAULT_SAVE_EVERY, MAX_PAGE};
pub use wire::change as feed_change;
