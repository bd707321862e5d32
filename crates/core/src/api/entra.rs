//! The Entra use cases, once for both shells (the sign-in is in `entra_sign_in.rs`): list the Webex enterprise apps
//! and their jobs, link an org to a job, push the org's token into its jobs (validate, store,
//! restart or start), and read the jobs' health. Graph access tokens live only in memory for one
//! use case; refresh tokens only in the keyring, rotated on every use.

use serde::Serialize;

use super::attention::LinkHealth;
use super::tokens::blocking;
use super::{Api, ApiError};
use crate::entra::graph::{Graph, ServicePrincipal, SyncJob};
use crate::entra::login::{self, EntraTarget};
use crate::entra::{AppId, EntraError, EntraLink, JobId, TenantId};
use crate::token::TokenRecord;
use crate::vault::EntraSessionRecord;

/// An enterprise app and its provisioning jobs.
#[derive(Debug, Clone, Serialize)]
pub struct EntraApp {
    /// The service principal.
    pub app: ServicePrincipal,
    /// Its provisioning jobs (none: provisioning is not set up).
    pub jobs: Vec<SyncJob>,
}

impl Api {
    /// The kept sign-in to `target`.
    pub(super) async fn entra_session(&self, target: &EntraTarget) -> Result<EntraSessionRecord, ApiError> {
        self.entra_sessions()
            .await?
            .into_iter()
            .find(|s| s.target == *target)
            .ok_or_else(|| {
                EntraError::NotSignedIn {
                    cloud: target.cloud.to_string(),
                    tenant: target.tenant.to_string(),
                }
                .into()
            })
    }

    /// Refuses, before anything is sent, a sign-in to another tenant than `link`'s. Returns
    /// the sign-in's tenant, when known (a push pins an unpinned link to it).
    pub(super) async fn check_link_tenant(&self, link: &EntraLink) -> Result<Option<TenantId>, ApiError> {
        let session = self.entra_session(&link.target).await?;
        link.check_tenant(session.tenant_id(), session.account())?;
        Ok(session.tenant_id().cloned())
    }

    /// A Graph access token for `target`: a cached one while it has five minutes left, else one
    /// from the kept refresh token (rotated and kept again). Never interactive: an expired
    /// refresh token is [`EntraError::TokenEndpoint`] with `invalid_grant`, which asks for a new
    /// sign-in. When the refresh token was refused but the keyring now holds another (a second
    /// program rotated it meanwhile), that one is tried once.
    pub(super) async fn graph_token(&self, target: &EntraTarget) -> Result<oauth2::AccessToken, ApiError> {
        let mut cache = self.graph_tokens.lock().await;
        // A cached token belongs to the sign-in it came from: another program may have signed
        // in again (perhaps to another tenant) under the same target since.
        let signed_in_at = self.entra_session(target).await?.signed_in_at;
        if let Some((token, until, of)) = cache.get(target)
            && *until > std::time::Instant::now()
            && *of == signed_in_at
        {
            return Ok(token.clone());
        }
        let mut refresh = self.kept_refresh_token(target).await?;
        let mut retried = false;
        let tokens = loop {
            match login::refresh(target, &refresh, &self.http()?).await {
                Ok(tokens) => break tokens,
                Err(EntraError::TokenEndpoint { code, description })
                    if code == "invalid_grant" && !retried =>
                {
                    retried = true;
                    let now_kept = self.kept_refresh_token(target).await?;
                    if now_kept.secret() == refresh.secret() {
                        return Err(EntraError::TokenEndpoint { code, description }.into());
                    }
                    refresh = now_kept;
                }
                Err(other) => return Err(other.into()),
            }
        };
        if tokens.refresh.secret() != refresh.secret() {
            let vault = self.vault().clone();
            let (owned, redeemed, rotated) = (target.clone(), refresh.clone(), tokens.refresh.clone());
            // Entra keeps the redeemed token valid, so a rotation that cannot be kept (keyring
            // or records failing) loses nothing: the use case goes on with this access token.
            if let Err(e) =
                blocking(move || vault.rotate_entra_refresh_token(&owned, &redeemed, &rotated)).await
            {
                tracing::warn!(
                    "the rotated Entra refresh token was not kept (the previous one still works): {e}"
                );
            }
        }
        const MARGIN: std::time::Duration = std::time::Duration::from_secs(300);
        if let Some(lifetime) = tokens.expires_in.and_then(|l| l.checked_sub(MARGIN)) {
            cache.insert(
                target.clone(),
                (
                    tokens.access.clone(),
                    std::time::Instant::now() + lifetime,
                    signed_in_at,
                ),
            );
        }
        Ok(tokens.access)
    }

