//! Opt-in "start at login": the app starts in the tray (`--tray`) when the user signs in to the
//! desktop, so reminders keep coming without the window open.
//!
//! On Linux the app writes the XDG autostart entry itself (`xdg`): tauri-plugin-autostart always
//! writes to `~/.config/autostart`, which desktops ignore when `XDG_CONFIG_HOME` points elsewhere.
//! On macOS (a launch agent, `~/Library/LaunchAgents/scim-token.plist`) and Windows (the Run key)
//! the plugin does the job.

#[cfg(target_os = "linux")]
mod xdg;

use tauri::{Builder, Runtime};

#[cfg(not(target_os = "linux"))]
use scim_token_core::ErrorKind;
#[cfg(not(target_os = "linux"))]
use tauri_plugin_autostart::ManagerExt;

use crate::error::CommandError;

/// The argument the login entry starts the app with.
const TRAY_ARG: &str = "--tray";

/// The entry's name: the Windows Run value and the macOS launch agent's label and file name (the
/// Windows uninstaller removes the same value).
#[cfg_attr(target_os = "linux", allow(dead_code))]
const ENTRY_NAME: &str = "scim-token";

/// Adds what start-at-login needs to the app: the autostart plugin, except on Linux.
pub(crate) fn register<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    #[cfg(not(target_os = "linux"))]
    let builder = {
        let autostart = tauri_plugin_autostart::Builder::new()
            .app_name(ENTRY_NAME)
            .arg(TRAY_ARG);
        // A launch agent needs no permission; the AppleScript login item would make macOS ask
        // the user to let scim-token control System Events.
        #[cfg(target_os = "macos")]
        let autostart = autostart.macos_launcher(tauri_plugin_autostart::MacosLauncher::LaunchAgent);
        builder.plugin(autostart.build())
    };
    builder
}

/// Whether the app starts at login.
#[cfg(target_os = "linux")]
pub(crate) fn enabled<R: Runtime>(_app: &tauri::AppHandle<R>) -> Result<bool, CommandError> {
    Ok(xdg::entry_path()?.is_file())
}

/// Turns starting at login on or off.
#[cfg(target_os = "linux")]
pub(crate) fn set<R: Runtime>(_app: &tauri::AppHandle<R>, enabled: bool) -> Result<(), CommandError> {
    if enabled {
        xdg::write_entry(&xdg::entry_path()?, &xdg::launcher()?, TRAY_ARG)
    } else {
        xdg::remove_entry(&xdg::entry_path()?)
    }
}

/// Whether the app starts at login.
#[cfg(not(target_os = "linux"))]
pub(crate) fn enabled<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<bool, CommandError> {
    app.autolaunch().is_enabled().map_err(failed)
}

/// Turns starting at login on or off.
#[cfg(not(target_os = "linux"))]
pub(crate) fn set<R: Runtime>(app: &tauri::AppHandle<R>, enabled: bool) -> Result<(), CommandError> {
    if enabled {
        app.autolaunch().enable().map_err(failed)
    } else if app.autolaunch().is_enabled().map_err(failed)? {
        app.autolaunch().disable().map_err(failed)
    } else {
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
fn failed(e: tauri_plugin_autostart::Error) -> CommandError {
    CommandError::new(ErrorKind::Autostart, format!("cannot change start at login: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The uninstaller must remove exactly the Run value the app writes, with the tray argument.
    #[test]
    fn windows_run_value_matches_the_uninstaller() {
        let installer = include_str!("../../packaging/windows/installer.nsi");
        assert!(
            installer.contains(&format!(
                r#"DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "{ENTRY_NAME}""#
            )),
            "the uninstaller removes the Run value {ENTRY_NAME}"
        );
        assert_eq!(TRAY_ARG, "--tray");
    }

    /// On macOS both the login entry and `scim-token watch` are launch agents in
    /// `~/Library/LaunchAgents`: turning one off must never remove the other's file.
    #[test]
    fn macos_login_agent_and_watch_agent_are_different_files() {
        use scim_token_core::watch::launchd;
        let agents = std::path::Path::new("/Users/admin/Library/LaunchAgents");
        let login_agent = agents.join(format!("{ENTRY_NAME}.plist"));
        assert_ne!(login_agent, launchd::plist_path(agents));
        assert_ne!(ENTRY_NAME, launchd::LABEL);
    }
}
