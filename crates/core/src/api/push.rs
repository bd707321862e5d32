//! Pushing an org's token into its linked provisioning jobs, so that nothing else in the job
//! changes whatever Graph's secrets PUT does (merge or replace: unconfirmed). Per job: check the
//! sign-in is to the link's tenant; read the job and its secrets (nothing is written when they
//! cannot be read, unless asked); plan the set to send (every key back, only `BaseAddress` and
//! `SecretToken` replaced); Test Connection with the new pair; PUT; read the secrets again and
//! compare; only then restart a quarantined job or start a paused one. A dry run stops after
//! Test Connection. The report says truly whether the token was stored: yes, no, or unknown.

use serde::Serialize;

use super::tokens::blocking;
use super::{Api, ApiError, ErrorKind};
use crate::entra::graph::{Graph, JobStatus};
use crate::entra::secrets::{BaseAddressChange, SecretsPlan, SettingDrift};
use crate::entra::{EntraError, EntraLink, JobCode};
use crate::token::{AccessToken, TokenRecord};

/// How to push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushOptions {
    /// Read, plan and Test Connection only: no PUT, no restart, no start.
    pub dry_run: bool,
    /// When the job's secrets cannot be read, store only the Tenant URL and token anyway
    /// (which erases the job's other settings if Graph's PUT replaces the set).
    pub skip_settings_check: bool,
}

/// What a push did to a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum PushAction {
    /// Stored; the running job uses the token from its next cycle.
    Stored,
    /// Stored, and the quarantined job restarted (quarantine lifted).
    Restarted,
    /// Stored, and the paused or never-run job started.
    Started,
}

/// What happens to the job once the token is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum JobStep {
    /// Quarantined: restarted, lifting the quarantine (no full resync).
    Restart,
    /// Paused or never run: started.
    Start,
    /// Running: it uses the token from its next cycle.
    Nothing,
}

impl JobStep {
    fn for_status(status: &JobStatus) -> Self {
        if status.quarantined() {
            Self::Restart
        } else if status.code.needs_start() {
            Self::Start
        } else {
            Self::Nothing
        }
    }
}

/// What a push sends to a job (key names only, never values).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PushPlan {
    /// Keys whose values change (`SecretToken`, and `BaseAddress` when the job had none).
    pub changes: Vec<String>,
    /// Keys sent back as they were read.
    pub keeps: Vec<String>,
    /// What happens to the job's Tenant URL.
    pub base_address: BaseAddressChange,
    /// What happens to the job afterwards.
    pub then: JobStep,
    /// Whether the plan comes from the job's own settings; `false` when they could not be read
    /// and only the two keys are sent (the settings check was skipped).
    pub settings_read: bool,
}

/// One linked job after a push (or a dry run), or why it failed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PushReport {
    /// The job.
    pub link: EntraLink,
    /// A dry run: nothing was written.
    pub dry_run: bool,
    /// What was (or would be) sent, once the job's settings were read.
    pub plan: Option<PushPlan>,
    /// Whether Test Connection passed with the new token.
    pub validated: bool,
    /// Whether the token is in the job: `true` once the PUT succeeded, `false` when it was
    /// refused or never sent, `None` when its outcome cannot be known (the connection was lost
    /// after sending).
    pub stored: Option<bool>,
    /// What was done, when everything worked.
    pub action: Option<PushAction>,
    /// The job's status afterwards, when it could be read.
    pub status: Option<JobStatus>,
    /// Settings that differ after the PUT, with their values before.
    pub drift: Vec<SettingDrift>,
    /// Risks taken (the settings check skipped).
    pub warnings: Vec<String>,
    /// Why it failed, in words.
    pub error: Option<String>,
    /// What kind of failure, for a shell's next step.
    pub error_kind: Option<ErrorKind>,
}

/// Whether a failed PUT may have stored the secrets: refused by Graph or never sent is "no";
/// a lost connection or a server error after sending is "unknown".
fn stored_after(error: &EntraError) -> Option<bool> {
    match error {
        EntraError::Interrupted(_) => None,
        EntraError::Graph(failure) if failure.status >= 500 => None,
        _ => Some(false),
    }
}

