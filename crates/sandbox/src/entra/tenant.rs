//! The local Entra tenant's enterprise apps: service principals, their provisioning secrets and
//! job, and what the job has exported. This is the state a `--data` sandbox keeps.

use scim_token_core::entra::{BASE_ADDRESS_KEY, SECRET_TOKEN_KEY};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::SecretsPut;
use super::job::Job;
use super::provision::Exported;

/// The Webex enterprise app's service principal ID in every sandbox tenant.
pub const WEBEX_APP_ID: &str = "6a0e2f48-6c1d-4f7e-9b7b-0e5b3c9d2a11";
/// An enterprise app without provisioning, so clients must tell apps apart.
const OTHER_APP_ID: &str = "b3f1c2d4-8e9a-4b6c-a1d2-7f3e5c9b0d22";
/// The settings an admin center keeps with a new Webex job besides the credentials: the
/// notification e-mail and accidental-deletion threshold, out-of-scope deletions, and the
/// scope (assigned users only). A push must leave each byte for byte as it is.
pub const SEEDED_SETTINGS: [(&str, &str); 3] = [
    (
        "SyncNotificationSettings",
        r#"{"Enabled":true,"Recipients":"provisioning-alerts@sandbox.example","DeleteThresholdEnabled":true,"DeleteThresholdValue":500}"#,
    ),
    ("SkipOutOfScopeDeletions", "True"),
    ("SyncAll", "false"),
];

/// The template the Webex job is made from. The sandbox's own name: the real gallery app's
/// template ID is unconfirmed.
const WEBEX_TEMPLATE: &str = "CiscoWebex";

/// One `{"key": …, "value": …}` of a job's secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Secret {
    pub(crate) key: String,
    pub(crate) value: String,
}

/// A service principal (enterprise app).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct App {
    pub(crate) id: Uuid,
    pub(crate) app_id: Uuid,
    pub(crate) display_name: String,
    pub(crate) secrets: Vec<Secret>,
    pub(crate) job: Option<Job>,
    #[serde(default)]
    pub(crate) exported: Exported,
    /// Bumped when a restart forgets what was exported, so a cycle running across the restart
    /// does not write its (older) memory back.
    #[serde(default)]
    pub(crate) watermark: u64,
}

impl App {
    /// A stored secret's value.
    pub(crate) fn secret(&self, key: &str) -> Option<&str> {
        self.secrets
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.value.as_str())
    }

    /// Whether both the Tenant URL and the token are stored.
    pub(crate) fn configured(&self) -> bool {
        [BASE_ADDRESS_KEY, SECRET_TOKEN_KEY]
            .iter()
            .all(|key| self.secret(key).is_some_and(|v| !v.is_empty()))
    }

    /// Stores the named keys; an empty value removes its key. With [`SecretsPut::Merge`] every
    /// other key is kept, with [`SecretsPut::Replace`] dropped.
    pub(crate) fn put_secrets(&mut self, pairs: Vec<Secret>, mode: SecretsPut) {
        if mode == SecretsPut::Replace {
            self.secrets.clear();
        }
        for pair in pairs {
            self.secrets.retain(|s| s.key != pair.key);
            if !pair.value.is_empty() {
                self.secrets.push(pair);
            }
        }
        let configured = self.configured();
        if let Some(job) = &mut self.job {
            job.credentials_changed(configured);
        }
    }
}

/// The tenant's enterprise apps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Tenant {
    pub(crate) apps: Vec<App>,
}

fn fixed(id: &str) -> Uuid {
    Uuid::parse_str(id).expect("constant IDs are UUIDs")
}

impl Tenant {
    /// "Cisco Webex" with one SCIM provisioning job (no credentials yet), and an unrelated app.
    pub(crate) fn seeded(tenant: Uuid, every: std::time::Duration) -> Self {
        let webex = fixed(WEBEX_APP_ID);
        let job_id = format!("{WEBEX_TEMPLATE}.{}.{}", tenant.simple(), webex.simple());
        Self {
            apps: vec![
                App {
                    id: webex,
                    app_id: fixed("c1b2a3d4-0e0f-4a5b-8c7d-9e8f7a6b5c44"),
                    display_name: "Cisco Webex".into(),
                    secrets: SEEDED_SETTINGS
                        .iter()
                        .map(|(key, value)| Secret {
                            key: (*key).into(),
                            value: (*value).into(),
                        })
                        .collect(),
                    job: Some(Job::new(job_id, WEBEX_TEMPLATE.into(), every)),
                    exported: Exported::default(),
                    watermark: 0,
                },
                App {
                    id: fixed(OTHER_APP_ID),
                    app_id: fixed("d4e5f6a7-1b2c-4d3e-8f9a-0b1c2d3e4f55"),
                    display_name: "Contoso Expenses".into(),
                    secrets: Vec::new(),
                    job: None,
                    exported: Exported::default(),
                    watermark: 0,
                },
            ],
        }
    }

    /// The app with this service principal ID.
    pub(crate) fn app(&self, id: &str) -> Option<&App> {
        let id = Uuid::parse_str(id).ok()?;
        self.apps.iter().find(|a| a.id == id)
    }

    /// The app with this service principal ID, to change.
    pub(crate) fn app_mut(&mut self, id: &str) -> Option<&mut App> {
        let id = Uuid::parse_str(id).ok()?;
        self.apps.iter_mut().find(|a| a.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(key: &str, value: &str) -> Secret {
        Secret {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn a_merging_put_changes_only_the_keys_it_names() {
        let mut tenant = Tenant::seeded(Uuid::nil(), std::time::Duration::from_secs(2400));
        let app = tenant.app_mut(WEBEX_APP_ID).expect("seeded");
        app.put_secrets(
            vec![
                secret("SyncNotificationSettings", "{\"Enabled\":true}"),
                secret(BASE_ADDRESS_KEY, "http://127.0.0.1:8900/x"),
            ],
            SecretsPut::Merge,
        );
        assert!(!app.configured());
        app.put_secrets(vec![secret(SECRET_TOKEN_KEY, "t")], SecretsPut::Merge);
        assert!(app.configured());
        assert_eq!(app.secret("SyncNotificationSettings"), Some("{\"Enabled\":true}"));
        assert_eq!(app.secret("SyncAll"), Some("false"), "seeded settings stay");
        app.put_secrets(vec![secret("SyncNotificationSettings", "")], SecretsPut::Merge);
        assert_eq!(app.secret("SyncNotificationSettings"), None);
        assert!(app.configured());
        let job = app.job.as_ref().expect("the Webex app has a job");
        assert_eq!(job.status.code, super::super::job::StatusCode::NotRun);
    }

    #[test]
    fn a_replacing_put_keeps_only_what_it_was_sent() {
        let mut tenant = Tenant::seeded(Uuid::nil(), std::time::Duration::from_secs(2400));
        let app = tenant.app_mut(WEBEX_APP_ID).expect("seeded");
        assert_eq!(app.secret("SkipOutOfScopeDeletions"), Some("True"));
        app.put_secrets(
            vec![
                secret(BASE_ADDRESS_KEY, "http://127.0.0.1:8900/x"),
                secret(SECRET_TOKEN_KEY, "t"),
            ],
            SecretsPut::Replace,
        );
        assert!(app.configured());
        assert_eq!(app.secret("SkipOutOfScopeDeletions"), None);
        assert_eq!(app.secrets.len(), 2);
    }
}
