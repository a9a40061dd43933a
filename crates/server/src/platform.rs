//! Platform routes (`Authorization: Bearer <API key>`): the feed, the match
//! API, reports and outcomes. Nothing here gives a case number or groups
//! hashes by case.

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use hashbank_bank::{NewReport, Outcome, Query as HashQuery, QueryResult};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, PlatformAuth, Query};
use crate::routes::Api;
use crate::AppState;

/// The platform routes.
pub(crate) fn routes() -> Api {
    Api::new()
        .route(Method::GET, "/v1/feed", feed)
        .route(Method::POST, "/v1/match", match_hashes)
        .route(Method::POST, "/v1/reports", report)
        .route(Method::POST, "/v1/reports/{id}/outcome", outcome)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedParams {
    /// The last cursor seen; 0 for a full copy.
    #[serde(default)]
    after: i64,
    /// Entries per page.
    limit: Option<i64>,
}

async fn feed(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Query(params): Query<FeedParams>,
) -> ApiResult<Response> {
    let page = state
        .bank
        .feed(&platform, params.after, params.limit)
        .await?;
    let mut body = Vec::with_capacity(256 + page.entries.len() * FEED_ENTRY_BYTES);
    serde_json::to_writer(&mut body, &page).map_err(|err| {
        tracing::error!(error = %err, "writing a feed page");
        ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    // The next page, named before the body: a client may ask for it while
    // it reads this one.
    if page.more {
        let limit = params.limit.unwrap_or(hashbank_bank::DEFAULT_FEED_LIMIT);
        let next = format!(
            "</v1/feed?after={}&limit={limit}>; rel=\"next\"",
            page.next_cursor
        );
        if let Ok(value) = HeaderValue::from_str(&next) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// About what one feed entry takes as JSON (a PDQ addition is 180 to 200
/// bytes): a page's buffer is sized once, where grown step by step a page
/// of 10,000 entries (about 1.9 MB) was copied over several times.
const FEED_ENTRY_BYTES: usize = 200;

/// The body of `POST /v1/match`: the hashes asked about, and the radius
/// (the bank's default when absent).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    hashes: Vec<HashQuery>,
    #[serde(default)]
    radius: Option<u32>,
}

#[derive(Serialize)]
struct MatchResponse {
    results: Vec<QueryResult>,
}

async fn match_hashes(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Json(request): Json<MatchRequest>,
) -> ApiResult<impl IntoResponse> {
    let results = state
        .bank
        .match_for(&platform, request.hashes, request.radius)
        .await?;
    Ok(axum::Json(MatchResponse { results }))
}

#[derive(Serialize)]
struct ReportCreated {
    report_id: i64,
}

async fn report(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Json(report): Json<NewReport>,
) -> ApiResult<impl IntoResponse> {
    let report_id = state.bank.report(&platform, report).await?;
    Ok((StatusCode::CREATED, axum::Json(ReportCreated { report_id })))
}

/// The body of `POST /v1/reports/{id}/outcome`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    outcome: Outcome,
}

#[derive(Serialize)]
struct OutcomeRecorded {
    report_id: i64,
    outcome: Outcome,
}

async fn outcome(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Path(report_id): Path<i64>,
    Json(request): Json<OutcomeRequest>,
) -> ApiResult<impl IntoResponse> {
    state
        .bank
        .set_outcome(&platform, report_id, request.outcome)
        .await?;
    Ok(axum::Json(OutcomeRecorded {
        report_id,
        outcome: request.outcome,
    }))
}
