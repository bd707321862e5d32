//! Signing in to Entra as a public client: the authorization code grant with PKCE and a random,
//! checked `state` (oauth2), redirected to a loopback listener on an ephemeral port (RFC 8252).
//! The desktop also catches the redirect in its sign-in window; whichever sees it first wins.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardErrorResponse,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::cloud::Cloud;
use super::error::EntraError;
use super::identity::EntraIdentity;
use super::ids::{self, Tenant};
use super::redirect::RedirectListener;
use super::{
    APPLICATION_READ_SCOPE, GRAPH_COMMAND_LINE_TOOLS, IDENTITY_SCOPES, OFFLINE_ACCESS, SYNCHRONIZATION_SCOPE,
    authorize_path, token_path,
};
use crate::http_body::{BodyError, read_bounded};

/// The token endpoint's extra field: OpenID Connect's `id_token` (who signed in).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl oauth2::ExtraTokenFields for IdTokenField {}

/// A token response with the `id_token`.
pub(crate) type EntraTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// oauth2's client, reading the `id_token` too.
pub(crate) type EntraClient<HasAuthUrl, HasTokenUrl> = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    HasAuthUrl,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    HasTokenUrl,
>;

/// The largest answer read from the token endpoint (a few KiB in practice).
const MAX_TOKEN_BODY: usize = 4 * 1024 * 1024;

/// Where and as which client to sign in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EntraTarget {
    /// The cloud.
    pub cloud: Cloud,
    /// The tenant ID, or `organizations`.
    pub tenant: Tenant,
    /// The public client's ID (default: Microsoft Graph Command Line Tools).
    pub client_id: ids::ClientId,
}

impl EntraTarget {
    /// The defaults: `organizations` and Microsoft Graph Command Line Tools.
    pub fn new(cloud: Cloud) -> Self {
        Self {
            cloud,
            tenant: "organizations".into(),
            client_id: GRAPH_COMMAND_LINE_TOOLS.into(),
        }
    }

    /// The scopes asked for: provisioning, listing apps, a refresh token, and who signed in.
    pub fn scopes(&self) -> Vec<String> {
        let prefix = self.cloud.scope_prefix();
        let mut scopes = vec![
            format!("{prefix}{SYNCHRONIZATION_SCOPE}"),
            format!("{prefix}{APPLICATION_READ_SCOPE}"),
            OFFLINE_ACCESS.to_owned(),
        ];
        scopes.extend(IDENTITY_SCOPES.iter().map(|s| (*s).to_owned()));
        scopes
    }

    /// Refuses a tenant or client ID that could change where the sign-in goes: a tenant is a
    /// GUID, `organizations`, `common` or a domain; a client ID a GUID-like word.
    pub fn validate(&self) -> Result<(), EntraError> {
        let word = |text: &str, extra: &[char]| {
            !text.is_empty()
                && text.len() <= 253
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
                && !text.starts_with(['.', '-'])
        };
        if !word(&self.tenant, &['.', '-']) {
            return Err(EntraError::Invalid(format!(
                "'{}' is not a tenant: give the tenant ID (a GUID), a verified domain, or organizations",
                self.tenant
            )));
        }
        if !word(&self.client_id, &['-']) {
            return Err(EntraError::Invalid(format!(
                "'{}' is not a client ID: give the application (client) ID of the app registration",
                self.client_id
            )));
        }
        Ok(())
    }

    fn endpoint(&self, path: String) -> Result<Url, EntraError> {
        self.validate()?;
        self.cloud
            .login_base()
            .join(&path)
            .map_err(|e| EntraError::Listener(format!("bad tenant '{}': {e}", self.tenant)))
    }

