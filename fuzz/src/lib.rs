//! Shared by the fuzz targets: a fresh sandbox with one user and one group, and the check every
//! SCIM answer must pass.

use axum::body::{Body, to_bytes};
use axum::http::{Request, header};
use scim_token_sandbox::{DEFAULT_ORG, Sandbox, SandboxConfig};
use tower::ServiceExt;

/// One request and what came back.
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub body: Vec<u8>,
}

impl Exchange {
    /// No 5xx; every 4xx carries a SCIM error body with its status (RFC 7644 §3.12).
    pub fn check(&self) {
        assert!(
            self.status < 500,
            "{} {} answered {}",
            self.method,
            self.path,
            self.status
        );
        if self.status >= 400 {
            let error: serde_json::Value = serde_json::from_slice(&self.body)
                .unwrap_or_else(|e| panic!("{} {}: error body is not JSON: {e}", self.method, self.path));
            assert_eq!(
                error["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
                "{error}"
            );
            assert_eq!(error["status"], self.status.to_string(), "{error}");
        }
    }
}

/// A fresh in-process sandbox (no sockets), with a user and a group to change.
pub struct Sandboxed {
    router: axum::Router,
    token: String,
    runtime: tokio::runtime::Runtime,
    pub user_id: String,
    pub group_id: String,
}

impl Sandboxed {
    pub fn new() -> Self {
        let sandbox = Sandbox::new(SandboxConfig::default()).expect("a sandbox in memory");
        let token = sandbox
            .issue_token("admin@sandbox.example")
            .expect("the seeded admin");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let mut this = Self {
            router: sandbox.router(),
            token,
            runtime,
            user_id: String::new(),
            group_id: String::new(),
        };
        let user = this.send(
            "POST",
            "/Users",
            br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"fuzz@example.com","name":{"givenName":"F","familyName":"Z"},"emails":[{"value":"fuzz@example.com","type":"work","primary":true}]}"#,
        );
        this.user_id = id_of(&user);
        let group = this.send(
            "POST",
            "/Groups",
            format!(r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Fuzzers","members":[{{"value":"{}"}}]}}"#, this.user_id).as_bytes(),
        );
        this.group_id = id_of(&group);
        this
    }

    /// Sends one SCIM request under `/identity/scim/{org}/v2`.
    pub fn send(&self, method: &str, path: &str, body: &[u8]) -> Exchange {
        let uri = format!("/identity/scim/{DEFAULT_ORG}/v2{path}");
        let request = Request::builder()
            .method(method)
            .uri(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(header::CONTENT_TYPE, "application/scim+json")
            .body(Body::from(body.to_vec()))
            .expect("a request");
        let (status, body) = self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.expect("infallible");
            let status = response.status().as_u16();
            (
                status,
                to_bytes(response.into_body(), usize::MAX)
                    .await
                    .expect("a body")
                    .to_vec(),
            )
        });
        Exchange {
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            body,
        }
    }
}

impl Default for Sandboxed {
    fn default() -> Self {
        Self::new()
    }
}

fn id_of(exchange: &Exchange) -> String {
    assert_eq!(
        exchange.status,
        201,
        "{}",
        String::from_utf8_lossy(&exchange.body)
    );
    let created: serde_json::Value = serde_json::from_slice(&exchange.body).expect("JSON");
    created["id"].as_str().expect("an id").to_owned()
}
