//! Talking to the local Entra as a public client would: PKCE sign-in through the form, the token
//! endpoint, and Graph calls.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Running;

pub(crate) const CLIENT: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
pub(crate) const REDIRECT: &str = "http://localhost:53682/callback";
pub(crate) const SCOPES: &str = "https://graph.microsoft.com/Synchronization.ReadWrite.All https://graph.microsoft.com/Application.Read.All offline_access";
pub(crate) const WEBEX_APP: &str = scim_token_sandbox::entra::WEBEX_APP_ID;

/// A PKCE verifier and its S256 challenge.
pub(crate) fn pkce() -> (String, String) {
    let verifier = format!("verifier-{}-0123456789-abcdefghijklmnop", uuid::Uuid::new_v4());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The authorize URL's query pairs for a good request.
pub(crate) fn authorize_params(challenge: &str, scope: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", CLIENT.into()),
        ("response_type", "code".into()),
        ("redirect_uri", REDIRECT.into()),
        ("scope", scope.into()),
        ("state", "st-123".into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

/// The query of a redirect's `Location`, as pairs.
pub(crate) fn location_query(response: &reqwest::Response) -> Vec<(String, String)> {
    let location = response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap();
    let url = url::Url::parse(location).unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    url.query_pairs().into_owned().collect()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

impl Running {
    pub(crate) fn entra_url(&self, path: &str) -> String {
        format!("{}{path}", self.entra_base())
    }

    /// Signs in at the form and returns the code (after checking `state` came back).
    pub(crate) async fn entra_code(
        &self,
        email: &str,
        password: &str,
        challenge: &str,
        scope: &str,
    ) -> String {
        let mut form = authorize_params(challenge, scope);
        form.push(("email", email.into()));
        form.push(("password", password.into()));
        form.push(("action", "signin".into()));
        let response = self
            .client
            .post(self.entra_url("/organizations/oauth2/v2.0/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302, "{:?}", response.text().await);
        let query = location_query(&response);
        assert_eq!(param(&query, "state"), Some("st-123"));
        param(&query, "code").expect("a code").to_owned()
    }

    /// POSTs a form to the token endpoint.
    pub(crate) async fn entra_token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .client
            .post(self.entra_url("/organizations/oauth2/v2.0/token"))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// Signs `email` in with PKCE and returns the token response.
    pub(crate) async fn entra_sign_in(&self, email: &str, password: &str, scope: &str) -> Value {
        let (verifier, challenge) = pkce();
        let code = self.entra_code(email, password, &challenge, scope).await;
        let (status, body) = self
            .entra_token(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ])
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// An access token for the Application Administrator, issued directly (the sign-in itself
    /// is tested through `entra_sign_in`).
    pub(crate) async fn entra_admin_token(&self) -> String {
        self.sandbox.issue_graph_token("admin@sandbox.example").unwrap()
    }

    /// A Graph request; returns status and body (Null if none).
    pub(crate) async fn graph(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.entra_url(&format!("/v1.0{path}")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
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

/// Polls the Webex app's job until `done` holds (at most 20 s); returns the job.
pub(crate) async fn wait_for_job(
    running: &Running,
    token: &str,
    job: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let path = format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/{job}");
        let (status, body) = running.graph(Method::GET, &path, Some(token), None).await;
        assert_eq!(status, 200, "{body}");
        if done(&body) {
            return body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the job never became {what}: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Asserts Graph's error shape with this status and code.
pub(crate) fn assert_graph_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        body["error"]["innerError"]["request-id"]
            .as_str()
            .is_some_and(|r| r.len() == 36),
        "{body}"
    );
}
