//! Tauri commands: each parses typed arguments, calls `scim_token_core::api`, and returns what
//! the front end shows. Flows live in core; sign-in windows in `login.rs`.

use std::sync::Arc;

use scim_token_core::api::CopyWhat;
use scim_token_core::{BrokerId, OrgId, TokenKey, TokenRecord, TokenSummary};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::CommandError;
use crate::events::{ClipboardCleared, LoginId, TokensChanged};
use crate::ipc::TokenView;
use crate::sandbox::{self, Choices, LogLine, SandboxInfo};
use crate::sign_in_window::{LoginStarted, SignInPlace};
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

/// The token a "Renew and push" renews: its push happens only if the sign-in gives this one.
#[derive(Debug, Clone, serde::Deserialize, Serialize, specta::Type)]
pub(crate) struct RenewFor {
    /// The org whose token is renewed.
    pub(crate) org: OrgId,
    /// The broker it came from (the same org may have a sandbox token too).
    pub(crate) broker: BrokerId,
}

/// Starts a sign-in at `broker` (`sandbox` means the app's own when it runs) in `place`;
/// with `renew_for`, the new token is pushed into that token's linked jobs once it is stored.
#[tauri::command]
#[specta::specta]
pub(crate) async fn start_login(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    broker: BrokerId,
    email: Option<String>,
    renew_for: Option<RenewFor>,
    place: SignInPlace,
) -> Result<LoginStarted> {
    let broker = sandbox::resolve_broker(&shared, broker).await?;
    let renew_for = match renew_for {
        Some(r) => Some(TokenKey {
            broker: sandbox::resolve_broker(&shared, r.broker).await?,
            org: r.org,
        }),
        None => None,
    };
    crate::login::start(app, shared.inner().clone(), broker, email, renew_for, place).await
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

/// Ends the sign-in `id`, if it is still the one in progress.
#[tauri::command]
#[specta::specta]
pub(crate) async fn cancel_login(shared: State<'_, Arc<Shared>>, id: LoginId) -> Result<()> {
    crate::login::cancel(&shared, Some(id)).await;
    Ok(())
}

/// Files the token of sign-in `id`, which carried no org ID, under `org`.
#[tauri::command]
#[specta::specta]
pub(crate) async fn file_token(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    id: LoginId,
    org: OrgId,
) -> Result<()> {
    crate::login::file_under_org(app, shared.inner().clone(), id, org).await
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
    sandbox::admit(&shared, Some(&record.broker), None).await?;
    let ok = shared.api.test_connection(&record).await?;
    let elapsed_ms = u32::try_from(ok.elapsed.as_millis()).unwrap_or(u32::MAX);
    Ok(ConnectionTested {
        elapsed_ms,
        message: format!(
            "Test Connection succeeded ({elapsed_ms} ms): Azure's Test Connection will pass with this Tenant URL and token."
        ),
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
    Ok(sandbox::info(&shared).await)
}

/// The brokers and clouds the sign-in forms offer, with their words.
#[tauri::command]
#[specta::specta]
pub(crate) async fn sign_in_choices(shared: State<'_, Arc<Shared>>) -> Result<Choices> {
    Ok(sandbox::choices(&shared).await)
}

/// The sandbox's recent requests, oldest first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn sandbox_log(shared: State<'_, Arc<Shared>>) -> Result<Vec<LogLine>> {
    sandbox::log(&shared).await
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
