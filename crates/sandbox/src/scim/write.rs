//! Writes with a JSON body: to a collection (`POST /{Users|Groups}`, `.search`) or to one
//! resource (`PUT`/`PATCH /{Users|Groups}/{id}`). The caller authorised, the id and `If-Match`
//! precondition where there is one, and the body, checked in that order (401, 404, 400). One
//! place, so every write reads them the same way.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::IF_MATCH;
use axum::http::request::Parts;
use serde_json::Value;

use super::auth::{Authorized, ResourceId};
use super::error::ScimError;
use super::handlers::parse_body;
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
        let (mut parts, payload) = request.into_parts();
        let Authorized { base } = Authorized::from_request_parts(&mut parts, app).await?;
        Ok(Self {
            base,
            body: json(parts, payload, app).await?,
        })
    }
}

impl FromRequest<AppState> for ResourceWrite {
    type Rejection = ScimError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, ScimError> {
        let (mut parts, payload) = request.into_parts();
        let Authorized { base } = Authorized::from_request_parts(&mut parts, app).await?;
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
