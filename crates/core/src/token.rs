//! The non-secret record kept beside each access token (the secret type is `access_token.rs`).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

pub use crate::access_token::AccessToken;
use crate::broker::BrokerId;
use crate::org_id::OrgId;

/// How long Webex documents a provisioning token to last.
pub const DOCUMENTED_LIFETIME: Duration = Duration::days(365);

/// Which stored token: an org at a broker. The same org signed in at the sandbox and at Webex
/// are two tokens, so a sandbox token can never replace (or be copied as) a production one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    /// Where the token was obtained.
    pub broker: BrokerId,
    /// The org it administers.
    pub org: OrgId,
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.broker {
            BrokerId::Webex => write!(f, "org {}", self.org),
            other => write!(f, "org {} at {}", self.org, other),
        }
    }
}

/// Everything known about a stored token except the token itself; safe to write to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The org the token administers.
    pub org_id: OrgId,
    /// Where it was obtained.
    pub broker: BrokerId,
    /// The admin who signed in, as the People API tells, when known.
    #[serde(default)]
    pub account: Option<String>,
    /// When the token was captured.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// `issued_at + expires_in`, when the broker said.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub broker_expires_at: Option<OffsetDateTime>,
    /// The scopes the broker granted, when it said.
    #[serde(default)]
    pub granted_scopes: Option<Vec<String>>,
    /// [`AccessToken::fingerprint`] of the token.
    pub fingerprint: String,
    /// The Entra provisioning jobs this org's token feeds (kept across renewals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entra_links: Vec<crate::entra::EntraLink>,
}

impl TokenRecord {
    /// A record for a token captured at `issued_at`.
    pub fn new(
        token: &AccessToken,
        org_id: OrgId,
        broker: BrokerId,
        issued_at: OffsetDateTime,
        expires_in: Option<Duration>,
    ) -> Self {
        Self {
            org_id,
            broker,
            account: None,
            issued_at,
            broker_expires_at: expires_in.map(|d| issued_at + d),
            granted_scopes: None,
            fingerprint: token.fingerprint(),
            entra_links: Vec::new(),
        }
    }

    /// The documented end of life: 365 days after issue.
    pub fn documented_expires_at(&self) -> OffsetDateTime {
        self.issued_at + DOCUMENTED_LIFETIME
    }

    /// Which token this record describes.
    pub fn key(&self) -> TokenKey {
        TokenKey {
            broker: self.broker.clone(),
            org: self.org_id,
        }
    }

    /// What goes into Azure's Tenant URL field for this token.
    pub fn tenant_url(&self) -> url::Url {
        crate::broker::Broker::resolve(&self.broker).tenant_url(self.org_id)
    }

    /// The earlier of the broker's and the documented expiry: the one to plan by.
    pub fn effective_expires_at(&self) -> OffsetDateTime {
        let documented = self.documented_expires_at();
        self.broker_expires_at.map_or(documented, |b| b.min(documented))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const SAMPLE: &str = "ZmFrZXRva2Vu_PF84_1eb65fdf-9643-417f-9974-ad72cae0e10f";

    #[test]
    fn debug_and_display_redact() {
        let token = AccessToken::new(SAMPLE.to_owned());
        assert_eq!(format!("{token}"), "[REDACTED]");
        assert_eq!(format!("{token:?}"), "AccessToken([REDACTED])");
        assert!(!format!("{:?}", Some(&token)).contains("ZmFr"));
    }

    #[test]
    fn fingerprint_is_short_stable_and_distinct() {
        let a = AccessToken::new(SAMPLE.to_owned());
        let b = AccessToken::new(format!("{SAMPLE}x"));
        assert_eq!(a.fingerprint(), AccessToken::new(SAMPLE.to_owned()).fingerprint());
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), "sha256:".len() + 8);
    }

    #[test]
    fn org_id_from_token_suffix() {
        let token = AccessToken::new(SAMPLE.to_owned());
        assert_eq!(
            token.org_id_hint().unwrap().to_string(),
            "1eb65fdf-9643-417f-9974-ad72cae0e10f"
        );
    }

    #[test]
    fn org_id_absent_or_invalid_asks_for_it() {
        for raw in ["opaque", "opaque_PF84_", "opaque_PF84_not-a-uuid", ""] {
            let err = AccessToken::new(raw.to_owned()).org_id_hint().unwrap_err();
            assert!(err.to_string().contains("org ID"), "{raw}: {err}");
        }
    }

    #[test]
    fn effective_expiry_is_the_earlier() {
        let token = AccessToken::new(SAMPLE.to_owned());
        let org = token.org_id_hint().unwrap();
        let issued = datetime!(2026-01-01 00:00 UTC);
        let short = TokenRecord::new(
            &token,
            org,
            BrokerId::Webex,
            issued,
            Some(Duration::seconds(3_887_999)),
        );
        assert_eq!(short.effective_expires_at(), datetime!(2026-02-14 23:59:59 UTC));
        let long = TokenRecord::new(&token, org, BrokerId::Webex, issued, Some(Duration::days(400)));
        assert_eq!(long.effective_expires_at(), datetime!(2027-01-01 00:00 UTC));
        let unknown = TokenRecord::new(&token, org, BrokerId::Webex, issued, None);
        assert_eq!(unknown.effective_expires_at(), datetime!(2027-01-01 00:00 UTC));
    }

    #[test]
    fn record_serializes_without_the_token() {
        let token = AccessToken::new(SAMPLE.to_owned());
        let org = token.org_id_hint().unwrap();
        let record = TokenRecord::new(
            &token,
            org,
            BrokerId::Webex,
            datetime!(2026-01-01 00:00 UTC),
            None,
        );
        let json = serde_json::to_string(&record).unwrap();
        assert!(!json.contains("ZmFrZXRva2Vu"));
        assert_eq!(serde_json::from_str::<TokenRecord>(&json).unwrap(), record);
    }
}
