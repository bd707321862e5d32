//! Copying the Tenant URL or the Secret Token for Azure.

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{Api, ApiError};
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

/// Text on the clipboard. Keep it alive while the copy should be pasteable; then
/// [`Copied::clear_if_unchanged`].
#[derive(Debug)]
pub struct Copied {
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

    /// Waits `delay`, or until `early` resolves, then clears the clipboard if it still holds the
    /// copy.
    pub async fn clear_after(self, delay: Duration, early: impl Future<Output = ()>) -> ClearOutcome {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = early => {}
        }
        self.clear_if_unchanged().await
    }
}

/// The copy an app keeps on the clipboard, numbered: a newer copy replaces the older, whose
/// timed clear then does nothing; an app that exits clears what is left.
#[derive(Debug, Default)]
pub struct CopySlot {
    current: Mutex<Option<(u32, Copied)>>,
    next: AtomicU32,
}

impl CopySlot {
    /// Keeps `copied` as the current copy; returns its number.
    pub fn keep(&self, copied: Copied) -> u32 {
        let number = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        *self.current() = Some((number, copied));
        number
    }

    /// After `delay`, clears copy `number` if it is still the current one and the clipboard
    /// still holds it; `None` when a newer copy replaced it.
    pub async fn clear_after(&self, number: u32, delay: Duration) -> Option<ClearOutcome> {
        tokio::time::sleep(delay).await;
        let due = {
            let mut current = self.current();
            match current.take() {
                Some((n, copied)) if n == number => Some(copied),
                other => {
                    *current = other;
                    None
                }
            }
        };
        Some(due?.clear_if_unchanged().await)
    }

    /// Clears the current copy now, blocking: for an app on its way out.
    pub fn clear_now_blocking(&self) -> Option<ClearOutcome> {
        let (_, copied) = self.current().take()?;
        Some(copied.clear_if_unchanged_blocking())
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<(u32, Copied)>> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Api {
    /// Puts the record's Tenant URL or token on the clipboard, excluded from clipboard history,
    /// and confirms the clipboard holds it.
    pub async fn copy(&self, record: &TokenRecord, what: CopyWhat) -> Result<Copied, ApiError> {
        let text = match what {
            CopyWhat::Url => Zeroizing::new(record.tenant_url().to_string()),
            CopyWhat::Token => Zeroizing::new(self.token(record).await?.expose_secret().to_owned()),
        };
        put_on_clipboard(text).await
    }

    /// Puts a sign-in link on the clipboard, to open in a browser of the user's choice (a
    /// private window keeps the redirect, token included, out of its history).
    pub async fn copy_sign_in_link(&self, url: &url::Url) -> Result<Copied, ApiError> {
        put_on_clipboard(Zeroizing::new(url.to_string())).await
    }
}

async fn put_on_clipboard(text: Zeroizing<String>) -> Result<Copied, ApiError> {
    // The clipboard is a round trip to the display server: off the async workers.
    let copy = tokio::task::spawn_blocking(move || ClipboardCopy::put(text))
        .await
        .map_err(|e| {
            ApiError::Clipboard(ClipboardError::Write(format!("the clipboard task failed: {e}")))
        })??;
    Ok(Copied { copy })
}
