//! [`Api`]'s use cases over the stored tokens (keyring + records file) and those kept in
//! memory only: list, pick, read, forget, Test Connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

use super::{Api, ApiError};
use crate::broker::BrokerId;
use crate::expiry::{Clock, SystemClock};
use crate::org_id::OrgId;
use crate::probe::{self, ProbeSuccess};
use crate::summary::TokenSummary;
use crate::token::{AccessToken, TokenKey, TokenRecord};
use crate::vault::{Stored, Vault, VaultError};

/// The known tokens, and why the stored ones could not be read, if they could not.
#[derive(Debug)]
pub struct Listing {
    /// Stored and in-memory records, soonest expiry first (only in-memory ones on a problem).
    pub records: Vec<TokenRecord>,
    /// The records file could not be read.
    pub problem: Option<ApiError>,
}

impl Api {
    /// The tokens in `vault`, on the system clock, with the proxy the admin chose beside the
    /// records (else the system's).
    pub fn new(vault: Vault) -> Self {
        let network = super::network::Network::kept(&vault);
        Self {
            vault,
            clock: Arc::new(SystemClock),
            unstored: Mutex::new(HashMap::new()),
            network: std::sync::RwLock::new(Arc::new(network)),
            graph_tokens: tokio::sync::Mutex::new(HashMap::new()),
            pushes: tokio::sync::Mutex::new(()),
        }
    }

    /// The user's tokens: the default vault.
    pub fn open_default() -> Result<Self, ApiError> {
        Ok(Self::new(Vault::open_default()?))
    }

    /// The same, with another clock (tests use a fixed one).
    pub fn with_clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The current time by this instance's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The vault behind these tokens.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    fn unstored(&self) -> MutexGuard<'_, HashMap<TokenKey, (TokenRecord, AccessToken)>> {
        self.unstored.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every known record, stored ones and those only in memory, soonest expiry first. A token
    /// kept in memory wins over a stored one for the same key: it is the newer, and the one
    /// [`Api::token`] hands out. An unreadable records file is an error.
    pub fn records(&self) -> Result<Vec<TokenRecord>, ApiError> {
        let listing = self.listing();
        match listing.problem {
            Some(problem) => Err(problem),
            None => Ok(listing.records),
        }
    }

    /// Every known token's summary now, soonest expiry first; an unreadable records file is an
    /// error.
    pub fn summaries(&self) -> Result<Vec<TokenSummary>, ApiError> {
        let now = self.now();
        Ok(self.records()?.iter().map(|r| TokenSummary::of(r, now)).collect())
    }

    /// What can be listed even when the records file cannot be read: the tokens kept in memory
    /// (which the user must still be able to copy), with the problem beside them.
    pub fn listing(&self) -> Listing {
        let in_memory: Vec<TokenRecord> = self.unstored().values().map(|(r, _)| r.clone()).collect();
        let (mut records, problem) = match self.vault.records() {
            Ok(stored) => (stored, None),
            Err(err) => (Vec::new(), Some(ApiError::from(err))),
        };
        records.retain(|stored| !in_memory.iter().any(|r| r.key() == stored.key()));
        records.extend(in_memory);
        records.sort_by_key(TokenRecord::effective_expires_at);
        Listing { records, problem }
    }

    /// The one record that matches `org` and `broker` (each, when given): with neither, the
    /// only record there is.
    /// A token kept in memory can be picked even when the records file is unreadable.
    pub fn pick(&self, org: Option<OrgId>, broker: Option<&BrokerId>) -> Result<TokenRecord, ApiError> {
        let listing = self.listing();
        let records = match listing.problem {
            Some(problem) if listing.records.is_empty() => return Err(problem),
            _ => listing.records,
        };
        let mut matching: Vec<TokenRecord> = records
            .into_iter()
            .filter(|r| org.is_none_or(|org| r.org_id == org) && broker.is_none_or(|b| r.broker == *b))
            .collect();
        match (matching.len(), org) {
            (1, _) => Ok(matching.remove(0)),
            (0, None) => Err(ApiError::NoTokens),
            (0, Some(org)) => Err(ApiError::Vault(VaultError::NotFound(TokenKey {
                broker: broker.cloned().unwrap_or(BrokerId::Webex),
                org,
            }))),
            _ => Err(ApiError::SeveralOrgs(
                matching
                    .iter()
                    .map(|r| (r.org_id, r.broker.to_string()))
                    .collect(),
            )),
        }
    }

    /// The token a record describes: from memory first, then the keyring.
    pub async fn token(&self, record: &TokenRecord) -> Result<AccessToken, ApiError> {
        if let Some((_, token)) = self.unstored().get(&record.key()) {
            return Ok(token.clone());
        }
        let vault = self.vault.clone();
        let record = record.clone();
        Ok(blocking(move || vault.token(&record)).await?)
    }

    /// Stores a token with its record; on failure the token is kept in memory and the error
    /// returned, so the caller can still hand it over.
    pub(super) async fn store(
        &self,
        token: &AccessToken,
        record: &TokenRecord,
    ) -> Result<Stored, VaultError> {
        let vault = self.vault.clone();
        let (owned_token, owned_record) = (token.clone(), record.clone());
        let stored = blocking(move || vault.store(&owned_token, &owned_record)).await;
        let mut unstored = self.unstored();
        match &stored {
            Ok(_) => {
                unstored.remove(&record.key());
            }
            Err(_) => {
                unstored.insert(record.key(), (record.clone(), token.clone()));
            }
        }
        stored
    }

    /// Removes an org's token from the keyring and memory, and its record.
    pub async fn forget(&self, record: &TokenRecord) -> Result<(), ApiError> {
        let key = record.key();
        let was_in_memory = self.unstored().remove(&key).is_some();
        let vault = self.vault.clone();
        match blocking(move || vault.forget(&key)).await {
            Ok(()) => Ok(()),
            // A token that only ever lived in memory is forgotten once it is dropped.
            Err(VaultError::Keyring(_)) if was_in_memory => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Runs Azure's Test Connection against the record's Tenant URL with its token.
    pub async fn test_connection(&self, record: &TokenRecord) -> Result<ProbeSuccess, ApiError> {
        let token = self.token(record).await?;
        Ok(probe::test_connection(&self.webex_http()?, &record.tenant_url(), &token).await?)
    }
}

/// A Graph access token, until when it may be used, and the sign-in it came from.
pub(crate) type CachedGraphToken = (oauth2::AccessToken, std::time::Instant, OffsetDateTime);

/// Runs a blocking call (the vault's, a file lock's) on tokio's blocking pool.
pub(super) async fn blocking<T: Send + 'static, E: Send + 'static>(
    call: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    match tokio::task::spawn_blocking(call).await {
        Ok(result) => result,
        Err(join) => std::panic::resume_unwind(join.into_panic()),
    }
}
