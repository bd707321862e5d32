//! The network of one process: the proxy its requests follow (the admin's choice kept beside the
//! records, else the system's) and the HTTP clients built on it, each on first use (loading the
//! system's root certificates is not start-up work: the window or `status` need none). Choosing
//! another proxy replaces the whole, so no client outlives the proxy it was built for.

use std::sync::{Arc, OnceLock};

use super::{Api, ApiError};
use crate::net::{self, Http, ProxyChoice, ProxyConfig, SetupError};
use crate::probe;
use crate::vault::Vault;

/// The proxy in force and its clients.
#[derive(Debug)]
pub(crate) struct Network {
    choice: ProxyChoice,
    proxy: Arc<ProxyConfig>,
    /// Why the kept choice could not be used, if it could not.
    setting_problem: Option<String>,
    /// For Entra and Graph: no redirects followed (a token endpoint never redirects, and
    /// following one could send a code elsewhere), bounded in time. When it cannot be built,
    /// Entra use cases say so: never a default client that follows redirects and waits for ever.
    entra: OnceLock<Result<Http, SetupError>>,
    /// For Test Connection and the People API.
    webex: OnceLock<Result<Http, SetupError>>,
}

impl Network {
    fn new(choice: ProxyChoice, setting_problem: Option<String>) -> Self {
        Self {
            proxy: Arc::new(ProxyConfig::resolve(&choice)),
            choice,
            setting_problem,
            entra: OnceLock::new(),
            webex: OnceLock::new(),
        }
    }

    /// The network with the choice kept beside `vault`'s records.
    pub(crate) fn kept(vault: &Vault) -> Self {
        match vault.records_path().parent().map(net::setting::load) {
            Some(Ok(choice)) => Self::new(choice, None),
            Some(Err(problem)) => {
                tracing::warn!("the proxy setting is not used: {problem}");
                Self::new(ProxyChoice::System, Some(problem.to_string()))
            }
            None => Self::new(ProxyChoice::System, None),
        }
    }
}

impl Api {
    fn network(&self) -> Arc<Network> {
        self.network.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn switch_to(&self, network: Network) {
        *self.network.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(network);
    }

    /// The same API with another proxy choice than the kept one (the CLI's `--proxy`, for one
    /// run).
    pub fn with_proxy(self, choice: &ProxyChoice) -> Self {
        self.switch_to(Network::new(choice.clone(), None));
        self
    }

    /// Keeps `choice` beside the records (for the app, the CLI and the scheduled check) and
    /// follows it from now on.
    pub fn use_proxy(&self, choice: &ProxyChoice) -> Result<(), ApiError> {
        let dir = self
            .vault()
            .records_path()
            .parent()
            .unwrap_or_else(|| std::path::Path::new("."))
            .to_owned();
        net::setting::save(&dir, choice)?;
        self.switch_to(Network::new(choice.clone(), None));
        Ok(())
    }

    /// The proxy choice in force (`system`, `direct` or an address).
    pub fn proxy_choice(&self) -> ProxyChoice {
        self.network().choice.clone()
    }

    /// The proxy configuration this process's requests follow.
    pub fn proxy(&self) -> Arc<ProxyConfig> {
        self.network().proxy.clone()
    }

    /// Why the kept proxy choice is not in force, if it is not.
    pub(super) fn proxy_setting_problem(&self) -> Option<String> {
        self.network().setting_problem.clone()
    }

    /// The client for Entra and Graph, or why there is none.
    pub(super) fn http(&self) -> Result<Http, crate::entra::EntraError> {
        let network = self.network();
        network
            .entra
            .get_or_init(|| {
                Http::new(network.proxy.clone(), |builder| {
                    builder
                        .redirect(reqwest::redirect::Policy::none())
                        .connect_timeout(std::time::Duration::from_secs(15))
                        .timeout(std::time::Duration::from_secs(60))
                })
            })
            .clone()
            .map_err(|e| crate::entra::EntraError::Network(e.to_string()))
    }

    /// The client for Test Connection and the People API, or why there is none.
    pub(super) fn webex_http(&self) -> Result<Http, probe::ProbeError> {
        let network = self.network();
        network
            .webex
            .get_or_init(|| {
                Http::new(network.proxy.clone(), |builder| {
                    builder.timeout(probe::PROBE_TIMEOUT)
                })
            })
            .clone()
            .map_err(probe::ProbeError::Setup)
    }
}
