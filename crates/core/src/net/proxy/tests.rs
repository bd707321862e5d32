use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

fn no_os() -> Option<ProxyConfig> {
    None
}

fn windows_proxy() -> Option<ProxyConfig> {
    InternetSettings {
        proxy_enable: true,
        proxy_server: Some("registry-proxy:8080".into()),
        ..InternetSettings::default()
    }
    .config()
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

fn via(config: &ProxyConfig, target: &str) -> Option<String> {
    match config.route(&url(target)) {
        Route::Direct => None,
        Route::Proxy(proxy) => Some(proxy.authority()),
    }
}

#[test]
fn the_environment_comes_first_then_the_os_settings() {
    let vars = env(&[("HTTPS_PROXY", "http://env-proxy:3128")]);
    let config = ProxyConfig::resolve_with(&ProxyChoice::System, &vars, windows_proxy);
    assert_eq!(config.source, ProxySource::Environment);
    assert_eq!(
        via(&config, "https://graph.microsoft.com/v1.0/"),
        Some("env-proxy:3128".into())
    );
    let config = ProxyConfig::resolve_with(&ProxyChoice::System, &env(&[]), windows_proxy);
    assert_eq!(config.source, ProxySource::WindowsSettings);
    assert_eq!(
        via(&config, "https://webexapis.com/"),
        Some("registry-proxy:8080".into())
    );
    let none = ProxyConfig::resolve_with(&ProxyChoice::System, &env(&[]), no_os);
    assert_eq!(none.source, ProxySource::Nothing);
    assert_eq!(via(&none, "https://webexapis.com/"), None);
}

#[test]
fn each_scheme_has_its_proxy_and_all_proxy_fills_in() {
    let vars = env(&[("http_proxy", "plain:80"), ("ALL_PROXY", "http://all:8080")]);
    let config = ProxyConfig::resolve_with(&ProxyChoice::System, &vars, no_os);
    assert_eq!(via(&config, "http://intranet.example/"), Some("plain:80".into()));
    assert_eq!(
        via(&config, "https://graph.microsoft.com/"),
        Some("all:8080".into())
    );
    let lower_first = env(&[("https_proxy", "lower:1"), ("HTTPS_PROXY", "upper:2")]);
    let config = ProxyConfig::resolve_with(&ProxyChoice::System, &lower_first, no_os);
    assert_eq!(via(&config, "https://a.example/"), Some("lower:1".into()));
    assert_eq!(via(&config, "http://a.example/"), None);
}

#[test]
fn loopback_never_goes_through_a_proxy() {
    let config = ProxyConfig::resolve_with(
        &ProxyChoice::Url(ProxyUrl::parse("http://proxy:3128").unwrap()),
        &env(&[]),
        no_os,
    );
    for target in [
        "http://127.0.0.1:3000/auth/code",
        "http://localhost:8900/",
        "http://LOCALHOST.:8900/",
        "http://sandbox.localhost/",
        "http://[::1]:8901/",
        "http://127.9.9.9/",
    ] {
        assert_eq!(via(&config, target), None, "{target}");
    }
    assert_eq!(
        via(&config, "https://login.microsoftonline.com/"),
        Some("proxy:3128".into())
    );
}

#[test]
fn no_proxy_sends_its_hosts_direct() {
    let vars = env(&[
        ("HTTPS_PROXY", "proxy:3128"),
        ("NO_PROXY", ".corp.example, 10.0.0.0/8"),
    ]);
    let config = ProxyConfig::resolve_with(&ProxyChoice::System, &vars, no_os);
    assert_eq!(via(&config, "https://scim.corp.example/"), None);
    assert_eq!(via(&config, "https://10.2.3.4/"), None);
    assert_eq!(via(&config, "https://webexapis.com/"), Some("proxy:3128".into()));
}

#[test]
fn no_proxy_applies_to_the_os_settings_and_the_setting_too() {
    let vars = env(&[("NO_PROXY", "scim.corp.example")]);
    let config = ProxyConfig::resolve_with(&ProxyChoice::System, &vars, windows_proxy);
    assert_eq!(config.source, ProxySource::WindowsSettings);
    assert_eq!(via(&config, "https://scim.corp.example/"), None);
    assert_eq!(
        via(&config, "https://webexapis.com/"),
        Some("registry-proxy:8080".into())
    );
    let chosen = ProxyConfig::resolve_with(&"http://chosen:9".parse().unwrap(), &vars, no_os);
    assert_eq!(via(&chosen, "https://scim.corp.example/"), None);
    assert_eq!(via(&chosen, "http://[::ffff:127.0.0.1]:8900/"), None);
}

#[test]
fn the_setting_overrides_the_system() {
    let vars = env(&[("HTTPS_PROXY", "env:1")]);
    let direct = ProxyConfig::resolve_with(&ProxyChoice::Direct, &vars, windows_proxy);
    assert_eq!(
        (direct.source, via(&direct, "https://webexapis.com/")),
        (ProxySource::Setting, None)
    );
    let chosen = ProxyConfig::resolve_with(&"http://chosen:9".parse().unwrap(), &vars, windows_proxy);
    assert_eq!(via(&chosen, "https://webexapis.com/"), Some("chosen:9".into()));
}

#[test]
fn proxy_addresses_parse_and_never_show_a_password() {
    let with_user = ProxyUrl::parse("http://alice:s3cret@proxy.corp.example:8080").unwrap();
    assert_eq!(with_user.to_string(), "http://alice:***@proxy.corp.example:8080");
    assert_eq!(
        format!("{with_user:?}"),
        "http://alice:***@proxy.corp.example:8080"
    );
    assert_eq!(
        serde_json::to_string(&with_user).unwrap(),
        "\"http://alice:***@proxy.corp.example:8080\""
    );
    assert!(with_user.has_credentials());
    assert_eq!(
        ProxyUrl::parse("proxy:3128").unwrap().to_string(),
        "http://proxy:3128"
    );
    assert_eq!(ProxyUrl::parse("https://proxy").unwrap().authority(), "proxy:443");
    assert!(!ProxyUrl::parse("socks5h://s:1080").unwrap().is_plain_http());
    assert!(ProxyUrl::parse("proxy:3128").unwrap().is_plain_http());
    let refused = ProxyUrl::parse("ftp://bob:pw@proxy:21").unwrap_err().to_string();
    assert!(
        refused.contains("ftp://***@proxy:21") && !refused.contains("pw"),
        "{refused}"
    );
    assert_eq!(redact_userinfo("ftp://bob:p@ss@h:21/x"), "ftp://***@h:21/x");
    assert_eq!(redact_userinfo("bob:p@ss@h:21"), "***@h:21");
    assert_eq!(
        redact_userinfo("http://alice:pa/ss@proxy:3128"),
        "http://***@proxy:3128"
    );
    assert_eq!(redact_userinfo("alice:pa#ss@proxy:3128"), "***@proxy:3128");
    assert_eq!(redact_userinfo("http://proxy:3128"), "http://proxy:3128");
    assert!(
        "".parse::<ProxyChoice>().is_err(),
        "an empty address is no choice"
    );
    assert!(ProxyUrl::parse("").is_err());
    assert_eq!("direct".parse::<ProxyChoice>().unwrap(), ProxyChoice::Direct);
    assert_eq!("System".parse::<ProxyChoice>().unwrap(), ProxyChoice::System);
}

#[test]
fn unusable_variables_are_named() {
    let vars = env(&[("HTTPS_PROXY", "ftp://x:1"), ("http_proxy", "proxy:80")]);
    assert_eq!(env::unusable_variables(&vars), ["HTTPS_PROXY"]);
}
