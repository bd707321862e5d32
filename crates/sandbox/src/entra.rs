//! The local Entra: a second loopback origin with Microsoft identity platform v2.0 (sign-in,
//! authorization code + PKCE, the device authorization grant, refresh tokens), Microsoft
//! Graph's synchronization API for the tenant's enterprise apps, a provisioning job that really
//! provisions into a SCIM endpoint, and the identity provider the Webex sandbox's federated
//! domain signs in with.
//!
//! ```text
//! /{tenant}/oauth2/v2.0/authorize      sign-in page (GET), sign-in or cancel (POST) → 302 ?code=
//! /{tenant}/oauth2/v2.0/devicecode     a device code and the code a person types (RFC 8628)
//! /{tenant}/oauth2/v2.0/token          authorization_code (PKCE), device_code and refresh_token grants
//! /devicelogin                         where the code is typed and the sign-in approved or declined
//! /{tenant}/saml2                      the federated sign-in for the Webex sandbox (SSO)
//! /v1.0/servicePrincipals…             apps, synchronization secrets and jobs (Graph v1.0)
//! /beta/servicePrincipals/{id}/synchronization/secrets   reading the secrets, as Microsoft's how-to does
//! ```
//!
//! Where Graph's behaviour is unconfirmed, it plays the one that can hurt by default: the
//! secrets PUT replaces the whole set ([`SecretsPut`]), and v1.0 refuses to read the secrets
//! ([`SecretsRead`]). Each can be switched to test the other.
//!
//! It shares the sandbox's state (the job provisions into the Webex side over real HTTP, the
//! SSO hands a signed-in account back to the Webex broker) but is served from its own port, so
//! its pages are cross-origin to the broker's, as in real life.

mod accounts;
mod device_code;
mod directory;
mod grants;
mod graph;
mod identity;
mod job;
mod loopback;
mod persist;
mod provision;
mod scheduler;
mod tenant;

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use axum::Router;
use uuid::Uuid;

use crate::AppState;

pub use accounts::{EntraAccount, seeded_entra_accounts};
pub use tenant::{SEEDED_SETTINGS, WEBEX_APP_ID};

pub(crate) use graph::{GraphError, faults};
pub(crate) use identity::{DEVICE_LOGIN_PATH, devicecode_path};
pub(crate) use scheduler::run as run_scheduler;

/// The tenant ID the local Entra serves unless told otherwise.
pub const DEFAULT_TENANT: &str = "7e57a1d0-5a4d-4b0c-8000-00000000e1d0";
/// How often the provisioning job runs by default (Entra: about every 40 minutes).
pub const DEFAULT_CYCLE: std::time::Duration = std::time::Duration::from_secs(2400);
/// How long an access token lives by default (Entra: 60–90 minutes).
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: time::Duration = time::Duration::seconds(3600);
/// The longest cycle accepted (a week): longer ones would only overflow date arithmetic.
pub const LONGEST_CYCLE: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
/// How long a device code can be approved and redeemed by default (Entra: 15 minutes).
pub const DEFAULT_DEVICE_CODE_LIFETIME: time::Duration = time::Duration::seconds(900);
/// How long a client waits between polls of a device code by default (Entra: 5 seconds).
pub const DEFAULT_DEVICE_CODE_INTERVAL: time::Duration = time::Duration::seconds(5);
/// The longest device code lifetime or interval accepted (a day): longer ones would only
/// overflow date arithmetic.
pub const LONGEST_DEVICE_CODE_SETTING: time::Duration = time::Duration::days(1);
/// How many directory users are assigned to the Webex app by default.
pub const DEFAULT_DIRECTORY_USERS: usize = 20;

/// What the secrets PUT does with keys it is not sent: unconfirmed for Graph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SecretsPut {
    /// Keeps them; only the keys sent change.
    Merge,
    /// Drops them: the set becomes exactly what was sent (the behaviour that can hurt).
    #[default]
    Replace,
}

/// `text` as one of `choices` (a command-line word and its value), or what to use instead.
fn choose<T: Copy>(text: &str, choices: &[(&str, T)]) -> Result<T, String> {
    choices
        .iter()
        .find(|(word, _)| *word == text)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let words: Vec<&str> = choices.iter().map(|(word, _)| *word).collect();
            format!("'{text}': use one of {}", words.join(", "))
        })
}

impl std::str::FromStr for SecretsPut {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        choose(text, &[("merge", Self::Merge), ("replace", Self::Replace)])
    }
}

/// Where the secrets can be read (`GET …/synchronization/secrets`): unconfirmed on v1.0;
/// Microsoft's own how-to reads them from `/beta`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SecretsRead {
    /// v1.0 and beta.
    V1,
    /// Beta only: v1.0 answers 405.
    #[default]
    Beta,
    /// Neither: both answer 405.
    None,
}

