//! The one error type of the HTTP layer and the one place where errors
//! become responses: `{"error": code, "message": text}` with its status.

use std::borrow::Cow;
use std::time::Duration;

use api::ErrorBody;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hashbank_bank::BankError;

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
    /// The earlier report, for a second report of the same content.
    pub report_id: Option<i64>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            report_id: None,
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

    /// 408 for a body that did not arrive in time.
    pub fn body_timeout() -> ApiError {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            "the request body did not arrive in time",
        )
    }

    /// The error of `status`, for answers that carry no message of their
    /// own (from the router or the static files).
    pub fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed"),
            StatusCode::UNAUTHORIZED => ("unauthorized", "credentials are missing or wrong"),
            StatusCode::FORBIDDEN => ("forbidden", "this is not allowed"),
            StatusCode::NOT_FOUND => return ApiError::no_route(),
            StatusCode::METHOD_NOT_ALLOWED => return ApiError::wrong_method(),
            StatusCode::REQUEST_TIMEOUT => return ApiError::body_timeout(),
            StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "the request body is too large"),
            StatusCode::URI_TOO_LONG => ("uri_too_long", "the URL is too long"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ),
            StatusCode::RANGE_NOT_SATISFIABLE => (
                "range_not_satisfiable",
                "the range asked is not in the file",
            ),
            StatusCode::PRECONDITION_FAILED => (
                "precondition_failed",
                "a condition of the request does not hold",
            ),
            StatusCode::TOO_MANY_REQUESTS => {
                ("too_many_requests", "too many requests; wait and try again")
            }
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
                ("headers_too_large", "the request headers are too large")
            }
            StatusCode::SERVICE_UNAVAILABLE => (
                "unavailable",
                "the server cannot answer now; try again shortly",
            ),
            s if s.is_server_error() => (
                "internal",
                "the bank could not complete the request; try again",
            ),
            _ => ("bad_request", "the request cannot be served"),
        };
        ApiError::new(status, code, message)
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
            BankError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            BankError::Conflict(_) | BankError::AlreadyReported { .. } => {
                (StatusCode::CONFLICT, "conflict")
            }
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
        let report_id = match err {
            BankError::AlreadyReported { report_id, .. } => Some(report_id),
            _ => None,
        };
        ApiError {
            status,
            code,
            message,
            retry_after,
            report_id,
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let (status, code, message) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json".to_string(),
            ),
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "the request body is too large".to_string(),
                )
            }
            JsonRejection::BytesRejection(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "the request body could not be read".to_string(),
            ),
            JsonRejection::JsonSyntaxError(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!(
                    "the body is not valid JSON: {}",
                    plain(&inner_text(rejection.body_text()))
                ),
            ),
            _ => (
                StatusCode::BAD_REQUEST,
                "invalid_json",
                plain(&inner_text(rejection.body_text())),
            ),
        };
        ApiError::new(status, code, message)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!(
                "query string: {}",
                plain(&inner_text(rejection.body_text()))
            ),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        let message = match &rejection {
            PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                ErrorKind::ParseErrorAtKey { key, value, .. } => {
                    format!("{key} in the path: `{value}` is not valid here")
                }
                ErrorKind::ParseError { value, .. }
                | ErrorKind::ParseErrorAtIndex { value, .. } => {
                    format!("`{value}` in the path is not valid here")
                }
                _ => "the path is not valid; see /openapi.json".to_string(),
            },
            _ => "the path is not valid; see /openapi.json".to_string(),
        };
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", message)
    }
}

/// What went wrong, without axum's preamble ("Failed to deserialize ...:").
fn inner_text(text: String) -> String {
    for preamble in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
        "Failed to deserialize query string: ",
    ] {
        if let Some(rest) = text.strip_prefix(preamble) {
            return rest.to_string();
        }
    }
    text
}

/// A deserializer's message in the API's words: no Rust type names
/// (`expected struct NewCase`, `expected u8`), no module paths.
pub(crate) fn plain(message: &str) -> String {
    let mut out = message.replace("unknown variant", "unknown value");
    for (rust, words) in [
        (
            "expected variant identifier",
            "expected one of the allowed values",
        ),
        ("expected field identifier", "expected a known field"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected an object"),
        ("expected unit", "expected null"),
    ] {
        out = out.replace(rust, words);
    }
    let mut words: Vec<String> = Vec::new();
    let mut tokens = out.split(' ').peekable();
    while let Some(token) = tokens.next() {
        let bare = token.trim_end_matches([',', '.', ':', ';']);
        let tail = &token[bare.len()..];
        let replaced = match bare {
            "struct" | "enum" | "tuple" if tokens.peek().is_some() => {
                // "struct NewCase" / "tuple struct X": the next word is a
                // type name.
                let mut next = tokens.next().unwrap_or_default();
                if next == "struct" {
                    next = tokens.next().unwrap_or_default();
                }
                let next_bare = next.trim_end_matches([',', '.', ':', ';']);
                let next_tail = &next[next_bare.len()..];
                let word = if bare == "enum" {
                    "one of the allowed values"
                } else {
                    "an object"
                };
                words.push(format!("{word}{next_tail}"));
                continue;
            }
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64"
            | "i128" | "isize" => "a whole number in range".to_string(),
            "f32" | "f64" => "a number".to_string(),
            "option" => "a value or null".to_string(),
            _ if bare.contains("::") => "a value".to_string(),
            _ => bare.to_string(),
        };
        words.push(format!("{replaced}{tail}"));
    }
    words.join(" ")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: Cow::Borrowed(self.code),
            message: self.message,
            report_id: self.report_id,
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

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn messages_name_no_rust_types() {
        assert_eq!(
            plain("invalid type: integer `5`, expected struct NewCase at line 1 column 1"),
            "invalid type: integer `5`, expected an object at line 1 column 1"
        );
        assert_eq!(
            plain("hashes[0].kind: unknown variant `crc32`, expected one of `pdq`, `md5`"),
            "hashes[0].kind: unknown value `crc32`, expected one of `pdq`, `md5`"
        );
        assert_eq!(
            plain("invalid value: integer `300`, expected u8"),
            "invalid value: integer `300`, expected a whole number in range"
        );
        assert_eq!(
            plain("invalid type: string \"x\", expected enum hashbank_bank::Kind"),
            "invalid type: string \"x\", expected one of the allowed values"
        );
        assert_eq!(
            plain("expected hashbank_bank::hashes::Kind here"),
            "expected a value here"
        );
    }
}
