//! The background watch from the app: turns on the per-user scheduled `scim-token check
//! --notify` (core's `watch`), so reminders and Entra health checks need no resident app. The
//! scheduled program is the `scim-token` command installed next to the app.

use scim_token_core::ErrorKind;
use scim_token_core::watch::{Watch, WatchInterval, WatchStatus};

use crate::error::CommandError;

type Result<T> = std::result::Result<T, CommandError>;

/// The `scim-token` command beside the running app.
fn cli_beside_app() -> Result<std::path::PathBuf> {
    let app = std::env::current_exe().map_err(|e| CommandError::new(ErrorKind::Autostart, e.to_string()))?;
    let cli = app.with_file_name(format!("scim-token{}", std::env::consts::EXE_SUFFIX));
    if cli.is_file() {
        Ok(cli)
    } else {
        Err(CommandError::new(
            ErrorKind::Autostart,
            format!(
                "The background watch runs the scim-token command, which is not installed next to the app ({}). Install it there (the Windows installer and zip include it), or run `scim-token watch on` yourself.",
                cli.display()
            ),
        ))
    }
}

async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> std::result::Result<T, scim_token_core::watch::WatchError> + Send + 'static,
) -> Result<T> {
    match tauri::async_runtime::spawn_blocking(call).await {
        Ok(result) => result.map_err(|e| CommandError::new(ErrorKind::Autostart, e.to_string())),
        Err(e) => Err(CommandError::new(ErrorKind::Autostart, e.to_string())),
    }
}

/// Whether the background watch is on, and what the scheduler says about it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn watch_status() -> Result<WatchStatus> {
    blocking(|| Watch::for_this_system()?.status()).await
}

/// Turns the daily background watch on or off; returns its status afterwards.
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_watch(on: bool) -> Result<WatchStatus> {
    let cli = if on { Some(cli_beside_app()?) } else { None };
    blocking(move || {
        let watch = Watch::for_this_system()?;
        match &cli {
            Some(cli) => watch.enable(cli, WatchInterval::Daily)?,
            None => watch.disable()?,
        }
        watch.status()
    })
    .await
}
