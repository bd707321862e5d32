//! What can go wrong between scim-token and Microsoft Entra: signing in, redeeming tokens,
//! calling Graph. Messages carry Entra's and Graph's own codes and never a token.

use std::time::Duration;

use thiserror::Error;

/// A Graph call that failed with Graph's error body.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Microsoft Graph answered {status} {code}: {message}{}{}", request_id.as_ref().map(|r| format!(" (request-id {r})")).unwrap_or_default(), graph_hint(*status))]
pub struct GraphFailure {
    /// HTTP status.
    pub status: u16,
    /// Graph's error code, e.g. `Authorization_RequestDenied`.
    pub code: String,
    /// Graph's message.
    pub message: String,
    /// Graph's `request-id`, for a support case.
    pub request_id: Option<String>,
}

/// What a Graph status asks of the admin.
fn graph_hint(status: u16) -> &'static str {
    match status {
        401 => ". The Entra sign-in is no longer accepted: sign in to Entra again",
        403 => {
            ". The signed-in account needs the Application Administrator or Cloud Application Administrator role (or to own the app), and the client needs the delegated permissions Synchronization.ReadWrite.All and Application.Read.All with consent"
        }
        404 => {
            ". The enterprise app or its provisioning job no longer exists: list the apps again and link the one to use"
        }
        _ => "",
    }
}

/// What an Entra sign-in error asks of the admin, by its OAuth code or AADSTS number.
/// The Conditional Access refusals Microsoft documents for a device or app the policy does not
/// allow, with what each means (`../shared/reference/entra-graph.md`).
const POLICY_REFUSALS: [(&str, &str); 5] = [
    ("AADSTS53000", "the device is not compliant"),
    ("AADSTS53001", "the device is not joined to the domain"),
    ("AADSTS53002", "the application is not approved"),
    ("AADSTS53003", "Conditional Access blocked the sign-in"),
    ("AADSTS50097", "device authentication is required"),
];

/// Whether `description` names `code` as a whole number (AADSTS530032 does not name AADSTS53003).
fn names_code(description: &str, code: &str) -> bool {
    description
        .match_indices(code)
        .any(|(at, _)| !description[at + code.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// What Conditional Access refused, when `description` names one of its refusals (the whole
/// number: AADSTS530032, a security-defaults refusal no browser helps with, is not AADSTS53003).
pub fn policy_refusal(description: &str) -> Option<&'static str> {
    POLICY_REFUSALS
        .iter()
        .find(|(code, _)| names_code(description, code))
        .map(|(_, what)| *what)
}

/// Entra's refusal of a token that came from a device-code sign-in once policy blocks that flow
/// ("protocol tracking": the refresh token remembers how it was got).
const DEVICE_CODE_TRACKED: &str = "AADSTS530036";

/// Whether Entra refused a kept sign-in because it was made with a device code, which the
/// organisation's policy (or Microsoft's security defaults) now blocks: only a browser sign-in
/// helps.
pub fn device_code_tracked(description: &str) -> bool {
    names_code(description, DEVICE_CODE_TRACKED)
}

fn token_endpoint_hint(code: &str, description: &str) -> &'static str {
    if device_code_tracked(description) {
        ". The kept sign-in was made with a device code, and your organisation's policy no longer accepts that way of signing in (Microsoft is closing the device code flow): sign in to Entra again in the browser"
    } else if code == "invalid_grant" {
        ". The kept sign-in has expired or was revoked: sign in to Entra again"
    } else {
        ""
    }
}

fn sign_in_hint(code: &str, description: &str) -> &'static str {
    if policy_refusal(description).is_some() {
        ". Your organisation's sign-in policy refused this window or device (Conditional Access): sign in with your browser instead, on a device the policy allows, or with a device code typed on such a device"
    } else if code == "consent_required"
        || description.contains("AADSTS65001")
        || description.contains("AADSTS90094")
    {
        ". An administrator must grant consent: in the Entra admin center, Enterprise applications → the client (Microsoft Graph Command Line Tools, or your own app registration) → Permissions → Grant admin consent for Synchronization.ReadWrite.All and Application.Read.All"
    } else if description.contains("AADSTS7000218") {
        ". The app registration does not allow the device code flow: in the Entra admin center, App registrations → the app → Authentication → Allow public client flows: Yes, or sign in with your browser"
    } else if description.contains("AADSTS700016") || description.contains("AADSTS50011") {
        ". The tenant does not allow this client: register an app of your own (public client, redirect URI http://localhost, the two permissions above) and sign in with its client ID"
    } else if code == "access_denied" || code == "authorization_declined" {
        ". The sign-in was declined or cancelled"
    } else {
        ""
    }
}

