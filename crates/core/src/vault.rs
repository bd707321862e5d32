//! Keeping tokens: the secret in the OS keyring (one entry per org), the non-secret
//! [`TokenRecord`]s in a JSON file in the platform config directory.
//!
//! Keyring: macOS Keychain, Windows Credential Manager, the Secret Service on Linux (gnome-keyring,
//! KWallet), through `keyring` 4. The records file is written atomically (temp file + rename); a
//! corrupt one is moved aside, never overwritten.

mod keyring_error;
mod records;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use zeroize::Zeroizing;

use crate::tenant::OrgId;
use crate::token::{AccessToken, TokenRecord};

pub use keyring_error::KeyringProblem;
use records::RecordsFile;

/// The keyring service name entries are stored under; the account is the org ID.
pub const KEYRING_SERVICE: &str = "scim-token";

/// Why a token could not be kept or read. Each message says what to do.
#[derive(Debug, Error)]
pub enum VaultError {
    /// The OS keyring cannot be used.
    #[error("{0}")]
    Keyring(KeyringProblem),
    /// No token is stored for this org.
    #[error("no token is stored for org {0}")]
    NotFound(OrgId),
    /// The records file could not be read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    Records {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The records file was not valid; it was moved aside and an empty one is used.
    #[error("the token records file {} was unreadable and was kept aside at {}; tokens in the keyring are untouched, sign in again to list them", .path.display(), .kept_at.display())]
    CorruptRecords {
        /// The file.
        path: PathBuf,
        /// Where it was moved.
        kept_at: PathBuf,
    },
    /// The platform has no config directory (no home directory).
    #[error("no configuration directory: set HOME (or XDG_CONFIG_HOME)")]
    NoConfigDir,
}

/// How long a keyring call may take before it is reported as unresponsive. Long enough to type a
/// password into an unlock prompt; a prompt that cannot appear must not hang the app for ever.
pub const DEFAULT_KEYRING_TIMEOUT: Duration = Duration::from_secs(60);

/// Tokens in the keyring, records beside them.
#[derive(Debug, Clone)]
pub struct Vault {
    service: String,
    records: RecordsFile,
    keyring_timeout: Duration,
}

impl Vault {
    /// The user's vault: keyring service `scim-token`, records in the platform config directory
    /// (`$XDG_CONFIG_HOME/scim-token/tokens.json` on Linux).
    pub fn open_default() -> Result<Self, VaultError> {
        let dirs = directories::ProjectDirs::from("", "", "scim-token").ok_or(VaultError::NoConfigDir)?;
        Ok(Self::new(KEYRING_SERVICE, dirs.config_dir()))
    }

    /// A vault with its own keyring service name and records directory.
    pub fn new(service: impl Into<String>, dir: &Path) -> Self {
        Self {
            service: service.into(),
            records: RecordsFile::new(dir.join("tokens.json")),
            keyring_timeout: DEFAULT_KEYRING_TIMEOUT,
        }
    }

    /// The same vault with another limit on each keyring call.
    pub fn with_keyring_timeout(mut self, timeout: Duration) -> Self {
        self.keyring_timeout = timeout;
        self
    }

    /// Where the records live.
    pub fn records_path(&self) -> &Path {
        self.records.path()
    }

