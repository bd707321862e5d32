//! The sandbox's ID broker: the implicit grant's authorization endpoint (RFC 6749 §4.2.1) with a
//! real sign-in form, a Deny button, and the forced-login wrapper.

mod page;

use axum::extract::Path;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use scim_token_core::broker::{CLIENT_ID, REDIRECT_URI, SCOPES};
use serde::Deserialize;

use super::accounts::Account;
use super::federation::is_federated;
use crate::AppState;

const DENIED: &str = "The user denied the request.";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/idb/oauth2/v1/authorize", get(show_sign_in).post(sign_in))
        .route("/idb/saml2/jsp/doSSO.jsp", get(forced_login))
        .route("/idb/Consumer/metaAlias/{org}/sp", post(assertion_consumer))
}

/// The authorization request's parameters, as sent in the query or echoed by the form.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AuthParams {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    login_hint: Option<String>,
}

/// The sign-in form's submission.
type SignIn = crate::html::SignInForm<AuthParams>;

/// A request that may be answered by redirecting, or must not be (bad client or redirect URI).
enum Checked {
    Ok(Vec<String>),
    ErrorPage(&'static str),
    RedirectError(&'static str, &'static str),
}

fn check(params: &AuthParams) -> Checked {
    if params.client_id != CLIENT_ID {
        return Checked::ErrorPage(
            "Unknown client_id: this sandbox only knows the Webex provisioning client.",
        );
    }
    if params.redirect_uri != REDIRECT_URI {
        return Checked::ErrorPage(
            "redirect_uri does not match the registered http://localhost:3000/auth/code.",
        );
    }
    if params.response_type != "token" {
        return Checked::RedirectError(
            "unsupported_response_type",
            "Only response_type=token is supported.",
        );
    }
    let scopes: Vec<String> = params.scope.split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() || scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Checked::RedirectError("invalid_scope", "The requested scope is unknown or empty.");
    }
    Checked::Ok(scopes)
}

/// `redirect_uri#k=v&…` (RFC 6749 §4.2.2: parameters in the fragment).
fn redirect_with(params: &AuthParams, pairs: &[(&str, &str)]) -> Response {
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        fragment.append_pair(k, v);
    }
    if let Some(state) = &params.state {
        fragment.append_pair("state", state);
    }
    let location = format!("{}#{}", params.redirect_uri, fragment.finish());
    (StatusCode::FOUND, [(LOCATION, location)]).into_response()
}

fn error_page(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, page::error(message)).into_response()
}

async fn show_sign_in(State(app): State<AppState>, Query(params): Query<AuthParams>) -> Response {
    let scopes = match check(&params) {
        Checked::Ok(scopes) => scopes,
        Checked::ErrorPage(message) => return error_page(message),
        Checked::RedirectError(code, text) => {
            return redirect_with(&params, &[("error", code), ("error_description", text)]);
        }
    };
    if app.config.auto_deny {
        return redirect_with(
            &params,
            &[("error", "access_denied"), ("error_description", DENIED)],
        );
    }
    if let Some(email) = &app.config.auto_approve {
        if is_federated(email) {
            return to_identity_provider(&app, params, &email.clone());
        }
        return match app.accounts.iter().find(|a| a.email.eq_ignore_ascii_case(email)) {
            Some(account) => grant(&app, &params, account, &scopes),
            None => error_page("The auto-approve account does not exist in this sandbox."),
        };
    }
    if let Some(hint) = params.login_hint.clone().filter(|h| is_federated(h)) {
        return to_identity_provider(&app, params, &hint);
    }
    page::sign_in(&params, None).into_response()
}

async fn sign_in(State(app): State<AppState>, Form(form): Form<SignIn>) -> Response {
    let scopes = match check(&form.params) {
        Checked::Ok(scopes) => scopes,
        Checked::ErrorPage(message) => return error_page(message),
        Checked::RedirectError(code, text) => {
            return redirect_with(&form.params, &[("error", code), ("error_description", text)]);
        }
    };
    if form.action == "deny" {
        return redirect_with(
            &form.params,
            &[
                ("error", "access_denied"),
                ("error_description", "The user denied the request."),
            ],
        );
    }
    if is_federated(&form.email) {
        return to_identity_provider(&app, form.params, &form.email);
    }
    let account = app.accounts.iter().find(|a| {
        a.email.eq_ignore_ascii_case(form.email.trim())
            && !a.password.is_empty()
            && a.password == form.password
    });
    match account {
        Some(account) => grant(&app, &form.params, account, &scopes),
        None => {
            let mut params = form.params.clone();
            params.login_hint = Some(form.email);
            (
                StatusCode::UNAUTHORIZED,
                page::sign_in(&params, Some("Wrong email or password.")),
            )
                .into_response()
        }
    }
}

