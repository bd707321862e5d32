//! A Microsoft Graph client for the provisioning steps the Entra admin center takes: find the
//! Webex enterprise apps and their jobs, test and store credentials, start or restart a job, and
//! read its status. `429 Retry-After` is honoured a bounded number of times.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::RETRY_AFTER;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use super::error::{EntraError, GraphFailure};
use super::ids::{AppId, JobId};
use super::job_state::{ExecutionState, JobCode};
use super::secrets::SecretPair;
use crate::http_body::read_bounded;

/// How many times a throttled request is retried.
const THROTTLE_RETRIES: u32 = 3;
/// The longest scim-token waits for one `Retry-After`; longer asks end the call.
const LONGEST_WAIT: Duration = Duration::from_secs(30);
/// What is waited when a 429 names no `Retry-After`.
const DEFAULT_WAIT: Duration = Duration::from_secs(2);
/// The largest Graph answer read: a page of apps or a job is a few KiB.
pub const MAX_GRAPH_BODY: usize = 4 * 1024 * 1024;

/// A service principal (enterprise app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// The service principal's object ID (what Graph's paths take).
    pub id: AppId,
    /// The application ID.
    #[serde(default)]
    pub app_id: Option<String>,
    /// The name shown in the admin center.
    #[serde(default)]
    pub display_name: String,
}

/// `synchronizationError` (the parts scim-token shows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct JobError {
    /// The error code.
    pub code: Option<String>,
    /// The message.
    pub message: Option<String>,
}

/// One provisioning cycle (`synchronizationTaskExecution`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Execution {
    /// When it ended (RFC 3339).
    pub time_ended: Option<String>,
    /// How it ended.
    pub state: Option<ExecutionState>,
    /// Why it failed.
    pub error: Option<JobError>,
}

/// `synchronizationQuarantine`: the error that put the job there first, then why and until
/// when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Quarantine {
    /// The error that put it there.
    pub error: Option<JobError>,
    /// E.g. `EncounteredQuarantineException`.
    pub reason: Option<String>,
    /// When the job tries again (RFC 3339).
    pub next_attempt: Option<String>,
}

/// `{"key": …, "value": …}` of `synchronizedEntryCountByType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryCount {
    /// E.g. `User to urn:…:User`.
    pub key: String,
    /// How many.
    pub value: u64,
}

/// `synchronizationStatus` (the parts scim-token uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    /// Where the job stands.
    pub code: JobCode,
    /// Failed cycles in a row.
    #[serde(default)]
    pub count_successive_complete_failures: Option<u32>,
    /// The last cycle.
    #[serde(default)]
    pub last_execution: Option<Execution>,
    /// The last cycle that succeeded.
    #[serde(default)]
    pub last_successful_execution: Option<Execution>,
    /// Set while quarantined.
    #[serde(default)]
    pub quarantine: Option<Quarantine>,
    /// When the job last had nothing left to do (RFC 3339).
    #[serde(default)]
    pub steady_state_last_achieved_time: Option<String>,
    /// Entries in sync, by type.
    #[serde(default)]
    pub synchronized_entry_count_by_type: Option<Vec<EntryCount>>,
}

/// A provisioning job (`synchronizationJob`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncJob {
    /// The job ID.
    pub id: JobId,
    /// The template it was made from.
    #[serde(default)]
    pub template_id: Option<String>,
    /// Its status.
    pub status: JobStatus,
}

impl JobStatus {
    /// Whether the job is quarantined (by its code, or a quarantine it reports).
    pub fn quarantined(&self) -> bool {
        self.code == JobCode::Quarantine || self.quarantine.is_some()
    }

    /// Whether the job needs attention: quarantined, or its last cycle failed.
    pub fn unhealthy(&self) -> bool {
        self.quarantined()
            || self
                .last_execution
                .as_ref()
                .and_then(|e| e.state)
                .is_some_and(|s| s == ExecutionState::Failed)
    }

    /// Users in sync, when Graph says.
    pub fn users_in_sync(&self) -> Option<u64> {
        self.synchronized_entry_count_by_type
            .as_ref()?
            .iter()
            .find(|c| c.key.to_ascii_lowercase().starts_with("user"))
            .map(|c| c.value)
    }
}

#[derive(Deserialize)]
struct List<T> {
    value: Vec<T>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(Deserialize)]
struct ErrorInner {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default, rename = "innerError")]
    inner: Option<Value>,
}

/// Where a job's secrets were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretsSource {
    /// Graph v1.0.
    V1,
    /// Graph beta (v1.0 refused).
    Beta,
}

/// Graph, called as the signed-in admin.
pub struct Graph<'a> {
    http: &'a crate::net::Http,
    base: Url,
    token: &'a oauth2::AccessToken,
}

