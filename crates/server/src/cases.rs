//! Case routes: no account, the case number in the path and the PIN in
//! the `X-Case-Pin` header. There is no route that lists cases.
//!
//! Filing (a new case, added hashes) and PIN tries are rate-limited per
//! client address and for everyone; wrong PINs lock the client that sent
//! them out of that case number, not the case's owner (hashbank_bank's
//! `pins`).

use api::{CaseHashes, CaseView, CreatedCase, MoreHashes, NewCase, Withdrawn};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;

use crate::error::ApiResult;
use crate::extract::{CasePin, Json, Path};
use crate::limits::{Filing, PinTry};
use crate::openapi::{BadRequest, Conflict, NotJson, TooLarge, TooMany, Unauthorized};
use crate::routes::Api;
use crate::AppState;

/// The case routes.
pub(crate) fn routes() -> Api {
    Api::new()
        .route(Method::POST, "/v1/cases", create)
        .route(Method::GET, "/v1/cases/{number}", view)
        .route(Method::POST, "/v1/cases/{number}/hashes", add_hashes)
        .route(Method::POST, "/v1/cases/{number}/withdraw", withdraw)
}

/// File a case with hashes only (1 to 500).
///
/// Answers with the case number and the PIN, shown this once. PDQ hashes
/// need a quality of at least 50.
#[utoipa::path(
    post,
    path = "/v1/cases",
    tag = "cases",
    request_body = NewCase,
    responses(
        (status = 201, description = "Created case", body = CreatedCase),
        (status = 400, response = BadRequest),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
    )
)]
async fn create(
    state: axum::extract::State<AppState>,
    _: Filing,
    Json(case): Json<NewCase>,
) -> ApiResult<impl IntoResponse> {
    let created = state.bank.create_case(case).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// See a case: its hashes and, per platform, matches reported and outcomes.
#[utoipa::path(
    get,
    path = "/v1/cases/{number}",
    tag = "cases",
    security(("casePin" = [])),
    params(("number" = String, Path, description = "The case number (case and dashes do not matter).", example = "HB-7K2M-9QXP-4TDA")),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooMany),
    )
)]
async fn view(
    state: axum::extract::State<AppState>,
    Path(number): Path<String>,
    PinTry(client): PinTry,
    CasePin(pin): CasePin,
) -> ApiResult<impl IntoResponse> {
    let attempt = state.bank.pin_attempt(&client.to_string(), &number)?;
    let viewed = state.bank.view_case(&number, &pin).await;
    attempt.finish(&viewed);
    Ok(axum::Json(viewed?))
}

/// Add hashes to an open case (at most 500 in all).
#[utoipa::path(
    post,
    path = "/v1/cases/{number}/hashes",
    tag = "cases",
    security(("casePin" = [])),
    params(("number" = String, Path, description = "The case number (case and dashes do not matter).", example = "HB-7K2M-9QXP-4TDA")),
    request_body = MoreHashes,
    responses(
        (status = 201, description = "All the case's hashes", body = CaseHashes),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
        (status = 413, response = TooLarge),
        (status = 415, response = NotJson),
        (status = 429, response = TooMany),
    )
)]
async fn add_hashes(
    state: axum::extract::State<AppState>,
    Path(number): Path<String>,
    _: Filing,
    PinTry(client): PinTry,
    CasePin(pin): CasePin,
    Json(more): Json<MoreHashes>,
) -> ApiResult<impl IntoResponse> {
    let attempt = state.bank.pin_attempt(&client.to_string(), &number)?;
    let added = state.bank.add_hashes(&number, &pin, more).await;
    attempt.finish(&added);
    Ok((
        StatusCode::CREATED,
        axum::Json(CaseHashes { hashes: added? }),
    ))
}

/// Withdraw the case.
///
/// Every hash is erased, leaves matching and goes on the feed as a
/// deletion; the case is closed.
#[utoipa::path(
    post,
    path = "/v1/cases/{number}/withdraw",
    tag = "cases",
    security(("casePin" = [])),
    params(("number" = String, Path, description = "The case number (case and dashes do not matter).", example = "HB-7K2M-9QXP-4TDA")),
    responses(
        (status = 200, description = "Withdrawn", body = Withdrawn),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
        (status = 429, response = TooMany),
    )
)]
async fn withdraw(
    state: axum::extract::State<AppState>,
    Path(number): Path<String>,
    PinTry(client): PinTry,
    CasePin(pin): CasePin,
) -> ApiResult<impl IntoResponse> {
    let attempt = state.bank.pin_attempt(&client.to_string(), &number)?;
    let withdrawn = state.bank.withdraw_case(&number, &pin).await;
    attempt.finish(&withdrawn);
    Ok(axum::Json(withdrawn?))
}
