//! The listener's HTTP side: routes, Host/Origin checks, limits and headers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio::sync::oneshot;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use super::page;
use crate::authorize::PendingLogin;
use crate::callback::{self, CallbackError, CapturedToken, MAX_CALLBACK_LEN};

/// How long one request may take, start to finish.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

type Outcome = Result<CapturedToken, CallbackError>;

#[derive(Clone)]
pub(super) struct SharedState(Arc<Inner>);

struct Inner {
    pending: PendingLogin,
    allowed_hosts: Vec<String>,
    /// Taken by the first accepted capture (or broker error): the `state` is single-use.
    outcome: Mutex<Option<oneshot::Sender<Outcome>>>,
    nonce: String,
}

impl SharedState {
    pub(super) fn new(
        pending: PendingLogin,
        bound: &[SocketAddr],
        outcome: oneshot::Sender<Outcome>,
    ) -> Self {
        let mut allowed_hosts = Vec::new();
        for addr in bound {
            let port = addr.port();
            for host in [
                format!("localhost:{port}"),
                format!("127.0.0.1:{port}"),
                format!("[::1]:{port}"),
            ] {
                if !allowed_hosts.contains(&host) {
                    allowed_hosts.push(host);
                }
            }
        }
        let nonce = oauth2::CsrfToken::new_random().secret().clone();
        Self(Arc::new(Inner {
            pending,
            allowed_hosts,
            outcome: Mutex::new(Some(outcome)),
            nonce,
        }))
    }
}

pub(super) fn router(state: SharedState) -> Router {
    Router::new()
        .route("/auth/code", get(capture_page).post(capture))
        .fallback(not_found)
        // Answers 413 as soon as a declared Content-Length is too big, without waiting for it.
        .layer(RequestBodyLimitLayer::new(MAX_CALLBACK_LEN + 1024))
        .layer(middleware::from_fn_with_state(state.clone(), check_host))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}

/// Refuses requests whose `Host` is not this listener (DNS rebinding).
async fn check_host(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !state
        .0
        .allowed_hosts
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(host))
    {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "This address only answers to localhost.",
        )
            .into_response();
    }
    next.run(request).await
}

async fn capture_page(State(state): State<SharedState>) -> Response {
    page::render(&state.0.nonce)
}

async fn not_found() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        "Not found. scim-token only answers /auth/code.",
    )
}

/// What the page shows after posting the fragment.
#[derive(Serialize)]
struct Verdict {
    outcome: &'static str,
    title: &'static str,
    message: String,
}

fn verdict(status: StatusCode, outcome: &'static str, title: &'static str, message: String) -> Response {
    (
        status,
        axum::Json(Verdict {
            outcome,
            title,
            message,
        }),
    )
        .into_response()
}

async fn capture(State(state): State<SharedState>, headers: HeaderMap, body: String) -> Response {
    let origin = headers.get(ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or("");
    let same_origin = origin
        .strip_prefix("http://")
        .is_some_and(|host| state.0.allowed_hosts.iter().any(|a| a.eq_ignore_ascii_case(host)));
    if !same_origin {
        return verdict(
            StatusCode::FORBIDDEN,
            "rejected",
            "Not accepted",
            "Only the sign-in page served here may hand over a token.".to_owned(),
        );
    }
    let mut slot = state
        .0
        .outcome
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(sender) = slot.take() else {
        return verdict(
            StatusCode::CONFLICT,
            "done",
            "Already done",
            "This sign-in has already finished. You can close this tab.".to_owned(),
        );
    };
    match callback::parse(&body, &state.0.pending) {
        Ok(captured) => {
            let warning = captured.scope_warning();
            let _ = sender.send(Ok(captured));
            let message = match warning {
                Some(w) => format!("Token captured, with a warning: {w} You can close this tab."),
                None => "Token captured. You can close this tab and return to scim-token.".to_owned(),
            };
            verdict(StatusCode::OK, "captured", "Token captured", message)
        }
        Err(err) if err.ends_sign_in() => {
            // This sign-in's own redirect (its state matched), but no usable token.
            let message = err.to_string();
            let _ = sender.send(Err(err));
            verdict(StatusCode::OK, "broker-error", "Sign-in failed", message)
        }
        Err(err) => {
            // Not this login's redirect: keep waiting for the real one.
            *slot = Some(sender);
            tracing::warn!("ignored a callback: {err}");
            verdict(
                StatusCode::BAD_REQUEST,
                "rejected",
                "Not accepted",
                err.to_string(),
            )
        }
    }
}
