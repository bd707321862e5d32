//! The environment's proxy variables, read as curl reads them: `https_proxy`/`HTTPS_PROXY` for
//! https, `http_proxy`/`HTTP_PROXY` for http, `ALL_PROXY` for both where those are unset, and
//! `NO_PROXY` for the hosts that go direct. A variable set to an address scim-token cannot use
//! is ignored here and named by `doctor`.

use super::{Bypass, ProxyConfig, ProxySource, ProxyUrl};

/// The first of `names` that is set and not empty.
fn first(var: &dyn Fn(&str) -> Option<String>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|name| var(name))
        .find(|value| !value.trim().is_empty())
}

/// The configuration the environment names, or `None` when it names no proxy.
pub(super) fn from_environment(var: &dyn Fn(&str) -> Option<String>) -> Option<ProxyConfig> {
    let all = first(var, &["all_proxy", "ALL_PROXY"]);
    let https = first(var, &["https_proxy", "HTTPS_PROXY"]).or_else(|| all.clone());
    let http = first(var, &["http_proxy", "HTTP_PROXY"]).or(all);
    if https.is_none() && http.is_none() {
        return None;
    }
    let parse = |value: Option<String>| value.and_then(|v| ProxyUrl::parse(&v).ok());
    Some(ProxyConfig {
        source: ProxySource::Environment,
        https: parse(https),
        http: parse(http),
        bypass: no_proxy(var),
        auto_config: None,
    })
}

/// `NO_PROXY`'s hosts.
pub(super) fn no_proxy(var: &dyn Fn(&str) -> Option<String>) -> Bypass {
    Bypass::parse(&first(var, &["no_proxy", "NO_PROXY"]).unwrap_or_default())
}

/// The environment's proxy variables that hold something scim-token cannot use, by name.
pub(crate) fn unusable_variables(var: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    [
        "https_proxy",
        "HTTPS_PROXY",
        "http_proxy",
        "HTTP_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ]
    .iter()
    .filter(|name| {
        var(name).is_some_and(|value| !value.trim().is_empty() && ProxyUrl::parse(&value).is_err())
    })
    .map(|name| (*name).to_owned())
    .collect()
}
