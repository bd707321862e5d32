//! What can go wrong between scim-token and Microsoft Entra: signing in, redeeming tokens,
//! calling Graph. Messages carry Entra's and Graph's own codes and never a token.

use std::time::Duration;

use thiserror::Error;

/// A Graph call that failed with Graph's error body.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Microsoft Graph answered {status} {code}: {message}{}", request_id.as_ref().map(|r| format!(" (request-id {r})")).unwrap_or_default())]
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

/// Why an Entra use case failed.
#[derive(Debug, Error)]
pub enum EntraError {
    /// The sign-in page sent back an error (`error`, `error_description` on the redirect).
    #[error("the Entra sign-in failed: {code}: {description}")]
    SignIn {
        /// OAuth error code, e.g. `access_denied`, `consent_required`, `invalid_request`.
        code: String,
        /// Entra's description (with its AADSTS code).
        description: String,
    },
    /// The token endpoint refused (`invalid_grant` for an expired or used refresh token).
    #[error("Entra's token endpoint refused: {code}: {description}")]
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
    /// Entra or Graph could not be reached, or answered something unreadable.
    #[error("cannot reach Microsoft Entra: {0}")]
    Network(String),
    /// A Graph answer did not have the expected shape.
    #[error("Microsoft Graph answered in an unexpected shape: {0}")]
    BadResponse(String),
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
        matches!(self, Self::NotSignedIn { .. } | Self::NoRefreshToken)
            || matches!(self, Self::TokenEndpoint { code, .. } if code == "invalid_grant")
            || matches!(self, Self::Graph(g) if g.status == 401)
    }
}