impl std::fmt::Debug for Graph<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

fn seconds(value: Option<&reqwest::header::HeaderValue>) -> Duration {
    value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_WAIT, Duration::from_secs)
}

/// An object ID as one path segment: refused when it could change the request's address.
fn segment(id: &str) -> Result<&str, EntraError> {
    let fine = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && id != "."
        && id != "..";
    if fine {
        Ok(id)
    } else {
        Err(EntraError::Invalid(format!(
            "'{id}' is not an ID Graph knows: use the service principal and job IDs `entra apps` lists"
        )))
    }
}

impl<'a> Graph<'a> {
    /// A client for Graph v1.0 at `base` (ending in `v1.0/`) with an access token.
    pub fn new(http: &'a crate::net::Http, base: Url, token: &'a oauth2::AccessToken) -> Self {
        Self { http, base, token }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
        eventual: bool,
    ) -> Result<Vec<u8>, EntraError> {
        self.call_at(&self.base, method, path, query, body, eventual)
            .await
    }

    /// The `/beta` root beside this client's v1.0 one.
    fn beta(&self) -> Result<Url, EntraError> {
        self.base
            .join("../beta/")
            .map_err(|e| EntraError::BadResponse(format!("no /beta beside {}: {e}", self.base)))
    }

    /// [`Self::call`] below another root (`/beta`). A request that may have reached Graph but
    /// got no answer is [`EntraError::Interrupted`]; one that never left, [`EntraError::Network`].
    async fn call_at(
        &self,
        base: &Url,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
        eventual: bool,
    ) -> Result<Vec<u8>, EntraError> {
        let mut url = base
            .join(path)
            .map_err(|e| EntraError::BadResponse(format!("bad Graph path {path}: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        for attempt in 0..=THROTTLE_RETRIES {
            let mut request = self
                .http
                .client()
                .request(method.clone(), url.clone())
                .bearer_auth(self.token.secret());
            if eventual {
                request = request.header("ConsistencyLevel", "eventual");
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) => {
                    let words = self.http.explain(&e, &url).await.to_string();
                    return Err(if e.is_connect() || e.is_builder() {
                        EntraError::Network(words)
                    } else {
                        EntraError::Interrupted(words)
                    });
                }
            };
            let status = response.status();
            if let Some(refusal) = self.http.refusal(&url, status) {
                return Err(EntraError::Network(refusal.to_string()));
            }
            if status.as_u16() == 429 {
                let wait = seconds(response.headers().get(RETRY_AFTER));
                if attempt == THROTTLE_RETRIES || wait > LONGEST_WAIT {
                    return Err(EntraError::Throttled { retry_after: wait });
                }
                tracing::info!(
                    "Graph throttled {method} {path}; waiting {} s as asked",
                    wait.as_secs()
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            let request_id = response
                .headers()
                .get("request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = match read_bounded(response, MAX_GRAPH_BODY).await {
                Ok(bytes) => bytes,
                // The status is what tells whether Graph acted: a 2xx without a readable body
                // (which a write does not need) is still a 2xx, a failure still a failure.
                Err(e) if status.is_success() && method != Method::GET => {
                    tracing::debug!("Graph's answer to {method} {path} could not be read: {e}");
                    Vec::new()
                }
                Err(e) if status.is_success() => return Err(EntraError::Interrupted(e.to_string())),
                Err(e) => {
                    return Err(EntraError::Graph(GraphFailure {
                        status: status.as_u16(),
                        code: status.canonical_reason().unwrap_or("error").to_owned(),
                        message: format!("the answer could not be read: {e}"),
                        request_id,
                    }));
                }
            };
            if status.is_success() {
                return Ok(bytes);
            }
            let failure = match serde_json::from_slice::<ErrorBody>(&bytes) {
                Ok(body) => GraphFailure {
                    status: status.as_u16(),
                    code: body.error.code,
                    message: body.error.message,
                    request_id: request_id.or_else(|| {
                        body.error
                            .inner
                            .and_then(|i| i.get("request-id").and_then(|r| r.as_str()).map(str::to_owned))
                    }),
                },
                Err(_) => GraphFailure {
                    status: status.as_u16(),
                    code: status.canonical_reason().unwrap_or("error").to_owned(),
                    message: "no Graph error body".into(),
                    request_id,
                },
            };
            return Err(EntraError::Graph(failure));
        }
        unreachable!("the loop returns on its last attempt")
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        eventual: bool,
    ) -> Result<T, EntraError> {
        let bytes = self.call(Method::GET, path, query, None, eventual).await?;
        serde_json::from_slice(&bytes).map_err(|e| EntraError::BadResponse(e.to_string()))
    }

    /// Enterprise apps whose name has a word starting with "webex" (`$search`, as the admin
    /// center's search box does).
    pub async fn webex_apps(&self) -> Result<Vec<ServicePrincipal>, EntraError> {
        let list: List<ServicePrincipal> = self
            .get(
                "servicePrincipals",
                &[
                    ("$search", "\"displayName:webex\""),
                    ("$select", "id,appId,displayName"),
                ],
                true,
            )
            .await?;
        Ok(list.value)
    }

    /// One enterprise app.
    pub async fn app(&self, id: &AppId) -> Result<ServicePrincipal, EntraError> {
        let id = segment(id)?;
        self.get(
            &format!("servicePrincipals/{id}"),
            &[("$select", "id,appId,displayName")],
            false,
        )
        .await
    }

    /// An app's provisioning jobs.
    pub async fn jobs(&self, app: &AppId) -> Result<Vec<SyncJob>, EntraError> {
        let app = segment(app)?;
        let list: List<SyncJob> = self
            .get(
                &format!("servicePrincipals/{app}/synchronization/jobs"),
                &[],
                false,
            )
            .await?;
        Ok(list.value)
    }

    /// One job.
    pub async fn job(&self, app: &AppId, job: &JobId) -> Result<SyncJob, EntraError> {
        let (app, job) = (segment(app)?, segment(job)?);
        self.get(
            &format!("servicePrincipals/{app}/synchronization/jobs/{job}"),
            &[],
            false,
        )
        .await
    }

    /// The job's secrets, as Graph shows them (secret values may be masked), and where they
    /// were read. Reading them is unconfirmed on v1.0: when v1.0 refuses (400, 404 or 405), the
    /// same path under `/beta`, where Microsoft's own how-to reads them, is asked for this call.
    pub async fn secrets(&self, app: &AppId) -> Result<(Vec<SecretPair>, SecretsSource), EntraError> {
        let path = format!("servicePrincipals/{}/synchronization/secrets", segment(app)?);
        match self.call(Method::GET, &path, &[], None, false).await {
            Err(EntraError::Graph(refused)) if matches!(refused.status, 400 | 404 | 405) => {
                tracing::info!(
                    "Graph v1.0 refused to read the job's secrets ({} {}); reading them from /beta",
                    refused.status,
                    refused.code
                );
                Ok((
                    self.secrets_from(app, SecretsSource::Beta).await?,
                    SecretsSource::Beta,
                ))
            }
            Ok(bytes) => Ok((Self::pairs(&bytes)?, SecretsSource::V1)),
            Err(other) => Err(other),
        }
    }

    /// The job's secrets read where an earlier read succeeded, so that a comparison compares
    /// one view with itself.
    pub async fn secrets_from(
        &self,
        app: &AppId,
        source: SecretsSource,
    ) -> Result<Vec<SecretPair>, EntraError> {
        let path = format!("servicePrincipals/{}/synchronization/secrets", segment(app)?);
        let base = match source {
            SecretsSource::V1 => self.base.clone(),
            SecretsSource::Beta => self.beta()?,
        };
        let bytes = self.call_at(&base, Method::GET, &path, &[], None, false).await?;
        Self::pairs(&bytes)
    }

    fn pairs(bytes: &[u8]) -> Result<Vec<SecretPair>, EntraError> {
        serde_json::from_slice::<List<SecretPair>>(bytes)
            .map(|list| list.value)
            .map_err(|e| EntraError::BadResponse(format!("the job's secrets: {e}")))
    }

    /// Test Connection with these credentials (the Tenant URL and token), before they are saved.
    pub async fn validate(
        &self,
        app: &AppId,
        job: &JobId,
        credentials: &[SecretPair],
    ) -> Result<(), EntraError> {
        let (app, job) = (segment(app)?, segment(job)?);
        let body = json!({"useSavedCredentials": false, "credentials": credentials});
        self.call(
            Method::POST,
            &format!("servicePrincipals/{app}/synchronization/jobs/{job}/validateCredentials"),
            &[],
            Some(body),
            false,
        )
        .await
        .map(drop)
    }

    /// Stores these pairs as the job's secrets (`PUT`, whose merge-or-replace behaviour is
    /// unconfirmed: send every key that must remain).
    pub async fn put_secrets(&self, app: &AppId, pairs: &[SecretPair]) -> Result<(), EntraError> {
        let app = segment(app)?;
        let body = json!({"value": pairs});
        self.call(
            Method::PUT,
            &format!("servicePrincipals/{app}/synchronization/secrets"),
            &[],
            Some(body),
            false,
        )
        .await
        .map(drop)
    }

    /// Restarts a job, lifting its quarantine only (no full resync).
    pub async fn restart_lifting_quarantine(&self, app: &AppId, job: &JobId) -> Result<(), EntraError> {
        let (app, job) = (segment(app)?, segment(job)?);
        let body = json!({"criteria": {"resetScope": "QuarantineState"}});
        self.call(
            Method::POST,
            &format!("servicePrincipals/{app}/synchronization/jobs/{job}/restart"),
            &[],
            Some(body),
            false,
        )
        .await
        .map(drop)
    }

    /// Starts a paused or never-run job.
    pub async fn start(&self, app: &AppId, job: &JobId) -> Result<(), EntraError> {
        let (app, job) = (segment(app)?, segment(job)?);
        self.call(
            Method::POST,
            &format!("servicePrincipals/{app}/synchronization/jobs/{job}/start"),
            &[],
            None,
            false,
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// An HTTP/1.1 answer with a JSON body of the right length.
    fn answer(status: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    /// A stand-in Graph on loopback that reads one request, writes `answer` (if any) and closes.
    async fn stand_in(answer: Option<String>) -> Url {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let port = listener.local_addr().expect("an address").port();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("a client");
            let mut request = vec![0u8; 64 * 1024];
            let _ = stream.read(&mut request).await;
            if let Some(answer) = answer {
                let _ = stream.write_all(answer.as_bytes()).await;
            }
            // Dropped: the connection closes, answered or not.
        });
        Url::parse(&format!("http://127.0.0.1:{port}/v1.0/")).expect("a URL")
    }

    fn pairs() -> Vec<SecretPair> {
        vec![SecretPair::new("SecretToken", "t")]
    }

    #[tokio::test]
    async fn a_put_whose_answer_never_came_is_interrupted_not_refused() {
        let http = crate::net::Http::direct().unwrap();
        let token = oauth2::AccessToken::new("graph-access".into());
        let graph = Graph::new(&http, stand_in(None).await, &token);
        let lost = graph
            .put_secrets(&AppId::from("app"), &pairs())
            .await
            .unwrap_err();
        assert!(matches!(lost, EntraError::Interrupted(_)), "{lost:?}");

        let refused = Graph::new(
            &http,
            stand_in(Some(answer(
                "400 Bad Request",
                r#"{"error":{"code":"BadRequest","message":"no"}}"#,
            )))
            .await,
            &token,
        );
        let refused = refused
            .put_secrets(&AppId::from("app"), &pairs())
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, EntraError::Graph(f) if f.status == 400),
            "{refused:?}"
        );

        // Nothing listens: the request never left, so nothing was stored.
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
            listener.local_addr().expect("an address").port()
        };
        let nowhere = Url::parse(&format!("http://127.0.0.1:{closed}/v1.0/")).expect("a URL");
        let unsent = Graph::new(&http, nowhere, &token)
            .put_secrets(&AppId::from("app"), &pairs())
            .await
            .unwrap_err();
        assert!(matches!(unsent, EntraError::Network(_)), "{unsent:?}");
    }

    #[tokio::test]
    async fn secrets_are_read_from_beta_when_v1_refuses() {
        // v1.0 answers 405 on the first connection; /beta answers on the second.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let port = listener.local_addr().expect("an address").port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let paths = seen.clone();
        tokio::spawn(async move {
            for reply in [
                answer(
                    "405 Method Not Allowed",
                    r#"{"error":{"code":"Request_BadRequest","message":"no"}}"#,
                ),
                answer("200 OK", r#"{"value":[{"key":"SyncAll","value":"false"}]}"#),
            ] {
                let (mut stream, _) = listener.accept().await.expect("a client");
                let mut request = vec![0u8; 8192];
                let n = stream.read(&mut request).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&request[..n])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                paths.lock().expect("not poisoned").push(line);
                let _ = stream.write_all(reply.as_bytes()).await;
            }
        });
        let http = crate::net::Http::direct().unwrap();
        let token = oauth2::AccessToken::new("graph-access".into());
        let base = Url::parse(&format!("http://127.0.0.1:{port}/v1.0/")).expect("a URL");
        let (secrets, source) = Graph::new(&http, base, &token)
            .secrets(&AppId::from("app"))
            .await
            .expect("read from beta");
        assert_eq!(secrets[0].key, "SyncAll");
        assert_eq!(source, SecretsSource::Beta);
        let seen = seen.lock().expect("not poisoned").clone();
        assert_eq!(
            seen,
            [
                "GET /v1.0/servicePrincipals/app/synchronization/secrets HTTP/1.1",
                "GET /beta/servicePrincipals/app/synchronization/secrets HTTP/1.1"
            ]
        );
    }
}
