//! The broker's HTML pages: self-contained, no external resources.

use axum::response::Html;

use super::AuthParams;
use crate::html::{escape, hidden_fields};

const STYLE: &str = "<style>
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { display: grid; place-items: center; min-height: 90vh; margin: 0; }
main { width: 22rem; padding: 2rem; border: 1px solid #8884; border-radius: 12px; }
h1 { font-size: 1.3rem; margin-top: 0; } label { display: block; margin: .8rem 0 .2rem; }
input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; }
.buttons { display: flex; gap: .5rem; margin-top: 1.2rem; } button { flex: 1; padding: .6rem; }
.error { color: #cf222e; } .note { font-size: .85rem; opacity: .8; }
</style>";

pub(super) fn sign_in(params: &AuthParams, error: Option<&str>) -> Html<String> {
    let fields = hidden_fields(
        &[
            ("response_type", &params.response_type),
            ("client_id", &params.client_id),
            ("redirect_uri", &params.redirect_uri),
            ("scope", &params.scope),
        ],
        params.state.as_deref(),
    );
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let email = escape(params.login_hint.as_deref().unwrap_or(""));
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in — Webex sandbox</title>{STYLE}</head>
<body><main><h1>Sign in to the Webex sandbox</h1>
<p class=\"note\">A local imitation of the Webex ID broker. Requested access: {scope}</p>{error}
<form method=\"post\" action=\"/idb/oauth2/v1/authorize\">{fields}
<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" value=\"{email}\" required autofocus>
<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">
<div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"approve\" id=\"approve\">Sign in</button>
<button type=\"submit\" name=\"action\" value=\"deny\" id=\"deny\" formnovalidate>Deny</button></div>
</form></main></body></html>",
        scope = escape(&params.scope),
    ))
}

pub(super) fn error(message: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in error — Webex sandbox</title>{STYLE}</head>
<body><main><h1>This sign-in request cannot be served</h1><p class=\"error\">{}</p></main></body></html>",
        escape(message)
    ))
}
