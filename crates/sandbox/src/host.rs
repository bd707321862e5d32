//! The DNS-rebinding guard. A page on `http://evil.example:8900/` whose name is re-pointed at
//! 127.0.0.1 talks to the sandbox as its own origin, so it could read `/_sandbox/log` (and the
//! sign-in `state` in it). The browser still sends `Host: evil.example:8900`, so every request
//! whose host is not a loopback name is answered 421 Misdirected Request.
//!
//! Only the host part is compared, not the port: the router is built before it is bound (and
//! also runs in-process, in the fuzz targets), and the port adds nothing against rebinding,
//! since the attacker controls the name, never the port the browser reports.

use axum::extract::Request;
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::webex::scim::ScimError;

/// The host names the sandbox answers to (compared case-insensitively).
const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// Refuses a request whose `Host` header (or absolute request URI) names anything but loopback.
/// A request with neither is let through: browsers always send `Host`, so it is not a page.
pub(crate) async fn only_loopback(request: Request, next: Next) -> Response {
    let headers = request.headers().get_all(HOST).iter().map(|h| h.to_str().ok());
    let authority = request.uri().authority().map(|a| Some(a.as_str()));
    for claimed in headers.chain(authority) {
        if !claimed.is_some_and(is_loopback) {
            let shown = claimed.unwrap_or("(not text)");
            return ScimError::misdirected(format!(
                "this sandbox answers only to 127.0.0.1, localhost or [::1], not to '{shown}'"
            ))
            .into_response();
        }
    }
    next.run(request).await
}

/// Whether `authority` is `<loopback name>` or `<loopback name>:<digits>`.
fn is_loopback(authority: &str) -> bool {
    let (host, port) = match authority.rfind(':') {
        // `[::1]` alone has colons but no port.
        Some(colon) if !authority[colon..].contains(']') => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && LOOPBACK.iter().any(|name| name.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_names_with_any_port_pass() {
        let cases = [
            ("127.0.0.1:8900", true),
            ("127.0.0.1", true),
            ("localhost:1", true),
            ("LocalHost:8900", true),
            ("[::1]:8900", true),
            ("[::1]", true),
            ("evil.example:8900", false),
            ("evil.example", false),
            ("127.0.0.1.evil.example:8900", false),
            ("localhost.evil.example", false),
            ("127.0.0.2:8900", false),
            ("[::2]:8900", false),
            ("localhost:", false),
            ("localhost:80x", false),
            ("localhost:8900:1", false),
            ("", false),
        ];
        for (authority, expected) in cases {
            assert_eq!(is_loopback(authority), expected, "{authority:?}");
        }
    }
}
