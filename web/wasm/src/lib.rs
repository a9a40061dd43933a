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
mod video;

pub use refusal::{Refusal, RefusalCode};
pub use report::{fingerprint_report, Print, Report};
pub use submission::submission;
pub use video::{VideoHasher, VideoPrint, VideoReport, MAX_VIDEO_BYTES, MAX_VIDEO_SECONDS};

use wasm_bindgen::prelude::wasm_bindgen;

/// Fingerprints one image file held in memory, with the command line's
/// default limits (64 MiB, 100 megapixels), and answers a [`Report`] as
/// JSON.
#[wasm_bindgen]
pub fn fingerprint(bytes: &[u8]) -> String {
    serde_json::to_string(&fingerprint_report(bytes)).expect("a report always serialises")
}

/// A video hashed frame by frame as the page decodes it ([`VideoHasher`]).
/// A refusal (over a limit, a frame that is not its size) ends it: every
/// later call is refused too, and [`VideoFingerprint::finish`] answers it.
#[wasm_bindgen]
pub struct VideoFingerprint {
    hasher: Option<VideoHasher>,
    refusal: Option<Refusal>,
}

#[wasm_bindgen]
impl VideoFingerprint {
    /// A video of `width` x `height` frames at `frame_rate`, lasting
    /// `duration` seconds, in a file of `size` bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(
        width: u32,
        height: u32,
        frame_rate: f64,
        duration: f64,
        size: f64,
    ) -> VideoFingerprint {
        match VideoHasher::new(width, height, frame_rate, duration, size) {
            Ok(hasher) => VideoFingerprint {
                hasher: Some(hasher),
                refusal: None,
            },
            Err(refusal) => VideoFingerprint {
                hasher: None,
                refusal: Some(refusal),
            },
        }
    }

    /// Whether the video is refused.
    pub fn refused(&self) -> bool {
        self.refusal.is_some()
    }

    /// Every how many frames one is hashed (0 once refused).
    pub fn step(&self) -> u32 {
        self.hasher
            .as_ref()
            .map_or(0, |h| u32::try_from(h.step()).unwrap_or(u32::MAX))
    }

    /// Whether frame `number` (presentation order, from 0) is hashed.
    pub fn keeps(&self, number: u32) -> bool {
        self.hasher
            .as_ref()
            .is_some_and(|h| h.keeps(u64::from(number)))
    }

    /// The next piece of the file's bytes, in order.
    pub fn add_bytes(&mut self, chunk: &[u8]) {
        if let Some(hasher) = &mut self.hasher {
            hasher.add_bytes(chunk);
        }
    }

    /// Frame `number` was decoded and is not hashed; false once refused.
    pub fn decoded(&mut self, number: u32) -> bool {
        self.apply(|h| h.decoded(u64::from(number)))
    }

    /// Kept frame `number` from its I420 planes; false once refused.
    pub fn add_i420(
        &mut self,
        number: u32,
        y: &[u8],
        y_stride: u32,
        u: &[u8],
        v: &[u8],
        uv_stride: u32,
    ) -> bool {
        self.apply(|h| {
            h.add_i420(
                u64::from(number),
                y,
                y_stride as usize,
                u,
                v,
                uv_stride as usize,
            )
        })
    }

    /// Kept frame `number` from its RGBA pixels; false once refused.
    pub fn add_rgba(&mut self, number: u32, rgba: &[u8]) -> bool {
        self.apply(|h| h.add_rgba(u64::from(number), rgba))
    }

    /// The report as JSON ([`VideoReport`]).
    pub fn finish(self) -> String {
        let report = match (self.hasher, self.refusal) {
            (Some(hasher), None) => hasher.finish(),
            (_, refusal) => VideoReport {
                video: None,
                hashes: Vec::new(),
                refusal,
            },
        };
        serde_json::to_string(&report).expect("a report always serialises")
    }

    fn apply(&mut self, step: impl FnOnce(&mut VideoHasher) -> Result<(), Refusal>) -> bool {
        let Some(hasher) = &mut self.hasher else {
            return false;
        };
        match step(hasher) {
            Ok(()) => true,
            Err(refusal) => {
                self.hasher = None;
                self.refusal = Some(refusal);
                false
            }
        }
    }
}
