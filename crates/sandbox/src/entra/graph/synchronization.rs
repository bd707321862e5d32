//! `/v1.0/servicePrincipals/{id}/synchronization/…`: the job's secrets, the jobs, and the job
//! actions (validateCredentials, start, pause, restart).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use scim_token_core::entra::{BASE_ADDRESS_KEY, SECRET_TOKEN_KEY};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::auth::Caller;
use super::body;
use super::error::GraphError;
use super::job_write::JobWrite;
use super::service_principals::missing_app;
use crate::AppState;
use crate::entra::SecretsRead;
use crate::entra::job::{Job, ResetScope};
use crate::entra::provision::{CycleError, ScimTarget, test_connection};
use crate::entra::tenant::{App, Secret};

/// What the secrets GET shows instead of the Secret Token: Graph's GET of secrets is
/// unconfirmed, and the admin center never shows the token again either.
const MASK: &str = "*****";

fn changed<T>(result: Result<T, String>) -> Result<T, GraphError> {
    result.map_err(GraphError::internal)
}

/// The app, or 404.
fn with_app<T>(app: &AppState, id: &str, read: impl FnOnce(&App) -> T) -> Result<T, GraphError> {
    app.entra
        .read(|tenant| tenant.app(id).map(read))
        .ok_or_else(|| missing_app(id))
}

fn job_of<'a>(app: &'a App, job_id: &str) -> Result<&'a Job, GraphError> {
    app.job
        .as_ref()
        .filter(|job| job.id == job_id)
        .ok_or_else(|| GraphError::not_found(format!("The synchronization job '{job_id}' was not found.")))
}

/// A job as Graph shows it.
fn render_job(job: &Job) -> Value {
    json!({
        "id": job.id,
        "templateId": job.template_id,
        "schedule": job.schedule,
        "status": job.status,
        "synchronizationJobSettings": [],
    })
}

/// `GET /v1.0/…/secrets`: answered only with `--entra-secrets-get v1` (unconfirmed on Graph).
pub(super) async fn secrets(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    if app.config.entra.secrets_read != SecretsRead::V1 {
        return Err(GraphError::method_not_allowed("GET"));
    }
    read_secrets(&app, &caller, &id)
}

/// `GET /beta/…/secrets`: refused only with `--entra-secrets-get none`.
pub(super) async fn beta_secrets(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    if app.config.entra.secrets_read == SecretsRead::None {
        return Err(GraphError::method_not_allowed("GET"));
    }
    read_secrets(&app, &caller, &id)
}

