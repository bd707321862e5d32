//! Keeping tokens: the secret in the OS keyring (one entry per broker and org), the non-secret
//! [`TokenRecord`]s in a JSON file in the platform config directory.
//!
//! Keyring: macOS Keychain, Windows Credential Manager, the Secret Service on Linux (gnome-keyring,
//! KWallet), through `keyring` 4. The records file is written atomically (temp file + rename)
//! under an advisory lock; reading it never changes it.

mod entra_sessions;
mod keyring_error;
mod records;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use zeroize::Zeroizing;

use crate::broker::BrokerId;
use crate::org_id::OrgId;
use crate::token::{AccessToken, TokenKey, TokenRecord};

pub use entra_sessions::{EntraSessionRecord, entra_keyring_account};
pub use keyring_error::KeyringProblem;
use records::RecordsFile;

/// The keyring service name entries are stored under; the account is [`keyring_account`].
pub const KEYRING_SERVICE: &str = "scim-token";

/// Why a token could not be kept or read. Each message says what to do.
#[derive(Debug, Error)]
pub enum VaultError {
    /// The OS keyring cannot be used.
    #[error("{0}")]
    Keyring(KeyringProblem),
    /// No token is stored for this org at this broker.
    #[error("no token is stored for {0}")]
    NotFound(TokenKey),
    /// The keyring holds another token than the record describes: a write that outlived its
    /// timeout landed late, or another program changed the entry.
    #[error(
        "the keyring holds a different token for {key} than its record (fingerprint {expected}, found {found}); sign in again to store one that matches"
    )]
    Mismatch {
        /// Which token.
        key: Box<TokenKey>,
        /// The record's fingerprint.
        expected: String,
        /// The keyring entry's fingerprint.
        found: String,
    },
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
    /// Another program held the records' lock for the whole wait (a keyring prompt nobody
    /// answers, or a program that hangs).
    #[error("another scim-token program has been changing the records in {} for over {} s ({holder}); nothing was changed. Answer its keyring prompt or close it, then try again", .path.display(), .waited.as_secs())]
    RecordsBusy {
        /// The records file.
        path: PathBuf,
        /// Who holds the lock, in words.
        holder: String,
        /// How long this program waited.
        waited: Duration,
    },
    /// The records file is not valid. Nothing was changed; the next sign-in keeps it aside and
    /// starts a new one.
    #[error("the token records file {} is unreadable ({reason}); nothing was changed and the tokens in the keyring are untouched. Signing in again keeps this file aside and starts a new one", .path.display())]
    CorruptRecords {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The records file was written by a newer scim-token; this one must not touch it.
    #[error("the token records file {} was written by a newer version of scim-token (format {found}, this one reads {supported}); update scim-token. The file was not changed", .path.display())]
    NewerRecords {
        /// The file.
        path: PathBuf,
        /// Its format version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The platform has no config directory (no home directory).
    #[error("no configuration directory: set HOME (or XDG_CONFIG_HOME, or SCIM_TOKEN_CONFIG_DIR)")]
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
    /// The user's vault: keyring service `scim-token`, records in [`records_dir`].
    pub fn open_default() -> Result<Self, VaultError> {
        Ok(Self::new(KEYRING_SERVICE, &records_dir()?))
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

    /// Whether the keyring answers (a read of an entry nobody writes, bounded like every call).
    pub fn keyring_reachable(&self) -> Result<(), VaultError> {
        self.read_raw("scim-token-doctor-probe").map(|_| ())
    }

    /// Where the records live.
    pub fn records_path(&self) -> &Path {
        self.records.path()
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, account).map_err(|e| VaultError::Keyring(KeyringProblem::from(e)))
    }

    /// Runs a keyring call on `account` with [`Self::keyring_once`]; if the connection turns out
    /// stale (the Secret Service restarted since it was opened), reconnects and tries once more.
    fn keyring<T: Send + 'static>(
        &self,
        account: &str,
        call: impl Fn(&keyring::Entry) -> keyring::Result<T> + Send + Sync + 'static,
    ) -> Result<keyring::Result<T>, VaultError> {
        let call = Arc::new(call);
        match self.keyring_once(account, call.clone())? {
            Err(e) if is_stale_connection(&e) => {
                reconnect_keyring();
                self.keyring_once(account, call)
            }
            other => Ok(other),
        }
    }

    /// Runs one keyring call on a thread of its own and gives up after the timeout (the thread
    /// stays blocked until the keyring answers; nothing it returns late is used).
    fn keyring_once<T: Send + 'static>(
        &self,
        account: &str,
        call: Arc<impl Fn(&keyring::Entry) -> keyring::Result<T> + Send + Sync + 'static>,
    ) -> Result<keyring::Result<T>, VaultError> {
        let entry = self.entry(account)?;
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

    /// The secret in an entry, `None` when there is none.
    fn read_secret(&self, account: &str) -> Result<Option<AccessToken>, VaultError> {
        Ok(self
            .read_raw(account)?
            .map(|secret| AccessToken::new(secret.to_string())))
    }

    /// The text in an entry, `None` when there is none.
    fn read_raw(&self, account: &str) -> Result<Option<Zeroizing<String>>, VaultError> {
        match self.keyring(account, keyring::Entry::get_password)? {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(VaultError::Keyring(e.into())),
        }
    }

    /// Writes a secret. A write that outlives the timeout may still land later, so its outcome
    /// is unknown: it is read back, and only a read-back of this very token counts as written.
    fn write_secret(&self, account: &str, token: &AccessToken) -> Result<(), VaultError> {
        self.write_raw(account, token.expose_secret())
    }

    /// [`Self::write_secret`] for any secret text.
    fn write_raw(&self, account: &str, secret: &str) -> Result<(), VaultError> {
        let owned = Zeroizing::new(secret.to_owned());
        match self.keyring(account, move |entry| entry.set_password(&owned)) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(VaultError::Keyring(e.into())),
            Err(timed_out @ VaultError::Keyring(KeyringProblem::Unresponsive(_))) => {
                match self.read_raw(account) {
                    Ok(Some(found)) if found.as_str() == secret => Ok(()),
                    _ => Err(timed_out),
                }
            }
            Err(other) => Err(other),
        }
    }

    /// Stores `token` with its record, replacing any earlier token for the same broker and org.
    /// The earlier token and record stay in place until the new ones are both written.
    ///
    /// Signing in is the user's act of starting over: an unreadable records file is kept aside
    /// (never overwritten) and a new one started. A file from a newer scim-token is never
    /// touched.
    pub fn store(&self, token: &AccessToken, record: &TokenRecord) -> Result<Stored, VaultError> {
        let key = record.key();
        let account = keyring_account(&key);
        // A file this build must not write fails the store before the keyring is touched.
        match self.records.load() {
            Ok(records) => self.move_legacy_entries_off(&account, &records)?,
            Err(VaultError::CorruptRecords { .. }) => {}
            Err(err) => return Err(err),
        }
        let previous = self.read_secret(&account)?;
        self.write_secret(&account, token)?;
        let written = self.records.update(records::Unreadable::SetAside, |records| {
            let mut record = record.clone();
            // A renewal keeps the org's Entra links.
            if let Some(old) = records.iter().find(|r| r.key() == key)
                && record.entra_links.is_empty()
            {
                record.entra_links = old.entra_links.clone();
            }
            records.retain(|r| r.key() != key);
            records.push(record);
        });
        match written {
            Ok(set_aside) => Ok(Stored { set_aside }),
            Err(err) => {
                // Put the keyring back as it was so token and record never disagree.
                let old = previous.map(|old| Zeroizing::new(old.expose_secret().to_owned()));
                let _ = self.keyring(&account, move |entry| match &old {
                    Some(old) => entry.set_password(old),
                    None => entry.delete_credential(),
                });
                Err(err)
            }
        }
    }

    /// The token a record describes, checked against the record's fingerprint.
    ///
    /// A token stored by an earlier version under the org alone (before entries were keyed by
    /// broker too) is moved to its new entry when its fingerprint matches the record.
    pub fn token(&self, record: &TokenRecord) -> Result<AccessToken, VaultError> {
        let key = record.key();
        let account = keyring_account(&key);
        let token = match self.read_secret(&account)? {
            Some(token) => token,
            None => self.migrate_legacy(record, &account)?,
        };
        if token.fingerprint() != record.fingerprint {
            return Err(VaultError::Mismatch {
                key: Box::new(key),
                expected: record.fingerprint.clone(),
                found: token.fingerprint(),
            });
        }
        Ok(token)
    }

    /// Before a Webex token takes the plain org account: a token another broker stored there in
    /// an earlier version moves to its own entry first, instead of being overwritten.
    /// Only "nothing to move" lets the store go on; a move that failed would let the new token
    /// overwrite the other one.
    fn move_legacy_entries_off(&self, account: &str, records: &[TokenRecord]) -> Result<(), VaultError> {
        for other in records
            .iter()
            .filter(|r| r.broker != BrokerId::Webex && legacy_account(r.org_id) == account)
        {
            match self.token(other) {
                Ok(_) | Err(VaultError::NotFound(_) | VaultError::Mismatch { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    fn migrate_legacy(&self, record: &TokenRecord, account: &str) -> Result<AccessToken, VaultError> {
        let key = record.key();
        let legacy = legacy_account(record.org_id);
        if legacy == account {
            return Err(VaultError::NotFound(key));
        }
        match self.read_secret(&legacy)? {
            Some(token) if token.fingerprint() == record.fingerprint => {
                self.write_secret(account, &token)?;
                if let Err(e) = self.keyring(&legacy, keyring::Entry::delete_credential) {
                    tracing::warn!("cannot remove the old keyring entry for {key}: {e}");
                }
                tracing::info!("moved the keyring entry for {key} to its broker-specific name");
                Ok(token)
            }
            _ => Err(VaultError::NotFound(key)),
        }
    }

    /// Every stored record, soonest expiry first. Reading never changes the file: an unreadable
    /// or newer one is reported on every read.
    pub fn records(&self) -> Result<Vec<TokenRecord>, VaultError> {
        let mut records = self.records.load()?;
        records.sort_by_key(TokenRecord::effective_expires_at);
        Ok(records)
    }

    /// Removes a token and its record. Forgetting what is not there is not an error; an unreadable
    /// records file is left as it is (and reported).
    pub fn forget(&self, key: &TokenKey) -> Result<(), VaultError> {
        match self.keyring(&keyring_account(key), keyring::Entry::delete_credential)? {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(VaultError::Keyring(e.into())),
        }
        self.records
            .update(records::Unreadable::Refuse, |records| {
                records.retain(|r| r.key() != *key)
            })
            .map(|_| ())
    }
}

/// Names a records directory of its own, overriding the platform's (a portable install, tests).
pub const CONFIG_DIR_VAR: &str = "SCIM_TOKEN_CONFIG_DIR";

/// Where the records live: `$SCIM_TOKEN_CONFIG_DIR` if set, else the platform config directory:
/// `$XDG_CONFIG_HOME/scim-token` on Linux, `%APPDATA%\scim-token\config` on Windows,
/// `~/Library/Application Support/scim-token` on macOS.
pub fn records_dir() -> Result<PathBuf, VaultError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_VAR).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "scim-token")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .ok_or(VaultError::NoConfigDir)
}

/// What [`Vault::store`] did besides storing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// An unreadable records file was kept aside here and a new one started.
    pub set_aside: Option<PathBuf>,
}