fn grant(app: &AppState, params: &AuthParams, account: &Account, requested: &[String]) -> Response {
    let scopes = account.grantable_scopes(requested);
    let (token, lifetime) = app.issue(account, scopes.clone());
    let expires_in = lifetime.whole_seconds().to_string();
    let mut pairs = vec![
        ("access_token", token.as_str()),
        ("token_type", "Bearer"),
        ("expires_in", &expires_in),
    ];
    // RFC 6749 §5.1: the scope is sent when it differs from the request.
    let granted = scopes.join(" ");
    if scopes.len() != requested.len() {
        pairs.push(("scope", &granted));
    }
    redirect_with(params, &pairs)
}

#[derive(Debug, Deserialize)]
struct ForcedLogin {
    #[serde(default)]
    goto: String,
}

/// `doSSO.jsp?type=login&goto=<authorize URL>`: forwards only to this broker's own authorize page.
async fn forced_login(Query(query): Query<ForcedLogin>) -> Response {
    let target = url::Url::parse(&query.goto).ok();
    match target {
        Some(url) if url.path() == "/idb/oauth2/v1/authorize" => {
            let local = format!("{}?{}", url.path(), url.query().unwrap_or(""));
            (StatusCode::FOUND, [(LOCATION, local)]).into_response()
        }
        _ => error_page("goto must be this broker's /idb/oauth2/v1/authorize URL."),
    }
}

/// Sends a federated sign-in to the local Entra (SAML's redirect binding, with opaque IDs): the
/// request waits here under its `RelayState` until the assertion comes back.
fn to_identity_provider(app: &AppState, params: AuthParams, email: &str) -> Response {
    let Some(entra) = app.entra_base.get() else {
        return error_page("This domain signs in with the local Entra, which is not running.");
    };
    let relay = app
        .federation
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .park(params, email);
    let mut target = entra.clone();
    target.set_path(&format!("{}/saml2", app.config.entra.tenant));
    target
        .query_pairs_mut()
        .append_pair("SAMLRequest", "sandbox-authn-request")
        .append_pair("RelayState", &relay);
    (StatusCode::FOUND, [(LOCATION, target.to_string())]).into_response()
}

/// What the local Entra POSTs back.
#[derive(Debug, Deserialize)]
struct AssertionPost {
    #[serde(default, rename = "SAMLResponse")]
    saml_response: String,
    #[serde(default, rename = "RelayState")]
    relay_state: String,
}

/// The assertion consumer: who the local Entra signed in, for which parked request; then the
/// token, exactly as a password sign-in would end.
async fn assertion_consumer(
    State(app): State<AppState>,
    Path(org): Path<String>,
    Form(post): Form<AssertionPost>,
) -> Response {
    if org != app.config.org_id.to_string() {
        return error_page("This assertion consumer belongs to another org.");
    }
    let (email, params) = {
        let mut federation = app.federation.lock().unwrap_or_else(|p| p.into_inner());
        (
            federation.redeem(&post.saml_response, &post.relay_state),
            federation.unpark(&post.relay_state),
        )
    };
    let (Some(email), Some(params)) = (email, params) else {
        return error_page("The sign-in response is unknown, used or expired: start the sign-in again.");
    };
    let account = app
        .accounts
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(&email) && is_federated(&a.email));
    let Some(account) = account else {
        return error_page(
            "The local Entra signed in an account that is not a federated user of this Webex org: sign in there as the federated admin.",
        );
    };
    match check(&params) {
        Checked::Ok(scopes) => grant(&app, &params, account, &scopes),
        Checked::ErrorPage(message) => error_page(message),
        Checked::RedirectError(code, text) => {
            redirect_with(&params, &[("error", code), ("error_description", text)])
        }
    }
}
