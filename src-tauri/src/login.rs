//! The Webex sign-in in the desktop app: core's sign-in (listener on localhost:3000) raced with
//! the sign-in window's hook by core; this file opens the window, holds the sign-in in progress,
//! and tells the front end how it ended. Finishing (org, account, keyring) is core's
//! `Api::complete_sign_in`.
//!
//! Each sign-in has an id and a window labelled `login-<id>`: a newer sign-in cancels the older
//! one and waits for it to let go of its window and port, and a late result of the older one is
//! never taken for the newer one's.

use std::sync::Arc;

use scim_token_core::api::{Capture, Kept, NeedsOrg, SignInRequest, SignedIn, WebexSignIn};
use scim_token_core::{BrokerId, ErrorKind, OrgId};
use tauri::AppHandle;
use tauri_specta::Event;
use tokio::sync::oneshot;

use crate::error::CommandError;
use crate::events::{LoginFinished, LoginId, TokensChanged};
use crate::ipc::{AfterRenewalView, TokenView};
use crate::sign_in_window::{self, ActiveLogin, LoginStarted, SIGN_IN_LIMIT, SignInWindow};
use crate::state::{Shared, lock};

/// Cancels the sign-in in progress (only if it is `only` when given) and waits until it has let
/// go of its window and the port. A token it captured and holds for an org is dropped too.
pub(crate) async fn cancel(shared: &Shared, only: Option<LoginId>) {
    let mut slot = shared.login.lock().await;
    if only.is_some_and(|id| slot.as_ref().is_some_and(|active| active.id != id)) {
        return;
    }
    sign_in_window::end(&mut slot).await;
    let mut unfiled = lock(&shared.unfiled);
    match only {
        Some(id) => {
            unfiled.remove(&id);
        }
        None => unfiled.clear(),
    }
}

/// Opens the sign-in window and starts waiting; the outcome arrives as a `LoginFinished` event
/// with the returned id.
pub(crate) async fn start(
    app: AppHandle,
    shared: Arc<Shared>,
    broker: BrokerId,
    email: Option<String>,
    then_push: bool,
) -> Result<LoginStarted, CommandError> {
    // One guard from ending the previous sign-in to registering this one: two starts at once
    // run one after the other.
    let mut slot = shared.login.lock().await;
    sign_in_window::end(&mut slot).await;
    lock(&shared.unfiled).clear();
    let id = shared.next_id();
    let request = SignInRequest {
        broker,
        email,
        limit: SIGN_IN_LIMIT,
    };
    let sign_in = shared.api.sign_in(request).await;
    // Any listener failure (port taken, no IPv6, no permission) leaves the window's hook, which
    // catches the redirect on its own.
    let note = match sign_in.listener_error() {
        None => "Waiting for you to finish signing in…".to_owned(),
        Some(err) => {
            format!("{err}. The sign-in window still captures the token; waiting for you to sign in…")
        }
    };
    let window = SignInWindow::open(&app, format!("login-{id}"), sign_in.url(), sign_in.window_rule())?;
    tracing::info!(id, broker = %sign_in.broker().id, "sign-in window opened");
    let shared_for_task = shared.clone();
    *slot = Some(ActiveLogin::spawn(id, move |cancelled| {
        finish(app, shared_for_task, id, sign_in, window, cancelled, then_push)
    }));
    Ok(LoginStarted { id, note })
}

async fn finish(
    app: AppHandle,
    shared: Arc<Shared>,
    id: LoginId,
    sign_in: WebexSignIn,
    window: SignInWindow,
    cancelled: oneshot::Receiver<()>,
    then_push: bool,
) {
    let (redirects, stop, closer) = window.into_parts(cancelled);
    let outcome = sign_in.capture(Some(redirects), stop).await;
    closer.close(&app);
    let event = match outcome {
        Ok(Capture { pending, captured }) => {
            let result = shared.api.complete_sign_in(pending, captured, None).await;
            keep(&shared, id, result, then_push).await
        }
        Err(error) => {
            let error = CommandError::from(error);
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
    let (needs, then_push) = held;
    let NeedsOrg {
        pending, captured, ..
    } = *needs;
    let result = shared.api.complete_sign_in(pending, captured, Some(org)).await;
    announce(&app, keep(&shared, id, result, then_push).await);
    Ok(())
}

/// What the UI hears about a finished sign-in (after the push that follows a renewal, when
/// asked for); a token without an org is held, never dropped.
async fn keep(
    shared: &Shared,
    id: LoginId,
    result: Result<SignedIn, Box<NeedsOrg>>,
    then_push: bool,
) -> LoginFinished {
    let pushed = match (&result, then_push) {
        (Ok(signed_in), true) => Some(shared.api.push_after_renewal(signed_in).await),
        _ => None,
    };
    match result {
        Ok(signed_in) => match signed_in.kept {
            Kept::InKeyring => LoginFinished::Stored {
                id,
                pushed: pushed.as_ref().map(AfterRenewalView::from),
                summary: TokenView::from(&signed_in.summary),
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
                summary: TokenView::from(&signed_in.summary),
                warning: format!(
                    "{err}. The token is kept in memory until you quit: copy it into Azure now, then fix the keyring and renew."
                ),
            },
        },
        Err(needs) => {
            let reason = needs.reason.to_string();
            lock(&shared.unfiled).insert(id, (needs, then_push));
            LoginFinished::NeedsOrg { id, reason }
        }
    }
}

fn announce(app: &AppHandle, event: LoginFinished) {
    let _ = event.emit(app);
    let _ = TokensChanged.emit(app);
    crate::tray::refresh(app);
}
