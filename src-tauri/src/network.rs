//! The network panel: the proxy the app's own requests use (and where that comes from), the
//! admin's choice of proxy, and `doctor`'s check of the way to Webex and Entra, all over core's
//! `Api` (the words are core's).

use std::sync::Arc;

use scim_token_core::ErrorKind;
use scim_token_core::api::{DoctorReport, DoctorRequest};
use scim_token_core::net::ProxyChoice;
use serde::Serialize;
use tauri::State;

use crate::error::CommandError;
use crate::state::Shared;

type Result<T> = std::result::Result<T, CommandError>;

/// The proxy in force and the choice that made it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct NetworkView {
    /// `system`, `direct`, or the proxy's address (never its password).
    choice: String,
    /// Where requests go, in one sentence.
    line: String,
    /// What the admin should know besides (a PAC file not followed, a broken setting).
    notes: Vec<String>,
}

fn view(shared: &Shared) -> NetworkView {
    let summary = shared.api.proxy_summary();
    NetworkView {
        choice: shared.api.proxy_choice().to_string(),
        line: summary.in_one_line(),
        notes: summary.notes(),
    }
}

/// The proxy the app's requests use.
#[tauri::command]
#[specta::specta]
pub(crate) async fn network_status(shared: State<'_, Arc<Shared>>) -> Result<NetworkView> {
    Ok(view(&shared))
}

/// Keeps and follows a proxy choice: `system`, `direct`, or `http://host:port`.
#[tauri::command]
#[specta::specta]
pub(crate) async fn set_proxy(shared: State<'_, Arc<Shared>>, choice: String) -> Result<NetworkView> {
    let choice: ProxyChoice = choice
        .parse()
        .map_err(|e: scim_token_core::net::proxy::BadProxyUrl| {
            CommandError::new(ErrorKind::InvalidArgument, e.to_string())
        })?;
    shared.api.use_proxy(&choice)?;
    Ok(view(&shared))
}

/// Checks the way to every host a setup needs (each step bounded, hosts side by side).
#[tauri::command]
#[specta::specta]
pub(crate) async fn check_network(shared: State<'_, Arc<Shared>>) -> Result<DoctorReport> {
    Ok(shared.api.doctor(&DoctorRequest::default()).await)
}
