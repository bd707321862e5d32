//! "Test Connection", exactly as Azure runs it: `GET {Tenant URL}Users?filter=userName eq "<random>"`
//! with the bearer token, expecting `200` and an empty `ListResponse`.

use std::time::{Duration, Instant};

use thiserror::Error;
use url::Url;

use crate::http_body::{BodyError, read_json};
use crate::net::{Http, NetworkFailure, SetupError};
use crate::token::AccessToken;

/// How long the probe waits for an answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The most of an answer the probe and the People lookup read: an empty list or one person is a
/// few hundred bytes.
const MAX_PROBE_BODY: usize = 1 << 20;

/// A successful Test Connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeSuccess {
    /// The URL queried (token not included).
    pub url: Url,
    /// Round-trip time.
    pub elapsed: Duration,
}

impl ProbeSuccess {
    /// What a passed Test Connection means, in words both shells show.
    pub fn description(&self, tenant_url: &Url) -> String {
        format!(
            "Test Connection succeeded: {tenant_url} accepted the token ({} ms). Azure's Test Connection will pass with this Tenant URL and token.",
            self.elapsed.as_millis()
        )
    }
}

/// Why Test Connection failed, worded as Azure's outcome plus what to do.
#[derive(Debug, Error)]
pub enum ProbeError {
    /// 401: the token is not accepted.
    #[error("the token was refused (401): it has expired or was revoked; sign in again to get a new one{}", detail_text(.0))]
    Unauthorized(Option<String>),
    /// 403: a valid token without provisioning rights.
    #[error("the token is valid but may not provision users (403): sign in as a full administrator of the org so the token carries Identity:SCIM{}", detail_text(.0))]
    Forbidden(Option<String>),
    /// 404: wrong Tenant URL or org.
    #[error("the Tenant URL was not found (404): check the org ID{}", detail_text(.0))]
    NotFound(Option<String>),
    /// Any other status.
    #[error("the SCIM API answered {status}{}", detail_text(.detail))]
    Status {
        /// HTTP status.
        status: u16,
        /// The SCIM `detail`, if any.
        detail: Option<String>,
    },
    /// 200 but not a SCIM `ListResponse` with zero results.
    #[error("the SCIM API answered 200 but not with an empty ListResponse, as Azure expects: {0}")]
    BadResponse(String),
    /// No answer: the network's part in it, in words.
    #[error("{0}")]
    Network(Box<NetworkFailure>),
    /// No HTTP client could be made on this computer.
    #[error(transparent)]
    Setup(SetupError),
}

fn detail_text(detail: &Option<String>) -> String {
    detail
        .as_ref()
        .map(|d| format!(" (server said: {d})"))
        .unwrap_or_default()
}

/// The Test Connection URL for a Tenant URL, with a random non-existent userName.
pub fn probe_url(tenant_url: &Url) -> Url {
    let mut base = tenant_url.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    let mut url = base.join("Users").expect("a relative path joins");
    let random = oauth2::CsrfToken::new_random().secret().replace(['-', '_'], "");
    url.query_pairs_mut()
        .append_pair("filter", &format!("userName eq \"scim-token-probe-{random}\""));
    url
}

