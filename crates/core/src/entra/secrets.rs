//! A provisioning job's secrets (`synchronizationSecretKeyStringValuePair`s) and the rules for
//! changing two of them without touching the others.
//!
//! Whether Graph's `PUT …/synchronization/secrets` merges the keys it is sent into the stored set
//! or replaces the set is unconfirmed (Microsoft's own how-tos point both ways). So a push reads
//! the set, sends every key back with only `BaseAddress` and `SecretToken` replaced, and reads
//! it again to compare: right whichever Graph does. Nothing here does I/O.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{BASE_ADDRESS_KEY, SECRET_TOKEN_KEY};
use crate::org_id::OrgId;

/// One key and value of a job's secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretPair {
    /// E.g. `BaseAddress`, `SyncNotificationSettings`.
    pub key: String,
    /// Its value; `SecretToken`'s is a secret, and Graph may show any value masked (`*****`).
    /// A pair read without a value (absent or `null`) cannot be sent back: it counts as masked.
    #[serde(default)]
    pub value: Option<String>,
}

impl std::fmt::Debug for SecretPair {
    // Keys only: a pair may hold the Secret Token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretPair")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl SecretPair {
    /// A pair to send.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: Some(value.into()),
        }
    }

    /// Whether Graph hid the value, in any form a masked value is shown (`*****`, `••••`,
    /// `*****abcd`, `abcd****`), or gave none at all: it cannot be sent back.
    pub fn masked(&self) -> bool {
        self.value.as_deref().is_none_or(looks_masked)
    }

    /// Whether the pair holds no usable value: absent, `null`, or only white space.
    fn blank(&self) -> bool {
        self.value.as_deref().is_none_or(|v| v.trim().is_empty())
    }

    fn shown(&self) -> String {
        self.value.clone().unwrap_or_default()
    }

    fn is_token(&self) -> bool {
        self.key.eq_ignore_ascii_case(SECRET_TOKEN_KEY)
    }

    fn is_base_address(&self) -> bool {
        self.key.eq_ignore_ascii_case(BASE_ADDRESS_KEY)
    }
}

/// Characters a service shows in place of a hidden value.
const MASK_CHARS: [char; 8] = ['*', '•', '●', '∙', '·', '∗', '✱', '⁎'];

/// The fewest mask characters at either end that make a partly shown value (`*****abcd`) masked.
const MASKED_RUN: usize = 3;

/// Whether `value` is a masked form: only mask characters, or a run of them at its start or
/// end with a few characters shown beside it. No real setting (a URL, `True`, a JSON object, an
/// e-mail address) starts or ends with three of them.
fn looks_masked(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    let is_mask = |c: &char| MASK_CHARS.contains(c);
    if value.chars().all(|c| is_mask(&c)) {
        return true;
    }
    let leading = value.chars().take_while(is_mask).count();
    let trailing = value.chars().rev().take_while(is_mask).count();
    leading >= MASKED_RUN || trailing >= MASKED_RUN
}

/// Keys of Graph's `synchronizationSecret` that hold credentials: their values are never shown
/// in a report, even when Graph shows them unmasked.
const SECRET_KEYS: [&str; 14] = [
    "Password",
    "SecretToken",
    "AppKey",
    "ClientSecret",
    "ConsumerSecret",
    "TokenKey",
    "Oauth2AccessToken",
    "Oauth2RefreshToken",
    "Oauth2ClientSecret",
    "Oauth2AuthorizationCode",
    "ConnectionString",
    "SyncAgentCompatibilityKey",
    "UserName",
    "ClientIdentifier",
];

/// `value` of `key` as a report may show it: a credential's only as `[hidden]`.
fn reportable(key: &str, value: Option<String>) -> Option<String> {
    let secret = SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
    value.map(|v| if secret { "[hidden]".to_owned() } else { v })
}

/// What a push does with the job's Tenant URL (`BaseAddress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseAddressChange {
    /// The job's own is a Tenant URL of the same org (either form): it stays as it is.
    Kept,
    /// The job had none: the org's Tenant URL is set.
    Set,
}

