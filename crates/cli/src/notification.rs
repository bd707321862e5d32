//! Desktop notifications raised by `scim-token check --notify` (from the OS scheduler or by hand).
//!
//! Linux shows them under the name "scim-token"; Windows under PowerShell's (notify-rust's
//! default: a toast needs a registered AppUserModelID, which the CLI does not have). macOS shows a
//! notification under an application bundle, and notify-rust's fallback is Finder's, so the check
//! would appear to come from Finder: the CLI names the desktop app's bundle when it is installed,
//! else Terminal's.

/// The desktop app's bundle identifier (`identifier` in src-tauri/tauri.conf.json).
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
const DESKTOP_BUNDLE_ID: &str = "dev.scimtoken.desktop";

/// The bundle macOS shows the notifications of a program without one under, when the desktop app
/// is not installed.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
const TERMINAL_BUNDLE_ID: &str = "com.apple.Terminal";

/// Shows one notification; a failure is a warning on stderr, never the check's result.
pub(crate) fn show(summary: &str, body: &str) {
    #[cfg(target_os = "macos")]
    name_the_sender_on_macos();
    let shown = notify_rust::Notification::new()
        .summary(summary)
        .body(body)
        .appname("scim-token")
        .show();
    if let Err(err) = shown {
        eprintln!("warning: could not show a desktop notification: {err}");
    }
}

/// The bundle to show notifications under, given what macOS found for the app named scim-token
/// (notify-rust answers Finder's identifier when it finds none).
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
fn macos_sender(found_for_app_name: &str) -> &'static str {
    if found_for_app_name == DESKTOP_BUNDLE_ID {
        DESKTOP_BUNDLE_ID
    } else {
        TERMINAL_BUNDLE_ID
    }
}

/// macOS lets a process name its sender once; a second call is refused, which is harmless.
#[cfg(target_os = "macos")]
fn name_the_sender_on_macos() {
    let found = notify_rust::get_bundle_identifier_or_default("scim-token");
    let _ = notify_rust::set_application(macos_sender(&found));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macos_notifications_come_from_the_app_when_installed_else_terminal() {
        assert_eq!(macos_sender("dev.scimtoken.desktop"), DESKTOP_BUNDLE_ID);
        assert_eq!(macos_sender("com.apple.Finder"), TERMINAL_BUNDLE_ID);
        assert_eq!(macos_sender(""), TERMINAL_BUNDLE_ID);
    }

    /// The app's bundle identifier is the one Tauri builds the app with.
    #[test]
    fn the_desktop_bundle_id_is_the_apps_identifier() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../../../src-tauri/tauri.conf.json")).unwrap();
        assert_eq!(config["identifier"], DESKTOP_BUNDLE_ID);
        assert_eq!(
            config["productName"], "scim-token",
            "the name the CLI looks the app up by"
        );
    }
}
