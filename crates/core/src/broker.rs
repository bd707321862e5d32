//! Where to sign in: the Webex ID broker, the Webex for Government broker, the local sandbox, or a
//! custom broker that serves Webex's paths below a base URL.
//!
//! Every Webex fact lives in the one table below so a wrong value is one edit away from right.
//! Values marked `unconfirmed` could not be checked against a current public source.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

use crate::org_id::OrgId;

/// The client ID of the Webex app that Azure provisioning uses (same for Government, assumed).
pub const CLIENT_ID: &str = "C4ca14fe00b0e51efb414ebd45aa88c1858c3bfb949b2405dba10b0ca4bc37402";
/// The redirect URI registered with the broker for that client; it must be exactly this.
pub const REDIRECT_URI: &str = "http://localhost:3000/auth/code";
/// The scopes the provisioning token needs.
pub const SCOPES: [&str; 3] = ["spark:people_read", "spark:people_write", "Identity:SCIM"];
/// The scope without which a token cannot use the SCIM API.
pub const SCIM_SCOPE: &str = "Identity:SCIM";
/// The port the sandbox listens on unless told otherwise (CLI and desktop app alike).
pub const SANDBOX_DEFAULT_PORT: u16 = 8900;
/// Where the sandbox listens unless told otherwise: 127.0.0.1 on [`SANDBOX_DEFAULT_PORT`].
pub const SANDBOX_DEFAULT_BASE: &str = "http://127.0.0.1:8900/";

/// Paths a broker serves, relative to its base; the sandbox and custom brokers use the same.
const AUTHORIZE_PATH: &str = "idb/oauth2/v1/authorize";
const FORCED_LOGIN_PATH: &str = "idb/saml2/jsp/doSSO.jsp";
const TENANT_PATH_TEMPLATE: &str = "identity/scim/{OrgId}/v2/";
const PEOPLE_ME_PATH: &str = "v1/people/me";

/// One row of the hosted-broker table.
struct HostedBroker {
    label: &'static str,
    id_broker_base: &'static str,
    api_base: &'static str,
    unconfirmed: bool,
}

const WEBEX: HostedBroker = HostedBroker {
    label: "Webex",
    id_broker_base: "https://idbroker.webex.com/",
    api_base: "https://webexapis.com/",
    unconfirmed: false,
};

const GOVERNMENT: HostedBroker = HostedBroker {
    label: "Webex for Government",
    id_broker_base: "https://idbroker-f.webex.com/",
    api_base: "https://api-usgov.webex.com/",
    unconfirmed: true,
};

/// Which broker a token came from; stored with its record. Read back (from a file or the front
/// end) through [`http_base`]'s check, written as it is: one shape both ways.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum BrokerId {
    /// The commercial Webex ID broker.
    Webex,
    /// The Webex for Government (FedRAMP) broker.
    Government,
    /// The bundled local sandbox at `base`.
    Sandbox {
        /// Base URL, e.g. `http://127.0.0.1:8900/`.
        #[cfg_attr(feature = "specta", specta(type = String))]
        base: Url,
    },
    /// Any broker that serves Webex's paths below `base`.
    Custom {
        /// Base URL.
        #[cfg_attr(feature = "specta", specta(type = String))]
        base: Url,
    },
}

impl<'de> Deserialize<'de> for BrokerId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "kind", rename_all = "lowercase")]
        enum Repr {
            Webex,
            Government,
            Sandbox {
                #[serde(deserialize_with = "http_base")]
                base: Url,
            },
            Custom {
                #[serde(deserialize_with = "http_base")]
                base: Url,
            },
        }
        Ok(match Repr::deserialize(deserializer)? {
            Repr::Webex => Self::Webex,
            Repr::Government => Self::Government,
            Repr::Sandbox { base } => Self::Sandbox { base },
            Repr::Custom { base } => Self::Custom { base },
        })
    }
}

/// A broker name or URL that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown broker '{0}': use webex, gov, sandbox, or a base URL such as http://127.0.0.1:8900")]
pub struct UnknownBroker(pub String);

impl BrokerId {
    /// The sandbox at its default address.
    pub fn sandbox_default() -> Self {
        Self::Sandbox {
            base: Url::parse(SANDBOX_DEFAULT_BASE).expect("constant URL is valid"),
        }
    }