/// Why the job's secrets cannot be changed safely. Nothing is written in any of these cases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsRefusal {
    /// Graph hid a setting's value, so it cannot be sent back, and a PUT that replaces the set
    /// would erase it.
    #[error(
        "Graph shows the job's setting {key} masked, so scim-token cannot send it back, and if Graph's secrets PUT replaces the whole set (unconfirmed) a push would erase it. Nothing was written. Copy the token from scim-token and paste it into the job yourself in the Entra admin center (Provisioning → Admin Credentials)"
    )]
    MaskedSetting {
        /// The masked key.
        key: String,
    },
    /// The job's Tenant URL names another Webex org.
    #[error(
        "the job's Tenant URL {found} is for Webex org {other}, not org {ours}. Nothing was written. If the job should feed org {ours}, change its Tenant URL in the Entra admin center first; otherwise link this org to another job"
    )]
    OtherOrg {
        /// The job's Tenant URL.
        found: String,
        /// The org it names.
        other: OrgId,
        /// The org being pushed.
        ours: OrgId,
    },
    /// The job is configured (it has credentials), yet the read left out one of them or gave it
    /// empty: a view that hides keys, not a job without them. A plan from it would overwrite a
    /// Tenant URL it did not see, and a PUT that replaces the set would erase what it hid.
    #[error(
        "Graph's read of the job's settings left out {key} (or gave it empty), although the job is {state}: such a read may hide other settings too, so nothing was written. Try again later; if it persists, paste the token into the job yourself in the Entra admin center (Provisioning → Admin Credentials)"
    )]
    PartialRead {
        /// The key that was missing or empty.
        key: &'static str,
        /// The job's state, in words.
        state: &'static str,
    },
    /// The job's Tenant URL is not a Webex Tenant URL at all.
    #[error(
        "the job's Tenant URL {found} is not a Webex Tenant URL, so scim-token will not replace it. Nothing was written. If the job should feed this org, set its Tenant URL to {ours} in the Entra admin center (or clear it) and push again"
    )]
    NotWebex {
        /// The job's Tenant URL.
        found: String,
        /// The org's Tenant URL.
        ours: String,
    },
}

/// A setting that a push changed although it should not have: its value before, and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingDrift {
    /// The key.
    pub key: String,
    /// Its value before the push (non-secret: Graph showed it).
    pub before: String,
    /// Its value after (`None`: gone; masked values count as changed, they cannot be checked).
    pub after: Option<String>,
}

/// The set to send: the job's keys with `BaseAddress` and `SecretToken` replaced.
#[derive(Debug, Clone)]
pub struct SecretsPlan {
    /// The Tenant URL that will be stored.
    pub base_address: String,
    /// What happens to it.
    pub base_address_change: BaseAddressChange,
    /// Keys whose values change (names only).
    pub changes: Vec<String>,
    /// Keys sent back unchanged (names only).
    pub keeps: Vec<String>,
    /// The settings sent back, in Graph's order (no `BaseAddress` or `SecretToken`).
    kept: Vec<SecretPair>,
    /// Whether the plan was made from the job's own secrets (else only the two keys are sent).
    read: bool,
    /// The job's Tenant URL as it was read (`None`: it had none).
    found_base: Option<String>,
}

/// The Webex org a Tenant URL names, in today's form (`…/identity/scim/{org}/v2/`) or the older
/// one Microsoft's tutorial still gives (`https://api.ciscospark.com/v1/scim/{org}`).
pub fn tenant_url_org(url: &Url) -> Option<OrgId> {
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let org = match segments.as_slice() {
        [.., "identity", "scim", org, "v2"] => org,
        [.., "v1", "scim", org] => org,
        _ => return None,
    };
    org.parse().ok()
}

