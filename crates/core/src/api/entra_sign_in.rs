//! The Entra sign-in, once for both shells: which cloud, tenant and client (the cloud paired with
//! the stored tokens' broker unless named), the loopback redirect listener and, in the desktop,
//! the sign-in window (first wins), the code redeemed with PKCE, the refresh token kept. Also
//! the kept sign-ins and signing out of them.

use std::future::Future;
use std::time::Duration;

use url::Url;

use super::Stop;
use super::capture::{LISTENER_GRACE, WindowRedirects, WindowRule, first_redirect};
use super::tokens::blocking;
use super::{Api, ApiError};
use crate::entra::login::EntraTarget;
use crate::entra::{Cloud, DeviceSignIn, EntraError, EntraTokens, PendingEntraLogin};
use crate::vault::EntraSessionRecord;

/// What an Entra sign-in asks for; every part may be left to its default.
#[derive(Debug, Clone, Default)]
pub struct EntraSignInRequest {
    /// The cloud; by default the one the stored tokens' broker pairs with.
    pub cloud: Option<Cloud>,
    /// The tenant ID or a verified domain; by default `organizations`.
    pub tenant: Option<String>,
    /// The public client; by default Microsoft Graph Command Line Tools.
    pub client_id: Option<String>,
}

/// An Entra sign-in in progress: the URL to open, and the listener waiting for its redirect.
#[derive(Debug)]
pub struct EntraSignIn {
    pending: PendingEntraLogin,
    limit: Duration,
}

impl EntraSignIn {
    /// Where to sign in.
    pub fn url(&self) -> &Url {
        &self.pending.url
    }

    /// What is signed in to.
    pub fn target(&self) -> &EntraTarget {
        self.pending.target()
    }

    /// What the sign-in window may load, and where its redirect is caught.
    pub fn window_rule(&self) -> WindowRule {
        let local = match &self.target().cloud {
            Cloud::Local { base } => Some(base.clone()),
            _ => None,
        };
        WindowRule::entra(self.pending.matcher(), local)
    }
}

impl Api {
    /// The cloud the stored tokens' broker pairs with, when they all agree; else global.
    pub fn paired_cloud(&self) -> Cloud {
        let records = self.records().unwrap_or_default();
        let mut clouds = records.iter().map(|r| Cloud::paired_with(&r.broker));
        match clouds.next() {
            Some(first) if clouds.all(|c| c == first) => first,
            _ => Cloud::Global,
        }
    }

    /// Where a sign-in asked for by `request` goes, its blanks filled with the defaults.
    fn entra_target_for(&self, request: EntraSignInRequest) -> EntraTarget {
        let mut target = EntraTarget::new(request.cloud.unwrap_or_else(|| self.paired_cloud()));
        let given = |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if let Some(tenant) = given(request.tenant) {
            target.tenant = tenant.into();
        }
        if let Some(client_id) = given(request.client_id) {
            target.client_id = client_id.into();
        }
        target
    }

    /// Starts an Entra sign-in that may take up to `limit`: the loopback listener runs and the
    /// URL is ready to open.
    pub async fn entra_sign_in(
        &self,
        request: EntraSignInRequest,
        limit: Duration,
    ) -> Result<EntraSignIn, ApiError> {
        Ok(EntraSignIn {
            pending: PendingEntraLogin::start(self.entra_target_for(request)).await?,
            limit,
        })
    }

    /// Starts a device-code sign-in (RFC 8628): the page to open on any device and the code to
    /// type there.
    pub async fn entra_device_sign_in(&self, request: EntraSignInRequest) -> Result<DeviceSignIn, ApiError> {
        Ok(DeviceSignIn::start(self.entra_target_for(request), &self.http()?).await?)
    }

