//! One error type for every use case, with a closed kind for the front end.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::callback::{BrokerErrorCode, CallbackError};
use crate::clipboard::ClipboardError;
use crate::entra::EntraError;
use crate::listener::ListenerError;
use crate::org_id::{OrgId, OrgIdError};
use crate::probe::ProbeError;
use crate::vault::VaultError;

/// What went wrong, as a closed set a front end can branch on. Serialised in kebab-case
/// (`port-busy`, `not-found`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The OS keyring is locked, missing or not answering.
    Keyring,
    /// No token is stored for the org asked for.
    NotFound,
    /// No token is stored at all.
    NoTokens,
    /// Several orgs are stored and none was named.
    SeveralOrgs,
    /// The records file cannot be read or written.
    Records,
    /// The records file is unreadable or from a newer version.
    CorruptRecords,
    /// The keyring holds another token than its record describes.
    TokenMismatch,
    /// An org ID, broker or other argument is not valid.
    InvalidArgument,
    /// The clipboard cannot be used.
    Clipboard,
    /// Test Connection: the token was refused (expired or revoked).
    TokenRefused,
    /// Test Connection: the token may not provision users.
    Forbidden,
    /// Test Connection: the Tenant URL does not exist.
    TenantNotFound,
    /// Test Connection: the server answered, but not as Azure expects.
    BadResponse,
    /// The server could not be reached.
    Network,
    /// Port 3000 is held by another program.
    PortBusy,
    /// The sign-in listener could not start.
    Listener,
    /// The user denied the sign-in at the broker.
    Denied,
    /// The broker reported another error, or the redirect was not acceptable.
    Callback,
    /// The sign-in did not finish in time.
    Timeout,
    /// The sign-in was cancelled.
    Cancelled,
    /// The local sandbox could not start.
    Sandbox,
    /// A window could not be opened or changed.
    Window,
    /// The system browser could not be opened.
    Browser,
    /// Start at login could not be changed.
    Autostart,
    /// The background watch could not be read or changed.
    Watch,
    /// No Entra sign-in is kept, or it expired: sign in to Entra (again).
    EntraSignInNeeded,
    /// The kept Entra sign-in came from a device code, which the organisation's policy now
    /// refuses: sign in to Entra again in the browser (not with a device code).
    EntraBrowserSignInNeeded,
    /// The Entra sign-in failed (denied, consent missing, bad request).
    EntraSignIn,
    /// The organisation's sign-in policy (Conditional Access) refused this device, window or
    /// app: sign in with the system browser or a device code instead.
    EntraPolicy,
    /// Graph refused: the admin lacks the role or the permission.
    EntraPermission,
    /// Graph does not know the app or job.
    EntraNotFound,
    /// Graph is throttling.
    EntraThrottled,
    /// Graph or the job refused for another reason (e.g. the token failed Test Connection).
    EntraRefused,
    /// The org's token is linked to no provisioning job.
    NotLinked,
    /// The Entra sign-in is to another tenant than the linked job's.
    EntraWrongTenant,
    /// The job's other settings cannot be kept safely (unreadable, masked, another org's
    /// Tenant URL), or a push changed them.
    EntraSettings,
    /// Another scim-token program holds what this one needs (the records, or a push to the same
    /// job) and did not let go within the wait.
    Busy,
}

