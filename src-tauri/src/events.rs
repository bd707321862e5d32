//! The events the app sends its front end, typed so the generated TypeScript matches.

use scim_token_core::clipboard::ClearOutcome;
use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use crate::ipc::{AfterRenewalView, TokenView};

/// Identifies one sign-in, so a late result of an earlier one is not taken for the current one.
pub(crate) type LoginId = u32;

/// How a sign-in ended.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub(crate) enum LoginFinished {
    /// The token is in the keyring.
    Stored {
        /// The sign-in.
        id: LoginId,
        /// The new token.
        summary: TokenView,
        /// The broker granted less than asked.
        warning: Option<String>,
        /// A "Renew and push": the push has started; its end arrives as `RenewalPushed`.
        pushing: bool,
    },
    /// The keyring failed: the token is in memory until the app quits.
    InMemoryOnly {
        /// The sign-in.
        id: LoginId,
        /// The new token.
        summary: TokenView,
        /// Why, and what to do now.
        warning: String,
    },
    /// The token carries no org ID: the app holds it until the user names the org.
    NeedsOrg {
        /// The sign-in.
        id: LoginId,
        /// Why the org could not be worked out.
        reason: String,
    },
    /// No token.
    Failed {
        /// The sign-in.
        id: LoginId,
        /// Why.
        error: CommandError,
    },
}

/// The push that follows a "Renew and push" ended.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub(crate) struct RenewalPushed {
    /// The token that was renewed.
    pub(crate) renewed: crate::commands::RenewFor,
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

/// How an Entra sign-in ended.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub(crate) enum EntraLoginFinished {
    /// Signed in; the refresh token is in the keyring.
    SignedIn {
        /// The sign-in.
        id: LoginId,
        /// Where.
        target: scim_token_core::entra::EntraTarget,
    },
    /// Not signed in.
    Failed {
        /// The sign-in.
        id: LoginId,
        /// Why.
        error: CommandError,
    },
}
