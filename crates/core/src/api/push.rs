//! Pushing an org's token into its linked provisioning jobs, so that nothing else in the job
//! changes whatever Graph's secrets PUT does (merge or replace: unconfirmed). Per job: check the
//! sign-in is to the link's tenant; read the job and its secrets (nothing is written when they
//! cannot be read, unless asked); plan the set to send (every key back, only `BaseAddress` and
//! `SecretToken` replaced); Test Connection with the new pair; PUT; read the secrets again and
//! compare; only then restart a quarantined job or start a paused one. A dry run stops after
//! Test Connection. The report says truly whether the token was stored: yes, no, or unknown.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::tokens::blocking;
use super::{Api, ApiError, ErrorKind};
use crate::entra::graph::{Graph, JobStatus};
use crate::entra::secrets::{BaseAddressChange, JobCredentials, SecretsPlan, SettingDrift};
use crate::entra::{BASE_ADDRESS_KEY, EntraError, EntraLink, JobCode, TenantId};
use crate::file_lock::{FileLock, FileLockError};
use crate::token::{AccessToken, TokenRecord};

/// How to push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushOptions {
    /// Read, plan and Test Connection only: no PUT, no restart, no start.
    pub dry_run: bool,
    /// When the job's secrets cannot be read, store only the Tenant URL and token anyway
    /// (which erases the job's other settings if Graph's PUT replaces the set).
    pub skip_settings_check: bool,
    /// Start a job an admin paused (the only way a push does: `push --start`, or the
    /// desktop's button that says so). Without it a paused job stays paused.
    pub start_paused: bool,
    /// How long to wait while another push (another process, another window) holds the job;
    /// `None`: [`DEFAULT_PUSH_LOCK_WAIT`].
    pub lock_wait: Option<std::time::Duration>,
}

/// How long a push waits for another push to the same job: longer than one push with its
/// throttling waits takes, short enough that a wedged one is reported rather than waited on.
pub const DEFAULT_PUSH_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(180);

/// What a push did to a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PushAction {
    /// Stored; the running job uses the token from its next cycle.
    Stored,
    /// Stored, and the quarantined job restarted (quarantine lifted).
    Restarted,
    /// Stored, and the never-run job (or, as asked, the paused one) started.
    Started,
    /// Stored; the job an admin paused stays paused, as it was.
    LeftPaused,
}

impl PushAction {
    /// What was done, in words (a shell adds the job's name; `LeftPaused`'s way to start the job
    /// is the shell's to name).
    pub fn description(self) -> &'static str {
        match self {
            Self::Stored => "the token is stored; the running job uses it from its next cycle",
            Self::Restarted => {
                "the token is stored, and the quarantined job was restarted (its quarantine lifted)"
            }
            Self::Started => "the token is stored, and the job was started",
            Self::LeftPaused => {
                "the token is stored; the job is paused and stays paused (it was not started)"
            }
        }
    }
}

/// What happens to the job once the token is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobStep {
    /// Quarantined: restarted, lifting the quarantine (no full resync).
    Restart,
    /// Never run (or, as asked, paused): started.
    Start,
    /// Paused by an admin: left paused. Only an explicit ask starts it.
    LeavePaused,
    /// Running: it uses the token from its next cycle.
    Nothing,
}

impl JobStep {
    /// The step for a job in `status`. A paused job is left paused unless `start_paused`, even
    /// when it also reports a quarantine: the admin's pause is the decision that stands.
    pub fn for_status(status: &JobStatus, start_paused: bool) -> Self {
        match status.code {
            JobCode::Paused if start_paused => Self::Start,
            JobCode::Paused => Self::LeavePaused,
            _ if status.quarantined() => Self::Restart,
            JobCode::NotRun | JobCode::NotConfigured => Self::Start,
            _ => Self::Nothing,
        }
    }

    /// What the job will be once the token is stored, in words ("the job will then be …").
    pub fn description(self) -> &'static str {
        match self {
            Self::Restart => "restarted (its quarantine lifted)",
            Self::Start => "started",
            Self::LeavePaused => {
                "left paused, as an admin set it (a push starts a paused job only when asked to)"
            }
            Self::Nothing => "left running (it uses the token from its next cycle)",
        }
    }
}

/// What a push sends to a job (key names only, never values).
#[derive(Debug, Clone, Serialize)]
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