/// A use case failed. The message says what happened and, where core can, what to do.
#[derive(Debug, Error)]
pub enum ApiError {
    /// Keeping or reading tokens failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Another push to the same job (another window, the CLI, the background renewal) held it
    /// for the whole wait. Nothing was read or written by this one.
    #[error("another push to the job {job} is still running ({holder}); this one waited {} s and wrote nothing. Let it finish, then push again if its result is not what you want", .waited.as_secs())]
    PushBusy {
        /// The job.
        job: String,
        /// Who holds it, in words.
        holder: String,
        /// How long this push waited.
        waited: std::time::Duration,
    },
    /// No token is stored yet.
    #[error("no token is stored yet: sign in to get one")]
    NoTokens,
    /// Several tokens match; the caller must choose by org (and broker).
    #[error("several tokens are stored; choose one: {}", .0.iter().map(|(org, broker)| format!("{org} ({broker})")).collect::<Vec<_>>().join(", "))]
    SeveralOrgs(Vec<(OrgId, String)>),
    /// An argument was not valid.
    #[error("{0}")]
    InvalidArgument(String),
    /// The clipboard failed.
    #[error(transparent)]
    Clipboard(#[from] ClipboardError),
    /// Test Connection failed.
    #[error(transparent)]
    Probe(#[from] ProbeError),
    /// The sign-in listener failed.
    #[error(transparent)]
    Listener(#[from] ListenerError),
    /// The redirect was not accepted, or the broker reported an error.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// Entra or Graph failed.
    #[error(transparent)]
    Entra(#[from] EntraError),
    /// A sign-in stopped waiting: cancelled, its window closed, or interrupted.
    #[error("{0}")]
    Stopped(super::stop::Stop),
    /// A sign-in did not finish in time.
    #[error("the sign-in did not finish within {} minutes: start again", .0.as_secs().div_ceil(60))]
    TimedOut(std::time::Duration),
    /// The system browser could not be opened.
    #[error("cannot open your browser ({0}): copy the sign-in link and open it yourself")]
    Browser(String),
    /// The background watch could not be read or changed.
    #[error(transparent)]
    Watch(#[from] crate::watch::WatchError),
    /// The proxy setting could not be kept.
    #[error(transparent)]
    ProxySetting(#[from] crate::net::setting::SettingError),
    /// The org's token feeds no Entra provisioning job yet.
    #[error("the token of org {0} is not linked to an Entra provisioning job yet")]
    NotLinked(OrgId),
}

impl From<OrgIdError> for ApiError {
    fn from(err: OrgIdError) -> Self {
        Self::InvalidArgument(err.to_string())
    }
}

impl ApiError {
    /// The kind, for a front end to branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Vault(err) => match err {
                VaultError::Keyring(_) => ErrorKind::Keyring,
                VaultError::NotFound(_) => ErrorKind::NotFound,
                VaultError::Mismatch { .. } => ErrorKind::TokenMismatch,
                VaultError::CorruptRecords { .. } | VaultError::NewerRecords { .. } => {
                    ErrorKind::CorruptRecords
                }
                VaultError::Records { .. } | VaultError::NoConfigDir => ErrorKind::Records,
                VaultError::RecordsBusy { .. } => ErrorKind::Busy,
            },
            Self::PushBusy { .. } => ErrorKind::Busy,
            Self::NoTokens => ErrorKind::NoTokens,
            Self::SeveralOrgs(_) => ErrorKind::SeveralOrgs,
            Self::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Self::Clipboard(_) => ErrorKind::Clipboard,
            Self::Probe(err) => match err {
                ProbeError::Unauthorized(_) => ErrorKind::TokenRefused,
                ProbeError::Forbidden(_) => ErrorKind::Forbidden,
                ProbeError::NotFound(_) => ErrorKind::TenantNotFound,
                ProbeError::Status { .. } | ProbeError::BadResponse(_) => ErrorKind::BadResponse,
                ProbeError::Network(_) | ProbeError::Setup(_) => ErrorKind::Network,
            },
            Self::Listener(err) => match err {
                ListenerError::PortInUse { .. } => ErrorKind::PortBusy,
                ListenerError::Bind { .. } => ErrorKind::Listener,
                ListenerError::Callback(err) => callback_kind(err),
                ListenerError::Timeout(_) => ErrorKind::Timeout,
                ListenerError::Cancelled => ErrorKind::Cancelled,
            },
            Self::Callback(err) => callback_kind(err),
            Self::Entra(err) => entra_kind(err),
            Self::NotLinked(_) => ErrorKind::NotLinked,
            Self::ProxySetting(crate::net::setting::SettingError::PasswordInSetting) => {
                ErrorKind::InvalidArgument
            }
            Self::ProxySetting(_) => ErrorKind::Records,
            Self::Stopped(_) => ErrorKind::Cancelled,
            Self::TimedOut(_) => ErrorKind::Timeout,
            Self::Watch(_) => ErrorKind::Watch,
            Self::Browser(_) => ErrorKind::Browser,
        }
    }

    /// Whether a new interactive Entra sign-in is the way out.
    pub fn needs_entra_sign_in(&self) -> bool {
        matches!(self, Self::Entra(err) if err.needs_sign_in())
    }
}

fn entra_kind(err: &EntraError) -> ErrorKind {
    // A policy refusal first: signing in again in the same place would only be refused again.
    if let EntraError::SignIn { description, .. } | EntraError::TokenEndpoint { description, .. } = err {
        if crate::entra::device_code_tracked(description) {
            return ErrorKind::EntraBrowserSignInNeeded;
        }
        if crate::entra::policy_refusal(description).is_some() {
            return ErrorKind::EntraPolicy;
        }
    }
    if err.needs_sign_in() {
        return ErrorKind::EntraSignInNeeded;
    }
    match err {
        EntraError::SignIn { code, .. } if code == "access_denied" || code == "authorization_declined" => {
            ErrorKind::Denied
        }
        EntraError::SignIn { .. } | EntraError::TokenEndpoint { .. } => ErrorKind::EntraSignIn,
        EntraError::Listener(_) => ErrorKind::Listener,
        EntraError::Invalid(_) => ErrorKind::InvalidArgument,
        EntraError::Timeout(_) | EntraError::DeviceCodeExpired => ErrorKind::Timeout,
        EntraError::Cancelled => ErrorKind::Cancelled,
        EntraError::Graph(g) if g.status == 403 => ErrorKind::EntraPermission,
        EntraError::Graph(g) if g.status == 404 => ErrorKind::EntraNotFound,
        EntraError::NoJob { .. } | EntraError::SeveralJobs { .. } => ErrorKind::EntraNotFound,
        EntraError::Throttled { .. } => ErrorKind::EntraThrottled,
        EntraError::Network(_) | EntraError::Interrupted(_) => ErrorKind::Network,
        EntraError::WrongTenant { .. } => ErrorKind::EntraWrongTenant,
        EntraError::SettingsUnreadable { .. }
        | EntraError::Settings(_)
        | EntraError::NotVerified { .. }
        | EntraError::SettingsChanged(_)
        | EntraError::EditedDuringPush(_) => ErrorKind::EntraSettings,
        EntraError::TenantUnknown { .. } => ErrorKind::EntraSignInNeeded,
        EntraError::Graph(_)
        | EntraError::BadResponse(_)
        | EntraError::NotSignedIn { .. }
        | EntraError::NoRefreshToken => ErrorKind::EntraRefused,
    }
}

fn callback_kind(err: &CallbackError) -> ErrorKind {
    match err {
        CallbackError::Broker {
            code: BrokerErrorCode::AccessDenied,
            ..
        } => ErrorKind::Denied,
        _ => ErrorKind::Callback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_in_kebab_case() {
        assert_eq!(
            serde_json::to_string(&ErrorKind::PortBusy).unwrap(),
            "\"port-busy\""
        );
        assert_eq!(
            serde_json::to_string(&ErrorKind::NoTokens).unwrap(),
            "\"no-tokens\""
        );
        assert_eq!(
            serde_json::from_str::<ErrorKind>("\"token-refused\"").unwrap(),
            ErrorKind::TokenRefused
        );
    }

    #[test]
    fn a_conditional_access_refusal_is_named_wherever_entra_sends_it() {
        let refused = |description: &str| {
            ApiError::Entra(EntraError::SignIn {
                code: "access_denied".into(),
                description: description.into(),
            })
            .kind()
        };
        assert_eq!(
            refused("AADSTS53003: Access has been blocked by Conditional Access policies."),
            ErrorKind::EntraPolicy
        );
        assert_eq!(
            refused("AADSTS53000: Device is not in required device state."),
            ErrorKind::EntraPolicy
        );
        assert_eq!(
            refused("AADSTS530032: Blocked by security defaults."),
            ErrorKind::Denied,
            "another number that starts alike is not the policy refusal"
        );
        assert_eq!(
            refused("AADSTS65004: User declined to consent."),
            ErrorKind::Denied
        );
        // From the token endpoint too, even as invalid_grant (which otherwise asks for a sign-in).
        let tracked = ApiError::Entra(EntraError::TokenEndpoint {
            code: "invalid_grant".into(),
            description: "AADSTS530036: Access has been blocked due to a tracked protocol.".into(),
        });
        assert_eq!(tracked.kind(), ErrorKind::EntraBrowserSignInNeeded);
        assert!(
            tracked.to_string().contains("made with a device code")
                && tracked
                    .to_string()
                    .contains("sign in to Entra again in the browser"),
            "{tracked}"
        );
        let near = ApiError::Entra(EntraError::TokenEndpoint {
            code: "invalid_grant".into(),
            description: "AADSTS5300361: something else".into(),
        });
        assert_eq!(near.kind(), ErrorKind::EntraSignInNeeded, "the whole number only");
        let at_token = ApiError::Entra(EntraError::TokenEndpoint {
            code: "invalid_grant".into(),
            description: "AADSTS53003: Access has been blocked by Conditional Access policies.".into(),
        });
        assert_eq!(at_token.kind(), ErrorKind::EntraPolicy);
        let declined = ApiError::Entra(EntraError::SignIn {
            code: "authorization_declined".into(),
            description: "AADSTS70000: the user declined".into(),
        });
        assert_eq!(declined.kind(), ErrorKind::Denied);
    }

    #[test]
    fn a_denied_sign_in_is_its_own_kind() {
        let denied = ApiError::Callback(CallbackError::Broker {
            code: BrokerErrorCode::AccessDenied,
            description: None,
            uri: None,
        });
        assert_eq!(denied.kind(), ErrorKind::Denied);
        let other = ApiError::Listener(ListenerError::Callback(CallbackError::Broker {
            code: BrokerErrorCode::ServerError,
            description: None,
            uri: None,
        }));
        assert_eq!(other.kind(), ErrorKind::Callback);
        assert_eq!(
            ApiError::Listener(ListenerError::Cancelled).kind(),
            ErrorKind::Cancelled
        );
    }
}
