//! The desktop's Entra side: the Entra sign-in in a sign-in window (core races its hook with the
//! loopback listener), and thin commands over core's Entra use cases — apps, link, unlink, push,
//! health.

use std::sync::Arc;

use scim_token_core::api::{EntraApp, EntraSignInRequest, PushOptions, PushReport};
use scim_token_core::entra::{AppId, Cloud, EntraTarget, JobId, TenantId};
use scim_token_core::{BrokerId, OrgId};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::CommandError;
use crate::events::{EntraLoginFinished, LoginId, TokensChanged};
use crate::ipc::{JobChoice, JobHealthView, LinkView, PushView};
use crate::sign_in_window::{self, ActiveLogin, Closer, LoginStarted, SIGN_IN_LIMIT, SignInPlace, Surface};
use crate::state::{Shared, lock};

type Result<T> = std::result::Result<T, CommandError>;

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
    pub(crate) tenant_id: Option<TenantId>,
    /// The cloud in words.
    pub(crate) cloud_label: String,
}

/// The kept Entra sign-ins, most recent first.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_sessions(shared: State<'_, Arc<Shared>>) -> Result<Vec<EntraSession>> {
    Ok(shared
        .api
        .entra_sessions()
        .await?
        .into_iter()
        .map(|s| EntraSession {
            account: s.account(),
            tenant_id: s.tenant_id().cloned(),
            cloud_label: match &s.target.cloud {
                Cloud::Local { base } => format!("local Entra at {base}"),
                cloud => format!("{cloud} cloud"),
            },
            target: s.target,
            signed_in_at: s
                .signed_in_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        })
        .collect())
}

/// Where the admin signs in to Entra, as the form gives it.
#[derive(Debug, Clone, serde::Deserialize, specta::Type)]
pub(crate) struct EntraSignInTo {
    /// The cloud (the sandbox's local Entra included).
    pub(crate) cloud: Cloud,
    /// The tenant ID or a verified domain; by default `organizations`.
    pub(crate) tenant: Option<String>,
    /// An app registration of the tenant's own; by default Microsoft Graph Command Line Tools.
    pub(crate) client_id: Option<String>,
}

/// Starts the Entra sign-in `to` a cloud and tenant in the app's window or the system browser; the outcome arrives as an `EntraLoginFinished` event with the
/// returned id.
#[tauri::command]
#[specta::specta]
pub(crate) async fn start_entra_login(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    to: EntraSignInTo,
    place: SignInPlace,
) -> Result<LoginStarted> {
    let shared = shared.inner().clone();
    crate::sandbox::admit(&shared, None, Some(&to.cloud)).await?;
    let mut slot = shared.entra_login.lock().await;
    sign_in_window::end(&mut slot).await;
    let request = EntraSignInRequest {
        cloud: Some(to.cloud),
        tenant: to.tenant,
        client_id: to.client_id,
    };
    let sign_in = shared.api.entra_sign_in(request, SIGN_IN_LIMIT).await?;
    let id = shared.next_id();
    let (surface, browser, problem) = Surface::open(
        &app,
        place,
        format!("entra-{id}"),
        sign_in.url(),
        sign_in.window_rule(),
    )
    .await?;
    let shared_for_task = shared.clone();
    *slot = Some(ActiveLogin::spawn(id, move |cancelled| async move {
        let (redirects, stop, closer) = surface.into_parts(cancelled);
        let finished = shared_for_task
            .api
            .entra_finish_sign_in(sign_in, redirects, stop)
            .await;
        Closer::close(closer, &app);
        let event = match finished {
            Ok(session) => EntraLoginFinished::SignedIn {
                id,
                target: session.target,
            },
            Err(error) => EntraLoginFinished::Failed {
                id,
                error: error.into(),
            },
        };
        let _ = event.emit(&app);
    }));
    let note = match (problem, place) {
        (Some(problem), _) => format!("{problem}. Waiting for you to sign in to Entra with the link…"),
        (None, SignInPlace::Window) => "Waiting for you to sign in to Entra…".into(),
        (None, SignInPlace::Browser) => format!(
            "Waiting for you to sign in to Entra in your browser… {}.",
            scim_token_core::api::UNREADABLE_PAGE_HINT
        ),
    };
    Ok(LoginStarted { id, note, browser })
}