/// Whether Graph refused to show the secrets for good (not throttling, a lost connection or an
/// outage, after which a later push can read them): only then may the check be skipped.
fn refused_for_good(error: &EntraError) -> bool {
    matches!(error, EntraError::Graph(failure) if matches!(failure.status, 400 | 403 | 404 | 405))
}

const SKIPPED_WARNING: &str = "the job's settings could not be read, so only the Tenant URL and token were sent: if Graph's secrets PUT replaces the whole set (unconfirmed), the notification e-mail, the accidental-deletion threshold, SkipOutOfScopeDeletions and the scope (SyncAll) are now erased. Check them in the Entra admin center (Provisioning → Settings) before the next cycle";

impl Api {
    /// Pushes the org's token into every linked job (see the module's steps); with
    /// `dry_run`, reports what would be sent and whether Test Connection passes.
    pub async fn push(
        &self,
        record: &TokenRecord,
        options: PushOptions,
    ) -> Result<Vec<PushReport>, ApiError> {
        if record.entra_links.is_empty() {
            return Err(ApiError::NotLinked(record.org_id));
        }
        let _one_at_a_time = self.pushes.lock().await;
        let token = self.token(record).await?;
        let mut reports = Vec::new();
        for link in &record.entra_links {
            let mut report = PushReport {
                link: link.clone(),
                dry_run: options.dry_run,
                plan: None,
                validated: false,
                stored: Some(false),
                action: None,
                status: None,
                drift: Vec::new(),
                warnings: Vec::new(),
                error: None,
                error_kind: None,
            };
            if let Err(e) = self.push_one(record, link, &token, options, &mut report).await {
                report.error_kind = Some(e.kind());
                report.error = Some(e.to_string().replace(token.expose_secret(), "[REDACTED]"));
            }
            if report.stored == Some(true) {
                self.mark_pushed(record, link).await;
            }
            reports.push(report);
        }
        Ok(reports)
    }

    async fn push_one(
        &self,
        record: &TokenRecord,
        link: &EntraLink,
        token: &AccessToken,
        options: PushOptions,
        report: &mut PushReport,
    ) -> Result<(), ApiError> {
        link.target
            .cloud
            .accepts_token_from(&record.broker)
            .map_err(|e| EntraError::Invalid(e.to_string()))?;
        self.check_link_tenant(link).await?;
        let access = self.graph_token(&link.target).await?;
        let graph = Graph::new(self.http()?, link.target.cloud.graph_base(), &access);
        let job = graph.job(&link.app_id, &link.job_id).await?;
        let then = JobStep::for_status(&job.status);
        let tenant_url = record.tenant_url();
        let (plan, source) = match graph.secrets(&link.app_id).await {
            Ok((current, _)) if current.is_empty() && job.status.code != JobCode::NotConfigured => {
                // A job that has run has credentials: an empty set is a view that hides them.
                return Err(EntraError::SettingsUnreadable {
                    reason: format!(
                        "Graph showed no settings at all for a job that is {}",
                        job.status.code.description()
                    ),
                }
                .into());
            }
            Ok((current, source)) => (
                SecretsPlan::new(&current, &tenant_url, record.org_id).map_err(EntraError::from)?,
                Some(source),
            ),
            Err(e) if options.skip_settings_check && refused_for_good(&e) => {
                tracing::warn!(
                    "the job's secrets could not be read ({e}); sending only the two keys as asked"
                );
                report.warnings.push(SKIPPED_WARNING.to_owned());
                (SecretsPlan::blind(&tenant_url), None)
            }
            Err(e) => {
                return Err(EntraError::SettingsUnreadable {
                    reason: e.to_string(),
                }
                .into());
            }
        };
        report.plan = Some(PushPlan {
            changes: plan.changes.clone(),
            keeps: plan.keeps.clone(),
            base_address: plan.base_address_change,
            then,
            settings_read: plan.read_settings(),
        });
        let pairs = plan.pairs(token);
        graph.validate(&link.app_id, &link.job_id, &pairs[..2]).await?;
        report.validated = true;
        if options.dry_run {
            return Ok(());
        }
        if let Err(e) = graph.put_secrets(&link.app_id, &pairs).await {
            report.stored = stored_after(&e);
            return Err(e.into());
        }
        report.stored = Some(true);
        if let Some(source) = source {
            let after =
                graph
                    .secrets_from(&link.app_id, source)
                    .await
                    .map_err(|e| EntraError::NotVerified {
                        reason: e.to_string(),
                    })?;
            let drift = plan.drift(&after);
            if !drift.is_empty() {
                report.drift = drift.clone();
                return Err(EntraError::SettingsChanged(drift).into());
            }
        }
        let action = match then {
            JobStep::Restart => {
                graph
                    .restart_lifting_quarantine(&link.app_id, &link.job_id)
                    .await?;
                PushAction::Restarted
            }
            JobStep::Start => {
                graph.start(&link.app_id, &link.job_id).await?;
                PushAction::Started
            }
            JobStep::Nothing => PushAction::Stored,
        };
        report.action = Some(action);
        report.status = Some(graph.job(&link.app_id, &link.job_id).await?.status);
        Ok(())
    }