/// Why an Entra use case failed.
#[derive(Debug, Error)]
pub enum EntraError {
    /// The sign-in page sent back an error (`error`, `error_description` on the redirect).
    #[error(
        "the Entra sign-in failed: {code}: {description}{}",
        sign_in_hint(code, description)
    )]
    SignIn {
        /// OAuth error code, e.g. `access_denied`, `consent_required`, `invalid_request`.
        code: String,
        /// Entra's description (with its AADSTS code).
        description: String,
    },
    /// The token endpoint refused (`invalid_grant` for an expired or used refresh token).
    #[error(
        "Entra's token endpoint refused: {code}: {description}{}",
        token_endpoint_hint(code, description)
    )]
    TokenEndpoint {
        /// OAuth error code.
        code: String,
        /// Entra's description.
        description: String,
    },
    /// The token response had no refresh token.
    #[error(
        "Entra issued no refresh token (the offline_access permission was not granted), so scim-token could not check the job later without a new sign-in"
    )]
    NoRefreshToken,
    /// The loopback listener for the sign-in redirect could not start.
    #[error("cannot listen on this machine for the Entra sign-in redirect: {0}")]
    Listener(String),
    /// The sign-in did not finish in time.
    #[error("the Entra sign-in did not finish within {} seconds", .0.as_secs())]
    Timeout(Duration),
    /// The sign-in was cancelled.
    #[error("the Entra sign-in was cancelled")]
    Cancelled,
    /// The device code expired before anyone signed in with it.
    #[error("the device code expired before the sign-in finished: start the sign-in again for a new code")]
    DeviceCodeExpired,
    /// No stored Entra sign-in for this cloud and tenant.
    #[error("not signed in to Entra ({cloud}, tenant {tenant})")]
    NotSignedIn {
        /// The cloud.
        cloud: String,
        /// The tenant.
        tenant: String,
    },
    /// Graph answered with an error.
    #[error(transparent)]
    Graph(#[from] GraphFailure),
    /// Graph kept answering 429 after the retries scim-token allows itself.
    #[error("Microsoft Graph is throttling requests; it asked to wait {} seconds more", .retry_after.as_secs())]
    Throttled {
        /// What Graph's last `Retry-After` asked for.
        retry_after: Duration,
    },
    /// Entra or Graph could not be reached (the request never left this machine), or its
    /// answer could not be read.
    #[error("cannot reach Microsoft Entra: {0}")]
    Network(String),
    /// The request was sent but no whole answer came back (timeout, connection lost): whether
    /// Graph acted on it is unknown.
    #[error(
        "the connection to Microsoft Entra was lost after the request was sent, so whether it took effect is unknown: {0}"
    )]
    Interrupted(String),
    /// The sign-in is to another tenant than the link's.
    #[error(
        "the Entra sign-in is to tenant {signed_in}{}, but this org is linked to a job in tenant {linked}. Nothing was sent. Sign in to Entra in tenant {linked}, or link the org again to a job in this tenant",
        account.as_ref().map(|a| format!(" (as {a})")).unwrap_or_default()
    )]
    WrongTenant {
        /// The link's tenant ID.
        linked: String,
        /// The session's tenant ID.
        signed_in: String,
        /// Who signed in.
        account: Option<String>,
    },
    /// The kept sign-in does not say which tenant it is (made by an older scim-token).
    #[error(
        "the kept Entra sign-in ({cloud}) does not say which tenant it belongs to, so scim-token cannot check it matches the link. Nothing was sent. Sign in to Entra again"
    )]
    TenantUnknown {
        /// The cloud.
        cloud: String,
    },
    /// The job's secrets could not be read, so a push cannot keep its other settings.
    #[error(
        "cannot read the job's provisioning settings ({reason}), so scim-token cannot be sure a push keeps them (notification e-mail, accidental-deletion threshold, scope). Nothing was written. Pushing without the settings check stores only the Tenant URL and token, which erases those settings if Graph's secrets PUT replaces the whole set (unconfirmed)"
    )]
    SettingsUnreadable {
        /// Why.
        reason: String,
    },
    /// The token was stored, but the settings could not be read back to compare.
    #[error(
        "the token was stored, but the job's settings could not be read back to check that they are unchanged ({reason}). Check the notification e-mail, accidental-deletion threshold, SkipOutOfScopeDeletions and scope in the Entra admin center (Provisioning → Settings); the job was not restarted or started"
    )]
    NotVerified {
        /// Why.
        reason: String,
    },
    /// The job's secrets cannot be changed safely.
    #[error(transparent)]
    Settings(#[from] super::secrets::SecretsRefusal),
    /// After the PUT, settings differed from before.
    #[error(
        "the token was stored, but the job's settings changed: {}. Put them back in the Entra admin center (Provisioning → Settings: notification e-mail, accidental-deletion threshold, scope{}) — their values before the push are listed above",
        .0.iter().map(|d| d.key.as_str()).collect::<Vec<_>>().join(", "),
        if .0.iter().any(|d| d.key.eq_ignore_ascii_case("SkipOutOfScopeDeletions")) { "; SkipOutOfScopeDeletions through Graph as in Microsoft's how-to" } else { "" }
    )]
    SettingsChanged(Vec<super::secrets::SettingDrift>),
    /// Someone changed the job's Tenant URL between the push's first read and its write: Test
    /// Connection passed for the old one, so nothing was written.
    #[error(
        "while this push ran, the job's settings were changed in Entra ({}), the Tenant URL among them: Test Connection was run with the one read before, so nothing was written. Push again to check the token against the new Tenant URL",
        .0.iter().map(|d| format!("{} was {}, now {}", d.key, if d.before.is_empty() { "(none)" } else { d.before.as_str() }, d.after.as_deref().unwrap_or("(none)"))).collect::<Vec<_>>().join("; ")
    )]
    EditedDuringPush(Vec<super::secrets::SettingDrift>),
    /// A Graph answer did not have the expected shape.
    #[error("Microsoft Graph answered in an unexpected shape: {0}")]
    BadResponse(String),
    /// A tenant, client or object ID that cannot be one (it would change the request's address).
    #[error("{0}")]
    Invalid(String),
    /// The app has no provisioning job.
    #[error(
        "the enterprise app {app} has no provisioning job: set up provisioning for it in the Entra admin center first"
    )]
    NoJob {
        /// The service principal ID.
        app: String,
    },
    /// The app has several jobs and none was named.
    #[error("the enterprise app {app} has several provisioning jobs ({}); name one with --job", .jobs.join(", "))]
    SeveralJobs {
        /// The service principal ID.
        app: String,
        /// Their IDs.
        jobs: Vec<String>,
    },
}

