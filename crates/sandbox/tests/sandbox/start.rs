//! `Sandbox::start` on real loopback sockets: the port it binds, stopping (explicitly, on drop,
//! on a shutdown signal) and the error when the port is taken.

use std::time::Duration;

use scim_token_sandbox::{Sandbox, SandboxConfig, SandboxError};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::timeout;

const PATIENCE: Duration = Duration::from_secs(10);

/// Whether something accepts connections on `addr`.
async fn listening(addr: std::net::SocketAddr) -> bool {
    TcpStream::connect(addr).await.is_ok()
}

/// Waits until nothing accepts connections on `addr` (the server stops in the background).
async fn wait_until_closed(addr: std::net::SocketAddr) {
    timeout(PATIENCE, async {
        while listening(addr).await {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the port closes");
}

#[tokio::test]
async fn starts_on_a_free_loopback_port_and_stops_gracefully() {
    let running = Sandbox::start(SandboxConfig::default(), 0).await.unwrap();
    let addr = running.addr();
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
    assert_eq!(
        running.base().as_str(),
        format!("http://127.0.0.1:{}/", addr.port())
    );
    assert!(running.sandbox().issue_token("admin@sandbox.example").is_some());

    // A keep-alive client holding an idle connection must not keep stop() waiting.
    let client = reqwest::Client::new();
    let log = client
        .get(running.base().join("_sandbox/log").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(log.status(), 200);
    timeout(PATIENCE, running.stop())
        .await
        .expect("stop returns")
        .unwrap();
    assert!(!listening(addr).await, "the port is free once stop returns");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let running = Sandbox::start(SandboxConfig::default(), 0).await.unwrap();
    let addr = running.addr();
    assert!(listening(addr).await);
    drop(running);
    wait_until_closed(addr).await;
}

#[tokio::test]
async fn serve_until_serves_until_the_shutdown_signal() {
    let running = Sandbox::start(SandboxConfig::default(), 0).await.unwrap();
    let addr = running.addr();
    let (ctrl_c, pressed) = oneshot::channel::<()>();
    let serving = tokio::spawn(running.serve_until(async {
        let _ = pressed.await;
    }));
    // Still serving while the signal has not come.
    let log = reqwest::get(format!("http://{addr}/_sandbox/log")).await.unwrap();
    assert_eq!(log.status(), 200);
    assert!(!serving.is_finished());
    ctrl_c.send(()).unwrap();
    timeout(PATIENCE, serving)
        .await
        .expect("serve_until returns")
        .unwrap()
        .unwrap();
    assert!(!listening(addr).await);
}

#[tokio::test]
async fn a_port_in_use_is_an_actionable_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let error = Sandbox::start(SandboxConfig::default(), port).await.unwrap_err();
    assert!(
        matches!(error, SandboxError::AddrInUse { addr } if addr.port() == port),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot listen on 127.0.0.1:{port}: address in use; is another sandbox running? choose another port"
        )
    );
}

#[tokio::test]
async fn a_bad_data_file_fails_before_binding() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        // A directory is not an SQLite file.
        data: Some(dir.path().to_owned()),
        ..SandboxConfig::default()
    };
    let error = Sandbox::start(config, 0).await.unwrap_err();
    assert!(matches!(error, SandboxError::Data(_)), "{error:?}");
}

#[tokio::test]
async fn info_names_what_a_client_needs() {
    let running = Sandbox::start(SandboxConfig::default(), 0).await.unwrap();
    let info: serde_json::Value = reqwest::get(format!("{}_sandbox/info", running.base()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["base"], running.base().as_str());
    assert_eq!(info["client_id"], scim_token_core::broker::CLIENT_ID);
    assert_eq!(info["redirect_uri"], "http://localhost:3000/auth/code");
    assert_eq!(
        info["authorize_url"],
        format!("{}idb/oauth2/v1/authorize", running.base())
    );
    assert!(
        info["tenant_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/identity/scim/{}/v2/", scim_token_sandbox::DEFAULT_ORG))
    );
    assert!(
        info["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["may_provision"] == true)
    );
    running.stop().await.unwrap();
}
