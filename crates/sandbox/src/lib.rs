//! A local Webex and a local Microsoft Entra for offline use, demos and tests: the ID broker's
//! sign-in pages and a SCIM 2.0 API that accepts what Entra's provisioning client sends; and, on a
//! second origin, Entra's identity platform, Graph's synchronization API and a provisioning job
//! (see [`entra`]).
//!
//! ```text
//! Webex origin (port)
//! /idb/oauth2/v1/authorize         sign-in page (GET), sign-in or deny (POST) → 302 to the redirect URI
//! /idb/saml2/jsp/doSSO.jsp         the forced-login wrapper; forwards to `goto`
//! /idb/Consumer/metaAlias/{org}/sp the federated domain's assertion consumer (from the local Entra)
//! /v1/people/me                    who a token belongs to
//! /identity/scim/{orgId}/v2/…      Users, Groups, discovery (RFC 7643/7644)
//! Entra origin (port + 1)
//! /{tenant}/oauth2/v2.0/…          authorize, token, devicecode; /{tenant}/saml2 for the federated domain
//! /devicelogin                     where a device sign-in's code is typed, approved or declined
//! /v1.0/servicePrincipals…         apps, synchronization secrets and jobs
//! /beta/servicePrincipals/{id}/synchronization/secrets   reading the secrets
//! both
//! /_sandbox/log                    recent requests at both origins, secrets redacted
//! /_sandbox/info                   both origins' bases, org, Tenant URL, clients, scopes, accounts
//! ```
//!
//! The Webex half lives in the `webex` module (its SCIM API is public as [`scim`]), the Entra
//! half in [`entra`]; what both use is beside them. The People, SCIM and Graph APIs are behind
//! authentication layers on their routes, which check the bearer token (for SCIM also the org and
//! the scope) before any handler runs; the sign-in pages and `/_sandbox/*` are public.
//!
//! Every route answers only requests whose `Host` is 127.0.0.1, localhost or \[::1\] (421
//! otherwise), so a DNS-rebinding page cannot read it. Run one on loopback with
//! [`Sandbox::start`]:
//!
//! ```no_run
//! # async fn run() -> Result<(), scim_token_sandbox::SandboxError> {
//! use scim_token_sandbox::{Sandbox, SandboxConfig};
//!
//! let running = Sandbox::start(SandboxConfig::default(), 8900).await?;
//! println!("Webex sandbox on {}", running.base());
//! running.serve_until(async { tokio::signal::ctrl_c().await.unwrap_or(()) }).await?;
//! # Ok(())
//! # }
//! ```

mod authorization;
pub mod entra;
mod error;
mod host;
mod html;
mod info;
mod log;
mod running;
mod webex;

use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use scim_token_core::OrgId;
use time::Duration;

use webex::{token_file, tokens};

pub use entra::EntraConfig;
pub use error::SandboxError;
pub use running::RunningSandbox;
pub use scim_token_core::sandbox_child::{SandboxOrigin, SandboxRequest};
pub use webex::scim;
pub use webex::{Account, FEDERATED_DOMAIN, Grant, TokenStore, seeded_accounts};

/// The org the sandbox serves unless told otherwise.
pub const DEFAULT_ORG: &str = "5a4db0c5-0000-4000-8000-00000000c0de";
/// How long a sandbox token lives by default: what Webex's sample redirect says (about 45 days).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::seconds(3_887_999);

/// How a sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The org whose SCIM API is served.
    pub org_id: OrgId,
    /// Sign this account in without showing the form (tests, demos).
    pub auto_approve: Option<String>,
    /// Answer every sign-in with `access_denied`, as if the user pressed Deny (tests, demos).
    pub auto_deny: bool,
    /// Lifetime of the tokens it issues.
    pub token_lifetime: Duration,
    /// Generated users to start with (only into an empty store).
    pub seed_users: usize,
    /// Keep users and groups (and the local Entra's apps, secrets and job state) in this SQLite
    /// file; in memory when `None`.
    pub data: Option<std::path::PathBuf>,
    /// The local Entra.
    pub entra: EntraConfig,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            org_id: OrgId::parse_exact(DEFAULT_ORG).expect("constant org ID is valid"),
            auto_approve: None,
            auto_deny: false,
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            seed_users: 0,
            data: None,
            entra: EntraConfig::default(),
        }
    }
}

/// State shared by every route.
#[derive(Clone)]
struct AppState(Arc<Shared>);

struct Shared {
    config: SandboxConfig,
    accounts: Vec<Account>,
    tokens: Mutex<TokenStore>,
    /// Where issued tokens are kept across restarts (`--data`).
    token_file: Option<token_file::TokenFile>,
    scim: scim::Store,
    log: Mutex<log::RequestLog>,
    entra: entra::Entra,
    federation: Mutex<webex::Federation>,
    /// Where the Webex side and the local Entra are served, once bound.
    webex_base: OnceLock<url::Url>,
    entra_base: OnceLock<url::Url>,
}

