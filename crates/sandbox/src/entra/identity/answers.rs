//! What the token endpoint answers, whatever the grant: the tokens (with an `id_token` when
//! `openid` was asked for) and Entra's OAuth errors (`error`, `error_description` with the AADSTS
//! code, `error_codes`, `timestamp`, `trace_id`, `correlation_id`). The code grant (`token`) and
//! the device code grant (`device`) both answer with these.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::{client_known, tenant_matches};
use crate::AppState;
use crate::entra::grants::Issued;

/// An OAuth error answer with the AADSTS number in `error_codes`.
pub(super) fn oauth_error(status: StatusCode, error: &str, aadsts: u32, description: &str) -> Response {
    let now = OffsetDateTime::now_utc();
    let trace = uuid::Uuid::new_v4();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{aadsts}: {description} Trace ID: {trace}"),
        "error_codes": [aadsts],
        "timestamp": now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "trace_id": trace,
        "correlation_id": uuid::Uuid::new_v4(),
    });
    (status, Json(body)).into_response()
}

pub(super) fn invalid_grant(aadsts: u32, description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", aadsts, description)
}

/// An OpenID Connect `id_token` naming the account and tenant: a JWT whose signature part is
/// a placeholder (scim-token reads it straight from the token endpoint and checks no
/// signature; nothing else reads it).
fn id_token(app: &AppState, email: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let tenant = app.config.entra.tenant;
    let name = crate::entra::accounts::find(&app.entra.accounts, email).map(|a| a.display_name.clone());
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({
        "aud": "scim-token",
        "iss": format!("https://login.microsoftonline.com/{tenant}/v2.0"),
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "tid": tenant,
        "preferred_username": email,
        "name": name.unwrap_or_else(|| email.to_owned()),
        "ver": "2.0",
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"sandbox")
    )
}

/// The token endpoint's success: what every grant answers with.
pub(super) fn tokens(app: &AppState, issued: Issued) -> Response {
    let scope: Vec<String> = issued
        .scopes
        .iter()
        .map(|s| {
            if ["openid", "profile", "email", "offline_access"].contains(&s.as_str()) {
                s.clone()
            } else {
                format!("https://graph.microsoft.com/{s}")
            }
        })
        .collect();
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scope.join(" "),
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
        "access_token": issued.access_token,
    });
    if let Some(refresh) = issued.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    if issued.scopes.iter().any(|s| s == "openid") {
        body["id_token"] = json!(id_token(app, &issued.email));
    }
    (
        StatusCode::OK,
        [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")],
        Json(body),
    )
        .into_response()
}

/// The answer to a request that names another tenant (AADSTS90002) or a client the tenant does
/// not know (AADSTS700016); `None` when both are this tenant's.
pub(super) fn unknown_tenant_or_client(app: &AppState, tenant: &str, client_id: &str) -> Option<Response> {
    if !tenant_matches(app, tenant) {
        return Some(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        ));
    }
    if !client_known(app, client_id) {
        return Some(oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        ));
    }
    None
}
