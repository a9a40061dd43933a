//! Where candidates come from: a local bank file, or the bank's match API.

use api::MatchedHash;
use model::{VideoHash, VideoRule};

use crate::decide::Candidate;
use crate::hashes::HashValue;
use crate::query::{Label, Query};
use client::{BankClient, ClientError};
use matcher::LocalBank;

/// Most hashes the bank takes in one match request.
pub const MAX_MATCH_BATCH: usize = 1000;

/// A source of candidates for queries.
pub trait MatchSource: Sync {
    /// The stored hashes near each hash of each query (up to `radius` bits
    /// for PDQ, exact for digests), per query, in order. A source may leave
    /// out pairs of labels that are never compared (both do), and may
    /// search each PDQ hash only as far as its label needs
    /// ([`model::search_radius`]; a local bank does). Scans ask
    /// with [`model::SEARCH_RADIUS`].
    fn candidates(
        &self,
        queries: &[&Query],
        radius: u32,
    ) -> Result<Vec<Vec<Candidate>>, ClientError>;

    /// Queries worth gathering for one call: 1 when each file is best
    /// matched on its own hashing thread.
    fn batch(&self) -> usize;

    /// What a video file's vPDQ hash matches, as the match API answers a
    /// video under its default rule: stored videos it matches, then stored
    /// pictures one of its frames shows.
    fn video_matches(&self, video: &VideoHash) -> Result<Vec<MatchedHash>, ClientError>;
}

impl MatchSource for LocalBank {
    fn candidates(
        &self,
        queries: &[&Query],
        radius: u32,
    ) -> Result<Vec<Vec<Candidate>>, ClientError> {
        Ok(queries
            .iter()
            .map(|q| {
                q.hashes
                    .iter()
                    .enumerate()
                    .flat_map(|(i, h)| {
                        let found = match (h.label, &h.value) {
                            (Label::Pdq(label), HashValue::Pdq(hash)) => {
                                let radius = model::search_radius(label).min(radius);
                                self.search_for(label, hash, radius)
                            }
                            _ => self.search(&h.value, radius),
                        };
                        found
                            .into_iter()
                            .map(move |found| Candidate { query: i, found })
                    })
                    .collect()
            })
            .collect())
    }

    fn batch(&self) -> usize {
        1
    }

    fn video_matches(&self, video: &VideoHash) -> Result<Vec<MatchedHash>, ClientError> {
        Ok(self
            .matcher()
            .search_video(video, &VideoRule::default())
            .to_matched())
    }
}

/// The bank's match API, asked in batches.
pub struct RemoteBank {
    client: BankClient,
}

impl RemoteBank {
    /// Matching through `client`.
    pub fn new(client: BankClient) -> RemoteBank {
        RemoteBank { client }
    }
}

impl MatchSource for RemoteBank {
    fn candidates(
        &self,
        queries: &[&Query],
        radius: u32,
    ) -> Result<Vec<Vec<Candidate>>, ClientError> {
        // Every hash of every query, with where it came from.
        let flat: Vec<(usize, usize)> = queries
            .iter()
            .enumerate()
            .flat_map(|(q, query)| (0..query.hashes.len()).map(move |h| (q, h)))
            .collect();
        let mut out: Vec<Vec<Candidate>> = vec![Vec::new(); queries.len()];
        for chunk in flat.chunks(MAX_MATCH_BATCH) {
            let values: Vec<_> = chunk
                .iter()
                .map(|&(q, h)| {
                    let hash = queries[q].hashes[h].clone();
                    let label = match hash.label {
                        Label::Pdq(l) => Some(l),
                        Label::Md5 | Label::Sha256 | Label::Vpdq => None,
                    };
                    (hash.value, label)
                })
                .collect();
            let results = self.client.match_hashes(&values, radius)?;
            for (&(q, h), found) in chunk.iter().zip(results) {
                out[q].extend(found.into_iter().map(|found| Candidate { query: h, found }));
            }
        }
        Ok(out)
    }

    fn batch(&self) -> usize {
        // Queries have up to 16 hashes: a few dozen full requests per batch.
        MAX_MATCH_BATCH
    }

    fn video_matches(&self, video: &VideoHash) -> Result<Vec<MatchedHash>, ClientError> {
        self.client.match_video(video)
    }
}