    async fn kept_refresh_token(&self, target: &EntraTarget) -> Result<oauth2::RefreshToken, ApiError> {
        let vault = self.vault().clone();
        let owned = target.clone();
        Ok(blocking(move || vault.entra_refresh_token(&owned))
            .await?
            .ok_or_else(|| EntraError::NotSignedIn {
                cloud: target.cloud.to_string(),
                tenant: target.tenant.to_string(),
            })?)
    }

    /// The Webex enterprise apps visible to the kept sign-in, with their jobs.
    pub async fn entra_apps(
        &self,
        target: Option<EntraTarget>,
    ) -> Result<(EntraTarget, Vec<EntraApp>), ApiError> {
        let target = self.entra_target(target).await?;
        let access = self.graph_token(&target).await?;
        let http = self.http()?;
        let graph = Graph::new(&http, target.cloud.graph_base(), &access);
        let mut apps = Vec::new();
        for app in graph.webex_apps().await? {
            let jobs = graph.jobs(&app.id).await?;
            apps.push(EntraApp { app, jobs });
        }
        Ok((target, apps))
    }

    /// Links an org's token to an app's job (the app's only job unless `job` names one), in the
    /// tenant the sign-in belongs to. A link to the same app is replaced.
    pub async fn entra_link(
        &self,
        record: &TokenRecord,
        app_id: &AppId,
        job: Option<&JobId>,
        target: Option<EntraTarget>,
    ) -> Result<EntraLink, ApiError> {
        let target = self.entra_target(target).await?;
        target
            .cloud
            .accepts_token_from(&record.broker)
            .map_err(|e| EntraError::Invalid(e.to_string()))?;
        let session = self.entra_session(&target).await?;
        let Some(tenant_id) = session.tenant_id().cloned() else {
            return Err(EntraError::TenantUnknown {
                cloud: target.cloud.to_string(),
            }
            .into());
        };
        let access = self.graph_token(&target).await?;
        let http = self.http()?;
        let graph = Graph::new(&http, target.cloud.graph_base(), &access);
        let app = graph.app(app_id).await?;
        let jobs = graph.jobs(app_id).await?;
        let job_id = match (job, jobs.as_slice()) {
            (Some(wanted), _) => graph.job(app_id, wanted).await?.id,
            (None, [only]) => only.id.clone(),
            (None, []) => {
                return Err(EntraError::NoJob {
                    app: app.display_name,
                }
                .into());
            }
            (None, several) => {
                return Err(EntraError::SeveralJobs {
                    app: app.display_name,
                    jobs: several.iter().map(|j| j.id.to_string()).collect(),
                }
                .into());
            }
        };
        let link = EntraLink::new(target, app.id, app.display_name, job_id, Some(tenant_id));
        let vault = self.vault().clone();
        let (key, kept) = (record.key(), link.clone());
        blocking(move || {
            vault.change_entra_links(&key, |links| {
                links.retain(|l| !(l.app_id == kept.app_id && l.target == kept.target));
                links.push(kept);
            })
        })
        .await?;
        Ok(link)
    }

    /// Removes an org's links (to one app, or all); returns what was removed.
    pub async fn entra_unlink(
        &self,
        record: &TokenRecord,
        app_id: Option<&AppId>,
    ) -> Result<Vec<EntraLink>, ApiError> {
        let removed: Vec<EntraLink> = record
            .entra_links
            .iter()
            .filter(|l| app_id.is_none_or(|a| l.app_id == *a))
            .cloned()
            .collect();
        let vault = self.vault().clone();
        let (key, app) = (record.key(), app_id.cloned());
        blocking(move || {
            vault.change_entra_links(&key, |links| {
                links.retain(|l| app.as_ref().is_some_and(|a| l.app_id != *a));
            })
        })
        .await?;
        Ok(removed)
    }

    /// The health of every job the org's token feeds.
    pub async fn entra_health(&self, record: &TokenRecord) -> Vec<LinkHealth> {
        let mut out = Vec::new();
        for link in &record.entra_links {
            let signed_in = self
                .entra_session(&link.target)
                .await
                .ok()
                .and_then(|s| s.identity);
            let read = async {
                self.check_link_tenant(link).await?;
                let access = self.graph_token(&link.target).await?;
                let http = self.http()?;
                let graph = Graph::new(&http, link.target.cloud.graph_base(), &access);
                Ok::<_, ApiError>(graph.job(&link.app_id, &link.job_id).await?.status)
            }
            .await;
            out.push(match read {
                Ok(status) => LinkHealth::read(link.clone(), status, signed_in),
                Err(e) => LinkHealth::unreadable(link.clone(), &e, signed_in),
            });
        }
        out
    }
}
