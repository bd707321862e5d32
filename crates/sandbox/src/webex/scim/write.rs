//! Writes with a JSON body: to a collection (`POST /{Users|Groups}`, `.search`) or to one
//! resource (`PUT`/`PATCH /{Users|Groups}/{id}`). Behind the authentication layer (401, 404,
//! 403), the id and `If-Match` precondition where there is one, and the body, read in that order
//! (404, 400). One place, so every write reads them the same way.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_TYPE, IF_MATCH};
use axum::http::request::Parts;
use serde_json::Value;

use super::auth::{Authorized, ResourceId};
use super::error::{SCIM_JSON, ScimError};
use crate::AppState;

/// A write to a collection.
pub(super) struct CollectionWrite {
    /// The API base the client used, for the answer's `location`.
    pub(super) base: String,
    /// The parsed body.
    pub(super) body: Value,
}

/// A write to one resource.
pub(super) struct ResourceWrite {
    /// The API base the client used, for the answer's `location`.
    pub(super) base: String,
    /// The resource's id.
    pub(super) id: String,
    /// The `If-Match` header, when sent.
    pub(super) if_match: Option<String>,
    /// The parsed body.
    pub(super) body: Value,
}

/// The API base the authentication layer found for the caller. Without the layer in front, the
/// request is refused: no write is served unauthenticated.
fn base(parts: &Parts) -> Result<String, ScimError> {
    parts
        .extensions
        .get::<Authorized>()
        .map(|caller| caller.base.clone())
        .ok_or_else(|| ScimError::unauthorized("the request was not authenticated"))
}

/// `body` as SCIM JSON, when the content type says it is JSON.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ScimError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("application/json");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != SCIM_JSON && essence != "application/json" {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            format!("content type must be {SCIM_JSON}, not {content_type}"),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ScimError::bad_request("invalidSyntax", format!("the body is not valid JSON: {e}")))
}

/// The body, read whole and parsed as SCIM JSON (by the request's content type).
async fn json(parts: Parts, payload: Body, app: &AppState) -> Result<Value, ScimError> {
    let headers = parts.headers.clone();
    let bytes = Bytes::from_request(Request::from_parts(parts, payload), app)
        .await
        .map_err(|e| ScimError::bad_request("invalidSyntax", e.body_text()))?;
    parse_body(&headers, &bytes)
}

impl FromRequest<AppState> for CollectionWrite {
    type Rejection = ScimError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, ScimError> {
        let (parts, payload) = request.into_parts();
        Ok(Self {
            base: base(&parts)?,
            body: json(parts, payload, app).await?,
        })
    }
}

impl FromRequest<AppState> for ResourceWrite {
    type Rejection = ScimError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, ScimError> {
        let (mut parts, payload) = request.into_parts();
        let base = base(&parts)?;
        let ResourceId(id) = ResourceId::from_request_parts(&mut parts, app).await?;
        let if_match = parts
            .headers
            .get(IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Self {
            base,
            id,
            if_match,
            body: json(parts, payload, app).await?,
        })
    }
}
