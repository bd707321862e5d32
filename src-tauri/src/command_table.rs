//! The one list of the app's commands. A new command is two edits: its function, and its line
//! here. From this table `bindings.rs` registers the commands and exports them to
//! `ui/src/bindings.ts`, and `build.rs` (which reads this file's text) declares them to Tauri's
//! permission system and writes `capabilities/main.json`, granting each to the main window only.

/// Calls `$then!` with every command, as paths `module::function`.
macro_rules! command_table {
    ($then:ident) => {
        $then![
            // command-table: begin
            commands::list_tokens,
            webex_sign_in::start_webex_sign_in,
            webex_sign_in::webex_sign_in_outcome,
            webex_sign_in::file_token,
            commands::cancel_sign_in,
            commands::copy_sign_in_link,
            commands::copy_to_clipboard,
            commands::test_connection,
            commands::forget_token,
            commands::sandbox_info,
            commands::sign_in_choices,
            commands::sandbox_log,
            commands::start_at_login,
            commands::set_start_at_login,
            commands::quit_app,
            entra_sign_in::entra_sessions,
            entra_sign_in::start_entra_sign_in,
            entra_sign_in::entra_sign_in_outcome,
            entra_sign_in::entra_sign_out,
            entra::entra_apps,
            entra::entra_link,
            entra::entra_unlink,
            entra::push_to_entra,
            entra::entra_health,
            watch::watch_status,
            watch::set_watch,
            network::network_status,
            network::set_proxy,
            network::check_network,
            // command-table: end
        ]
    };
}

pub(crate) use command_table;