/// The keyring account (the Credential Manager's user name, the Secret Service's `username`
/// attribute) for a token: the org ID for Webex, as it always was, so existing entries stay
/// where they are; the org ID and the broker for the others.
pub fn keyring_account(key: &TokenKey) -> String {
    match &key.broker {
        BrokerId::Webex => key.org.to_string(),
        BrokerId::Government => format!("{}@gov", key.org),
        BrokerId::Sandbox { base } | BrokerId::Custom { base } => format!("{}@{base}", key.org),
    }
}

/// Where every token was kept before entries were keyed by broker too.
fn legacy_account(org: OrgId) -> String {
    org.to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(broker: BrokerId) -> TokenKey {
        TokenKey {
            broker,
            org: "1eb65fdf-9643-417f-9974-ad72cae0e10f".parse().unwrap(),
        }
    }

    /// The names entries have in the Credential Manager, Keychain and Secret Service: Webex's
    /// stay where every earlier version put them.
    #[test]
    fn keyring_accounts_per_broker() {
        assert_eq!(
            keyring_account(&key(BrokerId::Webex)),
            "1eb65fdf-9643-417f-9974-ad72cae0e10f"
        );
        assert_eq!(
            keyring_account(&key(BrokerId::Government)),
            "1eb65fdf-9643-417f-9974-ad72cae0e10f@gov"
        );
        assert_eq!(
            keyring_account(&key(BrokerId::sandbox_default())),
            "1eb65fdf-9643-417f-9974-ad72cae0e10f@http://127.0.0.1:8900/"
        );
        assert_eq!(
            legacy_account(key(BrokerId::Webex).org),
            keyring_account(&key(BrokerId::Webex))
        );
    }

    /// Where the records file is on this platform (run under Wine, the Windows answer).
    #[test]
    fn records_dir_is_the_platform_config_dir() {
        let dir = records_dir().unwrap();
        let text = dir.display().to_string();
        if std::env::var_os(CONFIG_DIR_VAR).is_some() {
            return assert_eq!(dir, PathBuf::from(std::env::var_os(CONFIG_DIR_VAR).unwrap()));
        }
        if cfg!(windows) {
            assert!(text.contains("AppData\\Roaming\\scim-token"), "{text}");
        } else if cfg!(target_os = "macos") {
            assert!(text.ends_with("Library/Application Support/scim-token"), "{text}");
        } else {
            assert!(text.ends_with("scim-token"), "{text}");
        }
    }
}
