//! Microsoft identity platform v2.0 at the local Entra: the authorization endpoint with an
//! Entra-like sign-in page, (in `token`) the token endpoint, and (in `device`) the device
//! authorization endpoint with its `/devicelogin` page. Paths, parameters and error codes are
//! Entra's: `/{tenant}/oauth2/v2.0/authorize`, `AADSTS…` codes in the texts.
//!
//! Like Entra, a request with an unknown tenant, client or redirect URI gets an error page and
//! is never redirected (an attacker must not get a code, or even an error, sent to a URI of
//! theirs); other problems are sent back to the redirect URI as `error`/`error_description`.

mod answers;
mod device;
mod page;
pub(crate) mod saml;
mod token;

use axum::extract::{Path, Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use scim_token_core::entra::{GRAPH_COMMAND_LINE_TOOLS, MULTI_TENANT_SEGMENTS};
use serde::Deserialize;
use time::OffsetDateTime;
use url::{Host, Url};

use super::accounts::{self, EntraAccount};
use super::grants::{CODE_LIFETIME, CodeGrant, Consent};
use crate::AppState;

pub(crate) use device::devicecode_path;

/// Where the user code is typed, below the local Entra's origin (`verification_uri`).
pub(crate) const DEVICE_LOGIN_PATH: &str = "devicelogin";

/// The session cookie's name at the local Entra.
pub(crate) const SESSION_COOKIE: &str = "sbx_entra_session";
/// The Graph resource prefix of fully qualified scopes.
const GRAPH: &str = "https://graph.microsoft.com/";
/// Graph permissions the local tenant knows.
const GRAPH_SCOPES: [&str; 6] = [
    "Synchronization.ReadWrite.All",
    "Synchronization.Read.All",
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "User.Read",
];
/// OpenID Connect scopes, granted alongside.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/authorize", get(show).post(submit))
        .route("/{tenant}/oauth2/v2.0/token", post(token::exchange))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device::request_code))
        .route(
            &format!("/{DEVICE_LOGIN_PATH}"),
            get(device::show).post(device::submit),
        )
        .route("/{tenant}/saml2", get(saml::show).post(saml::submit))
}

/// The authorization request (query of the GET, hidden fields of the form).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AuthorizeParams {
    #[serde(default)]
    pub(crate) client_id: String,
    #[serde(default)]
    pub(crate) response_type: String,
    #[serde(default)]
    pub(crate) redirect_uri: String,
    #[serde(default)]
    pub(crate) scope: String,
    #[serde(default)]
    pub(crate) state: Option<String>,
    #[serde(default)]
    pub(crate) code_challenge: String,
    #[serde(default)]
    pub(crate) code_challenge_method: String,
    #[serde(default)]
    pub(crate) login_hint: Option<String>,
    #[serde(default)]
    pub(crate) prompt: Option<String>,
}

/// The sign-in form's submission.
type SignIn = crate::html::SignInForm<AuthorizeParams>;

/// What a request may be answered with.
enum Checked {
    /// Good: these scopes (short form) are requested.
    Scopes(Vec<String>),
    /// Never redirect: show this page.
    ErrorPage(String),
    /// Send `error`/`error_description` back to the redirect URI.
    RedirectError(&'static str, String),
}

/// Whether `tenant` names this tenant (its ID, `organizations` or `common`).
pub(crate) fn tenant_matches(app: &AppState, tenant: &str) -> bool {
    MULTI_TENANT_SEGMENTS.contains(&tenant.to_ascii_lowercase().as_str())
        || uuid::Uuid::parse_str(tenant).is_ok_and(|t| t == app.config.entra.tenant)
}

/// Whether the tenant knows this public client.
pub(crate) fn client_known(app: &AppState, client_id: &str) -> bool {
    client_id.eq_ignore_ascii_case(GRAPH_COMMAND_LINE_TOOLS)
        || app
            .config
            .entra
            .registered_client
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(client_id))
}

/// RFC 8252 §7.3 loopback redirect: `http://localhost[:port][/path]` or `http://127.0.0.1…`,
/// no fragment. Public clients registered with `http://localhost` may use any port.
pub(crate) fn loopback_redirect(uri: &str) -> bool {
    let Ok(url) = Url::parse(uri) else {
        return false;
    };
    let loopback_host = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        _ => false,
    };
    url.scheme() == "http" && loopback_host && url.fragment().is_none() && url.username().is_empty()
}

