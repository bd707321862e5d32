//! Tauri commands: thin wrappers over `scim-token-core`.

use std::sync::Arc;

use scim_token_core::{Broker, OrgId, TokenSummary, probe};
use scim_token_sandbox::LogEntry;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use time::OffsetDateTime;

use crate::error::CommandError;
use crate::sandbox::{self, SandboxInfo};
use crate::state::{Shared, lock};

type Result<T> = std::result::Result<T, CommandError>;

fn org(text: &str) -> Result<OrgId> {
    text.parse()
        .map_err(|e: scim_token_core::OrgIdError| CommandError::new("org", e.to_string()))
}

#[tauri::command]
pub(crate) async fn list_tokens(shared: State<'_, Arc<Shared>>) -> Result<Vec<TokenSummary>> {
    let now = OffsetDateTime::now_utc();
    Ok(shared
        .records()?
        .iter()
        .map(|r| TokenSummary::of(r, now))
        .collect())
}

#[tauri::command]
pub(crate) async fn start_login(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    broker: String,
    email: Option<String>,
) -> Result<String> {
    let broker = sandbox::resolve_broker(&shared, &broker)?;
    crate::login::start(app, shared.inner().clone(), broker, email).await
}

#[tauri::command]
pub(crate) async fn cancel_login(shared: State<'_, Arc<Shared>>) -> Result<()> {
    if let Some(cancel) = lock(&shared.login).take() {
        let _ = cancel.send(());
    }
    Ok(())
}

/// Copies the Tenant URL or the token; clears the clipboard later if it still holds the copy.
/// Returns the seconds until then.
#[tauri::command]
pub(crate) async fn copy_to_clipboard(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: String,
    what: String,
) -> Result<u64> {
    let (record, token) = shared.token(self::org(&org)?)?;
    let text = match what.as_str() {
        "url" => Broker::resolve(&record.broker)
            .tenant_url(record.org_id)
            .to_string(),
        "token" => token.expose_secret().to_owned(),
        _ => return Err(CommandError::new("argument", "copy 'url' or 'token'")),
    };
    app.clipboard()
        .write_text(text.clone())
        .map_err(|e| CommandError::new("clipboard", e.to_string()))?;
    let clear_after = shared.clear_clipboard_after;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(clear_after).await;
        // Clear only what we put there; something the user copied since is left alone.
        let current = app.clipboard().read_text();
        let cleared = match &current {
            Ok(current) if current == &text => app.clipboard().clear().is_ok(),
            Ok(_) => false,
            Err(e) => {
                tracing::debug!("cannot read the clipboard back: {e}");
                false
            }
        };
        let _ = app.emit("clipboard-cleared", cleared);
    });
    Ok(clear_after.as_secs())
}

#[tauri::command]
pub(crate) async fn test_connection(shared: State<'_, Arc<Shared>>, org: String) -> Result<String> {
    let (record, token) = shared.token(self::org(&org)?)?;
    let tenant_url = Broker::resolve(&record.broker).tenant_url(record.org_id);
    match probe::test_connection(&tenant_url, &token).await {
        Ok(ok) => Ok(format!(
            "Test Connection succeeded ({} ms): Azure's Test Connection will pass with this Tenant URL and token.",
            ok.elapsed.as_millis()
        )),
        Err(err) => Err(CommandError::new("test", err.to_string())),
    }
}

#[tauri::command]
pub(crate) async fn forget_token(app: AppHandle, shared: State<'_, Arc<Shared>>, org: String) -> Result<()> {
    let org = self::org(&org)?;
    lock(&shared.unstored).remove(&org);
    shared.vault.forget(org)?;
    let _ = app.emit("tokens-changed", ());
    crate::tray::refresh(&app);
    Ok(())
}

#[tauri::command]
pub(crate) async fn sandbox_info(shared: State<'_, Arc<Shared>>) -> Result<SandboxInfo> {
    Ok(sandbox::info(&shared))
}

#[tauri::command]
pub(crate) async fn sandbox_log(shared: State<'_, Arc<Shared>>) -> Result<Vec<LogEntry>> {
    Ok(lock(&shared.sandbox)
        .as_ref()
        .map(|s| s.sandbox.log())
        .unwrap_or_default())
}

/// Whether the app starts (in the tray) at login.
#[tauri::command]
pub(crate) async fn start_at_login(app: AppHandle) -> Result<bool> {
    crate::autostart::enabled(&app)
}

#[tauri::command]
pub(crate) async fn set_start_at_login(app: AppHandle, enabled: bool) -> Result<bool> {
    crate::autostart::set(&app, enabled)?;
    crate::autostart::enabled(&app)
}
