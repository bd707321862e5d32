//! Why a request did not get an answer, in words that name the network's part in it: the
//! proxy (unreachable, asking for a sign-in, refusing the host), a certificate this computer
//! does not trust (with its issuer: on a company network, usually a TLS-inspecting proxy), a
//! name that does not resolve, a host that refuses or never answers.

use std::fmt;

use serde::Serialize;

use super::proxy::{AutoConfig, ProxyConfig, ProxySource, Route};

/// What went wrong on the way to a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The host's name does not resolve here.
    NameNotFound,
    /// The host refused the connection.
    Refused,
    /// No answer in time.
    TimedOut,
    /// The proxy itself could not be reached.
    ProxyUnreachable {
        /// What the connection attempt said.
        detail: String,
    },
    /// The proxy answered 407: it wants credentials.
    ProxyAuthentication,
    /// The proxy would not open a tunnel to the host.
    ProxyRefused {
        /// Its status, where known.
        status: Option<u16>,
    },
    /// The certificate chain ends at an issuer this computer does not trust.
    UntrustedIssuer {
        /// The issuer of the certificate the server showed, where it could be read.
        issuer: Option<String>,
    },
    /// This computer could not verify the chain (Windows cannot check revocation, say): on a
    /// company network, usually a TLS-inspecting proxy's own certificate.
    Unverifiable {
        /// The issuer of the certificate the server showed, where it could be read.
        issuer: Option<String>,
        /// Why it could not be verified.
        reason: String,
    },
    /// The certificate is trusted but wrong (expired, for another name).
    Certificate {
        /// What is wrong with it.
        detail: String,
    },
    /// Anything else.
    Other {
        /// What the HTTP stack said.
        detail: String,
    },
}

impl Problem {
    /// The same problem naming the certificate's issuer, where it has room for one.
    pub fn with_issuer(self, issuer: String) -> Self {
        match self {
            Self::UntrustedIssuer { .. } => Self::UntrustedIssuer { issuer: Some(issuer) },
            Self::Unverifiable { reason, .. } => Self::Unverifiable {
                issuer: Some(issuer),
                reason,
            },
            other => other,
        }
    }
}

/// A request's failure on the network, with the route it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkFailure {
    /// The host asked for.
    pub host: String,
    /// What went wrong.
    pub problem: Problem,
    /// The proxy the request went through (never its password), if any.
    pub proxy: Option<String>,
    /// Where the proxy configuration came from.
    pub proxy_source: ProxySource,
    /// A PAC or WPAD configuration scim-token did not evaluate, if the system names one.
    pub auto_config: Option<AutoConfig>,
}

impl NetworkFailure {
    /// A failure of `problem` on the way to `host` by `route` under `config`.
    pub fn new(host: &str, problem: Problem, route: &Route, config: &ProxyConfig) -> Self {
        Self {
            host: host.to_owned(),
            problem,
            proxy: match route {
                Route::Direct => None,
                Route::Proxy(proxy) => Some(proxy.to_string()),
            },
            proxy_source: config.source,
            auto_config: config.auto_config.clone(),
        }
    }

    fn proxy_named(&self) -> String {
        format!(
            "the proxy {} (from {})",
            self.proxy.as_deref().unwrap_or("?"),
            self.proxy_source.description()
        )
    }
}

