//! Which proxy a request of scim-token's own goes through: the admin's choice
//! ([`ProxyChoice`]), else the environment's variables, else the OS's settings (Windows'
//! Internet Settings, macOS's network settings); loopback never.
//!
//! The decision is made here, by one function ([`ProxyConfig::route`]) that both the HTTP
//! client and `doctor` use, so what doctor reports is what the requests do. reqwest's own
//! system-proxy reading is not used: it cannot say which proxy it picked, takes a Windows
//! `http=…;https=…` list as one address, and ignores `<local>` and auto-configuration.

mod bypass;
mod env;
mod macos;
mod windows;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use thiserror::Error;
use url::Url;

pub use bypass::Bypass;
pub use macos::MacProxies;
pub use windows::InternetSettings;

/// A proxy's address: `http://`, `https://`, `socks4(a)://` or `socks5(h)://`, with a port, perhaps
/// with a user and password (Basic authentication), which [`fmt::Display`] never shows.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl(Url);

/// A proxy address that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "'{0}' is not a proxy address scim-token can use: give http://host:port (or https://, socks5://), or host:port"
)]
pub struct BadProxyUrl(String);

impl ProxyUrl {
    /// Parses `http://host:port`, `socks5://…`, or a bare `host:port` (taken as http, as curl
    /// does).
    pub fn parse(text: &str) -> Result<Self, BadProxyUrl> {
        let text = text.trim();
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("http://{text}")
        };
        let bad = || BadProxyUrl(redact_userinfo(text));
        let mut url = Url::parse(&with_scheme).map_err(|_| bad())?;
        if !matches!(
            url.scheme(),
            "http" | "https" | "socks4" | "socks4a" | "socks5" | "socks5h"
        ) || url.host_str().is_none()
        {
            return Err(bad());
        }
        if url.port().is_none() {
            let default = match url.scheme() {
                "https" => 443,
                "socks4" | "socks4a" | "socks5" | "socks5h" => 1080,
                _ => 80,
            };
            url.set_port(Some(default)).map_err(|()| bad())?;
        }
        url.set_path("");
        url.set_query(None);
        url.set_fragment(None);
        Ok(Self(url))
    }

    /// The address with its credentials, for the HTTP client only.
    pub(crate) fn url(&self) -> &Url {
        &self.0
    }

    /// `host:port`.
    pub fn authority(&self) -> String {
        format!(
            "{}:{}",
            self.0.host_str().unwrap_or_default(),
            self.0.port_or_known_default().unwrap_or(80)
        )
    }

    /// Whether it is a plain HTTP proxy, which `doctor` can open a `CONNECT` tunnel through
    /// itself (not SOCKS, not a proxy reached over TLS).
    pub fn is_plain_http(&self) -> bool {
        self.0.scheme() == "http"
    }

    /// Whether the proxy resolves the host's name (HTTP proxies, socks4a, socks5h); socks4 and
    /// socks5 are given an address resolved on this computer.
    pub fn resolves_names(&self) -> bool {
        !matches!(self.0.scheme(), "socks4" | "socks5")
    }

    /// Whether it carries a user name (and so sends Basic authentication).
    pub fn has_credentials(&self) -> bool {
        !self.0.username().is_empty()
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = match (self.has_credentials(), self.0.password()) {
            (true, Some(_)) => format!("{}:***@", self.0.username()),
            (true, None) => format!("{}@", self.0.username()),
            (false, _) => String::new(),
        };
        write!(f, "{}://{user}{}", self.0.scheme(), self.authority())
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for ProxyUrl {
    /// Without the password, like [`fmt::Display`]: reports and settings files never carry it.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `user:password@` in a text that failed to parse, hidden before it goes into a message: all
/// of the authority up to its last `@` (a password may itself hold an `@`).
pub fn redact_userinfo(text: &str) -> String {
    // Up to the last `@` anywhere: in a text that failed to parse, a password may hold `/`, `?`
    // or `#` as well, and a proxy address has no path whose `@` would be worth keeping.
    let start = text.find("://").map_or(0, |scheme| scheme + 3);
    match text[start..].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]),
        None => text.to_owned(),
    }
}

/// What the admin chose for scim-token's own requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxyChoice {
    /// What the system names (the environment, then the OS's settings).
    #[default]
    System,
    /// No proxy at all.
    Direct,
    /// This proxy for every request but loopback.
    Url(ProxyUrl),
}

impl FromStr for ProxyChoice {
    type Err = BadProxyUrl;

    fn from_str(text: &str) -> Result<Self, BadProxyUrl> {
        match text.trim().to_ascii_lowercase().as_str() {
            "system" => Ok(Self::System),
            "direct" | "none" => Ok(Self::Direct),
            _ => ProxyUrl::parse(text).map(Self::Url),
        }
    }
}

impl fmt::Display for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::System => f.write_str("system"),
            Self::Direct => f.write_str("direct"),
            Self::Url(url) => write!(f, "{url}"),
        }
    }
}

