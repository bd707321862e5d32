//! Tokens the sandbox issued, kept server-side so they expire and can be revoked for real.

use std::collections::HashMap;
use std::sync::Arc;

use rand::Rng;
use rand::distributions::Alphanumeric;
use scim_token_core::OrgId;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::accounts::Account;

/// What a token allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Who signed in.
    pub email: String,
    /// Their org.
    pub org_id: OrgId,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When it stops working.
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
#[derive(Debug, Default)]
pub struct TokenStore {
    grants: HashMap<[u8; 32], Arc<Grant>>,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenStore {
    /// Issues a Webex-shaped token `<opaque>_<cluster>_<orgId>`; returns it and its lifetime.
    pub fn issue(
        &mut self,
        account: &Account,
        org_id: OrgId,
        scopes: Vec<String>,
        lifetime: Duration,
    ) -> (String, Duration) {
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
            expires_at: OffsetDateTime::now_utc() + lifetime,
            revoked: false,
        };
        self.grants.insert(key(&token), Arc::new(grant));
        (token, lifetime)
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

    /// Revokes a token; false when it was not issued here.
    pub fn revoke(&mut self, token: &str) -> bool {
        self.grants
            .get_mut(&key(token))
            .map(|g| Arc::make_mut(g).revoked = true)
            .is_some()
    }
}
