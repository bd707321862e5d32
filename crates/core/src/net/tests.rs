//! The failures as they happen, through real sockets on loopback: a proxy that wants a sign-in,
//! one that refuses the host, one that is not there, and a TLS server whose certificate comes
//! from a root this computer does not trust. Targets behind a proxy are never resolved here (the
//! proxy would resolve them), so nothing leaves loopback.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

const ROOT_NAME: &str = "scim-token unit-test inspection root";

/// A loopback "proxy" that answers every `CONNECT` with `status`; on 200 it joins the tunnel to
/// `tunnel_to`.
async fn fake_proxy(status: u16, tunnel_to: Option<u16>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let reason = if status == 407 {
                    "Proxy Authentication Required"
                } else {
                    "X"
                };
                let extra = if status == 407 {
                    "Proxy-Authenticate: Basic realm=\"corp\"\r\n"
                } else {
                    ""
                };
                let answer = format!("HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: 0\r\n\r\n");
                if client.write_all(answer.as_bytes()).await.is_err() || status != 200 {
                    return;
                }
                if let Some(port) = tunnel_to
                    && let Ok(mut upstream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    port
}

/// A TLS server on loopback whose certificate (for `graph.example.test` and `localhost`) is
/// issued by a root made here, which no store holds.
async fn untrusted_tls_server() -> u16 {
    let root_key = rcgen::KeyPair::generate().unwrap();
    let mut root_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    root_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    root_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, ROOT_NAME);
    let issuer = rcgen::Issuer::new(root_params, root_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["graph.example.test".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    port
}

/// A loopback port nothing listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

fn through(proxy_port: u16) -> Http {
    let choice: ProxyChoice = format!("http://127.0.0.1:{proxy_port}").parse().unwrap();
    // Not this machine's NO_PROXY: it could send the test's names direct, to a real resolver.
    let config = ProxyConfig::resolve_with(&choice, &|_| None, || None);
    Http::new(Arc::new(config), |b| b.timeout(Duration::from_secs(20))).unwrap()
}

async fn failure_of(http: &Http, target: &str) -> NetworkFailure {
    let url = Url::parse(target).unwrap();
    let error = http.client().get(url.clone()).send().await.unwrap_err();
    http.explain(&error, &url).await
}

#[tokio::test]
async fn a_proxy_asking_for_a_sign_in_is_named() {
    let http = through(fake_proxy(407, None).await);
    let failure = failure_of(&http, "https://graph.example.test/v1.0/").await;
    assert_eq!(failure.problem, Problem::ProxyAuthentication);
    let words = failure.to_string();
    assert!(
        words.contains("asks for a sign-in (407") && words.contains("graph.example.test"),
        "{words}"
    );
    assert!(words.contains("scim-token's proxy setting"), "{words}");
}

#[tokio::test]
async fn a_proxy_refusing_the_host_is_named() {
    let http = through(fake_proxy(403, None).await);
    let failure = failure_of(&http, "https://graph.example.test/").await;
    assert_eq!(failure.problem, Problem::ProxyRefused { status: None });
    assert!(
        failure
            .to_string()
            .contains("would not connect to graph.example.test"),
        "{failure}"
    );
}

#[tokio::test]
async fn a_proxy_that_is_not_there_is_named() {
    let closed = closed_port().await;
    let http = through(closed);
    let failure = failure_of(&http, "https://graph.example.test/").await;
    assert!(
        matches!(failure.problem, Problem::ProxyUnreachable { .. }),
        "{failure:?}"
    );
    assert!(
        failure
            .to_string()
            .contains(&format!("cannot reach the proxy http://127.0.0.1:{closed}")),
        "{failure}"
    );
}

#[tokio::test]
async fn an_untrusted_issuer_is_named_through_the_tunnel() {
    let tls = untrusted_tls_server().await;
    let http = through(fake_proxy(200, Some(tls)).await);
    let failure = failure_of(&http, "https://graph.example.test/v1.0/").await;
    assert_refused_root(&failure.problem, Some(ROOT_NAME));
    let words = failure.to_string();
    assert!(
        words.starts_with(&format!(
            "the certificate for graph.example.test is issued by {ROOT_NAME}, which this computer"
        )) && words.contains("— a TLS-inspecting proxy? Install your company's root certificate"),
        "{words}"
    );
}

/// `problem` is the refusal of a root no store holds, naming `issuer`: the issuer is unknown
/// (Linux, Windows), or, on Windows as Wine runs it, the chain's revocation cannot be checked.
fn assert_refused_root(problem: &Problem, issuer: Option<&str>) {
    let refused = match problem {
        Problem::UntrustedIssuer { issuer: named } => named.as_deref() == issuer,
        Problem::Unverifiable {
            issuer: named,
            reason,
        } => {
            cfg!(windows)
                && named.as_deref() == issuer
                && reason == "whether it was revoked cannot be checked"
        }
        _ => false,
    };
    assert!(refused, "{problem:?}");
}

#[tokio::test]
async fn a_peek_reports_the_chain_and_its_verdict() {
    let tls = untrusted_tls_server().await;
    let url = Url::parse(&format!("https://localhost:{tls}/")).unwrap();
    let seen = tls_peek::peek(&url, &Route::Direct, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(seen.issuer, ROOT_NAME);
    assert_refused_root(&seen.trust.clone().unwrap_err(), None);
    assert!(seen.not_after.len() >= 20, "an RFC 3339 time: {}", seen.not_after);
}

#[tokio::test]
async fn a_refused_connection_and_a_plain_407_answer_are_told_apart() {
    let closed = closed_port().await;
    let http = Http::new(Arc::new(ProxyConfig::resolve(&ProxyChoice::Direct)), |b| b).unwrap();
    let failure = failure_of(&http, &format!("http://127.0.0.1:{closed}/")).await;
    assert_eq!(failure.problem, Problem::Refused);
    assert_eq!(failure.proxy, None);
    let proxied = through(closed);
    let target = Url::parse("http://scim.corp.example/").unwrap();
    let refusal = proxied
        .refusal(&target, reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED)
        .unwrap();
    assert_eq!(refusal.problem, Problem::ProxyAuthentication);
    assert_eq!(proxied.refusal(&target, reqwest::StatusCode::UNAUTHORIZED), None);
    let transparent = Url::parse("http://127.0.0.1:8900/").unwrap();
    let refusal = proxied
        .refusal(&transparent, reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED)
        .unwrap();
    assert_eq!(refusal.proxy, None);
    assert!(
        refusal.to_string().starts_with(
            "a proxy on the way that no setting names (a transparent proxy) asks for a sign-in (407"
        ),
        "{refusal}"
    );
}

#[test]
fn a_pac_file_is_named_when_the_request_went_direct() {
    let config = InternetSettingsLike::pac();
    let failure = NetworkFailure::new(
        "graph.microsoft.com",
        Problem::NameNotFound,
        &Route::Direct,
        &config,
    );
    let words = failure.to_string();
    assert!(
        words.contains("comes from a proxy auto-configuration script (PAC) at http://wpad.corp.example/proxy.pac, which scim-token cannot run: set HTTPS_PROXY"),
        "{words}"
    );
    let nothing = ProxyConfig::direct(ProxySource::Nothing);
    let failure = NetworkFailure::new("graph.microsoft.com", Problem::TimedOut, &Route::Direct, &nothing);
    assert!(
        failure.to_string().contains("No proxy is configured"),
        "{failure}"
    );
}

struct InternetSettingsLike;

impl InternetSettingsLike {
    fn pac() -> ProxyConfig {
        proxy::InternetSettings {
            auto_config_url: Some("http://wpad.corp.example/proxy.pac".into()),
            ..proxy::InternetSettings::default()
        }
        .config()
        .unwrap()
    }
}
