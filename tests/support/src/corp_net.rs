//! A company network in miniature, all on loopback: an HTTP proxy that resolves names only it
//! knows (each mapped to a loopback port, such as the sandbox's), inspects TLS with a root of its
//! own (as a company's TLS-inspecting proxy does: it answers `CONNECT` with a certificate it
//! issues for the host), forwards plain `http://` requests, and keeps a log of every request it
//! was asked to carry. It can also demand a sign-in (407) from everyone.
//!
//! Nothing leaves loopback: a name the proxy does not know gets 502, as from a proxy whose DNS
//! fails.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The largest request body the proxy forwards.
const MAX_BODY: usize = 4 << 20;

/// The proxy's own root: a certificate authority no store holds until a test adds it.
pub struct TestRoot {
    issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    pem: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestRoot {
    /// The common name every certificate it issues names as its issuer.
    pub const NAME: &'static str = "scim-token test inspection root";

    pub fn new() -> Self {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, Self::NAME);
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "Contoso IT");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("company-root.pem");
        std::fs::write(&pem, cert.pem()).unwrap();
        Self {
            issuer: rcgen::Issuer::new(params, key),
            pem,
            _dir: dir,
        }
    }

    /// The root as a PEM file: a certificate store holding only it (`SSL_CERT_FILE`).
    pub fn pem(&self) -> &Path {
        &self.pem
    }

    fn server_config(&self, host: &str) -> Arc<rustls::ServerConfig> {
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec![host.to_owned()])
            .unwrap()
            .signed_by(&key, &self.issuer)
            .unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        Arc::new(config)
    }
}

impl Default for TestRoot {
    fn default() -> Self {
        Self::new()
    }
}

/// How the proxy treats everyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyMode {
    /// Carries every request to a name it knows.
    Open,
    /// Answers every request 407 Proxy Authentication Required.
    AsksForSignIn,
    /// Carries only requests with these Basic credentials (user, password); 407 to the rest.
    Basic(String, String),
}

impl ProxyMode {
    /// Whether `request` may pass.
    fn admits(&self, request: &Request<Incoming>) -> bool {
        match self {
            Self::Open => true,
            Self::AsksForSignIn => false,
            Self::Basic(user, password) => {
                use base64::Engine as _;
                let expected = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
                );
                request
                    .headers()
                    .get("proxy-authorization")
                    .is_some_and(|given| given.as_bytes() == expected.as_bytes())
            }
        }
    }
}

struct Shared {
    mode: ProxyMode,
    /// `host` (lower case) → the loopback port it stands for.
    names: HashMap<String, u16>,
    root: Arc<TestRoot>,
    log: Mutex<Vec<String>>,
    upstream: reqwest::Client,
}

/// The running proxy; it stops when dropped.
pub struct CorpProxy {
    pub port: u16,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CorpProxy {
    /// A proxy on a free loopback port that knows `names` (host → loopback port). It runs on a
    /// thread of its own, so sync and async tests alike can start and drop it.
    pub fn start(mode: ProxyMode, names: &[(&str, u16)], root: Arc<TestRoot>) -> Self {
        let shared = Arc::new(Shared {
            mode,
            names: names.iter().map(|(h, p)| (h.to_ascii_lowercase(), *p)).collect(),
            root,
            log: Mutex::new(Vec::new()),
            upstream: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        });
        let (bound, port) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = shared.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                bound.send(listener.local_addr().unwrap().port()).unwrap();
                let accepting = async {
                    while let Ok((stream, _)) = listener.accept().await {
                        let shared = serving.clone();
                        tokio::spawn(async move {
                            let service =
                                hyper::service::service_fn(move |request| outer(shared.clone(), request));
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .with_upgrades()
                                .await;
                        });
                    }
                };
                tokio::select! {
                    () = accepting => {}
                    _ = stopped => {}
                }
            });
            runtime.shutdown_background();
        });
        Self {
            port: port.recv().unwrap(),
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request it was asked to carry: `CONNECT host:port` or `METHOD http://host/path`.
    pub fn log(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().clone()
    }
}

impl Drop for CorpProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_owned())));
    *response.status_mut() = status;
    if status == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        response.headers_mut().insert(
            "proxy-authenticate",
            "Basic realm=\"Contoso proxy\"".parse().unwrap(),
        );
    }
    response
}

/// A request to the proxy itself: `CONNECT`, or a whole `http://` request to carry.
async fn outer(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let line = if request.method() == hyper::Method::CONNECT {
        format!("CONNECT {}", request.uri())
    } else {
        format!("{} {}", request.method(), request.uri())
    };
    shared.log.lock().unwrap().push(line);
    if !shared.mode.admits(&request) {
        return Ok(answer(
            StatusCode::PROXY_AUTHENTICATION_REQUIRED,
            "sign in to the proxy",
        ));
    }
    let host = request.uri().host().unwrap_or_default().to_ascii_lowercase();
    let Some(&port) = shared.names.get(&host) else {
        return Ok(answer(
            StatusCode::BAD_GATEWAY,
            "the proxy cannot resolve this name",
        ));
    };
    if request.method() != hyper::Method::CONNECT {
        return Ok(forward(&shared, port, request).await);
    }
    let config = shared.root.server_config(&host);
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(request).await else {
            return;
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let Ok(tls) = acceptor.accept(TokioIo::new(upgraded)).await else {
            return;
        };
        let service = hyper::service::service_fn(move |inner| {
            let shared = shared.clone();
            async move { Ok::<_, Infallible>(forward(&shared, port, inner).await) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tls), service)
            .await;
    });
    Ok(Response::new(Full::new(Bytes::new())))
}

/// Carries one request to `127.0.0.1:<port>` (with a loopback `Host`, which the sandbox
/// requires) and its answer back.
async fn forward(shared: &Shared, port: u16, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let Ok(body) = Limited::new(body, MAX_BODY).collect().await.map(|b| b.to_bytes()) else {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "too large for the test proxy");
    };
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut upstream = shared
        .upstream
        .request(parts.method, format!("http://127.0.0.1:{port}{path}"))
        .body(body);
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "host" | "connection" | "proxy-authorization" | "content-length"
        ) {
            upstream = upstream.header(name, value);
        }
    }
    let Ok(reply) = upstream.send().await else {
        return answer(StatusCode::BAD_GATEWAY, "the upstream did not answer");
    };
    let status = reply.status();
    let headers = reply.headers().clone();
    let bytes = reply.bytes().await.unwrap_or_default();
    let mut response = Response::new(Full::new(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "transfer-encoding" | "connection" | "content-length"
        ) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}
