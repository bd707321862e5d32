//! Signing in: an isolated (incognito) window at the broker, and two ways to catch the redirect —
//! the window's navigation hook and the loopback listener on localhost:3000. Whichever sees it
//! first wins; the other is cancelled. Finishing the sign-in (org, account, keyring) is core's
//! `Tokens::complete_sign_in`.
//!
//! Each sign-in has an id and a window labelled `login-<id>`: a newer sign-in cancels the older
//! one and waits for it to let go of its window and port, and a late result of the older one is
//! never taken for the newer one's.

use std::sync::Arc;
use std::time::Duration;

use scim_token_core::api::{Kept, NeedsOrg, SignedIn};
use scim_token_core::callback::{self, is_redirect};
use scim_token_core::listener::{Listener, ListenerConfig};
use scim_token_core::navigation::{may_navigate, shown_host};
use scim_token_core::{
    ApiError, AuthorizeRequest, Broker, BrokerId, CapturedToken, ErrorKind, OrgId, PendingLogin,
};
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tauri_specta::Event;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::commands::LoginStarted;
use crate::error::CommandError;
use crate::events::{LoginFinished, LoginId, TokensChanged};
use crate::state::{ActiveLogin, Shared, lock};

/// Sign-in windows are labelled with this prefix and their id. No capability names them, so
/// their remote pages can call no command.
pub(crate) const LOGIN_WINDOW_PREFIX: &str = "login-";

/// The longest a sign-in may take, MFA and a federated identity provider included. The window's
/// own close button ends it sooner.
pub(crate) const SIGN_IN_LIMIT: Duration = Duration::from_secs(60 * 60);

/// How long a newer sign-in waits for an older one to let go of its window and port.
const TEARDOWN_WAIT: Duration = Duration::from_secs(10);

fn window_label(id: LoginId) -> String {
    format!("{LOGIN_WINDOW_PREFIX}{id}")
}

/// Cancels the sign-in in progress (only if it is `only` when given) and waits until it has let
/// go of its window and the port. A token it captured and holds for an org is dropped too.
pub(crate) async fn cancel(shared: &Shared, only: Option<LoginId>) {
    let mut slot = shared.login.lock().await;
    if only.is_some_and(|id| slot.as_ref().is_some_and(|active| active.id != id)) {
        return;
    }
    end(&mut slot).await;
    let mut unfiled = lock(&shared.unfiled);
    match only {
        Some(id) => {
            unfiled.remove(&id);
        }
        None => unfiled.clear(),
    }
}

/// Ends the sign-in in `slot`, if any, and waits for it; the caller holds the guard, so no other
/// sign-in can start in between.
async fn end(slot: &mut Option<ActiveLogin>) {
    if let Some(mut active) = slot.take() {
        let _ = active.cancel.send(());
        if tokio::time::timeout(TEARDOWN_WAIT, &mut active.task)
            .await
            .is_err()
        {
            // Stuck (a keyring prompt nobody answers): it must not report into a newer sign-in.
            active.task.abort();
        }
    }
}

/// Opens the sign-in window and starts waiting; the outcome arrives as a `LoginFinished` event
/// with the returned id.
pub(crate) async fn start(
    app: AppHandle,
    shared: Arc<Shared>,
    broker: BrokerId,
    email: Option<String>,
) -> Result<LoginStarted, CommandError> {
    // One guard from ending the previous sign-in to registering this one: two starts at once
    // run one after the other.
    let mut slot = shared.login.lock().await;
    end(&mut slot).await;
    lock(&shared.unfiled).clear();
    let id = shared.next_id();
    let mut request = AuthorizeRequest::new(Broker::resolve(&broker));
    if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
        request = request.login_hint(email);
    }
    let pending = request.start(OffsetDateTime::now_utc());
    let config = ListenerConfig {
        timeout: SIGN_IN_LIMIT,
        ..ListenerConfig::default()
    };
    // Any listener failure (port taken, no IPv6, no permission) leaves the window's hook, which
    // catches the redirect on its own.
    let (listener, note) = match Listener::bind(pending.clone(), config).await {
        Ok(listener) => (Some(listener), "Waiting for you to finish signing in…".to_owned()),
        Err(err) => {
            tracing::warn!("sign-in listener not started: {err}");
            (
                None,
                format!("{err}. The sign-in window still captures the token; waiting for you to sign in…"),
            )
        }
    };

    let (hook_tx, hook_rx) = mpsc::unbounded_channel::<String>();
    let window = open_window(&app, id, &pending, hook_tx)?;
    let closed_rx = when_closed(&window);
    tracing::info!(id, broker = %pending.broker.id, listener = listener.is_some(), "sign-in window opened");
    let shared_for_task = shared.clone();
    *slot = Some(ActiveLogin::spawn(id, move |cancel_rx| {
        finish(
            app,
            shared_for_task,
            id,
            pending,
            listener,
            hook_rx,
            cancel_rx,
            closed_rx,
        )
    }));
    Ok(LoginStarted { id, note })
}

