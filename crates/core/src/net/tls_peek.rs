//! The certificate a server shows, and whether this computer trusts it: a TLS handshake (through
//! the proxy's `CONNECT` tunnel when the request would use one) whose verifier records the chain
//! and the platform verifier's verdict, then lets the handshake finish so the chain can be named.
//! Nothing is sent over that connection: it is closed as soon as the handshake ends, so trusting
//! it for that moment exposes nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use super::failure::{Problem, tls_problem};
use super::proxy::{ProxyUrl, Route};

/// The most of a proxy's answer to `CONNECT` read before its blank line.
const MAX_CONNECT_ANSWER: usize = 16 * 1024;

/// The certificate a server showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerCertificate {
    /// Its subject's common name (or the whole name when it has none).
    pub subject: String,
    /// Its issuer's common name and organisation.
    pub issuer: String,
    /// When it expires (RFC 3339).
    pub not_after: String,
    /// Whether this computer trusts the chain for this host; why not, when it does not.
    pub trust: Result<(), Problem>,
}

/// A TCP connection to `url`'s host, or to the proxy and through its tunnel to the host.
pub(crate) async fn connect(url: &Url, route: &Route) -> Result<TcpStream, Problem> {
    let (host, port) = host_port(url);
    match route {
        Route::Direct => TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::ConnectionRefused => Problem::Refused,
                // Unix's resolver says "failed to lookup address", Windows' "No such host is
                // known" (WSAHOST_NOT_FOUND, 11001).
                _ if e.to_string().contains("lookup")
                    || e.raw_os_error() == Some(11001)
                    || e.kind() == std::io::ErrorKind::NotFound =>
                {
                    Problem::NameNotFound
                }
                _ => Problem::Other {
                    detail: e.to_string(),
                },
            }),
        Route::Proxy(proxy) => tunnel(proxy, &host, port).await,
    }
}

/// `CONNECT host:port` through an HTTP proxy; its refusals as what they are.
async fn tunnel(proxy: &ProxyUrl, host: &str, port: u16) -> Result<TcpStream, Problem> {
    if !proxy.is_plain_http() {
        return Err(Problem::Other {
            detail: format!(
                "the proxy {proxy} is not a plain HTTP proxy, which this check cannot tunnel through"
            ),
        });
    }
    let mut stream = TcpStream::connect(proxy.authority())
        .await
        .map_err(|e| Problem::ProxyUnreachable {
            detail: e.to_string(),
        })?;
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if proxy.has_credentials() {
        use base64::Engine as _;
        let url = proxy.url();
        let user = percent(url.username());
        let password = percent(url.password().unwrap_or_default());
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request.push_str(&format!("Proxy-Authorization: Basic {basic}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| Problem::ProxyUnreachable {
            detail: e.to_string(),
        })?;
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_CONNECT_ANSWER {
            return Err(Problem::ProxyRefused { status: None });
        }
        match stream.read(&mut byte).await {
            Ok(1) => answer.push(byte[0]),
            _ => return Err(Problem::ProxyRefused { status: None }),
        }
    }
    let status = String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok());
    match status {
        // As hyper-util's tunnel does: only 200 opens it.
        Some(200) => Ok(stream),
        Some(407) => Err(Problem::ProxyAuthentication),
        status => Err(Problem::ProxyRefused { status }),
    }
}

/// A URL's percent-encoded user or password, decoded.
fn percent(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The host and port of `url` (443 for https).
pub(crate) fn host_port(url: &Url) -> (String, u16) {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    (host, url.port_or_known_default().unwrap_or(443))
}

/// The certificate `url`'s server shows over `route`, and whether it is trusted, within `limit`.
pub async fn peek(url: &Url, route: &Route, limit: Duration) -> Result<PeerCertificate, Problem> {
    tokio::time::timeout(limit, peek_unbounded(url, route))
        .await
        .unwrap_or(Err(Problem::TimedOut))
}

async fn peek_unbounded(url: &Url, route: &Route) -> Result<PeerCertificate, Problem> {
    let (host, _) = host_port(url);
    let stream = connect(url, route).await?;
    let recorder = Arc::new(Recorder::new()?);
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Problem::Other {
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(host.clone()).map_err(|e| Problem::Other {
        detail: e.to_string(),
    })?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = connector.connect(name, stream).await;
    let seen = recorder.seen.lock().unwrap_or_else(|p| p.into_inner()).take();
    match (seen, handshake) {
        (Some((leaf, trust)), _) => describe(&leaf, trust),
        (None, Err(e)) => Err(Problem::Other {
            detail: format!("the TLS handshake failed before a certificate arrived: {e}"),
        }),
        (None, Ok(_)) => Err(Problem::Other {
            detail: "the server showed no certificate".into(),
        }),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn describe(leaf: &CertificateDer<'static>, trust: Result<(), Problem>) -> Result<PeerCertificate, Problem> {
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|e| Problem::Other {
        detail: format!("the server's certificate cannot be read: {e}"),
    })?;
    Ok(PeerCertificate {
        subject: name_of(cert.subject()),
        issuer: name_of(cert.issuer()),
        not_after: cert
            .validity()
            .not_after
            .to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        trust,
    })
}

/// "CN (O)", or the whole distinguished name when it has no common name.
fn name_of(name: &x509_parser::x509::X509Name<'_>) -> String {
    let first = |attrs: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
        attrs.next().and_then(|a| a.as_str().ok()).map(str::to_owned)
    };
    match (
        first(&mut name.iter_common_name()),
        first(&mut name.iter_organization()),
    ) {
        (Some(cn), Some(o)) if cn != o => format!("{cn} ({o})"),
        (Some(cn), _) => cn,
        (None, Some(o)) => o,
        (None, None) => name.to_string(),
    }
}

/// The verifier that records: asks the platform's verifier (the one reqwest uses), keeps its
/// verdict with the leaf, and lets the handshake go on.
#[derive(Debug)]
struct Recorder {
    platform: rustls_platform_verifier::Verifier,
    seen: Mutex<Option<(CertificateDer<'static>, Result<(), Problem>)>>,
}

impl Recorder {
    fn new() -> Result<Self, Problem> {
        Ok(Self {
            platform: rustls_platform_verifier::Verifier::new(provider()).map_err(|e| Problem::Other {
                detail: format!("this computer's certificate store cannot be used: {e}"),
            })?,
            seen: Mutex::new(None),
        })
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self
            .platform
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ())
            .map_err(|e| tls_problem(&e));
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((end_entity.clone().into_owned(), verdict));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.platform.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.platform.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.platform.supported_verify_schemes()
    }
}
