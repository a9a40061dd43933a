//! Extractors whose failures are [`ApiError`]s, and the two kinds of
//! credentials: a platform's API key and a case's PIN.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use hashbank_bank::Platform;

use crate::client::ClientAddr;
use crate::error::ApiError;
use crate::AppState;

/// A JSON body; malformed JSON, unknown fields, a wrong content type or a
/// body over the limit are 400 / 415 / 413 JSON errors.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

/// Query parameters, 400 when malformed.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters, 400 when malformed.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The header that carries a case's PIN (never the URL).
pub const PIN_HEADER: &str = "x-case-pin";

/// The PIN from the `X-Case-Pin` header.
pub struct CasePin(pub String);

impl FromRequestParts<AppState> for CasePin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        parts
            .headers
            .get(PIN_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|pin| CasePin(pin.trim().to_string()))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "missing_pin",
                    "give the case's PIN in the X-Case-Pin header",
                )
            })
    }
}

/// The platform whose API key (`Authorization: Bearer hbk_...`) came with
/// the request. A key the server has not verified before counts against the
/// client's and everyone's key tries first (a platform's key is verified
/// once and then cached, so in effect wrong keys count).
pub struct PlatformAuth(pub Platform);

impl FromRequestParts<AppState> for PlatformAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|key| key.trim().to_string());
        let Some(key) = key else {
            return Err(hashbank_bank::BankError::BadKey.into());
        };
        if !state.bank.key_verified_before(&key) {
            let client = ClientAddr::from_request_parts(parts, state).await?;
            state.limits.key_tries.check(&client)?;
        }
        Ok(PlatformAuth(state.bank.authenticate(&key).await?))
    }
}
