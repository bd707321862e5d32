//! The Webex side's bearer tokens on a request: the live grant behind its `Authorization: Bearer`
//! header, looked up in the sandbox's token store, or why it is refused, worded so a client can
//! act on it. The People and SCIM APIs' authentication layers answer a refusal with a SCIM 401.

use std::sync::Arc;

use axum::http::HeaderMap;
use time::OffsetDateTime;

use super::tokens::{Grant, TokenProblem};
use crate::AppState;
use crate::authorization::bearer_token;

/// The live grant behind the request's bearer token, or the detail of the 401 when the header is
/// missing or malformed, or the token is unknown, expired or revoked.
pub(super) fn live_grant(app: &AppState, headers: &HeaderMap) -> Result<Arc<Grant>, &'static str> {
    let Some(token) = bearer_token(headers) else {
        return Err("send the token as 'Authorization: Bearer <token>'");
    };
    let tokens = app.tokens.lock().unwrap_or_else(|p| p.into_inner());
    tokens
        .check(token, OffsetDateTime::now_utc())
        .map_err(|problem| match problem {
            TokenProblem::Expired => "the access token has expired: sign in again",
            TokenProblem::Revoked => "the access token was revoked: sign in again",
            TokenProblem::Unknown => {
                "The request requires a valid access token set in the Authorization request header."
            }
        })
}