    /// A short label for people.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Webex => WEBEX.label,
            Self::Government => GOVERNMENT.label,
            Self::Sandbox { .. } => "Sandbox",
            Self::Custom { .. } => "Custom broker",
        }
    }

    /// The broker as a sign-in form offers it.
    pub fn choice_label(&self) -> &'static str {
        match self {
            Self::Webex => "Webex",
            Self::Government => "Webex for Government (FedRAMP)",
            Self::Sandbox { .. } => "Local sandbox (offline)",
            Self::Custom { .. } => "Custom broker",
        }
    }

    /// Whether this broker answers on the local machine only (no network needed).
    pub fn is_local(&self) -> bool {
        match self {
            Self::Webex | Self::Government => false,
            Self::Sandbox { base } | Self::Custom { base } => match base.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            },
        }
    }
}

impl FromStr for BrokerId {
    type Err = UnknownBroker;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "webex" | "commercial" => Ok(Self::Webex),
            "gov" | "government" | "fedramp" => Ok(Self::Government),
            "sandbox" | "local" => Ok(Self::sandbox_default()),
            _ => match Url::parse(text.trim()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    Ok(Self::Custom {
                        base: with_trailing_slash(url),
                    })
                }
                _ => Err(UnknownBroker(text.to_owned())),
            },
        }
    }
}

impl fmt::Display for BrokerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Webex => f.write_str("webex"),
            Self::Government => f.write_str("gov"),
            Self::Sandbox { base } => write!(f, "sandbox ({base})"),
            Self::Custom { base } => f.write_str(base.as_str()),
        }
    }
}

/// Everything needed to sign in with one broker and to hand the result to Azure.
///
/// Fields are public so a user can override any URL (e.g. if Webex moves an endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    /// Which broker this is.
    pub id: BrokerId,
    /// The OAuth 2.0 authorization endpoint (RFC 6749 §3.1).
    pub authorize_url: Url,
    /// The page that forces a fresh sign-in even with a broker session: `…/doSSO.jsp?type=login&goto=<authorize URL>`.
    pub forced_login_url: Url,
    /// OAuth client ID.
    pub client_id: String,
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// The registered redirect URI.
    pub redirect_uri: Url,
    /// The Tenant URL with `{OrgId}` in place of the org ID.
    pub tenant_url_template: String,
    /// `GET` this with the token to learn who signed in.
    pub people_me_url: Url,
    /// True when the URLs above could not be confirmed against a public source.
    pub unconfirmed: bool,
}

impl Broker {
    /// The endpoints for a broker.
    pub fn resolve(id: &BrokerId) -> Self {
        let (id_base, api_base, unconfirmed) = match id {
            BrokerId::Webex => (
                parse(WEBEX.id_broker_base),
                parse(WEBEX.api_base),
                WEBEX.unconfirmed,
            ),
            BrokerId::Government => (
                parse(GOVERNMENT.id_broker_base),
                parse(GOVERNMENT.api_base),
                GOVERNMENT.unconfirmed,
            ),
            BrokerId::Sandbox { base } | BrokerId::Custom { base } => {
                let base = with_trailing_slash(base.clone());
                (base.clone(), base, false)
            }
        };
        let join = |base: &Url, path: &str| base.join(path).expect("relative path joins onto a base URL");
        Self {
            id: id.clone(),
            authorize_url: join(&id_base, AUTHORIZE_PATH),
            forced_login_url: join(&id_base, FORCED_LOGIN_PATH),
            client_id: CLIENT_ID.to_owned(),
            scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            redirect_uri: parse(REDIRECT_URI),
            tenant_url_template: format!("{}{TENANT_PATH_TEMPLATE}", api_base.as_str()),
            people_me_url: join(&api_base, PEOPLE_ME_PATH),
            unconfirmed,
        }
    }

    /// The Tenant URL Azure asks for, e.g. `https://webexapis.com/identity/scim/{OrgId}/v2/`.
    pub fn tenant_url(&self, org: OrgId) -> Url {
        let text = self.tenant_url_template.replace("{OrgId}", &org.to_string());
        Url::parse(&text).expect("template is a URL and a UUID keeps it one")
    }
}

