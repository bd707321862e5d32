//! The DNS-rebinding guard over a real socket: requests are written byte for byte, so the `Host`
//! header is exactly what a rebinding page's browser would send.

use scim_token_sandbox::SandboxConfig;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::Running;

/// Sends `GET <path>` with the given `Host` line (none when `None`); returns status and body.
async fn get_with_host(s: &Running, path: &str, host: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    let host_line = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    // HTTP/1.1 requires Host; 1.0 is how a non-browser client leaves it out.
    let version = if host.is_some() { "HTTP/1.1" } else { "HTTP/1.0" };
    let auth = format!("Authorization: Bearer {}\r\n", s.token);
    let request = format!("GET {path} {version}\r\n{host_line}{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn scim_users(s: &Running) -> String {
    format!("/identity/scim/{}/v2/Users", s.sandbox.config().org_id)
}

#[tokio::test]
async fn a_forged_host_is_misdirected_on_every_route() {
    let s = Running::start(SandboxConfig::default()).await;
    let port = s.addr.port();
    let forged = format!("evil.example:{port}");
    let authorize = "/idb/oauth2/v1/authorize?response_type=token";
    for path in [
        "/_sandbox/log",
        "/v1/people/me",
        authorize,
        "/no/such/route",
        &scim_users(&s),
    ] {
        let (status, body) = get_with_host(&s, path, Some(&forged)).await;
        assert_eq!(status, 421, "{path}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["status"], "421", "{error}");
        assert!(
            error["detail"].as_str().unwrap().contains("evil.example"),
            "{error}"
        );
    }
    // A loopback address that is not one of the three names is refused too.
    let (status, _) = get_with_host(&s, "/_sandbox/log", Some(&format!("127.0.0.2:{port}"))).await;
    assert_eq!(status, 421);
    // The refusals are in the log, for whoever wonders why a client gets 421.
    let log = s.sandbox.log();
    assert!(
        log.iter().any(|e| e.status == 421 && e.path == "/v1/people/me"),
        "{log:?}"
    );
}

#[tokio::test]
async fn loopback_names_are_served() {
    let s = Running::start(SandboxConfig::default()).await;
    let port = s.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_owned(),
    ] {
        let (status, body) = get_with_host(&s, "/_sandbox/log", Some(&host)).await;
        assert_eq!(status, 200, "{host}: {body}");
        let (status, body) = get_with_host(&s, &scim_users(&s), Some(&host)).await;
        assert_eq!(status, 200, "{host}: {body}");
        let list: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(list["totalResults"], 0, "{list}");
    }
    // No Host at all (HTTP/1.0): not a browser, so not a rebinding page.
    let (status, body) = get_with_host(&s, &scim_users(&s), None).await;
    assert_eq!(status, 200, "{body}");
}
