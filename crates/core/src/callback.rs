//! Parsing the redirect that carries the token back (RFC 6749 §4.2.2) or an error (§4.2.2.1).
//!
//! The token arrives in the URL fragment, e.g.
//! `http://localhost:3000/auth/code#access_token=…&token_type=Bearer&expires_in=3887999&state=…`.
//! [`parse`] accepts that URL, the bare fragment (with or without `#`), or a query string, and never
//! panics. No error message ever contains the token.

use std::borrow::Cow;
use std::fmt;

use oauth2::CsrfToken;
use thiserror::Error;
use time::{Duration, OffsetDateTime};
use url::Url;

use crate::authorize::PendingLogin;
use crate::broker::SCIM_SCOPE;
use crate::org_id::{OrgId, OrgIdError};
use crate::token::{AccessToken, TokenRecord};

/// The longest callback accepted. Webex tokens are about 100 characters; anything near this is not
/// a real redirect.
pub const MAX_CALLBACK_LEN: usize = 16 * 1024;
/// The longest `expires_in` believed: ten years.
const MAX_EXPIRES_IN_SECS: i64 = 10 * 366 * 24 * 3600;
/// How much of a broker's free text is shown.
const MAX_SHOWN_TEXT: usize = 300;

/// A successful redirect, with its `state` checked.
#[derive(Debug, Clone)]
pub struct CapturedToken {
    /// The bearer token.
    pub token: AccessToken,
    /// `expires_in`, when the broker sent it.
    pub expires_in: Option<Duration>,
    /// `scope`, when the broker sent it (RFC 6749 §5.1: omitted when equal to the request).
    pub granted_scopes: Option<Vec<String>>,
    /// Requested scopes the broker did not grant.
    pub missing_scopes: Vec<String>,
}

impl CapturedToken {
    /// A warning when the broker granted less than asked, which is how a sign-in with a user who
    /// is not a full admin usually shows.
    pub fn scope_warning(&self) -> Option<String> {
        if self.missing_scopes.is_empty() {
            return None;
        }
        let missing = self.missing_scopes.join(", ");
        let advice = if self.missing_scopes.iter().any(|s| s == SCIM_SCOPE) {
            " Without Identity:SCIM, Azure cannot provision users: sign in again as a full administrator of the org."
        } else {
            ""
        };
        Some(format!("The broker did not grant: {missing}.{advice}"))
    }

    /// The record to keep beside the token. The org ID comes from `org_override` if given, else
    /// from the token's suffix.
    pub fn record(
        &self,
        pending: &PendingLogin,
        issued_at: OffsetDateTime,
        org_override: Option<OrgId>,
    ) -> Result<TokenRecord, OrgIdError> {
        let org = match org_override {
            Some(org) => org,
            None => self.token.org_id_hint()?,
        };
        let mut record = TokenRecord::new(
            &self.token,
            org,
            pending.broker.id.clone(),
            issued_at,
            self.expires_in,
        );
        record.granted_scopes = self.granted_scopes.clone();
        Ok(record)
    }
}

/// An error code from the broker (RFC 6749 §4.2.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `access_denied`
    AccessDenied,
    /// `unsupported_response_type`
    UnsupportedResponseType,
    /// `invalid_scope`
    InvalidScope,
    /// `server_error`
    ServerError,
    /// `temporarily_unavailable`
    TemporarilyUnavailable,
    /// Any other code, as sent (sanitised).
    Other(String),
}

