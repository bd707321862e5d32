//! The provisioning job's one network rule: it calls loopback addresses only. A Tenant URL is
//! checked once, when the job is given it, and `localhost` is rewritten to 127.0.0.1 so that no
//! resolver is ever asked where to send a secret token.

use std::net::Ipv6Addr;

use url::{Host, Url};

/// A Tenant URL (or other address) the sandbox's job will not call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{refused} is refused: the sandbox's provisioning job only calls loopback addresses \
     (127.0.0.0/8, [::1] or localhost)"
)]
pub(crate) struct NotLoopback {
    /// What was refused, e.g. `the host 'evil.example'`.
    refused: String,
}

impl NotLoopback {
    fn new(refused: impl Into<String>) -> Self {
        Self {
            refused: refused.into(),
        }
    }
}

/// `base_address` as a URL, if it is an `http`/`https` URL on a loopback address: an IPv4
/// address in 127.0.0.0/8, `[::1]`, or `localhost` (any case; rewritten to 127.0.0.1).
/// Everything else is refused, user info included.
pub(crate) fn loopback_only(base_address: &str) -> Result<Url, NotLoopback> {
    let text = base_address.trim();
    if text.is_empty() {
        return Err(NotLoopback::new("an empty address"));
    }
    // Never quote what does not parse: a swapped BaseAddress and SecretToken would put the
    // token into the answer and the job's status.
    let mut url =
        Url::parse(text).map_err(|e| NotLoopback::new(format!("an address that is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NotLoopback::new(format!(
            "the scheme '{}' (only http and https)",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(NotLoopback::new("an address with user info"));
    }
    let localhost = match url.host() {
        Some(Host::Ipv4(ip)) if ip.is_loopback() => false,
        Some(Host::Ipv6(ip)) if ip == Ipv6Addr::LOCALHOST => false,
        // The URL parser lowercases names, so this is case-insensitive.
        Some(Host::Domain("localhost")) => true,
        Some(host) => return Err(NotLoopback::new(format!("the host '{host}'"))),
        None => return Err(NotLoopback::new("an address without a host")),
    };
    if localhost {
        url.set_host(Some("127.0.0.1"))
            .map_err(|e| NotLoopback::new(format!("the host 'localhost' ({e})")))?;
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::loopback_only;

    #[test]
    fn only_loopback_addresses_pass() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "http://127.0.0.1:8900/identity/scim/x/v2",
                Some("http://127.0.0.1:8900/identity/scim/x/v2"),
            ),
            ("https://127.0.0.1/scim", Some("https://127.0.0.1/scim")),
            ("http://127.1.2.3:1/", Some("http://127.1.2.3:1/")),
            ("http://127.255.255.254/", Some("http://127.255.255.254/")),
            ("http://[::1]:8900/v2", Some("http://[::1]:8900/v2")),
            (
                "http://localhost:8900/v2?aadOptscim062020",
                Some("http://127.0.0.1:8900/v2?aadOptscim062020"),
            ),
            ("HTTP://LocalHost:8900/v2", Some("http://127.0.0.1:8900/v2")),
            ("  http://127.0.0.1:1/  ", Some("http://127.0.0.1:1/")),
            ("http://128.0.0.1/", None),
            ("http://10.0.0.1/", None),
            ("http://0.0.0.0/", None),
            ("http://[::]/", None),
            ("http://[::2]/", None),
            ("http://[::ffff:127.0.0.1]/", None),
            ("http://localhost.example/", None),
            ("http://localhost./", None),
            ("http://127.0.0.1.nip.io/", None),
            ("http://evil.example/", None),
            ("http://127.0.0.1@evil.example/", None),
            ("http://user:pw@127.0.0.1/", None),
            ("http://user@localhost/", None),
            ("ftp://127.0.0.1/", None),
            ("file:///etc/passwd", None),
            ("data:text/plain,127.0.0.1", None),
            ("127.0.0.1:8900", None),
            ("localhost:8900/v2", None),
            ("not a url", None),
            ("", None),
            ("   ", None),
        ];
        for (input, expected) in cases {
            let got = loopback_only(input);
            assert_eq!(
                got.as_ref().ok().map(url::Url::as_str),
                *expected,
                "{input:?}: {got:?}"
            );
        }
    }

    #[test]
    fn refusals_say_what_and_why() {
        let message = loopback_only("http://evil.example/scim").unwrap_err().to_string();
        assert!(message.contains("'evil.example'"), "{message}");
        assert!(message.contains("only calls loopback addresses"), "{message}");
        let message = loopback_only("ftp://127.0.0.1/").unwrap_err().to_string();
        assert!(message.contains("'ftp'"), "{message}");
        let message = loopback_only("http://u:secret@127.0.0.1/")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("secret"), "{message}");
    }
}