/// Ends the Entra sign-in `id`, if it is still the one in progress (its window closes; its
/// listener stops, so a browser tab that comes back later finds nothing there).
#[tauri::command]
#[specta::specta]
pub(crate) async fn cancel_entra_login(shared: State<'_, Arc<Shared>>, id: LoginId) -> Result<()> {
    let mut slot = shared.entra_login.lock().await;
    if slot.as_ref().is_some_and(|active| active.id == id) {
        sign_in_window::end(&mut slot).await;
    }
    Ok(())
}

/// Forgets every kept Entra sign-in (keyring entries and records).
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_sign_out(shared: State<'_, Arc<Shared>>) -> Result<()> {
    shared.api.entra_sign_out_all().await?;
    Ok(())
}

/// The Webex enterprise apps the kept Entra sign-in sees, with their jobs.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_apps(shared: State<'_, Arc<Shared>>) -> Result<Vec<JobChoice>> {
    let target = shared.api.entra_target(None).await?;
    crate::sandbox::admit(&shared, None, Some(&target.cloud)).await?;
    let apps: Vec<EntraApp> = shared.api.entra_apps(Some(target)).await?.1;
    Ok(apps
        .iter()
        .flat_map(|app| {
            app.jobs.iter().map(|job| JobChoice {
                app_id: app.app.id.clone(),
                job_id: job.id.clone(),
                label: format!(
                    "{} — job {} ({})",
                    app.app.display_name,
                    job.id,
                    job.status.code.description()
                ),
            })
        })
        .collect())
}

/// Links the token of `org` from `broker` to an app's job.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_link(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
    app_id: AppId,
    job_id: Option<JobId>,
) -> Result<LinkView> {
    let record = shared.api.pick(Some(org), Some(&broker))?;
    let target = shared.api.entra_target(None).await?;
    crate::sandbox::admit(&shared, Some(&record.broker), Some(&target.cloud)).await?;
    let link = shared
        .api
        .entra_link(&record, &app_id, job_id.as_ref(), Some(target))
        .await?;
    let _ = TokensChanged.emit(&app);
    Ok(LinkView::from(&link))
}

/// Removes the link of `org`'s token to `app_id`.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_unlink(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
    app_id: AppId,
) -> Result<()> {
    let record = shared.api.pick(Some(org), Some(&broker))?;
    shared.api.entra_unlink(&record, Some(&app_id)).await?;
    let _ = TokensChanged.emit(&app);
    Ok(())
}

/// Pushes `org`'s token into its linked jobs; with `dry_run`, only reads the jobs, plans and
/// runs Test Connection (the UI shows that plan before the first push to a link). A paused job
/// is started only with `start_paused` (the card's Push and start button).
#[tauri::command]
#[specta::specta]
pub(crate) async fn push_to_entra(
    app: AppHandle,
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
    dry_run: bool,
    start_paused: bool,
) -> Result<Vec<PushView>> {
    let record = shared.api.pick(Some(org), Some(&broker))?;
    crate::sandbox::admit_record(&shared, &record).await?;
    let options = PushOptions {
        dry_run,
        start_paused,
        ..PushOptions::default()
    };
    let reports = shared.api.push(&record, options).await?;
    forget_healed_jobs(&shared, &reports);
    crate::tray::refresh(&app);
    Ok(reports.iter().map(PushView::from).collect())
}

/// A job a push just put right no longer needs attention in the tray.
pub(crate) fn forget_healed_jobs(shared: &Shared, reports: &[PushReport]) {
    lock(&shared.job_health).retain(|health| {
        !reports.iter().any(|r| {
            r.link.app_id == health.link.app_id
                && r.link.job_id == health.link.job_id
                && r.status.as_ref().is_some_and(|s| !s.unhealthy())
        })
    });
}

/// The health of the jobs `org`'s token feeds.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_health(
    shared: State<'_, Arc<Shared>>,
    org: OrgId,
    broker: BrokerId,
) -> Result<Vec<JobHealthView>> {
    let record = shared.api.pick(Some(org), Some(&broker))?;
    crate::sandbox::admit_record(&shared, &record).await?;
    Ok(shared
        .api
        .entra_health(&record)
        .await
        .iter()
        .map(JobHealthView::from)
        .collect())
}
