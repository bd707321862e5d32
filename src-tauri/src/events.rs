//! The events the app sends its front end, typed so the generated TypeScript matches. (How a
//! sign-in ended is no event: the front end asks for it, `sign_in.rs`.)

use scim_token_core::clipboard::ClearOutcome;
use serde::{Deserialize, Serialize};

use crate::ipc::{AfterRenewalView, RenewFor, TokenView};

/// The push that follows a "Renew and push" ended.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub(crate) struct RenewalPushed {
    /// The token that was renewed.
    pub(crate) renewed: RenewFor,
    /// Its card as stored now, links included (for a first push's plan).
    pub(crate) card: Option<TokenView>,
    /// What the push did.
    pub(crate) outcome: AfterRenewalView,
}

/// The stored tokens changed; list them again.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub(crate) struct TokensChanged;

/// A copy was due to be cleared from the clipboard.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub(crate) struct ClipboardCleared {
    /// Which copy (as returned by `copy_to_clipboard`).
    pub(crate) copy: u32,
    /// What became of it.
    pub(crate) outcome: ClearOutcome,
    /// The same, in words.
    pub(crate) message: &'static str,
}

/// Someone launched the app again; the running one was brought forward.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub(crate) struct SecondInstance;
