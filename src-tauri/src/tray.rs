//! The tray icon: the soonest expiry at a glance, open the window, quit.

use std::sync::Arc;

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, WebviewWindowBuilder};

use crate::state::Shared;

const TRAY: &str = "main";
const SOONEST: &str = "soonest";

pub(crate) fn create(app: &AppHandle) -> tauri::Result<()> {
    let soonest = MenuItem::with_id(app, SOONEST, soonest_text(app), false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open scim-token", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&soonest, &open, &quit])?;
    let mut tray = TrayIconBuilder::with_id(TRAY)
        .menu(&menu)
        .tooltip("scim-token")
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main_window(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    app.manage(soonest);
    Ok(())
}

/// Updates the tray's soonest-expiry line.
pub(crate) fn refresh(app: &AppHandle) {
    if let Some(item) = app.try_state::<MenuItem<tauri::Wry>>() {
        let _ = item.set_text(soonest_text(app));
    }
}

fn soonest_text(app: &AppHandle) -> String {
    let Some(shared) = app.try_state::<Arc<Shared>>() else {
        return "No tokens".into();
    };
    match shared.api.expiry_attention(0) {
        Ok(mut attention) => {
            attention.jobs = crate::state::lock(&shared.job_health).clone();
            attention.at_a_glance()
        }
        Err(err) => {
            tracing::warn!("tray: {err}");
            "Token records unreadable: open scim-token".into()
        }
    }
}

/// Shows and focuses the main window, recreating it if it was closed.
pub(crate) fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    if let Some(config) = app.config().app.windows.iter().find(|w| w.label == "main")
        && let Ok(builder) = WebviewWindowBuilder::from_config(app, config)
        && let Err(e) = builder.build()
    {
        tracing::error!("cannot reopen the window: {e}");
    }
}
