//! What a user sees about a stored token: one summary per org, for the CLI and the desktop app.

use serde::Serialize;
use time::OffsetDateTime;
use url::Url;

use crate::expiry::{ExpiryState, days_left};
use crate::token::TokenRecord;

/// A stored token, ready to show. Holds no secret.
#[derive(Debug, Clone, Serialize)]
pub struct TokenSummary {
    /// The org ID.
    pub org_id: String,
    /// `webex`, `gov`, or the broker's base URL.
    pub broker: String,
    /// The broker, as the desktop app passes it back to sign in again.
    pub broker_id: crate::BrokerId,
    /// The broker's label.
    pub broker_label: &'static str,
    /// Who signed in, when known.
    pub account: Option<String>,
    /// What goes into Azure's Tenant URL field.
    pub tenant_url: Url,
    /// When the token was captured.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The broker's expiry, when it said.
    #[serde(with = "time::serde::rfc3339::option")]
    pub broker_expires_at: Option<OffsetDateTime>,
    /// 365 days after issue.
    #[serde(with = "time::serde::rfc3339")]
    pub documented_expires_at: OffsetDateTime,
    /// The earlier of the two: plan by this.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Whole days left (negative once expired).
    pub days_left: i64,
    /// Seconds left at `now` (negative once expired): a countdown counts on from it with a
    /// monotonic timer, never with its own reading of the wall clock.
    pub seconds_left: i64,
    /// How urgent renewal is.
    pub state: ExpiryState,
    /// Short hash of the token.
    pub fingerprint: String,
    /// The Entra provisioning jobs this token feeds.
    pub entra_links: Vec<crate::entra::EntraLink>,
}

impl TokenSummary {
    /// The summary of `record` at `now`.
    pub fn of(record: &TokenRecord, now: OffsetDateTime) -> Self {
        let expires_at = record.effective_expires_at();
        Self {
            org_id: record.org_id.to_string(),
            broker: match &record.broker {
                crate::BrokerId::Sandbox { base } | crate::BrokerId::Custom { base } => base.to_string(),
                other => other.to_string(),
            },
            broker_id: record.broker.clone(),
            broker_label: record.broker.label(),
            account: record.account.clone(),
            tenant_url: record.tenant_url(),
            issued_at: record.issued_at,
            broker_expires_at: record.broker_expires_at,
            documented_expires_at: record.documented_expires_at(),
            expires_at,
            days_left: days_left(expires_at, now),
            seconds_left: (expires_at - now).whole_seconds(),
            state: ExpiryState::at(expires_at, now),
            fingerprint: record.fingerprint.clone(),
            entra_links: record.entra_links.clone(),
        }
    }
}
