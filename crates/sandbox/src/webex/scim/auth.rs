//! Who may call the SCIM API: [`authenticate`], the route layer in front of every SCIM route, lets
//! a request through only for a caller allowed to use the SCIM API of the org in the path, and
//! hands the handler an [`Authorized`] as a request extension. Also [`ResourceId`], the extractor
//! of the `{id}` in the path. Both reject with a SCIM error body, never axum's plain-text
//! rejections.

use axum::RequestExt;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::header::HOST;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use scim_token_core::OrgId;
use scim_token_core::broker::SCIM_SCOPE;

use super::error::ScimError;
use crate::AppState;
use crate::authorization::admit;
use crate::webex::bearer::live_grant;

/// A caller the layer let through.
#[derive(Debug, Clone)]
pub(super) struct Authorized {
    /// The API base URL the client used, `http://<Host>/identity/scim/<org>/v2/`, for `location`s.
    pub(super) base: String,
}

/// The SCIM API's authentication layer. Checked in this order, as Webex does: a live bearer token
/// (else 401), the served org in both path and token (else 404), the `Identity:SCIM` scope (else
/// 403).
pub(super) async fn authenticate(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let checked = authorize(&app, &mut request).await;
    admit(checked, request, next).await
}

async fn authorize(app: &AppState, request: &mut Request) -> Result<Authorized, ScimError> {
    let grant = live_grant(app, request.headers()).map_err(ScimError::unauthorized)?;
    let org = match request.extract_parts::<RawPathParams>().await {
        Ok(params) => named(&params, "org").unwrap_or_default(),
        Err(_) => String::new(),
    };
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
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Ok(Authorized {
        base: format!("http://{host}/identity/scim/{served}/v2/"),
    })
}

/// The `{id}` of a resource, resource type or schema in the path. A path that does not decode to
/// UTF-8 names nothing here, so it is a 404 like any other unknown id.
#[derive(Debug, Clone)]
pub(super) struct ResourceId(pub(super) String);

impl FromRequestParts<AppState> for ResourceId {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ScimError> {
        let params = RawPathParams::from_request_parts(parts, app).await.ok();
        params
            .and_then(|params| named(&params, "id"))
            .map(Self)
            .ok_or_else(|| ScimError::not_found("the id in the path is not valid UTF-8"))
    }
}

/// A named path parameter, percent-decoded; `None` when missing (or not UTF-8: then the
/// parameters cannot be read at all).
fn named(params: &RawPathParams, name: &str) -> Option<String> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