/// Requested scopes in short form, or the first unknown one.
fn short_scopes(scope: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for requested in scope.split_whitespace() {
        let short = requested
            .strip_prefix(GRAPH)
            .or_else(|| requested.strip_prefix("https://graph.microsoft.com/"))
            .unwrap_or(requested);
        let known = if short == ".default" {
            out.extend(["Synchronization.ReadWrite.All", "Application.Read.All"].map(str::to_owned));
            continue;
        } else {
            GRAPH_SCOPES
                .iter()
                .chain(OIDC_SCOPES.iter())
                .find(|s| s.eq_ignore_ascii_case(short))
        };
        match known {
            Some(known) => out.push((*known).to_owned()),
            None => return Err(requested.to_owned()),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn check(app: &AppState, tenant: &str, params: &AuthorizeParams) -> Checked {
    if !tenant_matches(app, tenant) {
        return Checked::ErrorPage(format!(
            "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ));
    }
    if !client_known(app, &params.client_id) {
        return Checked::ErrorPage(format!(
            "AADSTS700016: Application with identifier '{}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
            params.client_id, app.config.entra.tenant
        ));
    }
    if !loopback_redirect(&params.redirect_uri) {
        return Checked::ErrorPage(format!(
            "AADSTS50011: The redirect URI '{}' specified in the request does not match the redirect URIs configured for the application. This public client accepts http://localhost or http://127.0.0.1 on any port.",
            params.redirect_uri
        ));
    }
    if params.response_type != "code" {
        return Checked::RedirectError(
            "unsupported_response_type",
            "AADSTS700054: response_type must be 'code' for this application.".into(),
        );
    }
    if params.code_challenge.is_empty() || params.code_challenge_method != "S256" {
        return Checked::RedirectError(
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange is required: send code_challenge with code_challenge_method=S256.".into(),
        );
    }
    match resource_scopes(&params.scope) {
        Ok(scopes) => Checked::Scopes(scopes),
        Err(description) => Checked::RedirectError("invalid_scope", format!("AADSTS70011: {description}")),
    }
}

/// The requested scopes in short form when they are known and name a resource (Graph), or why
/// not: the text of Entra's `invalid_scope` (AADSTS70011), without the number.
pub(crate) fn resource_scopes(scope: &str) -> Result<Vec<String>, String> {
    match short_scopes(scope) {
        Ok(scopes) if scopes.iter().any(|s| !OIDC_SCOPES.contains(&s.as_str())) => Ok(scopes),
        Ok(_) => Err("The provided request must include a resource scope, such as https://graph.microsoft.com/Synchronization.ReadWrite.All.".into()),
        Err(unknown) => Err(format!(
            "The provided value for the input parameter 'scope' is not valid. The scope '{unknown}' does not exist."
        )),
    }
}

/// `redirect_uri?k=v&…&state=…` (the authorization code flow's query response mode).
fn redirect_with(params: &AuthorizeParams, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(&params.redirect_uri) else {
        return page::error("AADSTS50011: The redirect URI is not a URL.");
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        if let Some(state) = &params.state {
            query.append_pair("state", state);
        }
    }
    (StatusCode::FOUND, [(LOCATION, url.to_string())]).into_response()
}

/// Whether the request's browser is one a "require an approved browser" policy lets through: its
/// `User-Agent` names Chrome (headless too), Edge or Firefox.
fn approved_browser(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|agent| ["Chrome/", "Edg/", "Firefox/"].iter().any(|b| agent.contains(b)))
}

/// The account whose session cookie came with the request.
pub(crate) fn session_account<'a>(app: &'a AppState, headers: &HeaderMap) -> Option<&'a EntraAccount> {
    let grants = app.entra.grants.lock().unwrap_or_else(|p| p.into_inner());
    let email = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .and_then(|(_, id)| grants.session(id))?
        .to_owned();
    drop(grants);
    accounts::find(&app.entra.accounts, &email)
}

/// The account `--auto-approve` signs in, if it exists at the local Entra.
pub(crate) fn auto_approved(app: &AppState) -> Option<&EntraAccount> {
    let email = app.config.auto_approve.as_deref()?;
    accounts::find(&app.entra.accounts, email)
}

/// A `Set-Cookie` that opens a session for `account`.
pub(crate) fn session_cookie(app: &AppState, account: &EntraAccount) -> String {
    let id = app
        .entra
        .grants
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .open_session(&account.email);
    format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax")
}

async fn show(
    State(app): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    let scopes = match check(&app, &tenant, &params) {
        Checked::Scopes(scopes) => scopes,
        Checked::ErrorPage(message) => return page::error(&message),
        Checked::RedirectError(code, text) => {
            return redirect_with(&params, &[("error", code), ("error_description", &text)]);
        }
    };
    if app.config.entra.approved_browsers_only && !approved_browser(&headers) {
        return redirect_with(
            &params,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
                ),
            ],
        );
    }
    let prompt = params.prompt.as_deref().unwrap_or("");
    if prompt != "login"
        && let Some(account) = session_account(&app, &headers).or_else(|| auto_approved(&app))
    {
        return grant(&app, &params, account, scopes, None);
    }
    if prompt == "none" {
        return redirect_with(
            &params,
            &[
                ("error", "login_required"),
                (
                    "error_description",
                    "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
                ),
            ],
        );
    }
    page::sign_in(&tenant, &params, None, StatusCode::OK)
}