impl BrokerErrorCode {
    fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "unauthorized_client" => Self::UnauthorizedClient,
            "access_denied" => Self::AccessDenied,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "invalid_scope" => Self::InvalidScope,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            other => Self::Other(sanitize(other, 64)),
        }
    }

    /// The code as the broker spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::Other(code) => code,
        }
    }

    /// What happened and what to do, in plain words.
    pub fn advice(&self) -> &'static str {
        match self {
            Self::AccessDenied => {
                "The sign-in was denied or cancelled. Sign in again and approve the request."
            }
            Self::InvalidScope => {
                "The broker refused the requested permissions. Sign in as a full administrator of the org."
            }
            Self::UnauthorizedClient => {
                "The broker does not let this app request a token this way; its client ID may have changed."
            }
            Self::InvalidRequest | Self::UnsupportedResponseType => {
                "The broker rejected the sign-in request; check the broker URL and try again."
            }
            Self::ServerError => "The broker had an internal error. Try again in a few minutes.",
            Self::TemporarilyUnavailable => "The broker is busy or down for maintenance. Try again later.",
            Self::Other(_) => "The broker reported an error.",
        }
    }
}

impl fmt::Display for BrokerErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a callback was not accepted. Messages say what to do and never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CallbackError {
    /// Nothing was given.
    #[error(
        "the callback is empty: it should be the whole address the browser landed on, starting with http://localhost:3000/auth/code#"
    )]
    Empty,
    /// Longer than [`MAX_CALLBACK_LEN`].
    #[error(
        "the callback is {len} bytes long, more than the {max} a real redirect needs; paste only the address the browser landed on"
    )]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A parameter appears more than once (RFC 6749 §3.1 forbids it).
    #[error(
        "the parameter '{0}' appears more than once in the callback; it was not produced by the broker as-is"
    )]
    DuplicateParameter(&'static str),
    /// No `state` came back.
    #[error(
        "the callback has no 'state': it does not belong to the sign-in started here; start a new sign-in"
    )]
    StateMissing,
    /// The `state` does not match the login in progress.
    #[error(
        "the callback's 'state' does not match the sign-in started here (an old tab, or a forged link); it was ignored"
    )]
    StateMismatch,
    /// The broker sent an error.
    #[error("{}{}", .code.advice(), broker_said(.code, .description.as_deref()))]
    Broker {
        /// The error code.
        code: BrokerErrorCode,
        /// `error_description`, sanitised.
        description: Option<String>,
        /// `error_uri`, when it is an http(s) URL.
        uri: Option<String>,
    },
    /// Neither a token nor an error.
    #[error("the callback has no access_token: copy the whole address, including everything after '#'")]
    MissingToken,
    /// The token has characters no token has (RFC 6749 Appendix A.12).
    #[error("the access_token contains characters a token cannot have; copy the address again")]
    MalformedToken,
    /// `token_type` is missing or not `Bearer`.
    #[error("the token type is '{0}', expected 'Bearer'; this redirect did not come from the Webex broker")]
    WrongTokenType(String),
    /// `expires_in` is not a sane number of seconds.
    #[error("expires_in '{0}' is not a number of seconds")]
    BadExpiresIn(String),
}

impl CallbackError {
    /// Whether this error ends the sign-in: every error found after `state` was verified. The
    /// state is a secret of this sign-in, so such a redirect is the broker's (a denial, or a
    /// malformed answer) and waiting longer cannot help. The errors found before it (empty,
    /// oversized, a duplicated parameter, a missing or wrong state) may come from any page or
    /// local program, so a capture path that sees one keeps waiting for the real redirect
    /// instead of letting a stranger end the sign-in.
    pub fn ends_sign_in(&self) -> bool {
        !matches!(
            self,
            Self::Empty
                | Self::TooLong { .. }
                | Self::DuplicateParameter(_)
                | Self::StateMissing
                | Self::StateMismatch
        )
    }
}

fn broker_said(code: &BrokerErrorCode, description: Option<&str>) -> String {
    match description {
        Some(text) => format!(" (broker said: {code}: {text})"),
        None => format!(" (broker said: {code})"),
    }
}

