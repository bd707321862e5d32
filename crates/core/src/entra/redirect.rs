//! The loopback listener for the Entra sign-in's redirect (RFC 8252 §7.3): an ephemeral port on
//! 127.0.0.1 and `[::1]` (the browser may resolve `localhost` to either), answering
//! `GET /?code=…&state=…`. A response whose `state` is not the sign-in's is answered and ignored;
//! the first one that matches ends the wait, whether it carries a code or an error.
//!
//! It has the Webex listener's protections: the platform's port guard (exclusive use on
//! Windows), a port no other program holds on either address, a loopback `Host` with this port
//! (DNS rebinding), bounded request time, and servers that end when the sign-in does.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::error::EntraError;

/// What the redirect carried.
pub(crate) type Outcome = Result<String, EntraError>;

type Slot = Arc<Mutex<Option<oneshot::Sender<Outcome>>>>;

/// How long one request may take.
const REQUEST_TIME: Duration = Duration::from_secs(10);
/// How long open connections get to finish once the sign-in has ended.
const WIND_DOWN: Duration = Duration::from_secs(5);
/// Ports tried before giving up on one free on both addresses.
const PORT_ATTEMPTS: usize = 8;

#[derive(Clone)]
struct Shared {
    state: oauth2::CsrfToken,
    port: u16,
    slot: Slot,
}

/// A running listener; dropping it stops the servers (open connections get a few seconds).
pub(crate) struct RedirectListener {
    pub(crate) port: u16,
    pub(crate) outcome: oneshot::Receiver<Outcome>,
    stop: watch::Sender<()>,
    servers: Vec<JoinHandle<()>>,
}

impl Drop for RedirectListener {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        let servers = std::mem::take(&mut self.servers);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(WIND_DOWN).await;
                for server in servers {
                    server.abort();
                }
            });
        }
    }
}

/// Whether a `Host` header names this listener: a loopback name with its port.
fn host_is_ours(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|name| host.eq_ignore_ascii_case(&format!("{name}:{port}")))
}

