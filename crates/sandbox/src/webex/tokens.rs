//! Tokens the sandbox issued, kept server-side so they expire and can be revoked for real.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rand::Rng;
use rand::distributions::Alphanumeric;
use scim_token_core::OrgId;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::accounts::Account;

/// What a token allows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    /// Who signed in.
    pub email: String,
    /// Their org.
    pub org_id: OrgId,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Revoked before expiry.
    pub revoked: bool,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Not a token this sandbox issued.
    Unknown,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
}

/// Issued tokens, keyed by SHA-256 so a lookup never compares secrets byte by byte.
///
/// Bounded: with `--auto-approve` any web page can mint tokens (an `<img>` pointing at the
/// authorize URL is enough), so issuing first drops expired tokens and then, at the limit, the
/// oldest ones. A dropped token is simply unknown afterwards.
#[derive(Debug)]
pub struct TokenStore {
    grants: HashMap<[u8; 32], Arc<Grant>>,
    /// Issue order (sequence number → key), to evict the oldest.
    by_age: BTreeMap<u64, [u8; 32]>,
    /// Expiry order, to prune the expired without a scan.
    by_expiry: BTreeSet<(OffsetDateTime, u64)>,
    next_seq: u64,
    limit: usize,
}

/// The SHA-256 a token is kept under (and persisted as: the token itself is never stored).
pub(crate) fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Default for TokenStore {
    fn default() -> Self {
        Self::with_limit(Self::DEFAULT_LIMIT)
    }
}

impl TokenStore {
    /// How many tokens a store keeps unless told otherwise.
    pub const DEFAULT_LIMIT: usize = 10_000;

    /// An empty store that keeps at most `limit` tokens (at least one).
    pub fn with_limit(limit: usize) -> Self {
        Self {
            grants: HashMap::new(),
            by_age: BTreeMap::new(),
            by_expiry: BTreeSet::new(),
            next_seq: 0,
            limit: limit.max(1),
        }
    }

    /// Issues a Webex-shaped token `<opaque>_<cluster>_<orgId>`; returns it and its lifetime.
    pub fn issue(
        &mut self,
        account: &Account,
        org_id: OrgId,
        scopes: Vec<String>,
        lifetime: Duration,
    ) -> (String, Duration) {
        self.issue_at(account, org_id, scopes, lifetime, OffsetDateTime::now_utc())
    }

    /// [`issue`](Self::issue) as if the time were `now`: drops tokens expired by then and, when
    /// the store is full, the oldest, before keeping the new one.
    pub fn issue_at(
        &mut self,
        account: &Account,
        org_id: OrgId,
        scopes: Vec<String>,
        lifetime: Duration,
        now: OffsetDateTime,
    ) -> (String, Duration) {
        self.prune_expired(now);
        while self.grants.len() >= self.limit && !self.by_age.is_empty() {
            self.evict_oldest();
        }
        let opaque: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(64)
            .map(char::from)
            .collect();
        let token = format!("{opaque}_SBX1_{org_id}");
        let grant = Grant {
            email: account.email.clone(),
            org_id,
            scopes,
            expires_at: now + lifetime,
            revoked: false,
        };
        self.next_seq += 1;
        let seq = self.next_seq;
        let key = key(&token);
        self.by_age.insert(seq, key);
        self.by_expiry.insert((grant.expires_at, seq));
        self.grants.insert(key, Arc::new(grant));
        (token, lifetime)
    }

    /// Drops every token that expired at or before `now`.
    fn prune_expired(&mut self, now: OffsetDateTime) {
        while self.by_expiry.first().is_some_and(|(at, _)| *at <= now) {
            let Some((_, seq)) = self.by_expiry.pop_first() else {
                break;
            };
            if let Some(key) = self.by_age.remove(&seq) {
                self.grants.remove(&key);
            }
        }
    }

    /// Drops the oldest token.
    fn evict_oldest(&mut self) {
        if let Some((seq, key)) = self.by_age.pop_first()
            && let Some(grant) = self.grants.remove(&key)
        {
            self.by_expiry.remove(&(grant.expires_at, seq));
        }
    }

    /// How many tokens are kept (live, expired but not yet pruned, or revoked).
    pub fn len(&self) -> usize {
        self.grants.len()
    }

