//! The HTTP client of the bank's platform API: the feed, the match API and
//! reports, with timeouts, retries with backoff on failures that may pass,
//! and clear errors on those that will not.

use std::thread::sleep;
use std::time::Duration;

use api::{
    ErrorBody, FeedQuery, HashQuery, MatchRequest, MatchResponse, MatchedHash, NewReport, Outcome,
    OutcomeRecorded, OutcomeRequest, ReportCreated,
};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::key::ApiKey;
use crate::wire;
use matcher::{Change, Found, HashMeta};
use model::{HashValue, Kind, QueryLabel, VideoFrame, VideoHash};

/// Most video frame hashes, views included, the bank takes in one match
/// request (its `MAX_QUERY_FRAMES`).
pub const MAX_QUERY_HASHES: usize = 10_000;

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take in all (a feed page of 10,000 entries is
/// about 2 MB).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Tries of a request that fails in a way that may pass (connection lost,
/// 5xx, 429).
const ATTEMPTS: u32 = 5;
/// Wait before the first retry; doubled for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Longest wait between tries, also for a server's `Retry-After`.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;
/// The largest answer read by default (a feed page of 10,000 videos of
/// many frames can be hundreds of MB).
const MAX_ANSWER_BYTES: u64 = 1 << 30;

/// Why the bank could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL is not an http(s) URL.
    #[error("{url}: not a bank URL (give http://HOST:PORT or https://HOST)")]
    BadUrl {
        /// As given.
        url: String,
    },
    /// A plain `http://` URL of another host: the key would cross the
    /// network readable by anyone on the way.
    #[error(
        "{url}: refusing to send the platform key over plain http:// to another host; \
         use https://, or --insecure-http if the network in between is trusted"
    )]
    PlainHttp {
        /// As given.
        url: String,
    },
    /// 401 or 403 from the bank.
    #[error("the bank at {url} refused the key: revoked or wrong")]
    KeyRefused {
        /// The bank.
        url: String,
    },
    /// The server does not answer as a hashbank server does.
    #[error("{url} does not look like a hashbank server: {detail}")]
    NotAHashbank {
        /// The server.
        url: String,
        /// What it answered.
        detail: String,
    },
    /// The bank refused the request.
    #[error("the bank at {url} answered {status} ({code}): {message}")]
    Api {
        /// The bank.
        url: String,
        /// HTTP status.
        status: u16,
        /// The bank's error code.
        code: String,
        /// The bank's message.
        message: String,
        /// The earlier report, when the platform reported this content
        /// for this hash before (409).
        report_id: Option<i64>,
    },
    /// A hash id no bank gives (a bank's ids fit in 63 bits): not sent.
    #[error("hash {hash_id} is not one of a bank's hash ids")]
    NotABankHashId {
        /// The id.
        hash_id: u64,
    },
    /// The bank could not be reached, or kept failing, after every try.
    #[error("cannot reach the bank at {url}: {detail}")]
    Network {
        /// The bank.
        url: String,
        /// The last failure.
        detail: String,
    },
}

/// A page of the feed.
#[derive(Debug, Clone)]
pub struct FeedPage {
    /// The changes, in feed order.
    pub changes: Vec<Change>,
    /// The cursor to pull after.
    pub next_cursor: i64,
    /// Whether more entries follow now.
    pub more: bool,
    /// Additions left out: hashes this build cannot compare (each logged
    /// as a warning).
    pub left_out: u64,
}

/// A client of one bank with one platform key.
pub struct BankClient {
    base: String,
    key: ApiKey,
    http: Client,
    attempts: u32,
    max_answer_bytes: u64,
}

/// Whether a request may be sent again after a failure the server may
/// have seen (a report twice would be two reports).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Reads and matches: any failure that may pass is retried.
    Safe,
    /// Reports: only failures where the bank did not take the request.
    Unsent,
}

/// Where the key may go over plain `http://`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainHttp {
    /// Only to this machine (127.0.0.0/8, ::1, localhost): any other host
    /// needs `https://`.
    LoopbackOnly,
    /// Anywhere (`--insecure-http`: the network in between is trusted).
    Anywhere,
}

impl BankClient {
    /// A client of the bank at `url`: `https://`, or `http://` to this
    /// machine only (the key goes with every request).
    pub fn new(url: &str, key: ApiKey) -> Result<BankClient, ClientError> {
        BankClient::with_plain_http(url, key, PlainHttp::LoopbackOnly)
    }

