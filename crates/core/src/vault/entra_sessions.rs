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
    /// How many keyring entries hold the refresh token (see [`CHUNK`]).
    #[serde(default = "one")]
    pub chunks: usize,
}

fn one() -> usize {
    1
}

/// The most characters of a refresh token one keyring entry holds. Windows' Credential Manager
/// takes at most 2560 bytes of UTF-16 (1280 characters) per entry, and Entra's refresh tokens
/// are opaque with no documented upper bound (often over a kilobyte): longer ones are split.
pub(super) const CHUNK: usize = 1000;
/// The most entries one refresh token may take (16 000 characters).
const MAX_CHUNKS: usize = 16;

/// The keyring account of chunk `i`: the account itself, then `<account>#<i>`.
fn chunk_account(account: &str, i: usize) -> String {
    if i == 0 {
        account.to_owned()
    } else {
        format!("{account}#{i}")
    }
}

/// `secret` in pieces of at most [`CHUNK`] characters.
fn split(secret: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = secret;
    while !rest.is_empty() {
        let end = rest.char_indices().nth(CHUNK).map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(end);
        pieces.push(piece);
        rest = tail;
    }
    if pieces.is_empty() {
        pieces.push("");
    }
    pieces
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

    /// Writes a refresh token in as many entries as it needs, removing pieces an earlier,
    /// longer one left behind. Returns how many entries it took.
    fn write_refresh(
        &self,
        account: &str,
        secret: &str,
        previous_chunks: usize,
    ) -> Result<usize, VaultError> {
        let pieces = split(secret);
        if pieces.len() > MAX_CHUNKS {
            return Err(VaultError::Keyring(super::KeyringProblem::Other(format!(
                "the Entra refresh token is longer than {} characters, more than scim-token keeps",
                CHUNK * MAX_CHUNKS
            ))));
        }
        for (i, piece) in pieces.iter().enumerate() {
            self.write_raw(&chunk_account(account, i), piece)?;
        }
        for i in pieces.len()..previous_chunks.max(pieces.len()) {
            let _ = self.keyring(&chunk_account(account, i), keyring::Entry::delete_credential);
        }
        Ok(pieces.len())
    }

    /// The kept record of a sign-in to `target`.
    fn entra_session(&self, target: &EntraTarget) -> Result<Option<EntraSessionRecord>, VaultError> {
        Ok(self
            .entra_file()
            .load()?
            .into_iter()
            .find(|r| r.target == *target))
    }

    /// Keeps (or replaces) the refresh token of a sign-in to `target`.
    pub fn store_entra_session(
        &self,
        target: &EntraTarget,
        refresh: &RefreshToken,
        signed_in_at: OffsetDateTime,
    ) -> Result<(), VaultError> {
        let previous = match self.entra_session(target) {
            Ok(record) => record.map_or(1, |r| r.chunks),
            Err(_) => 1,
        };
        let account = entra_keyring_account(target);
        let chunks = self.write_refresh(&account, refresh.secret(), previous)?;
        let record = EntraSessionRecord {
            target: target.clone(),
            signed_in_at,
            fingerprint: fingerprint(refresh.secret()),
            chunks,
        };
        let written = self.entra_file().update(Unreadable::SetAside, |records| {
            records.retain(|r| r.target != *target);
            records.push(record);
        });
        if let Err(err) = written {
            // No record, no token: a refresh token nothing describes would stay in the keyring.
            for i in 0..chunks {
                let _ = self.keyring(&chunk_account(&account, i), keyring::Entry::delete_credential);
            }
            return Err(err);
        }
        Ok(())
    }

    /// Replaces a kept refresh token with its rotated successor.
    pub fn rotate_entra_refresh_token(
        &self,
        target: &EntraTarget,
        refresh: &RefreshToken,
    ) -> Result<(), VaultError> {
        let previous = self.entra_session(target)?.map_or(1, |r| r.chunks);
        let chunks = self.write_refresh(&entra_keyring_account(target), refresh.secret(), previous)?;
        self.entra_file()
            .update(Unreadable::Refuse, |records| {
                for record in records.iter_mut().filter(|r| r.target == *target) {
                    record.fingerprint = fingerprint(refresh.secret());
                    record.chunks = chunks;
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

    /// The refresh token of a kept sign-in; `None` when there is no such sign-in, a piece is
    /// missing, or the keyring holds another token than the record describes (a new sign-in is
    /// the way out of each).
    pub fn entra_refresh_token(&self, target: &EntraTarget) -> Result<Option<RefreshToken>, VaultError> {
        let Some(record) = self.entra_session(target)? else {
            return Ok(None);
        };
        let account = entra_keyring_account(target);
        let mut secret = zeroize::Zeroizing::new(String::new());
        for i in 0..record.chunks.max(1) {
            match self.read_raw(&chunk_account(&account, i))? {
                Some(piece) => secret.push_str(&piece),
                None => {
                    tracing::warn!("piece {i} of the Entra refresh token for {account} is missing");
                    return Ok(None);
                }
            }
        }
        if fingerprint(&secret) != record.fingerprint {
            tracing::warn!("the keyring holds another Entra refresh token than its record for {account}");
            return Ok(None);
        }
        Ok(Some(RefreshToken::new(secret.to_string())))
    }

    /// Forgets a sign-in: its keyring entries and its record.
    pub fn forget_entra_session(&self, target: &EntraTarget) -> Result<(), VaultError> {
        let chunks = self.entra_session(target).ok().flatten().map_or(1, |r| r.chunks);
        let account = entra_keyring_account(target);
        for i in 0..chunks.max(1) {
            match self.keyring(&chunk_account(&account, i), keyring::Entry::delete_credential)? {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(VaultError::Keyring(e.into())),
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tokens_are_split_under_the_windows_limit() {
        let long = "x".repeat(4321);
        let pieces = split(&long);
        assert_eq!(pieces.len(), 5);
        assert!(pieces.iter().all(|p| p.chars().count() <= CHUNK));
        // Windows: 2560 bytes of UTF-16 per entry.
        assert!(pieces.iter().all(|p| p.encode_utf16().count() * 2 <= 2560));
        assert_eq!(pieces.concat(), long);
        assert_eq!(split("short"), vec!["short"]);
        assert_eq!(chunk_account("entra:a", 0), "entra:a");
        assert_eq!(chunk_account("entra:a", 2), "entra:a#2");
    }
}
