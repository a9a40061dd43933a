//! Case routes: no account, the case number in the path and the PIN in
//! the `X-Case-Pin` header. There is no route that lists cases.
//!
//! Filing (a new case, added hashes) and PIN tries are rate-limited per
//! client address and for everyone; wrong PINs lock the client that sent
//! them out of that case number, not the case's owner (hashbank_bank's
//! `pins`).

use api::{CaseHashes, MoreHashes, NewCase};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;

use crate::error::ApiResult;
use crate::extract::{CasePin, Json, Path};
use crate::limits::{Filing, PinTry};
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

async fn create(
    state: axum::extract::State<AppState>,
    _: Filing,
    Json(case): Json<NewCase>,
) -> ApiResult<impl IntoResponse> {
    let created = state.bank.create_case(case).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

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
