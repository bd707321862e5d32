//! Tauri commands: each parses typed arguments, calls `scim_token_core::api`, and returns what
//! the front end shows. Flows live in core; the sign-ins in `webex_sign_in.rs` and
//! `entra_sign_in.rs`, on one lifecycle (`sign_in.rs`).

use std::sync::Arc;

use scim_token_core::api::CopyWhat;
use scim_token_core::{BrokerId, OrgId, TokenRecord, TokenSummary};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::CommandError;
use crate::events::{ClipboardCleared, TokensChanged};
use crate::ipc::TokenView;
use crate::sandbox::{self, Choices, LogLine, SandboxInfo};
use crate::sign_in::SignInKind;
use crate::state::Shared;

type Result<T> = std::result::Result<T, CommandError>;

/// The record of the token for `org` from `broker`: the same org may have tokens from several.
fn record(shared: &Shared, org: OrgId, broker: &BrokerId) -> Result<TokenRecord> {
    Ok(shared.api.pick(Some(org), Some(broker))?)
}

/// The tokens to show, and why the stored ones could not be read, if they could not.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct TokenList {
    /// Soonest expiry first; with a problem, only those kept in memory.
    pub(crate) tokens: Vec<TokenView>,
    /// The records file could not be read.
    pub(crate) problem: Option<CommandError>,
}

/// Every known token: a token kept in memory is listed (and can be copied) even when the
/// records file is unreadable, with the problem beside it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn list_tokens(shared: State<'_, Arc<Shared>>) -> Result<TokenList> {
    let listing = shared.api.listing();
    let now = shared.api.now();
    Ok(TokenList {
        tokens: listing
            .records
            .iter()
            .map(|r| TokenView::from(&TokenSummary::of(r, now)))
            .collect(),
        problem: listing.problem.map(CommandError::from),
    })
}

/// Puts a sign-in link on the clipboard, to open in a private window of another browser.
#[tauri::command]
#[specta::specta]
pub(crate) async fn copy_sign_in_link(shared: State<'_, Arc<Shared>>, link: String) -> Result<()> {
    let url = url::Url::parse(&link).map_err(|e| {
        CommandError::new(
            scim_token_core::ErrorKind::InvalidArgument,
            format!("not a link: {e}"),
        )
    })?;
    let copied = shared.api.copy_sign_in_link(&url).await?;
    // Kept until the next copy: on X11 and Wayland the owner serves what was copied.
    shared.copies.keep(copied);
    Ok(())
}

/// Ends the sign-in of `kind` in progress, whichever it is (one that is still starting is ended
/// as soon as it has started), and waits until its window and listener are gone. A Webex token
/// held for an org ID is dropped too.
#[tauri::command]
#[specta::specta]
pub(crate) async fn cancel_sign_in(shared: State<'_, Arc<Shared>>, kind: SignInKind) -> Result<()> {
    match kind {
        SignInKind::Webex => crate::webex_sign_in::cancel(&shared).await,
        SignInKind::Entra => {
            shared.entra_sign_in.cancel(None).await;
        }
    }
    Ok(())
}

/// A field on the clipboard: the number its `ClipboardCleared` event will carry, and when.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct CopyStarted {
    /// The copy's number, which its `ClipboardCleared` event carries.
    pub(crate) copy: u32,
    /// When the clipboard is cleared, if it still holds the copy.
    pub(crate) clears_in_secs: u32,
}

/// Copies the Tenant URL or the token, excluded from clipboard history; clears the clipboard
/// later if it still holds the copy.
#[tauri::command]
#[specta::specta]
pub(crate) async fn copy_to_clipboard(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
    what: CopyWhat,
) -> Result<CopyStarted> {
    let record = record(&shared, org, &broker)?;
    let copied = shared.api.copy(&record, what).await?;
    let number = shared.copies.keep(copied);
    let delay = shared.clear_clipboard_after;
    let shared = shared.inner().clone();
    tauri::async_runtime::spawn(async move {
        if let Some(outcome) = shared.copies.clear_after(number, delay).await {
            let _ = ClipboardCleared {
                copy: number,
                outcome,
                message: outcome.description(),
            }
            .emit(&app);
        }
    });
    Ok(CopyStarted {
        copy: number,
        clears_in_secs: u32::try_from(delay.as_secs()).unwrap_or(u32::MAX),
    })
}

/// A Test Connection that passed.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct ConnectionTested {
    /// How long the SCIM API took to answer.
    pub(crate) elapsed_ms: u32,
    /// What it means, in words.
    pub(crate) message: String,
}

/// Azure's Test Connection for the org.
#[tauri::command]
#[specta::specta]
pub(crate) async fn test_connection(
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
) -> Result<ConnectionTested> {
    let record = record(&shared, org, &broker)?;
    sandbox::admit(&shared.sandbox, Some(&record.broker), None).await?;
    let ok = shared.api.test_connection(&record).await?;
    Ok(ConnectionTested {
        elapsed_ms: u32::try_from(ok.elapsed.as_millis()).unwrap_or(u32::MAX),
        message: ok.description(&record.tenant_url()),
    })
}

/// Removes the org's token and record.
#[tauri::command]
#[specta::specta]
pub(crate) async fn forget_token(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
) -> Result<()> {
    let record = record(&shared, org, &broker)?;
    shared.api.forget(&record).await?;
    let _ = TokensChanged.emit(&app);
    crate::tray::refresh(&app);
    Ok(())
}

/// Whether the sandbox runs, and where (or why it did not start).
#[tauri::command]
#[specta::specta]
pub(crate) async fn sandbox_info(shared: State<'_, Arc<Shared>>) -> Result<SandboxInfo> {
    Ok(sandbox::info(&shared.sandbox).await)
}

/// The brokers and clouds the sign-in forms offer, with their words.
#[tauri::command]
#[specta::specta]
pub(crate) async fn sign_in_choices(shared: State<'_, Arc<Shared>>) -> Result<Choices> {
    Ok(sandbox::choices(&shared.sandbox).await)
}

/// The sandbox's recent requests, oldest first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn sandbox_log(shared: State<'_, Arc<Shared>>) -> Result<Vec<LogLine>> {
    sandbox::log(&shared.sandbox).await
}

/// Whether the app starts (in the tray) at login.
#[tauri::command]
#[specta::specta]
pub(crate) async fn start_at_login(app: AppHandle) -> Result<bool> {
    crate::autostart::enabled(&app)
}

/// Turns starting at login on or off; returns the new setting.
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_start_at_login(app: AppHandle, enabled: bool) -> Result<bool> {
    crate::autostart::set(&app, enabled)?;
    crate::autostart::enabled(&app)
}

/// Quits the app (closing the window only hides it to the tray). A copy still on the clipboard is
/// cleared on the way out.
#[tauri::command]
#[specta::specta]
pub(crate) async fn quit_app(app: AppHandle) -> Result<()> {
    app.exit(0);
    Ok(())
}
