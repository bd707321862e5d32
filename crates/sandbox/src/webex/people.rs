//! `GET /v1/people/me`: who a token belongs to, as Webex's People API answers. Behind an
//! authentication layer: a request without a live bearer token gets a SCIM 401 before any handler
//! runs, and the handler gets the token's grant.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use super::bearer::live_grant;
use super::scim::ScimError;
use super::tokens::Grant;
use crate::AppState;
use crate::authorization::admit;

pub(super) fn routes(app: &AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/people/me", get(me))
        .route_layer(middleware::from_fn_with_state(app.clone(), authenticate))
        // Set after the layer, which would otherwise also stand in front of axum's own 405: a
        // wrong method is a 405 with or without a token.
        .method_not_allowed_fallback(|| async { StatusCode::METHOD_NOT_ALLOWED })
}

/// The People API's authentication layer: a live bearer token, else a SCIM 401.
async fn authenticate(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let checked = live_grant(&app, request.headers()).map_err(ScimError::unauthorized);
    admit(checked, request, next).await
}

async fn me(State(app): State<AppState>, Extension(grant): Extension<Arc<Grant>>) -> Response {
    let Some(account) = app.accounts.iter().find(|a| a.email == grant.email) else {
        return ScimError::unauthorized("the account behind this token no longer exists").into_response();
    };
    Json(json!({
        "id": format!("sandbox-{}", account.email),
        "emails": [account.email],
        "displayName": account.display_name,
        "orgId": grant.org_id.to_string(),
        "roles": account.roles,
    }))
    .into_response()
}
