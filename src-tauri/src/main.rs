//! The scim-token desktop shell: windows, commands, tray and notifications. All logic lives in
//! `scim-token-core` and `scim-token-sandbox`; this crate only wires it to Tauri.
//!
//! `scim-token-desktop [--sandbox] [--sandbox-port N] [--sandbox-auto-approve EMAIL]`
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;
mod login;
mod reminders;
mod sandbox;
mod state;
mod tray;

use std::sync::Arc;

use tauri::{Manager, RunEvent};

use crate::state::Shared;

/// Command-line options.
#[derive(Debug, Default)]
struct Options {
    sandbox: bool,
    sandbox_port: u16,
    auto_approve: Option<String>,
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
            "--sandbox-port" => {
                options.sandbox_port = args.next().and_then(|p| p.parse().ok()).unwrap_or(8900)
            }
            "--sandbox-auto-approve" => {
                options.sandbox = true;
                options.auto_approve = args.next();
            }
            _ => {}
        }
    }
    options
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SCIM_TOKEN_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let options = options();
    let app = tauri::Builder::default()
        // First: a second launch focuses the running app instead of starting another.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main_window(app)
        }))
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            let shared = Arc::new(Shared::open().map_err(|e| e.message)?);
            app.manage(shared.clone());
            if options.sandbox {
                let handle = app.handle().clone();
                let shared = shared.clone();
                let (port, approve) = (options.sandbox_port, options.auto_approve.clone());
                tauri::async_runtime::block_on(async move {
                    if let Err(e) = sandbox::start(&shared, port, approve).await {
                        tracing::error!("the sandbox did not start: {}", e.message);
                    }
                    let _ = handle;
                });
            }
            if let Err(e) = tray::create(app.handle()) {
                tracing::warn!("no tray icon: {e}");
            }
            reminders::spawn(app.handle().clone());
            Ok(())
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