/// The incognito window at the broker: it may follow any https sign-in (single sign-on goes
/// anywhere), never another scheme, and its title shows whose page it is.
fn open_window(
    app: &AppHandle,
    id: LoginId,
    pending: &PendingLogin,
    hook_tx: mpsc::UnboundedSender<String>,
) -> Result<tauri::WebviewWindow, CommandError> {
    let broker = pending.broker.clone();
    let redirect = broker.redirect_uri.clone();
    let navigation_tx = hook_tx.clone();
    let window = WebviewWindowBuilder::new(app, window_label(id), WebviewUrl::External(pending.url.clone()))
        .title(format!("Sign in at {} — scim-token", shown_host(&pending.url)))
        .inner_size(520.0, 720.0)
        .incognito(true)
        .on_navigation(move |url| {
            if is_redirect(url, &redirect) {
                // Read the fragment here and never load the page.
                let _ = navigation_tx.send(url.to_string());
                return false;
            }
            let allowed = may_navigate(url, &broker);
            if !allowed {
                tracing::warn!(
                    scheme = url.scheme(),
                    host = url.host_str(),
                    "sign-in window: navigation refused"
                );
            }
            allowed
        })
        .on_page_load({
            let redirect = pending.broker.redirect_uri.clone();
            move |window, payload| {
                if is_redirect(payload.url(), &redirect) {
                    let _ = hook_tx.send(payload.url().to_string());
                } else {
                    let _ =
                        window.set_title(&format!("Sign in at {} — scim-token", shown_host(payload.url())));
                }
            }
        })
        .build()?;
    Ok(window)
}

/// Resolves once the sign-in window is gone (closed by the user, or destroyed).
pub(crate) fn when_closed(window: &tauri::WebviewWindow) -> oneshot::Receiver<()> {
    let (closed_tx, closed_rx) = oneshot::channel::<()>();
    let closed_tx = std::sync::Mutex::new(Some(closed_tx));
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed)
            && let Some(tx) = lock(&closed_tx).take()
        {
            let _ = tx.send(());
        }
    });
    closed_rx
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    app: AppHandle,
    shared: Arc<Shared>,
    id: LoginId,
    pending: PendingLogin,
    listener: Option<Listener>,
    mut hook_rx: mpsc::UnboundedReceiver<String>,
    cancel_rx: oneshot::Receiver<()>,
    closed_rx: oneshot::Receiver<()>,
) {
    let cancel_listener = listener.as_ref().map(Listener::cancel_handle);
    let from_listener = async move {
        match listener {
            Some(listener) => listener.wait().await.map_err(ApiError::from),
            None => std::future::pending().await,
        }
    };
    let from_window = async {
        loop {
            let Some(url) = hook_rx.recv().await else {
                return std::future::pending().await;
            };
            match callback::parse(&url, &pending) {
                Ok(captured) => return Ok(captured),
                Err(err) if err.ends_sign_in() => return Err(ApiError::from(err)),
                // Any page in the window can navigate to the redirect: ignore what is not this
                // sign-in's, as the listener does.
                Err(err) => tracing::warn!("ignored a redirect that was not this sign-in's: {err}"),
            }
        }
    };
    let outcome: Result<CapturedToken, CommandError> = tokio::select! {
        result = from_listener => result.map_err(CommandError::from),
        result = from_window => result.map_err(CommandError::from),
        _ = cancel_rx => Err(CommandError::new(ErrorKind::Cancelled, "The sign-in was cancelled.")),
        _ = closed_rx => Err(CommandError::new(ErrorKind::Cancelled, "The sign-in window was closed before the sign-in finished.")),
        () = tokio::time::sleep(SIGN_IN_LIMIT) => Err(CommandError::new(
            ErrorKind::Timeout,
            format!("The sign-in did not finish within {} minutes. Start again.", SIGN_IN_LIMIT.as_secs() / 60),
        )),
    };
    if let Some(cancel) = cancel_listener {
        cancel.cancel();
    }
    if let Some(window) = app.get_webview_window(&window_label(id)) {
        let _ = window.destroy();
    }
    let event = match outcome {
        Ok(captured) => keep(
            &shared,
            id,
            shared.tokens.complete_sign_in(pending, captured, None).await,
        ),
        Err(error) => {
            tracing::info!(id, kind = ?error.kind, "sign-in ended without a token: {}", error.message);
            LoginFinished::Failed { id, error }
        }
    };
    announce(&app, event);
}

/// Files the held token of sign-in `id` under `org`.
pub(crate) async fn file_under_org(
    app: AppHandle,
    shared: Arc<Shared>,
    id: LoginId,
    org: OrgId,
) -> Result<(), CommandError> {
    let Some(held) = lock(&shared.unfiled).remove(&id) else {
        return Err(CommandError::new(
            ErrorKind::NotFound,
            "No captured token is waiting for an org ID; sign in again.",
        ));
    };
    let NeedsOrg {
        pending, captured, ..
    } = *held;
    let result = shared.tokens.complete_sign_in(pending, captured, Some(org)).await;
    announce(&app, keep(&shared, id, result));
    Ok(())
}

/// What the UI hears about a finished sign-in; a token without an org is held, never dropped.
fn keep(shared: &Shared, id: LoginId, result: Result<SignedIn, Box<NeedsOrg>>) -> LoginFinished {
    match result {
        Ok(signed_in) => match signed_in.kept {
            Kept::InKeyring => LoginFinished::Stored {
                id,
                summary: signed_in.summary,
                warning: match (signed_in.scope_warning, signed_in.records_set_aside) {
                    (warning, None) => warning,
                    (warning, Some(kept_at)) => Some(format!(
                        "{}The unreadable token records file was kept at {} and a new one started.",
                        warning.map(|w| format!("{w} ")).unwrap_or_default(),
                        kept_at.display()
                    )),
                },
            },
            Kept::InMemoryOnly(err) => LoginFinished::InMemoryOnly {
                id,
                summary: signed_in.summary,
                warning: format!(
                    "{err}. The token is kept in memory until you quit: copy it into Azure now, then fix the keyring and renew."
                ),
            },
        },
        Err(needs) => {
            let reason = needs.reason.to_string();
            lock(&shared.unfiled).insert(id, needs);
            LoginFinished::NeedsOrg { id, reason }
        }
    }
}

fn announce(app: &AppHandle, event: LoginFinished) {
    let _ = event.emit(app);
    let _ = TokensChanged.emit(app);
    crate::tray::refresh(app);
}
