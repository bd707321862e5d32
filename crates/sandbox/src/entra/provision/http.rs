//! The HTTP side of the engine: the client, the target (Tenant URL and secret token), and one
//! request with its answer classified.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use url::Url;

use super::{CycleError, protocol};
use crate::entra::loopback::{NotLoopback, loopback_only};
use crate::webex::scim::SCIM_JSON;

/// Entra's provisioning service names itself like this; the sandbox's job says it is the sandbox.
const USER_AGENT: &str = "Microsoft.Identity.Provisioning/sandbox";
/// The query flag that switches Entra's client to its RFC-compliant behaviour.
const OPTSCIM: &str = "aadOptscim062020";
/// Each request, connect to last byte.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Larger answers are refused: nothing the engine reads is anywhere near this.
const MAX_ANSWER: usize = 4 << 20;

/// The client every provisioning request goes through: no proxy (the job only calls loopback),
/// no redirects, a 10-second timeout, Entra's kind of user agent.
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent(USER_AGENT)
        .build()
        .expect("a client without proxies or custom TLS always builds")
}

/// Where a job provisions to: a loopback Tenant URL and the secret token.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ScimTarget {
    /// The Tenant URL without its query.
    base: Url,
    token: String,
    /// The Tenant URL carried `?aadOptscim062020`.
    optscim: bool,
}

impl ScimTarget {
    /// A target for `base_address` (the Tenant URL), refused unless it is on loopback. The
    /// `aadOptscim062020` flag in its query selects lowercase ops, JSON booleans and filtered
    /// member removal; the query is not sent.
    pub(crate) fn new(base_address: &str, secret_token: &str) -> Result<Self, NotLoopback> {
        let mut base = loopback_only(base_address)?;
        let optscim = base
            .query_pairs()
            .any(|(key, _)| key.eq_ignore_ascii_case(OPTSCIM));
        base.set_query(None);
        base.set_fragment(None);
        Ok(Self {
            base,
            token: secret_token.to_owned(),
            optscim,
        })
    }

    /// The Tenant URL requests go to (no query): for the tests, which check what `new` made of it.
    #[cfg(test)]
    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    /// Whether the `aadOptscim062020` flag is on.
    pub(crate) fn optscim(&self) -> bool {
        self.optscim
    }

    /// The base with `segments` appended, each percent-encoded as one path segment.
    pub(super) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }
}

impl std::fmt::Debug for ScimTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimTarget")
            .field("base", &self.base.as_str())
            .field("token", &"[redacted]")
            .field("optscim", &self.optscim)
            .finish()
    }
}

/// An answer the caller decides about: a 2xx, or a 4xx other than 401 and 403.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) status: u16,
    /// The JSON body, if there was one.
    pub(super) body: Option<Value>,
}

/// Sends `request` with the bearer token (and `body` as SCIM JSON). 401/403 become
/// [`CycleError::Unauthorized`], no answer [`CycleError::Unreachable`], and anything but a 2xx or
/// 4xx (or a 2xx whose body is not JSON) [`CycleError::Protocol`].
pub(super) async fn send(
    target: &ScimTarget,
    request: reqwest::RequestBuilder,
    body: Option<&Value>,
) -> Result<Answer, CycleError> {
    let mut request = request.bearer_auth(&target.token).header(ACCEPT, SCIM_JSON);
    if let Some(body) = body {
        request = request.header(CONTENT_TYPE, SCIM_JSON).body(body.to_string());
    }
    let mut response = request.send().await.map_err(unreachable)?;
    let status = response.status().as_u16();
    if matches!(status, 401 | 403) {
        return Err(CycleError::Unauthorized { status });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if bytes.len() + chunk.len() > MAX_ANSWER {
            return Err(protocol(status, "the answer is too large"));
        }
        bytes.extend_from_slice(&chunk);
    }
    let parsed = if bytes.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<Value>(&bytes).ok()
    };
    match status {
        200..=299 if parsed.is_none() && !bytes.is_empty() => Err(protocol(status, "the answer is not JSON")),
        200..=299 | 400..=499 => Ok(Answer { status, body: parsed }),
        _ => Err(protocol(status, detail(&parsed))),
    }
}

/// What a create (`POST /{resource}`) gave: the new resource's id, or why the target refused
/// it (an entry-level error: the cycle goes on).
pub(super) enum Created {
    Id(String),
    Refused(String),
}

/// Creates a resource (`Users` or `Groups`) and reads its id from the answer.
pub(super) async fn create(
    client: &reqwest::Client,
    target: &ScimTarget,
    resource: &str,
    body: &Value,
) -> Result<Created, CycleError> {
    match send(target, client.post(target.url(&[resource])), Some(body)).await? {
        Answer {
            status: 201 | 200,
            body,
        } => body
            .as_ref()
            .and_then(|b| b.get("id")?.as_str())
            .map(|id| Created::Id(id.to_owned()))
            .ok_or_else(|| protocol(201, format!("a created resource at /{resource} has no id"))),
        Answer { status, body } => Ok(Created::Refused(format!("HTTP {status} ({})", detail(&body)))),
    }
}

/// The `detail` (and `scimType`) of a SCIM error body, for reports.
pub(super) fn detail(body: &Option<Value>) -> String {
    let text = |key: &str| body.as_ref()?.get(key)?.as_str().map(str::to_owned);
    match (text("scimType"), text("detail")) {
        (Some(kind), Some(detail)) => format!("{kind}: {detail}"),
        (None, Some(detail)) => detail,
        (Some(kind), None) => kind,
        (None, None) => "no SCIM error detail".into(),
    }
}

/// A transport error with its causes, for [`CycleError::Unreachable`]. The token is only ever
/// in a header, never in the URL reqwest reports.
fn unreachable(error: reqwest::Error) -> CycleError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    CycleError::Unreachable(text)
}
