//! The hosts that go direct: `NO_PROXY` (curl's rules) and Windows' `ProxyOverride` (with its
//! `*` wildcards and `<local>`), in one matcher.

use std::net::IpAddr;

use serde::Serialize;

/// A list of bypass entries, as the admin wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Bypass(Vec<String>);

impl Bypass {
    /// Entries separated by commas, semicolons or white space (`NO_PROXY` uses commas, Windows
    /// semicolons).
    pub fn parse(list: &str) -> Self {
        Self(
            list.split([',', ';', ' ', '\t', '\n'])
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// These entries and `other`'s.
    pub fn and(&self, other: &Bypass) -> Self {
        Self(self.0.iter().chain(&other.0).cloned().collect())
    }

    /// The entries.
    pub fn entries(&self) -> &[String] {
        &self.0
    }

    /// Whether `host` goes direct.
    pub fn matches(&self, host: &url::Host<&str>) -> bool {
        let ip = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
            url::Host::Domain(_) => None,
        };
        let name = match host {
            url::Host::Domain(name) => name.trim_end_matches('.').to_ascii_lowercase(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        self.0.iter().any(|entry| entry_matches(entry, &name, ip))
    }
}

fn entry_matches(entry: &str, name: &str, ip: Option<IpAddr>) -> bool {
    let entry = entry.to_ascii_lowercase();
    if entry == "*" {
        return true;
    }
    if entry == "<local>" {
        // Windows: a name without a dot is on the intranet.
        return ip.is_none() && !name.contains('.');
    }
    // `10.0.0.1:8080` and `[fd00::1]:8080` name their address; the port is not compared.
    let without_port = strip_port(&entry);
    let bare = without_port
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or_default();
    if let Some(ip) = ip {
        if let Ok(net) = bare.parse::<ipnet::IpNet>() {
            return net.contains(&ip);
        }
        if let Ok(addr) = bare.parse::<IpAddr>() {
            return addr == ip;
        }
    }
    let host_part = strip_port(&entry).trim_end_matches('.').to_owned();
    if host_part.contains('*') {
        return glob(host_part.as_bytes(), name.as_bytes());
    }
    // A domain rule never matches an address: `168.1.7` is no suffix of `192.168.1.7`.
    let domain = host_part.trim_start_matches('.');
    ip.is_none() && !domain.is_empty() && (name == domain || name.ends_with(&format!(".{domain}")))
}

/// `example.com:8080` → `example.com` (a bypass entry's port is not compared).
fn strip_port(entry: &str) -> String {
    if let Some((address, _)) = entry.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
        return format!("[{address}]");
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host.to_owned()
        }
        _ => entry.to_owned(),
    }
}

/// `*` matches any run of characters (Windows' wildcard), iteratively: no recursion to blow.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goes_direct(list: &str, host: &str) -> bool {
        let url = url::Url::parse(&format!("https://{host}/")).unwrap();
        Bypass::parse(list).matches(&url.host().unwrap())
    }

    #[test]
    fn no_proxy_domains_match_themselves_and_below() {
        assert!(goes_direct("example.com", "example.com"));
        assert!(goes_direct("example.com", "api.example.com"));
        assert!(goes_direct(".example.com", "api.example.com"));
        assert!(goes_direct(".example.com", "example.com"));
        assert!(goes_direct("EXAMPLE.com", "Api.Example.COM"));
        assert!(!goes_direct("example.com", "notexample.com"));
        assert!(!goes_direct("example.com", "example.com.evil.net"));
        assert!(goes_direct("webexapis.com:443", "webexapis.com"));
        assert!(goes_direct("*", "graph.microsoft.com"));
        assert!(goes_direct("example.com.", "api.example.com"));
        assert!(!goes_direct("168.1.7", "192.168.1.7"));
    }

    #[test]
    fn addresses_and_networks_match_ip_hosts_only() {
        assert!(goes_direct("10.0.0.0/8", "10.1.2.3"));
        assert!(!goes_direct("10.0.0.0/8", "11.1.2.3"));
        assert!(goes_direct("192.168.1.7", "192.168.1.7"));
        assert!(goes_direct("[fd00::1]", "[fd00::1]"));
        assert!(goes_direct("10.0.0.1:8080", "10.0.0.1"));
        assert!(goes_direct("[fd00::1]:8080", "[fd00::1]"));
        assert!(goes_direct("fd00::/8", "[fd12::5]"));
        assert!(!goes_direct("10.0.0.0/8", "ten.example"));
    }

    #[test]
    fn windows_overrides_have_wildcards_and_local() {
        let list = "*.corp.example;10.*;<local>;*-internal.example";
        assert!(goes_direct(list, "wiki.corp.example"));
        assert!(goes_direct(list, "10.20.30.40"));
        assert!(goes_direct(list, "intranet"));
        assert!(goes_direct(list, "hr-internal.example"));
        assert!(!goes_direct(list, "graph.microsoft.com"));
        assert!(!goes_direct(list, "corp.example.net"));
        assert!(!goes_direct("<local>", "10.1.1.1"));
    }

    #[test]
    fn globs_backtrack_without_recursion() {
        assert!(glob(b"a*b*c", b"axxbyyc"));
        assert!(!glob(b"a*b*c", b"axxbyy"));
        assert!(glob(b"**", b""));
        assert!(glob(&[b'*', b'a'].repeat(50), &[b'a'; 100]));
        assert!(!glob(&[b'*', b'a'].repeat(50), &[b'a'; 49]));
    }
}
