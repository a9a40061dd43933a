//! Platform routes (`Authorization: Bearer <API key>`): the feed, the match
//! API, reports and outcomes. Nothing here gives a case number or groups
//! hashes by case.

use api::{
    FeedPage, FeedQuery, FindRecorded, MatchRequest, MatchResponse, NewFind, NewReport,
    OutcomeRecorded, OutcomeRequest, ReportCreated, Statement, StatementSettings,
};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, PlatformAuth, Query};
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, NotJson, TooLarge, Unauthorized};
use crate::routes::Api;
use crate::AppState;

/// The platform routes.
pub(crate) fn routes() -> Api {
    Api::new()
        .route(Method::GET, "/v1/feed", feed)
        .route(Method::POST, "/v1/match", match_hashes)
        .route(Method::POST, "/v1/reports", report)
        .route(Method::POST, "/v1/reports/{id}/outcome", outcome)
        .route(Method::GET, "/v1/reports/{id}/statement", statement)
        .route(
            Method::PUT,
            "/v1/statement-settings",
            put_statement_settings,
        )
        .route(
            Method::GET,
            "/v1/statement-settings",
            get_statement_settings,
        )
        .route(Method::POST, "/v1/finds", file_find)
}

/// File a find: a bank hash found in material seized in an investigation
/// (investigators' keys only).
///
/// The hash id must be one this investigator was given, by the match API or
/// the feed. The find is shown on every case holding the hash, with the
/// unit's contact text and the reference, so that the person whose images
/// they are may choose to contact the unit; the investigator learns
/// nothing of the cases. The same hash under the same reference again
/// updates the day and the count.
#[utoipa::path(
    post,
    path = "/v1/finds",
    tag = "investigators",
    security(("platformKey" = [])),
    request_body = NewFind,
    responses(
        (status = 201, description = "Recorded", body = FindRecorded),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
    )
)]
async fn file_find(
    State(state): State<AppState>,
    PlatformAuth(investigator): PlatformAuth,
    Json(find): Json<NewFind>,
) -> ApiResult<impl IntoResponse> {
    let find_id = state.bank.file_find(&investigator, find).await?;
    Ok((StatusCode::CREATED, axum::Json(FindRecorded { find_id })))
}

/// The hash feed after a cursor: additions and deletions in cursor order.
///
/// Cursor 0 gives a full copy. Pull again with after=next_cursor while
/// more is true. New entries are held and released in shuffled batches
/// that mix several writes (by default at least 8, or after an hour at
/// most; deletions after 15 minutes at most), so the order says nothing
/// about which hashes came from one case. Every read is logged with the
/// platform and the cursor range.
#[utoipa::path(
    get,
    path = "/v1/feed",
    tag = "platforms",
    security(("platformKey" = [])),
    params(FeedQuery),
    responses(
        (
            status = 200,
            description = "A page of the feed. While more entries follow, a Link header names \
                the next page (rel=\"next\"), so a client may ask for it before it has read \
                this one.",
            body = FeedPage,
            headers((
                "Link" = String,
                description = "</v1/feed?after=NEXT_CURSOR&limit=LIMIT>; rel=\"next\", when more is true"
            ))
        ),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
async fn feed(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Query(params): Query<FeedQuery>,
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

/// Match up to 1000 hashes: PDQ by label within a radius (default 31), MD5 and SHA-256 exactly.
///
/// A PDQ query hash is compared only with the stored PDQ hashes whose label
/// is paired with the query's label (model::radius: e.g. a query labelled
/// pdq with stored pdq, trim and the crops; top80 only with top80; a
/// mirrored query only with pdq and trim). Without radius each pair matches
/// within its own radius (31 bits); with radius every compared pair matches
/// within it, so a client can search wider and decide itself. Each match
/// says the stored hash's role and label.
#[utoipa::path(
    post,
    path = "/v1/match",
    tag = "platforms",
    security(("platformKey" = [])),
    request_body = MatchRequest,
    responses(
        (status = 200, description = "Matches per query, minor first", body = MatchResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
    )
)]
async fn match_hashes(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Json(request): Json<MatchRequest>,
) -> ApiResult<impl IntoResponse> {
    let rule = hashbank_bank::video_rule(request.query_share, request.stored_share)?;
    let results = state
        .bank
        .match_for(&platform, request.hashes, request.radius, rule)
        .await?;
    Ok(axum::Json(MatchResponse { results }))
}

/// Report a match: the hash id, the platform's own hash of its copy, its content reference.
///
/// The hash id must be one this platform was given: returned by the match
/// API, or read from the feed. The bank computes the distance between
/// `value` and the stored hash and refuses a report beyond the radius of
/// the pair of labels (MD5 and SHA-256: equal). One report per platform,
/// hash and content reference: another answers 409.
#[utoipa::path(
    post,
    path = "/v1/reports",
    tag = "platforms",
    security(("platformKey" = [])),
    request_body = NewReport,
    responses(
        (status = 201, description = "Recorded", body = ReportCreated),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
    )
)]
async fn report(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Json(report): Json<NewReport>,
) -> ApiResult<impl IntoResponse> {
    let report_id = state.bank.report(&platform, report).await?;
    Ok((StatusCode::CREATED, axum::Json(ReportCreated { report_id })))
}

