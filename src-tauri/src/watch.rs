//! The background watch from the app: turns on the per-user scheduled `scim-token check
//! --notify` (core's `api::set_watch`), so reminders and Entra health checks need no resident
//! app. The scheduled program is the `scim-token` command installed next to the app.

use scim_token_core::api::{command_beside, set_watch as schedule, watch_status as scheduled};
use scim_token_core::watch::{WatchInterval, WatchStatus};
use scim_token_core::{ApiError, ErrorKind};

use crate::error::CommandError;

type Result<T> = std::result::Result<T, CommandError>;

/// Whether the background watch is on, and what the scheduler says about it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn watch_status() -> Result<WatchStatus> {
    Ok(scheduled().await?)
}

/// Turns the daily background watch on or off; returns its status afterwards.
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_watch(on: bool) -> Result<WatchStatus> {
    let binary = if on {
        let app = std::env::current_exe().map_err(|e| CommandError::new(ErrorKind::Watch, e.to_string()))?;
        Some((command_beside(&app)?, WatchInterval::Daily))
    } else {
        None
    };
    schedule(binary).await.map_err(|e: ApiError| e.into())
}
