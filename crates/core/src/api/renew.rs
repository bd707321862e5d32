//! "Renew and push" as one use case: once a renewal's token is kept, push it into every job the
//! org's token feeds. A job that has never been pushed to is not written blind: its first push
//! shows its plan and asks, so the shell is told to run that instead.

use serde::Serialize;

use super::Api;
use super::push::{PushOptions, PushReport};
use super::sign_in::{Kept, SignedIn};

/// What became of the push that follows a renewal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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

impl Api {
    /// After a renewal `signed_in`, pushes the new token into the org's linked jobs.
    pub async fn push_after_renewal(&self, signed_in: &SignedIn) -> AfterRenewal {
        if let Kept::InMemoryOnly(err) = &signed_in.kept {
            return AfterRenewal::NotPushed {
                reason: format!("the new token is not stored ({err}), so it was not pushed"),
            };
        }
        // The stored record: the links were carried over from the token it replaced.
        let record = match self.pick(Some(signed_in.record.org_id), Some(&signed_in.record.broker)) {
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
