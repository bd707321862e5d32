//! Where an isolated sign-in window may go. Single sign-on federates to identity providers
//! anywhere, so any `https` page is allowed; plain `http` only for the loopback redirect, for a
//! broker that itself is served over `http` on its own origin, and, when that broker is on
//! loopback (the sandbox), for other loopback origins (its local Entra); every other scheme
//! (`file:`, `data:`, `javascript:`, custom protocols) is refused.

use url::Url;

use crate::broker::Broker;

/// Whether the sign-in window for `broker` may load `url`.
pub fn may_navigate(url: &Url, broker: &Broker) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => {
            same_origin(url, &broker.redirect_uri)
                || same_origin(url, &broker.authorize_url)
                || (matches!(broker.id, crate::broker::BrokerId::Sandbox { .. })
                    && is_loopback(&broker.authorize_url)
                    && is_loopback(url))
        }
        // WebKit's own blank page while a window opens.
        "about" => url.as_str() == "about:blank",
        _ => false,
    }
}

/// Whether the Entra sign-in window may load `url`: https anywhere (federated identity providers),
/// plain http only on the local Entra it signs in at (`local`: its origin, for a local cloud).
/// Its redirect is caught before this is asked.
pub fn may_navigate_entra(url: &Url, local: Option<&Url>) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => local.is_some_and(|base| same_origin(url, base)),
        "about" => url.as_str() == "about:blank",
        _ => false,
    }
}

/// What the window's title shows: the host the user is giving their password to.
pub fn shown_host(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => url.scheme().to_owned(),
    }
}

/// Whether `url` names this machine. The sandbox's broker on loopback may send the window to
/// other loopback origins: its identity provider (the local Entra) lives on another port, and
/// plain http on loopback never crosses a network. Other brokers, even local ones, may not.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Whether two URLs share scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::BrokerId;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn https_anywhere_for_federated_sign_in() {
        let webex = Broker::resolve(&BrokerId::Webex);
        for ok in [
            "https://idbroker.webex.com/idb/oauth2/v1/authorize",
            "https://login.microsoftonline.com/common/saml2",
            "https://sso.example.org/adfs/ls/",
            "http://localhost:3000/auth/code#access_token=x",
        ] {
            assert!(may_navigate(&url(ok), &webex), "{ok}");
        }
    }

    #[test]
    fn plain_http_and_other_schemes_are_refused() {
        let webex = Broker::resolve(&BrokerId::Webex);
        for bad in [
            "http://idbroker.webex.com/idb/oauth2/v1/authorize",
            "http://evil.example/phish",
            "http://localhost:3001/auth/code",
            "http://127.0.0.1:8900/idb/oauth2/v1/authorize",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "javascript:alert(1)",
            "tauri://localhost/index.html",
            "ipc://localhost/list_tokens",
        ] {
            assert!(!may_navigate(&url(bad), &webex), "{bad}");
        }
    }

    #[test]
    fn a_local_broker_may_use_plain_http_on_loopback_only() {
        let sandbox = Broker::resolve(&BrokerId::sandbox_default());
        for ok in [
            "http://127.0.0.1:8900/idb/oauth2/v1/authorize?x=1",
            // Its local Entra, where the federated domain signs in.
            "http://127.0.0.1:8901/7e57a1d0-5a4d-4b0c-8000-00000000e1d0/saml2",
            "http://localhost:8901/",
        ] {
            assert!(may_navigate(&url(ok), &sandbox), "{ok}");
        }
        for bad in [
            "http://evil.example/",
            "http://10.0.0.1:8901/",
            "http://127.0.0.1.evil.example/",
        ] {
            assert!(!may_navigate(&url(bad), &sandbox), "{bad}");
        }
    }

    #[test]
    fn the_entra_window_goes_to_https_and_its_local_entra_only() {
        let local = url("http://127.0.0.1:8901/");
        for ok in [
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
            "https://adfs.example.org/adfs/ls",
            "http://127.0.0.1:8901/organizations/oauth2/v2.0/authorize",
            "about:blank",
        ] {
            assert!(may_navigate_entra(&url(ok), Some(&local)), "{ok}");
        }
        for bad in [
            "http://login.microsoftonline.com/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://10.1.1.1/",
            "http://127.0.0.1:8900/other-local-service",
        ] {
            assert!(!may_navigate_entra(&url(bad), Some(&local)), "{bad}");
        }
        assert!(
            !may_navigate_entra(&url("http://127.0.0.1:8901/"), None),
            "no plain http at all for a real cloud"
        );
    }

    #[test]
    fn title_shows_host_and_port() {
        assert_eq!(
            shown_host(&url("https://idbroker.webex.com/x")),
            "idbroker.webex.com"
        );
        assert_eq!(shown_host(&url("http://127.0.0.1:8900/x")), "127.0.0.1:8900");
    }
}