    pub(crate) fn client(
        &self,
        redirect: Option<&Url>,
    ) -> Result<EntraClient<EndpointSet, EndpointSet>, EntraError> {
        let mut client = EntraClient::new(ClientId::new(self.client_id.to_string()))
            .set_auth_uri(AuthUrl::from_url(self.endpoint(authorize_path(&self.tenant))?))
            .set_token_uri(TokenUrl::from_url(self.endpoint(token_path(&self.tenant))?));
        if let Some(redirect) = redirect {
            client = client.set_redirect_uri(RedirectUrl::from_url(redirect.clone()));
        }
        Ok(client)
    }
}

/// What a sign-in or a refresh gives: an access token for Graph (kept in memory only) and the
/// refresh token (kept in the keyring).
#[derive(Debug)]
pub struct EntraTokens {
    /// For Graph calls.
    pub access: oauth2::AccessToken,
    /// For the next access token without a sign-in.
    pub refresh: RefreshToken,
    /// How long the access token lives, when Entra said.
    pub expires_in: Option<Duration>,
    /// Who signed in, when Entra sent an `id_token`.
    pub identity: Option<EntraIdentity>,
}

/// A sign-in waiting for its redirect.
pub struct PendingEntraLogin {
    /// Open this in a browser (or the sign-in window).
    pub url: Url,
    /// Where Entra sends the browser back: `http://localhost:<port>/`.
    pub redirect_uri: Url,
    target: EntraTarget,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    listener: RedirectListener,
}

impl std::fmt::Debug for PendingEntraLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingEntraLogin")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish_non_exhaustive()
    }
}

/// Why oauth2's HTTP call failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OauthHttpError {
    /// The request failed.
    #[error("{0}")]
    Request(String),
    /// The answer could not be read, or was too large.
    #[error(transparent)]
    Body(#[from] BodyError),
}

type HttpFuture<'c> = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, OauthHttpError>> + Send + 'c>>;

/// oauth2's HTTP calls through the app's reqwest client (no redirects followed: a token endpoint
/// never redirects, and following one could send the code elsewhere). A type rather than a
/// closure, so the futures that use it are provably `Send`.
pub(crate) struct OauthHttp<'a>(pub(crate) &'a crate::net::Http);

impl<'c> oauth2::AsyncHttpClient<'c> for OauthHttp<'_> {
    type Error = OauthHttpError;
    type Future = HttpFuture<'c>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = url::Url::parse(&parts.uri.to_string())
                .map_err(|e| OauthHttpError::Request(format!("not a URL: {e}")))?;
            let response = match self
                .0
                .client()
                .request(parts.method, url.clone())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
            {
                Ok(response) => response,
                Err(e) => {
                    return Err(OauthHttpError::Request(
                        self.0.explain(&e, &url).await.to_string(),
                    ));
                }
            };
            if let Some(refusal) = self.0.refusal(&url, response.status()) {
                return Err(OauthHttpError::Request(refusal.to_string()));
            }
            let mut out = oauth2::HttpResponse::new(Vec::new());
            *out.status_mut() = response.status();
            *out.headers_mut() = response.headers().clone();
            *out.body_mut() = read_bounded(response, MAX_TOKEN_BODY).await?;
            Ok(out)
        })
    }
}

type TokenError = RequestTokenError<OauthHttpError, StandardErrorResponse<BasicErrorResponseType>>;

/// The token endpoint's refusal, in words, without any secret.
pub(crate) fn token_error(error: TokenError) -> EntraError {
    match error {
        RequestTokenError::ServerResponse(response) => EntraError::TokenEndpoint {
            code: response.error().to_string(),
            description: response.error_description().cloned().unwrap_or_default(),
        },
        RequestTokenError::Request(e) => EntraError::Network(e.to_string()),
        RequestTokenError::Parse(e, _) => EntraError::BadResponse(e.to_string()),
        RequestTokenError::Other(e) => EntraError::BadResponse(e),
    }
}

/// Who the response's `id_token` names, if it has a readable one.
fn identity(response: &EntraTokenResponse) -> Option<EntraIdentity> {
    response
        .extra_fields()
        .id_token
        .as_deref()
        .and_then(EntraIdentity::from_id_token)
}

