//! The loopback listener for the Entra sign-in's redirect (RFC 8252 §7.3): an ephemeral port on
//! 127.0.0.1 and `[::1]` (the browser may resolve `localhost` to either), answering
//! `GET /?code=…&state=…`. A response whose `state` is not the sign-in's is answered and ignored;
//! the first one that matches ends the wait, whether it carries a code or an error.
//!
//! It has the Webex listener's protections: the platform's port guard (exclusive use on
//! Windows), a port no other program holds on either address, a loopback `Host` with this port
//! (DNS rebinding), the same accept loop (`loopback/accept_loop.rs`: a connection cap, header and
//! first-byte timeouts, one request per connection, a connection lifetime), a small request
//! body, bounded request time, and servers that end when the sign-in does.
//!
//! Its page says "signed in" only when the outcome reached a sign-in still waiting for it; a
//! redirect that comes after the wait ended (timed out, cancelled, already answered) is told so.

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
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::error::EntraError;
use crate::loopback::accept_loop;

/// What the redirect carried.
pub(crate) type Outcome = Result<String, EntraError>;

type Slot = Arc<Mutex<Option<oneshot::Sender<Outcome>>>>;

/// How long one request may take.
const REQUEST_TIME: Duration = Duration::from_secs(10);
/// The largest request body accepted: the redirect is a GET, so any body is noise.
const MAX_BODY: usize = 4 * 1024;
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
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl Drop for RedirectListener {
    fn drop(&mut self) {
        self.stop.send_replace(true);
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
        let v4 = crate::loopback::listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let port = v4.local_addr()?.port();
        match crate::loopback::listen(SocketAddr::from((Ipv6Addr::LOCALHOST, port))) {
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
    let sender = shared.slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    // Delivered only if the sign-in is still waiting: its receiver is closed once the wait has
    // timed out, and gone once the sign-in has ended.
    let delivered = sender.is_some_and(|sender| sender.send(outcome).is_ok());
    if !delivered {
        page(
            StatusCode::GONE,
            "This sign-in has already ended",
            "scim-token is no longer waiting for this answer. If it does not show you signed in to Entra, start the sign-in again in scim-token.",
        )
    } else if signed_in {
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
            // Answers 413 as soon as a declared Content-Length is too big, without reading it.
            .layer(RequestBodyLimitLayer::new(MAX_BODY))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                REQUEST_TIME,
            ))
            .with_state(shared);
        let (stop, stopped) = watch::channel(false);
        let servers = std::iter::once(v4)
            .chain(v6)
            .map(|socket| tokio::spawn(accept_loop::serve(socket, router.clone(), stopped.clone())))
            .collect();
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
    use std::time::Instant;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::task::JoinSet;

    use super::*;
    use crate::loopback::accept_loop::{HEADER_READ_TIMEOUT, MAX_CONNECTIONS};

    /// `GET /?query` on 127.0.0.1 with this `Host`: the status (0 when no answer) and the page.
    async fn get(port: u16, host: &str, query: &str) -> (u16, String) {
        let http = reqwest::Client::new();
        match http
            .get(format!("http://127.0.0.1:{port}/?{query}"))
            .header(HOST, host)
            .send()
            .await
        {
            Ok(response) => (
                response.status().as_u16(),
                response.text().await.unwrap_or_default(),
            ),
            Err(_) => (0, String::new()),
        }
    }

    fn v4(port: u16) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, port))
    }

    #[tokio::test]
    async fn only_the_right_state_at_the_right_host_ends_the_wait() {
        let mut listener = RedirectListener::bind("s3cret-state".into())
            .await
            .expect("binds");
        let port = listener.port;
        let ours = format!("localhost:{port}");
        assert_eq!(
            get(port, "evil.example", "code=c&state=s3cret-state").await.0,
            421
        );
        assert_eq!(get(port, &ours, "code=c&state=another").await.0, 400);
        assert!(listener.outcome.try_recv().is_err(), "nothing ended the wait yet");
        let (status, page) = get(port, &ours, "code=the-code&state=s3cret-state").await;
        assert_eq!(status, 200);
        assert!(page.contains("Signed in to Entra"), "{page}");
        let outcome = listener.outcome.try_recv().expect("ended").expect("a code");
        assert_eq!(outcome, "the-code");
        // The same redirect again (a reload) reaches no one: it must not claim a sign-in.
        let (status, page) = get(port, &ours, "code=the-code&state=s3cret-state").await;
        assert_eq!(status, 410);
        assert!(
            page.contains("already ended") && !page.contains("Signed in"),
            "{page}"
        );
    }

    #[tokio::test]
    async fn an_error_with_the_right_state_ends_the_wait() {
        let mut listener = RedirectListener::bind("st".into()).await.expect("binds");
        let port = listener.port;
        let (status, page) = get(
            port,
            &format!("127.0.0.1:{port}"),
            "error=access_denied&error_description=no&state=st",
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("Sign-in not completed"), "{page}");
        let outcome = listener.outcome.try_recv().expect("ended");
        assert!(matches!(outcome, Err(EntraError::SignIn { code, .. }) if code == "access_denied"));
    }

    /// The sign-in stopped waiting (timed out, cancelled): a redirect that arrives afterwards is
    /// told so, with a status that is not success, whether it carries a code or an error.
    #[tokio::test]
    async fn a_redirect_after_the_wait_ended_is_told_so_not_signed_in() {
        let mut listener = RedirectListener::bind("late".into()).await.expect("binds");
        let port = listener.port;
        listener.outcome.close();
        for query in ["code=c&state=late", "error=access_denied&state=late"] {
            let (status, page) = get(port, &format!("localhost:{port}"), query).await;
            assert_eq!(status, 410, "{query}: {page}");
            assert!(page.contains("already ended"), "{query}: {page}");
            assert!(!page.contains("Signed in"), "{query}: {page}");
        }
    }

    /// Silent clients (a browser's speculative preconnects, or a local process holding sockets)
    /// are closed by the server: the first [`MAX_CONNECTIONS`] after [`HEADER_READ_TIMEOUT`],
    /// the rest, queued in the backlog, a round later each. The real redirect, sent while they
    /// are open, still ends the wait.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn silent_connections_are_closed_and_the_real_redirect_still_arrives() {
        const SILENT: usize = 200;
        let mut listener = RedirectListener::bind("flood".into()).await.expect("binds");
        let port = listener.port;
        let rounds = u32::try_from(SILENT.div_ceil(MAX_CONNECTIONS)).expect("a few rounds");
        let bound = HEADER_READ_TIMEOUT * rounds + Duration::from_secs(5);
        let started = Instant::now();
        let mut silent = JoinSet::new();
        for _ in 0..SILENT {
            let mut stream = TcpStream::connect(v4(port)).await.expect("connects");
            silent.spawn(async move {
                let mut byte = [0u8; 1];
                match tokio::time::timeout(bound, stream.read(&mut byte)).await {
                    // EOF or a reset: the server let go.
                    Ok(Ok(0) | Err(_)) => Some(started.elapsed()),
                    Ok(Ok(_)) | Err(_) => None,
                }
            });
        }
        let real =
            tokio::spawn(async move { get(port, &format!("localhost:{port}"), "code=c&state=flood").await });
        let outcome = tokio::time::timeout(bound, &mut listener.outcome)
            .await
            .expect("the real redirect arrives among the silent clients")
            .expect("the listener is alive");
        assert_eq!(outcome.expect("a code"), "c");
        let (status, page) = real.await.expect("the request ran");
        assert_eq!(status, 200, "{page}");
        let mut still_open = 0;
        let mut longest = Duration::ZERO;
        while let Some(closed) = silent.join_next().await {
            match closed.expect("the reader ran") {
                Some(after) => longest = longest.max(after),
                None => still_open += 1,
            }
        }
        assert_eq!(
            still_open, 0,
            "{still_open} of {SILENT} silent connections were still open after {bound:?}"
        );
        assert!(longest <= bound, "a silent connection was held {longest:?}");
    }

    /// The redirect is a GET: a body is refused as soon as its declared length is too big,
    /// without reading it.
    #[tokio::test]
    async fn a_large_body_is_refused_unread() {
        let listener = RedirectListener::bind("body".into()).await.expect("binds");
        let port = listener.port;
        let mut stream = TcpStream::connect(v4(port)).await.expect("connects");
        let request = format!(
            "POST /?code=c&state=body HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Length: 1000000\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("sends");
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }

    /// Dropping the listener (the sign-in is over) closes open connections and frees the port.
    #[tokio::test]
    async fn dropping_the_listener_closes_connections_and_frees_the_port() {
        let listener = RedirectListener::bind("drop".into()).await.expect("binds");
        let port = listener.port;
        let mut idle = TcpStream::connect(v4(port)).await.expect("connects");
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(listener);
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(2), idle.read(&mut byte)).await;
        assert!(
            matches!(read, Ok(Ok(0) | Err(_))),
            "an idle connection outlived the listener: {read:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(2);
        while TcpStream::connect(v4(port)).await.is_ok() {
            assert!(Instant::now() < deadline, "the port still answers after the drop");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
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
