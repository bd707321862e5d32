//! The `Authorization: Bearer <token>` extractor shared by the People and SCIM APIs: it looks the
//! token up in the sandbox's token store and rejects with a SCIM 401 a client can act on.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use time::OffsetDateTime;

use crate::AppState;
use crate::scim::ScimError;
use crate::tokens::{Grant, TokenProblem};

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), if the
/// request has one. Shared by the Webex side's and the local Entra's APIs.
pub(crate) fn bearer_token(parts: &Parts) -> Option<&str> {
    let header = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Some(token.trim())
        }
        _ => None,
    }
}

/// The live grant behind the request's bearer token. Rejects with 401 when the header is missing
/// or malformed, or the token is unknown, expired or revoked.
#[derive(Debug, Clone)]
pub(crate) struct Bearer(pub(crate) Arc<Grant>);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ScimError> {
        let Some(token) = bearer_token(parts) else {
            return Err(ScimError::unauthorized(
                "send the token as 'Authorization: Bearer <token>'",
            ));
        };
        let tokens = app.tokens.lock().unwrap_or_else(|p| p.into_inner());
        match tokens.check(token, OffsetDateTime::now_utc()) {
            Ok(grant) => Ok(Self(grant)),
            Err(TokenProblem::Expired) => Err(ScimError::unauthorized(
                "the access token has expired: sign in again",
            )),
            Err(TokenProblem::Revoked) => Err(ScimError::unauthorized(
                "the access token was revoked: sign in again",
            )),
            Err(TokenProblem::Unknown) => Err(ScimError::unauthorized(
                "The request requires a valid access token set in the Authorization request header.",
            )),
        }
    }
}
