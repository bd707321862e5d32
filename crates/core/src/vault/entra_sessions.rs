//! Entra sign-ins kept for later: the refresh token in the OS keyring (one entry per cloud,
//! tenant and client), the non-secret record beside the token records in `entra.json`; and the
//! org records' links to provisioning jobs.

use oauth2::RefreshToken;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::records::{RecordsFile, Unreadable};
use super::{Vault, VaultError};
use crate::entra::{EntraLink, EntraTarget};
use crate::token::TokenKey;

/// A kept Entra sign-in (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraSessionRecord {
    /// Where and as which client.
    pub target: EntraTarget,
    /// When the admin signed in interactively.
    #[serde(with = "time::serde::rfc3339")]
    pub signed_in_at: OffsetDateTime,
    /// A fingerprint of the refresh token in the keyring, to notice a foreign one.
    pub fingerprint: String,
}

/// `sha256:` and the first 8 hex digits, as for Webex tokens.
fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The keyring account of a sign-in: `entra:<cloud>:<tenant>:<client>`.
pub fn entra_keyring_account(target: &EntraTarget) -> String {
    format!("entra:{}:{}:{}", target.cloud, target.tenant, target.client_id)
}

impl Vault {
    fn entra_file(&self) -> RecordsFile<EntraSessionRecord> {
        RecordsFile::new(self.records_path().with_file_name("entra.json"))
    }

    /// Keeps (or replaces) the refresh token of a sign-in to `target`.
    pub fn store_entra_session(
        &self,
        target: &EntraTarget,
        refresh: &RefreshToken,
        signed_in_at: OffsetDateTime,
    ) -> Result<(), VaultError> {
        self.write_raw(&entra_keyring_account(target), refresh.secret())?;
        let record = EntraSessionRecord {
            target: target.clone(),
            signed_in_at,
            fingerprint: fingerprint(refresh.secret()),
        };
        self.entra_file()
            .update(Unreadable::SetAside, |records| {
                records.retain(|r| r.target != *target);
                records.push(record);
            })
            .map(|_| ())
    }

    /// Replaces a kept refresh token with its rotated successor.
    pub fn rotate_entra_refresh_token(
        &self,
        target: &EntraTarget,
        refresh: &RefreshToken,
    ) -> Result<(), VaultError> {
        self.write_raw(&entra_keyring_account(target), refresh.secret())?;
        self.entra_file()
            .update(Unreadable::Refuse, |records| {
                for record in records.iter_mut().filter(|r| r.target == *target) {
                    record.fingerprint = fingerprint(refresh.secret());
                }
            })
            .map(|_| ())
    }

    /// The kept Entra sign-ins, most recent first.
    pub fn entra_sessions(&self) -> Result<Vec<EntraSessionRecord>, VaultError> {
        let mut records = self.entra_file().load()?;
        records.sort_by_key(|r| std::cmp::Reverse(r.signed_in_at));
        Ok(records)
    }

    /// The refresh token of a kept sign-in; `None` when the keyring has none.
    pub fn entra_refresh_token(&self, target: &EntraTarget) -> Result<Option<RefreshToken>, VaultError> {
        Ok(self
            .read_raw(&entra_keyring_account(target))?
            .map(|secret| RefreshToken::new(secret.to_string())))
    }

    /// Forgets a sign-in: its keyring entry and its record.
    pub fn forget_entra_session(&self, target: &EntraTarget) -> Result<(), VaultError> {
        match self.keyring(&entra_keyring_account(target), keyring::Entry::delete_credential)? {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(VaultError::Keyring(e.into())),
        }
        self.entra_file()
            .update(Unreadable::Refuse, |records| {
                records.retain(|r| r.target != *target)
            })
            .map(|_| ())
    }

    /// Changes an org's Entra links. Fails with [`VaultError::NotFound`] when no record exists.
    pub fn change_entra_links(
        &self,
        key: &TokenKey,
        change: impl FnOnce(&mut Vec<EntraLink>),
    ) -> Result<(), VaultError> {
        let mut found = false;
        self.records.update(Unreadable::Refuse, |records| {
            if let Some(record) = records.iter_mut().find(|r| r.key() == *key) {
                found = true;
                change(&mut record.entra_links);
            }
        })?;
        if found {
            Ok(())
        } else {
            Err(VaultError::NotFound(key.clone()))
        }
    }
}