/// Where the proxy configuration in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProxySource {
    /// scim-token's own setting (`--proxy`, the app's setting).
    Setting,
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` (and `NO_PROXY`).
    Environment,
    /// Windows' Internet Settings (Settings › Network › Proxy).
    WindowsSettings,
    /// macOS's network settings (System Settings › Network › Proxies).
    MacSettings,
    /// Nothing names a proxy.
    Nothing,
}

impl ProxySource {
    /// Where it came from, in words.
    pub fn description(self) -> &'static str {
        match self {
            Self::Setting => "scim-token's proxy setting",
            Self::Environment => "the HTTPS_PROXY / HTTP_PROXY environment variables",
            Self::WindowsSettings => "Windows' proxy settings",
            Self::MacSettings => "macOS's network proxy settings",
            Self::Nothing => "no proxy configured",
        }
    }
}

/// A proxy configuration that only a script could evaluate, which scim-token cannot run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AutoConfig {
    /// A proxy auto-configuration (PAC) file at this address.
    Pac {
        /// The PAC file's address.
        url: String,
    },
    /// Web Proxy Auto-Discovery: the PAC file is found on the network (WPAD).
    Discovery,
}

impl fmt::Display for AutoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pac { url } => write!(f, "a proxy auto-configuration script (PAC) at {url}"),
            Self::Discovery => f.write_str("automatic proxy discovery (WPAD)"),
        }
    }
}

/// The proxy configuration in force for this process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyConfig {
    /// Where it came from.
    pub source: ProxySource,
    /// The proxy for `https://` addresses.
    pub https: Option<ProxyUrl>,
    /// The proxy for `http://` addresses.
    pub http: Option<ProxyUrl>,
    /// The hosts that go direct.
    pub bypass: Bypass,
    /// A PAC or WPAD configuration the system also names, which scim-token cannot evaluate.
    pub auto_config: Option<AutoConfig>,
}

/// How a request to one address goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Straight to the host.
    Direct,
    /// Through this proxy.
    Proxy(ProxyUrl),
}

impl ProxyConfig {
    /// No proxy.
    pub fn direct(source: ProxySource) -> Self {
        Self {
            source,
            https: None,
            http: None,
            bypass: Bypass::default(),
            auto_config: None,
        }
    }

    /// The configuration for `choice`: for [`ProxyChoice::System`], this process's
    /// environment, else the OS's settings.
    pub fn resolve(choice: &ProxyChoice) -> Self {
        Self::resolve_with(choice, &|name| std::env::var(name).ok(), read_os_settings)
    }

    /// [`Self::resolve`] over any environment and OS reading (tests).
    pub(crate) fn resolve_with(
        choice: &ProxyChoice,
        var: &dyn Fn(&str) -> Option<String>,
        os: fn() -> Option<ProxyConfig>,
    ) -> Self {
        match choice {
            ProxyChoice::Direct => Self::direct(ProxySource::Setting),
            ProxyChoice::Url(url) => Self {
                source: ProxySource::Setting,
                https: Some(url.clone()),
                http: Some(url.clone()),
                bypass: Bypass::default(),
                auto_config: None,
            },
            ProxyChoice::System => env::from_environment(var)
                .or_else(os)
                .unwrap_or_else(|| Self::direct(ProxySource::Nothing)),
        }
        .with_no_proxy(var)
    }

    /// `NO_PROXY`'s hosts added to the bypass list, whatever named the proxy (the OS's
    /// settings, the admin's choice): the one way to name exceptions on every platform.
    fn with_no_proxy(mut self, var: &dyn Fn(&str) -> Option<String>) -> Self {
        if self.source != ProxySource::Environment {
            let extra = env::no_proxy(var);
            self.bypass = self.bypass.and(&extra);
        }
        self
    }

    /// How a request to `url` goes: loopback and bypassed hosts direct, else through the proxy
    /// for its scheme.
    pub fn route(&self, url: &Url) -> Route {
        let Some(host) = url.host() else {
            return Route::Direct;
        };
        if is_loopback_host(&host) || self.bypass.matches(&host) {
            return Route::Direct;
        }
        let proxy = match url.scheme() {
            "https" => &self.https,
            "http" => &self.http,
            _ => &None,
        };
        proxy.clone().map_or(Route::Direct, Route::Proxy)
    }
}

/// Whether a host is this machine: never proxied, whatever any setting says (a proxy could
/// not reach this machine's loopback, and the sign-in's redirect and the sandbox live there).
pub fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// The environment's proxy variables that hold something scim-token cannot use, by name.
pub fn unusable_variables() -> Vec<String> {
    env::unusable_variables(&|name| std::env::var(name).ok())
}

/// The OS's proxy settings, where this platform has them.
fn read_os_settings() -> Option<ProxyConfig> {
    #[cfg(windows)]
    {
        windows::read().and_then(|settings| settings.config())
    }
    #[cfg(target_os = "macos")]
    {
        macos::read().and_then(|settings| settings.config())
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        None
    }
}

#[cfg(test)]
mod tests;
