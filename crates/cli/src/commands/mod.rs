//! One module per subcommand. Each parses what clap gave it, calls `scim_token_core::api`, and
//! prints; the flows themselves live in core.

pub(crate) mod check;
pub(crate) mod copy;
pub(crate) mod doctor;
pub(crate) mod entra;
pub(crate) mod forget;
pub(crate) mod login;
pub(crate) mod proxy;
pub(crate) mod push;
pub(crate) mod sandbox;
pub(crate) mod status;
pub(crate) mod test;
pub(crate) mod token;
pub(crate) mod watch;

use anyhow::{Context, Result};
use clap::Args;
use scim_token_core::net::ProxyChoice;
use scim_token_core::{Api, BrokerId, OrgId, TokenRecord};

/// The `--proxy` given for this run, which overrides the kept choice.
static PROXY_OVERRIDE: std::sync::OnceLock<ProxyChoice> = std::sync::OnceLock::new();

/// Makes every request of this run use `choice` (`--proxy`).
pub(crate) fn override_proxy(choice: ProxyChoice) {
    let _ = PROXY_OVERRIDE.set(choice);
}

/// The API over the user's tokens and Entra sign-ins, with this run's proxy.
pub(crate) fn api() -> Result<Api> {
    let api = Api::open_default().context("cannot open the token store")?;
    Ok(match PROXY_OVERRIDE.get() {
        Some(choice) => api.with_proxy(choice),
        None => api,
    })
}

/// Which stored token a command acts on.
#[derive(Debug, Args)]
pub(crate) struct Which {
    /// The org (needed when several are stored).
    #[arg(long)]
    org: Option<OrgId>,
    /// The broker the token came from: webex, gov, sandbox or a base URL (needed when one org
    /// has tokens from several).
    #[arg(long)]
    broker: Option<BrokerId>,
}

impl Which {
    /// The one stored record this names.
    pub(crate) fn pick(&self, api: &Api) -> Result<TokenRecord> {
        Ok(api.pick(self.org, self.broker.as_ref())?)
    }
}
