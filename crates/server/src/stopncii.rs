//! The StopNCII-shaped routes (`/v1/stopncii/FetchHashes`,
//! `/v1/stopncii/SubmitFeedback`): a client written for StopNCII.org, with
//! its base URL set to `https://BANK/v1/stopncii` and a platform key as
//! its subscription key and its function key, reads the feed and gives
//! feedback as it would there. What it reads and does is the bank's
//! (`hashbank_bank::stopncii`): nothing here gives a case number.

use api::{FetchHashesQuery, SubmitFeedbackRequest, SubmitFeedbackResponse};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::IntoResponse;
use hashbank_bank::{BankError, Platform};

use crate::client::ClientAddr;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::openapi::{BadRequest, NotJson, TooLarge, Unauthorized};
use crate::routes::Api;
use crate::AppState;

/// The StopNCII-shaped routes.
pub(crate) fn routes() -> Api {
    Api::new()
        .route(Method::GET, "/v1/stopncii/FetchHashes", fetch_hashes)
        .route(Method::POST, "/v1/stopncii/SubmitFeedback", submit_feedback)
}

/// The header a StopNCII client sends its subscription key in.
const SUBSCRIPTION_KEY: &str = "ocp-apim-subscription-key";
/// The header a StopNCII client sends its function key in.
const FUNCTION_KEY: &str = "x-functions-key";

/// The platform key a StopNCII client sends: `Ocp-Apim-Subscription-Key`,
/// and `x-functions-key` when given must be the same key. Checked as
/// [`crate::extract::PlatformAuth`] checks a bearer key.
pub(crate) struct StopNciiAuth(pub Platform);

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

impl FromRequestParts<AppState> for StopNciiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(key) = header(&parts.headers, SUBSCRIPTION_KEY).map(str::to_string) else {
            return Err(BankError::BadKey.into());
        };
        if header(&parts.headers, FUNCTION_KEY).is_some_and(|other| other != key) {
            return Err(BankError::BadKey.into());
        }
        if !state.bank.key_verified_before(&key) {
            let client = ClientAddr::from_request_parts(parts, state).await?;
            state.limits.key_tries.check(&client)?;
        }
        Ok(StopNciiAuth(state.bank.authenticate(&key).await?))
    }
}

/// The feed as StopNCII records: each value's state, in release order.
///
/// An addition is an Active record with its value; a withdrawal a Withdrawn
/// record, a suspension a Deleted one, each with the value to delete (a
/// withdrawn value is kept sealed for 30 days after the day it was erased,
/// then its key is destroyed and its record is no longer given). Only PDQ
/// hashes a whole picture is matched against (ImagePDQ) and MD5 hashes
/// (VideoMD5) are given. Page with nextPageToken while hasMoreRecords; keep
/// nextSetTimestamp as the next startTimestamp. No case numbers: caseNumbers
/// is always empty. Every read is logged with the platform and its range.
#[utoipa::path(
    get,
    path = "/v1/stopncii/FetchHashes",
    tag = "stopncii",
    security(("stopnciiKey" = [])),
    params(FetchHashesQuery),
    responses(
        (status = 200, description = "A page of records", body = api::FetchHashesResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
pub(crate) async fn fetch_hashes(
    State(state): State<AppState>,
    StopNciiAuth(platform): StopNciiAuth,
    Query(query): Query<FetchHashesQuery>,
) -> ApiResult<impl IntoResponse> {
    let page = state
        .bank
        .stopncii_fetch(
            &platform,
            query.start_timestamp,
            query.page_size,
            query.next_page_token.as_deref(),
        )
        .await?;
    Ok(axum::Json(page))
}

/// Feedback on hash values, as this platform's reports and outcomes.
///
/// Each hashValue (an ImagePDQ or VideoMD5 value this platform was given)
/// gets this platform's one report on that value, made by its first
/// feedback; Blocked sets the outcome removed, NotBlocked not_violating,
/// PendingReview pending_review, and the other values record the report
/// alone (Withdrawn and Deleted, record states, are ignored). A value
/// withdrawn, suspended or never given answers unknown_hash for that
/// feedback. 1 to 1000 feedbacks; tags are accepted and not kept.
#[utoipa::path(
    post,
    path = "/v1/stopncii/SubmitFeedback",
    tag = "stopncii",
    security(("stopnciiKey" = [])),
    request_body = SubmitFeedbackRequest,
    responses(
        (status = 200, description = "What became of each feedback", body = SubmitFeedbackResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
    )
)]
pub(crate) async fn submit_feedback(
    State(state): State<AppState>,
    StopNciiAuth(platform): StopNciiAuth,
    Json(request): Json<SubmitFeedbackRequest>,
) -> ApiResult<impl IntoResponse> {
    if let Some(count) = request.count {
        if count != request.hash_feedbacks.len() as i64 {
            return Err(BankError::invalid(
                "invalid_count",
                format!(
                    "count is {count} but hashFeedbacks holds {}",
                    request.hash_feedbacks.len()
                ),
            )
            .into());
        }
    }
    let results = state
        .bank
        .stopncii_feedback(&platform, request.hash_feedbacks)
        .await?;
    let count = results
        .iter()
        .filter(|r| r.result == api::FeedbackResult::Recorded)
        .count() as i64;
    Ok(axum::Json(SubmitFeedbackResponse { count, results }))
}
