//! Errors as they cross IPC: `{kind, message}`, so the UI can branch on `kind`.

use scim_token_core::listener::ListenerError;
use scim_token_core::vault::VaultError;
use serde::Serialize;

/// An error for the front end.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CommandError {
    /// A stable machine-readable kind, e.g. `keyring`, `port-busy`, `denied`.
    pub(crate) kind: &'static str,
    /// What happened and what to do, in words.
    pub(crate) message: String,
}

impl CommandError {
    pub(crate) fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl From<VaultError> for CommandError {
    fn from(err: VaultError) -> Self {
        let kind = match &err {
            VaultError::Keyring(_) => "keyring",
            VaultError::NotFound(_) => "not-found",
            VaultError::CorruptRecords { .. } => "corrupt-records",
            VaultError::Records { .. } | VaultError::NoConfigDir => "records",
        };
        Self::new(kind, err.to_string())
    }
}

impl From<ListenerError> for CommandError {
    fn from(err: ListenerError) -> Self {
        let kind = match &err {
            ListenerError::PortInUse { .. } => "port-busy",
            ListenerError::Bind { .. } => "listener",
            ListenerError::Callback(scim_token_core::CallbackError::Broker { code, .. })
                if code.as_str() == "access_denied" =>
            {
                "denied"
            }
            ListenerError::Callback(_) => "callback",
            ListenerError::Timeout(_) => "timeout",
            ListenerError::Cancelled => "cancelled",
        };
        Self::new(kind, err.to_string())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(err: tauri::Error) -> Self {
        Self::new("window", err.to_string())
    }
}
