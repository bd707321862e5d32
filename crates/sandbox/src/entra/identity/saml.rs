//! `/{tenant}/saml2`: the local Entra as the identity provider of the Webex sandbox's federated
//! domain (see `crate::webex::federation`). GET shows the sign-in form (or signs in from the session
//! or `--auto-approve`); POST checks the password; either way a signed-in account goes back to
//! the broker's assertion consumer in an auto-submitted form.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::page;
use super::{auto_approved, session_account, session_cookie, tenant_matches};
use crate::AppState;
use crate::entra::accounts::{self, EntraAccount};
use crate::html::hidden;

/// `SAMLRequest` and `RelayState`, in the query (GET) or the form (POST).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SamlParams {
    #[serde(default, rename = "SAMLRequest")]
    saml_request: String,
    #[serde(default, rename = "RelayState")]
    relay_state: String,
}

/// The federated sign-in form's submission.
pub(crate) type SamlSignIn = crate::html::SignInForm<SamlParams>;

/// The email the broker parked the request for, or the page that refuses a request the broker
/// did not park (or that expired).
fn parked_for(app: &AppState, tenant: &str, params: &SamlParams) -> Result<String, String> {
    if !tenant_matches(app, tenant) {
        return Err(format!("AADSTS90002: Tenant '{tenant}' not found."));
    }
    let parked = app
        .federation
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .parked_for(&params.relay_state)
        .map(str::to_owned);
    match parked {
        Some(email) if !params.saml_request.is_empty() => Ok(email),
        _ => Err("AADSTS750054: SAMLRequest or SAMLResponse must be present as query string parameters in HTTP request for SAML Redirect binding. (This sign-in request is unknown or expired: start the sign-in at the Webex sandbox again.)".into()),
    }
}

/// The page that POSTs the assertion to the broker's assertion consumer service.
fn post_back(app: &AppState, account: &EntraAccount, relay: &str, cookie: Option<String>) -> Response {
    let assertion = app
        .federation
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .assert(&account.email, relay);
    let Some(webex) = app.webex_base.get() else {
        return page::error("The Webex sandbox's address is not known yet.");
    };
    let action = format!("{webex}idb/Consumer/metaAlias/{}/sp", app.config.org_id);
    let fields = [hidden("SAMLResponse", &assertion), hidden("RelayState", relay)].concat();
    let mut response = page::auto_post(&action, &fields);
    if let Some(cookie) = cookie
        && let Ok(value) = cookie.parse()
    {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

fn form(tenant: &str, params: &SamlParams, login_hint: Option<&str>, error: Option<&str>) -> Response {
    let action = format!(
        "/{}/saml2",
        url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>()
    );
    let fields = [
        hidden("SAMLRequest", &params.saml_request),
        hidden("RelayState", &params.relay_state),
    ]
    .concat();
    page::federated_sign_in(&action, &fields, login_hint, error)
}

pub(super) async fn show(
    State(app): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Query(params): Query<SamlParams>,
) -> Response {
    let email = match parked_for(&app, &tenant, &params) {
        Ok(email) => email,
        Err(message) => return page::error(&message),
    };
    // A session (or --auto-approve) signs in silently only as the account the user named at the
    // broker; anyone else gets the form, filled in.
    let silent = session_account(&app, &headers)
        .or_else(|| auto_approved(&app))
        .filter(|a| a.email.eq_ignore_ascii_case(&email));
    match silent {
        Some(account) => post_back(&app, account, &params.relay_state, None),
        None => form(&tenant, &params, Some(&email), None),
    }
}

pub(super) async fn submit(
    State(app): State<AppState>,
    Path(tenant): Path<String>,
    Form(form_data): Form<SamlSignIn>,
) -> Response {
    if let Err(message) = parked_for(&app, &tenant, &form_data.params) {
        return page::error(&message);
    }
    if form_data.action == "cancel" {
        return page::error(
            "AADSTS50058: You cancelled the sign-in. Close this window and start again at the Webex sandbox.",
        )
        .into_response();
    }
    match accounts::find(&app.entra.accounts, &form_data.email).filter(|a| a.password == form_data.password) {
        Some(account) => {
            let cookie = session_cookie(&app, account);
            post_back(&app, account, &form_data.params.relay_state, Some(cookie))
        }
        None => form(
            &tenant,
            &form_data.params,
            Some(&form_data.email),
            Some("AADSTS50126: Error validating credentials due to invalid username or password."),
        ),
    }
}
