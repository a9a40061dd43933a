//! Health (the process answers) and readiness (database reachable and
//! matcher loaded), and the OpenAPI document.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;

use crate::routes::Api;
use crate::AppState;

/// The service routes.
pub(crate) fn routes() -> Api {
    Api::new()
        .route(Method::GET, "/healthz", healthz)
        .route(Method::GET, "/readyz", readyz)
        .route(Method::GET, "/openapi.json", openapi)
}

async fn healthz() -> impl IntoResponse {
    axum::Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = state.bank.db().ping().await;
    let matcher = state.bank.matcher().is_ready();
    let status = if database && matcher {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ready" } else { "not_ready" },
        "database": database,
        "matcher_loaded": matcher,
    });
    (status, axum::Json(body))
}

async fn openapi() -> impl IntoResponse {
    axum::Json(crate::openapi::document())
}
