//! `GET /_sandbox/info` (on both origins): what a client needs to use this sandbox, as JSON — the
//! Webex side's base, org and Tenant URL, the broker facts from core's one table (client ID,
//! redirect URI, scopes) and accounts, and under `entra` the local Entra's base, endpoints
//! (authorize, token, device code and the device login page), tenant, client, scopes, accounts
//! and the Webex app's service principal. Scripts read it instead of repeating
//! those facts.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::HOST;
use scim_token_core::broker::{CLIENT_ID, REDIRECT_URI, SCOPES};
use scim_token_core::{Broker, BrokerId, entra};
use serde_json::{Value, json};
use url::Url;

use crate::AppState;

pub(crate) async fn show(State(app): State<AppState>, headers: HeaderMap) -> Json<Value> {
    // The Host was checked against loopback names by the guard in front of every route.
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = app
        .webex_base
        .get()
        .cloned()
        .or_else(|| Url::parse(&format!("http://{host}/")).ok());
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
        "entra": entra(&app),
    }))
}

/// The local Entra's facts.
fn entra(app: &AppState) -> Value {
    let config = &app.config.entra;
    let tenant = config.tenant.to_string();
    let base = app.entra_base.get();
    let at = |path: String| base.and_then(|b| b.join(&path).ok());
    let accounts: Vec<Value> = app
        .entra
        .accounts
        .iter()
        .map(|a| json!({"email": a.email, "password": a.password, "roles": a.roles, "may_manage_provisioning": a.may_manage_provisioning()}))
        .collect();
    json!({
        "base": base,
        "tenant": tenant,
        "authorize_url": at(entra::authorize_path(&tenant)),
        "token_url": at(entra::token_path(&tenant)),
        "devicecode_url": at(crate::entra::devicecode_path(&tenant)),
        "device_login_url": at(crate::entra::DEVICE_LOGIN_PATH.into()),
        "device_code_lifetime_seconds": config.device_code_lifetime.whole_seconds(),
        "device_code_interval_seconds": config.device_code_interval.whole_seconds(),
        "graph_base": at("v1.0/".into()),
        "client_id": entra::GRAPH_COMMAND_LINE_TOOLS,
        "registered_client": config.registered_client,
        "scopes": [entra::SYNCHRONIZATION_SCOPE, entra::APPLICATION_READ_SCOPE, entra::OFFLINE_ACCESS],
        "webex_app_id": crate::entra::WEBEX_APP_ID,
        "cycle_seconds": config.cycle.as_secs(),
        "accounts": accounts,
        "federated_domain": crate::FEDERATED_DOMAIN,
    })
}