/// The job's secrets with the Secret Token masked.
fn read_secrets(app: &AppState, caller: &Caller, id: &str) -> Result<Json<Value>, GraphError> {
    caller.may_manage_sync(false)?;
    let hidden = app.config.entra.secrets_get_hides.as_deref();
    let value = with_app(app, id, |a| {
        a.secrets
            .iter()
            .filter(|s| Some(s.key.as_str()) != hidden)
            .map(|s| {
                let shown = if s.key == SECRET_TOKEN_KEY {
                    MASK
                } else {
                    s.value.as_str()
                };
                json!({"key": s.key, "value": shown})
            })
            .collect::<Vec<_>>()
    })?;
    Ok(Json(json!({"value": value})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SecretsBody {
    value: Vec<Secret>,
}

pub(super) async fn put_secrets(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<StatusCode, GraphError> {
    caller.may_manage_sync(true)?;
    let request: SecretsBody = body::json(&bytes)?;
    if request.value.is_empty() || request.value.iter().any(|s| s.key.trim().is_empty()) {
        return Err(GraphError::bad_request(
            "The request body must be {\"value\":[{\"key\":\"BaseAddress\",\"value\":\"…\"},{\"key\":\"SecretToken\",\"value\":\"…\"}]} with non-empty keys.",
        ));
    }
    let mode = app.config.entra.secrets_put;
    let loses = app.config.entra.secrets_put_loses.as_deref();
    let found = changed(app.entra.change(|tenant| {
        tenant
            .app_mut(&id)
            .map(|a| {
                a.put_secrets(request.value, mode);
                if let Some(lost) = loses {
                    a.secrets.retain(|s| s.key != lost);
                }
            })
            .is_some()
    }))?;
    if !found {
        return Err(missing_app(&id));
    }
    app.entra
        .secrets_put_done
        .store(true, std::sync::atomic::Ordering::SeqCst);
    app.entra.wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn jobs(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    caller.may_manage_sync(false)?;
    let value = with_app(&app, &id, |a| a.job.iter().map(render_job).collect::<Vec<_>>())?;
    Ok(Json(json!({"value": value})))
}

pub(super) async fn job(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, job_id)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    caller.may_manage_sync(false)?;
    with_app(&app, &id, |a| job_of(a, &job_id).map(render_job))?.map(Json)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct ValidateBody {
    use_saved_credentials: bool,
    credentials: Vec<Secret>,
}

/// Test Connection: the saved credentials, or the ones in the body, against the SCIM endpoint.
pub(super) async fn validate_credentials(
    State(app): State<AppState>,
    JobWrite { id, job_id, request }: JobWrite<ValidateBody>,
) -> Result<StatusCode, GraphError> {
    let saved = with_app(&app, &id, |a| job_of(a, &job_id).map(|_| a.secrets.clone()))??;
    let pairs = if request.use_saved_credentials || request.credentials.is_empty() {
        saved
    } else {
        play_edit_during_push(&app, &id)?;
        request.credentials
    };
    let value = |key: &str| {
        pairs
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.value.clone())
            .filter(|v| !v.is_empty())
    };
    let (Some(base), Some(token)) = (value(BASE_ADDRESS_KEY), value(SECRET_TOKEN_KEY)) else {
        return Err(GraphError::bad_request(
            "Credentials are incomplete: both BaseAddress (Tenant URL) and SecretToken are needed.",
        ));
    };
    let target = ScimTarget::new(&base, &token).map_err(|e| GraphError::bad_request(e.to_string()))?;
    match test_connection(app.entra.http(), &target).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(CycleError::Unauthorized { status }) => Err(GraphError::bad_request(format!(
            "You appear to have entered invalid credentials (the SCIM endpoint answered {status}). Please confirm you are using the correct information for an administrative account."
        ))),
        Err(e) => Err(GraphError::bad_request(format!(
            "We were unable to connect to the Tenant URL: {e}"
        ))),
    }
}

/// The fault `edit_during_push`, once: an admin's change to a setting between a push's read of
/// the secrets and its write.
fn play_edit_during_push(app: &AppState, id: &str) -> Result<(), GraphError> {
    let Some((key, value)) = app.config.entra.edit_during_push.as_ref() else {
        return Ok(());
    };
    if app
        .entra
        .edited_during_push
        .swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        return Ok(());
    }
    changed(app.entra.change(|tenant| {
        if let Some(a) = tenant.app_mut(id) {
            a.secrets.retain(|s| s.key != *key);
            a.secrets.push(Secret {
                key: key.clone(),
                value: value.clone(),
            });
        }
    }))
}

/// Applies an action to the job and wakes the scheduler.
fn act(
    app: &AppState,
    id: &str,
    job_id: &str,
    action: impl FnOnce(&mut App) -> Result<(), String>,
) -> Result<StatusCode, GraphError> {
    let outcome = changed(app.entra.change(|tenant| {
        let Some(a) = tenant.app_mut(id) else {
            return Err(missing_app(id));
        };
        if a.job.as_ref().is_none_or(|job| job.id != job_id) {
            return Err(GraphError::not_found(format!(
                "The synchronization job '{job_id}' was not found."
            )));
        }
        action(a).map_err(GraphError::bad_request)
    }))?;
    outcome?;
    app.entra.wake.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn start(
    State(app): State<AppState>,
    JobWrite { id, job_id, .. }: JobWrite<IgnoredAny>,
) -> Result<StatusCode, GraphError> {
    act(&app, &id, &job_id, |a| {
        let configured = a.configured();
        a.job
            .as_mut()
            .map_or(Ok(()), |job| job.start(configured, OffsetDateTime::now_utc()))
            .map_err(str::to_owned)
    })
}

pub(super) async fn pause(
    State(app): State<AppState>,
    JobWrite { id, job_id, .. }: JobWrite<IgnoredAny>,
) -> Result<StatusCode, GraphError> {
    act(&app, &id, &job_id, |a| {
        let configured = a.configured();
        if let Some(job) = a.job.as_mut() {
            job.pause(configured);
        }
        Ok(())
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RestartBody {
    criteria: Option<Criteria>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Criteria {
    reset_scope: Option<String>,
}

pub(super) async fn restart(
    State(app): State<AppState>,
    JobWrite { id, job_id, request }: JobWrite<RestartBody>,
) -> Result<StatusCode, GraphError> {
    let scope = ResetScope::parse(request.criteria.and_then(|c| c.reset_scope).as_deref())
        .map_err(GraphError::bad_request)?;
    act(&app, &id, &job_id, |a| {
        let configured = a.configured();
        let Some(job) = a.job.as_mut() else {
            return Ok(());
        };
        let reset_watermark = job
            .restart(&scope, configured, OffsetDateTime::now_utc())
            .map_err(str::to_owned)?;
        if reset_watermark {
            a.exported = Default::default();
            a.watermark += 1;
        }
        Ok(())
    })
}