impl std::str::FromStr for SecretsRead {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        choose(
            text,
            &[("v1", Self::V1), ("beta", Self::Beta), ("none", Self::None)],
        )
    }
}

/// What a Conditional Access policy on the device code flow does (Microsoft is closing the flow:
/// security defaults block it for new tenants, a managed policy "Block device code flow" rolls
/// out, and tokens from it are tracked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceCodePolicy {
    /// No such policy.
    #[default]
    Allow,
    /// A device code sign-in is refused when its code is redeemed (AADSTS53003), and a refresh
    /// token from an earlier one too (AADSTS530036).
    Block,
    /// Device code sign-ins still work, but their refresh tokens are refused (AADSTS530036,
    /// "protocol tracking"): the policy came into force after the sign-in.
    Tracked,
}

impl std::str::FromStr for DeviceCodePolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        choose(
            text,
            &[
                ("allow", Self::Allow),
                ("block", Self::Block),
                ("tracked", Self::Tracked),
            ],
        )
    }
}

/// How the local Entra behaves.
#[derive(Debug, Clone)]
pub struct EntraConfig {
    /// Port on 127.0.0.1; `None`: the Webex port + 1 (any free port when the Webex port is 0).
    pub port: Option<u16>,
    /// The tenant ID.
    pub tenant: Uuid,
    /// A public client registered in the tenant besides Microsoft Graph Command Line Tools.
    pub registered_client: Option<String>,
    /// Lifetime of issued access tokens.
    pub token_lifetime: time::Duration,
    /// How long a device code (and the code typed at `/devicelogin`) stays good: `expires_in`
    /// (1 s to [`LONGEST_DEVICE_CODE_SETTING`]; `Sandbox::start` clamps it).
    pub device_code_lifetime: time::Duration,
    /// The least time between two polls of a device code (`interval`); a client that polls
    /// sooner is told `slow_down` and must wait 5 s longer from then on (0 to
    /// [`LONGEST_DEVICE_CODE_SETTING`]; `Sandbox::start` clamps it).
    pub device_code_interval: time::Duration,
    /// Time between provisioning cycles.
    pub cycle: std::time::Duration,
    /// Directory users assigned to the Webex app (with two groups).
    pub users: usize,
    /// Answer every n-th Graph request with 429 and `Retry-After: 1`.
    pub throttle_every: Option<NonZeroU32>,
    /// What the secrets PUT does with keys it is not sent.
    pub secrets_put: SecretsPut,
    /// Where the secrets can be read.
    pub secrets_read: SecretsRead,
    /// A fault: once a secrets PUT succeeded, every later Graph request answers 503.
    pub fail_after_secrets_put: bool,
    /// A fault: every secrets PUT drops this key (a Graph that loses a setting it was sent).
    pub secrets_put_loses: Option<String>,
    /// A fault: every secrets read leaves this key out (a view that hides a key the job has).
    pub secrets_get_hides: Option<String>,
    /// An admin's edit in the admin center while a push runs: at the first Test Connection with
    /// credentials in its body (after the push read the secrets, before it writes them), this
    /// key is set to this value.
    pub edit_during_push: Option<(String, String)>,
    /// A Conditional Access policy that lets only an approved browser sign in: an authorize
    /// request whose `User-Agent` names no Chrome, Edge or Firefox is refused with AADSTS53003,
    /// as a real tenant refuses an embedded webview.
    pub approved_browsers_only: bool,
    /// A Conditional Access policy on the device code flow.
    pub device_code_policy: DeviceCodePolicy,
}

impl Default for EntraConfig {
    fn default() -> Self {
        Self {
            port: None,
            tenant: Uuid::parse_str(DEFAULT_TENANT).expect("constant tenant ID is a UUID"),
            registered_client: None,
            token_lifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
            device_code_lifetime: DEFAULT_DEVICE_CODE_LIFETIME,
            device_code_interval: DEFAULT_DEVICE_CODE_INTERVAL,
            cycle: DEFAULT_CYCLE,
            users: DEFAULT_DIRECTORY_USERS,
            throttle_every: None,
            secrets_put: SecretsPut::default(),
            secrets_read: SecretsRead::default(),
            fail_after_secrets_put: false,
            secrets_put_loses: None,
            secrets_get_hides: None,
            edit_during_push: None,
            approved_browsers_only: false,
            device_code_policy: DeviceCodePolicy::Allow,
        }
    }
}

