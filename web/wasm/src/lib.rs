//! The victim's page hashes her images on her own device with this crate:
//! crates/media and crates/pdq compiled to WebAssembly, so the page computes
//! exactly the hashes `hashbank hash` computes.
//!
//! One function crosses into JavaScript, [`fingerprint`]: the bytes of one
//! file in, a JSON text out (a [`Report`]): the fingerprint, the hashes to
//! submit for it (the bank's own [`api::NewHash`], as `POST /v1/cases`
//! reads them), and, when the image cannot be used, a refusal with a
//! stable code that the page turns into a plain message in the reader's
//! language. Everything else here is ordinary Rust, tested natively.
//!
//! ```
//! let report: serde_json::Value =
//!     serde_json::from_str(&hashbank_wasm::fingerprint(b"plain text")).unwrap();
//! assert_eq!(report["refusal"]["code"], "not_an_image");
//! assert_eq!(report["hashes"].as_array().unwrap().len(), 0);
//! ```

mod refusal;
mod report;
mod submission;

pub use refusal::{Refusal, RefusalCode};
pub use report::{fingerprint_report, Print, Report};
pub use submission::submission;

use wasm_bindgen::prelude::wasm_bindgen;

/// Fingerprints one image file held in memory, with the command line's
/// default limits (64 MiB, 100 megapixels), and answers a [`Report`] as
/// JSON.
#[wasm_bindgen]
pub fn fingerprint(bytes: &[u8]) -> String {
    serde_json::to_string(&fingerprint_report(bytes)).expect("a report always serialises")
}