impl fmt::Display for NetworkFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        match &self.problem {
            Problem::NameNotFound => write!(
                f,
                "cannot find {host}: this computer's DNS does not resolve the name"
            )?,
            Problem::Refused => write!(f, "{host} refused the connection")?,
            Problem::TimedOut => write!(
                f,
                "no answer from {host} in time: a firewall may drop the traffic, or this network needs a proxy"
            )?,
            Problem::ProxyUnreachable { detail } => write!(
                f,
                "cannot reach {} to get to {host}: {detail}. Check the proxy's address, or choose another proxy",
                self.proxy_named()
            )?,
            Problem::ProxyAuthentication => write!(
                f,
                "{} asks for a sign-in (407 Proxy Authentication Required) to get to {host}. For Basic \
                 authentication put your proxy user and password in the proxy address \
                 (http://user:password@proxy:port); a proxy that needs your Windows sign-in (NTLM, \
                 Kerberos) needs a local relay that adds it (such as Px or Cntlm), or an exception \
                 for {host} from your network team",
                match self.proxy {
                    Some(_) => self.proxy_named(),
                    None => "a proxy on the way that no setting names (a transparent proxy)".to_owned(),
                }
            )?,
            Problem::ProxyRefused { status } => write!(
                f,
                "{} would not connect to {host}{}: it may block the host or be unable to resolve it; \
                 ask your network team to allow {host}",
                self.proxy_named(),
                status.map(|s| format!(" (it answered {s})")).unwrap_or_default()
            )?,
            Problem::UntrustedIssuer { issuer } => write!(
                f,
                "the certificate for {host} is issued by {}, which this computer does not trust \
                 — a TLS-inspecting proxy? Install your company's root certificate in the system's \
                 certificate store",
                issuer.as_deref().unwrap_or("an issuer this computer cannot name")
            )?,
            Problem::Unverifiable { issuer, reason } => write!(
                f,
                "the certificate for {host} is issued by {}, which this computer could not verify ({reason}) \
                 — a TLS-inspecting proxy? Install your company's root certificate in the system's \
                 certificate store, and ask your network team whether its revocation list is reachable",
                issuer.as_deref().unwrap_or("an issuer this computer cannot name")
            )?,
            Problem::Certificate { detail } => {
                write!(f, "the certificate for {host} is not valid: {detail}")?
            }
            Problem::Other { detail } => write!(f, "cannot reach {host}: {detail}")?,
        }
        let went_direct = self.proxy.is_none();
        if let Some(auto) = &self.auto_config {
            // Windows lets a PAC file decide before the proxy it also names: the one it picks may
            // be another than the one tried.
            write!(
                f,
                ". This computer's proxy comes from {auto}, which scim-token cannot run: set HTTPS_PROXY to \
                 the proxy it names (http://proxy:port), or give scim-token's proxy setting"
            )?;
        } else if went_direct
            && self.proxy_source == ProxySource::Nothing
            && matches!(self.problem, Problem::NameNotFound | Problem::TimedOut)
        {
            f.write_str(
                ". No proxy is configured: if this network reaches the internet only through one, set \
                 HTTPS_PROXY (http://proxy:port) or scim-token's proxy setting",
            )?;
        }
        Ok(())
    }
}

/// What reqwest's error says, read through its chain of sources (and the errors inside
/// `io::Error`s, which `source()` skips).
pub(crate) fn problem_of(error: &reqwest::Error, route: &Route) -> Problem {
    let via_proxy = matches!(route, Route::Proxy(_));
    let mut texts = Vec::new();
    let mut io_kind = None;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = current {
        texts.push(err.to_string());
        if let Some(tls) = find_tls(err) {
            return tls_problem(tls);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
            if let Some(inner) = io.get_ref() {
                texts.push(inner.to_string());
                if let Some(tls) = find_tls(inner) {
                    return tls_problem(tls);
                }
            }
        }
        current = err.source();
    }
    let said = |needle: &str| texts.iter().any(|t| t.to_ascii_lowercase().contains(needle));
    let detail = texts.last().cloned().unwrap_or_default();
    if said("proxy authorization required") {
        return Problem::ProxyAuthentication;
    }
    if said("tunnel error: unsuccessful")
        || said("tunnel error: unexpected end of file")
        || said("proxy response headers too long")
    {
        return Problem::ProxyRefused { status: None };
    }
    // Only a failure to reach the proxy itself: once its tunnel is open, what fails is the
    // host's (its TLS, its silence), not the proxy's.
    if via_proxy
        && (said("tunnel error: failed to create underlying connection")
            || (error.is_connect() && !said("tunnel error")))
    {
        let detail = if error.is_timeout() {
            "no answer in time".to_owned()
        } else {
            detail
        };
        return Problem::ProxyUnreachable { detail };
    }
    if said("dns error") || said("failed to lookup address") || said("no such host is known") {
        return Problem::NameNotFound;
    }
    if io_kind == Some(std::io::ErrorKind::ConnectionRefused) || said("connection refused") {
        return Problem::Refused;
    }
    if error.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
        return Problem::TimedOut;
    }
    Problem::Other { detail }
}

fn find_tls<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    err.downcast_ref::<rustls::Error>()
}

