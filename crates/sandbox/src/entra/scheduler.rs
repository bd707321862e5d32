//! Runs the local Entra's provisioning jobs: one background task per sandbox that sleeps until
//! the next job is due (or an action wakes it), runs the cycle against the job's BaseAddress over
//! real HTTP, and records the outcome by the job's rules (`job.rs`).

use std::time::Duration;

use time::OffsetDateTime;

use super::job::{CREDENTIAL_CODES, JobError, Outcome};
use super::provision::{CycleError, ScimTarget, run_cycle};
use crate::AppState;
use scim_token_core::entra::{BASE_ADDRESS_KEY, SECRET_TOKEN_KEY};

/// The longest the scheduler sleeps without looking (a job's time may pass while it sleeps
/// only if the clock jumps).
const LONGEST_NAP: Duration = Duration::from_secs(60);

/// Runs due jobs until the task is aborted (the sandbox stopping).
pub(crate) async fn run(app: AppState) {
    loop {
        let now = OffsetDateTime::now_utc();
        let due: Vec<String> = app.entra.read(|tenant| {
            tenant
                .apps
                .iter()
                .filter(|a| a.job.as_ref().is_some_and(|job| job.due(now)))
                .map(|a| a.id.to_string())
                .collect()
        });
        for id in &due {
            run_job(&app, id).await;
        }
        let next = app.entra.read(|tenant| {
            tenant
                .apps
                .iter()
                .filter_map(|a| a.job.as_ref())
                .filter_map(super::job::Job::scheduled)
                .min()
        });
        let nap = next
            .map(|at| (at - OffsetDateTime::now_utc()).clamp(time::Duration::ZERO, time::Duration::MINUTE))
            .and_then(|d| Duration::try_from(d).ok())
            .unwrap_or(LONGEST_NAP);
        if !due.is_empty() && nap.is_zero() {
            // Still due after running: give the runtime a turn before looking again.
            tokio::task::yield_now().await;
        }
        tokio::select! {
            () = tokio::time::sleep(nap) => {}
            () = app.entra.wake.notified() => {}
        }
    }
}

/// One cycle of the job of app `id`.
async fn run_job(app: &AppState, id: &str) {
    let began = OffsetDateTime::now_utc();
    let Some((base, token, mut exported, watermark, revision)) = app.entra.read(|tenant| {
        let a = tenant.app(id)?;
        Some((
            a.secret(BASE_ADDRESS_KEY)?.to_owned(),
            a.secret(SECRET_TOKEN_KEY)?.to_owned(),
            a.exported.clone(),
            a.watermark,
            a.job.as_ref()?.revision,
        ))
    }) else {
        return;
    };
    let outcome = match ScimTarget::new(&base, &token) {
        Err(refused) => Outcome::CredentialsRefused(JobError {
            code: CREDENTIAL_CODES[1].into(),
            message: refused.to_string(),
            tenant_actionable: true,
        }),
        Ok(target) => {
            outcome(run_cycle(app.entra.http(), &target, &app.entra.directory, &mut exported).await)
        }
    };
    let ended = OffsetDateTime::now_utc();
    let every = app.config.entra.cycle;
    let kept = app.entra.change(|tenant| {
        let Some(a) = tenant.app_mut(id) else {
            return;
        };
        // What was exported stays known, unless a restart meanwhile said to forget it.
        if a.watermark == watermark {
            a.exported = exported;
        }
        let configured = a.configured();
        if let Some(job) = a.job.as_mut()
            && job.revision == revision
        {
            job.finish_cycle(outcome, began, ended, every);
            job.credentials_changed(configured);
        }
    });
    if let Err(e) = kept {
        tracing::warn!("local Entra: {e}");
    }
}

/// The job's view of a cycle's result.
fn outcome(result: Result<super::provision::CycleReport, CycleError>) -> Outcome {
    match result {
        Ok(report) => Outcome::Completed {
            users: report.users as u64,
            groups: report.groups as u64,
            exported: (report.created + report.updated) as u64,
            failed: report.entry_errors.len() as u64,
        },
        Err(CycleError::Unauthorized { status }) => Outcome::CredentialsRefused(JobError {
            code: CREDENTIAL_CODES[0].into(),
            message: format!(
                "The SCIM endpoint refused the Secret Token (HTTP {status}). Update the Secret Token in the app's provisioning credentials and restart provisioning."
            ),
            tenant_actionable: true,
        }),
        Err(CycleError::NotLoopback(refused)) => Outcome::CredentialsRefused(JobError {
            code: CREDENTIAL_CODES[1].into(),
            message: refused.to_string(),
            tenant_actionable: true,
        }),
        Err(other) => Outcome::Failed(JobError {
            code: "SystemForCrossDomainIdentityManagementServiceUnavailable".into(),
            message: other.to_string(),
            tenant_actionable: false,
        }),
    }
}
