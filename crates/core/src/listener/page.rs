//! The self-contained page served at `/auth/code`: it reads the fragment, removes it from the
//! address bar, posts it back, and shows the verdict in plain words.
//!
//! It cannot remove the address from the browser's history: the broker's redirect, token included,
//! is recorded there (and in history sync) before any script runs, and Webex fixes that redirect.
//! The page says so, and the CLI tells users to sign in from a private window.

use axum::http::HeaderValue;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::{Html, IntoResponse, Response};

const TEMPLATE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scim-token</title>
<style nonce="{NONCE}">
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { display: grid; place-items: center; min-height: 90vh; margin: 0; }
  main { max-width: 34rem; padding: 2rem; border-radius: 12px; border: 1px solid #8884; }
  h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
  .captured h1 { color: #1a7f37; } .rejected h1, .broker-error h1 { color: #cf222e; }
</style>
</head>
<body>
<main id="box" aria-live="polite">
  <h1 id="title">Handing the token to scim-token…</h1>
  <p id="message">One moment.</p>
  <p id="history">Your browser's history keeps the address of this page, token included, unless this is a private
  window. Close this window; if it was not private, delete this page from the history (Ctrl+H), or sign in from
  the scim-token desktop app next time.</p>
</main>
<script nonce="{NONCE}">
(function () {
  var hash = location.hash.slice(1);
  var search = location.search.slice(1);
  // Out of the address bar (and so out of a screenshot or a shared screen); the history
  // database already has it.
  history.replaceState(null, "", location.pathname);
  function show(outcome, title, message) {
    document.getElementById("box").className = outcome;
    document.getElementById("title").textContent = title;
    document.getElementById("message").textContent = message;
  }
  var payload = hash || search;
  if (!payload) {
    show("rejected", "Nothing to hand over", "This address carries no token. Start the sign-in from scim-token.");
    return;
  }
  fetch("/auth/code", { method: "POST", headers: { "Content-Type": "text/plain" }, body: payload })
    .then(function (r) { return r.json(); })
    .then(function (v) { show(v.outcome, v.title, v.message); })
    .catch(function () { show("rejected", "scim-token is not listening", "The sign-in already finished or was cancelled. Start again from scim-token."); });
})();
</script>
</body>
</html>
"#;

pub(super) fn render(nonce: &str) -> Response {
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    let mut response = Html(TEMPLATE.replace("{NONCE}", nonce)).into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}
