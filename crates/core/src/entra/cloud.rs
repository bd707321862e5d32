//! Which Microsoft cloud to sign in to and call Graph in: the global cloud, US Government L4
//! (GCC High), L5 (DoD), the local Entra of the sandbox, or a base URL that serves both (a
//! stand-in like the sandbox's). GCC (moderate) uses the global endpoints.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

use crate::broker::{BrokerId, SANDBOX_DEFAULT_PORT};

/// A Microsoft cloud: where its identity platform and Graph are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Cloud {
    /// `login.microsoftonline.com` and `graph.microsoft.com` (also GCC moderate).
    Global,
    /// US Government L4 (GCC High): `login.microsoftonline.us`, `graph.microsoft.us`.
    Usgov,
    /// US Government L5 (DoD): `login.microsoftonline.us`, `dod-graph.microsoft.us`.
    Dod,
    /// A base that serves both sign-in (`{tenant}/oauth2/v2.0/…`) and Graph (`v1.0/…`): the
    /// sandbox's local Entra, or another stand-in.
    Local {
        /// The root, e.g. `http://127.0.0.1:8901/`.
        #[cfg_attr(feature = "specta", specta(type = String))]
        base: Url,
    },
}

/// Reads the serialised form through [`FromStr`]'s rules, so a records file or an IPC call can
/// never name a local Entra that plain `--cloud` would refuse (plain http off this machine).
impl<'de> Deserialize<'de> for Cloud {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "kind", rename_all = "kebab-case")]
        enum Repr {
            Global,
            Usgov,
            Dod,
            Local { base: String },
        }
        match Repr::deserialize(deserializer)? {
            Repr::Global => Ok(Self::Global),
            Repr::Usgov => Ok(Self::Usgov),
            Repr::Dod => Ok(Self::Dod),
            Repr::Local { base } => match Url::parse(&base).ok().map(|_| base.parse::<Self>()) {
                Some(Ok(local @ Self::Local { .. })) => Ok(local),
                _ => Err(serde::de::Error::custom(CloudError(base))),
            },
        }
    }
}

/// A Webex token from `broker` cannot feed a job in `cloud`: a real Webex org's token never
/// goes to a local Entra, nor a sandbox token to Microsoft's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct PairingError(String);

impl Cloud {
    /// Whether a token from `broker` may be pushed into a job in this cloud.
    pub fn accepts_token_from(&self, broker: &BrokerId) -> Result<(), PairingError> {
        // A broker on this machine is a stand-in; any other (a custom one may front the real
        // Webex) issues real tokens.
        let stand_in = match broker {
            BrokerId::Sandbox { .. } => true,
            BrokerId::Custom { base } => crate::navigation::is_loopback(base),
            BrokerId::Webex | BrokerId::Government => false,
        };
        match (self, stand_in) {
            (Self::Local { .. }, false) => Err(PairingError(format!(
                "a real Webex org's token ({broker}) is not sent to a local Entra ({self}): sign in to Entra in your organisation's cloud (global, usgov or dod)"
            ))),
            (Self::Global | Self::Usgov | Self::Dod, true) => Err(PairingError(format!(
                "a token from a local broker ({broker}) is not sent to Microsoft Entra ({self}): link it to a local Entra, or get a real token from Webex"
            ))),
            _ => Ok(()),
        }
    }
}

/// Why a `--cloud` value is not usable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown cloud '{0}': use global, usgov (GCC High), dod, sandbox, or the base URL of a local Entra (http on this machine, or https)"
)]
pub struct CloudError(String);

/// The sandbox's local Entra when the sandbox runs on its default port.
pub fn sandbox_default_base() -> Url {
    Url::parse(&format!("http://127.0.0.1:{}/", SANDBOX_DEFAULT_PORT + 1)).expect("a constant URL")
}

impl Cloud {
    /// The identity platform's root: `{tenant}/oauth2/v2.0/authorize` is below it.
    pub fn login_base(&self) -> Url {
        match self {
            Self::Global => Url::parse("https://login.microsoftonline.com/").expect("a constant URL"),
            Self::Usgov | Self::Dod => {
                Url::parse("https://login.microsoftonline.us/").expect("a constant URL")
            }
            Self::Local { base } => base.clone(),
        }
    }

