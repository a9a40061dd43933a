//! Health (the process answers) and readiness (database reachable and
//! matcher loaded), and the OpenAPI document.

use api::{Health, Readiness};
use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::IntoResponse;

use crate::routes::Api;
use crate::AppState;

/// The service routes.
pub(crate) fn routes() -> Api {
    Api::new()
        .route(Method::GET, "/healthz", healthz)
        .route(Method::GET, "/readyz", readyz)
        .route(Method::GET, "/openapi.json", openapi)
}

/// The process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses((status = 200, description = "Up", body = Health))
)]
async fn healthz() -> impl IntoResponse {
    axum::Json(Health {
        status: "ok".into(),
    })
}

/// The database answers and the matcher is loaded.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "service",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready yet", body = Readiness),
    )
)]
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = state.bank.db().ping().await;
    let matcher = state.bank.matcher().is_ready();
    let status = if database && matcher {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        database,
        matcher_loaded: matcher,
        status: if status == StatusCode::OK {
            "ready"
        } else {
            "not_ready"
        }
        .into(),
    };
    (status, axum::Json(body))
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "service",
    responses((
        status = 200,
        description = "The OpenAPI document",
        body = Object
    ))
)]
async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
}