impl AppState {
    /// Issues a Webex token for `account` with `scopes`, keeping its grant (hashed) in the data
    /// file when there is one. Returns the token and its lifetime.
    fn issue(&self, account: &Account, scopes: Vec<String>) -> (String, Duration) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let (token, lifetime) = tokens.issue(account, self.config.org_id, scopes, self.config.token_lifetime);
        if let Some(file) = &self.token_file {
            let key = tokens::key(&token);
            if let Some(grant) = tokens.grant_for(&key)
                && let Err(e) = file.save(&key, &grant)
            {
                // The token works until the sandbox restarts; say why it will not after.
                tracing::warn!("sandbox: a token could not be kept in the data file: {e}");
            }
        }
        (token, lifetime)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// A running sandbox's state and routes.
#[derive(Clone)]
pub struct Sandbox {
    state: AppState,
}

impl Sandbox {
    /// A sandbox with the seeded accounts, its data (from `config.data` if given) and
    /// `config.seed_users` generated users when it starts empty.
    pub fn new(config: SandboxConfig) -> Result<Self, SandboxError> {
        let scim = match &config.data {
            Some(path) => scim::Store::open(config.org_id, path).map_err(SandboxError::Data)?,
            None => scim::Store::new(config.org_id),
        };
        scim::seed_demo(&scim, config.seed_users);
        let entra = entra::Entra::new(&config.entra, config.data.as_deref()).map_err(SandboxError::Data)?;
        let mut tokens = TokenStore::default();
        let token_file = match &config.data {
            Some(path) => {
                let file = token_file::TokenFile::open(path)
                    .map_err(|e| SandboxError::Data(format!("cannot keep tokens in the data file: {e}")))?;
                let kept = file
                    .load(time::OffsetDateTime::now_utc())
                    .map_err(|e| SandboxError::Data(format!("cannot read tokens from the data file: {e}")))?;
                for (key, grant) in kept {
                    tokens.restore(key, grant);
                }
                Some(file)
            }
            None => None,
        };
        let state = AppState(Arc::new(Shared {
            accounts: seeded_accounts(),
            tokens: Mutex::new(tokens),
            token_file,
            scim,
            log: Mutex::new(log::RequestLog::default()),
            entra,
            federation: Mutex::new(webex::Federation::default()),
            webex_base: OnceLock::new(),
            entra_base: OnceLock::new(),
            config,
        }));
        Ok(Self { state })
    }

    /// The configuration.
    pub fn config(&self) -> &SandboxConfig {
        &self.state.config
    }

    /// The accounts that can sign in.
    pub fn accounts(&self) -> &[Account] {
        &self.state.accounts
    }

    /// Issues a token directly, as a sign-in would (for tests and seeding tools).
    pub fn issue_token(&self, email: &str) -> Option<String> {
        let account = self
            .state
            .accounts
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email))?;
        let scopes = account.grantable_scopes(&scim_token_core::broker::SCOPES.map(str::to_owned));
        Some(self.state.issue(account, scopes).0)
    }

    /// Issues a Graph access token for a local Entra account directly, as its sign-in through
    /// Microsoft Graph Command Line Tools would with the provisioning scopes: the Entra
    /// counterpart of [`Sandbox::issue_token`] (for tests and seeding tools).
    pub fn issue_graph_token(&self, email: &str) -> Option<String> {
        self.state
            .entra
            .issue_graph_token(email, self.state.config.entra.token_lifetime)
    }

    /// The request log, oldest first.
    pub fn log(&self) -> Vec<SandboxRequest> {
        self.state.log.lock().unwrap_or_else(|p| p.into_inner()).entries()
    }

    /// The Webex side's routes, behind the request log and the DNS-rebinding guard (requests
    /// whose `Host` is not 127.0.0.1, localhost or \[::1\] get 421, and are logged).
    pub fn router(&self) -> Router {
        webex::routes(&self.state)
            .route("/_sandbox/log", axum::routing::get(log::show))
            .route("/_sandbox/info", axum::routing::get(info::show))
            .fallback(scim::not_found)
            .layer(axum::middleware::from_fn(host::only_loopback))
            .layer(axum::middleware::from_fn_with_state(
                self.state.clone(),
                log::record_webex,
            ))
            .with_state(self.state.clone())
    }

    /// The local Entra's routes (identity platform and Graph), behind the same request log and
    /// guard, to be served on their own origin.
    pub fn entra_router(&self) -> Router {
        entra::routes(&self.state)
            .route("/_sandbox/log", axum::routing::get(log::show))
            .route("/_sandbox/info", axum::routing::get(info::show))
            .layer(axum::middleware::from_fn_with_state(
                self.state.clone(),
                entra::faults,
            ))
            .layer(axum::middleware::from_fn(host::only_loopback))
            .layer(axum::middleware::from_fn_with_state(
                self.state.clone(),
                log::record_entra,
            ))
            .with_state(self.state.clone())
    }

    /// The Webex side's users and groups.
    pub fn scim_store(&self) -> &scim::Store {
        &self.state.scim
    }

    /// The local Entra's accounts.
    pub fn entra_accounts(&self) -> &[entra::EntraAccount] {
        &self.state.entra.accounts
    }
}
