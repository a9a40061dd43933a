//! The one error type of the HTTP layer and the one place where errors
//! become responses: `{"error": code, "message": text}` with its status.

use std::time::Duration;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hashbank_bank::BankError;
use serde::Serialize;

/// Seconds a client is asked to wait while the bank loads.
const NOT_READY_RETRY_SECONDS: u64 = 1;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable reason.
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
    /// Seconds to wait before retrying (429, 503).
    pub retry_after: Option<Duration>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 404 for a path the API does not have.
    pub fn no_route() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such endpoint; see /openapi.json",
        )
    }

    /// 405 for a method the path does not take.
    pub fn wrong_method() -> ApiError {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this endpoint does not take this method; see /openapi.json",
        )
    }
}

impl From<BankError> for ApiError {
    fn from(err: BankError) -> ApiError {
        let message = err.to_string();
        let (status, code) = match &err {
            BankError::Invalid { code, .. } => (StatusCode::BAD_REQUEST, *code),
            BankError::WrongPin => (StatusCode::UNAUTHORIZED, "wrong_case_or_pin"),
            BankError::Locked { .. } => (StatusCode::TOO_MANY_REQUESTS, "locked"),
            BankError::BadKey => (StatusCode::UNAUTHORIZED, "unauthorized"),
            BankError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            BankError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            BankError::NotReady => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            BankError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            BankError::Database(_) | BankError::Migrate(_) | BankError::Internal(_) => {
                tracing::error!(error = %err, "request failed");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the bank could not complete the request; try again",
                );
            }
        };
        let retry_after = match err {
            BankError::Locked { retry_after } | BankError::Busy { retry_after } => {
                Some(retry_after)
            }
            BankError::NotReady => Some(Duration::from_secs(NOT_READY_RETRY_SECONDS)),
            _ => None,
        };
        ApiError {
            status,
            code,
            message,
            retry_after,
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let (status, code) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
            }
            _ => (StatusCode::BAD_REQUEST, "invalid_json"),
        };
        let message = match status {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "send the body as JSON with Content-Type: application/json".to_string()
            }
            StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_string(),
            _ => rejection.body_text(),
        };
        ApiError::new(status, code, message)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            rejection.body_text(),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            rejection.body_text(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: self.code,
            message: &self.message,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(wait) = self.retry_after {
            // Whole seconds, rounded up: never ask to come back too early.
            let seconds = wait.as_millis().div_ceil(1000).max(1);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED && self.code == "unauthorized" {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Results of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
