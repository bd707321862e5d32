use std::net::{Ipv4Addr, SocketAddr};

use reqwest::StatusCode;
use reqwest::header::{HOST, ORIGIN};
use time::OffsetDateTime;

use super::*;
use crate::authorize::AuthorizeRequest;
use crate::broker::{Broker, BrokerId};

const STATE: &str = "listener-test-state-0001";
const TOKEN: &str = "bGlzdGVuZXJ0b2tlbg_PF84_1eb65fdf-9643-417f-9974-ad72cae0e10f";

fn pending() -> PendingLogin {
    AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
        .with_state_for_tests(STATE)
        .start(OffsetDateTime::now_utc())
}

fn config(timeout: Duration) -> ListenerConfig {
    ListenerConfig {
        addrs: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
        timeout,
    }
}

async fn start() -> (Listener, String) {
    let listener = Listener::bind(pending(), config(Duration::from_secs(20)))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addrs()[0]);
    (listener, base)
}

fn fragment(state: &str) -> String {
    format!("access_token={TOKEN}&token_type=Bearer&expires_in=3887999&state={state}")
}

async fn post(base: &str, origin: Option<&str>, body: String) -> (StatusCode, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/auth/code"))
        .body(body);
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn captures_one_token_and_frees_the_port() {
    let (listener, base) = start().await;
    let addr = listener.local_addrs()[0];
    let page = reqwest::get(format!("{base}/auth/code")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("location.hash") && html.contains("history.replaceState"));
    // The page does not pretend the history forgets the token.
    assert!(
        html.contains("history keeps the address") && html.contains("private"),
        "{html}"
    );

    // A connection that never sends anything (like a browser's preconnect) must not delay the end.
    let _preconnect = std::net::TcpStream::connect(addr).unwrap();
    let (status, verdict) = post(&base, Some(&base), fragment(STATE)).await;
    assert_eq!(
        (status, verdict["outcome"].as_str()),
        (StatusCode::OK, Some("captured"))
    );
    assert!(!verdict.to_string().contains(TOKEN));
    let waited = std::time::Instant::now();
    let captured = listener.wait().await.unwrap();
    assert!(
        waited.elapsed() < Duration::from_secs(2),
        "an idle connection held the listener open for {:?}",
        waited.elapsed()
    );
    assert_eq!(captured.token.expose_secret(), TOKEN);
    // The port is free again once wait returns.
    std::net::TcpListener::bind(addr).expect("port released");
}

#[tokio::test]
async fn forged_state_is_rejected_and_the_real_one_still_wins() {
    let (listener, base) = start().await;
    let (status, verdict) = post(&base, Some(&base), fragment("forged")).await;
    assert_eq!(
        (status, verdict["outcome"].as_str()),
        (StatusCode::BAD_REQUEST, Some("rejected"))
    );
    assert!(verdict["message"].as_str().unwrap().contains("does not match"));
    let (status, _) = post(&base, Some(&base), "#error=access_denied&state=forged".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(&base, Some(&base), fragment(STATE)).await;
    assert_eq!(status, StatusCode::OK);
    // The state is single-use.
    let (status, verdict) = post(&base, Some(&base), fragment(STATE)).await;
    assert_eq!(
        (status, verdict["outcome"].as_str()),
        (StatusCode::CONFLICT, Some("done"))
    );
    assert_eq!(listener.wait().await.unwrap().token.expose_secret(), TOKEN);
}

#[tokio::test]
async fn broker_error_ends_the_login() {
    let (listener, base) = start().await;
    let body = format!("error=access_denied&error_description=User+denied&state={STATE}");
    let (status, verdict) = post(&base, Some(&base), body).await;
    assert_eq!(
        (status, verdict["outcome"].as_str()),
        (StatusCode::OK, Some("broker-error"))
    );
    assert!(verdict["message"].as_str().unwrap().contains("User denied"));
    let err = listener.wait().await.unwrap_err();
    assert!(
        matches!(err, ListenerError::Callback(CallbackError::Broker { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_redirect_with_the_right_state_but_no_token_ends_the_login_in_words() {
    let (listener, base) = start().await;
    let (status, verdict) = post(&base, Some(&base), format!("token_type=Bearer&state={STATE}")).await;
    assert_eq!(
        (status, verdict["outcome"].as_str()),
        (StatusCode::OK, Some("broker-error"))
    );
    assert!(verdict["message"].as_str().unwrap().contains("access_token"));
    let err = listener.wait().await.unwrap_err();
    assert!(
        matches!(err, ListenerError::Callback(CallbackError::MissingToken)),
        "{err:?}"
    );
}

#[tokio::test]
async fn refuses_foreign_hosts_origins_and_paths() {
    let (listener, base) = start().await;
    let client = reqwest::Client::new();
    let rebound = client
        .get(format!("{base}/auth/code"))
        .header(HOST, "evil.example:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(rebound.headers()["cache-control"], "no-store");
    for origin in [None, Some("http://evil.example"), Some("null")] {
        let (status, _) = post(&base, origin, fragment(STATE)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}");
    }
    let favicon = client.get(format!("{base}/favicon.ico")).send().await.unwrap();
    assert_eq!(favicon.status(), StatusCode::NOT_FOUND);
    assert_eq!(favicon.headers()["referrer-policy"], "no-referrer");
    let huge = client
        .post(format!("{base}/auth/code"))
        .header(ORIGIN, &base)
        .body("a".repeat(100 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // None of that ended the login.
    let (status, _) = post(&base, Some(&base), fragment(STATE)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(listener.wait().await.is_ok());
}

#[tokio::test]
async fn timeout_and_cancel_free_the_port() {
    let listener = Listener::bind(pending(), config(Duration::from_millis(200)))
        .await
        .unwrap();
    let addr = listener.local_addrs()[0];
    assert!(matches!(listener.wait().await, Err(ListenerError::Timeout(_))));
    std::net::TcpListener::bind(addr).expect("port released after timeout");

    let listener = Listener::bind(pending(), config(Duration::from_secs(20)))
        .await
        .unwrap();
    let addr = listener.local_addrs()[0];
    let cancel = listener.cancel_handle();
    tokio::spawn(async move { cancel.cancel() });
    assert!(matches!(listener.wait().await, Err(ListenerError::Cancelled)));
    std::net::TcpListener::bind(addr).expect("port released after cancel");
}

#[tokio::test]
async fn port_in_use_names_the_holder() {
    let holder = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = holder.local_addr().unwrap();
    let err = Listener::bind(
        pending(),
        ListenerConfig {
            addrs: vec![addr],
            timeout: Duration::from_secs(1),
        },
    )
    .await
    .unwrap_err();
    let ListenerError::PortInUse { addr: busy, owner } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*busy, addr);
    if cfg!(target_os = "linux") {
        assert_eq!(owner.as_ref().map(|o| o.pid), Some(std::process::id()));
    }
    let message = err.to_string();
    assert!(
        message.contains(&format!("port {}", addr.port())) && message.contains("already in use"),
        "{message}"
    );
}

#[test]
fn only_a_taken_port_or_an_ipv4_failure_ends_a_sign_in() {
    let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, REDIRECT_PORT));
    let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, REDIRECT_PORT));
    // With IPv6 off in the kernel, Linux answers EAFNOSUPPORT or EADDRNOTAVAIL, others EINVAL.
    for kind in [
        io::ErrorKind::AddrNotAvailable,
        io::ErrorKind::Unsupported,
        io::ErrorKind::InvalidInput,
        io::ErrorKind::Other,
    ] {
        assert!(!bind_failure_is_fatal(&v6, kind), "{kind:?}");
        assert!(bind_failure_is_fatal(&v4, kind), "{kind:?}");
    }
    // Held by another program (Winsock says "access denied" for another user's socket).
    assert!(bind_failure_is_fatal(&v6, io::ErrorKind::AddrInUse));
    assert!(bind_failure_is_fatal(&v6, io::ErrorKind::PermissionDenied));
}

#[tokio::test]
async fn an_address_family_the_kernel_lacks_is_skipped() {
    // An IPv6 address that no interface has fails like [::1] on a kernel without IPv6; the
    // sign-in goes on over IPv4.
    let unreachable_v6: SocketAddr = "[2001:db8::1]:0".parse().unwrap();
    let listener = Listener::bind(
        pending(),
        ListenerConfig {
            addrs: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), unreachable_v6],
            timeout: Duration::from_secs(1),
        },
    )
    .await
    .expect("IPv4 alone is enough");
    assert_eq!(listener.local_addrs().len(), 1);
    assert!(listener.local_addrs()[0].is_ipv4());
}
