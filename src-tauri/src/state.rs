//! What the app keeps while it runs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scim_token_core::Api;
use scim_token_core::TokenKey;
use scim_token_core::api::{CopySlot, LinkHealth, NeedsOrg, PushReport};

use crate::error::CommandError;
use crate::sandbox::SandboxSlot;
use crate::sign_in::{EntraSignInOutcome, SignInId, SignInSlot, WebexSignInOutcome};

/// A captured token waiting for its org ID, and the token a "Renew and push" meant to renew.
pub(crate) struct Unfiled {
    pub(crate) needs: Box<NeedsOrg>,
    pub(crate) renew_for: Option<TokenKey>,
}

/// Shared by every command.
pub(crate) struct Shared {
    pub(crate) api: Api,
    /// The app's own sandbox (a child process), when it runs.
    pub(crate) sandbox: Arc<SandboxSlot>,
    /// The Webex sign-in in progress, or the last one's outcome.
    pub(crate) webex_sign_in: SignInSlot<WebexSignInOutcome>,
    /// The Entra sign-in in progress, or the last one's outcome.
    pub(crate) entra_sign_in: SignInSlot<EntraSignInOutcome>,
    /// Captured tokens waiting for the user to name their org, by sign-in (a late result of an
    /// older sign-in never replaces a newer one's), and whether to push once filed.
    pub(crate) unfiled: Mutex<HashMap<SignInId, Unfiled>>,
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
            sandbox: Arc::default(),
            webex_sign_in: SignInSlot::default(),
            entra_sign_in: SignInSlot::default(),
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

    /// A job a push just put right no longer needs attention in the tray.
    pub(crate) fn forget_healed_jobs(&self, reports: &[PushReport]) {
        lock(&self.job_health).retain(|health| {
            !reports.iter().any(|r| {
                r.link.app_id == health.link.app_id
                    && r.link.job_id == health.link.job_id
                    && r.status.as_ref().is_some_and(|s| !s.unhealthy())
            })
        });
    }
}

/// Locks a mutex, recovering from a panic elsewhere.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
