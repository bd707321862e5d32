//! `POST /{tenant}/oauth2/v2.0/token`: the authorization code grant with PKCE, the device code
//! grant (answered in `device`) and the refresh token grant, for public clients, each answered
//! as Entra does (`answers`).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use time::OffsetDateTime;

use super::answers::{invalid_grant, oauth_error, tokens, unknown_tenant_or_client};
use super::device;
use crate::AppState;
use crate::entra::DeviceCodePolicy;
use crate::entra::grants::{CodeGrant, Refused, pkce_matches};

#[derive(Debug, Default, Deserialize)]
pub(super) struct TokenRequest {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    code_verifier: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    device_code: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    client_assertion: Option<String>,
}

pub(super) async fn exchange(
    State(app): State<AppState>,
    Path(tenant): Path<String>,
    Form(request): Form<TokenRequest>,
) -> Response {
    if let Some(refused) = client_refused(&app, &tenant, &request) {
        return refused;
    }
    let client_id = request.client_id.to_ascii_lowercase();
    match request.grant_type.as_str() {
        "authorization_code" => redeem_code(&app, &request, &client_id),
        "refresh_token" => refresh(&app, &request, &client_id),
        device::GRANT_TYPE => device::redeem(&app, &request.device_code, &client_id),
        other => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
    }
}

/// The answer to a request that names another tenant or a client the tenant does not know, or
/// that sends a secret or assertion (the client is public); `None` for any other.
fn client_refused(app: &AppState, tenant: &str, request: &TokenRequest) -> Option<Response> {
    if let Some(refused) = unknown_tenant_or_client(app, tenant, &request.client_id) {
        return Some(refused);
    }
    if request.client_secret.is_some() || request.client_assertion.is_some() {
        return Some(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    None
}

/// The authorization code grant: a live, unused code, redeemed by the client, redirect URI and
/// PKCE verifier it was issued for.
fn redeem_code(app: &AppState, request: &TokenRequest, client_id: &str) -> Response {
    let now = OffsetDateTime::now_utc();
    let mut grants = app.entra.grants.lock().unwrap_or_else(|p| p.into_inner());
    let grant = match grants.redeem_code(&request.code, now) {
        Ok(grant) => grant,
        Err(refused) => return code_refused(refused),
    };
    if let Some(refused) = binding_refused(&grant, request, client_id) {
        return refused;
    }
    let lifetime = app.config.entra.token_lifetime;
    tokens(app, grants.issue_tokens(grant.consent, lifetime, now))
}

/// Why a code cannot be redeemed, as Entra says it.
fn code_refused(refused: Refused) -> Response {
    match refused {
        Refused::AlreadyUsed => invalid_grant(
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        ),
        Refused::Expired => invalid_grant(
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ),
        Refused::Unknown => invalid_grant(
            9002313,
            "Invalid request. Request is malformed or invalid: the code is not one this tenant issued.",
        ),
    }
}

/// A code is bound to the client and redirect URI it was issued to, and to its PKCE challenge:
/// the answer to a request that does not match them; `None` when it does.
fn binding_refused(grant: &CodeGrant, request: &TokenRequest, client_id: &str) -> Option<Response> {
    if grant.consent.client_id != client_id {
        return Some(invalid_grant(70000, "The code was issued to another client."));
    }
    if grant.redirect_uri != request.redirect_uri {
        return Some(invalid_grant(
            50011,
            "The redirect URI does not match the one the code was issued for.",
        ));
    }
    if request.code_verifier.is_empty() {
        return Some(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50148,
            "The code_verifier is missing: this code was requested with a PKCE code_challenge.",
        ));
    }
    if !pkce_matches(&request.code_verifier, &grant.code_challenge) {
        return Some(invalid_grant(
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    None
}

/// The refresh token grant: a live refresh token of this client, used once (they rotate).
fn refresh(app: &AppState, request: &TokenRequest, client_id: &str) -> Response {
    let now = OffsetDateTime::now_utc();
    let lifetime = app.config.entra.token_lifetime;
    let mut grants = app.entra.grants.lock().unwrap_or_else(|p| p.into_inner());
    let tracked = grants
        .refresh_consent(&request.refresh_token)
        .is_some_and(|consent| consent.device_code);
    if tracked && app.config.entra.device_code_policy != DeviceCodePolicy::Allow {
        return invalid_grant(
            530036,
            "Access has been blocked due to a tracked protocol: this session was established with the device code flow, which a Conditional Access policy blocks.",
        );
    }
    match grants.refresh(&request.refresh_token, client_id, lifetime, now) {
        Ok(issued) => tokens(app, issued),
        Err(Refused::Expired) => invalid_grant(
            700082,
            "The refresh token has expired due to inactivity. Sign in again.",
        ),
        Err(Refused::AlreadyUsed) => invalid_grant(
            70000,
            "The refresh token was already used: refresh tokens rotate, use the newest one or sign in again.",
        ),
        Err(Refused::Unknown) => invalid_grant(
            9002313,
            "Invalid request. The refresh token is not one this tenant issued to this client.",
        ),
    }
}