pub(crate) fn tokens(response: &EntraTokenResponse) -> Result<EntraTokens, EntraError> {
    Ok(EntraTokens {
        access: response.access_token().clone(),
        refresh: response
            .refresh_token()
            .cloned()
            .ok_or(EntraError::NoRefreshToken)?,
        expires_in: response.expires_in(),
        identity: identity(response),
    })
}

impl PendingEntraLogin {
    /// Starts the listener and builds the authorize URL.
    pub async fn start(target: EntraTarget) -> Result<Self, EntraError> {
        let state = CsrfToken::new_random();
        let listener = RedirectListener::bind(state.secret().clone()).await?;
        let redirect_uri =
            Url::parse(&format!("http://localhost:{}/", listener.port)).expect("a port makes a URL");
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = target.client(Some(&redirect_uri))?;
        let expected = state.clone();
        let (url, _) = client
            .authorize_url(move || expected)
            .add_scopes(target.scopes().into_iter().map(Scope::new))
            .set_pkce_challenge(challenge)
            .add_extra_param("prompt", "select_account")
            .url();
        Ok(Self {
            url,
            redirect_uri,
            target,
            state,
            verifier,
            listener,
        })
    }

    /// What is signed in to.
    pub fn target(&self) -> &EntraTarget {
        &self.target
    }

    /// What recognises this sign-in's redirect in a sign-in window's navigation.
    pub fn matcher(&self) -> RedirectMatcher {
        RedirectMatcher {
            port: self.redirect_uri.port(),
            state: self.state.clone(),
        }
    }

    /// Waits up to `limit` for the loopback listener to receive this sign-in's redirect: the
    /// code, or the error Entra sent. After a timeout the listener takes no more redirects (a
    /// late one is told the sign-in has ended): start a new sign-in.
    pub async fn next_code(&mut self, limit: Duration) -> Result<String, EntraError> {
        match tokio::time::timeout(limit, &mut self.listener.outcome).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(EntraError::Cancelled),
            Err(_) => {
                // Closed so that the listener's page cannot say "signed in" to a redirect no one
                // will read; one delivered just before the close still counts.
                self.listener.outcome.close();
                self.listener
                    .outcome
                    .try_recv()
                    .unwrap_or(Err(EntraError::Timeout(limit)))
            }
        }
    }

    /// Redeems a code (from the listener or the sign-in window) with the PKCE verifier.
    pub async fn redeem(self, code: String, http: &crate::net::Http) -> Result<EntraTokens, EntraError> {
        let client = self.target.client(Some(&self.redirect_uri))?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(self.verifier)
            .request_async(&OauthHttp(http))
            .await
            .map_err(token_error)?;
        tokens(&response)
    }
}

/// Recognises a sign-in's redirect (`http://localhost:<port>/?…&state=…`) in a window's
/// navigation, without holding the sign-in itself.
#[derive(Clone)]
pub struct RedirectMatcher {
    port: Option<u16>,
    state: CsrfToken,
}

impl std::fmt::Debug for RedirectMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedirectMatcher")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl RedirectMatcher {
    /// Whether `url` goes to this sign-in's redirect URI (any state): the window must not load it.
    pub fn is_redirect(&self, url: &Url) -> bool {
        url.scheme() == "http"
            && matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
            && url.port() == self.port
    }

    /// The code in `url` if it is this sign-in's redirect with this sign-in's `state`; the
    /// error Entra sent; `None` for any other page (a redirect with another state included).
    pub fn code_in(&self, url: &Url) -> Option<Result<String, EntraError>> {
        if !self.is_redirect(url) {
            return None;
        }
        let get = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        super::redirect::outcome_of(get, &self.state)
    }
}

