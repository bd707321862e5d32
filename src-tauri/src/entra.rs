//! The desktop's Entra commands, thin over core's Entra use cases: apps, link, unlink, push,
//! health. (The Entra sign-in is `entra_sign_in.rs`.)

use std::sync::Arc;

use scim_token_core::api::{EntraApp, PushOptions};
use scim_token_core::entra::{AppId, JobId};
use scim_token_core::{BrokerId, OrgId};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::CommandError;
use crate::events::TokensChanged;
use crate::ipc::{JobChoice, JobHealthView, LinkView, PushView};
use crate::sandbox;
use crate::state::Shared;

type Result<T> = std::result::Result<T, CommandError>;

/// The Webex enterprise apps the kept Entra sign-in sees, with their jobs.
#[tauri::command]
#[specta::specta]
pub(crate) async fn entra_apps(shared: State<'_, Arc<Shared>>) -> Result<Vec<JobChoice>> {
    let target = shared.api.entra_target(None).await?;
    sandbox::admit(&shared.sandbox, None, Some(&target.cloud)).await?;
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
    sandbox::admit(&shared.sandbox, Some(&record.broker), Some(&target.cloud)).await?;
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
    sandbox::admit_record(&shared.sandbox, &record).await?;
    let options = PushOptions {
        dry_run,
        start_paused,
        ..PushOptions::default()
    };
    let reports = shared.api.push(&record, options).await?;
    shared.forget_healed_jobs(&reports);
    crate::tray::refresh(&app);
    Ok(reports.iter().map(PushView::from).collect())
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
    sandbox::admit_record(&shared.sandbox, &record).await?;
    Ok(shared
        .api
        .entra_health(&record)
        .await
        .iter()
        .map(JobHealthView::from)
        .collect())
}