impl PushPlan {
    fn of(plan: &SecretsPlan, then: JobStep) -> Self {
        Self {
            changes: plan.changes.clone(),
            keeps: plan.keeps.clone(),
            base_address: plan.base_address_change,
            then,
            settings_read: plan.read_settings(),
        }
    }
}

/// One linked job after a push (or a dry run), or why it failed.
#[derive(Debug, Clone, Serialize)]
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
    /// Settings someone changed in Entra between the push's first read and its write: their new
    /// values were sent, not the old ones (`before`: as first read; `after`: kept).
    pub edited_meanwhile: Vec<SettingDrift>,
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

impl PushReport {
    /// The report of a push to `link` before anything happened: nothing read, nothing stored.
    pub fn new(link: &EntraLink, dry_run: bool) -> Self {
        Self {
            link: link.clone(),
            dry_run,
            plan: None,
            validated: false,
            stored: Some(false),
            action: None,
            status: None,
            drift: Vec::new(),
            edited_meanwhile: Vec::new(),
            warnings: Vec::new(),
            error: None,
            error_kind: None,
        }
    }
}

/// Where one job's push lock lives: in the records folder, one file per job, named by its
/// service principal and job ID (only characters every file system takes).
fn job_lock_path(records: &Path, link: &EntraLink) -> PathBuf {
    let name: String = format!("{}-{}", link.app_id, link.job_id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = records.parent().unwrap_or_else(|| Path::new("."));
    dir.join("push-locks").join(format!("{name}.lock"))
}

/// Whether the job has credentials saved, so that a read of its secrets must show them.
fn saved_credentials(status: &JobStatus) -> JobCredentials {
    if status.code == JobCode::NotConfigured && status.last_execution.is_none() {
        JobCredentials::None
    } else {
        JobCredentials::Saved(status.code.description())
    }
}

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
            let mut report = PushReport::new(link, options.dry_run);
            let mut pin = None;
            let pushed = match self.lock_job(link, &options).await {
                Ok(_held) => {
                    self.push_one(record, link, &token, options, &mut report, &mut pin)
                        .await
                }
                Err(e) => Err(e),
            };
            if let Err(e) = pushed {
                report.error_kind = Some(e.kind());
                report.error = Some(e.to_string().replace(token.expose_secret(), "[REDACTED]"));
            }
            if report.stored == Some(true) {
                self.mark_pushed(record, link, pin).await;
            }
            reports.push(report);
        }
        Ok(reports)
    }

    /// Holds the job's push lock (across processes) for a push that writes; a dry run writes
    /// nothing and takes none.
    async fn lock_job(&self, link: &EntraLink, options: &PushOptions) -> Result<Option<FileLock>, ApiError> {
        if options.dry_run {
            return Ok(None);
        }
        let path = job_lock_path(self.vault().records_path(), link);
        let wait = options.lock_wait.unwrap_or(DEFAULT_PUSH_LOCK_WAIT);
        let job = link.job_id.to_string();
        blocking(move || FileLock::acquire(&path, wait))
            .await
            .map(Some)
            .map_err(|e| match e {
                FileLockError::Busy { holder, waited, .. } => ApiError::PushBusy { job, holder, waited },
                FileLockError::Io { action, path, source } => {
                    crate::vault::VaultError::Records { action, path, source }.into()
                }
            })
    }

    async fn push_one(
        &self,
        record: &TokenRecord,
        link: &EntraLink,
        token: &AccessToken,
        options: PushOptions,
        report: &mut PushReport,
        pin: &mut Option<TenantId>,
    ) -> Result<(), ApiError> {
        link.target
            .cloud
            .accepts_token_from(&record.broker)
            .map_err(|e| EntraError::Invalid(e.to_string()))?;
        *pin = self.check_link_tenant(link).await?;
        let access = self.graph_token(&link.target).await?;
        let http = self.http()?;
        let graph = Graph::new(&http, link.target.cloud.graph_base(), &access);
        let job = graph.job(&link.app_id, &link.job_id).await?;
        let saved = saved_credentials(&job.status);
        let tenant_url = record.tenant_url();
        let (mut plan, source) = match graph.secrets(&link.app_id).await {
            Ok((current, source)) => (
                SecretsPlan::new(&current, saved, &tenant_url, record.org_id).map_err(EntraError::from)?,
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
        report.plan = Some(PushPlan::of(
            &plan,
            JobStep::for_status(&job.status, options.start_paused),
        ));
        let pairs = plan.pairs(token);
        graph.validate(&link.app_id, &link.job_id, &pairs[..2]).await?;
        report.validated = true;
        if options.dry_run {
            return Ok(());
        }
        if let Some(source) = source {
            // Test Connection and throttling may have taken minutes: read again right before
            // the PUT, so an admin's change made meanwhile is sent back, never reverted.
            // A failure here (throttling, the network) is reported as what it is: nothing was
            // written, and pushing again is the way on.
            let latest = graph.secrets_from(&link.app_id, source).await?;
            let replanned =
                SecretsPlan::new(&latest, saved, &tenant_url, record.org_id).map_err(EntraError::from)?;
            let edits = replanned.edits_since(&plan);
            if edits.iter().any(|e| e.key.eq_ignore_ascii_case(BASE_ADDRESS_KEY)) {
                // Test Connection passed for the Tenant URL read before, not for this one.
                return Err(EntraError::EditedDuringPush(edits).into());
            }
            if !edits.is_empty() {
                tracing::info!(
                    "kept {} setting(s) changed in Entra while the push ran",
                    edits.len()
                );
            }
            report.edited_meanwhile = edits;
            plan = replanned;
        }
        let pairs = plan.pairs(token);
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
        // The job as it is now: an admin may have paused or started it while the push ran.
        let now = graph.job(&link.app_id, &link.job_id).await?;
        let then = JobStep::for_status(&now.status, options.start_paused);
        report.plan = Some(PushPlan::of(&plan, then));
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
            JobStep::LeavePaused => PushAction::LeftPaused,
            JobStep::Nothing => PushAction::Stored,
        };
        report.action = Some(action);
        report.status = Some(match action {
            PushAction::Stored | PushAction::LeftPaused => now.status,
            _ => graph.job(&link.app_id, &link.job_id).await?.status,
        });
        Ok(())
    }

    /// Notes in the org's record that a token was stored in this job (the desktop asks before
    /// the first push to a link). A failure to note it changes nothing that was pushed.
    /// A link made before links recorded their tenant is pinned here to the tenant of the
    /// sign-in that stored the token, so a sign-in to another tenant is refused from now on.
    async fn mark_pushed(&self, record: &TokenRecord, link: &EntraLink, tenant: Option<TenantId>) {
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
                    if l.tenant_id.is_none() {
                        l.tenant_id.clone_from(&tenant);
                    }
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
    fn a_jobs_lock_is_one_file_in_the_records_folder_per_job() {
        let link = |app: &str, job: &str| {
            let target = crate::entra::EntraTarget::new(crate::entra::Cloud::Global);
            EntraLink::new(target, app.into(), "Cisco Webex".into(), job.into(), None)
        };
        let records = Path::new("/home/a/.config/scim-token/tokens.json");
        assert_eq!(
            job_lock_path(records, &link("5e1f-a", "Webex.abc.def")),
            Path::new("/home/a/.config/scim-token/push-locks/5e1f-a-Webex.abc.def.lock")
        );
        assert_eq!(
            job_lock_path(records, &link("../x", "a/b\\c:d")),
            Path::new("/home/a/.config/scim-token/push-locks/.._x-a_b_c_d.lock"),
            "no separator reaches the path"
        );
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
        for start_paused in [false, true] {
            let step = |code| JobStep::for_status(&status(code), start_paused);
            assert_eq!(step(JobCode::Quarantine), JobStep::Restart);
            assert_eq!(step(JobCode::NotRun), JobStep::Start);
            assert_eq!(step(JobCode::NotConfigured), JobStep::Start);
            assert_eq!(step(JobCode::Active), JobStep::Nothing);
            assert_eq!(step(JobCode::Unknown), JobStep::Nothing);
        }
        assert_eq!(
            JobStep::for_status(&status(JobCode::Paused), false),
            JobStep::LeavePaused,
            "a paused job stays paused"
        );
        assert_eq!(
            JobStep::for_status(&status(JobCode::Paused), true),
            JobStep::Start,
            "started only when asked"
        );
        let mut paused_with_quarantine = status(JobCode::Paused);
        paused_with_quarantine.quarantine = Some(crate::entra::graph::Quarantine::default());
        assert_eq!(
            JobStep::for_status(&paused_with_quarantine, false),
            JobStep::LeavePaused,
            "the admin's pause stands over a reported quarantine"
        );
    }
}
