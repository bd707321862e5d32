//! The Entra sign-in in the desktop app, in the Entra slot of `sign_in.rs`: a sign-in window
//! (core races its hook with the loopback listener) or the system browser; and the kept
//! sign-ins, listed and signed out of.

use std::sync::Arc;

use scim_token_core::api::EntraSignInRequest;
use scim_token_core::entra::Cloud;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::CommandError;
use crate::sandbox;
use crate::sign_in::{EntraSignInOutcome, SIGN_IN_LIMIT, SignInId, SignInPlace, SignInStarted};
use crate::sign_in_window::{Closer, Surface};
use crate::state::Shared;

type Result<T> = std::result::Result<T, CommandError>;

/// A kept Entra sign-in, as the UI shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct EntraSession {
    /// Who, which tenant, which cloud, since when, in core's words.
    pub(crate) description: String,
}

/// The kept Entra sign-ins, most recent first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_sessions(shared: State<'_, Arc<Shared>>) -> Result<Vec<EntraSession>> {
    Ok(shared
        .api
        .entra_status()
        .await?
        .into_iter()
        .map(|s| EntraSession {
            description: format!("Signed in to Entra as {}.", s.description()),
        })
        .collect())
}

/// Where the admin signs in to Entra, as the form gives it.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
pub(crate) struct EntraSignInTo {
    /// The cloud (the sandbox's local Entra included).
    pub(crate) cloud: Cloud,
    /// The tenant ID or a verified domain; by default `organizations`.
    pub(crate) tenant: Option<String>,
    /// An app registration of the tenant's own; by default Microsoft Graph Command Line Tools.
    pub(crate) client_id: Option<String>,
}

/// Starts the Entra sign-in `to` a cloud and tenant in the app's window or the system browser.
/// Its outcome: `entra_sign_in_outcome` with the returned id.
#[tauri::command]
#[specta::specta]
pub(crate) async fn start_entra_sign_in(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    to: EntraSignInTo,
    place: SignInPlace,
) -> Result<SignInStarted> {
    let shared = shared.inner().clone();
    let ticket = shared.entra_sign_in.ticket();
    sandbox::admit(&shared.sandbox, None, Some(&to.cloud)).await?;
    let slot = shared.entra_sign_in.begin(ticket).await?;
    let request = EntraSignInRequest {
        cloud: Some(to.cloud),
        tenant: to.tenant,
        client_id: to.client_id,
    };
    let sign_in = shared.api.entra_sign_in(request, SIGN_IN_LIMIT).await?;
    let id = shared.next_id();
    let (surface, browser, problem) = Surface::open(
        &app,
        place,
        format!("entra-{id}"),
        sign_in.url(),
        sign_in.window_rule(),
    )
    .await?;
    let shared_for_task = shared.clone();
    slot.run(id, move |cancelled| async move {
        let (redirects, stop, closer) = surface.into_parts(cancelled);
        let finished = shared_for_task
            .api
            .entra_finish_sign_in(sign_in, redirects, stop)
            .await;
        Closer::close(closer, &app);
        match finished {
            Ok(session) => EntraSignInOutcome::SignedIn {
                target: session.target,
            },
            Err(error) => EntraSignInOutcome::Failed { error: error.into() },
        }
    });
    let note = match (problem, place) {
        (Some(problem), _) => format!("{problem}. Waiting for you to sign in to Entra with the link…"),
        (None, SignInPlace::Window) => "Waiting for you to sign in to Entra…".into(),
        (None, SignInPlace::Browser) => format!(
            "Waiting for you to sign in to Entra in your browser… {}.",
            scim_token_core::api::UNREADABLE_PAGE_HINT
        ),
    };
    Ok(SignInStarted { id, note, browser })
}

/// How Entra sign-in `id` ended, once it has.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_sign_in_outcome(
    shared: State<'_, Arc<Shared>>,
    id: SignInId,
) -> Result<EntraSignInOutcome> {
    Ok(shared.entra_sign_in.outcome(id).await)
}

/// Forgets every kept Entra sign-in (keyring entries and records).
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_sign_out(shared: State<'_, Arc<Shared>>) -> Result<()> {
    shared.api.entra_sign_out_all().await?;
    Ok(())
}
