//! Health (the process answers) and readiness (database reachable and
//! matcher loaded), and the OpenAPI document.

use api::{Health, Readiness};
use axum::extract::State;
use axum::http::{Method, StatusCode};
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

async fn healthz() -> impl IntoResponse {
    axum::Json(Health {
        status: "ok".into(),
    })
}

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

async fn openapi() -> impl IntoResponse {
    axum::Json(crate::openapi::document())
}
