//! The desktop's Entra side: the Entra sign-in in an isolated window (its navigation hook and
//! core's loopback listener both catch the redirect; first wins), and thin commands over core's
//! Entra use cases — apps, link, unlink, push, health.

use std::sync::Arc;

use scim_token_core::api::{EntraApp, LinkHealth, PushOptions, PushReport};
use scim_token_core::entra::{Cloud, EntraLink, EntraTarget, PendingEntraLogin, RedirectMatcher};
use scim_token_core::navigation::{same_origin, shown_host};
use scim_token_core::{BrokerId, ErrorKind, OrgId};
use serde::Serialize;
use tauri::{AppHandle, Manager, State, WebviewUrl, WebviewWindowBuilder};
use tauri_specta::Event;
use tokio::sync::{mpsc, oneshot};

use crate::commands::LoginStarted;
use crate::error::CommandError;
use crate::events::{EntraLoginFinished, LoginId, TokensChanged};
use crate::login::SIGN_IN_LIMIT;
use crate::state::{ActiveLogin, Shared, lock};

type Result<T> = std::result::Result<T, CommandError>;

/// Entra sign-in windows: `entra-<id>`. No capability names them either.
const ENTRA_WINDOW_PREFIX: &str = "entra-";

fn window_label(id: LoginId) -> String {
    format!("{ENTRA_WINDOW_PREFIX}{id}")
}

/// The Entra sign-in window may follow https anywhere (federated identity providers) and plain
/// http only to the local Entra it signs in at (`local`: its origin, for the sandbox's cloud);
/// the redirect itself is caught before this is asked.
fn may_navigate(url: &url::Url, local: Option<&url::Url>) -> bool {
    url.scheme() == "https"
        || (url.scheme() == "http" && local.is_some_and(|base| same_origin(url, base)))
        || url.as_str() == "about:blank"
}

/// A kept Entra sign-in, as the UI shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct EntraSession {
    /// Where and as which client.
    pub(crate) target: EntraTarget,
    /// When (RFC 3339).
    pub(crate) signed_in_at: String,
    /// Who signed in ("Name <user@domain>"), when Entra said.
    pub(crate) account: Option<String>,
    /// The tenant ID, when Entra said.
    pub(crate) tenant_id: Option<String>,
}

/// The Entra sign-in window's title: whose page it shows, updated on every page load.
fn window_title(url: &url::Url) -> String {
    format!("Sign in to Entra at {} — scim-token", shown_host(url))
}

/// The kept Entra sign-ins, most recent first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_sessions(shared: State<'_, Arc<Shared>>) -> Result<Vec<EntraSession>> {
    Ok(shared
        .tokens
        .entra_sessions()
        .await?
        .into_iter()
        .map(|s| EntraSession {
            account: s.account(),
            tenant_id: s.tenant_id().map(str::to_owned),
            target: s.target,
            signed_in_at: s
                .signed_in_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        })
        .collect())
}

/// Opens the Entra sign-in window for `cloud` (and `tenant`, default `organizations`); the
/// outcome arrives as an `EntraLoginFinished` event with the returned id.
#[tauri::command]
#[specta::specta]
pub(crate) async fn start_entra_login(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    cloud: Cloud,
    tenant: Option<String>,
    client_id: Option<String>,
) -> Result<LoginStarted> {
    let shared = shared.inner().clone();
    let mut slot = shared.entra_login.lock().await;
    if let Some(active) = slot.take() {
        let _ = active.cancel.send(());
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), active.task).await;
    }
    let mut target = EntraTarget::new(cloud);
    if let Some(tenant) = tenant.filter(|t| !t.trim().is_empty()) {
        target.tenant = tenant.trim().to_owned();
    }
    if let Some(client_id) = client_id.filter(|c| !c.trim().is_empty()) {
        target.client_id = client_id.trim().to_owned();
    }
    let pending = shared.tokens.entra_sign_in(target).await?;
    let id = shared.next_id();
    let (hook_tx, hook_rx) = mpsc::unbounded_channel::<url::Url>();
    let window = open_window(&app, id, &pending, hook_tx)?;
    let closed_rx = crate::login::when_closed(&window);
    let shared_for_task = shared.clone();
    *slot = Some(ActiveLogin::spawn(id, move |cancel_rx| {
        finish(app, shared_for_task, id, pending, hook_rx, cancel_rx, closed_rx)
    }));
    Ok(LoginStarted {
        id,
        note: "Waiting for you to sign in to Entra…".into(),
    })
}

fn open_window(
    app: &AppHandle,
    id: LoginId,
    pending: &PendingEntraLogin,
    hook_tx: mpsc::UnboundedSender<url::Url>,
) -> Result<tauri::WebviewWindow> {
    let matcher: RedirectMatcher = pending.matcher();
    let local = match &pending.target().cloud {
        Cloud::Local { base } => Some(base.clone()),
        _ => None,
    };
    let window = WebviewWindowBuilder::new(app, window_label(id), WebviewUrl::External(pending.url.clone()))
        .title(window_title(&pending.url))
        .inner_size(520.0, 720.0)
        .incognito(true)
        .on_navigation(move |url| {
            if matcher.is_redirect(url) {
                // Read the code here; the page itself is never loaded in the window.
                let _ = hook_tx.send(url.clone());
                return false;
            }
            let allowed = may_navigate(url, local.as_ref());
            if !allowed {
                tracing::warn!(
                    scheme = url.scheme(),
                    host = url.host_str(),
                    "Entra sign-in window: navigation refused"
                );
            }
            allowed
        })
        .on_page_load(|window, payload| {
            let _ = window.set_title(&window_title(payload.url()));
        })
        .build()?;
    Ok(window)
}