/// Binds 127.0.0.1 and `[::1]` on one ephemeral port. A port some other program holds on
/// `[::1]` is given up for another (the browser could be sent there); a machine without IPv6
/// gets 127.0.0.1 alone.
fn bind_pair() -> io::Result<(TcpListener, Option<TcpListener>)> {
    let mut last = None;
    for _ in 0..PORT_ATTEMPTS {
        let v4 = crate::listener::listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let port = v4.local_addr()?.port();
        match crate::listener::listen(SocketAddr::from((Ipv6Addr::LOCALHOST, port))) {
            Ok(v6) => return Ok((v4, Some(v6))),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
            Err(_) => return Ok((v4, None)),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port on both loopback addresses")))
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body style=\"font-family:system-ui;margin:3rem\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    (status, Html(body)).into_response()
}

/// What a redirect's query parameters (`get`) say for the sign-in with `state`: `None` when
/// they are not this sign-in's (the state, compared in constant time through oauth2's secret
/// types, differs); else its code, or the error Entra sent. One rule for the listener and the
/// sign-in window's hook.
pub(crate) fn outcome_of(get: impl Fn(&str) -> Option<String>, state: &oauth2::CsrfToken) -> Option<Outcome> {
    let given = get("state")?;
    if oauth2::CsrfToken::new(given) != *state {
        return None;
    }
    Some(match (get("code"), get("error")) {
        (Some(code), None) if !code.is_empty() => Ok(code),
        (_, error) => Err(EntraError::SignIn {
            code: error.unwrap_or_else(|| "invalid_request".into()),
            description: get("error_description")
                .unwrap_or_else(|| "the redirect carried neither a code nor an error".into()),
        }),
    })
}

async fn answer(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if !host_is_ours(&headers, shared.port) {
        return page(
            StatusCode::MISDIRECTED_REQUEST,
            "Not this address",
            "This listener answers only to localhost with its own port.",
        );
    }
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let Some(outcome) = outcome_of(get, &shared.state) else {
        // Not this sign-in's answer (a stale tab, a forged link): it ends nothing.
        return page(
            StatusCode::BAD_REQUEST,
            "Not this sign-in",
            "This answer does not belong to the sign-in scim-token is waiting for. Go back to scim-token.",
        );
    };
    let signed_in = outcome.is_ok();
    if let Some(sender) = shared.slot.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let _ = sender.send(outcome);
    }
    if signed_in {
        page(
            StatusCode::OK,
            "Signed in to Entra",
            "scim-token has the sign-in. You can close this window.",
        )
    } else {
        page(
            StatusCode::OK,
            "Sign-in not completed",
            "Entra did not sign you in. Go back to scim-token to see why.",
        )
    }
}

impl RedirectListener {
    /// Binds an ephemeral loopback port and serves until dropped.
    pub(crate) async fn bind(state: String) -> Result<Self, EntraError> {
        let (v4, v6) = bind_pair().map_err(|e| EntraError::Listener(e.to_string()))?;
        let port = v4
            .local_addr()
            .map_err(|e| EntraError::Listener(e.to_string()))?
            .port();
        let (sender, outcome) = oneshot::channel();
        let shared = Shared {
            state: oauth2::CsrfToken::new(state),
            port,
            slot: Arc::new(Mutex::new(Some(sender))),
        };
        let router = Router::new()
            .fallback(answer)
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                REQUEST_TIME,
            ))
            .with_state(shared);
        let (stop, stopped) = watch::channel(());
        let mut servers = Vec::new();
        for listener in std::iter::once(v4).chain(v6) {
            let mut stopped = stopped.clone();
            let server = axum::serve(listener, router.clone()).with_graceful_shutdown(async move {
                let _ = stopped.changed().await;
            });
            servers.push(tokio::spawn(async move {
                if let Err(e) = server.await {
                    tracing::warn!("the Entra redirect listener stopped: {e}");
                }
            }));
        }
        Ok(Self {
            port,
            outcome,
            stop,
            servers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, host: &str, query: &str) -> u16 {
        let http = reqwest::Client::new();
        http.get(format!("http://127.0.0.1:{port}/?{query}"))
            .header(HOST, host)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn only_the_right_state_at_the_right_host_ends_the_wait() {
        let mut listener = RedirectListener::bind("s3cret-state".into())
            .await
            .expect("binds");
        let port = listener.port;
        let ours = format!("localhost:{port}");
        assert_eq!(get(port, "evil.example", "code=c&state=s3cret-state").await, 421);
        assert_eq!(get(port, &ours, "code=c&state=another").await, 400);
        assert!(listener.outcome.try_recv().is_err(), "nothing ended the wait yet");
        assert_eq!(get(port, &ours, "code=the-code&state=s3cret-state").await, 200);
        let outcome = listener.outcome.try_recv().expect("ended").expect("a code");
        assert_eq!(outcome, "the-code");
    }

    #[tokio::test]
    async fn an_error_with_the_right_state_ends_the_wait() {
        let mut listener = RedirectListener::bind("st".into()).await.expect("binds");
        let port = listener.port;
        let status = get(
            port,
            &format!("127.0.0.1:{port}"),
            "error=access_denied&error_description=no&state=st",
        )
        .await;
        assert_eq!(status, 200);
        let outcome = listener.outcome.try_recv().expect("ended");
        assert!(matches!(outcome, Err(EntraError::SignIn { code, .. }) if code == "access_denied"));
    }

    #[test]
    fn hosts_must_name_this_port() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "localhost:5000".parse().expect("a header"));
        assert!(host_is_ours(&headers, 5000));
        assert!(!host_is_ours(&headers, 5001));
        headers.insert(HOST, "[::1]:5000".parse().expect("a header"));
        assert!(host_is_ours(&headers, 5000));
        headers.insert(HOST, "localhost.evil.example:5000".parse().expect("a header"));
        assert!(!host_is_ours(&headers, 5000));
    }
}
