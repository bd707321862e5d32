//! What the app keeps while it runs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use scim_token_core::vault::Vault;
use scim_token_core::{AccessToken, OrgId, TokenRecord};

use crate::error::CommandError;
use crate::sandbox::RunningSandbox;

/// Shared by every command.
pub(crate) struct Shared {
    pub(crate) vault: Vault,
    pub(crate) sandbox: Mutex<Option<RunningSandbox>>,
    /// Cancels the login in progress.
    pub(crate) login: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    /// Tokens captured while the keyring was unavailable: kept in memory only, so they can still
    /// be copied into Azure.
    pub(crate) unstored: Mutex<HashMap<OrgId, (TokenRecord, AccessToken)>>,
    /// How long a copied value stays on the clipboard.
    pub(crate) clear_clipboard_after: Duration,
}

impl Shared {
    pub(crate) fn open() -> Result<Self, CommandError> {
        Ok(Self {
            vault: Vault::open_default()?,
            sandbox: Mutex::new(None),
            login: Mutex::new(None),
            unstored: Mutex::new(HashMap::new()),
            clear_clipboard_after: Duration::from_secs(45),
        })
    }

    /// Every known record: stored ones and those only in memory.
    pub(crate) fn records(&self) -> Result<Vec<TokenRecord>, CommandError> {
        let mut records = self.vault.records()?;
        let unstored = lock(&self.unstored);
        let missing: Vec<TokenRecord> = unstored
            .values()
            .map(|(r, _)| r.clone())
            .filter(|r| !records_has(&records, r))
            .collect();
        records.extend(missing);
        Ok(records)
    }

    /// The token for an org, from memory first, then the keyring.
    pub(crate) fn token(&self, org: OrgId) -> Result<(TokenRecord, AccessToken), CommandError> {
        if let Some(found) = lock(&self.unstored).get(&org) {
            return Ok(found.clone());
        }
        Ok((self.vault.record(org)?, self.vault.token(org)?))
    }
}

fn records_has(records: &[TokenRecord], record: &TokenRecord) -> bool {
    records.iter().any(|r| r.org_id == record.org_id)
}

/// Locks a mutex, recovering from a panic elsewhere.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
