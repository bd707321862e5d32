//! The kept Entra sign-ins as both shells and scripts show them: who, which tenant, which cloud,
//! since when. Nothing secret: no refresh token, no fingerprint of one, no keyring entry name.

use serde::Serialize;

use super::{Api, ApiError};
use crate::entra::TenantId;
use crate::vault::EntraSessionRecord;

/// One kept Entra sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntraSessionSummary {
    /// The cloud: `global`, `usgov`, `dod`, or a local Entra's base URL.
    pub cloud: String,
    /// The cloud in words ("global cloud", "local Entra at …").
    pub cloud_label: String,
    /// The tenant the sign-in was asked for (`organizations`, a tenant ID or a domain).
    pub tenant: String,
    /// The tenant it belongs to (the `id_token`'s `tid`); `null` for a sign-in kept by an older
    /// scim-token, which must sign in again before a push.
    pub tenant_id: Option<TenantId>,
    /// The account's sign-in name, e.g. `admin@contoso.com`.
    pub username: Option<String>,
    /// The account's display name.
    pub name: Option<String>,
    /// The public client it signed in as.
    pub client_id: String,
    /// When the admin signed in interactively (RFC 3339).
    pub signed_in_at: String,
}

impl EntraSessionSummary {
    fn of(record: &EntraSessionRecord) -> Self {
        let identity = record.identity.as_ref();
        Self {
            cloud: record.target.cloud.to_string(),
            cloud_label: record.target.cloud.label(),
            tenant: record.target.tenant.to_string(),
            tenant_id: record.tenant_id().cloned(),
            username: identity.and_then(|i| i.username.clone()),
            name: identity.and_then(|i| i.name.clone()),
            client_id: record.target.client_id.to_string(),
            signed_in_at: record
                .signed_in_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        }
    }

    /// The sign-in in one line: "Sandbox Admin <admin@sandbox.example> (tenant …, global cloud),
    /// signed in 2026-12-07" (the day in UTC).
    pub fn description(&self) -> String {
        let account = match (&self.name, &self.username) {
            (Some(name), Some(user)) => format!("{name} <{user}>"),
            (None, Some(user)) => user.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => "an account not named".to_owned(),
        };
        let tenant = self
            .tenant_id
            .as_ref()
            .map_or("unknown: sign in again before a push", |t| t.as_str());
        let day = self.signed_in_at.get(..10).unwrap_or(&self.signed_in_at);
        format!(
            "{account} (tenant {tenant}, {}), signed in {day}",
            self.cloud_label
        )
    }
}

impl Api {
    /// The kept Entra sign-ins, most recent first, without anything secret.
    pub async fn entra_status(&self) -> Result<Vec<EntraSessionSummary>, ApiError> {
        Ok(self
            .entra_sessions()
            .await?
            .iter()
            .map(EntraSessionSummary::of)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::{Cloud, EntraIdentity, EntraTarget};

    #[test]
    fn a_summary_names_who_where_and_since_when_and_nothing_secret() {
        let record = EntraSessionRecord {
            target: EntraTarget::new(Cloud::Usgov),
            signed_in_at: time::macros::datetime!(2026-12-07 09:30 UTC),
            identity: Some(EntraIdentity {
                username: Some("admin@contoso.com".into()),
                name: Some("Ada Admin".into()),
                tenant_id: Some("7e57a1d0-5a4d-4b0c-8000-00000000e1d0".parse().unwrap()),
            }),
            fingerprint: "fp-secret-ish".into(),
            chunks: 1,
            generation: "3".into(),
            pending: vec!["4".into()],
        };
        let summary = EntraSessionSummary::of(&record);
        assert_eq!(
            summary.description(),
            "Ada Admin <admin@contoso.com> (tenant 7e57a1d0-5a4d-4b0c-8000-00000000e1d0, US Government cloud (GCC High)), signed in 2026-12-07"
        );
        let json = serde_json::to_string(&summary).unwrap();
        assert!(
            json.contains("\"signed_in_at\":\"2026-12-07T09:30:00Z\""),
            "{json}"
        );
        for hidden in ["fp-secret-ish", "generation", "pending", "chunks"] {
            assert!(!json.contains(hidden), "{hidden} in {json}");
        }
        let older = EntraSessionRecord {
            identity: None,
            ..record
        };
        assert!(
            EntraSessionSummary::of(&older)
                .description()
                .starts_with("an account not named (tenant unknown: sign in again before a push")
        );
    }
}
