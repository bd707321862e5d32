//! macOS's proxy settings (System Settings › Network › Details › Proxies), as the dynamic
//! store's proxies dictionary holds them: `HTTPSEnable`/`HTTPSProxy`/`HTTPSPort`, the same for
//! `HTTP`, `ExcludeSimpleHostnames`, `ProxyAutoConfigEnable` with
//! `ProxyAutoConfigURLString`, and `ProxyAutoDiscoveryEnable`. Parsing is compiled everywhere
//! and tested on Linux; only the read is macOS's.

use super::{AutoConfig, Bypass, ProxyConfig, ProxySource, ProxyUrl};

/// The values read from the dynamic store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacProxies {
    /// The https proxy's host and port, when enabled.
    pub https: Option<(String, Option<i32>)>,
    /// The http proxy's host and port, when enabled.
    pub http: Option<(String, Option<i32>)>,
    /// `ExceptionsList`.
    pub exceptions: Vec<String>,
    /// `ExcludeSimpleHostnames`: names without a dot go direct.
    pub exclude_simple_hostnames: bool,
    /// The PAC file, when `ProxyAutoConfigEnable` is on.
    pub auto_config_url: Option<String>,
    /// `ProxyAutoDiscoveryEnable`.
    pub auto_discovery: bool,
}

impl MacProxies {
    /// What these settings name, or `None` when they name no proxy and no auto-configuration.
    pub fn config(&self) -> Option<ProxyConfig> {
        let proxy = |entry: &Option<(String, Option<i32>)>| {
            entry.as_ref().and_then(|(host, port)| {
                let address = match port {
                    Some(port) => format!("{host}:{port}"),
                    None => host.clone(),
                };
                ProxyUrl::parse(&address).ok()
            })
        };
        let (https, http) = (proxy(&self.https), proxy(&self.http));
        let auto_config = match &self.auto_config_url {
            Some(url) => Some(AutoConfig::Pac { url: url.clone() }),
            None if self.auto_discovery => Some(AutoConfig::Discovery),
            None => None,
        };
        if https.is_none() && http.is_none() && auto_config.is_none() {
            return None;
        }
        let mut exceptions = self.exceptions.join(",");
        if self.exclude_simple_hostnames {
            exceptions.push_str(",<local>");
        }
        Some(ProxyConfig {
            source: ProxySource::MacSettings,
            https,
            http,
            bypass: Bypass::parse(&exceptions),
            auto_config,
        })
    }
}

/// The dynamic store's proxies dictionary, read by its keys' names (the `kSCPropNetProxies…`
/// constants are these strings; naming them avoids `unsafe` extern statics).
#[cfg(target_os = "macos")]
pub(super) fn read() -> Option<MacProxies> {
    use system_configuration::core_foundation::base::CFType;
    use system_configuration::core_foundation::dictionary::CFDictionary;
    use system_configuration::core_foundation::number::CFNumber;
    use system_configuration::core_foundation::string::CFString;
    use system_configuration::dynamic_store::SCDynamicStoreBuilder;

    let store = SCDynamicStoreBuilder::new("scim-token").build()?;
    let proxies: CFDictionary<CFString, CFType> = store.get_proxies()?;
    let get = |key: &'static str| proxies.find(CFString::from_static_string(key)).map(|v| v.clone());
    let number = |key| {
        get(key)
            .and_then(|v| v.downcast::<CFNumber>())
            .and_then(|n| n.to_i32())
    };
    let text = |key| {
        get(key)
            .and_then(|v| v.downcast::<CFString>())
            .map(|s| s.to_string())
    };
    let enabled = |key| number(key).unwrap_or(0) == 1;
    let proxy = |enable, host, port| {
        if enabled(enable) {
            text(host).map(|host| (host, number(port)))
        } else {
            None
        }
    };
    // The ExceptionsList array's items could only be read with `unsafe` pointer casts, which
    // the workspace denies: on macOS, NO_PROXY (or scim-token's setting) names the exceptions.
    let exceptions = Vec::new();
    Some(MacProxies {
        https: proxy("HTTPSEnable", "HTTPSProxy", "HTTPSPort"),
        http: proxy("HTTPEnable", "HTTPProxy", "HTTPPort"),
        exceptions,
        exclude_simple_hostnames: enabled("ExcludeSimpleHostnames"),
        auto_config_url: if enabled("ProxyAutoConfigEnable") {
            text("ProxyAutoConfigURLString")
        } else {
            None
        },
        auto_discovery: enabled("ProxyAutoDiscoveryEnable"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabled_proxies_exceptions_and_pac_are_read() {
        let settings = MacProxies {
            https: Some(("proxy.corp.example".into(), Some(3128))),
            http: None,
            exceptions: vec!["*.local".into(), "169.254/16".into()],
            exclude_simple_hostnames: true,
            auto_config_url: None,
            auto_discovery: false,
        };
        let config = settings.config().unwrap();
        assert_eq!(config.source, ProxySource::MacSettings);
        assert_eq!(
            config.https.unwrap().to_string(),
            "http://proxy.corp.example:3128"
        );
        assert_eq!(config.http, None);
        assert_eq!(config.bypass.entries(), ["*.local", "169.254/16", "<local>"]);
        let pac = MacProxies {
            auto_config_url: Some("http://pac.corp.example/p.pac".into()),
            ..MacProxies::default()
        };
        assert!(matches!(
            pac.config().unwrap().auto_config,
            Some(AutoConfig::Pac { .. })
        ));
        assert_eq!(MacProxies::default().config(), None);
    }
}
