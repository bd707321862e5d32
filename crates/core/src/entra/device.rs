//! Signing in to Entra with a code typed on another device: the OAuth 2.0 device authorization
//! grant (RFC 8628) at `{tenant}/oauth2/v2.0/devicecode`. For an admin on a server over SSH, or
//! whose browser (and the Conditional Access it satisfies) is on another device: nothing here
//! listens or opens a window.

use std::time::Duration;

use oauth2::basic::{BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse};

use oauth2::{
    ClientId, DeviceAuthorizationUrl, DeviceCodeErrorResponse, DeviceCodeErrorResponseType, EndpointNotSet,
    EndpointSet, RequestTokenError, Scope, StandardDeviceAuthorizationResponse, StandardRevocableToken,
    TokenUrl,
};
use url::Url;

use super::error::EntraError;
use super::login::{EntraTarget, EntraTokenResponse, EntraTokens, OauthHttp, OauthHttpError, tokens};
use super::{devicecode_path, token_path};

/// The longest oauth2 waits between polls after a network error, beyond Entra's interval.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The shortest wait between two polls, whatever the server says (RFC 8628 §3.5's default).
const SHORTEST_POLL: Duration = Duration::from_secs(5);

/// How long to wait before the next poll, given what oauth2 asks for. oauth2 starts from Entra's
/// `interval` (which may be `0`), adds 5 s after `slow_down`, and doubles after a network error
/// (`0` doubled stays `0`). An interval under 5 s is raised to 5 s by shifting every wait by the
/// difference, so a `slow_down` still adds its full 5 s (RFC 8628 §3.5) on top of the raised one.
fn poll_pause(asked: Duration, server_interval: Duration) -> Duration {
    (asked + SHORTEST_POLL.saturating_sub(server_interval)).max(SHORTEST_POLL)
}

/// oauth2's client with the device authorization and token endpoints.
type DeviceClient = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A device-code sign-in waiting for the admin: where to go and the code to type there.
pub struct DeviceSignIn {
    /// The page to open on any device (`https://microsoft.com/devicelogin`, or the local Entra's).
    pub verification_uri: Url,
    /// The code to type on it.
    pub user_code: String,
    /// How long the code is good for.
    pub expires_in: Duration,
    target: EntraTarget,
    details: StandardDeviceAuthorizationResponse,
}

impl std::fmt::Debug for DeviceSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The device code is a credential until it is redeemed; the user code is shown anyway.
        f.debug_struct("DeviceSignIn")
            .field("verification_uri", &self.verification_uri.as_str())
            .field("user_code", &self.user_code)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl EntraTarget {
    fn device_client(&self) -> Result<DeviceClient, EntraError> {
        let base = self.cloud.login_base();
        let url = |path: String| {
            self.validate()?;
            base.join(&path)
                .map_err(|e| EntraError::Invalid(format!("bad tenant '{}': {e}", self.tenant)))
        };
        Ok(oauth2::Client::new(ClientId::new(self.client_id.to_string()))
            .set_device_authorization_url(DeviceAuthorizationUrl::from_url(url(devicecode_path(
                &self.tenant,
            ))?))
            .set_token_uri(TokenUrl::from_url(url(token_path(&self.tenant))?)))
    }
}

impl DeviceSignIn {
    /// Asks Entra for a device code and the code the admin types.
    pub async fn start(target: EntraTarget, http: &crate::net::Http) -> Result<Self, EntraError> {
        let client = target.device_client()?;
        let details: StandardDeviceAuthorizationResponse = client
            .exchange_device_code()
            .add_scopes(target.scopes().into_iter().map(Scope::new))
            .request_async(&OauthHttp(http))
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(response) => EntraError::SignIn {
                    code: response.error().to_string(),
                    description: response.error_description().cloned().unwrap_or_default(),
                },
                other => request_error(other),
            })?;
        Ok(Self {
            verification_uri: Url::parse(details.verification_uri().as_str()).map_err(|e| {
                EntraError::BadResponse(format!("the verification address is not a URL: {e}"))
            })?,
            user_code: details.user_code().secret().clone(),
            expires_in: details.expires_in(),
            target,
            details,
        })
    }

    /// What is signed in to.
    pub fn target(&self) -> &EntraTarget {
        &self.target
    }

    /// Polls the token endpoint at the interval Entra asked for (slower after `slow_down`,
    /// waiting on `authorization_pending`) until the admin has signed in, declined, the code
    /// expired, or `limit` passed.
    pub async fn wait(self, limit: Duration, http: &crate::net::Http) -> Result<EntraTokens, EntraError> {
        let client = self.target.device_client()?;
        let oauth_http = OauthHttp(http);
        // After a network error oauth2 backs off, up to this; never below an interval Entra
        // raised with slow_down (RFC 8628 §3.5).
        let server_interval = self.details.interval();
        let backoff = server_interval.max(SHORTEST_POLL) + MAX_BACKOFF;
        let poll = client
            .exchange_device_access_token(&self.details)
            .set_max_backoff_interval(backoff)
            .request_async(
                &oauth_http,
                |asked| tokio::time::sleep(poll_pause(asked, server_interval)),
                None,
            );
        let response = match tokio::time::timeout(limit, poll).await {
            Err(_) => return Err(EntraError::Timeout(limit)),
            Ok(response) => response.map_err(device_error)?,
        };
        tokens(&response)
    }
}

/// Why polling ended without tokens, in words.
fn device_error(error: RequestTokenError<OauthHttpError, DeviceCodeErrorResponse>) -> EntraError {
    match error {
        RequestTokenError::ServerResponse(response) => {
            let description = response.error_description().cloned().unwrap_or_default();
            match response.error() {
                DeviceCodeErrorResponseType::ExpiredToken => EntraError::DeviceCodeExpired,
                DeviceCodeErrorResponseType::AccessDenied => EntraError::SignIn {
                    code: "access_denied".into(),
                    description,
                },
                other => EntraError::SignIn {
                    code: other.to_string(),
                    description,
                },
            }
        }
        other => request_error(other),
    }
}

fn request_error<T>(error: RequestTokenError<OauthHttpError, T>) -> EntraError
where
    T: oauth2::ErrorResponse + 'static,
{
    match error {
        RequestTokenError::ServerResponse(response) => EntraError::BadResponse(response.to_string()),
        RequestTokenError::Request(e) => EntraError::Network(e.to_string()),
        RequestTokenError::Parse(e, _) => EntraError::BadResponse(e.to_string()),
        RequestTokenError::Other(e) => EntraError::BadResponse(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_are_never_closer_than_five_seconds_or_the_servers_interval() {
        let s = Duration::from_secs;
        assert_eq!(
            poll_pause(s(0), s(0)),
            s(5),
            "interval: 0, and 0 doubled after a network error"
        );
        assert_eq!(
            poll_pause(s(5), s(0)),
            s(10),
            "slow_down after interval 0: 5 s more than before"
        );
        assert_eq!(poll_pause(s(1), s(1)), s(5));
        assert_eq!(poll_pause(s(6), s(1)), s(10), "slow_down after interval 1");
        assert_eq!(poll_pause(s(9), s(9)), s(9), "Entra's own interval");
        assert_eq!(poll_pause(s(14), s(9)), s(14), "slow_down added 5 s");
        assert_eq!(poll_pause(s(30), s(5)), s(30), "backed off after network errors");
    }
}
