//! Opt-in "start at login": the app starts in the tray (`--tray`) when the user signs in to the
//! desktop, so reminders keep coming without the window open.

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

use crate::error::CommandError;

/// The autostart plugin: a login item (macOS), Run key (Windows) or
/// `~/.config/autostart/scim-token.desktop` (Linux) that starts the app in the tray.
pub(crate) fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new()
        .app_name("scim-token")
        .arg("--tray")
        .build()
}

/// Whether the app starts at login.
pub(crate) fn enabled(app: &AppHandle) -> Result<bool, CommandError> {
    app.autolaunch().is_enabled().map_err(failed)
}

/// Turns starting at login on or off.
pub(crate) fn set(app: &AppHandle, enabled: bool) -> Result<(), CommandError> {
    if enabled {
        ensure_config_dir()?;
        app.autolaunch().enable().map_err(failed)
    } else if app.autolaunch().is_enabled().map_err(failed)? {
        app.autolaunch().disable().map_err(failed)
    } else {
        Ok(())
    }
}

/// The Linux launcher creates `~/.config/autostart` but not a missing `~/.config` itself.
fn ensure_config_dir() -> Result<(), CommandError> {
    #[cfg(target_os = "linux")]
    if let Some(home) = std::env::var_os("HOME") {
        let config = std::path::Path::new(&home).join(".config");
        std::fs::create_dir_all(&config).map_err(|e| {
            CommandError::new("autostart", format!("cannot create {}: {e}", config.display()))
        })?;
    }
    Ok(())
}

fn failed(e: tauri_plugin_autostart::Error) -> CommandError {
    CommandError::new("autostart", format!("cannot change start at login: {e}"))
}