/// A broker base read from a file or sent by the front end: an http(s) URL with a host, or an
/// error now rather than a panic when its paths are joined later.
fn http_base<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Url, D::Error> {
    let url = Url::deserialize(deserializer)?;
    if matches!(url.scheme(), "http" | "https") && url.host().is_some() {
        Ok(with_trailing_slash(url))
    } else {
        Err(serde::de::Error::custom(format!(
            "a broker address must be an http or https URL with a host, not '{url}'"
        )))
    }
}

fn parse(constant: &str) -> Url {
    Url::parse(constant).expect("constant URL is valid")
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> OrgId {
        OrgId::parse_exact("1eb65fdf-9643-417f-9974-ad72cae0e10f").unwrap()
    }

    #[test]
    fn tenant_urls() {
        let cases = [
            (
                BrokerId::Webex,
                "https://webexapis.com/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/",
            ),
            (
                BrokerId::Government,
                "https://api-usgov.webex.com/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/",
            ),
            (
                BrokerId::sandbox_default(),
                "http://127.0.0.1:8900/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/",
            ),
        ];
        for (id, expected) in cases {
            assert_eq!(Broker::resolve(&id).tenant_url(org()).as_str(), expected);
        }
    }

    #[test]
    fn endpoints() {
        let webex = Broker::resolve(&BrokerId::Webex);
        assert_eq!(
            webex.authorize_url.as_str(),
            "https://idbroker.webex.com/idb/oauth2/v1/authorize"
        );
        assert_eq!(
            webex.forced_login_url.as_str(),
            "https://idbroker.webex.com/idb/saml2/jsp/doSSO.jsp"
        );
        assert_eq!(webex.people_me_url.as_str(), "https://webexapis.com/v1/people/me");
        assert!(!webex.unconfirmed);
        let gov = Broker::resolve(&BrokerId::Government);
        assert_eq!(
            gov.authorize_url.as_str(),
            "https://idbroker-f.webex.com/idb/oauth2/v1/authorize"
        );
        assert!(gov.unconfirmed);
    }

    #[test]
    fn parses_names_and_urls() {
        assert_eq!("webex".parse::<BrokerId>().unwrap(), BrokerId::Webex);
        assert_eq!("GOV".parse::<BrokerId>().unwrap(), BrokerId::Government);
        assert_eq!(
            "sandbox".parse::<BrokerId>().unwrap(),
            BrokerId::sandbox_default()
        );
        let custom = "http://127.0.0.1:9000/prefix".parse::<BrokerId>().unwrap();
        assert_eq!(
            custom,
            BrokerId::Custom {
                base: Url::parse("http://127.0.0.1:9000/prefix/").unwrap()
            }
        );
        assert_eq!(
            Broker::resolve(&custom).authorize_url.as_str(),
            "http://127.0.0.1:9000/prefix/idb/oauth2/v1/authorize"
        );
        assert!(custom.is_local());
        assert!(!BrokerId::Webex.is_local());
        let err = "webx".parse::<BrokerId>().unwrap_err().to_string();
        assert!(err.contains("use webex, gov, sandbox"), "{err}");
    }

    #[test]
    fn default_sandbox_base_uses_the_default_port() {
        let base = Url::parse(SANDBOX_DEFAULT_BASE).unwrap();
        assert_eq!(base.port(), Some(SANDBOX_DEFAULT_PORT));
    }

    #[test]
    fn a_broker_base_that_is_not_http_is_refused_when_read() {
        for bad in [
            r#"{"kind":"custom","base":"data:,x"}"#,
            r#"{"kind":"sandbox","base":"file:///tmp/"}"#,
            r#"{"kind":"custom","base":"mailto:a@b"}"#,
        ] {
            let err = serde_json::from_str::<BrokerId>(bad).unwrap_err().to_string();
            assert!(err.contains("http or https"), "{bad}: {err}");
        }
    }

    #[test]
    fn broker_id_round_trips_through_json() {
        for id in [BrokerId::Webex, BrokerId::Government, BrokerId::sandbox_default()] {
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(serde_json::from_str::<BrokerId>(&json).unwrap(), id);
        }
    }
}
