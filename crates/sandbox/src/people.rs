//! `GET /v1/people/me`: who a token belongs to, as Webex's People API answers.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::AppState;
use crate::bearer::Bearer;
use crate::scim::ScimError;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/v1/people/me", get(me))
}

async fn me(State(app): State<AppState>, Bearer(grant): Bearer) -> Response {
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
