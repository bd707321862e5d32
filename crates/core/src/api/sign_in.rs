//! Finishing a sign-in: the captured token becomes a stored token with its record.

use super::Tokens;
use crate::authorize::PendingLogin;
use crate::callback::CapturedToken;
use crate::probe;
use crate::summary::TokenSummary;
use crate::tenant::{OrgId, OrgIdError};
use crate::token::{AccessToken, TokenRecord};
use crate::vault::VaultError;

/// A finished sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The new record.
    pub record: TokenRecord,
    /// What to show about it.
    pub summary: TokenSummary,
    /// The token (for a shell asked to print it).
    pub token: AccessToken,
    /// The broker granted less than asked (usually: not a full administrator).
    pub scope_warning: Option<String>,
    /// Where the token is now.
    pub kept: Kept,
    /// An unreadable records file was kept aside here and a new one started.
    pub records_set_aside: Option<std::path::PathBuf>,
}

/// Where a captured token was kept.
#[derive(Debug)]
pub enum Kept {
    /// In the OS keyring, with its record.
    InKeyring,
    /// The keyring failed: in this process's memory only, until it ends.
    InMemoryOnly(VaultError),
}

/// The token carries no org ID: the shell must ask for one and call
/// [`Tokens::complete_sign_in`] again. The token is held here meanwhile, never dropped.
#[derive(Debug)]
pub struct NeedsOrg {
    /// The login the token belongs to.
    pub pending: PendingLogin,
    /// The token.
    pub captured: CapturedToken,
    /// Why the org could not be worked out.
    pub reason: OrgIdError,
}

impl Tokens {
    /// Finishes a sign-in: works out the org (`org` if given, else the token's suffix), asks the
    /// People API who signed in, stores token and record, or keeps the token in memory when the
    /// keyring fails.
    pub async fn complete_sign_in(
        &self,
        pending: PendingLogin,
        captured: CapturedToken,
        org: Option<OrgId>,
    ) -> Result<SignedIn, Box<NeedsOrg>> {
        let issued_at = self.now();
        let mut record = match captured.record(&pending, issued_at, org) {
            Ok(record) => record,
            Err(reason) => {
                return Err(Box::new(NeedsOrg {
                    pending,
                    captured,
                    reason,
                }));
            }
        };
        // Who really signed in, not who the login hint named.
        record.account = probe::signed_in_email(&pending.broker.people_me_url, &captured.token).await;
        tracing::info!(org = %record.org_id, fingerprint = %record.fingerprint, "token captured");
        let (kept, records_set_aside) = match self.store(&captured.token, &record).await {
            Ok(stored) => (Kept::InKeyring, stored.set_aside),
            Err(err) => {
                tracing::warn!(org = %record.org_id, "token not stored in the keyring: {err}");
                (Kept::InMemoryOnly(err), None)
            }
        };
        Ok(SignedIn {
            summary: TokenSummary::of(&record, issued_at),
            scope_warning: captured.scope_warning(),
            token: captured.token,
            record,
            kept,
            records_set_aside,
        })
    }
}
