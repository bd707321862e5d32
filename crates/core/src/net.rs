//! scim-token's own requests over the network: the proxy the system (or the admin) names for
//! them ([`proxy`]), the HTTP client built on that decision ([`Http`]), and the words for a
//! request that got no answer ([`NetworkFailure`]), with the certificate's issuer when this
//! computer does not trust it ([`tls_peek`]).
//!
//! Every request of the product's own is made through an [`Http`]: Test Connection, the People
//! API, Entra's token endpoint, Graph, and `doctor`. The sandbox's child is asked over loopback,
//! which no proxy ever sees.

mod failure;
pub mod proxy;
pub mod reach;
pub mod setting;
pub mod tls_peek;

use std::sync::Arc;
use std::time::Duration;

use url::Url;

pub use failure::{NetworkFailure, Problem};
pub use proxy::{ProxyChoice, ProxyConfig, ProxySource, ProxyUrl, Route};

/// How long the certificate's issuer is looked for once a request failed on it.
const ISSUER_LOOKUP_LIMIT: Duration = Duration::from_secs(10);

/// An HTTP client that sends each request by the route [`ProxyConfig::route`] decides, and
/// explains its failures.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    proxy: Arc<ProxyConfig>,
}

/// The client could not be set up (no TLS roots, no crypto provider).
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot set up HTTPS on this computer: {0}")]
pub struct SetupError(String);

impl Http {
    /// A client for `proxy`, tuned by `tune` (timeouts, redirects): the proxy is applied last,
    /// so no caller can leave it out.
    pub fn new(
        proxy: Arc<ProxyConfig>,
        tune: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Result<Self, SetupError> {
        let builder =
            tune(reqwest::Client::builder().user_agent(concat!("scim-token/", env!("CARGO_PKG_VERSION"))));
        let builder = if proxy.https.is_none() && proxy.http.is_none() {
            builder.no_proxy()
        } else {
            let decide = proxy.clone();
            builder.proxy(reqwest::Proxy::custom(move |url| match decide.route(url) {
                Route::Direct => None,
                Route::Proxy(proxy) => Some(proxy.url().clone()),
            }))
        };
        let client = builder.build().map_err(|e| SetupError(e.to_string()))?;
        Ok(Self { client, proxy })
    }

    /// A client that never uses a proxy, for callers that only ever talk to loopback (tests,
    /// benchmarks).
    pub fn direct() -> Result<Self, SetupError> {
        Self::new(Arc::new(ProxyConfig::direct(ProxySource::Setting)), |builder| {
            builder
        })
    }

    /// The client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The proxy configuration its requests follow.
    pub fn proxy(&self) -> &ProxyConfig {
        &self.proxy
    }

    /// How a request to `url` goes.
    pub fn route(&self, url: &Url) -> Route {
        self.proxy.route(url)
    }

    /// Why a request to `url` failed, with the issuer named when a certificate was not trusted
    /// (looked up by a handshake of its own, bounded in time).
    pub async fn explain(&self, error: &reqwest::Error, url: &Url) -> NetworkFailure {
        // After a redirect the failure is the last address's, not the first's.
        let url = error.url().unwrap_or(url);
        let route = self.route(url);
        let mut problem = failure::problem_of(error, &route);
        if matches!(
            problem,
            Problem::UntrustedIssuer { issuer: None } | Problem::Unverifiable { issuer: None, .. }
        ) && let Ok(seen) = tls_peek::peek(url, &route, ISSUER_LOOKUP_LIMIT).await
        {
            problem = problem.with_issuer(seen.issuer);
        }
        NetworkFailure::new(url.host_str().unwrap_or("?"), problem, &route, &self.proxy)
    }

    /// A proxy's refusal answered as a response: a plain-http request through a proxy that
    /// wants credentials gets its 407 as an answer, not as a failed tunnel, and so does any
    /// request through a transparent proxy no setting names. No server but a proxy sends 407.
    pub fn refusal(&self, url: &Url, status: reqwest::StatusCode) -> Option<NetworkFailure> {
        let route = self.route(url);
        (status == reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED).then(|| {
            NetworkFailure::new(
                url.host_str().unwrap_or("?"),
                Problem::ProxyAuthentication,
                &route,
                &self.proxy,
            )
        })
    }
}

#[cfg(test)]
mod tests;
