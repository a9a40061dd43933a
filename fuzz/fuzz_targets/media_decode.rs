//! Image decoding (`hashbank-media`) of any bytes, with the default limits:
//! the fingerprint of the canonical pipeline, and the fast pipeline's
//! decode followed by the robust hashes a scan looks up and a bank stores,
//! never panic; a decoded image holds as many samples as its size says and
//! is no larger than the limits allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::{robust, Limits, Options, Pipeline};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(print) = media::fingerprint(data, &Options::default()) {
        assert!(print.quality <= 100);
        assert!(print.width as u64 * print.height as u64 <= limits.max_pixels);
    }
    if let Ok(image) = media::decode(data, &limits, Pipeline::Fast) {
        assert!(image.source_width as u64 * image.source_height as u64 <= limits.max_pixels);
        assert_eq!(
            image.pixels.as_slice().len(),
            image.width * image.height * image.pixels.channels()
        );
        let query = robust::query_hashes(&image);
        assert!(!query.is_empty());
        let bank = robust::bank_hashes(&image);
        assert!(!bank.is_empty());
    }
});