/// The parameters of a callback, before checking them against a login.
#[derive(Debug, Default)]
struct Params {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

impl Params {
    fn read(input: &str) -> Result<Self, CallbackError> {
        let mut params = Self::default();
        for (key, value) in url::form_urlencoded::parse(params_part(input).as_bytes()) {
            let (name, slot) = match key.as_ref() {
                "access_token" => ("access_token", &mut params.access_token),
                "token_type" => ("token_type", &mut params.token_type),
                "expires_in" => ("expires_in", &mut params.expires_in),
                "scope" => ("scope", &mut params.scope),
                "state" => ("state", &mut params.state),
                "error" => ("error", &mut params.error),
                "error_description" => ("error_description", &mut params.error_description),
                "error_uri" => ("error_uri", &mut params.error_uri),
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(CallbackError::DuplicateParameter(name));
            }
        }
        Ok(params)
    }
}

/// The `k=v&…` part of a redirect URL, a fragment or a query string.
fn params_part(input: &str) -> Cow<'_, str> {
    if let Some(rest) = input.strip_prefix('#').or_else(|| input.strip_prefix('?')) {
        return Cow::Borrowed(rest);
    }
    match Url::parse(input) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            let part = url
                .fragment()
                .filter(|f| !f.is_empty())
                .or_else(|| url.query())
                .unwrap_or("");
            Cow::Owned(part.to_owned())
        }
        _ => Cow::Borrowed(input),
    }
}

/// Parses a callback and checks it belongs to `pending`.
pub fn parse(input: &str, pending: &PendingLogin) -> Result<CapturedToken, CallbackError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(CallbackError::Empty);
    }
    if input.len() > MAX_CALLBACK_LEN {
        return Err(CallbackError::TooLong {
            len: input.len(),
            max: MAX_CALLBACK_LEN,
        });
    }
    let params = Params::read(input)?;
    let state = params.state.ok_or(CallbackError::StateMissing)?;
    // Constant-time comparison (oauth2's timing-resistant PartialEq).
    if CsrfToken::new(state) != pending.state {
        return Err(CallbackError::StateMismatch);
    }
    if let Some(code) = params.error {
        return Err(CallbackError::Broker {
            code: BrokerErrorCode::parse(&code),
            description: params.error_description.map(|d| sanitize(&d, MAX_SHOWN_TEXT)),
            uri: params
                .error_uri
                .and_then(|u| Url::parse(&u).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(String::from),
        });
    }
    let token = params
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or(CallbackError::MissingToken)?;
    if !token.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(CallbackError::MalformedToken);
    }
    let token = AccessToken::new(token);
    match params.token_type {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        Some(t) => return Err(CallbackError::WrongTokenType(sanitize(&t, 40))),
        None => return Err(CallbackError::WrongTokenType("(none)".to_owned())),
    }
    let expires_in = params.expires_in.map(|e| parse_expires_in(&e)).transpose()?;
    let granted_scopes = params
        .scope
        .map(|s| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>());
    let missing_scopes = match &granted_scopes {
        Some(granted) => pending
            .requested_scopes
            .iter()
            .filter(|s| !granted.contains(s))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    Ok(CapturedToken {
        token,
        expires_in,
        granted_scopes,
        missing_scopes,
    })
}

fn parse_expires_in(text: &str) -> Result<Duration, CallbackError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|secs| (0..=MAX_EXPIRES_IN_SECS).contains(secs))
        .map(Duration::seconds)
        .ok_or_else(|| CallbackError::BadExpiresIn(sanitize(text, 40)))
}

/// Whether `candidate` is the redirect URI: same scheme, host, port and path; query and fragment
/// ignored. Used by navigation hooks to decide which URL to parse.
pub fn is_redirect(candidate: &Url, redirect_uri: &Url) -> bool {
    candidate.scheme() == redirect_uri.scheme()
        && candidate.host() == redirect_uri.host()
        && candidate.port_or_known_default() == redirect_uri.port_or_known_default()
        && candidate.path() == redirect_uri.path()
}

/// Free text from the network, made safe to show: no control characters, bounded length.
fn sanitize(text: &str, max_chars: usize) -> String {
    let mut clean: String = text.chars().filter(|c| !c.is_control()).take(max_chars).collect();
    if text.chars().filter(|c| !c.is_control()).nth(max_chars).is_some() {
        clean.push('…');
    }
    clean
}

#[cfg(test)]
mod tests;