    /// Waits for the admin to finish the device-code sign-in (at most the code's life and
    /// `limit`; `stop` ends the wait) and keeps the refresh token.
    pub async fn entra_finish_device_sign_in(
        &self,
        sign_in: DeviceSignIn,
        limit: Duration,
        stop: impl Future<Output = Stop>,
    ) -> Result<EntraSessionRecord, ApiError> {
        let target = sign_in.target().clone();
        let http = self.http()?;
        let tokens = tokio::select! {
            tokens = sign_in.wait(limit, &http) => tokens?,
            why = stop => return Err(ApiError::Stopped(why)),
        };
        self.keep_entra_session(target, tokens).await
    }

    /// Waits for the redirect at the listener or, when given, in the window's `redirects`
    /// (`stop` or the limit ends the wait), redeems the code and keeps the refresh token.
    pub async fn entra_finish_sign_in(
        &self,
        sign_in: EntraSignIn,
        window: Option<WindowRedirects>,
        stop: impl Future<Output = Stop>,
    ) -> Result<EntraSessionRecord, ApiError> {
        let EntraSignIn { mut pending, limit } = sign_in;
        let matcher = pending.matcher();
        let from_listener = async { pending.next_code(limit).await.map_err(ApiError::from) };
        let parse = |url: &Url| matcher.code_in(url).map(|code| code.map_err(ApiError::from));
        // The listener ends itself at the limit; the race waits a little longer for it.
        let code = first_redirect(from_listener, window, parse, stop, limit + LISTENER_GRACE).await?;
        let target = pending.target().clone();
        let tokens = pending.redeem(code, &self.http()?).await?;
        self.keep_entra_session(target, tokens).await
    }

    async fn keep_entra_session(
        &self,
        target: EntraTarget,
        tokens: EntraTokens,
    ) -> Result<EntraSessionRecord, ApiError> {
        let now = self.now();
        self.graph_tokens.lock().await.remove(&target);
        let vault = self.vault().clone();
        let kept = target.clone();
        let identity = tokens.identity.clone();
        blocking(move || vault.store_entra_session(&kept, &tokens.refresh, identity, now)).await?;
        self.entra_sessions()
            .await?
            .into_iter()
            .find(|s| s.target == target)
            .ok_or_else(|| ApiError::InvalidArgument("the Entra sign-in was not kept".into()))
    }

    /// The kept Entra sign-ins, most recent first.
    pub async fn entra_sessions(&self) -> Result<Vec<EntraSessionRecord>, ApiError> {
        let vault = self.vault().clone();
        Ok(blocking(move || vault.entra_sessions()).await?)
    }

    /// Forgets an Entra sign-in: locally only (the refresh token and its record); nothing is
    /// revoked at Microsoft.
    pub async fn entra_sign_out(&self, target: &EntraTarget) -> Result<(), ApiError> {
        self.graph_tokens.lock().await.remove(target);
        let vault = self.vault().clone();
        let target = target.clone();
        Ok(blocking(move || vault.forget_entra_session(&target)).await?)
    }

    /// The sign-in to use: `target` if given (it must be kept), else the most recent one.
    pub async fn entra_target(&self, target: Option<EntraTarget>) -> Result<EntraTarget, ApiError> {
        let sessions = self.entra_sessions().await?;
        match target {
            Some(target) if sessions.iter().any(|s| s.target == target) => Ok(target),
            Some(target) => Err(EntraError::NotSignedIn {
                cloud: target.cloud.to_string(),
                tenant: target.tenant.to_string(),
            }
            .into()),
            None => sessions.into_iter().next().map(|s| s.target).ok_or_else(|| {
                EntraError::NotSignedIn {
                    cloud: "any cloud".into(),
                    tenant: "any tenant".into(),
                }
                .into()
            }),
        }
    }

    /// Forgets every kept Entra sign-in on this computer (nothing is revoked at Microsoft);
    /// returns what was forgotten.
    pub async fn entra_sign_out_all(&self) -> Result<Vec<EntraSessionRecord>, ApiError> {
        let sessions = self.entra_sessions().await?;
        for session in &sessions {
            self.entra_sign_out(&session.target).await?;
        }
        Ok(sessions)
    }
}