async fn submit(
    State(app): State<AppState>,
    Path(tenant): Path<String>,
    Form(form): Form<SignIn>,
) -> Response {
    let scopes = match check(&app, &tenant, &form.params) {
        Checked::Scopes(scopes) => scopes,
        Checked::ErrorPage(message) => return page::error(&message),
        Checked::RedirectError(code, text) => {
            return redirect_with(&form.params, &[("error", code), ("error_description", &text)]);
        }
    };
    if form.action == "cancel" {
        return redirect_with(
            &form.params,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "AADSTS65004: User declined to consent to access the app.",
                ),
            ],
        );
    }
    match accounts::find(&app.entra.accounts, &form.email).filter(|a| a.password == form.password) {
        Some(account) => {
            let cookie = session_cookie(&app, account);
            grant(&app, &form.params, account, scopes, Some(cookie))
        }
        None => {
            let mut params = form.params.clone();
            params.login_hint = Some(form.email);
            page::sign_in(
                &tenant,
                &params,
                Some("AADSTS50126: Error validating credentials due to invalid username or password."),
                StatusCode::OK,
            )
        }
    }
}

/// Issues a code for `account` and redirects to the client with it.
fn grant(
    app: &AppState,
    params: &AuthorizeParams,
    account: &EntraAccount,
    scopes: Vec<String>,
    cookie: Option<String>,
) -> Response {
    let code = app
        .entra
        .grants
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .issue_code(CodeGrant {
            consent: Consent {
                email: account.email.clone(),
                client_id: params.client_id.to_ascii_lowercase(),
                scopes,
                device_code: false,
            },
            redirect_uri: params.redirect_uri.clone(),
            code_challenge: params.code_challenge.clone(),
            expires_at: OffsetDateTime::now_utc() + CODE_LIFETIME,
        });
    let mut response = redirect_with(params, &[("code", &code)]);
    if let Some(cookie) = cookie
        && let Ok(value) = cookie.parse()
    {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_redirects_are_accepted() {
        let cases = [
            ("http://localhost", true),
            ("http://localhost:53682/", true),
            ("http://LOCALHOST:1/callback", true),
            ("http://127.0.0.1:8080/cb?x=1", true),
            ("https://localhost/", false),
            ("http://127.0.0.2/", false),
            ("http://[::1]:80/", false),
            ("http://localhost.evil.example/", false),
            ("http://evil.example/?localhost", false),
            ("http://user@localhost/", false),
            ("http://localhost/#frag", false),
            ("urn:ietf:wg:oauth:2.0:oob", false),
            ("", false),
        ];
        for (uri, expected) in cases {
            assert_eq!(loopback_redirect(uri), expected, "{uri}");
        }
    }

    #[test]
    fn scopes_are_read_in_short_and_full_form() {
        assert_eq!(
            short_scopes("https://graph.microsoft.com/Synchronization.ReadWrite.All offline_access Application.Read.All")
                .expect("known"),
            vec!["Application.Read.All", "Synchronization.ReadWrite.All", "offline_access"]
        );
        assert_eq!(short_scopes("Mail.Send").err().as_deref(), Some("Mail.Send"));
    }
}
