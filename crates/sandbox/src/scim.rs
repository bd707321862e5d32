//! The SCIM 2.0 API (RFC 7643/7644) at `/identity/scim/{orgId}/v2/`, as Webex serves it.

mod demo;
mod discovery;
mod error;
mod filter;
mod filter_text;
mod handlers;
mod patch;
mod persist;
mod query;
mod render;
mod resource;
mod schema;
mod store;

use std::sync::Arc;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

pub use demo::seed_demo;
pub use error::{ERROR_SCHEMA, SCIM_JSON, ScimError};
pub use filter_text::parse as parse_filter;
pub use render::Resource;
pub use resource::Kind;
pub use schema::{ENTERPRISE, GROUP, USER, WEBEX_GROUP, WEBEX_USER};
pub use store::Store;

use crate::AppState;
use crate::tokens::{Grant, TokenProblem};
pub(crate) use handlers::routes;

/// The grant behind the request's bearer token, or 401.
pub(crate) fn bearer_grant(app: &AppState, headers: &HeaderMap) -> Result<Arc<Grant>, ScimError> {
    let header = headers
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            token.trim()
        }
        _ => {
            return Err(ScimError::unauthorized(
                "send the token as 'Authorization: Bearer <token>'",
            ));
        }
    };
    let tokens = app.tokens.lock().unwrap_or_else(|p| p.into_inner());
    match tokens.check(token, OffsetDateTime::now_utc()) {
        Ok(grant) => Ok(grant),
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

/// Unknown routes answer with a SCIM error body too.
pub(crate) async fn not_found() -> Response {
    ScimError::not_found("no such endpoint in the Webex sandbox").into_response()
}
