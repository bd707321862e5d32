//! "Renew and push" as one use case: once a renewal's token is kept, push it into every job the
//! org's token feeds. It pushes only the token the admin asked to renew (another org's sign-in is
//! never pushed), only a stored one, and never blind: a job that has never been pushed to shows
//! its plan first, so the shell is told to run that instead.

use serde::Serialize;

use super::Api;
use super::push::{PushOptions, PushReport};
use super::sign_in::{Kept, SignedIn};
use crate::token::TokenKey;

/// What became of the push that follows a renewal.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum AfterRenewal {
    /// Pushed; one report per linked job.
    Pushed {
        /// The reports.
        reports: Vec<PushReport>,
    },
    /// A linked job has never been pushed to: run the push with its plan first.
    PlanFirst,
    /// Nothing pushed, and why (the token is only in memory, no job is linked, the push failed
    /// before any job).
    NotPushed {
        /// Why, in words.
        reason: String,
    },
}

/// What a renewal kept, as "renew and push" needs it (the token itself stays where it is).
#[derive(Debug, Clone)]
pub struct Renewed {
    /// Which token the sign-in gave.
    pub key: TokenKey,
    /// Why it is not in the keyring, when it is not.
    pub not_stored: Option<String>,
}

impl Renewed {
    /// What `signed_in` kept.
    pub fn of(signed_in: &SignedIn) -> Self {
        Self {
            key: signed_in.record.key(),
            not_stored: match &signed_in.kept {
                Kept::InKeyring => None,
                Kept::InMemoryOnly(err) => Some(err.to_string()),
            },
        }
    }
}

impl Api {
    /// After a renewal, pushes the new token into the linked jobs of `intended`, the token the
    /// admin asked to renew; a sign-in to another org or broker is kept but not pushed.
    pub async fn push_after_renewal(&self, renewed: &Renewed, intended: &TokenKey) -> AfterRenewal {
        if renewed.key != *intended {
            return AfterRenewal::NotPushed {
                reason: format!(
                    "the sign-in gave a token for {} rather than {intended}, so nothing was pushed",
                    renewed.key
                ),
            };
        }
        if let Some(err) = &renewed.not_stored {
            return AfterRenewal::NotPushed {
                reason: format!("the new token is not stored ({err}), so it was not pushed"),
            };
        }
        // The stored record: the links were carried over from the token it replaced.
        let record = match self.pick(Some(intended.org), Some(&intended.broker)) {
            Ok(record) => record,
            Err(err) => {
                return AfterRenewal::NotPushed {
                    reason: err.to_string(),
                };
            }
        };
        if record.entra_links.iter().any(|l| l.pushed_at.is_none()) {
            return AfterRenewal::PlanFirst;
        }
        match self.push(&record, PushOptions::default()).await {
            Ok(reports) => AfterRenewal::Pushed { reports },
            Err(err) => AfterRenewal::NotPushed {
                reason: err.to_string(),
            },
        }
    }
}
