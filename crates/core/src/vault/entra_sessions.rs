//! Entra sign-ins kept for later: the refresh token in the OS keyring, the non-secret record
//! beside the token records in `entra.json`; and the org records' links to provisioning jobs.
//!
//! Entra rotates the refresh token on every use, and the app, the background watch and CLI
//! commands may each refresh at once (Entra keeps an old refresh token valid after rotation, so
//! each gets a working one). A rotated token is written under a new keyring entry (a
//! *generation*), announced in the record as pending first, so that a crash at any point leaves
//! nothing the record does not name; the record switches to it under the records lock only if
//! it still describes the token that was redeemed, and only then is the old entry deleted. A
//! sign-out under the lock removes the record and every entry it names, so a refresh that
//! finishes later finds no record and deletes its own entry.

use oauth2::RefreshToken;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::records::{RecordsFile, Unreadable};
use super::{Vault, VaultError};
use crate::entra::{EntraIdentity, EntraLink, EntraTarget};
use crate::token::TokenKey;

/// A kept Entra sign-in (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraSessionRecord {
    /// Where and as which client.
    pub target: EntraTarget,
    /// When the admin signed in interactively.
    #[serde(with = "time::serde::rfc3339")]
    pub signed_in_at: OffsetDateTime,
    /// Who signed in, and to which tenant (from the sign-in's `id_token`; `None` for sign-ins
    /// kept by an older scim-token).
    #[serde(default)]
    pub identity: Option<EntraIdentity>,
    /// A fingerprint of the refresh token in the keyring, to notice a foreign one.
    pub fingerprint: String,
    /// How many keyring entries hold the refresh token (see [`CHUNK`]).
    #[serde(default = "one")]
    pub chunks: usize,
    /// The keyring generation holding it (empty: the account itself).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub generation: String,
    /// Generations being written by a refresh that has not switched yet (or crashed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
}

impl EntraSessionRecord {
    /// The tenant ID this sign-in belongs to, when known.
    pub fn tenant_id(&self) -> Option<&crate::entra::TenantId> {
        self.identity.as_ref()?.tenant_id.as_ref()
    }

