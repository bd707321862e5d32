//! A ring buffer of recent requests to both origins (the Webex side and the local Entra), for the
//! desktop app's live view and for tests. Tokens, codes, device codes, PKCE verifiers, refresh
//! tokens, passwords, client secrets and `SecretToken` values are redacted from what it keeps.
//! Only requests are kept, never answers (so no token or `device_code` an answer carries).

use std::collections::VecDeque;
use std::time::Instant;

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use scim_token_core::sandbox_child::{SandboxOrigin, SandboxRequest};
use time::OffsetDateTime;

use crate::AppState;

/// How many requests are kept.
const CAPACITY: usize = 500;
/// How much of a request body is kept.
const MAX_BODY: usize = 4096;
/// Bodies larger than this are not buffered for the log at all.
const MAX_BUFFERED: usize = 1 << 20;

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: VecDeque<SandboxRequest>,
}

impl RequestLog {
    fn push(&mut self, entry: SandboxRequest) {
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub(crate) fn entries(&self) -> Vec<SandboxRequest> {
        self.entries.iter().cloned().collect()
    }
}

/// Redacts anything that looks like a sandbox/Webex token (`…_<cluster>_<uuid>`) or bearer value.
fn redact(text: String) -> String {
    // A token has at least two underscores; most paths have none.
    if text.bytes().filter(|b| *b == b'_').nth(1).is_none() || find_token(&text).is_none() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = find_token(rest) {
        out.push_str(&rest[..start.0]);
        out.push_str("[REDACTED]");
        rest = &rest[start.1..];
    }
    out.push_str(rest);
    out
}

/// The byte range of the first token-shaped run in `text`.
fn find_token(text: &str) -> Option<(usize, usize)> {
    let is_tok = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (start, is_tok(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let run = &text[s..i];
                if run.len() >= 40 && run.matches('_').count() >= 2 {
                    return Some((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

/// Form fields and query parameters whose values are never kept (compared case-insensitively,
/// after percent-decoding).
const SECRET_FIELDS: [&str; 9] = [
    "code",
    "device_code",
    "code_verifier",
    "refresh_token",
    "client_secret",
    "client_assertion",
    "password",
    "SAMLResponse",
    "RelayState",
];

fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// `a=1&code=2` with the values of [`SECRET_FIELDS`] replaced (pairs percent-decoded first, so
/// an encoded name does not slip through).
fn redact_pairs(text: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(text.as_bytes()) {
        let value = if is_secret_field(&name) {
            "[REDACTED]".into()
        } else {
            value
        };
        out.append_pair(&name, &value);
    }
    out.finish()
}

/// A path with the secret parameters of its query redacted.
fn redact_query(path: String) -> String {
    let redacted = match path.split_once('?') {
        Some((route, query)) => format!("{route}?{}", redact_pairs(query)),
        None => path,
    };
    redact(redacted)
}

/// Redacts a whole request body before it is cut to size: secret form fields, `SecretToken`
/// pairs in JSON (`{"key":"SecretToken","value":"…"}`, key in any case), then token shapes.
fn redact_fields(text: &str) -> String {
    let text = if text.trim_start().starts_with(['{', '[']) {
        redact_secret_pairs(text)
    } else if text.contains('=') {
        redact_pairs(text)
    } else {
        text.to_owned()
    };
    redact(text)
}

/// `SecretToken` values in a JSON body: parsed when the body parses, otherwise the whole body
/// is withheld (a malformed body could hide the value anywhere).
fn redact_secret_pairs(text: &str) -> String {
    let secret_key = scim_token_core::entra::SECRET_TOKEN_KEY;
    if !text
        .to_ascii_lowercase()
        .contains(&secret_key.to_ascii_lowercase())
    {
        return text.to_owned();
    }
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(text) else {
        return "(withheld: mentions a SecretToken and is not readable JSON)".into();
    };
    for list in ["value", "credentials"] {
        if let Some(pairs) = json.get_mut(list).and_then(|v| v.as_array_mut()) {
            for pair in pairs {
                let is_secret = pair
                    .get("key")
                    .and_then(|k| k.as_str())
                    .is_some_and(|k| k.eq_ignore_ascii_case(secret_key));
                if is_secret {
                    pair["value"] = "[REDACTED]".into();
                }
            }
        }
    }
    json.to_string()
}

/// The first [`MAX_BODY`] bytes of `text`, cut at a character boundary.
fn truncated(mut text: String) -> String {
    if text.len() > MAX_BODY {
        let mut end = MAX_BODY;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Whether a request's body is kept in the log: SCIM writes, Graph writes, token requests.
fn logs_body(origin: SandboxOrigin, path: &str) -> bool {
    match origin {
        SandboxOrigin::Webex => path.starts_with("/identity/"),
        SandboxOrigin::Entra => path.starts_with("/v1.0/") || path.contains("/oauth2/v2.0/token"),
    }
}

pub(crate) async fn record_webex(State(app): State<AppState>, request: Request, next: Next) -> Response {
    record(SandboxOrigin::Webex, app, request, next).await
}

pub(crate) async fn record_entra(State(app): State<AppState>, request: Request, next: Next) -> Response {
    record(SandboxOrigin::Entra, app, request, next).await
}

async fn record(origin: SandboxOrigin, app: AppState, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let logged_body;
    let has_body = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .is_none_or(|len| len.as_bytes() != b"0")
        && !matches!(
            *request.method(),
            axum::http::Method::GET | axum::http::Method::DELETE
        );
    let request = if has_body && logs_body(origin, &path) {
        let (parts, body) = request.into_parts();
        match to_bytes(body, MAX_BUFFERED).await {
            Ok(bytes) => {
                // Redact the whole body, then cut: a cut first could split a secret from the
                // key that marks it.
                logged_body = truncated(redact_fields(&String::from_utf8_lossy(&bytes)));
                Request::from_parts(parts, Body::from(bytes))
            }
            Err(_) => {
                let entry = SandboxRequest {
                    origin,
                    at: OffsetDateTime::now_utc(),
                    method,
                    path: redact_query(path),
                    status: 413,
                    latency_ms: 0.0,
                    body: "(too large)".into(),
                };
                app.log.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
                return match origin {
                    SandboxOrigin::Webex => crate::webex::scim::ScimError::too_large().into_response(),
                    SandboxOrigin::Entra => crate::entra::GraphError::too_large().into_response(),
                };
            }
        }
    } else {
        logged_body = String::new();
        request
    };
    let response = next.run(request).await;
    if !path.starts_with("/_sandbox/") {
        let entry = SandboxRequest {
            origin,
            at: OffsetDateTime::now_utc(),
            method,
            path: redact_query(path),
            status: response.status().as_u16(),
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
            body: logged_body,
        };
        app.log.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
    }
    response
}

pub(crate) async fn show(State(app): State<AppState>) -> impl IntoResponse {
    Json(app.log.lock().unwrap_or_else(|p| p.into_inner()).entries())
}

#[cfg(test)]
mod tests {
    use super::{redact, redact_fields};

    #[test]
    fn redacts_token_shaped_runs() {
        let token = "AbCdEfGh0123456789AbCdEfGh0123456789_SBX1_5a4db0c5-0000-4000-8000-00000000c0de";
        let text = format!("{{\"note\":\"{token}\",\"userName\":\"a_b@example.com\"}}");
        let out = redact(text.clone());
        assert!(!out.contains(token), "{out}");
        assert!(
            out.contains("[REDACTED]") && out.contains("a_b@example.com"),
            "{out}"
        );
    }

    #[test]
    fn redacts_secret_form_fields_and_secret_token_pairs() {
        let form = "grant_type=authorization_code&code=abc123&code_verifier=xyz&client_id=c&refresh_token=r1&password=pw";
        assert_eq!(
            redact_fields(form),
            "grant_type=authorization_code&code=%5BREDACTED%5D&code_verifier=%5BREDACTED%5D&client_id=c&refresh_token=%5BREDACTED%5D&password=%5BREDACTED%5D"
        );
        assert!(!redact_fields("c%6fde=abc&Password=pw").contains("abc"));
        assert!(!redact_fields("c%6fde=abc&Password=pw").contains("pw"));
        let json = r#"{"value":[{"key":"BaseAddress","value":"http://127.0.0.1/x"},{"value":"s3cret","key":"secrettoken"}]}"#;
        let out = redact_fields(json);
        assert!(!out.contains("s3cret") && out.contains("BaseAddress"), "{out}");
        let cut = r#"{"credentials":[{"key":"SecretToken","value":"s3cr"#;
        assert!(!redact_fields(cut).contains("s3cr"));
        // A long body is redacted before it is cut, so the key cannot be cut off the value.
        let long = format!(
            r#"{{"value":[{{"value":"s3cret","pad":"{}","key":"SecretToken"}}]}}"#,
            "x".repeat(5000)
        );
        assert!(!super::truncated(redact_fields(&long)).contains("s3cret"));
    }

    #[test]
    fn redacts_device_codes_in_forms_and_by_their_shape() {
        let device_code = "edc_AbCdEfGh0123456789AbCdEfGh0123456789AbCdEfGh0123456789AbCdEfGh_sbx";
        let form = format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=c&device_code={device_code}"
        );
        let out = redact_fields(&form);
        assert!(!out.contains(device_code), "{out}");
        assert!(out.ends_with("device_code=%5BREDACTED%5D"), "{out}");
        assert!(!redact_fields("Device_Code=short-but-secret").contains("short-but-secret"));
        // A device code sent some other way is still token-shaped.
        let json = format!(r#"{{"device_code":"{device_code}"}}"#);
        assert!(!redact_fields(&json).contains(device_code));
    }

    #[test]
    fn redacts_secret_query_parameters() {
        let path = "/t/saml2?SAMLRequest=req&RelayState=live-relay&x=1".to_owned();
        let out = super::redact_query(path);
        assert!(
            !out.contains("live-relay") && out.contains("SAMLRequest=req"),
            "{out}"
        );
        assert_eq!(super::redact_query("/plain".into()), "/plain");
    }
}
