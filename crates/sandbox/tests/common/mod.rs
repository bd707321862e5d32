//! A sandbox on a real loopback socket for integration tests.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::net::SocketAddr;

use reqwest::{Client, Method, RequestBuilder};
use scim_token_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;
use tokio::sync::oneshot;

pub struct Running {
    pub sandbox: Sandbox,
    pub addr: SocketAddr,
    pub client: Client,
    pub token: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Running {
    pub async fn start(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::new(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = sandbox.clone();
        tokio::spawn(async move {
            server
                .serve(listener, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap()
        });
        let token = sandbox.issue_token("admin@sandbox.example").unwrap();
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            sandbox,
            addr,
            client,
            token,
            stop: Some(stop),
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn scim_base(&self) -> String {
        format!(
            "{}/identity/scim/{}/v2",
            self.base(),
            self.sandbox.config().org_id
        )
    }

    pub fn scim(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.scim_base()))
            .bearer_auth(&self.token)
    }

    /// Sends a SCIM request with a JSON body; returns status and parsed body (Null if none).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.scim(method, path);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap()
            },
        )
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Asserts a SCIM error body with status and scimType.
pub fn assert_scim_error(status: u16, body: &Value, expected_status: u16, scim_type: Option<&str>) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{body}"
    );
    assert_eq!(body["status"], expected_status.to_string(), "{body}");
    assert_eq!(body["scimType"].as_str(), scim_type, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
}
