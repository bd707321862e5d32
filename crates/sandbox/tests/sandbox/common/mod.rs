//! A sandbox on a real loopback socket for integration tests.

pub(crate) mod entra;

use std::net::SocketAddr;

use reqwest::{Client, Method, RequestBuilder};
use scim_token_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use serde_json::Value;

/// A sandbox on a free loopback port (stopped when dropped), a client that does not follow
/// redirects, and an admin token.
pub(crate) struct Running {
    pub(crate) sandbox: Sandbox,
    pub(crate) addr: SocketAddr,
    pub(crate) client: Client,
    pub(crate) token: String,
    running: RunningSandbox,
}

impl Running {
    pub(crate) async fn start(config: SandboxConfig) -> Self {
        let running = Sandbox::start(config, 0).await.unwrap();
        let sandbox = running.sandbox().clone();
        let addr = running.addr();
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
            running,
        }
    }

    /// `http://127.0.0.1:<port>`, without the trailing slash.
    pub(crate) fn base(&self) -> String {
        self.running.base().as_str().trim_end_matches('/').to_owned()
    }

    /// The local Entra's root, `http://127.0.0.1:<port>`, without the trailing slash.
    pub(crate) fn entra_base(&self) -> String {
        self.running
            .entra_base()
            .as_str()
            .trim_end_matches('/')
            .to_owned()
    }

    /// Stops the server and waits until it has.
    pub(crate) async fn stop(self) {
        self.running.stop().await.unwrap();
    }

    pub(crate) fn scim_base(&self) -> String {
        format!(
            "{}/identity/scim/{}/v2",
            self.base(),
            self.sandbox.config().org_id
        )
    }

    pub(crate) fn scim(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.scim_base()))
            .bearer_auth(&self.token)
    }

    /// Sends a SCIM request with a JSON body; returns status and parsed body (Null if none).
    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.scim(method, path);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        status_and_json(request).await
    }
}

/// Sends `request`; returns the status and the parsed body (Null if none).
pub(crate) async fn status_and_json(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}

/// Asserts a SCIM error body with status and scimType.
pub(crate) fn assert_scim_error(status: u16, body: &Value, expected_status: u16, scim_type: Option<&str>) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{body}"
    );
    assert_eq!(body["status"], expected_status.to_string(), "{body}");
    assert_eq!(body["scimType"].as_str(), scim_type, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
}
