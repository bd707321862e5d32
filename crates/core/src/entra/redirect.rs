//! The loopback listener for the Entra sign-in's redirect (RFC 8252 §7.3): an ephemeral port on
//! 127.0.0.1 (and `[::1]` when it can have the same port), answering `GET /?code=…&state=…`.
//! A response whose `state` is not the sign-in's is answered and ignored; the first one that
//! matches ends the wait, whether it carries a code or an error.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use super::error::EntraError;

/// What the redirect carried.
pub(crate) type Outcome = Result<String, EntraError>;

type Slot = Arc<Mutex<Option<oneshot::Sender<Outcome>>>>;

#[derive(Clone)]
struct Shared {
    state: String,
    slot: Slot,
}

/// A running listener; dropping it stops the server.
pub(crate) struct RedirectListener {
    pub(crate) port: u16,
    pub(crate) outcome: oneshot::Receiver<Outcome>,
    stop: watch::Sender<()>,
}

impl Drop for RedirectListener {
    fn drop(&mut self) {
        let _ = self.stop.send(());
    }
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body style=\"font-family:system-ui;margin:3rem\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    (status, Html(body)).into_response()
}

async fn answer(State(shared): State<Shared>, Query(pairs): Query<Vec<(String, String)>>) -> Response {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if get("state") != Some(shared.state.as_str()) {
        // Not this sign-in's answer (a stale tab, a forged link): it ends nothing.
        return page(
            StatusCode::BAD_REQUEST,
            "Not this sign-in",
            "This answer does not belong to the sign-in scim-token is waiting for. Go back to scim-token.",
        );
    }
    let outcome = match (get("code"), get("error")) {
        (Some(code), None) if !code.is_empty() => Ok(code.to_owned()),
        (_, Some(error)) => Err(EntraError::SignIn {
            code: error.to_owned(),
            description: get("error_description").unwrap_or("").to_owned(),
        }),
        _ => Err(EntraError::SignIn {
            code: "invalid_request".into(),
            description: "the redirect carried neither a code nor an error".into(),
        }),
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
        let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(|e| EntraError::Listener(e.to_string()))?;
        let port = v4
            .local_addr()
            .map_err(|e| EntraError::Listener(e.to_string()))?
            .port();
        // `localhost` may resolve to ::1 first; serve it there too when the port is free.
        let v6 = TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port)))
            .await
            .ok();
        let (sender, outcome) = oneshot::channel();
        let shared = Shared {
            state,
            slot: Arc::new(Mutex::new(Some(sender))),
        };
        let router = Router::new().fallback(answer).with_state(shared);
        let (stop, stopped) = watch::channel(());
        for listener in std::iter::once(v4).chain(v6) {
            let mut stopped = stopped.clone();
            let server = axum::serve(listener, router.clone()).with_graceful_shutdown(async move {
                let _ = stopped.changed().await;
            });
            tokio::spawn(async move {
                if let Err(e) = server.await {
                    tracing::warn!("the Entra redirect listener stopped: {e}");
                }
            });
        }
        Ok(Self { port, outcome, stop })
    }
}