async fn finish(
    app: AppHandle,
    shared: Arc<Shared>,
    id: LoginId,
    mut pending: PendingEntraLogin,
    mut hook_rx: mpsc::UnboundedReceiver<url::Url>,
    cancel_rx: oneshot::Receiver<()>,
    closed_rx: oneshot::Receiver<()>,
) {
    let matcher = pending.matcher();
    let from_window = async {
        loop {
            let Some(url) = hook_rx.recv().await else {
                return std::future::pending().await;
            };
            match matcher.code_in(&url) {
                Some(result) => return result,
                None => tracing::warn!("ignored a redirect that was not this Entra sign-in's"),
            }
        }
    };
    let code: std::result::Result<String, CommandError> = tokio::select! {
        result = pending.next_code(SIGN_IN_LIMIT) => result.map_err(|e| CommandError::from(scim_token_core::ApiError::from(e))),
        result = from_window => result.map_err(|e| CommandError::from(scim_token_core::ApiError::from(e))),
        _ = cancel_rx => Err(CommandError::new(ErrorKind::Cancelled, "The Entra sign-in was cancelled.")),
        _ = closed_rx => Err(CommandError::new(ErrorKind::Cancelled, "The Entra sign-in window was closed before the sign-in finished.")),
    };
    if let Some(window) = app.get_webview_window(&window_label(id)) {
        let _ = window.destroy();
    }
    let event = match code {
        Ok(code) => match shared.tokens.entra_finish_with_code(pending, code).await {
            Ok(session) => EntraLoginFinished::SignedIn {
                id,
                target: session.target,
            },
            Err(error) => EntraLoginFinished::Failed {
                id,
                error: error.into(),
            },
        },
        Err(error) => EntraLoginFinished::Failed { id, error },
    };
    let _ = event.emit(&app);
}

/// Forgets every kept Entra sign-in (keyring entries and records).
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_sign_out(shared: State<'_, Arc<Shared>>) -> Result<()> {
    for session in shared.tokens.entra_sessions().await? {
        shared.tokens.entra_sign_out(&session.target).await?;
    }
    Ok(())
}

/// The Webex enterprise apps the kept Entra sign-in sees, with their jobs.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_apps(shared: State<'_, Arc<Shared>>) -> Result<Vec<EntraApp>> {
    Ok(shared.tokens.entra_apps(None).await?.1)
}

/// Links the token of `org` from `broker` to an app's job.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_link(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
    app_id: String,
    job_id: Option<String>,
) -> Result<EntraLink> {
    let record = shared.tokens.pick(Some(org), Some(&broker))?;
    let link = shared
        .tokens
        .entra_link(&record, &app_id, job_id.as_deref(), None)
        .await?;
    let _ = TokensChanged.emit(&app);
    Ok(link)
}

/// Removes the link of `org`'s token to `app_id`.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_unlink(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
    app_id: String,
) -> Result<()> {
    let record = shared.tokens.pick(Some(org), Some(&broker))?;
    shared.tokens.entra_unlink(&record, Some(&app_id)).await?;
    let _ = TokensChanged.emit(&app);
    Ok(())
}

/// Pushes `org`'s token into its linked jobs; with `dry_run`, only reads the jobs, plans and
/// runs Test Connection (the UI shows that plan before the first push to a link).
#[tauri::command]
#[specta::specta]
pub(crate) async fn push_to_entra(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
    dry_run: bool,
) -> Result<Vec<PushReport>> {
    let record = shared.tokens.pick(Some(org), Some(&broker))?;
    let options = PushOptions {
        dry_run,
        skip_settings_check: false,
    };
    let reports = shared.tokens.push(&record, options).await?;
    // A job a push just put right no longer needs attention in the tray.
    lock(&shared.job_health).retain(|health| {
        !reports.iter().any(|r| {
            r.link.app_id == health.link.app_id
                && r.link.job_id == health.link.job_id
                && r.status.as_ref().is_some_and(|s| !s.unhealthy())
        })
    });
    crate::tray::refresh(&app);
    Ok(reports)
}

/// The health of the jobs `org`'s token feeds.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_health(
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
) -> Result<Vec<LinkHealth>> {
    let record = shared.tokens.pick(Some(org), Some(&broker))?;
    Ok(shared.tokens.entra_health(&record).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_title_names_the_page_it_shows() {
        let federated = url::Url::parse("https://adfs.contoso.example/adfs/ls?x=1").unwrap();
        assert_eq!(
            window_title(&federated),
            "Sign in to Entra at adfs.contoso.example — scim-token"
        );
    }

    #[test]
    fn the_entra_window_goes_to_https_and_its_local_entra_only() {
        let local = url::Url::parse("http://127.0.0.1:8901/").unwrap();
        for ok in [
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
            "https://adfs.example.org/adfs/ls",
            "http://127.0.0.1:8901/organizations/oauth2/v2.0/authorize",
        ] {
            assert!(may_navigate(&url::Url::parse(ok).unwrap(), Some(&local)), "{ok}");
        }
        for bad in [
            "http://login.microsoftonline.com/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://10.1.1.1/",
            "http://127.0.0.1:8900/other-local-service",
        ] {
            assert!(
                !may_navigate(&url::Url::parse(bad).unwrap(), Some(&local)),
                "{bad}"
            );
        }
        assert!(
            !may_navigate(&url::Url::parse("http://127.0.0.1:8901/").unwrap(), None),
            "no plain http at all for a real cloud"
        );
    }
}
