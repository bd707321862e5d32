//! Signing in: an isolated (incognito) window at the broker, and two ways to catch the redirect —
//! the window's navigation hook and the loopback listener on localhost:3000. Whichever sees it
//! first wins; the other is cancelled.

use std::sync::Arc;

use scim_token_core::callback::{self, is_redirect};
use scim_token_core::listener::{Listener, ListenerConfig, ListenerError};
use scim_token_core::{AuthorizeRequest, Broker, BrokerId, CapturedToken, PendingLogin, TokenSummary, probe};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use time::OffsetDateTime;

use crate::error::CommandError;
use crate::state::{Shared, lock};

/// The sign-in window's label. It is in no capability: its remote pages can call no command.
const LOGIN_WINDOW: &str = "login";

/// Sent to the UI when a login ends.
#[derive(Debug, Clone, Serialize)]
struct LoginFinished {
    ok: bool,
    summary: Option<TokenSummary>,
    warning: Option<String>,
    error: Option<CommandError>,
}

/// Opens the sign-in window and starts waiting; the outcome arrives as a `login-finished` event.
/// Returns a note for the UI (e.g. that port 3000 is taken and only the window can capture).
pub(crate) async fn start(
    app: AppHandle,
    shared: Arc<Shared>,
    broker: BrokerId,
    email: Option<String>,
) -> Result<String, CommandError> {
    if let Some(previous) = lock(&shared.login).take() {
        let _ = previous.send(());
    }
    if let Some(window) = app.get_webview_window(LOGIN_WINDOW) {
        let _ = window.destroy();
    }
    let mut request = AuthorizeRequest::new(Broker::resolve(&broker));
    if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
        request = request.login_hint(email);
    }
    let pending = request.start(OffsetDateTime::now_utc());
    let (listener, note) = match Listener::bind(pending.clone(), ListenerConfig::default()).await {
        Ok(listener) => (Some(listener), "Waiting for you to finish signing in…".to_owned()),
        Err(err @ ListenerError::PortInUse { .. }) => (
            None,
            format!("{err}. The sign-in window still captures the token; waiting for you to sign in…"),
        ),
        Err(err) => return Err(err.into()),
    };

    let (hook_tx, hook_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let redirect = pending.broker.redirect_uri.clone();
    let navigation_tx = hook_tx.clone();
    let window = WebviewWindowBuilder::new(&app, LOGIN_WINDOW, WebviewUrl::External(pending.url.clone()))
        .title("Sign in — scim-token")
        .inner_size(520.0, 720.0)
        .incognito(true)
        .on_navigation(move |url| {
            if is_redirect(url, &redirect) {
                // Read the fragment here and never load the page.
                let _ = navigation_tx.send(url.to_string());
                return false;
            }
            true
        })
        .on_page_load({
            let redirect = pending.broker.redirect_uri.clone();
            move |_window, payload| {
                if is_redirect(payload.url(), &redirect) {
                    let _ = hook_tx.send(payload.url().to_string());
                }
            }
        })
        .build()?;
    let closed_tx = std::sync::Mutex::new(Some(closed_tx));
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed)
            && let Some(tx) = lock(&closed_tx).take()
        {
            let _ = tx.send(());
        }
    });
    tracing::info!(broker = %pending.broker.id, listener = listener.is_some(), "sign-in window opened");
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
    *lock(&shared.login) = Some(cancel_tx);
    tauri::async_runtime::spawn(finish(
        app, shared, pending, listener, hook_rx, cancel_rx, closed_rx,
    ));
    Ok(note)
}

async fn finish(
    app: AppHandle,
    shared: Arc<Shared>,
    pending: PendingLogin,
    listener: Option<Listener>,
    mut hook_rx: tokio::sync::mpsc::UnboundedReceiver<String>,
    cancel_rx: tokio::sync::oneshot::Receiver<()>,
    closed_rx: tokio::sync::oneshot::Receiver<()>,
) {
    let cancel_listener = listener.as_ref().map(Listener::cancel_handle);
    let from_listener = async move {
        match listener {
            Some(listener) => listener.wait().await.map_err(CommandError::from),
            None => std::future::pending().await,
        }
    };
    let from_window = async {
        loop {
            let Some(url) = hook_rx.recv().await else {
                return std::future::pending().await;
            };
            match callback::parse(&url, &pending) {
                Err(callback::CallbackError::StateMismatch | callback::CallbackError::StateMissing) => {
                    tracing::warn!("ignored a redirect that does not belong to this sign-in");
                }
                other => return other.map_err(|e| CommandError::new("callback", e.to_string())),
            }
        }
    };
    let outcome: Result<CapturedToken, CommandError> = tokio::select! {
        result = from_listener => result,
        result = from_window => result,
        _ = cancel_rx => Err(CommandError::new("cancelled", "The sign-in was cancelled.")),
        _ = closed_rx => Err(CommandError::new("cancelled", "The sign-in window was closed before the sign-in finished.")),
    };
    if let Some(cancel) = cancel_listener {
        cancel.cancel();
    }
    lock(&shared.login).take();
    if let Some(window) = app.get_webview_window(LOGIN_WINDOW) {
        let _ = window.destroy();
    }
    let event = match outcome {
        Ok(captured) => keep(&shared, &pending, captured).await,
        Err(error) => {
            tracing::info!(
                kind = error.kind,
                "sign-in ended without a token: {}",
                error.message
            );
            LoginFinished {
                ok: false,
                summary: None,
                warning: None,
                error: Some(error),
            }
        }
    };
    let _ = app.emit("login-finished", event);
    let _ = app.emit("tokens-changed", ());
    crate::tray::refresh(&app);
}

/// Stores the token; if the keyring fails, keeps it in memory so it can still be copied.
async fn keep(shared: &Shared, pending: &PendingLogin, captured: CapturedToken) -> LoginFinished {
    let now = OffsetDateTime::now_utc();
    let mut record = match captured.record(pending, now, None) {
        Ok(record) => record,
        Err(e) => return failed("org", e.to_string()),
    };
    if record.account.is_none() {
        record.account = probe::signed_in_email(&pending.broker.people_me_url, &captured.token).await;
    }
    let mut warning = captured.scope_warning();
    tracing::info!(org = %record.org_id, fingerprint = %record.fingerprint, "token captured");
    if let Err(err) = shared.vault.store(&captured.token, &record) {
        tracing::warn!(org = %record.org_id, "not stored in the keyring: {err}");
        warning = Some(format!(
            "{err}. The token is kept in memory until you quit: copy it into Azure now, then fix the keyring and renew."
        ));
        lock(&shared.unstored).insert(record.org_id, (record.clone(), captured.token.clone()));
    }
    LoginFinished {
        ok: true,
        summary: Some(TokenSummary::of(&record, now)),
        warning,
        error: None,
    }
}

fn failed(kind: &'static str, message: String) -> LoginFinished {
    LoginFinished {
        ok: false,
        summary: None,
        warning: None,
        error: Some(CommandError::new(kind, message)),
    }
}
