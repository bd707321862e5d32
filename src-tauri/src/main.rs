//! The scim-token desktop shell: windows, commands, tray and notifications. All logic lives in
//! `scim-token-core` and `scim-token-sandbox`; this crate only wires it to Tauri.
//!
//! `scim-token-desktop [--sandbox] [--sandbox-port N] [--sandbox-auto-approve EMAIL | --sandbox-auto-deny]
//! [--clear-clipboard-after SECS] [--tray] [--log LEVEL]`
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod autostart;
mod commands;
mod error;
mod logging;
mod login;
mod reminders;
mod sandbox;
mod state;
mod tray;

use std::sync::Arc;

use tauri::{Emitter, Manager, RunEvent};

use crate::state::Shared;

/// Command-line options.
#[derive(Debug, Default)]
struct Options {
    sandbox: bool,
    sandbox_port: u16,
    auto_approve: Option<String>,
    auto_deny: bool,
    clear_clipboard_after: Option<u64>,
    /// Start in the tray without a window (how "start at login" launches the app).
    tray: bool,
    /// Log level (`error` … `trace`), overriding `SCIM_TOKEN_LOG`.
    log: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        sandbox_port: 8900,
        ..Options::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sandbox" => options.sandbox = true,
            "--tray" => options.tray = true,
            "--log" => options.log = args.next(),
            "--sandbox-port" => {
                options.sandbox_port = args.next().and_then(|p| p.parse().ok()).unwrap_or(8900)
            }
            "--sandbox-auto-approve" => {
                options.sandbox = true;
                options.auto_approve = args.next();
            }
            "--sandbox-auto-deny" => {
                options.sandbox = true;
                options.auto_deny = true;
            }
            "--clear-clipboard-after" => {
                options.clear_clipboard_after = args.next().and_then(|s| s.parse().ok())
            }
            _ => {}
        }
    }
    options
}

fn main() {
    let options = options();
    let builder = tauri::Builder::default()
        // First: a second launch focuses the running app instead of starting another.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main_window(app);
            let _ = app.emit("second-instance", ());
        }))
        .plugin(logging::plugin(options.log.as_deref()))
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_notification::init());
    let app = autostart::register(builder)
        .setup(move |app| {
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                ?options,
                "scim-token-desktop started"
            );
            let mut shared = Shared::open().map_err(|e| e.message)?;
            if let Some(secs) = options.clear_clipboard_after {
                shared.clear_clipboard_after = std::time::Duration::from_secs(secs.max(1));
            }
            let shared = Arc::new(shared);
            app.manage(shared.clone());
            if options.sandbox {
                let handle = app.handle().clone();
                let shared = shared.clone();
                let (port, approve, deny) = (
                    options.sandbox_port,
                    options.auto_approve.clone(),
                    options.auto_deny,
                );
                tauri::async_runtime::block_on(async move {
                    if let Err(e) = sandbox::start(&shared, port, approve, deny).await {
                        tracing::error!("the sandbox did not start: {}", e.message);
                    }
                    let _ = handle;
                });
            }
            if let Err(e) = tray::create(app.handle()) {
                tracing::warn!("no tray icon: {e}");
            }
            reminders::spawn(app.handle().clone());
            if options.tray
                && let Some(window) = app.get_webview_window("main")
            {
                // Destroyed rather than hidden, so its web process ends too.
                window.destroy()?;
            }
            Ok(())
        })
        .on_page_load(|webview, payload| {
            // Only the main window: the sign-in window's URLs may carry a token.
            if webview.label() == "main" && payload.event() == tauri::webview::PageLoadEvent::Finished {
                tracing::info!("main window loaded");
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_tokens,
            commands::start_login,
            commands::cancel_login,
            commands::copy_to_clipboard,
            commands::test_connection,
            commands::forget_token,
            commands::sandbox_info,
            commands::sandbox_log,
            commands::start_at_login,
            commands::set_start_at_login,
        ])
        .build(tauri::generate_context!())
        .expect("the app starts");
    app.run(|_app, event| {
        // Closing the last window keeps the app in the tray; only Quit exits.
        if let RunEvent::ExitRequested { api, code: None, .. } = event {
            api.prevent_exit();
        }
    });
}
