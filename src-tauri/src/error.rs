//! Errors as they cross IPC: `{kind, message}`, where `kind` is core's closed [`ErrorKind`] and
//! the message ends with the desktop's next step (core's words, `ErrorKind::next_step`).

use scim_token_core::api::Shell;
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

impl From<ApiError> for CommandError {
    fn from(err: ApiError) -> Self {
        let kind = err.kind();
        let mut message = err.to_string();
        if let Some(next) = kind.next_step(Shell::Desktop) {
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
