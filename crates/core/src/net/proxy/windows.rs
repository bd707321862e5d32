//! Windows' proxy settings, as Settings › Network › Proxy and Internet Options write them under
//! `HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings`: `ProxyEnable`,
//! `ProxyServer` (one `host:port`, or `http=…;https=…;socks=…`), `ProxyOverride` (`;`-separated,
//! with `*` and `<local>`), `AutoConfigURL` (a PAC file), and automatic detection (WPAD), a flag
//! in `Connections\DefaultConnectionSettings`. Parsing is compiled everywhere and tested on
//! Linux; only the registry read is Windows'.

use super::{AutoConfig, Bypass, ProxyConfig, ProxySource, ProxyUrl};

/// The values read from the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InternetSettings {
    /// `ProxyEnable` is 1.
    pub proxy_enable: bool,
    /// `ProxyServer`.
    pub proxy_server: Option<String>,
    /// `ProxyOverride`.
    pub proxy_override: Option<String>,
    /// `AutoConfigURL`.
    pub auto_config_url: Option<String>,
    /// "Automatically detect settings" is on.
    pub auto_detect: bool,
}

/// The `DefaultConnectionSettings` flag for "Automatically detect settings".
const AUTO_DETECT_FLAG: u8 = 0x08;

impl InternetSettings {
    /// What these settings name, or `None` when they name no proxy and no auto-configuration.
    pub fn config(&self) -> Option<ProxyConfig> {
        let (mut https, mut http) = (None, None);
        if self.proxy_enable
            && let Some(server) = &self.proxy_server
        {
            (https, http) = split_proxy_server(server);
        }
        let auto_config = match &self.auto_config_url {
            Some(url) if !url.trim().is_empty() => Some(AutoConfig::Pac {
                url: url.trim().to_owned(),
            }),
            _ if self.auto_detect => Some(AutoConfig::Discovery),
            _ => None,
        };
        if https.is_none() && http.is_none() && auto_config.is_none() {
            return None;
        }
        Some(ProxyConfig {
            source: ProxySource::WindowsSettings,
            https,
            http,
            bypass: Bypass::parse(self.proxy_override.as_deref().unwrap_or_default()),
            auto_config,
        })
    }

    /// Reads the "Automatically detect settings" flag out of `DefaultConnectionSettings`.
    pub fn auto_detect_from(blob: &[u8]) -> bool {
        blob.get(8).is_some_and(|flags| flags & AUTO_DETECT_FLAG != 0)
    }
}

/// `ProxyServer` → (https proxy, http proxy). One address serves both; a per-protocol list
/// names each (`https=` for https, `http=` for http); `socks=` (SOCKS 4, as Windows speaks it)
/// serves what has none.
fn split_proxy_server(server: &str) -> (Option<ProxyUrl>, Option<ProxyUrl>) {
    if !server.contains('=') {
        let one = ProxyUrl::parse(server).ok();
        return (one.clone(), one);
    }
    let mut by_protocol = std::collections::HashMap::new();
    for part in server.split(';') {
        if let Some((protocol, address)) = part.split_once('=') {
            by_protocol.insert(protocol.trim().to_ascii_lowercase(), address.trim().to_owned());
        }
    }
    let socks = by_protocol
        .get("socks")
        .and_then(|address| ProxyUrl::parse(&format!("socks4a://{address}")).ok());
    let pick = |protocol: &str| {
        by_protocol
            .get(protocol)
            .and_then(|address| ProxyUrl::parse(address).ok())
            .or_else(|| socks.clone())
    };
    (pick("https"), pick("http"))
}

/// Where Windows keeps the settings.
#[cfg(windows)]
const SETTINGS: &str = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";
/// Group Policy's switch to one machine-wide proxy (`ProxySettingsPerUser` = 0).
#[cfg(windows)]
const POLICY: &str = r"Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings";

/// The Internet Settings in force: the machine's when Group Policy makes them machine-wide,
/// else the current user's.
#[cfg(windows)]
pub(super) fn read() -> Option<InternetSettings> {
    let per_machine = windows_registry::LOCAL_MACHINE
        .open(POLICY)
        .and_then(|policy| policy.get_u32("ProxySettingsPerUser"))
        .is_ok_and(|per_user| per_user == 0);
    let root = if per_machine {
        windows_registry::LOCAL_MACHINE
    } else {
        windows_registry::CURRENT_USER
    };
    let key = root.open(SETTINGS).ok()?;
    let auto_detect = key
        .open(r"Connections")
        .and_then(|connections| connections.get_value("DefaultConnectionSettings"))
        .map(|value| InternetSettings::auto_detect_from(&value))
        .unwrap_or(false);
    Some(InternetSettings {
        proxy_enable: key.get_u32("ProxyEnable").unwrap_or(0) != 0,
        proxy_server: key.get_string("ProxyServer").ok(),
        proxy_override: key.get_string("ProxyOverride").ok(),
        auto_config_url: key.get_string("AutoConfigURL").ok(),
        auto_detect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(server: &str) -> InternetSettings {
        InternetSettings {
            proxy_enable: true,
            proxy_server: Some(server.to_owned()),
            ..InternetSettings::default()
        }
    }

    #[test]
    fn one_address_serves_both_schemes() {
        let config = settings("proxy.corp.example:8080").config().unwrap();
        assert_eq!(config.source, ProxySource::WindowsSettings);
        assert_eq!(
            config.https.unwrap().to_string(),
            "http://proxy.corp.example:8080"
        );
        assert_eq!(config.http.unwrap().to_string(), "http://proxy.corp.example:8080");
    }

    #[test]
    fn a_per_protocol_list_is_split() {
        let config = settings("http=web:80;https=secure:3128;ftp=f:21")
            .config()
            .unwrap();
        assert_eq!(config.https.unwrap().authority(), "secure:3128");
        assert_eq!(config.http.unwrap().authority(), "web:80");
        let socks = settings("socks=s:1080").config().unwrap();
        assert_eq!(socks.https.unwrap().to_string(), "socks4a://s:1080");
    }

    #[test]
    fn a_disabled_proxy_is_none_but_a_pac_file_is_named() {
        let mut off = settings("proxy:8080");
        off.proxy_enable = false;
        assert_eq!(off.config(), None);
        off.auto_config_url = Some("http://wpad.corp.example/proxy.pac".into());
        let pac = off.config().unwrap();
        assert_eq!(pac.https, None);
        assert_eq!(
            pac.auto_config,
            Some(AutoConfig::Pac {
                url: "http://wpad.corp.example/proxy.pac".into()
            })
        );
        let discovery = InternetSettings {
            auto_detect: true,
            ..InternetSettings::default()
        };
        assert_eq!(
            discovery.config().unwrap().auto_config,
            Some(AutoConfig::Discovery)
        );
    }

    #[test]
    fn the_override_list_and_the_detect_flag_are_read() {
        let mut with_override = settings("proxy:8080");
        with_override.proxy_override = Some("*.corp.example;<local>".into());
        let config = with_override.config().unwrap();
        assert_eq!(config.bypass.entries(), ["*.corp.example", "<local>"]);
        let mut blob = vec![0x46, 0, 0, 0, 3, 0, 0, 0, 0x09];
        assert!(InternetSettings::auto_detect_from(&blob));
        blob[8] = 0x01;
        assert!(!InternetSettings::auto_detect_from(&blob));
        assert!(!InternetSettings::auto_detect_from(&[0; 4]));
    }
}