    fn entry(&self, org: OrgId) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, &org.to_string())
            .map_err(|e| VaultError::Keyring(KeyringProblem::from(e)))
    }

    /// Runs a keyring call with [`Self::keyring_once`]; if the connection turns out stale (the
    /// Secret Service restarted since it was opened), reconnects and tries once more.
    fn keyring<T: Send + 'static>(
        &self,
        org: OrgId,
        call: impl Fn(&keyring::Entry) -> keyring::Result<T> + Send + Sync + 'static,
    ) -> Result<keyring::Result<T>, VaultError> {
        let call = Arc::new(call);
        match self.keyring_once(org, call.clone())? {
            Err(e) if is_stale_connection(&e) => {
                reconnect_keyring();
                self.keyring_once(org, call)
            }
            other => Ok(other),
        }
    }

    /// Runs one keyring call on a thread of its own and gives up after the timeout (the thread
    /// stays blocked until the keyring answers; nothing it returns late is used).
    fn keyring_once<T: Send + 'static>(
        &self,
        org: OrgId,
        call: Arc<impl Fn(&keyring::Entry) -> keyring::Result<T> + Send + Sync + 'static>,
    ) -> Result<keyring::Result<T>, VaultError> {
        let entry = self.entry(org)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                let _ = tx.send(call(&entry));
            })
            .map_err(|e| VaultError::Keyring(KeyringProblem::Other(e.to_string())))?;
        rx.recv_timeout(self.keyring_timeout).map_err(|_| {
            reconnect_keyring();
            VaultError::Keyring(KeyringProblem::Unresponsive(self.keyring_timeout))
        })
    }

    /// Stores `token` with its record, replacing any earlier token for the org. The earlier token
    /// and record stay in place until the new ones are both written.
    pub fn store(&self, token: &AccessToken, record: &TokenRecord) -> Result<(), VaultError> {
        let org = record.org_id;
        let previous = match self.keyring(org, keyring::Entry::get_password)? {
            Ok(secret) => Some(AccessToken::new(secret)),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => return Err(VaultError::Keyring(e.into())),
        };
        let secret = Zeroizing::new(token.expose_secret().to_owned());
        self.keyring(org, move |entry| entry.set_password(&secret))?
            .map_err(|e| VaultError::Keyring(e.into()))?;
        let written = self.records.update(|records| {
            records.retain(|r| r.org_id != record.org_id);
            records.push(record.clone());
        });
        if let Err(err) = written {
            // Put the keyring back as it was so token and record never disagree.
            let old = previous.map(|old| Zeroizing::new(old.expose_secret().to_owned()));
            let _ = self.keyring(org, move |entry| match &old {
                Some(old) => entry.set_password(old),
                None => entry.delete_credential(),
            });
            return Err(err);
        }
        Ok(())
    }

    /// The token for an org.
    pub fn token(&self, org: OrgId) -> Result<AccessToken, VaultError> {
        match self.keyring(org, keyring::Entry::get_password)? {
            Ok(secret) => Ok(AccessToken::new(secret)),
            Err(keyring::Error::NoEntry) => Err(VaultError::NotFound(org)),
            Err(e) => Err(VaultError::Keyring(e.into())),
        }
    }

    /// Every stored record, soonest expiry first.
    pub fn records(&self) -> Result<Vec<TokenRecord>, VaultError> {
        let mut records = self.records.load()?;
        records.sort_by_key(TokenRecord::effective_expires_at);
        Ok(records)
    }

    /// The record for one org.
    pub fn record(&self, org: OrgId) -> Result<TokenRecord, VaultError> {
        self.records()?
            .into_iter()
            .find(|r| r.org_id == org)
            .ok_or(VaultError::NotFound(org))
    }

    /// Removes an org's token and record. Forgetting what is not there is not an error.
    pub fn forget(&self, org: OrgId) -> Result<(), VaultError> {
        match self.keyring(org, keyring::Entry::delete_credential)? {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(VaultError::Keyring(e.into())),
        }
        self.records.update(|records| records.retain(|r| r.org_id != org))
    }
}

/// Whether an error means the connection, not the keyring, is at fault: the Secret Service
/// restarted (its sessions are gone) or dropped off the bus.
fn is_stale_connection(error: &keyring::Error) -> bool {
    let text = error.to_string();
    [
        "NoSession",
        "ServiceUnknown",
        "NoReply",
        "Disconnected",
        "UnknownObject",
    ]
    .iter()
    .any(|sign| text.contains(sign))
}

/// The Secret Service store serialises calls on one connection, and a call waiting on an unlock
/// prompt holds it for ever; later calls would queue behind it. A fresh store (a new connection)
/// lets the next call through once the keyring is unlocked.
#[cfg(all(unix, not(target_os = "macos")))]
fn reconnect_keyring() {
    match zbus_secret_service_keyring_store::Store::new() {
        Ok(store) => keyring_core::set_default_store(store),
        Err(e) => tracing::warn!("cannot reconnect to the Secret Service: {e}"),
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn reconnect_keyring() {}
