//! The scim-token desktop shell: windows, commands, tray and notifications. All logic lives in
//! `scim-token-core` (its `api` module); this crate only wires it to Tauri. The sandbox is not in
//! this binary: it runs as the `scim-token` CLI beside it (`sandbox.rs`). Options:
//! `scim-token-desktop --help`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod autostart;
mod bindings;
mod command_table;
mod commands;
mod entra;
mod entra_sign_in;
mod error;
mod events;
mod ipc;
mod logging;
mod network;
mod options;
mod reminders;
mod sandbox;
mod sign_in;
mod sign_in_window;
mod state;
mod tray;
mod watch;
mod webex_sign_in;

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tauri::{Manager, RunEvent};
use tauri_specta::Event;

use crate::events::SecondInstance;
use crate::options::Options;
use crate::state::Shared;

fn main() {
    log_panics();
    let options = Options::parse();
    let specta = bindings::builder();
    let invoke_handler = specta.invoke_handler();
    let builder = tauri::Builder::default()
        // First: a second launch focuses the running app instead of starting another.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main_window(app);
            let _ = SecondInstance.emit(app);
        }))
        .plugin(logging::plugin(options.log.as_deref()))
        .plugin(tauri_plugin_notification::init());
    let app = autostart::register(builder)
        .setup(move |app| {
            specta.mount_events(app);
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                ?options,
                "scim-token-desktop started"
            );
            let shared =
                Shared::open(Duration::from_secs(options.clear_clipboard_after)).map_err(|e| e.message)?;
            let shared = Arc::new(shared);
            app.manage(shared.clone());
            if options.runs_sandbox() {
                sandbox::start(shared.sandbox.clone(), &options);
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
        .invoke_handler(invoke_handler)
        .build(tauri::generate_context!())
        .expect("the app starts");
    app.run(|app, event| match event {
        // Closing the last window keeps the app in the tray; only Quit exits.
        RunEvent::ExitRequested { api, code: None, .. } => api.prevent_exit(),
        // Quitting within the clear delay must not leave the token on the clipboard.
        RunEvent::Exit => clear_clipboard_on_exit(app),
        _ => {}
    });
}

/// Writes a panic to the app's log before the default hook prints it: release builds abort on a
/// panic (Cargo.toml), and an app started from a menu has no terminal to show stderr. Secrets are
/// redacted types, so a panic message cannot carry one.
fn log_panics() {
    let print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("the app stopped on a bug: {info}");
        print(info);
    }));
}

fn clear_clipboard_on_exit(app: &tauri::AppHandle) {
    let Some(shared) = app.try_state::<Arc<Shared>>() else {
        return;
    };
    if let Some(outcome) = shared.copies.clear_now_blocking() {
        tracing::info!(?outcome, "clipboard on exit");
    }
}