/// Hosts that serve the same Webex org's SCIM API as `ours`: its own, and for the commercial
/// cloud the older `api.ciscospark.com`.
fn same_service(found: &Url, ours: &Url) -> bool {
    let (Some(found_host), Some(our_host)) = (found.host_str(), ours.host_str()) else {
        return false;
    };
    let same_origin = found.scheme() == ours.scheme()
        && found_host.eq_ignore_ascii_case(our_host)
        && found.port_or_known_default() == ours.port_or_known_default();
    same_origin
        || (our_host.eq_ignore_ascii_case("webexapis.com")
            && found.scheme() == "https"
            && found_host.eq_ignore_ascii_case("api.ciscospark.com"))
}

/// The Tenant URL to store, given the job's current one.
fn base_address(
    current: Option<&str>,
    ours: &Url,
    org: OrgId,
) -> Result<(String, BaseAddressChange), SecretsRefusal> {
    let current = current.map(str::trim).filter(|c| !c.is_empty());
    let Some(found) = current else {
        return Ok((ours.to_string(), BaseAddressChange::Set));
    };
    let not_webex = || SecretsRefusal::NotWebex {
        found: found.to_owned(),
        ours: ours.to_string(),
    };
    let parsed = Url::parse(found).map_err(|_| not_webex())?;
    match tenant_url_org(&parsed) {
        Some(other) if other != org => Err(SecretsRefusal::OtherOrg {
            found: found.to_owned(),
            other,
            ours: org,
        }),
        Some(_) if same_service(&parsed, ours) => Ok((found.to_owned(), BaseAddressChange::Kept)),
        _ => Err(not_webex()),
    }
}

/// What the job's status says about the secrets a read must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobCredentials {
    /// Never configured: the read may lack `BaseAddress` and `SecretToken`.
    None,
    /// Configured or run (the state in words): both must be in the read, not empty.
    Saved(&'static str),
}

impl SecretsPlan {
    /// The plan for a job whose secrets read as `current`, to feed `org` at `tenant_url`.
    /// A job with saved credentials whose read lacks one is refused ([`SecretsRefusal::PartialRead`]).
    pub fn new(
        current: &[SecretPair],
        saved: JobCredentials,
        tenant_url: &Url,
        org: OrgId,
    ) -> Result<Self, SecretsRefusal> {
        if let JobCredentials::Saved(state) = saved {
            for key in [BASE_ADDRESS_KEY, SECRET_TOKEN_KEY] {
                let shown = current.iter().find(|p| p.key.eq_ignore_ascii_case(key));
                if shown.is_none_or(SecretPair::blank) {
                    return Err(SecretsRefusal::PartialRead { key, state });
                }
            }
        }
        if let Some(masked) = current
            .iter()
            .find(|p| p.masked() && !p.is_token() && !p.is_base_address())
        {
            return Err(SecretsRefusal::MaskedSetting {
                key: masked.key.clone(),
            });
        }
        let found_base = current
            .iter()
            .find(|p| p.is_base_address())
            .filter(|p| !p.masked())
            .and_then(|p| p.value.as_deref());
        if current.iter().any(|p| p.is_base_address() && p.masked()) {
            return Err(SecretsRefusal::MaskedSetting {
                key: BASE_ADDRESS_KEY.into(),
            });
        }
        let (base_address, base_address_change) = base_address(found_base, tenant_url, org)?;
        let found_base = found_base.map(str::to_owned);
        let kept: Vec<SecretPair> = current
            .iter()
            .filter(|p| !p.is_token() && !p.is_base_address())
            .cloned()
            .collect();
        let mut changes = vec![SECRET_TOKEN_KEY.to_owned()];
        let mut keeps: Vec<String> = kept.iter().map(|p| p.key.clone()).collect();
        match base_address_change {
            BaseAddressChange::Set => changes.insert(0, BASE_ADDRESS_KEY.to_owned()),
            BaseAddressChange::Kept => keeps.insert(0, BASE_ADDRESS_KEY.to_owned()),
        }
        Ok(Self {
            base_address,
            base_address_change,
            changes,
            keeps,
            kept,
            read: true,
            found_base,
        })
    }

