//! The device authorization grant (RFC 8628) as Microsoft's identity platform serves it:
//! `POST /{tenant}/oauth2/v2.0/devicecode` gives a public client a device code and a user code;
//! a person types the user code at `/devicelogin` and approves (with an account of the local
//! Entra) or declines; the client polls the token endpoint with
//! `grant_type=urn:ietf:params:oauth:grant-type:device_code` (answered by [`redeem`]).
//!
//! Errors are Entra's JSON with these codes (all 400):
//!
//! | when | `error` | AADSTS |
//! | --- | --- | --- |
//! | devicecode: another tenant | `invalid_request` | 90002 |
//! | devicecode: unknown client | `unauthorized_client` | 700016 |
//! | devicecode: unknown scope, or no resource scope | `invalid_scope` | 70011 |
//! | poll: not approved yet | `authorization_pending` | 70016 |
//! | poll: sooner than the interval after the previous poll | `slow_down` | 70016 |
//! | poll: declined at `/devicelogin` | `authorization_declined` | 65004 |
//! | poll: past `expires_in` | `expired_token` | 70019 |
//! | poll: a device code this tenant never issued | `bad_verification_code` | 70018 |
//! | poll: a device code issued to another client | `invalid_grant` | 70000 |
//! | poll: a device code already redeemed | `invalid_grant` | 70000 |
//! | poll: approved, under `--entra-device-code-policy block` (Conditional Access) | `invalid_grant` | 53003 |
//! | refresh: a token from a device code sign-in, under `block` or `tracked` | `invalid_grant` | 530036 |
//!
//! Microsoft's error table has no number of its own for `slow_down` (a kind of pending, RFC 8628
//! §3.5) or for the decline (the user declining, AADSTS65004, as the authorize page's Cancel).
//!
//! `/devicelogin` never approves from a browser session: a page elsewhere could otherwise post an
//! attacker's code to it and have the admin's browser approve it. Only a typed password, or
//! `--auto-approve` (tests and demos), approves.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::answers::{invalid_grant, oauth_error, tokens, unknown_tenant_or_client};
use super::{DEVICE_LOGIN_PATH, auto_approved, page, resource_scopes};
use crate::AppState;
use crate::entra::DeviceCodePolicy;
use crate::entra::accounts::{self, EntraAccount};
use crate::entra::device_code::{Decision, DeviceCodes, Poll};
use crate::entra::grants::Refused;

/// The token endpoint's `grant_type` for polling with a device code (RFC 8628 §3.4).
pub(crate) const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The device authorization endpoint below the login base: `{tenant}/oauth2/v2.0/devicecode`.
pub(crate) fn devicecode_path(tenant: &str) -> String {
    format!("{tenant}/oauth2/v2.0/devicecode")
}

/// The device sign-ins, locked.
fn device_codes(app: &AppState) -> std::sync::MutexGuard<'_, DeviceCodes> {
    app.entra.device_codes.lock().unwrap_or_else(|p| p.into_inner())
}

