//! Declares the app's commands so Tauri generates `allow-*` permissions for them and denies every
//! command not granted by a capability (the sign-in window is in none).

/// Every command the main window may call.
const COMMANDS: &[&str] = &[
    "list_tokens",
    "start_login",
    "cancel_login",
    "file_token",
    "copy_to_clipboard",
    "test_connection",
    "forget_token",
    "sandbox_info",
    "sandbox_log",
    "start_at_login",
    "set_start_at_login",
    "quit_app",
    "entra_sessions",
    "start_entra_login",
    "entra_apps",
    "entra_link",
    "entra_unlink",
    "push_to_entra",
    "entra_health",
    "entra_sign_out",
    "watch_status",
    "set_watch",
];

fn main() {
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build configuration is valid");
}