    /// The plan when the secrets could not be read (`--skip-settings-check`): only the two keys,
    /// which erases every other setting if Graph's PUT replaces the set.
    pub fn blind(tenant_url: &Url) -> Self {
        Self {
            base_address: tenant_url.to_string(),
            base_address_change: BaseAddressChange::Set,
            changes: vec![BASE_ADDRESS_KEY.to_owned(), SECRET_TOKEN_KEY.to_owned()],
            keeps: Vec::new(),
            kept: Vec::new(),
            read: false,
            found_base: None,
        }
    }

    /// The pairs to PUT: the Tenant URL, the token, then every other setting as it was read.
    pub fn pairs(&self, token: &crate::access_token::AccessToken) -> Vec<SecretPair> {
        let mut pairs = vec![
            SecretPair::new(BASE_ADDRESS_KEY, self.base_address.clone()),
            SecretPair::new(SECRET_TOKEN_KEY, token.expose_secret()),
        ];
        pairs.extend(self.kept.iter().cloned());
        pairs
    }

    /// The settings that differ after the PUT from before it (or, for `BaseAddress`, from what
    /// was sent). The Secret Token is not compared: Graph may mask it.
    pub fn drift(&self, after: &[SecretPair]) -> Vec<SettingDrift> {
        let found = |key: &str| after.iter().find(|p| p.key.eq_ignore_ascii_case(key));
        let mut expected: Vec<(String, String)> =
            vec![(BASE_ADDRESS_KEY.to_owned(), self.base_address.clone())];
        expected.extend(self.kept.iter().map(|p| (p.key.clone(), p.shown())));
        expected
            .into_iter()
            .filter_map(|(key, before)| {
                let now = found(&key);
                // A value shown masked afterwards cannot be confirmed unchanged.
                let same = now.is_some_and(|p| !p.masked() && p.value.as_deref() == Some(before.as_str()));
                (!same).then(|| SettingDrift {
                    after: reportable(&key, now.and_then(|p| p.value.clone())),
                    before: reportable(&key, Some(before)).unwrap_or_default(),
                    key,
                })
            })
            .collect()
    }