/// The local Entra's state, inside the sandbox's shared state.
pub(crate) struct Entra {
    pub(crate) accounts: Vec<EntraAccount>,
    pub(crate) grants: Mutex<grants::Grants>,
    /// Device sign-ins waiting for, or given, an answer at `/devicelogin`.
    pub(crate) device_codes: Mutex<device_code::DeviceCodes>,
    pub(crate) tenant: Mutex<tenant::Tenant>,
    pub(crate) directory: directory::Directory,
    persistence: Option<persist::Persistence>,
    /// Wakes the scheduler when a job is started, restarted or paused.
    pub(crate) wake: tokio::sync::Notify,
    /// Built on first use: building a client loads the TLS roots, which a sandbox that never
    /// runs a job (the fuzz targets build one per input) should not pay for.
    http: std::sync::OnceLock<reqwest::Client>,
    /// Graph requests answered, for `throttle_every`.
    pub(crate) graph_requests: AtomicU64,
    /// Set once `edit_during_push` has been played.
    pub(crate) edited_during_push: std::sync::atomic::AtomicBool,
    /// Set by a successful secrets PUT, for `fail_after_secrets_put`.
    pub(crate) secrets_put_done: std::sync::atomic::AtomicBool,
}

impl Entra {
    /// A Graph access token for `email`'s account, as its sign-in through Microsoft Graph
    /// Command Line Tools with the provisioning scopes would give.
    pub(crate) fn issue_graph_token(&self, email: &str, lifetime: time::Duration) -> Option<String> {
        let account = self
            .accounts
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email))?;
        let consent = grants::Consent {
            email: account.email.clone(),
            client_id: scim_token_core::entra::GRAPH_COMMAND_LINE_TOOLS.to_owned(),
            scopes: vec![
                scim_token_core::entra::SYNCHRONIZATION_SCOPE.to_owned(),
                scim_token_core::entra::APPLICATION_READ_SCOPE.to_owned(),
            ],
            device_code: false,
        };
        let issued = self
            .grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .issue_tokens(consent, lifetime, time::OffsetDateTime::now_utc());
        Some(issued.access_token)
    }

    /// The tenant from `data` (when it has one) or freshly seeded.
    pub(crate) fn new(config: &EntraConfig, data: Option<&Path>) -> Result<Self, String> {
        let persistence = data
            .map(|path| persist::Persistence::open(path, config.tenant))
            .transpose()
            .map_err(|e| format!("cannot use the data file for the local Entra: {e}"))?;
        let stored = match &persistence {
            Some(p) => p
                .load()
                .map_err(|e| format!("cannot read the local Entra's state from the data file: {e}"))?,
            None => None,
        };
        let mut tenant = stored.unwrap_or_else(|| tenant::Tenant::seeded(config.tenant, config.cycle));
        // The schedule shows this run's cycle, whatever the run that stored it used.
        for job in tenant.apps.iter_mut().filter_map(|a| a.job.as_mut()) {
            job.schedule.interval = job::iso_interval(config.cycle);
        }
        Ok(Self {
            accounts: seeded_entra_accounts(),
            grants: Mutex::new(grants::Grants::default()),
            device_codes: Mutex::new(device_code::DeviceCodes::default()),
            tenant: Mutex::new(tenant),
            directory: directory::Directory::seeded(config.users),
            persistence,
            wake: tokio::sync::Notify::new(),
            http: std::sync::OnceLock::new(),
            graph_requests: AtomicU64::new(0),
            secrets_put_done: std::sync::atomic::AtomicBool::new(false),
            edited_during_push: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Runs `change` on the tenant and keeps the result (in the data file, if any) before
    /// returning, so an acknowledged change survives a restart.
    pub(crate) fn change<T>(&self, change: impl FnOnce(&mut tenant::Tenant) -> T) -> Result<T, String> {
        let mut tenant = self.tenant.lock().unwrap_or_else(|p| p.into_inner());
        let out = change(&mut tenant);
        if let Some(persistence) = &self.persistence {
            persistence
                .save(&tenant)
                .map_err(|e| format!("the local Entra could not keep the change in its data file: {e}"))?;
        }
        Ok(out)
    }

    /// The job's HTTP client (no proxy, no redirects).
    pub(crate) fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(provision::http_client)
    }

    /// A read of the tenant.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&tenant::Tenant) -> T) -> T {
        read(&self.tenant.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The local Entra's routes.
pub(crate) fn routes(app: &AppState) -> Router<AppState> {
    Router::new()
        .merge(identity::routes())
        .nest("/v1.0", graph::routes(app))
        .nest("/beta", graph::beta_routes(app))
        .fallback(graph::not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modes_read_their_words_and_name_the_others() {
        assert_eq!("merge".parse::<SecretsPut>(), Ok(SecretsPut::Merge));
        assert_eq!("beta".parse::<SecretsRead>(), Ok(SecretsRead::Beta));
        assert_eq!(
            "tracked".parse::<DeviceCodePolicy>(),
            Ok(DeviceCodePolicy::Tracked)
        );
        assert_eq!(
            "sometimes".parse::<DeviceCodePolicy>(),
            Err("'sometimes': use one of allow, block, tracked".to_owned())
        );
    }
}
