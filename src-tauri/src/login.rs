//! The Webex sign-in in the desktop app: core's sign-in (listener on localhost:3000) raced with
//! the sign-in window's hook by core; this file opens the window, holds the sign-in in progress,
//! and tells the front end how it ended. Finishing (org, account, keyring) is core's
//! `Api::complete_sign_in`.
//!
//! Each sign-in has an id and a window labelled `login-<id>`: a newer sign-in cancels the older
//! one and waits for it to let go of its window and port, and a late result of the older one is
//! never taken for the newer one's.

use std::sync::Arc;

use scim_token_core::api::{
    AfterRenewal, Capture, Kept, NeedsOrg, Renewed, SignInRequest, SignedIn, WebexSignIn,
};
use scim_token_core::{BrokerId, ErrorKind, OrgId, TokenKey, TokenSummary};
use tauri::AppHandle;
use tauri_specta::Event;
use tokio::sync::oneshot;

use crate::commands::RenewFor;
use crate::error::CommandError;
use crate::events::{LoginFinished, LoginId, RenewalPushed, TokensChanged};
use crate::ipc::{AfterRenewalView, TokenView};
use crate::sign_in_window::{self, ActiveLogin, Closer, LoginStarted, SIGN_IN_LIMIT, SignInPlace, Surface};
use crate::state::{Shared, Unfiled, lock};

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
    renew_for: Option<TokenKey>,
    place: SignInPlace,
) -> Result<LoginStarted, CommandError> {
    crate::sandbox::admit(&shared, Some(&broker), None).await?;
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
    let mut sign_in = shared.api.sign_in(request).await;
    if place == SignInPlace::Browser {
        sign_in = sign_in.require_listener()?;
    }
    // Any listener failure (port taken, no IPv6, no permission) leaves the window's hook, which
    // catches the redirect on its own; a browser's redirect only the listener can catch.
    let mut note = match (sign_in.listener_error(), place) {
        (None, SignInPlace::Window) => "Waiting for you to finish signing in…".to_owned(),
        (None, SignInPlace::Browser) => {
            format!(
                "Waiting for you to finish signing in in your browser… If your organisation's sign-in page refuses the sign-in window, this is the way; a private window keeps the token out of your browser's history. {}.",
                scim_token_core::api::UNREADABLE_PAGE_HINT
            )
        }
        (Some(err), _) => {
            format!("{err}. The sign-in window still captures the token; waiting for you to sign in…")
        }
    };
    let (surface, browser, problem) = Surface::open(
        &app,
        place,
        format!("login-{id}"),
        sign_in.url(),
        sign_in.window_rule(),
    )
    .await?;
    if let Some(problem) = problem {
        note = format!("{problem}. Waiting for you to sign in with the link…");
    }
    tracing::info!(id, broker = %sign_in.broker().id, ?place, "sign-in started");
    let shared_for_task = shared.clone();
    *slot = Some(ActiveLogin::spawn(id, move |cancelled| {
        finish(app, shared_for_task, id, sign_in, surface, cancelled, renew_for)
    }));
    Ok(LoginStarted { id, note, browser })
}

async fn finish(
    app: AppHandle,
    shared: Arc<Shared>,
    id: LoginId,
    sign_in: WebexSignIn,
    surface: Surface,
    cancelled: oneshot::Receiver<()>,
    renew_for: Option<TokenKey>,
) {
    let (redirects, stop, closer) = surface.into_parts(cancelled);
    let outcome = sign_in.capture(redirects, stop).await;
    Closer::close(closer, &app);
    match outcome {
        Ok(Capture { pending, captured }) => {
            let result = shared.api.complete_sign_in(pending, captured, None).await;
            keep(&app, &shared, id, result, renew_for);
        }
        Err(error) => {
            let error = CommandError::from(error);
            tracing::info!(id, kind = ?error.kind, "sign-in ended without a token: {}", error.message);
            announce(&app, LoginFinished::Failed { id, error });
        }
    }
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
    let Unfiled { needs, renew_for } = held;
    let NeedsOrg {
        pending, captured, ..
    } = *needs;
    let result = shared.api.complete_sign_in(pending, captured, Some(org)).await;
    keep(&app, &shared, id, result, renew_for);
    Ok(())
}

/// Tells the UI how a sign-in ended (a token without an org is held, never dropped) and, for a
/// "Renew and push", starts the push.
fn keep(
    app: &AppHandle,
    shared: &Arc<Shared>,
    id: LoginId,
    result: Result<SignedIn, Box<NeedsOrg>>,
    renew_for: Option<TokenKey>,
) {
    let push = match (&result, &renew_for) {
        (Ok(signed_in), Some(intended)) => Some((Renewed::of(signed_in), intended.clone())),
        _ => None,
    };
    announce(app, finished(shared, id, result, push.is_some(), renew_for));
    if let Some((renewed, intended)) = push {
        push_after_renewal(app.clone(), shared.clone(), renewed, intended);
    }
}

/// What the UI hears about a kept (or held) token.
fn finished(
    shared: &Shared,
    id: LoginId,
    result: Result<SignedIn, Box<NeedsOrg>>,
    pushing: bool,
    renew_for: Option<TokenKey>,
) -> LoginFinished {
    match result {
        Ok(signed_in) => match signed_in.kept {
            Kept::InKeyring => LoginFinished::Stored {
                id,
                pushing,
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
            lock(&shared.unfiled).insert(id, Unfiled { needs, renew_for });
            LoginFinished::NeedsOrg { id, reason }
        }
    }
}

/// The push after a renewal, in a task of its own: the sign-in is over, so no Cancel or newer
/// sign-in can cut it in half (between the secrets' PUT and the restart, say); its end arrives
/// as a `RenewalPushed` event.
fn push_after_renewal(app: AppHandle, shared: Arc<Shared>, renewed: Renewed, intended: TokenKey) {
    tauri::async_runtime::spawn(async move {
        let after = match admit_links(&shared, &intended).await {
            Ok(()) => shared.api.push_after_renewal(&renewed, &intended).await,
            Err(refused) => AfterRenewal::NotPushed {
                reason: refused.message,
            },
        };
        if let AfterRenewal::Pushed { reports } = &after {
            crate::entra::forget_healed_jobs(&shared, reports);
        }
        let card = shared
            .api
            .pick(Some(intended.org), Some(&intended.broker))
            .ok()
            .map(|record| TokenView::from(&TokenSummary::of(&record, shared.api.now())));
        let _ = RenewalPushed {
            renewed: RenewFor {
                org: intended.org,
                broker: intended.broker,
            },
            card,
            outcome: AfterRenewalView::from(&after),
        }
        .emit(&app);
        let _ = TokensChanged.emit(&app);
        crate::tray::refresh(&app);
    });
}

/// Refuses a push of `intended` (its broker or a linked job) to a sandbox origin the app's own
/// child did not announce.
async fn admit_links(shared: &Shared, intended: &TokenKey) -> Result<(), CommandError> {
    match shared.api.pick(Some(intended.org), Some(&intended.broker)) {
        Ok(record) => crate::sandbox::admit_record(shared, &record).await,
        // Core's push says why the record cannot be read.
        Err(_) => Ok(()),
    }
}

fn announce(app: &AppHandle, event: LoginFinished) {
    let _ = event.emit(app);
    let _ = TokensChanged.emit(app);
    crate::tray::refresh(app);
}