/// Runs Test Connection against `tenant_url` with `token`, over `http` (bounded by
/// [`PROBE_TIMEOUT`]).
pub async fn test_connection(
    http: &Http,
    tenant_url: &Url,
    token: &AccessToken,
) -> Result<ProbeSuccess, ProbeError> {
    let url = probe_url(tenant_url);
    let started = Instant::now();
    let response = match http
        .client()
        .get(url.clone())
        .bearer_auth(token.expose_secret())
        .header("accept", "application/scim+json")
        .send()
        .await
    {
        Ok(response) => response,
        // reqwest's error can include the URL, never the Authorization header.
        Err(e) => return Err(ProbeError::Network(Box::new(http.explain(&e, &url).await))),
    };
    if let Some(refusal) = http.refusal(&url, response.status()) {
        return Err(ProbeError::Network(Box::new(refusal)));
    }
    let status = response.status().as_u16();
    let body: serde_json::Value = match read_json(response, MAX_PROBE_BODY).await {
        Ok(body) => body,
        Err(too_large @ BodyError::TooLarge { .. }) => {
            return Err(ProbeError::BadResponse(too_large.to_string()));
        }
        // An answer that is no JSON (a proxy's page, an empty 401) is judged by its status.
        Err(_) => serde_json::Value::Null,
    };
    let detail = body
        .get("detail")
        .or_else(|| body.get("message"))
        .and_then(|d| d.as_str())
        .map(str::to_owned);
    match status {
        200 => {
            let is_list = body["schemas"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|u| u == "urn:ietf:params:scim:api:messages:2.0:ListResponse")
            });
            if is_list && body["totalResults"] == 0 {
                Ok(ProbeSuccess {
                    url,
                    elapsed: started.elapsed(),
                })
            } else {
                Err(ProbeError::BadResponse(
                    body.to_string().chars().take(200).collect(),
                ))
            }
        }
        401 => Err(ProbeError::Unauthorized(detail)),
        403 => Err(ProbeError::Forbidden(detail)),
        404 => Err(ProbeError::NotFound(detail)),
        status => Err(ProbeError::Status { status, detail }),
    }
}

/// Who a token belongs to: the first email the People API (`GET /v1/people/me`) returns. Best
/// effort: `None` on any failure.
pub async fn signed_in_email(http: &Http, people_me_url: &Url, token: &AccessToken) -> Option<String> {
    let response = http
        .client()
        .get(people_me_url.clone())
        .timeout(Duration::from_secs(5))
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .ok()?;
    let person: serde_json::Value = read_json(response.error_for_status().ok()?, MAX_PROBE_BODY)
        .await
        .ok()?;
    person["emails"][0].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_url_is_azures_query() {
        let tenant =
            Url::parse("https://webexapis.com/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/")
                .unwrap();
        let url = probe_url(&tenant);
        assert_eq!(
            url.path(),
            "/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/Users"
        );
        let filter = url
            .query_pairs()
            .find(|(k, _)| k == "filter")
            .unwrap()
            .1
            .into_owned();
        assert!(
            filter.starts_with("userName eq \"scim-token-probe-") && filter.ends_with('"'),
            "{filter}"
        );
        assert_ne!(probe_url(&tenant), url, "each probe uses a fresh random userName");
        let no_slash = Url::parse("http://127.0.0.1:8900/identity/scim/x/v2").unwrap();
        assert_eq!(probe_url(&no_slash).path(), "/identity/scim/x/v2/Users");
    }

    /// A server on loopback that answers every request with 200 and a body without end
    /// (chunked, no length), until the client hangs up.
    async fn endless_server() -> Url {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let port = listener.local_addr().expect("an address").port();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut request = [0u8; 4096];
                    let _ = stream.read(&mut request).await;
                    let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                    if stream.write_all(head).await.is_err() {
                        return;
                    }
                    let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                    // Bounded: 64 MiB at most, far past what the probe reads.
                    for _ in 0..1024 {
                        if stream.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Url::parse(&format!("http://127.0.0.1:{port}/identity/scim/org/v2/")).expect("a URL")
    }

    #[tokio::test]
    async fn an_answer_without_end_is_refused_at_its_bound() {
        let tenant = endless_server().await;
        let token = AccessToken::new("probe-token".into());
        let http = Http::new(
            std::sync::Arc::new(crate::net::ProxyConfig::resolve(&crate::net::ProxyChoice::Direct)),
            |b| b.timeout(PROBE_TIMEOUT),
        )
        .expect("a client");
        let refused = test_connection(&http, &tenant, &token).await.unwrap_err();
        assert!(
            matches!(&refused, ProbeError::BadResponse(m) if m.contains("larger than 1048576 bytes")),
            "{refused}"
        );
        let people = tenant.join("/v1/people/me").expect("a URL");
        assert_eq!(signed_in_email(&http, &people, &token).await, None);
    }
}