    /// Graph v1.0's root, ending in `v1.0/`.
    pub fn graph_base(&self) -> Url {
        let root = match self {
            Self::Global => Url::parse("https://graph.microsoft.com/").expect("a constant URL"),
            Self::Usgov => Url::parse("https://graph.microsoft.us/").expect("a constant URL"),
            Self::Dod => Url::parse("https://dod-graph.microsoft.us/").expect("a constant URL"),
            Self::Local { base } => base.clone(),
        };
        root.join("v1.0/").expect("a relative path joins")
    }

    /// The resource that Graph scopes are named under (`https://graph.microsoft.com/…`). The
    /// Government clouds use their own Graph host. A local Entra accepts the global names.
    pub fn scope_prefix(&self) -> &'static str {
        match self {
            Self::Global | Self::Local { .. } => "https://graph.microsoft.com/",
            Self::Usgov => "https://graph.microsoft.us/",
            Self::Dod => "https://dod-graph.microsoft.us/",
        }
    }

    /// The cloud in a sentence: "global cloud", "US Government cloud (GCC High)", "local Entra at
    /// http://127.0.0.1:8901/".
    pub fn label(&self) -> String {
        match self {
            Self::Global => "global cloud".to_owned(),
            Self::Usgov => "US Government cloud (GCC High)".to_owned(),
            Self::Dod => "US Government cloud (DoD)".to_owned(),
            Self::Local { base } => format!("local Entra at {base}"),
        }
    }

    /// The cloud as a sign-in form offers it; a local Entra is the sandbox's.
    pub fn choice_label(&self) -> &'static str {
        match self {
            Self::Global => "Global (also GCC)",
            Self::Usgov => "US Government (GCC High)",
            Self::Dod => "US Government (DoD)",
            Self::Local { .. } => "Local Entra (sandbox)",
        }
    }

    /// The cloud a Webex broker usually pairs with: Webex for Government tenants use GCC High,
    /// the sandbox's broker its local Entra on the next port.
    pub fn paired_with(broker: &BrokerId) -> Self {
        match broker {
            BrokerId::Government => Self::Usgov,
            BrokerId::Sandbox { base } => {
                let mut entra = base.clone();
                let port = base.port_or_known_default().unwrap_or(SANDBOX_DEFAULT_PORT);
                let _ = entra.set_port(Some(port.saturating_add(1)));
                entra.set_path("/");
                Self::Local { base: entra }
            }
            _ => Self::Global,
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Global => f.write_str("global"),
            Self::Usgov => f.write_str("usgov"),
            Self::Dod => f.write_str("dod"),
            Self::Local { base } => f.write_str(base.as_str()),
        }
    }
}

/// Whether `url` is plain http on this machine (allowed for a local Entra) or https.
fn acceptable_base(url: &Url) -> bool {
    let loopback = crate::navigation::is_loopback(url);
    url.username().is_empty()
        && url.password().is_none()
        && (url.scheme() == "https" || (url.scheme() == "http" && loopback))
}

impl FromStr for Cloud {
    type Err = CloudError;