    /// A client of the bank at `url`, sending the key over plain `http://`
    /// where `plain` allows. Redirects are followed only where the key
    /// may go too.
    pub fn with_plain_http(
        url: &str,
        key: ApiKey,
        plain: PlainHttp,
    ) -> Result<BankClient, ClientError> {
        let base = normalize(url).ok_or_else(|| ClientError::BadUrl { url: url.into() })?;
        let parsed =
            reqwest::Url::parse(&base).map_err(|_| ClientError::BadUrl { url: url.into() })?;
        if plain == PlainHttp::LoopbackOnly && in_clear(&parsed) {
            return Err(ClientError::PlainHttp { url: url.into() });
        }
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if plain == PlainHttp::LoopbackOnly && in_clear(attempt.url()) {
                attempt.error("redirected to plain http:// on another host")
            } else {
                attempt.follow()
            }
        });
        let http = Client::builder()
            .redirect(redirects)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("hashbank/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Network {
                url: base.clone(),
                detail: e.to_string(),
            })?;
        Ok(BankClient {
            base,
            key,
            http,
            attempts: ATTEMPTS,
            max_answer_bytes: MAX_ANSWER_BYTES,
        })
    }

    /// The same client, trying each request at most `attempts` times
    /// (default 5).
    pub fn with_attempts(mut self, attempts: u32) -> BankClient {
        self.attempts = attempts.max(1);
        self
    }

    /// The same client, refusing answers over `bytes` (as a failure that
    /// may pass: a smaller page may fit).
    pub fn with_max_answer_bytes(mut self, bytes: u64) -> BankClient {
        self.max_answer_bytes = bytes;
        self
    }

    /// The bank's URL, normalized (no trailing slash).
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Up to `limit` feed entries after `after`, as the bank gives them
    /// (cursors checked to be in order).
    pub fn feed_page(&self, after: i64, limit: u32) -> Result<api::FeedPage, ClientError> {
        let query = FeedQuery {
            after,
            limit: Some(i64::from(limit)),
        };
        let page: api::FeedPage = self.call(Repeat::Safe, || {
            self.http.get(self.at("/v1/feed")).query(&query)
        })?;
        let in_order = page.entries.windows(2).all(|w| w[0].cursor < w[1].cursor)
            && page.entries.first().is_none_or(|e| e.cursor > after)
            && page
                .entries
                .last()
                .is_none_or(|e| e.cursor <= page.next_cursor)
            && page.next_cursor >= after
            && !(page.more && page.entries.is_empty());
        if !in_order {
            return Err(self.not_hashbank("feed cursors out of order".into()));
        }
        Ok(page)
    }

    /// Up to `limit` feed entries after `after`.
    pub fn feed(&self, after: i64, limit: u32) -> Result<FeedPage, ClientError> {
        let page = self.feed_page(after, limit)?;
        let read = page
            .entries
            .iter()
            .map(wire::change)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|detail| self.not_hashbank(detail))?;
        let left_out = read.iter().filter(|c| c.is_none()).count() as u64;
        let changes: Vec<Change> = read.into_iter().flatten().collect();
        Ok(FeedPage {
            changes,
            next_cursor: page.next_cursor,
            more: page.more,
            left_out,
        })
    }

    /// The stored hashes each of `queries` may match, in query order: for a
    /// PDQ hash, every stored hash within `radius` bits whose label it is
    /// compared with (the bank applies `model::radius` to the
    /// labels); for a digest, the same digest. At most the bank's batch
    /// limit of queries per call. A stored PDQ hash whose label this build
    /// does not know is left out, with a warning.
    ///
    /// Each query is a hash and, for a PDQ hash, what it is a hash of.
    pub fn match_hashes(
        &self,
        queries: &[(HashValue, Option<QueryLabel>)],
        radius: u32,
    ) -> Result<Vec<Vec<Found>>, ClientError> {
        let hashes: Vec<HashQuery> = queries
            .iter()
            .map(|(value, label)| HashQuery {
                kind: value.kind(),
                value: value.to_text(),
                label: label.map(|l| l.as_str().to_string()),
            })
            .collect();
        let request = MatchRequest {
            hashes,
            radius: Some(radius),
            query_share: None,
            stored_share: None,
        };
        let answer: MatchResponse = self.call(Repeat::Safe, || {
            self.http.post(self.at("/v1/match")).json(&request)
        })?;
        if answer.results.len() != queries.len() {
            return Err(self.not_hashbank("a match answer of the wrong length".into()));
        }
        let mut out = Vec::with_capacity(queries.len());
        for result in answer.results {
            let mut found = Vec::with_capacity(result.matches.len());
            for m in result.matches {
                let hash_id = u64::try_from(m.hash_id)
                    .map_err(|_| self.not_hashbank("a negative hash id".into()))?;
                let label = match wire::stored_label(m.kind, m.role, m.label.as_deref()) {
                    Ok(label) => label,
                    Err(why) => {
                        tracing::warn!("match of hash {hash_id} left out: {why}");
                        continue;
                    }
                };
                // A stored video is given as the PDQ hash of its frame found.
                let value = match m.kind {
                    Kind::Vpdq => HashValue::parse(Kind::Pdq, &m.hash),
                    kind => HashValue::parse(kind, &m.hash),
                };
                let Some(value) = value else {
                    tracing::warn!("match of hash {hash_id} left out: no stored hash");
                    continue;
                };
                let frame = match (&value, m.frames.first().and_then(|f| f.stored)) {
                    (HashValue::Pdq(hash), Some(at)) if m.kind == Kind::Vpdq => Some(VideoFrame {
                        hash: *hash,
                        quality: model::VIDEO_QUALITY_THRESHOLD,
                        number: at.frame,
                        timestamp: at.timestamp,
                    }),
                    _ => None,
                };
                found.push(Found {
                    frame,
                    hash_id,
                    value,
                    meta: HashMeta {
                        kind: m.kind,
                        role: m.role,
                        category: m.category,
                        quality: None,
                        label,
                    },
                    distance: m.distance,
                });
            }
            out.push(found);
        }
        Ok(out)
    }

    /// What video `video` matches in the bank, as the match API answers a
    /// `vpdq` query under the default rule: stored videos it matches (with
    /// the shares and the frames found in each other), then stored pictures
    /// a frame shows. The video's views (its parts) go along while the
    /// request stays within the bank's limit of frame hashes
    /// ([`MAX_QUERY_HASHES`]); past it, the plain frames alone.
    pub fn match_video(&self, video: &VideoHash) -> Result<Vec<MatchedHash>, ClientError> {
        let value = if video.hash_count() <= MAX_QUERY_HASHES {
            video.to_text()
        } else {
            video.plain().to_text()
        };
        let request = MatchRequest {
            hashes: vec![HashQuery {
                kind: Kind::Vpdq,
                value,
                label: None,
            }],
            radius: None,
            query_share: None,
            stored_share: None,
        };
        let answer: MatchResponse = self.call(Repeat::Safe, || {
            self.http.post(self.at("/v1/match")).json(&request)
        })?;
        let mut results = answer.results;
        if results.len() != 1 {
            return Err(self.not_hashbank("a match answer of the wrong length".into()));
        }
        let matches = results.remove(0).matches;
        if matches.iter().any(|m| m.hash_id < 0) {
            return Err(self.not_hashbank("a negative hash id".into()));
        }
        Ok(matches)
    }

    /// Reports a match of stored hash `hash_id` at `distance`, found at
    /// `content_ref`; returns the report's id. An id beyond a bank's ids
    /// (2^63 and over) is not sent ([`ClientError::NotABankHashId`]).
    pub fn report(
        &self,
        hash_id: u64,
        value: &str,
        label: Option<&str>,
        content_ref: &str,
    ) -> Result<i64, ClientError> {
        let report = NewReport {
            hash_id: i64::try_from(hash_id).map_err(|_| ClientError::NotABankHashId { hash_id })?,
            value: value.to_string(),
            label: label.map(str::to_string),
            distance: None,
            content_ref: content_ref.to_string(),
        };
        let created: ReportCreated = self.call(Repeat::Unsent, || {
            self.http.post(self.at("/v1/reports")).json(&report)
        })?;
        Ok(created.report_id)
    }

    /// Reports as [`BankClient::report`] does; a second report of the same
    /// content gives the earlier report's id. The id, and whether the
    /// report is new.
    pub fn report_or_earlier(
        &self,
        hash_id: u64,
        value: &str,
        label: Option<&str>,
        content_ref: &str,
    ) -> Result<(i64, bool), ClientError> {
        match self.report(hash_id, value, label, content_ref) {
            Ok(id) => Ok((id, true)),
            Err(ClientError::Api {
                status: 409,
                report_id: Some(id),
                ..
            }) => Ok((id, false)),
            Err(err) => Err(err),
        }
    }

    /// Files an investigator's find of `hash_id` in seized material: the
    /// investigation's `reference`, the day (`YYYY-MM-DD`), the files that
    /// matched. Filing it again updates it. Its id.
    pub fn find(
        &self,
        hash_id: u64,
        reference: &str,
        found_on: &str,
        files: u64,
    ) -> Result<i64, ClientError> {
        let find = api::NewFind {
            hash_id: i64::try_from(hash_id).map_err(|_| ClientError::NotABankHashId { hash_id })?,
            reference: reference.to_string(),
            found_on: found_on.to_string(),
            files,
        };
        let recorded: api::FindRecorded = self.call(Repeat::Safe, || {
            self.http.post(self.at("/v1/finds")).json(&find)
        })?;
        Ok(recorded.find_id)
    }

    /// Gives the outcome of this platform's report `report_id`. Sending
    /// it twice records it once.
    pub fn outcome(&self, report_id: i64, outcome: Outcome) -> Result<(), ClientError> {
        self.outcome_with(report_id, &OutcomeRequest::new(outcome))
    }

    /// Gives the outcome of this platform's report `report_id` with what
    /// the platform states for its statement of reasons.
    pub fn outcome_with(
        &self,
        report_id: i64,
        request: &OutcomeRequest,
    ) -> Result<(), ClientError> {
        let _: OutcomeRecorded = self.call(Repeat::Safe, || {
            self.http
                .post(self.at(&format!("/v1/reports/{report_id}/outcome")))
                .json(request)
        })?;
        Ok(())
    }

    /// The draft statement of reasons of this platform's removal
    /// `report_id`; the bank answers 409 while the report is not removed
    /// or a fact is missing.
    pub fn statement(&self, report_id: i64) -> Result<api::Statement, ClientError> {
        self.call(Repeat::Safe, || {
            self.http
                .get(self.at(&format!("/v1/reports/{report_id}/statement")))
        })
    }

    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn not_hashbank(&self, detail: String) -> ClientError {
        ClientError::NotAHashbank {
            url: self.base.clone(),
            detail,
        }
    }

    /// Sends the request `make` builds, retrying what may pass, and reads
    /// the answer as `T`.
    fn call<T: DeserializeOwned>(
        &self,
        repeat: Repeat,
        make: impl Fn() -> RequestBuilder,
    ) -> Result<T, ClientError> {
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            let failure = match make().bearer_auth(self.key.expose()).send() {
                Ok(response) => match self.answer(response)? {
                    Answer::Done(bytes) => {
                        return serde_json::from_slice(&bytes).map_err(|e| {
                            self.not_hashbank(format!(
                                "an answer that is not the bank's JSON ({e})"
                            ))
                        })
                    }
                    Answer::Retry { detail, after } => {
                        if let Some(after) = after {
                            backoff = after.min(MAX_BACKOFF);
                        }
                        detail
                    }
                },
                Err(e) if repeat == Repeat::Safe || e.is_connect() => describe(&e),
                Err(e) => {
                    return Err(ClientError::Network {
                        url: self.base.clone(),
                        detail: describe(&e),
                    })
                }
            };
            if attempt >= self.attempts {
                return Err(ClientError::Network {
                    url: self.base.clone(),
                    detail: format!("{failure} (tried {attempt} times)"),
                });
            }
            tracing::info!(attempt, "bank request failed, retrying: {failure}");
            sleep(backoff);
            backoff = (backoff * 2).min(MAX_BACKOFF);
            attempt += 1;
        }
    }

    /// What a response means: a body to read, a failure to retry, or an
    /// error to give up on.
    fn answer(&self, response: Response) -> Result<Answer, ClientError> {
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        if response
            .content_length()
            .is_some_and(|n| n > self.max_answer_bytes)
        {
            return Ok(Answer::Retry {
                detail: format!("an answer over {} bytes", self.max_answer_bytes),
                after: None,
            });
        }
        let mut bytes = Vec::new();
        let mut body = std::io::Read::take(response, self.max_answer_bytes + 1);
        std::io::Read::read_to_end(&mut body, &mut bytes).map_err(|e| ClientError::Network {
            url: self.base.clone(),
            detail: format!("request failed: {e}"),
        })?;
        if bytes.len() as u64 > self.max_answer_bytes {
            return Ok(Answer::Retry {
                detail: format!("an answer over {} bytes", self.max_answer_bytes),
                after: None,
            });
        }
        if status.is_success() {
            return Ok(Answer::Done(bytes));
        }
        let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Ok(Answer::Retry {
                detail: format!("HTTP {}", status.as_u16()),
                after: retry_after,
            });
        }
        match (status, body) {
            // The key is right but not for this (an investigator's where a
            // platform's is needed): the bank says why.
            (StatusCode::FORBIDDEN, Some(body)) if body.error == "forbidden" => {
                Err(ClientError::Api {
                    url: self.base.clone(),
                    status: status.as_u16(),
                    code: body.error.into_owned(),
                    message: body.message,
                    report_id: None,
                })
            }
            (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, Some(_)) => {
                Err(ClientError::KeyRefused {
                    url: self.base.clone(),
                })
            }
            (_, Some(body)) => Err(ClientError::Api {
                url: self.base.clone(),
                status: status.as_u16(),
                code: body.error.into_owned(),
                message: body.message,
                report_id: body.report_id,
            }),
            (_, None) => Err(self.not_hashbank(format!(
                "HTTP {} without the bank's error body",
                status.as_u16()
            ))),
        }
    }
}