impl EntraError {
    /// Whether a new interactive sign-in is the way out (refresh token expired, used or revoked).
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            Self::NotSignedIn { .. } | Self::NoRefreshToken | Self::TenantUnknown { .. }
        ) || matches!(self, Self::TokenEndpoint { code, .. } if code == "invalid_grant")
            || matches!(self, Self::Graph(g) if g.status == 401)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(status: u16) -> String {
        EntraError::Graph(GraphFailure {
            status,
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges to complete the operation.".into(),
            request_id: Some("r-1".into()),
        })
        .to_string()
    }

    #[test]
    fn graph_errors_say_what_to_do() {
        assert!(graph(403).contains("Application Administrator or Cloud Application Administrator"));
        assert!(graph(403).contains("request-id r-1"));
        assert!(graph(401).contains("sign in to Entra again"));
        assert!(graph(404).contains("link the one to use"));
    }

    #[test]
    fn sign_in_errors_say_what_to_do() {
        let consent = EntraError::SignIn {
            code: "invalid_client".into(),
            description: "AADSTS65001: The user or administrator has not consented".into(),
        };
        assert!(consent.to_string().contains("Grant admin consent"));
        let expired = EntraError::TokenEndpoint {
            code: "invalid_grant".into(),
            description: "AADSTS700082".into(),
        };
        assert!(expired.to_string().contains("sign in to Entra again"));
        assert!(expired.needs_sign_in());
    }

    #[test]
    fn an_edit_of_the_tenant_url_during_a_push_is_named_with_both_values() {
        let error = EntraError::EditedDuringPush(vec![
            crate::entra::SettingDrift {
                key: "BaseAddress".into(),
                before: String::new(),
                after: Some("https://api.ciscospark.com/v1/scim/x".into()),
            },
            crate::entra::SettingDrift {
                key: "SyncAll".into(),
                before: "false".into(),
                after: None,
            },
        ])
        .to_string();
        assert!(
            error.contains("BaseAddress was (none), now https://api.ciscospark.com/v1/scim/x; SyncAll was false, now (none)")
                && error.contains("nothing was written"),
            "{error}"
        );
    }
}