    fn from_str(text: &str) -> Result<Self, CloudError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "global" | "public" | "gcc" => Ok(Self::Global),
            "usgov" | "gcc-high" | "gcchigh" => Ok(Self::Usgov),
            "dod" => Ok(Self::Dod),
            "sandbox" => Ok(Self::Local {
                base: sandbox_default_base(),
            }),
            _ => {
                let mut url = Url::parse(text.trim()).map_err(|_| CloudError(text.to_owned()))?;
                if !acceptable_base(&url) {
                    return Err(CloudError(text.to_owned()));
                }
                if !url.path().ends_with('/') {
                    let path = format!("{}/", url.path());
                    url.set_path(&path);
                }
                url.set_query(None);
                url.set_fragment(None);
                Ok(Self::Local { base: url })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        let cases = [
            (
                "global",
                "https://login.microsoftonline.com/",
                "https://graph.microsoft.com/v1.0/",
            ),
            (
                "usgov",
                "https://login.microsoftonline.us/",
                "https://graph.microsoft.us/v1.0/",
            ),
            (
                "GCC-High",
                "https://login.microsoftonline.us/",
                "https://graph.microsoft.us/v1.0/",
            ),
            (
                "dod",
                "https://login.microsoftonline.us/",
                "https://dod-graph.microsoft.us/v1.0/",
            ),
            ("sandbox", "http://127.0.0.1:8901/", "http://127.0.0.1:8901/v1.0/"),
            (
                "http://localhost:9000",
                "http://localhost:9000/",
                "http://localhost:9000/v1.0/",
            ),
            (
                "https://entra.test.example/root",
                "https://entra.test.example/root/",
                "https://entra.test.example/root/v1.0/",
            ),
        ];
        for (text, login, graph) in cases {
            let cloud: Cloud = text.parse().expect(text);
            assert_eq!(cloud.login_base().as_str(), login, "{text}");
            assert_eq!(cloud.graph_base().as_str(), graph, "{text}");
        }
    }

    #[test]
    fn plain_http_off_this_machine_is_refused() {
        for bad in [
            "http://entra.example/",
            "ftp://127.0.0.1/",
            "azure",
            "",
            "https://u:p@x.example/",
        ] {
            assert!(bad.parse::<Cloud>().is_err(), "{bad}");
        }
    }

    #[test]
    fn brokers_pair_with_their_cloud() {
        assert_eq!(Cloud::paired_with(&BrokerId::Webex), Cloud::Global);
        assert_eq!(Cloud::paired_with(&BrokerId::Government), Cloud::Usgov);
        let sandbox = BrokerId::Sandbox {
            base: Url::parse("http://127.0.0.1:9100/").expect("a URL"),
        };
        assert_eq!(
            Cloud::paired_with(&sandbox),
            Cloud::Local {
                base: Url::parse("http://127.0.0.1:9101/").expect("a URL")
            }
        );
    }

    #[test]
    fn a_local_cloud_read_from_a_file_passes_the_same_rules_as_cloud() {
        let ok: Cloud =
            serde_json::from_str(r#"{"kind":"local","base":"http://127.0.0.1:8901/"}"#).expect("loopback");
        assert_eq!(ok.to_string(), "http://127.0.0.1:8901/");
        for bad in [
            r#"{"kind":"local","base":"http://graph.example.net/"}"#,
            r#"{"kind":"local","base":"file:///etc/"}"#,
            r#"{"kind":"local","base":"https://user:pw@graph.example.net/"}"#,
            r#"{"kind":"local","base":"global"}"#,
        ] {
            assert!(serde_json::from_str::<Cloud>(bad).is_err(), "{bad}");
        }
        let global: Cloud = serde_json::from_str(r#"{"kind":"global"}"#).expect("global");
        assert_eq!(global, Cloud::Global);
    }

    #[test]
    fn real_tokens_go_to_real_clouds_and_stand_in_tokens_to_local_ones() {
        let local = Cloud::from_str("sandbox").expect("sandbox");
        let sandbox = BrokerId::Sandbox {
            base: Url::parse("http://127.0.0.1:8900/").expect("a URL"),
        };
        let custom_here = BrokerId::Custom {
            base: Url::parse("http://127.0.0.1:9000/").expect("a URL"),
        };
        let custom_far = BrokerId::Custom {
            base: Url::parse("https://idbroker.example.net/").expect("a URL"),
        };
        assert!(local.accepts_token_from(&BrokerId::Webex).is_err());
        assert!(local.accepts_token_from(&BrokerId::Government).is_err());
        assert!(local.accepts_token_from(&custom_far).is_err());
        assert!(local.accepts_token_from(&sandbox).is_ok());
        assert!(local.accepts_token_from(&custom_here).is_ok());
        assert!(Cloud::Global.accepts_token_from(&sandbox).is_err());
        assert!(Cloud::Usgov.accepts_token_from(&custom_here).is_err());
        assert!(Cloud::Global.accepts_token_from(&BrokerId::Webex).is_ok());
        assert!(Cloud::Usgov.accepts_token_from(&BrokerId::Government).is_ok());
    }
}
