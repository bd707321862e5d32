//! The Webex sign-in, once for both shells: start it (broker, authorize URL with a fresh
//! `state`, the listener on localhost:3000), catch the redirect (listener and, in the desktop,
//! the window; first wins), and keep the token with its record.

use std::future::Future;
use std::time::Duration;

use url::Url;

use super::Stop;
use super::capture::{LISTENER_GRACE, WindowRedirects, WindowRule, first_redirect};
use super::{Api, ApiError};
use crate::authorize::{AuthorizeRequest, PendingLogin};
use crate::broker::{Broker, BrokerId};
use crate::callback::{self, CapturedToken};
use crate::listener::{Listener, ListenerConfig, ListenerError};
use crate::org_id::{OrgId, OrgIdError};
use crate::probe;
use crate::summary::TokenSummary;
use crate::token::{AccessToken, TokenRecord};
use crate::vault::VaultError;

/// A finished sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The new record.
    pub record: TokenRecord,
    /// What to show about it.
    pub summary: TokenSummary,
    /// The token (for a shell asked to print it).
    pub token: AccessToken,
    /// The broker granted less than asked (usually: not a full administrator).
    pub scope_warning: Option<String>,
    /// Where the token is now.
    pub kept: Kept,
    /// An unreadable records file was kept aside here and a new one started.
    pub records_set_aside: Option<std::path::PathBuf>,
}

/// Where a captured token was kept.
#[derive(Debug)]
pub enum Kept {
    /// In the OS keyring, with its record.
    InKeyring,
    /// The keyring failed: in this process's memory only, until it ends.
    InMemoryOnly(VaultError),
}

/// The token carries no org ID: the shell must ask for one and call
/// [`Api::complete_sign_in`] again. The token is held here meanwhile, never dropped.
#[derive(Debug)]
pub struct NeedsOrg {
    /// The login the token belongs to.
    pub pending: PendingLogin,
    /// The token.
    pub captured: CapturedToken,
    /// Why the org could not be worked out.
    pub reason: OrgIdError,
}

/// What a Webex sign-in asks for.
#[derive(Debug, Clone)]
pub struct SignInRequest {
    /// The broker to sign in at.
    pub broker: BrokerId,
    /// The account to suggest on the sign-in page.
    pub email: Option<String>,
    /// The longest the sign-in may take, MFA and a federated identity provider included.
    pub limit: Duration,
}

/// A Webex sign-in in progress: the URL to open, and the listener waiting for its redirect.
#[derive(Debug)]
pub struct WebexSignIn {
    pending: PendingLogin,
    listener: Result<Listener, ListenerError>,
    limit: Duration,
}

/// A redirect caught for a sign-in: the token, and the sign-in it belongs to.
#[derive(Debug)]
pub struct Capture {
    /// The sign-in.
    pub pending: PendingLogin,
    /// The token and what came with it.
    pub captured: CapturedToken,
}

impl WebexSignIn {
    /// Where to sign in.
    pub fn url(&self) -> &Url {
        &self.pending.url
    }

    /// The broker signed in at.
    pub fn broker(&self) -> &Broker {
        &self.pending.broker
    }

    /// Why the listener on localhost:3000 did not start, if it did not. A sign-in window still
    /// catches the redirect without it; a browser cannot.
    pub fn listener_error(&self) -> Option<&ListenerError> {
        self.listener.as_ref().err()
    }

    /// This sign-in, if its listener runs: a browser's redirect can only be caught by the
    /// listener, so without it there is no sign-in to wait for.
    pub fn require_listener(self) -> Result<Self, ApiError> {
        match self.listener {
            Ok(_) => Ok(self),
            Err(err) => Err(ApiError::Listener(err)),
        }
    }

    /// What the sign-in window may load, and where its redirect is caught.
    pub fn window_rule(&self) -> WindowRule {
        WindowRule::webex(self.pending.broker.clone())
    }