/// The problem for a TLS error (rustls, or the platform verifier through it).
pub(crate) fn tls_problem(error: &rustls::Error) -> Problem {
    use rustls::CertificateError as Cert;
    match error {
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer) => Problem::UntrustedIssuer { issuer: None },
        rustls::Error::InvalidCertificate(Cert::UnknownRevocationStatus) => Problem::Unverifiable {
            issuer: None,
            reason: REVOCATION_UNKNOWN.into(),
        },
        rustls::Error::InvalidCertificate(Cert::Other(other)) => match windows_code(&other.to_string()) {
            Some(code) => windows_problem(code),
            None => Problem::Certificate {
                detail: other.to_string(),
            },
        },
        rustls::Error::InvalidCertificate(Cert::Expired | Cert::ExpiredContext { .. }) => {
            Problem::Certificate {
                detail: "it has expired (or this computer's clock is wrong)".into(),
            }
        }
        rustls::Error::InvalidCertificate(Cert::NotValidYet | Cert::NotValidYetContext { .. }) => {
            Problem::Certificate {
                detail: "it is not valid yet (or this computer's clock is wrong)".into(),
            }
        }
        rustls::Error::InvalidCertificate(Cert::NotValidForName | Cert::NotValidForNameContext { .. }) => {
            Problem::Certificate {
                detail: "it is for another name (a proxy or captive portal answering in the host's place?)"
                    .into(),
            }
        }
        rustls::Error::InvalidCertificate(Cert::Revoked) => Problem::Certificate {
            detail: "it has been revoked".into(),
        },
        other => Problem::Certificate {
            detail: other.to_string(),
        },
    }
}

/// Why a revocation check failed, in words.
const REVOCATION_UNKNOWN: &str = "whether it was revoked cannot be checked";

/// The Windows error code in the platform verifier's text (`… (os error -2146762482)`): it maps
/// only some codes to rustls's, and names the rest by number.
fn windows_code(text: &str) -> Option<i32> {
    let (_, code) = text.rsplit_once("os error ")?;
    code.trim_end_matches(')').trim().parse().ok()
}

/// The problem for a Windows certificate-chain error (`CERT_E_…`, `CRYPT_E_…`).
fn windows_problem(code: i32) -> Problem {
    // The HRESULTs, as the i32 Windows reports them.
    const CERT_E_CHAINING: i32 = 0x800B_010A_u32 as i32;
    const CERT_E_REVOCATION_FAILURE: i32 = 0x800B_010E_u32 as i32;
    const CRYPT_E_NO_REVOCATION_CHECK: i32 = 0x8009_2012_u32 as i32;
    const CRYPT_E_REVOCATION_OFFLINE: i32 = 0x8009_2013_u32 as i32;
    match code {
        CERT_E_CHAINING => Problem::UntrustedIssuer { issuer: None },
        CERT_E_REVOCATION_FAILURE | CRYPT_E_NO_REVOCATION_CHECK | CRYPT_E_REVOCATION_OFFLINE => {
            Problem::Unverifiable {
                issuer: None,
                reason: REVOCATION_UNKNOWN.into(),
            }
        }
        other => Problem::Unverifiable {
            issuer: None,
            reason: format!("Windows error 0x{:08X}", other as u32),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_chain_errors_are_named() {
        let text = "OS Error -2146762482 (FormatMessageW() returned error 317) (os error -2146762482)";
        assert_eq!(windows_code(text), Some(-2146762482));
        assert_eq!(
            windows_problem(-2146762482),
            Problem::Unverifiable {
                issuer: None,
                reason: REVOCATION_UNKNOWN.into()
            }
        );
        assert_eq!(
            windows_problem(-2146762486),
            Problem::UntrustedIssuer { issuer: None }
        );
        assert!(
            matches!(windows_problem(-2146762480), Problem::Unverifiable { reason, .. } if reason == "Windows error 0x800B0110")
        );
        assert_eq!(windows_code("no code here"), None);
        let named = Problem::Unverifiable {
            issuer: None,
            reason: REVOCATION_UNKNOWN.into(),
        }
        .with_issuer("Contoso Inspection CA".into());
        assert!(
            matches!(named, Problem::Unverifiable { issuer: Some(i), .. } if i == "Contoso Inspection CA")
        );
    }
}