/// The device authorization request (a form).
#[derive(Debug, Default, Deserialize)]
pub(super) struct DeviceCodeRequest {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    scope: String,
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`: the same tenant, client and scope checks as the
/// authorization endpoint, then a new pending sign-in.
pub(super) async fn request_code(
    State(app): State<AppState>,
    Path(tenant): Path<String>,
    Form(request): Form<DeviceCodeRequest>,
) -> Response {
    if let Some(refused) = unknown_tenant_or_client(&app, &tenant, &request.client_id) {
        return refused;
    }
    let scopes = match resource_scopes(&request.scope) {
        Ok(scopes) => scopes,
        Err(description) => {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", 70011, &description);
        }
    };
    // The sandbox's own origin, never the request's Host: the page to type the code on.
    let Some(verification_uri) = app
        .entra_base
        .get()
        .and_then(|base| base.join(DEVICE_LOGIN_PATH).ok())
    else {
        return oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            90006,
            "The local Entra is not served on a socket yet, so it has no device login page.",
        );
    };
    let config = &app.config.entra;
    let new = device_codes(&app).issue(
        &request.client_id.to_ascii_lowercase(),
        scopes,
        config.device_code_lifetime,
        config.device_code_interval,
        OffsetDateTime::now_utc(),
    );
    let body = json!({
        "user_code": new.user_code,
        "device_code": new.device_code,
        "verification_uri": verification_uri,
        "expires_in": config.device_code_lifetime.whole_seconds(),
        "interval": config.device_code_interval.whole_seconds(),
        "message": format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the code {} to authenticate.",
            new.user_code
        ),
    });
    (
        StatusCode::OK,
        [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")],
        Json(body),
    )
        .into_response()
}

/// The token endpoint's answer to a poll with `device_code` by `client_id` (lower case): the
/// tokens once approved (the device code is spent then), or why not yet or not at all.
pub(super) fn redeem(app: &AppState, device_code: &str, client_id: &str) -> Response {
    let now = OffsetDateTime::now_utc();
    let polled = device_codes(app).poll(device_code, client_id, now);
    let consent = match polled {
        Ok(consent) => consent,
        Err(poll) => return poll_refused(poll),
    };
    if app.config.entra.device_code_policy == DeviceCodePolicy::Block {
        return invalid_grant(
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance. (Block device code flow)",
        );
    }
    let lifetime = app.config.entra.token_lifetime;
    let issued = app
        .entra
        .grants
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .issue_tokens(consent, lifetime, now);
    tokens(app, issued)
}

/// Why a poll gets no tokens, as Entra says it (see the table in the module docs).
fn poll_refused(poll: Poll) -> Response {
    let (error, aadsts, description) = match poll {
        Poll::Pending => (
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ),
        Poll::SlowDown => (
            "slow_down",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending, and this poll came sooner than the interval after the previous one: wait 5 seconds longer between polls.",
        ),
        Poll::Declined => (
            "authorization_declined",
            65004,
            "The user declined the sign-in at the device login page.",
        ),
        Poll::Expired => (
            "expired_token",
            70019,
            "Verification code expired. Start a new device code sign-in.",
        ),
        Poll::Unknown => (
            "bad_verification_code",
            70018,
            "The device code is not one this tenant issued.",
        ),
        Poll::OtherClient => return invalid_grant(70000, "The device code was issued to another client."),
        Poll::AlreadyRedeemed => {
            return invalid_grant(
                70000,
                "The device code was already redeemed. Start a new device code sign-in.",
            );
        }
    };
    oauth_error(StatusCode::BAD_REQUEST, error, aadsts, description)
}

/// The device login form's own field: the code as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DeviceLoginParams {
    #[serde(default)]
    user_code: String,
}

/// The device login form's submission, in the one sign-in form shape.
type DeviceLogin = crate::html::SignInForm<DeviceLoginParams>;

/// `GET /devicelogin`: the form.
pub(super) async fn show(State(app): State<AppState>) -> Response {
    page::device_login("", None, auto_approved(&app).is_some(), None)
}

/// `POST /devicelogin`: `decline` with the code alone; `approve` with the code and an account's
/// email and password (or the code alone under `--auto-approve`). A wrong code or password
/// shows the form again with the error.
pub(super) async fn submit(State(app): State<AppState>, Form(form): Form<DeviceLogin>) -> Response {
    let now = OffsetDateTime::now_utc();
    let typed = form.params.user_code.as_str();
    let decided = if form.action == "decline" {
        decide(&app, typed, Decision::Declined, now).map(|()| declined())
    } else {
        approve(&app, &form, now)
    };
    decided.unwrap_or_else(|error| {
        let hint = Some(form.email.as_str()).filter(|e| !e.is_empty());
        page::device_login(typed, hint, auto_approved(&app).is_some(), Some(error.as_str()))
    })
}

/// Approves the typed code as the account the form names (or `--auto-approve`'s); the page that
/// says so, or the error to show with the form.
fn approve(app: &AppState, form: &DeviceLogin, now: OffsetDateTime) -> Result<Response, String> {
    let typed = form.params.user_code.as_str();
    // A bad code is told before a bad password: the code is what a person mistypes first.
    device_codes(app).check(typed, now).map_err(code_refused)?;
    let account: Option<&EntraAccount> = if form.email.trim().is_empty() {
        auto_approved(app)
    } else {
        accounts::find(&app.entra.accounts, &form.email).filter(|a| a.password == form.password)
    };
    let account =
        account.ok_or("AADSTS50126: Error validating credentials due to invalid username or password.")?;
    decide(app, typed, Decision::Approved(account.email.clone()), now)?;
    Ok(page::notice(
        StatusCode::OK,
        "Signed in — local Entra",
        "You have signed in",
        &format!(
            "You have signed in to the application on your device as {}. You may now close this window.",
            account.email
        ),
        "note",
    ))
}

/// Records `decision` for the typed code, or the error to show with the form.
fn decide(app: &AppState, typed: &str, decision: Decision, now: OffsetDateTime) -> Result<(), String> {
    device_codes(app)
        .decide(typed, decision, now)
        .map_err(code_refused)
}

/// The page after a decline.
fn declined() -> Response {
    page::notice(
        StatusCode::OK,
        "Sign-in declined — local Entra",
        "Sign-in declined",
        "You declined the sign-in: the application on your device will not be signed in. You may now close this window.",
        "note",
    )
}

/// Why a typed code cannot be approved or declined, for the form.
fn code_refused(refused: Refused) -> String {
    match refused {
        Refused::Unknown => "AADSTS70018: The code you entered is not valid. Check the code and try again.",
        Refused::Expired => {
            "AADSTS70019: The code has expired. Go back to the application on your device and start the sign-in again."
        }
        Refused::AlreadyUsed => {
            "AADSTS70018: This code was already used. Go back to the application on your device and start the sign-in again."
        }
    }
    .to_owned()
}