    /// Waits for the redirect at the listener or, when given, in the window's `redirects`;
    /// `stop` or the limit ends the wait.
    pub async fn capture(
        self,
        window: Option<WindowRedirects>,
        stop: impl Future<Output = Stop>,
    ) -> Result<Capture, ApiError> {
        let Self {
            pending,
            listener,
            limit,
        } = self;
        let cancel_listener = listener.as_ref().ok().map(Listener::cancel_handle);
        // The listener ends itself at the limit; the race waits a little longer for it.
        let race_limit = if listener.is_ok() {
            limit + LISTENER_GRACE
        } else {
            limit
        };
        // Its own task, so that whoever wins the race, the listener is stopped and awaited: it
        // has let go of port 3000 before the next sign-in may bind it.
        let mut listening = listener.ok().map(|l| tokio::spawn(l.wait()));
        let parse = |url: &Url| match callback::parse(url.as_str(), &pending) {
            Ok(captured) => Some(Ok(captured)),
            Err(err) if err.ends_sign_in() => Some(Err(ApiError::from(err))),
            // Any page can navigate to the redirect: what is not this sign-in's is ignored.
            Err(_) => None,
        };
        let outcome = {
            let from_listener = async {
                match listening.as_mut() {
                    Some(task) => match task.await {
                        Ok(result) => result.map_err(ApiError::from),
                        Err(join) => std::panic::resume_unwind(join.into_panic()),
                    },
                    None => std::future::pending().await,
                }
            };
            first_redirect(from_listener, window, parse, stop, race_limit).await
        };
        if let Some(cancel) = cancel_listener {
            cancel.cancel();
        }
        if let Some(task) = listening.filter(|task| !task.is_finished()) {
            // It drains its connections within 5 s, then frees the port.
            let _ = tokio::time::timeout(LISTENER_GRACE + LISTENER_GRACE, task).await;
        }
        Ok(Capture {
            captured: outcome?,
            pending,
        })
    }
}

impl Api {
    /// Starts a Webex sign-in: a fresh `state`, the authorize URL, and the listener on
    /// localhost:3000 (whose failure, e.g. the port taken, is kept for the shell to weigh).
    pub async fn sign_in(&self, request: SignInRequest) -> WebexSignIn {
        let mut authorize = AuthorizeRequest::new(Broker::resolve(&request.broker));
        if let Some(email) = request.email.filter(|e| !e.trim().is_empty()) {
            authorize = authorize.login_hint(email.trim().to_owned());
        }
        let pending = authorize.start(self.now());
        let config = ListenerConfig {
            timeout: request.limit,
            ..ListenerConfig::default()
        };
        let listener = Listener::bind(pending.clone(), config).await;
        if let Err(err) = &listener {
            tracing::warn!("sign-in listener not started: {err}");
        }
        WebexSignIn {
            pending,
            listener,
            limit: request.limit,
        }
    }

    /// Finishes a sign-in: works out the org (`org` if given, else the token's suffix), asks the
    /// People API who signed in, stores token and record, or keeps the token in memory when the
    /// keyring fails.
    pub async fn complete_sign_in(
        &self,
        pending: PendingLogin,
        captured: CapturedToken,
        org: Option<OrgId>,
    ) -> Result<SignedIn, Box<NeedsOrg>> {
        let issued_at = self.now();
        let mut record = match captured.record(&pending, issued_at, org) {
            Ok(record) => record,
            Err(reason) => {
                return Err(Box::new(NeedsOrg {
                    pending,
                    captured,
                    reason,
                }));
            }
        };
        // Who really signed in, not who the login hint named.
        record.account = match self.webex_http() {
            Ok(http) => probe::signed_in_email(&http, &pending.broker.people_me_url, &captured.token).await,
            Err(_) => None,
        };
        tracing::info!(org = %record.org_id, fingerprint = %record.fingerprint, "token captured");
        let (kept, records_set_aside) = match self.store(&captured.token, &record).await {
            Ok(stored) => (Kept::InKeyring, stored.set_aside),
            Err(err) => {
                tracing::warn!(org = %record.org_id, "token not stored in the keyring: {err}");
                (Kept::InMemoryOnly(err), None)
            }
        };
        Ok(SignedIn {
            summary: TokenSummary::of(&record, issued_at),
            scope_warning: captured.scope_warning(),
            token: captured.token,
            record,
            kept,
            records_set_aside,
        })
    }
}
