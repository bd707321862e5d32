//! What the app keeps while it runs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use scim_token_core::Api;
use scim_token_core::TokenKey;
use scim_token_core::api::{CopySlot, LinkHealth, NeedsOrg};

use crate::error::CommandError;
use crate::events::LoginId;
use crate::sandbox::SandboxState;
use crate::sign_in_window::ActiveLogin;

/// A captured token waiting for its org ID, and the token a "Renew and push" meant to renew.
pub(crate) struct Unfiled {
    pub(crate) needs: Box<NeedsOrg>,
    pub(crate) renew_for: Option<TokenKey>,
}

/// Shared by every command.
pub(crate) struct Shared {
    pub(crate) api: Api,
    pub(crate) sandbox: Mutex<SandboxState>,
    /// Woken whenever `sandbox` changes (a command waits while it is starting).
    pub(crate) sandbox_settled: tokio::sync::Notify,
    pub(crate) login: tokio::sync::Mutex<Option<ActiveLogin>>,
    /// The Entra sign-in in progress.
    pub(crate) entra_login: tokio::sync::Mutex<Option<ActiveLogin>>,
    /// Captured tokens waiting for the user to name their org, by sign-in (a late result of an
    /// older sign-in never replaces a newer one's), and whether to push once filed.
    pub(crate) unfiled: Mutex<HashMap<LoginId, Unfiled>>,
    /// The field on the clipboard now.
    pub(crate) copies: CopySlot,
    next_id: AtomicU32,
    /// Every linked Entra job's health, as last read (for the tray).
    pub(crate) job_health: Mutex<Vec<LinkHealth>>,
    /// How long a copied value stays on the clipboard.
    pub(crate) clear_clipboard_after: Duration,
}

impl Shared {
    pub(crate) fn open(clear_clipboard_after: Duration) -> Result<Self, CommandError> {
        Ok(Self {
            api: Api::open_default()?,
            sandbox: Mutex::new(SandboxState::Off),
            sandbox_settled: tokio::sync::Notify::new(),
            login: tokio::sync::Mutex::new(None),
            entra_login: tokio::sync::Mutex::new(None),
            unfiled: Mutex::new(HashMap::new()),
            copies: CopySlot::default(),
            next_id: AtomicU32::new(1),
            job_health: Mutex::new(Vec::new()),
            clear_clipboard_after,
        })
    }

    /// A fresh number for a sign-in or a copy.
    pub(crate) fn next_id(&self) -> u32 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// Locks a mutex, recovering from a panic elsewhere.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
