//! Extractors for the SCIM routes: [`Authorized`] (may this token use this org's SCIM API?) and
//! [`ResourceId`] (the `{id}` in the path). Both reject with a SCIM error body, never axum's
//! plain-text rejections.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header::HOST;
use axum::http::request::Parts;
use scim_token_core::OrgId;
use scim_token_core::broker::SCIM_SCOPE;

use super::error::ScimError;
use crate::AppState;
use crate::bearer::Bearer;

/// A caller allowed to use the SCIM API of the org named in the path. Checked in this order, as
/// Webex does: a live bearer token (else 401), the served org in both path and token (else 404),
/// the `Identity:SCIM` scope (else 403).
#[derive(Debug, Clone)]
pub(super) struct Authorized {
    /// The API base URL the client used, `http://<Host>/identity/scim/<org>/v2/`, for `location`s.
    pub(super) base: String,
}

impl FromRequestParts<AppState> for Authorized {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ScimError> {
        let Bearer(grant) = Bearer::from_request_parts(parts, app).await?;
        let org = path_param(parts, app, "org").await.unwrap_or_default();
        let served = app.config.org_id;
        if OrgId::parse_exact(&org).ok() != Some(served) || grant.org_id != served {
            return Err(ScimError::not_found(format!("org '{org}' not found")));
        }
        if !grant.scopes.iter().any(|s| s == SCIM_SCOPE) {
            return Err(ScimError::forbidden(format!(
                "{} is not a full or user administrator: the token lacks the Identity:SCIM scope",
                grant.email
            )));
        }
        let host = parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        Ok(Self {
            base: format!("http://{host}/identity/scim/{served}/v2/"),
        })
    }
}

/// The `{id}` of a resource, resource type or schema in the path. A path that does not decode to
/// UTF-8 names nothing here, so it is a 404 like any other unknown id.
#[derive(Debug, Clone)]
pub(super) struct ResourceId(pub(super) String);

impl FromRequestParts<AppState> for ResourceId {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ScimError> {
        path_param(parts, app, "id")
            .await
            .map(Self)
            .ok_or_else(|| ScimError::not_found("the id in the path is not valid UTF-8"))
    }
}

/// A named path parameter, percent-decoded; `None` when missing or not UTF-8.
async fn path_param(parts: &mut Parts, app: &AppState, name: &str) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, app).await.ok()?;
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
