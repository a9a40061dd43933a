//! The API's JSON on any bytes: every body the server reads (a case filed,
//! hashes added to it, a match request, a report, an outcome) and every
//! answer the scanner's client reads (a feed page, a match answer, a report
//! created, an error) parses or fails without a panic. Then what is done
//! with a parsed body never panics either: the bank's checks of a case's
//! hashes, and each feed entry turned into a change. Where a body parses,
//! it serializes and parses back to the same (the kinds, roles, categories,
//! outcomes and match queries both sides write), a checked hash is in
//! lower-case hex that parses, and a change holds the entry's id, kind and
//! value.
#![no_main]

use std::collections::HashSet;
use std::fmt::Debug;

use api::{
    ErrorBody, FeedEntry as Entry, FeedPage as Page, HashQuery as Query, MatchRequest,
    MatchResponse as MatchAnswer, MoreHashes, NewCase, NewHash, NewReport, Outcome,
    OutcomeRequest, ReportCreated,
};
use hashbank_bank::check_new_hashes;
use matcher::Change;
use libfuzzer_sys::fuzz_target;
use model::{Category, HashValue, Kind, Role};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A value that parses writes back to JSON that parses to the same value.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_vec(&value).expect("a parsed value serializes");
        let again: T = serde_json::from_slice(&text).expect("what was written parses");
        assert_eq!(again, value);
    }
}

/// The bank's checks of submitted hashes: what passes is lower-case hex
/// that parses as its kind.
fn check_hashes(hashes: &[NewHash]) {
    if let Ok(checked) = check_new_hashes(hashes, &HashSet::new()) {
        assert_eq!(checked.len(), hashes.len());
        for hash in checked {
            assert_eq!(hash.value, hash.value.to_ascii_lowercase());
            let value = HashValue::parse(hash.kind, &hash.value).expect("a checked hash parses");
            assert_eq!(value.to_hex(), hash.value);
        }
    }
}

/// A feed entry becomes a change holding its id, kind and value, or is
/// refused, never a panic.
fn check_entry(entry: &Entry) {
    match client::feed_change(entry) {
        Ok(Some(Change::Add { id, value, meta })) => {
            assert_eq!(Ok(id), u64::try_from(entry.hash_id));
            assert_eq!(Some(meta.kind), entry.kind);
            assert_eq!(value.kind(), meta.kind);
            let text = entry.value.as_deref().unwrap_or("");
            assert_eq!(value.to_hex(), text.to_ascii_lowercase());
        }
        Ok(Some(Change::Delete { id })) => {
            assert_eq!(Ok(id), u64::try_from(entry.hash_id));
        }
        Ok(None) | Err(_) => {}
    }
}

fuzz_target!(|data: &[u8]| {
    // Words both sides write.
    round_trip::<Kind>(data);
    round_trip::<Role>(data);
    round_trip::<Category>(data);
    round_trip::<Outcome>(data);

    // What the server reads.
    if let Ok(case) = serde_json::from_slice::<NewCase>(data) {
        check_hashes(&case.hashes);
    }
    if let Ok(more) = serde_json::from_slice::<MoreHashes>(data) {
        check_hashes(&more.hashes);
    }
    let _ = serde_json::from_slice::<MatchRequest>(data);
    let _ = serde_json::from_slice::<NewReport>(data);
    let _ = serde_json::from_slice::<OutcomeRequest>(data);
    // A match query is written by the bank as it read it (in its answer).
    if let Ok(query) = serde_json::from_slice::<Query>(data) {
        let text = serde_json::to_value(&query).expect("a query serializes");
        let again: Query = serde_json::from_value(text.clone()).expect("a written query parses");
        assert_eq!(
            serde_json::to_value(&again).expect("a query serializes"),
            text
        );
    }

    // What the scanner's client reads.
    if let Ok(page) = serde_json::from_slice::<Page>(data) {
        page.entries.iter().for_each(check_entry);
    }
    if let Ok(entry) = serde_json::from_slice::<Entry>(data) {
        check_entry(&entry);
    }
    let _ = serde_json::from_slice::<MatchAnswer>(data);
    let _ = serde_json::from_slice::<ReportCreated>(data);
    let _ = serde_json::from_slice::<ErrorBody>(data);
});
