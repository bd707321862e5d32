//! The local Entra's pages: one sign-in form in Entra's manner (for an authorization request, the
//! federated sign-in and the device login), pages that only say something (an error, the device
//! login's outcome) and the SAML auto-post. Self-contained, every value escaped.

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
input[type=email], input[type=password], input[type=text] { width: 100%; box-sizing: border-box; padding: .45rem 0; border: 0; border-bottom: 1px solid #666; background: transparent; font-size: 1rem; }
.buttons { display: flex; flex-direction: row-reverse; gap: .5rem; justify-content: flex-start; margin-top: 1.6rem; }
button { padding: .5rem 1.6rem; border: 0; } button.primary { background: #0067b8; color: white; }
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
        Asks::Account,
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
        Asks::Account,
    )
}

/// The device login form: the code a device shows (as typed so far), and the account that
/// approves it (optional with `--auto-approve`, whose account approves a code typed alone).
pub(super) fn device_login(
    typed: &str,
    login_hint: Option<&str>,
    account_optional: bool,
    error: Option<&str>,
) -> Response {
    let note = if account_optional {
        "Enter the code displayed on your app or device. Approve signs in as the sandbox's --auto-approve account unless you enter another account."
    } else {
        "Enter the code displayed on your app or device, and the account that signs in to it."
    };
    form(
        &format!("/{}", super::DEVICE_LOGIN_PATH),
        "",
        login_hint,
        note,
        error,
        StatusCode::OK,
        Asks::DeviceCode {
            typed,
            account_optional,
        },
    )
}

/// What a sign-in form asks for besides the account and password, and so its heading and
/// buttons.
enum Asks<'a> {
    /// Nothing: Cancel or Sign in (`action=cancel|signin`).
    Account,
    /// The device's code first: Decline or Approve (`action=decline|approve`).
    DeviceCode { typed: &'a str, account_optional: bool },
}

impl Asks<'_> {
    /// The heading, the fields before the account's, whether the account is required, and the
    /// (value, label) of the button that refuses and of the one that goes on.
    fn parts(&self) -> (&'static str, String, bool, [(&'static str, &'static str); 2]) {
        match self {
            Self::Account => (
                "Sign in",
                String::new(),
                true,
                [("cancel", "Cancel"), ("signin", "Sign in")],
            ),
            Self::DeviceCode {
                typed,
                account_optional,
            } => (
                "Enter code",
                format!(
                    "<label for=\"user_code\">Code</label><input id=\"user_code\" name=\"user_code\" type=\"text\" autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\" value=\"{}\" required autofocus>",
                    escape(typed)
                ),
                !account_optional,
                [("decline", "Decline"), ("approve", "Approve")],
            ),
        }
    }
}

fn form(
    action: &str,
    fields: &str,
    login_hint: Option<&str>,
    note: &str,
    error: Option<&str>,
    status: StatusCode,
    asks: Asks<'_>,
) -> Response {
    let (heading, before, account_required, [(refuse, refuse_label), (accept, accept_label)]) = asks.parts();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    // The first field takes the focus: the code when there is one, else the email.
    let email_attributes = match (account_required, before.is_empty()) {
        (true, true) => " required autofocus",
        (true, false) => " required",
        (false, _) => "",
    };
    // The button that goes on comes first, so Enter (which presses the first) never refuses; the
    // style shows it last.
    let body = format!(
        "<h1>{heading}</h1><p class=\"note\">{note}</p>{error}
<form method=\"post\" action=\"{action}\">{fields}{before}
<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" value=\"{email}\"{email_attributes}>
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">
<div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"{accept}\" id=\"{accept}\" class=\"primary\">{accept_label}</button>
<button type=\"submit\" name=\"action\" value=\"{refuse}\" id=\"{refuse}\" formnovalidate>{refuse_label}</button></div></form>",
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

/// A page that only says something: `heading`, then `text` in a paragraph of `class` (`error`
/// or `note`).
pub(super) fn notice(status: StatusCode, title: &str, heading: &str, text: &str, class: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p class=\"{}\">{}</p>",
        escape(heading),
        escape(class),
        escape(text)
    );
    (status, Html(document(title, &body))).into_response()
}

/// An error page: the request is not answered by a redirect.
pub(crate) fn error(message: &str) -> Response {
    notice(
        StatusCode::BAD_REQUEST,
        "Sign in error — local Entra",
        "Sorry, but we're having trouble signing you in.",
        message,
        "error",
    )
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