/// New tokens from a refresh token (which Entra rotates: keep the new one).
pub async fn refresh(
    target: &EntraTarget,
    refresh: &RefreshToken,
    http: &crate::net::Http,
) -> Result<EntraTokens, EntraError> {
    let client = target.client(None)?;
    let response = client
        .exchange_refresh_token(refresh)
        .add_scopes(target.scopes().into_iter().map(Scope::new))
        .request_async(&OauthHttp(http))
        .await
        .map_err(token_error)?;
    // Entra may send no new refresh token (the old one stays valid): keep using the old one.
    Ok(EntraTokens {
        access: response.access_token().clone(),
        refresh: response
            .refresh_token()
            .cloned()
            .unwrap_or_else(|| refresh.clone()),
        expires_in: response.expires_in(),
        identity: identity(&response),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> RedirectMatcher {
        RedirectMatcher {
            port: Some(5123),
            state: CsrfToken::new("s1".into()),
        }
    }

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a URL")
    }

    #[test]
    fn only_this_sign_ins_redirect_with_its_state_yields_a_code() {
        let m = matcher();
        assert_eq!(
            m.code_in(&url("http://localhost:5123/?code=c&state=s1"))
                .map(|r| r.ok()),
            Some(Some("c".into()))
        );
        assert!(
            m.code_in(&url("http://localhost:5123/?code=c&state=other"))
                .is_none()
        );
        assert!(
            m.code_in(&url("http://localhost:5124/?code=c&state=s1"))
                .is_none()
        );
        assert!(
            m.code_in(&url("https://login.microsoftonline.com/?code=c&state=s1"))
                .is_none()
        );
        assert!(m.is_redirect(&url("http://127.0.0.1:5123/?state=other")));
        let denied = m.code_in(&url(
            "http://localhost:5123/?error=access_denied&error_description=no&state=s1",
        ));
        assert!(matches!(denied, Some(Err(EntraError::SignIn { code, .. })) if code == "access_denied"));
    }

    #[test]
    fn tenants_and_clients_that_would_move_the_request_are_refused() {
        let mut target = EntraTarget::new(Cloud::Global);
        for good in [
            "organizations",
            "7e57a1d0-5a4d-4b0c-8000-00000000e1d0",
            "contoso.onmicrosoft.com",
        ] {
            target.tenant = good.into();
            assert!(target.validate().is_ok(), "{good}");
        }
        for bad in [
            "",
            "http://x.example",
            "//x.example",
            "a/b",
            "..",
            "a?b",
            "-x",
            "a#b",
        ] {
            target.tenant = bad.into();
            assert!(target.validate().is_err(), "{bad}");
        }
        target.tenant = "organizations".into();
        target.client_id = "abc/../x".into();
        assert!(target.validate().is_err());
    }

    /// Once the wait has timed out, the sign-in takes no redirect: a late one would otherwise be
    /// told "signed in" while nothing is waiting for it.
    #[tokio::test]
    async fn a_redirect_after_the_wait_timed_out_is_not_taken() {
        let mut pending = PendingEntraLogin::start(EntraTarget::new(Cloud::Global))
            .await
            .expect("starts");
        let waited = pending.next_code(Duration::from_millis(50)).await;
        assert!(matches!(waited, Err(EntraError::Timeout(_))), "{waited:?}");
        let state = pending
            .url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .expect("the authorize URL carries the state");
        let port = pending.redirect_uri.port().expect("a port");
        let response = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/?code=late&state={state}"))
            .header(reqwest::header::HOST, format!("localhost:{port}"))
            .send()
            .await
            .expect("the listener answers");
        assert_eq!(response.status(), reqwest::StatusCode::GONE);
        let page = response.text().await.expect("a page");
        assert!(
            page.contains("already ended") && !page.contains("Signed in"),
            "{page}"
        );
    }

    #[test]
    fn scopes_name_the_clouds_graph() {
        let global = EntraTarget::new(Cloud::Global).scopes();
        assert_eq!(
            global[0],
            "https://graph.microsoft.com/Synchronization.ReadWrite.All"
        );
        assert!(global.contains(&"offline_access".to_owned()));
        let usgov = EntraTarget::new(Cloud::Usgov).scopes();
        assert_eq!(usgov[1], "https://graph.microsoft.us/Application.Read.All");
    }
}