    /// Whether no token is kept.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    /// The grant behind a token, if it is live.
    pub fn check(&self, token: &str, now: OffsetDateTime) -> Result<Arc<Grant>, TokenProblem> {
        let grant = self.grants.get(&key(token)).ok_or(TokenProblem::Unknown)?;
        if grant.revoked {
            Err(TokenProblem::Revoked)
        } else if now >= grant.expires_at {
            Err(TokenProblem::Expired)
        } else {
            Ok(grant.clone())
        }
    }

    /// Takes back a grant kept from an earlier run (`--data`), under the hash it was kept as.
    pub(crate) fn restore(&mut self, key: [u8; 32], grant: Grant) {
        if self.grants.contains_key(&key) {
            return;
        }
        while self.grants.len() >= self.limit && !self.by_age.is_empty() {
            self.evict_oldest();
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        self.by_age.insert(seq, key);
        self.by_expiry.insert((grant.expires_at, seq));
        self.grants.insert(key, Arc::new(grant));
    }

    /// The grant kept under `key`, to persist it.
    pub(crate) fn grant_for(&self, key: &[u8; 32]) -> Option<Arc<Grant>> {
        self.grants.get(key).cloned()
    }

    /// Revokes a token; false when it was not issued here.
    pub fn revoke(&mut self, token: &str) -> bool {
        self.grants
            .get_mut(&key(token))
            .map(|g| Arc::make_mut(g).revoked = true)
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webex::accounts::seeded_accounts;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2030-01-01 00:00 UTC);

    fn issue(store: &mut TokenStore, lifetime: Duration, now: OffsetDateTime) -> String {
        let admin = &seeded_accounts()[0];
        let org = crate::DEFAULT_ORG.parse().expect("a valid org");
        store
            .issue_at(admin, org, vec!["Identity:SCIM".into()], lifetime, now)
            .0
    }

    #[test]
    fn a_full_store_evicts_the_oldest_token() {
        let mut store = TokenStore::with_limit(3);
        let tokens: Vec<String> = (0..5)
            .map(|i| issue(&mut store, Duration::hours(1), T0 + Duration::seconds(i)))
            .collect();
        assert_eq!(store.len(), 3);
        let at = T0 + Duration::minutes(1);
        for old in &tokens[..2] {
            assert_eq!(store.check(old, at), Err(TokenProblem::Unknown));
        }
        for kept in &tokens[2..] {
            assert!(store.check(kept, at).is_ok());
        }
    }

    #[test]
    fn the_default_limit_is_ten_thousand() {
        let mut store = TokenStore::default();
        let first = issue(&mut store, Duration::hours(1), T0);
        for _ in 0..TokenStore::DEFAULT_LIMIT {
            issue(&mut store, Duration::hours(1), T0);
        }
        assert_eq!(store.len(), 10_000);
        assert_eq!(store.check(&first, T0), Err(TokenProblem::Unknown));
    }

    #[test]
    fn issuing_prunes_expired_tokens_only() {
        let mut store = TokenStore::default();
        let short = issue(&mut store, Duration::minutes(1), T0);
        let long = issue(&mut store, Duration::hours(1), T0);
        // Expired but not yet pruned: the client is told why.
        let later = T0 + Duration::minutes(2);
        assert_eq!(store.check(&short, later), Err(TokenProblem::Expired));
        let fresh = issue(&mut store, Duration::hours(1), later);
        assert_eq!(store.len(), 2);
        assert_eq!(store.check(&short, later), Err(TokenProblem::Unknown));
        assert!(store.check(&long, later).is_ok());
        assert!(store.check(&fresh, later).is_ok());
    }

    #[test]
    fn a_revoked_token_stays_revoked_until_it_expires() {
        let mut store = TokenStore::default();
        let token = issue(&mut store, Duration::minutes(1), T0);
        assert!(store.revoke(&token));
        assert!(!store.revoke("never issued"));
        issue(&mut store, Duration::minutes(1), T0 + Duration::seconds(30));
        assert_eq!(store.check(&token, T0), Err(TokenProblem::Revoked));
        issue(&mut store, Duration::minutes(1), T0 + Duration::minutes(5));
        assert_eq!(store.len(), 1);
        assert_eq!(store.check(&token, T0), Err(TokenProblem::Unknown));
    }
}