    /// Who signed in, in words, when known.
    pub fn account(&self) -> Option<String> {
        self.identity.as_ref()?.account()
    }
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

/// The keyring account of a generation: the base account, or `<account>~<generation>`.
fn generation_account(base: &str, generation: &str) -> String {
    if generation.is_empty() {
        base.to_owned()
    } else {
        format!("{base}~{generation}")
    }
}

/// A fresh generation name (64 random bits, hex).
fn new_generation() -> String {
    let bytes: [u8; 8] = rand_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rand_bytes() -> [u8; 8] {
    // Unique enough to never collide with a live generation of the same sign-in: time, process
    // and a counter through SHA-256 (no extra dependency for 8 bytes).
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = format!(
        "{}:{}:{}",
        OffsetDateTime::now_utc().unix_timestamp_nanos(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let digest = Sha256::digest(seed.as_bytes());
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// The record of a sign-in to `target` among `records`.
fn find(records: Vec<EntraSessionRecord>, target: &EntraTarget) -> Option<EntraSessionRecord> {
    records.into_iter().find(|r| r.target == *target)
}

/// Drops `gone` from the pending generations of the sign-in to `target`.
fn withdraw(records: &mut [EntraSessionRecord], target: &EntraTarget, gone: &[String]) {
    for record in records.iter_mut().filter(|r| r.target == *target) {
        record.pending.retain(|g| !gone.contains(g));
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
            if let Err(e) = self.write_raw(&chunk_account(account, i), piece) {
                self.delete_chunks(account, i);
                return Err(e);
            }
        }
        for i in pieces.len()..previous_chunks.max(pieces.len()) {
            let _ = self.keyring(&chunk_account(account, i), keyring::Entry::delete_credential);
        }
        Ok(pieces.len())
    }

    /// Deletes the first `chunks` entries of `account` (all [`MAX_CHUNKS`] when unknown),
    /// ignoring entries that are not there.
    fn delete_chunks(&self, account: &str, chunks: usize) {
        for i in 0..chunks {
            let _ = self.keyring(&chunk_account(account, i), keyring::Entry::delete_credential);
        }
    }

    /// Deletes a generation's entries: `chunks` of them, or every possible one when unknown.
    fn delete_generation(&self, target: &EntraTarget, generation: &str, chunks: Option<usize>) {
        let account = generation_account(&entra_keyring_account(target), generation);
        self.delete_chunks(&account, chunks.unwrap_or(MAX_CHUNKS).max(1));
    }

    /// The kept record of a sign-in to `target`.
    fn entra_session(&self, target: &EntraTarget) -> Result<Option<EntraSessionRecord>, VaultError> {
        Ok(find(self.entra_file().load()?, target))
    }

    /// Keeps (or replaces) the sign-in to `target`: its refresh token under a new generation,
    /// and who signed in. The replaced sign-in's entries stay named (as pending) until deleted.
    pub fn store_entra_session(
        &self,
        target: &EntraTarget,
        refresh: &RefreshToken,
        identity: Option<EntraIdentity>,
        signed_in_at: OffsetDateTime,
    ) -> Result<(), VaultError> {
        self.store_entra_session_pausing(target, refresh, identity, signed_in_at, || {})
    }

    /// [`Self::store_entra_session`], calling `midway` after the new entry is written and before
    /// the record switches to it. The new generation is named in the records before anything
    /// is written to the keyring (as pending of the sign-in it replaces, or as a new record of
    /// its own), so a crash at any point leaves every entry where a sign-out finds it.
    #[doc(hidden)]
    pub fn store_entra_session_pausing(
        &self,
        target: &EntraTarget,
        refresh: &RefreshToken,
        identity: Option<EntraIdentity>,
        signed_in_at: OffsetDateTime,
        midway: impl FnOnce(),
    ) -> Result<(), VaultError> {
        let file = self.entra_file();
        let locked = file.locked()?;
        let generation = new_generation();
        let account = generation_account(&entra_keyring_account(target), &generation);
        let mut record = EntraSessionRecord {
            target: target.clone(),
            signed_in_at,
            identity,
            fingerprint: fingerprint(refresh.secret()),
            chunks: split(refresh.secret()).len(),
            generation: generation.clone(),
            pending: Vec::new(),
        };
        // Named first: pending of the sign-in this replaces, or the new record itself.
        let mut fresh = false;
        locked.update(Unreadable::SetAside, |records| {
            match records.iter_mut().find(|r| r.target == *target) {
                Some(old) => old.pending.push(generation.clone()),
                None => {
                    fresh = true;
                    records.push(record.clone());
                }
            }
        })?;
        let chunks = match self.write_refresh(&account, refresh.secret(), 0) {
            Ok(chunks) => chunks,
            Err(e) => {
                let _ = locked.update(Unreadable::Refuse, |records| {
                    if fresh {
                        records.retain(|r| !(r.target == *target && r.generation == generation));
                    } else {
                        withdraw(records, target, std::slice::from_ref(&generation));
                    }
                });
                return Err(e);
            }
        };
        midway();
        if fresh {
            return Ok(());
        }
        let mut replaced = None;
        let written = locked.update(Unreadable::Refuse, |records| {
            replaced = records
                .iter()
                .position(|r| r.target == *target)
                .map(|i| records.remove(i));
            if let Some(old) = &replaced {
                record.pending.push(old.generation.clone());
                record
                    .pending
                    .extend(old.pending.iter().filter(|g| **g != generation).cloned());
            }
            records.push(record);
        });
        if let Err(err) = written {
            // The old record still names the new entries (as pending): delete them now.
            self.delete_chunks(&account, chunks);
            return Err(err);
        }
        if let Some(old) = replaced {
            self.delete_generation(target, &old.generation, Some(old.chunks));
            let mut gone: Vec<String> = old.pending.into_iter().filter(|g| *g != generation).collect();
            for pending in &gone {
                self.delete_generation(target, pending, None);
            }
            gone.push(old.generation);
            let _ = locked.update(Unreadable::Refuse, |records| withdraw(records, target, &gone));
        }
        Ok(())
    }

    /// Keeps `rotated`, the successor of the refresh token `redeemed`, if the kept sign-in still
    /// holds `redeemed` (else another program rotated first, or the sign-in was forgotten, and
    /// `rotated` is dropped: Entra keeps the kept one valid). Nothing is lost on any failure:
    /// the record keeps naming a token that works.
    pub fn rotate_entra_refresh_token(
        &self,
        target: &EntraTarget,
        redeemed: &RefreshToken,
        rotated: &RefreshToken,
    ) -> Result<(), VaultError> {
        self.rotate_entra_refresh_token_pausing(target, redeemed, rotated, || {})
    }

    /// [`Self::rotate_entra_refresh_token`], calling `midway` after the new entry is written and
    /// before the record switches to it: where a fault test makes the records directory
    /// read-only.
    ///
    /// Every step runs under the records lock: no other program reads or writes this sign-in's
    /// entries meanwhile (the Secret Service of GNOME has been seen to abort when items are
    /// created, read and deleted by several programs at once). The new generation is named as
    /// pending before it is written, and the old one after the switch until it is deleted, so a
    /// crash at any point leaves every entry named where a sign-out finds it.
    #[doc(hidden)]
    pub fn rotate_entra_refresh_token_pausing(
        &self,
        target: &EntraTarget,
        redeemed: &RefreshToken,
        rotated: &RefreshToken,
        midway: impl FnOnce(),
    ) -> Result<(), VaultError> {
        let was = fingerprint(redeemed.secret());
        let file = self.entra_file();
        let locked = file.locked()?;
        if find(locked.load()?, target).is_none_or(|r| r.fingerprint != was) {
            return Ok(());
        }
        let generation = new_generation();
        locked.update(Unreadable::Refuse, |records| {
            for record in records.iter_mut().filter(|r| r.target == *target) {
                record.pending.push(generation.clone());
            }
        })?;
        let account = generation_account(&entra_keyring_account(target), &generation);
        let chunks = match self.write_refresh(&account, rotated.secret(), 0) {
            Ok(chunks) => chunks,
            Err(e) => {
                let written = [generation];
                let _ = locked.update(Unreadable::Refuse, |records| withdraw(records, target, &written));
                return Err(e);
            }
        };
        midway();
        let mut old = None;
        let switched = locked.update(Unreadable::Refuse, |records| {
            if let Some(record) = records.iter_mut().find(|r| r.target == *target) {
                record.pending.retain(|g| *g != generation);
                let previous = std::mem::replace(&mut record.generation, generation.clone());
                record.pending.push(previous.clone());
                old = Some((previous, std::mem::replace(&mut record.chunks, chunks)));
                record.fingerprint = fingerprint(rotated.secret());
            }
        });
        if let Err(e) = switched {
            // The record still names the old token, which still works, and this generation as
            // pending (its entries are deleted now).
            self.delete_chunks(&account, chunks);
            return Err(e);
        }
        if let Some((previous, previous_chunks)) = old {
            self.delete_generation(target, &previous, Some(previous_chunks));
            let gone = [previous];
            let _ = locked.update(Unreadable::Refuse, |records| withdraw(records, target, &gone));
        }
        Ok(())
    }

    /// The kept Entra sign-ins, most recent first.
    pub fn entra_sessions(&self) -> Result<Vec<EntraSessionRecord>, VaultError> {
        let mut records = self.entra_file().load()?;
        records.sort_by_key(|r| std::cmp::Reverse(r.signed_in_at));
        Ok(records)
    }

    /// The refresh token of a kept sign-in; `None` when there is no such sign-in, a piece is
    /// missing, or the keyring holds another token than the record describes (a new sign-in is
    /// the way out of each). Read under the records lock, so no rotation runs meanwhile; when
    /// the lock cannot be taken (a read-only directory), read without it.
    pub fn entra_refresh_token(&self, target: &EntraTarget) -> Result<Option<RefreshToken>, VaultError> {
        let file = self.entra_file();
        let _locked = match file.locked() {
            Ok(locked) => Some(locked),
            Err(e) => {
                tracing::debug!("reading the Entra sign-in without the records lock: {e}");
                None
            }
        };
        let Some(record) = self.entra_session(target)? else {
            return Ok(None);
        };
        let account = generation_account(&entra_keyring_account(target), &record.generation);
        match self.read_generation(&account, record.chunks)? {
            Some(secret) if fingerprint(&secret) == record.fingerprint => {
                Ok(Some(RefreshToken::new(secret.to_string())))
            }
            Some(_) => {
                tracing::warn!("the keyring holds another Entra refresh token than its record for {account}");
                Ok(None)
            }
            None => {
                tracing::warn!("a piece of the Entra refresh token for {account} is missing");
                Ok(None)
            }
        }
    }

    /// A generation's chunks joined, `None` when one is missing.
    fn read_generation(
        &self,
        account: &str,
        chunks: usize,
    ) -> Result<Option<zeroize::Zeroizing<String>>, VaultError> {
        let mut secret = zeroize::Zeroizing::new(String::new());
        for i in 0..chunks.max(1) {
            match self.read_raw(&chunk_account(account, i))? {
                Some(piece) => secret.push_str(&piece),
                None => return Ok(None),
            }
        }
        Ok(Some(secret))
    }

    /// Forgets a sign-in, under the records lock: its keyring entries (the current generation,
    /// and any pending one) and its record. A refresh waiting for the lock then finds no record
    /// and keeps nothing.
    pub fn forget_entra_session(&self, target: &EntraTarget) -> Result<(), VaultError> {
        let mut failure = None;
        self.entra_file().update(Unreadable::Refuse, |records| {
            let Some(index) = records.iter().position(|r| r.target == *target) else {
                return;
            };
            let record = &records[index];
            let base = entra_keyring_account(target);
            let mut generations = vec![(record.generation.clone(), Some(record.chunks))];
            generations.extend(record.pending.iter().map(|g| (g.clone(), None)));
            for (generation, chunks) in generations {
                let account = generation_account(&base, &generation);
                for i in 0..chunks.unwrap_or(MAX_CHUNKS).max(1) {
                    match self.keyring(&chunk_account(&account, i), keyring::Entry::delete_credential) {
                        Ok(Ok(()) | Err(keyring::Error::NoEntry)) => {}
                        Ok(Err(e)) => failure = Some(VaultError::Keyring(e.into())),
                        Err(e) => failure = Some(e),
                    }
                }
            }
            if failure.is_none() {
                records.remove(index);
            }
        })?;
        failure.map_or(Ok(()), Err)
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
