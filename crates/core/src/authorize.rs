//! The OAuth 2.0 implicit-grant authorization request (RFC 6749 §4.2.1), built with the `oauth2`
//! crate, and the [`PendingLogin`] that a captured redirect must match.

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, RedirectUrl, Scope};
use time::OffsetDateTime;
use url::Url;

use crate::broker::Broker;

/// What to ask the broker for. Build it, then call [`AuthorizeRequest::start`].
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    broker: Broker,
    login_hint: Option<String>,
    force_fresh_sign_in: bool,
    state: Option<String>,
}

/// A login in progress: what the redirect must carry back to be accepted.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    /// The broker signed in with.
    pub broker: Broker,
    /// The `state` sent; single-use, compared in constant time.
    pub state: CsrfToken,
    /// When the browser was sent to the broker.
    pub started_at: OffsetDateTime,
    /// The scopes requested, to compare with those granted.
    pub requested_scopes: Vec<String>,
    /// The email given as login hint, if any.
    pub account: Option<String>,
    /// The URL to open in the browser.
    pub url: Url,
}

impl AuthorizeRequest {
    /// A request to `broker` with a fresh random `state` and a forced fresh sign-in.
    pub fn new(broker: Broker) -> Self {
        Self {
            broker,
            login_hint: None,
            force_fresh_sign_in: true,
            state: None,
        }
    }

    /// Prefills the sign-in page with this email (`login_hint`, OpenID Connect Core §3.1.2.1).
    pub fn login_hint(mut self, email: impl Into<String>) -> Self {
        let email = email.into();
        self.login_hint = (!email.trim().is_empty()).then(|| email.trim().to_owned());
        self
    }

    /// Whether to wrap the URL in the broker's forced-login page so an existing broker session is
    /// not reused (a less privileged signed-in user would yield a useless token). On by default.
    pub fn force_fresh_sign_in(mut self, force: bool) -> Self {
        self.force_fresh_sign_in = force;
        self
    }

    /// Uses this `state` instead of a random one. For tests only: a fixed state defeats CSRF checks.
    pub fn with_state_for_tests(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Builds the URL to open and the login that the redirect must match.
    pub fn start(self, now: OffsetDateTime) -> PendingLogin {
        let client = BasicClient::new(ClientId::new(self.broker.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(self.broker.authorize_url.clone()))
            .set_redirect_uri(RedirectUrl::from_url(self.broker.redirect_uri.clone()));
        let fixed_state = self.state;
        // 16 random bytes from the OS CSPRNG: 128 bits, base64url-encoded.
        let state_fn = move || fixed_state.map_or_else(CsrfToken::new_random, CsrfToken::new);
        let mut request = client
            .authorize_url(state_fn)
            .use_implicit_flow()
            .add_scopes(self.broker.scopes.iter().cloned().map(Scope::new));
        if let Some(email) = &self.login_hint {
            request = request.add_extra_param("login_hint", email.clone());
        }
        let (authorize_url, state) = request.url();
        let url = if self.force_fresh_sign_in {
            let mut wrapped = self.broker.forced_login_url.clone();
            wrapped
                .query_pairs_mut()
                .append_pair("type", "login")
                .append_pair("goto", authorize_url.as_str());
            wrapped
        } else {
            authorize_url
        };
        PendingLogin {
            requested_scopes: self.broker.scopes.clone(),
            broker: self.broker,
            state,
            started_at: now,
            account: self.login_hint,
            url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::BrokerId;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-29 12:00 UTC);
    const QUERY: &str = "response_type=token\
        &client_id=C4ca14fe00b0e51efb414ebd45aa88c1858c3bfb949b2405dba10b0ca4bc37402\
        &state=fixed-state\
        &redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fauth%2Fcode\
        &scope=spark%3Apeople_read+spark%3Apeople_write+Identity%3ASCIM";

    fn start(id: BrokerId) -> PendingLogin {
        AuthorizeRequest::new(Broker::resolve(&id))
            .force_fresh_sign_in(false)
            .with_state_for_tests("fixed-state")
            .start(NOW)
    }

    #[test]
    fn exact_urls_for_every_broker() {
        let cases = [
            (
                BrokerId::Webex,
                "https://idbroker.webex.com/idb/oauth2/v1/authorize",
            ),
            (
                BrokerId::Government,
                "https://idbroker-f.webex.com/idb/oauth2/v1/authorize",
            ),
            (
                BrokerId::sandbox_default(),
                "http://127.0.0.1:8900/idb/oauth2/v1/authorize",
            ),
        ];
        for (id, endpoint) in cases {
            assert_eq!(start(id).url.as_str(), format!("{endpoint}?{QUERY}"));
        }
    }

    #[test]
    fn forced_sign_in_wraps_the_authorize_url() {
        let pending = AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
            .with_state_for_tests("fixed-state")
            .start(NOW);
        let inner = format!("https://idbroker.webex.com/idb/oauth2/v1/authorize?{QUERY}");
        let expected_goto: String = url::form_urlencoded::byte_serialize(inner.as_bytes()).collect();
        assert_eq!(
            pending.url.as_str(),
            format!("https://idbroker.webex.com/idb/saml2/jsp/doSSO.jsp?type=login&goto={expected_goto}")
        );
        let goto = pending
            .url
            .query_pairs()
            .find(|(k, _)| k == "goto")
            .unwrap()
            .1
            .into_owned();
        assert_eq!(goto, inner);
    }

    #[test]
    fn login_hint_is_sent_and_remembered() {
        let pending = AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
            .force_fresh_sign_in(false)
            .with_state_for_tests("s")
            .login_hint(" admin@example.com ")
            .start(NOW);
        assert!(
            pending.url.as_str().ends_with("&login_hint=admin%40example.com"),
            "{}",
            pending.url
        );
        assert_eq!(pending.account.as_deref(), Some("admin@example.com"));
    }

    #[test]
    fn random_state_is_fresh_and_long() {
        let broker = Broker::resolve(&BrokerId::Webex);
        let a = AuthorizeRequest::new(broker.clone()).start(NOW);
        let b = AuthorizeRequest::new(broker).start(NOW);
        assert_ne!(a.state.secret(), b.state.secret());
        // 16 bytes base64url without padding.
        assert_eq!(a.state.secret().len(), 22);
        assert_eq!(a.started_at, NOW);
    }
}
