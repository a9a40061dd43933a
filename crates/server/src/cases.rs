//! Case routes: no account, the case number in the path and the PIN in
//! the `X-Case-Pin` header. There is no route that lists cases.

use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use hashbank_bank::{CaseHash, MoreHashes, NewCase};
use serde::Serialize;

use crate::error::ApiResult;
use crate::extract::{CasePin, Json, Path};
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
    Json(case): Json<NewCase>,
) -> ApiResult<impl IntoResponse> {
    let created = state.bank.create_case(case).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

async fn view(
    state: axum::extract::State<AppState>,
    Path(number): Path<String>,
    CasePin(pin): CasePin,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(state.bank.view_case(&number, &pin).await?))
}

#[derive(Serialize)]
struct Hashes {
    hashes: Vec<CaseHash>,
}

async fn add_hashes(
    state: axum::extract::State<AppState>,
    Path(number): Path<String>,
    CasePin(pin): CasePin,
    Json(more): Json<MoreHashes>,
) -> ApiResult<impl IntoResponse> {
    let hashes = state.bank.add_hashes(&number, &pin, more).await?;
    Ok((StatusCode::CREATED, axum::Json(Hashes { hashes })))
}

async fn withdraw(
    state: axum::extract::State<AppState>,
    Path(number): Path<String>,
    CasePin(pin): CasePin,
) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(state.bank.withdraw_case(&number, &pin).await?))
}
