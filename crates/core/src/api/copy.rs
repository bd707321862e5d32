//! Copying the Tenant URL or the Secret Token for Azure.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{ApiError, Tokens};
use crate::clipboard::{ClearOutcome, ClipboardCopy, ClipboardError};
use crate::token::TokenRecord;

/// Which of Azure's two fields to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum CopyWhat {
    /// The Tenant URL.
    Url,
    /// The Secret Token.
    Token,
}

impl CopyWhat {
    /// Azure's name for the field.
    pub fn label(self) -> &'static str {
        match self {
            Self::Url => "Tenant URL",
            Self::Token => "Secret Token",
        }
    }
}

/// A field on the clipboard. Keep it alive while the copy should be pasteable; then
/// [`Copied::clear_if_unchanged`].
#[derive(Debug)]
pub struct Copied {
    /// What was copied.
    pub what: CopyWhat,
    /// For which org.
    pub record: TokenRecord,
    copy: ClipboardCopy,
}

impl Copied {
    /// Clears the clipboard if it still holds the copy; something copied since is left alone.
    pub async fn clear_if_unchanged(self) -> ClearOutcome {
        let copy = self.copy;
        tokio::task::spawn_blocking(move || copy.clear_if_unchanged())
            .await
            .unwrap_or(ClearOutcome::Failed)
    }
}

impl Copied {
    /// The same, blocking the caller: for an app that is exiting and has no runtime left to
    /// wait on.
    pub fn clear_if_unchanged_blocking(self) -> ClearOutcome {
        self.copy.clear_if_unchanged()
    }
}

impl Tokens {
    /// Puts the record's Tenant URL or token on the clipboard, excluded from clipboard history,
    /// and confirms the clipboard holds it.
    pub async fn copy(&self, record: &TokenRecord, what: CopyWhat) -> Result<Copied, ApiError> {
        let text = match what {
            CopyWhat::Url => Zeroizing::new(record.tenant_url().to_string()),
            CopyWhat::Token => Zeroizing::new(self.token(record).await?.expose_secret().to_owned()),
        };
        // The clipboard is a round trip to the display server: off the async workers.
        let copy = tokio::task::spawn_blocking(move || ClipboardCopy::put(text))
            .await
            .map_err(|e| {
                ApiError::Clipboard(ClipboardError::Write(format!("the clipboard task failed: {e}")))
            })??;
        Ok(Copied {
            what,
            record: record.clone(),
            copy,
        })
    }
}
