//! The local Entra's pages: a sign-in form in Entra's manner and an error page. Self-contained,
//! every value escaped.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::AuthorizeParams;
use crate::html::{escape, hidden_fields};

const STYLE: &str = "<style>
:root { color-scheme: light dark; font-family: 'Segoe UI', system-ui, sans-serif; }
body { display: grid; place-items: center; min-height: 90vh; margin: 0; background: #f2f2f2; }
@media (prefers-color-scheme: dark) { body { background: #1b1b1b; } }
main { width: 22rem; padding: 2.2rem; background: Canvas; box-shadow: 0 2px 6px #0003; }
.brand { font-weight: 600; letter-spacing: .02em; opacity: .75; }
h1 { font-size: 1.5rem; font-weight: 600; margin: .6rem 0 1rem; }
label { display: block; margin: .8rem 0 .2rem; }
input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .45rem 0; border: 0; border-bottom: 1px solid #666; background: transparent; font-size: 1rem; }
.buttons { display: flex; gap: .5rem; justify-content: flex-end; margin-top: 1.6rem; }
button { padding: .5rem 1.6rem; border: 0; } #signin { background: #0067b8; color: white; }
.error { color: #e81123; } .note { font-size: .85rem; opacity: .8; }
</style>";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>{STYLE}</head><body><main><div class=\"brand\">Local Entra (sandbox)</div>{body}</main></body></html>",
        escape(title)
    )
}

/// The sign-in form for an authorization request.
pub(super) fn sign_in(
    tenant: &str,
    params: &AuthorizeParams,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let fields = hidden_fields(
        &[
            ("client_id", &params.client_id),
            ("response_type", &params.response_type),
            ("redirect_uri", &params.redirect_uri),
            ("scope", &params.scope),
            ("code_challenge", &params.code_challenge),
            ("code_challenge_method", &params.code_challenge_method),
        ],
        params.state.as_deref(),
    );
    let action = format!("/{}/oauth2/v2.0/authorize", urlencode(tenant));
    let note = format!("An app wants to act on your behalf: {}", params.scope);
    form(
        &action,
        &fields,
        params.login_hint.as_deref(),
        &note,
        error,
        status,
    )
}

/// The sign-in form of the federated (SAML) sign-in.
pub(crate) fn federated_sign_in(
    action: &str,
    fields: &str,
    login_hint: Option<&str>,
    error: Option<&str>,
) -> Response {
    form(
        action,
        fields,
        login_hint,
        "The Webex sandbox sends you here because your domain signs in with this directory.",
        error,
        StatusCode::OK,
    )
}

fn form(
    action: &str,
    fields: &str,
    login_hint: Option<&str>,
    note: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in</h1><p class=\"note\">{note}</p>{error}
<form method=\"post\" action=\"{action}\">{fields}
<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" value=\"{email}\" required autofocus>
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">
<div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"cancel\" id=\"cancel\" formnovalidate>Cancel</button>
<button type=\"submit\" name=\"action\" value=\"signin\" id=\"signin\">Sign in</button></div></form>",
        note = escape(note),
        action = escape(action),
        email = escape(login_hint.unwrap_or("")),
    );
    (
        status,
        Html(document("Sign in to your account — local Entra", &body)),
    )
        .into_response()
}

/// An error page: the request is not answered by a redirect.
pub(crate) fn error(message: &str) -> Response {
    let body = format!(
        "<h1>Sorry, but we're having trouble signing you in.</h1><p class=\"error\">{}</p>",
        escape(message)
    );
    (
        StatusCode::BAD_REQUEST,
        Html(document("Sign in error — local Entra", &body)),
    )
        .into_response()
}

/// An HTML page that POSTs `fields` to `action` as soon as it loads (SAML's HTTP-POST binding),
/// with a button for a browser that runs no script.
pub(crate) fn auto_post(action: &str, fields: &str) -> Response {
    let body = format!(
        "<h1>Signing you in…</h1><form method=\"post\" action=\"{}\" id=\"post\">{fields}<noscript><button type=\"submit\">Continue</button></noscript></form><script>document.getElementById('post').submit();</script>",
        escape(action)
    );
    Html(document("Working… — local Entra", &body)).into_response()
}

fn urlencode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
