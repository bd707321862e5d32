//! The Webex sign-in in the desktop app: core's sign-in (listener on localhost:3000) raced with
//! the sign-in window's hook by core; this file opens the window or the browser and runs the
//! sign-in in the Webex slot of `sign_in.rs`, whose outcome the front end asks for by id.
//! Finishing (org, account, keyring) is core's `Api::complete_sign_in`; a "Renew and push"
//! pushes afterwards, in a task of its own.

use std::sync::Arc;

use scim_token_core::api::{
    AfterRenewal, Capture, Kept, NeedsOrg, Renewed, SignInRequest, SignedIn, WebexSignIn,
};
use scim_token_core::{BrokerId, ErrorKind, OrgId, TokenKey, TokenSummary};
use tauri::{AppHandle, State};
use tauri_specta::Event;
use tokio::sync::oneshot;

use crate::error::CommandError;
use crate::events::{RenewalPushed, TokensChanged};
use crate::ipc::{AfterRenewalView, RenewFor, TokenView};
use crate::sandbox;
use crate::sign_in::{SIGN_IN_LIMIT, SignInId, SignInPlace, SignInStarted, Ticket, WebexSignInOutcome};
use crate::sign_in_window::{Closer, Surface};
use crate::state::{Shared, Unfiled, lock};

type Result<T> = std::result::Result<T, CommandError>;

/// Starts a sign-in at `broker` (`sandbox` means the app's own when it runs) in `place`;
/// with `renew_for`, the new token is pushed into that token's linked jobs once it is stored.
/// Its outcome: `webex_sign_in_outcome` with the returned id.
#[tauri::command]
#[specta::specta]
pub(crate) async fn start_webex_sign_in(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    broker: BrokerId,
    email: Option<String>,
    renew_for: Option<RenewFor>,
    place: SignInPlace,
) -> Result<SignInStarted> {
    let ticket = shared.webex_sign_in.ticket();
    let broker = sandbox::resolve_broker(&shared.sandbox, broker).await?;
    let renew_for = match renew_for {
        Some(r) => Some(TokenKey {
            broker: sandbox::resolve_broker(&shared.sandbox, r.broker).await?,
            org: r.org,
        }),
        None => None,
    };
    start(
        app,
        shared.inner().clone(),
        ticket,
        broker,
        email,
        renew_for,
        place,
    )
    .await
}

/// How Webex sign-in `id` ended, once it has (a token without an org ID is held for
/// `file_token`).
#[tauri::command]
#[specta::specta]
pub(crate) async fn webex_sign_in_outcome(
    shared: State<'_, Arc<Shared>>,
    id: SignInId,
) -> Result<WebexSignInOutcome> {
    Ok(shared.webex_sign_in.outcome(id).await)
}

/// Files the token of sign-in `id`, which carried no org ID, under `org`; the reply is the
/// sign-in's outcome now.
#[tauri::command]
#[specta::specta]
pub(crate) async fn file_token(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    id: SignInId,
    org: OrgId,
) -> Result<WebexSignInOutcome> {
    file_under_org(app, shared.inner().clone(), id, org).await
}

/// Cancels the Webex sign-in in progress and waits until it has let go of its window and the
/// port. A token it captured and holds for an org is dropped too.
pub(crate) async fn cancel(shared: &Shared) {
    if let Some(id) = shared.webex_sign_in.cancel(None).await {
        lock(&shared.unfiled).remove(&id);
    }
}

