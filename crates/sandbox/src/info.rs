//! `GET /_sandbox/info`: what a client needs to use this sandbox, as JSON — its base, org and
//! Tenant URL, the broker facts from core's one table (client ID, redirect URI, scopes), and the
//! accounts. Scripts read it instead of repeating those facts.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::HOST;
use scim_token_core::broker::{CLIENT_ID, REDIRECT_URI, SCOPES};
use scim_token_core::{Broker, BrokerId};
use serde_json::{Value, json};
use url::Url;

use crate::AppState;

pub(crate) async fn show(State(app): State<AppState>, headers: HeaderMap) -> Json<Value> {
    // The Host was checked against loopback names by the guard in front of every route.
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = Url::parse(&format!("http://{host}/")).ok();
    let broker = base
        .clone()
        .map(|base| Broker::resolve(&BrokerId::Sandbox { base }));
    let accounts: Vec<Value> = app
        .accounts
        .iter()
        .map(|a| json!({"email": a.email, "password": a.password, "may_provision": a.may_provision()}))
        .collect();
    Json(json!({
        "base": base,
        "org_id": app.config.org_id,
        "tenant_url": broker.as_ref().map(|b| b.tenant_url(app.config.org_id)),
        "authorize_url": broker.as_ref().map(|b| b.authorize_url.clone()),
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scopes": SCOPES,
        "accounts": accounts,
    }))
}