    /// Notes in the org's record that a token was stored in this job (the desktop asks before
    /// the first push to a link). A failure to note it changes nothing that was pushed.
    async fn mark_pushed(&self, record: &TokenRecord, link: &EntraLink) {
        let vault = self.vault().clone();
        let (key, app, job) = (record.key(), link.app_id.clone(), link.job_id.clone());
        let when = self
            .now()
            .format(&time::format_description::well_known::Rfc3339)
            .ok();
        let noted = blocking(move || {
            vault.change_entra_links(&key, |links| {
                for l in links.iter_mut().filter(|l| l.app_id == app && l.job_id == job) {
                    l.pushed_at.clone_from(&when);
                }
            })
        })
        .await;
        if let Err(e) = noted {
            tracing::warn!("could not note the push in the org's record: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: u16) -> EntraError {
        EntraError::Graph(crate::entra::GraphFailure {
            status,
            code: "x".into(),
            message: "y".into(),
            request_id: None,
        })
    }

    #[test]
    fn a_put_is_stored_false_only_when_it_surely_did_not_land() {
        assert_eq!(stored_after(&failure(400)), Some(false));
        assert_eq!(stored_after(&failure(403)), Some(false));
        assert_eq!(
            stored_after(&EntraError::Throttled {
                retry_after: std::time::Duration::from_secs(9)
            }),
            Some(false)
        );
        assert_eq!(stored_after(&EntraError::Network("refused".into())), Some(false));
        assert_eq!(stored_after(&EntraError::Interrupted("reset".into())), None);
        assert_eq!(stored_after(&failure(503)), None);
    }

    #[test]
    fn the_settings_check_is_skipped_only_after_a_refusal() {
        assert!(refused_for_good(&failure(405)));
        assert!(refused_for_good(&failure(403)));
        assert!(!refused_for_good(&failure(503)));
        assert!(!refused_for_good(&EntraError::Throttled {
            retry_after: std::time::Duration::from_secs(9)
        }));
        assert!(!refused_for_good(&EntraError::Interrupted("reset".into())));
    }

    #[test]
    fn the_job_step_follows_its_status() {
        let status = |code: JobCode| JobStatus {
            code,
            count_successive_complete_failures: None,
            last_execution: None,
            last_successful_execution: None,
            quarantine: None,
            steady_state_last_achieved_time: None,
            synchronized_entry_count_by_type: None,
        };
        assert_eq!(
            JobStep::for_status(&status(JobCode::Quarantine)),
            JobStep::Restart
        );
        assert_eq!(JobStep::for_status(&status(JobCode::Paused)), JobStep::Start);
        assert_eq!(JobStep::for_status(&status(JobCode::NotRun)), JobStep::Start);
        assert_eq!(JobStep::for_status(&status(JobCode::Active)), JobStep::Nothing);
    }
}