/// Give the outcome of one of this platform's reports.
///
/// When 3 (a setting) different platforms find matches of one hash not
/// violating (each platform counts once), the hash value is suspended: a
/// deletion on the feed, out of matching, whichever case holds it or files
/// it again.
#[utoipa::path(
    post,
    path = "/v1/reports/{id}/outcome",
    tag = "platforms",
    security(("platformKey" = [])),
    params(("id" = i64, Path, description = "The report's id, as reporting answered.")),
    request_body = OutcomeRequest,
    responses(
        (status = 200, description = "Recorded", body = OutcomeRecorded),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
    )
)]
async fn outcome(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Path(report_id): Path<i64>,
    Json(request): Json<OutcomeRequest>,
) -> ApiResult<impl IntoResponse> {
    state
        .bank
        .set_outcome(&platform, report_id, &request)
        .await?;
    Ok(axum::Json(OutcomeRecorded {
        report_id,
        outcome: request.outcome,
    }))
}

/// The draft statement of reasons of one of this platform's removals.
///
/// Under the EU Digital Services Act a platform that removes content owes
/// the uploader a statement of reasons (Art. 17) and sends it to the
/// Commission's Transparency Database (Art. 24(5)). This is that statement
/// in the database API's fields, ready to send: from the report (the kind
/// of hash, the distance), its outcome (removed; how automated, picture or
/// video, countries, days) and the platform's statement settings. It holds
/// no case number, no hash value and nothing about the person the images
/// show. `puid` is the report's content reference, or `ref-` and the first
/// 32 hex digits of its SHA-256 when the database would refuse it
/// (anything but letters, digits, `-` and `_`, or over 500 characters).
/// 409 while the outcome is not `removed`, the settings are not given, the
/// outcome does not say how automated the decision was, or a file hash
/// (MD5, SHA-256) matched and the outcome does not say picture or video.
#[utoipa::path(
    get,
    path = "/v1/reports/{id}/statement",
    tag = "platforms",
    security(("platformKey" = [])),
    params(("id" = i64, Path, description = "The report's id, as reporting answered.")),
    responses(
        (status = 200, description = "The draft statement", body = Statement),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
async fn statement(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Path(report_id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(
        state.bank.statement(&platform, report_id).await?,
    ))
}

/// Set this platform's settings for the statements of its removals.
///
/// Given once, for every draft statement: whether matched copies are
/// removed or disabled, on which ground (illegal content with the law
/// relied on, or incompatible with the terms with the clause), why, and
/// where the law or clause is published.
#[utoipa::path(
    put,
    path = "/v1/statement-settings",
    tag = "platforms",
    security(("platformKey" = [])),
    request_body = StatementSettings,
    responses(
        (status = 200, description = "Recorded", body = StatementSettings),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
    )
)]
async fn put_statement_settings(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
    Json(settings): Json<StatementSettings>,
) -> ApiResult<impl IntoResponse> {
    state
        .bank
        .set_statement_settings(&platform, &settings)
        .await?;
    Ok(axum::Json(settings))
}

/// This platform's settings for its statements of reasons.
#[utoipa::path(
    get,
    path = "/v1/statement-settings",
    tag = "platforms",
    security(("platformKey" = [])),
    responses(
        (status = 200, description = "The settings", body = StatementSettings),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn get_statement_settings(
    State(state): State<AppState>,
    PlatformAuth(platform): PlatformAuth,
) -> ApiResult<impl IntoResponse> {
    match state.bank.statement_settings(&platform).await? {
        Some(settings) => Ok(axum::Json(settings)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "this platform has not given its statement settings",
        )),
    }
}
