//! What every route may answer: the error body; and the service routes'
//! bodies (`/healthz`, `/readyz`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Every error answer: `{"error": code, "message": text}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A short machine-readable word (`invalid_hex`, `locked`, ...).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "quality_too_low"))]
    pub error: Cow<'static, str>,
    /// What is wrong, for a person.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub message: String,
    /// The earlier report, when this platform already reported this
    /// content for this hash (409).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_id: Option<i64>,
}

/// What `/healthz` answers: the process is up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok`.
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub status: String,
}

/// What `/readyz` answers: whether the bank can answer requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Readiness {
    /// The database answers.
    pub database: bool,
    /// The matcher is loaded.
    pub matcher_loaded: bool,
    /// `ready`, or `not_ready` (with 503).
    #[cfg_attr(feature = "openapi", schema(example = "ready"))]
    pub status: String,
}
