//! What the app keeps while it runs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use scim_token_core::Tokens;
use scim_token_core::api::{Copied, LinkHealth, NeedsOrg};

use crate::error::CommandError;
use crate::events::LoginId;
use crate::sandbox::RunningSandbox;

/// The sign-in in progress.
pub(crate) struct ActiveLogin {
    pub(crate) id: LoginId,
    /// Ends it (cancel button, a newer sign-in).
    pub(crate) cancel: tokio::sync::oneshot::Sender<()>,
    /// Its task; finished once its window and listener are gone.
    pub(crate) task: tauri::async_runtime::JoinHandle<()>,
}

impl ActiveLogin {
    /// Runs a sign-in's task, made by `run` from the receiver that cancels it, as the sign-in in
    /// progress.
    pub(crate) fn spawn<F>(id: LoginId, run: impl FnOnce(tokio::sync::oneshot::Receiver<()>) -> F) -> Self
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (cancel, cancelled) = tokio::sync::oneshot::channel();
        Self {
            id,
            cancel,
            task: tauri::async_runtime::spawn(run(cancelled)),
        }
    }
}

/// Shared by every command.
pub(crate) struct Shared {
    pub(crate) tokens: Tokens,
    pub(crate) sandbox: Mutex<Option<RunningSandbox>>,
    pub(crate) login: tokio::sync::Mutex<Option<ActiveLogin>>,
    /// The Entra sign-in in progress.
    pub(crate) entra_login: tokio::sync::Mutex<Option<ActiveLogin>>,
    /// Captured tokens waiting for the user to name their org, by sign-in (a late result of an
    /// older sign-in never replaces a newer one's).
    pub(crate) unfiled: Mutex<HashMap<LoginId, Box<NeedsOrg>>>,
    /// The field on the clipboard now, with its number.
    pub(crate) copy: Mutex<Option<(u32, Copied)>>,
    next_id: AtomicU32,
    /// Every linked Entra job's health, as last read (for the tray).
    pub(crate) job_health: Mutex<Vec<LinkHealth>>,
    /// How long a copied value stays on the clipboard.
    pub(crate) clear_clipboard_after: Duration,
}

impl Shared {
    pub(crate) fn open(clear_clipboard_after: Duration) -> Result<Self, CommandError> {
        Ok(Self {
            tokens: Tokens::open_default()?,
            sandbox: Mutex::new(None),
            login: tokio::sync::Mutex::new(None),
            entra_login: tokio::sync::Mutex::new(None),
            unfiled: Mutex::new(HashMap::new()),
            copy: Mutex::new(None),
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