/// Opens the sign-in window (or the browser) and starts waiting.
async fn start(
    app: AppHandle,
    shared: Arc<Shared>,
    ticket: Ticket,
    broker: BrokerId,
    email: Option<String>,
    renew_for: Option<TokenKey>,
    place: SignInPlace,
) -> Result<SignInStarted> {
    sandbox::admit(&shared.sandbox, Some(&broker), None).await?;
    let slot = shared.webex_sign_in.begin(ticket).await?;
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
        format!("webex-{id}"),
        sign_in.url(),
        sign_in.window_rule(),
    )
    .await?;
    if let Some(problem) = problem {
        note = format!("{problem}. Waiting for you to sign in with the link…");
    }
    tracing::info!(id, broker = %sign_in.broker().id, ?place, "sign-in started");
    let shared_for_task = shared.clone();
    slot.run(id, move |cancelled| {
        finish(app, shared_for_task, id, sign_in, surface, cancelled, renew_for)
    });
    Ok(SignInStarted { id, note, browser })
}

async fn finish(
    app: AppHandle,
    shared: Arc<Shared>,
    id: SignInId,
    sign_in: WebexSignIn,
    surface: Surface,
    cancelled: oneshot::Receiver<()>,
    renew_for: Option<TokenKey>,
) -> WebexSignInOutcome {
    let (redirects, stop, closer) = surface.into_parts(cancelled);
    let outcome = sign_in.capture(redirects, stop).await;
    Closer::close(closer, &app);
    match outcome {
        Ok(Capture { pending, captured }) => {
            let result = shared.api.complete_sign_in(pending, captured, None).await;
            keep(&app, &shared, id, result, renew_for)
        }
        Err(error) => {
            let error = CommandError::from(error);
            tracing::info!(id, kind = ?error.kind, "sign-in ended without a token: {}", error.message);
            WebexSignInOutcome::Failed { error }
        }
    }
}

/// Files the held token of sign-in `id` under `org`.
async fn file_under_org(
    app: AppHandle,
    shared: Arc<Shared>,
    id: SignInId,
    org: OrgId,
) -> Result<WebexSignInOutcome> {
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
    Ok(keep(&app, &shared, id, result, renew_for))
}

/// How a sign-in ended (a token without an org is held, never dropped); for a "Renew and
/// push", the push starts.
fn keep(
    app: &AppHandle,
    shared: &Arc<Shared>,
    id: SignInId,
    result: std::result::Result<SignedIn, Box<NeedsOrg>>,
    renew_for: Option<TokenKey>,
) -> WebexSignInOutcome {
    let push = match (&result, &renew_for) {
        (Ok(signed_in), Some(intended)) => Some((Renewed::of(signed_in), intended.clone())),
        _ => None,
    };
    let outcome = finished(shared, id, result, push.is_some(), renew_for);
    let _ = TokensChanged.emit(app);
    crate::tray::refresh(app);
    if let Some((renewed, intended)) = push {
        push_after_renewal(app.clone(), shared.clone(), renewed, intended);
    }
    outcome
}

/// What the UI hears about a kept (or held) token.
fn finished(
    shared: &Shared,
    id: SignInId,
    result: std::result::Result<SignedIn, Box<NeedsOrg>>,
    pushing: bool,
    renew_for: Option<TokenKey>,
) -> WebexSignInOutcome {
    match result {
        Ok(signed_in) => match signed_in.kept {
            Kept::InKeyring => WebexSignInOutcome::Stored {
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
            Kept::InMemoryOnly(err) => WebexSignInOutcome::InMemoryOnly {
                summary: TokenView::from(&signed_in.summary),
                warning: format!(
                    "{err}. The token is kept in memory until you quit: copy it into Azure now, then fix the keyring and renew."
                ),
            },
        },
        Err(needs) => {
            let reason = needs.reason.to_string();
            lock(&shared.unfiled).insert(id, Unfiled { needs, renew_for });
            WebexSignInOutcome::NeedsOrg { reason }
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
            shared.forget_healed_jobs(reports);
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
async fn admit_links(shared: &Shared, intended: &TokenKey) -> Result<()> {
    match shared.api.pick(Some(intended.org), Some(&intended.broker)) {
        Ok(record) => sandbox::admit_record(&shared.sandbox, &record).await,
        // Core's push says why the record cannot be read.
        Err(_) => Ok(()),
    }
}