    /// The non-secret settings (the Tenant URL included) whose values read differently for this
    /// plan than for `earlier`: someone changed them between the two reads. A key that came or
    /// went counts, with `None` for its absence.
    pub fn edits_since(&self, earlier: &SecretsPlan) -> Vec<SettingDrift> {
        let as_read = |plan: &SecretsPlan| {
            let mut values: Vec<(String, Option<String>)> =
                vec![(BASE_ADDRESS_KEY.to_owned(), plan.found_base.clone())];
            values.extend(plan.kept.iter().map(|p| (p.key.clone(), p.value.clone())));
            values
        };
        let (before, now) = (as_read(earlier), as_read(self));
        let value_in = |values: &[(String, Option<String>)], key: &str| {
            values
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.clone())
        };
        // Every key of either read once, in the order first seen.
        let mut seen: Vec<&str> = Vec::new();
        before
            .iter()
            .chain(&now)
            .filter_map(|(key, _)| {
                if seen.iter().any(|s| s.eq_ignore_ascii_case(key)) {
                    return None;
                }
                seen.push(key);
                let (was, is) = (value_in(&before, key), value_in(&now, key));
                (was != is).then(|| SettingDrift {
                    key: key.clone(),
                    before: reportable(key, was).unwrap_or_default(),
                    after: reportable(key, is),
                })
            })
            .collect()
    }

    /// Whether the plan came from the job's own secrets (not [`Self::blind`]).
    pub fn read_settings(&self) -> bool {
        self.read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "1eb65fdf-9643-417f-9974-ad72cae0e10f";
    const OTHER: &str = "2eb65fdf-9643-417f-9974-ad72cae0e10f";

    fn pair(key: &str, value: &str) -> SecretPair {
        SecretPair::new(key, value)
    }

    fn ours() -> Url {
        Url::parse(&format!("https://webexapis.com/identity/scim/{ORG}/v2/")).expect("a URL")
    }

    fn org() -> OrgId {
        ORG.parse().expect("an org")
    }

    fn settings() -> Vec<SecretPair> {
        vec![
            pair(
                "SyncNotificationSettings",
                r#"{"Enabled":true,"Recipients":"ops@contoso.example","DeleteThresholdEnabled":true,"DeleteThresholdValue":500}"#,
            ),
            pair("SkipOutOfScopeDeletions", "True"),
            pair("SyncAll", "false"),
        ]
    }

    #[test]
    fn every_setting_is_sent_back_and_only_the_two_keys_change() {
        let mut current = settings();
        current.push(pair("SecretToken", "*****"));
        let plan = SecretsPlan::new(&current, JobCredentials::None, &ours(), org()).expect("a plan");
        assert_eq!(plan.base_address_change, BaseAddressChange::Set);
        assert_eq!(plan.changes, ["BaseAddress", "SecretToken"]);
        assert_eq!(
            plan.keeps,
            ["SyncNotificationSettings", "SkipOutOfScopeDeletions", "SyncAll"]
        );
        let token = crate::access_token::AccessToken::new("new-token".into());
        let sent = plan.pairs(&token);
        assert_eq!(sent[0], pair("BaseAddress", ours().as_str()));
        assert_eq!(sent[1], pair("SecretToken", "new-token"));
        assert_eq!(&sent[2..], settings().as_slice());
        assert!(
            !format!("{sent:?}").contains("new-token"),
            "Debug shows keys only"
        );
    }

    #[test]
    fn the_jobs_own_tenant_url_is_kept_in_either_form() {
        for form in [
            format!("https://webexapis.com/identity/scim/{ORG}/v2/"),
            format!("https://webexapis.com/identity/scim/{}/v2", ORG.to_uppercase()),
            format!("https://api.ciscospark.com/v1/scim/{ORG}"),
        ] {
            let plan = SecretsPlan::new(
                &[pair("BaseAddress", &form)],
                JobCredentials::None,
                &ours(),
                org(),
            )
            .expect(&form);
            assert_eq!(plan.base_address_change, BaseAddressChange::Kept, "{form}");
            assert_eq!(plan.base_address, form);
            assert_eq!(plan.changes, ["SecretToken"]);
        }
    }

    #[test]
    fn another_org_or_a_foreign_url_is_refused() {
        let other = format!("https://api.ciscospark.com/v1/scim/{OTHER}");
        assert!(matches!(
            SecretsPlan::new(
                &[pair("BaseAddress", &other)],
                JobCredentials::None,
                &ours(),
                org()
            ),
            Err(SecretsRefusal::OtherOrg { .. })
        ));
        for foreign in [
            format!("https://scim.contoso.example/identity/scim/{ORG}/v2/"),
            "not a url".to_owned(),
            format!("http://api.ciscospark.com/v1/scim/{ORG}"),
        ] {
            assert!(
                matches!(
                    SecretsPlan::new(
                        &[pair("BaseAddress", &foreign)],
                        JobCredentials::None,
                        &ours(),
                        org()
                    ),
                    Err(SecretsRefusal::NotWebex { .. })
                ),
                "{foreign}"
            );
        }
    }

    #[test]
    fn a_masked_setting_is_refused_by_name() {
        let current = [
            pair("SyncNotificationSettings", "********"),
            pair("SecretToken", "*"),
        ];
        let refused = SecretsPlan::new(&current, JobCredentials::None, &ours(), org()).unwrap_err();
        assert_eq!(
            refused,
            SecretsRefusal::MaskedSetting {
                key: "SyncNotificationSettings".into()
            }
        );
        assert!(refused.to_string().contains("SyncNotificationSettings"));
    }

    #[test]
    fn a_setting_without_a_value_is_never_sent_back_empty() {
        let current: Vec<SecretPair> =
            serde_json::from_str(r#"[{"key":"SyncAll"},{"key":"SecretToken","value":null}]"#).expect("pairs");
        assert_eq!(
            SecretsPlan::new(&current, JobCredentials::None, &ours(), org()).unwrap_err(),
            SecretsRefusal::MaskedSetting {
                key: "SyncAll".into()
            }
        );
        let plan = SecretsPlan::new(&current[1..], JobCredentials::None, &ours(), org())
            .expect("a token without a value is fine");
        assert!(plan.read_settings(), "read, even with no other setting");
    }

    #[test]
    fn drift_names_lost_and_changed_settings() {
        let plan = SecretsPlan::new(&settings(), JobCredentials::None, &ours(), org()).expect("a plan");
        let mut after = settings();
        after.push(pair("BaseAddress", ours().as_str()));
        after.push(pair("SecretToken", "*****"));
        assert!(plan.drift(&after).is_empty());
        // A PUT that replaced the set with the two keys lost the settings.
        let replaced = [pair("BaseAddress", ours().as_str()), pair("SecretToken", "*****")];
        let lost: Vec<String> = plan.drift(&replaced).into_iter().map(|d| d.key).collect();
        assert_eq!(
            lost,
            ["SyncNotificationSettings", "SkipOutOfScopeDeletions", "SyncAll"]
        );
        let mut changed = after.clone();
        changed[1].value = Some("False".into());
        let drift = plan.drift(&changed);
        assert_eq!(drift.len(), 1);
        assert_eq!(drift[0].before, "True");
        assert_eq!(drift[0].after.as_deref(), Some("False"));
        let mut masked = after;
        masked[2].value = Some("***".into());
        assert_eq!(plan.drift(&masked)[0].key, "SyncAll");
    }

    #[test]
    fn tenant_url_orgs() {
        assert_eq!(tenant_url_org(&ours()), Some(org()));
        let sandbox = Url::parse(&format!("http://127.0.0.1:8900/identity/scim/{ORG}/v2/")).expect("a URL");
        assert_eq!(tenant_url_org(&sandbox), Some(org()));
        let elsewhere = Url::parse("https://webexapis.com/v1/people/me").expect("a URL");
        assert_eq!(tenant_url_org(&elsewhere), None);
    }

    #[test]
    fn masked_values_in_any_form_are_refused() {
        for masked in [
            "*",
            "*****",
            "••••",
            "●●●●●●",
            "*****abcd",
            "abcd****",
            " ***** ",
            "∙∙∙∙1234",
        ] {
            let current = [pair("SyncNotificationSettings", masked)];
            assert_eq!(
                SecretsPlan::new(&current, JobCredentials::None, &ours(), org()).unwrap_err(),
                SecretsRefusal::MaskedSetting {
                    key: "SyncNotificationSettings".into()
                },
                "{masked:?}"
            );
        }
        for shown in [
            "True",
            "a*b",
            "**x",
            "ops@contoso.example",
            r#"{"Enabled":true}"#,
            "x**y**z",
        ] {
            assert!(!pair("K", shown).masked(), "{shown:?}");
        }
        let masked_base = [pair("BaseAddress", "https://webexapis.com/****")];
        assert_eq!(
            SecretsPlan::new(&masked_base, JobCredentials::None, &ours(), org()).unwrap_err(),
            SecretsRefusal::MaskedSetting {
                key: "BaseAddress".into()
            }
        );
    }

    #[test]
    fn a_configured_jobs_read_without_its_credentials_is_refused() {
        let saved = JobCredentials::Saved("running");
        let full = |base: Option<&str>, token: Option<&str>| {
            let mut current = settings();
            if let Some(base) = base {
                current.push(pair("BaseAddress", base));
            }
            if let Some(token) = token {
                current.push(pair("SecretToken", token));
            }
            current
        };
        let theirs = format!("https://webexapis.com/identity/scim/{OTHER}/v2/");
        for (base, token, missing) in [
            (None, Some("*****"), "BaseAddress"),
            (Some(""), Some("*****"), "BaseAddress"),
            (Some("  "), Some("*****"), "BaseAddress"),
            (Some(theirs.as_str()), None, "SecretToken"),
            (Some(theirs.as_str()), Some(""), "SecretToken"),
        ] {
            let refused = SecretsPlan::new(&full(base, token), saved, &ours(), org()).unwrap_err();
            assert_eq!(
                refused,
                SecretsRefusal::PartialRead {
                    key: missing,
                    state: "running"
                },
                "{base:?} {token:?}"
            );
            assert!(
                refused.to_string().contains(missing) && refused.to_string().contains("nothing was written")
            );
        }
        let no_token_value: Vec<SecretPair> =
            serde_json::from_str(r#"[{"key":"BaseAddress","value":"x"},{"key":"SecretToken","value":null}]"#)
                .expect("pairs");
        assert!(matches!(
            SecretsPlan::new(&no_token_value, saved, &ours(), org()),
            Err(SecretsRefusal::PartialRead {
                key: "SecretToken",
                ..
            })
        ));
        assert!(
            SecretsPlan::new(&full(Some(ours().as_str()), Some("*****")), saved, &ours(), org()).is_ok(),
            "a whole read"
        );
        assert!(
            SecretsPlan::new(&settings(), JobCredentials::None, &ours(), org()).is_ok(),
            "a job never configured has neither"
        );
    }

    #[test]
    fn a_credentials_value_is_never_in_a_report() {
        let first = [pair("ClientSecret", "s3cr3t-one"), pair("SyncAll", "false")];
        let plan = SecretsPlan::new(&first, JobCredentials::None, &ours(), org()).expect("a plan");
        let later = SecretsPlan::new(
            &[pair("ClientSecret", "s3cr3t-two"), pair("SyncAll", "false")],
            JobCredentials::None,
            &ours(),
            org(),
        )
        .expect("a plan");
        let edits = later.edits_since(&plan);
        assert_eq!(edits[0].key, "ClientSecret");
        assert_eq!(
            (edits[0].before.as_str(), edits[0].after.as_deref()),
            ("[hidden]", Some("[hidden]"))
        );
        let drift = plan.drift(&[pair("SyncAll", "false")]);
        assert!(!format!("{drift:?}").contains("s3cr3t"), "{drift:?}");
        assert!(
            !format!("{drift:?}{:?}", later.edits_since(&plan)).contains("s3cr3t"),
            "no value of a credential"
        );
    }

    #[test]
    fn edits_between_two_reads_are_named() {
        let mut first = settings();
        first.push(pair("BaseAddress", ours().as_str()));
        let plan = SecretsPlan::new(&first, JobCredentials::None, &ours(), org()).expect("a plan");
        let same = SecretsPlan::new(&first, JobCredentials::None, &ours(), org()).expect("a plan");
        assert!(same.edits_since(&plan).is_empty());

        let mut edited = first.clone();
        edited[2].value = Some("true".into());
        edited.push(pair("NewSetting", "1"));
        edited.remove(1);
        let later = SecretsPlan::new(&edited, JobCredentials::None, &ours(), org()).expect("a plan");
        let edits = later.edits_since(&plan);
        let named: Vec<(&str, &str, Option<&str>)> = edits
            .iter()
            .map(|d| (d.key.as_str(), d.before.as_str(), d.after.as_deref()))
            .collect();
        assert_eq!(
            named,
            [
                ("SkipOutOfScopeDeletions", "True", None),
                ("SyncAll", "false", Some("true")),
                ("NewSetting", "", Some("1")),
            ]
        );
        let token = crate::access_token::AccessToken::new("t".into());
        assert!(
            later.pairs(&token).contains(&pair("SyncAll", "true")),
            "the later plan sends the admin's new value"
        );

        let legacy = format!("https://api.ciscospark.com/v1/scim/{ORG}");
        let mut moved = first;
        moved.last_mut().expect("a base").value = Some(legacy.clone());
        let moved = SecretsPlan::new(&moved, JobCredentials::None, &ours(), org()).expect("a plan");
        assert_eq!(moved.edits_since(&plan)[0].key, "BaseAddress");
        assert_eq!(
            moved.edits_since(&plan)[0].after.as_deref(),
            Some(legacy.as_str())
        );
    }
}
