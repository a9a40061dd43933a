//! What a hash is, in one place for every side of hashbank: the bank, its
//! HTTP API, the local bank file, `scan`, and the victim's page (this crate
//! builds for WebAssembly and decodes no image).
//!
//! - [`Kind`], [`Role`] and [`Category`], with the words the API, the
//!   database, the feed and the files use for them;
//! - the labels of PDQ hashes ([`BankLabel`] for stored hashes,
//!   [`QueryLabel`] for a checked file's, [`Part`] for the fixed parts of an
//!   image): a stored PDQ hash's role is given by its label, and a stored
//!   PDQ hash without one counts as plain ([`stored_label`]);
//! - the match decision that ships: which pairs of labels are compared,
//!   within which radius ([`radius`], [`search_radius`]), and which
//!   candidates make a match ([`decide`], [`decide_stored`]);
//! - [`HashValue`] and hex text;
//! - video hashes as vPDQ defines them ([`VideoHash`]), their written
//!   forms, and when two videos match ([`compare_videos`], [`VideoRule`]).
//!
//! How the labelled hashes are computed from pixels is `media::robust`.

mod decide;
mod kind;
mod labels;
mod value;
mod video;

pub use decide::{
    corroborates, decide, decide_stored, radius, search_radius, Candidate, Evidence, Match,
    CORROBORATION_RADIUS, SAME_PICTURE_RADIUS, SEARCH_RADIUS,
};
pub use kind::{Category, Kind, Role, UnknownWord};
pub use labels::{BankLabel, Part, QueryLabel, UnknownLabel};
pub use value::{hex, unhex, HashValue};
pub use video::{
    compare as compare_videos, moments_found, VideoFrame, VideoHash, VideoHashError, VideoPart,
    VideoRule, VideoShares, MAX_VIDEO_FRAMES, PARTS_PER_FRAME, VIDEO_FRAME_RADIUS,
    VIDEO_QUALITY_THRESHOLD, VIDEO_QUERY_SHARE, VIDEO_STORED_SHARE,
};

/// What a stored PDQ hash is compared as: its label, or the plain hash's
/// when it has none (a hash stored before labels, or one imported from a
/// list that has none).
pub fn stored_label(label: Option<BankLabel>) -> BankLabel {
    label.unwrap_or(BankLabel::Plain)
}