enum Answer {
    Done(Vec<u8>),
    Retry {
        detail: String,
        after: Option<Duration>,
    },
}

/// A transport error in a few words, without the URL (it may hold a query).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {detail}")
    }
}

/// `url` without trailing slashes, if it is an http(s) URL with a host.
fn normalize(url: &str) -> Option<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))?;
    let host_ok = !rest.is_empty() && !rest.contains(['?', '#', ' ']) && !rest.starts_with('/');
    host_ok.then(|| trimmed.to_string())
}

/// Whether requests to `url` would cross the network unencrypted: plain
/// `http://` to a host that is not this machine (127.0.0.0/8, ::1,
/// localhost). The URL is read as reqwest reads it, so `127.1` is
/// 127.0.0.1 here as there.
pub fn sends_in_clear(url: &str) -> bool {
    match normalize(url).and_then(|u| reqwest::Url::parse(&u).ok()) {
        Some(parsed) => in_clear(&parsed),
        None => false,
    }
}

fn in_clear(url: &reqwest::Url) -> bool {
    url.scheme() != "https" && !is_loopback(url.host_str().unwrap_or(""))
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// Whether `text` names a bank by URL rather than a local bank file.
pub fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalized() {
        assert_eq!(
            normalize("http://127.0.0.1:8080/").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize("https://bank.example/base").as_deref(),
            Some("https://bank.example/base")
        );
        assert_eq!(normalize("ftp://x"), None);
        assert_eq!(normalize("http://"), None);
        assert_eq!(normalize("http://x/?a=b"), None);
        assert!(is_url("https://x") && !is_url("bank.hbl"));
    }

    #[test]
    fn the_key_goes_in_clear_only_to_this_machine() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.1",
            "http://127.200.3.4/",
            "http://localhost:8080",
            "http://LOCALHOST.",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]",
            "https://bank.example.org",
            "https://10.0.0.1",
        ] {
            assert!(!sends_in_clear(url), "{url}");
            assert!(BankClient::new(url, ApiKey::new("k")).is_ok(), "{url}");
        }
        for url in [
            "http://bank.example.org",
            "http://10.0.0.1:8080",
            "http://0.0.0.0:8080",
            "http://localhost.example.org",
            "http://127.0.0.1.example.org",
            "http://[::2]",
            "http://user@bank.example.org",
        ] {
            assert!(sends_in_clear(url), "{url}");
            let err = BankClient::new(url, ApiKey::new("k")).err().unwrap();
            assert!(matches!(err, ClientError::PlainHttp { .. }), "{url}: {err}");
            assert!(
                BankClient::with_plain_http(url, ApiKey::new("k"), PlainHttp::Anywhere).is_ok(),
                "{url}"
            );
        }
    }

    #[test]
    fn an_id_no_bank_gives_is_not_sent() {
        let client = BankClient::new("http://127.0.0.1:9", ApiKey::new("k")).unwrap();
        let err = client.report(1 << 63, "00", None, "x").unwrap_err();
        assert!(matches!(err, ClientError::NotABankHashId { .. }), "{err}");
    }

    #[test]
    fn an_unreachable_bank_is_a_network_error() {
        // Port 9 (discard) on localhost: nothing listens there in tests.
        let client = BankClient::new("http://127.0.0.1:9", ApiKey::new("k"))
            .unwrap()
            .with_attempts(1);
        let err = client.report(1, "00", None, "x").unwrap_err();
        assert!(matches!(err, ClientError::Network { .. }), "{err}");
    }
}
