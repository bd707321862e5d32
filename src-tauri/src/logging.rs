//! The app's log: stderr and a size-capped file in the OS log directory (on Linux
//! `$XDG_DATA_HOME/dev.scimtoken.desktop/logs/scim-token.log`), for users to attach to a report.
//!
//! Core logs through `tracing` (the sandbox child's stderr lines too, target `sandbox`); with no
//! tracing subscriber installed, its `log` feature hands every event to this logger. Tokens are never logged (their `Display` is `[REDACTED]`).

use tauri::Runtime;
use tauri::plugin::TauriPlugin;
use tauri_plugin_log::log::LevelFilter;
use tauri_plugin_log::{RotationStrategy, Target, TargetKind, WEBVIEW_TARGET};

/// The log file keeps at most this many bytes before it is rotated.
const MAX_FILE_BYTES: u128 = 1024 * 1024;

/// The log plugin, at `level` or else the level named by `SCIM_TOKEN_LOG` (`error` … `trace`,
/// default `info`).
///
/// Records from web pages are dropped: no window is granted the plugin's `log` command, and even
/// if one were, a page (above all the broker's sign-in page) must not write into the app's log.
pub(crate) fn plugin<R: Runtime>(level: Option<&str>) -> TauriPlugin<R> {
    let level = level
        .map(str::to_owned)
        .or_else(|| std::env::var("SCIM_TOKEN_LOG").ok())
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::Info);
    let not_from_a_page = |m: &tauri_plugin_log::log::Metadata<'_>| !m.target().starts_with(WEBVIEW_TARGET);
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .targets([
            Target::new(TargetKind::Stderr).filter(not_from_a_page),
            Target::new(TargetKind::LogDir {
                file_name: Some("scim-token".into()),
            })
            .filter(not_from_a_page),
        ])
        .level(level)
        // Dependencies speak at warn and above unless asked for more.
        .level_for("tao", level.min(LevelFilter::Warn))
        .level_for("wry", level.min(LevelFilter::Warn))
        .max_file_size(MAX_FILE_BYTES)
        .rotation_strategy(RotationStrategy::KeepSome(3))
        .build()
}
