//! Errors as they cross IPC: `{kind, message}`, where `kind` is core's closed [`ErrorKind`] and
//! the message ends with the desktop's own next step.

use scim_token_core::{ApiError, ErrorKind};
use serde::Serialize;

/// An error for the front end.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct CommandError {
    /// What went wrong, for the UI to branch on.
    pub(crate) kind: ErrorKind,
    /// What happened and what to do, in words.
    pub(crate) message: String,
}

impl CommandError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// The desktop's next step for an error of `kind`, naming its own buttons.
fn next_step(kind: ErrorKind) -> Option<&'static str> {
    match kind {
        ErrorKind::NotFound | ErrorKind::NoTokens => Some("Press Get a token to sign in."),
        ErrorKind::TokenRefused => Some("Press Renew to get a new token."),
        ErrorKind::Forbidden => Some("Press Renew and sign in as a full administrator of the org."),
        ErrorKind::CorruptRecords => Some("Sign in again with Get a token; the unreadable file is kept."),
        ErrorKind::EntraSignInNeeded => Some("Press Sign in to Entra."),
        ErrorKind::NotLinked => Some("Press Link to an Entra app."),
        ErrorKind::EntraNotFound => Some("Unlink it and link the app again."),
        ErrorKind::EntraThrottled => Some("Wait a minute and try again."),
        ErrorKind::EntraPolicy => Some("Press Use my browser to sign in there."),
        ErrorKind::EntraBrowserSignInNeeded => Some("Press Use my browser to sign in to Entra again there."),
        ErrorKind::Busy => Some("Let the other scim-token window or command finish, then try again."),
        _ => None,
    }
}

impl From<ApiError> for CommandError {
    fn from(err: ApiError) -> Self {
        let kind = err.kind();
        let mut message = err.to_string();
        if let Some(next) = next_step(kind) {
            message = format!("{message}. {next}");
        }
        Self::new(kind, message)
    }
}

impl From<tauri::Error> for CommandError {
    fn from(err: tauri::Error) -> Self {
        Self::new(ErrorKind::Window, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_names_the_apps_buttons_not_cli_commands() {
        let err = CommandError::from(ApiError::NoTokens);
        assert_eq!(err.kind, ErrorKind::NoTokens);
        assert!(err.message.contains("Get a token"), "{}", err.message);
        assert!(!err.message.contains("scim-token login"), "{}", err.message);
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "no-tokens");
    }
}
