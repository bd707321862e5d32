//! What needs the admin's attention: tokens near or past expiry, and linked provisioning jobs
//! that are quarantined, failing, or unreadable. One rule and one set of words for `check`,
//! `status`, the desktop's reminders and its tray; every "now" comes from the [`Api`] clock.

use serde::Serialize;

use super::{Api, ApiError};
use crate::entra::graph::JobStatus;
use crate::entra::{EntraIdentity, EntraLink, JobCode};
use crate::expiry::ExpiryState;
use crate::summary::TokenSummary;

/// What a linked job needs, by one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum JobVerdict {
    /// Running, its last cycle not failed: nothing to do.
    Healthy,
    /// Not running (paused, never started, not configured, or a state this version does not
    /// know), with no failure: not provisioning, but nothing is broken.
    Stopped,
    /// Entra quarantined it (a refused token does this): renew the token and push it.
    Quarantined,
    /// Its last cycle failed.
    LastCycleFailed,
    /// Its health cannot be read without a new Entra sign-in.
    SignInNeeded,
    /// Its health cannot be read for another reason.
    Unreadable,
}

impl JobVerdict {
    /// Whether the admin should act.
    pub fn needs_attention(self) -> bool {
        !matches!(self, Self::Healthy | Self::Stopped)
    }
}

/// A linked job's health, or why it could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct LinkHealth {
    /// The job.
    pub link: EntraLink,
    /// Its status.
    pub status: Option<JobStatus>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// Whether a new Entra sign-in is needed to read it.
    pub needs_sign_in: bool,
    /// Who the sign-in used for it is (account and tenant), when known.
    pub signed_in: Option<EntraIdentity>,
    /// What it needs.
    pub verdict: JobVerdict,
    /// Its state in a word or two, for a badge.
    pub label: String,
    /// Its state, quarantine, last cycle and users in sync, or why it is unknown.
    pub details: String,
}

impl LinkHealth {
    /// The health read from Graph.
    pub(super) fn read(link: EntraLink, status: JobStatus, signed_in: Option<EntraIdentity>) -> Self {
        let verdict = if status.quarantined() {
            JobVerdict::Quarantined
        } else if status.unhealthy() {
            JobVerdict::LastCycleFailed
        } else if status.code == JobCode::Active {
            JobVerdict::Healthy
        } else {
            JobVerdict::Stopped
        };
        let label = match verdict {
            JobVerdict::LastCycleFailed => "last cycle failed".to_owned(),
            _ => status.code.description().to_owned(),
        };
        Self {
            link,
            details: status_line(&status),
            status: Some(status),
            error: None,
            needs_sign_in: false,
            signed_in,
            verdict,
            label,
        }
    }

    /// The health that could not be read, and why.
    pub(super) fn unreadable(link: EntraLink, error: &ApiError, signed_in: Option<EntraIdentity>) -> Self {
        let needs_sign_in = error.needs_entra_sign_in();
        Self {
            link,
            status: None,
            error: Some(error.to_string()),
            needs_sign_in,
            signed_in,
            verdict: if needs_sign_in {
                JobVerdict::SignInNeeded
            } else {
                JobVerdict::Unreadable
            },
            label: "unknown".into(),
            details: format!("status unknown: {error}"),
        }
    }

    /// Whether this job needs attention: quarantined, its last cycle failed, or unreadable.
    pub fn unhealthy(&self) -> bool {
        self.verdict.needs_attention()
    }

    /// One line about it, its name first.
    pub fn summary(&self) -> String {
        format!(
            "{} (job {}): {}",
            self.link.app_name, self.link.job_id, self.details
        )
    }

    /// What a notification says about it, before a shell's own next step.
    pub fn headline(&self) -> String {
        let name = &self.link.app_name;
        match self.verdict {
            JobVerdict::Healthy | JobVerdict::Stopped => {
                format!("{name}: provisioning is {}", self.code_words())
            }
            JobVerdict::Quarantined => {
                let reason = self
                    .status
                    .as_ref()
                    .and_then(|s| s.quarantine.as_ref())
                    .and_then(|q| q.reason.as_deref())
                    .unwrap_or("unknown reason");
                format!("{name}: provisioning is in quarantine ({reason})")
            }
            JobVerdict::LastCycleFailed => format!("{name}: the last provisioning cycle failed"),
            JobVerdict::SignInNeeded => {
                format!("{name}: the job cannot be read until you sign in to Entra again")
            }
            JobVerdict::Unreadable => format!(
                "{name}: the job's health cannot be read: {}",
                self.error.as_deref().unwrap_or("unknown error")
            ),
        }
    }

    fn code_words(&self) -> &'static str {
        self.status.as_ref().map_or("unknown", |s| s.code.description())
    }
}

/// The status in one line: state, quarantine and its next attempt, last cycle, users in sync.
fn status_line(status: &JobStatus) -> String {
    let mut line = status.code.description().to_owned();
    if let Some(q) = &status.quarantine {
        let reason = q.reason.as_deref().unwrap_or("unknown reason");
        let error = q
            .error
            .as_ref()
            .and_then(|e| e.message.as_deref())
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        line.push_str(&format!(": {reason}{error}"));
        if let Some(next) = &q.next_attempt {
            line.push_str(&format!(", next attempt {}", readable_time(next)));
        }
    }
    if let Some(last) = &status.last_execution {
        let state = last.state.map_or("ended", |s| s.description());
        let ended = last
            .time_ended
            .as_deref()
            .map_or("an unknown time".into(), readable_time);
        line.push_str(&format!(", last cycle {state} at {ended}"));
    }
    if let Some(users) = status.users_in_sync() {
        line.push_str(&format!(", {users} users in sync"));
    }
    line
}

/// Graph's RFC 3339 time as `2026-12-01 10:00 UTC`; as Graph wrote it when it is not RFC 3339.
fn readable_time(rfc3339: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// Every token and every linked job, and which of them need the admin.
#[derive(Debug, Clone, Serialize)]
pub struct Attention {
    /// Tokens that expire within this many days count as due.
    pub within_days: i64,
    /// Tokens that expire within the window (or have expired), soonest first.
    pub due: Vec<TokenSummary>,
    /// Every token, soonest expiry first.
    pub all: Vec<TokenSummary>,
    /// Every linked job, by token (in the order of `all`); empty when jobs were not read.
    #[serde(rename = "entra")]
    pub jobs: Vec<LinkHealth>,
}

impl Attention {
    /// The jobs that need the admin.
    pub fn unhealthy_jobs(&self) -> impl Iterator<Item = &LinkHealth> {
        self.jobs.iter().filter(|h| h.unhealthy())
    }

    /// Whether anything needs the admin: a due token or an unhealthy job.
    pub fn needs_attention(&self) -> bool {
        !self.due.is_empty() || self.unhealthy_jobs().next().is_some()
    }

    /// Whether `summary` is among the due tokens.
    pub fn is_due(&self, summary: &TokenSummary) -> bool {
        self.due
            .iter()
            .any(|d| d.org_id == summary.org_id && d.broker_id == summary.broker_id)
    }

    /// The jobs `summary`'s token feeds.
    pub fn jobs_of<'a>(&'a self, summary: &'a TokenSummary) -> impl Iterator<Item = &'a LinkHealth> {
        self.jobs.iter().filter(|h| {
            summary
                .entra_links
                .iter()
                .any(|l| l.app_id == h.link.app_id && l.job_id == h.link.job_id && l.target == h.link.target)
        })
    }

    /// The line a tray shows: the soonest expiry, and how many jobs need attention.
    pub fn at_a_glance(&self) -> String {
        let soonest = match self.all.first() {
            Some(s) if s.state == ExpiryState::Expired => format!("{}: expired", s.org_id),
            Some(s) => format!("{}: {} days left", s.org_id, s.days_left),
            None => "No tokens stored".into(),
        };
        match self.unhealthy_jobs().count() {
            0 => soonest,
            1 => format!("{soonest} · 1 Entra job needs attention"),
            n => format!("{soonest} · {n} Entra jobs need attention"),
        }
    }
}

impl Api {
    /// Tokens due within `within_days` days by this instance's clock, without reading any job.
    pub fn expiry_attention(&self, within_days: i64) -> Result<Attention, ApiError> {
        let now = self.now();
        let all = self.summaries()?;
        let due = all
            .iter()
            .filter(|s| {
                s.state == ExpiryState::Expired || s.expires_at - now <= time::Duration::days(within_days)
            })
            .cloned()
            .collect();
        Ok(Attention {
            within_days,
            due,
            all,
            jobs: Vec::new(),
        })
    }

    /// Tokens due within `within_days` days, and the health of every linked job (read with the
    /// kept Entra sign-ins, never a new one).
    pub async fn attention(&self, within_days: i64) -> Result<Attention, ApiError> {
        let mut attention = self.expiry_attention(within_days)?;
        for record in self.records()? {
            attention.jobs.extend(self.entra_health(&record).await);
        }
        Ok(attention)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::graph::{Execution, Quarantine};
    use crate::entra::{Cloud, EntraTarget, ExecutionState};

    fn link() -> EntraLink {
        EntraLink::new(
            EntraTarget::new(Cloud::Global),
            "sp".into(),
            "Webex".into(),
            "job".into(),
            None,
        )
    }

    fn status(code: JobCode, last: Option<ExecutionState>) -> JobStatus {
        JobStatus {
            code,
            count_successive_complete_failures: None,
            last_execution: last.map(|state| Execution {
                state: Some(state),
                time_ended: Some("2026-12-01T10:00:00Z".into()),
                ..Execution::default()
            }),
            last_successful_execution: None,
            quarantine: None,
            steady_state_last_achieved_time: None,
            synchronized_entry_count_by_type: None,
        }
    }

    #[test]
    fn one_rule_decides_what_a_job_needs() {
        let running = LinkHealth::read(
            link(),
            status(JobCode::Active, Some(ExecutionState::Succeeded)),
            None,
        );
        assert_eq!(running.verdict, JobVerdict::Healthy);
        assert_eq!(
            running.summary(),
            "Webex (job job): running, last cycle succeeded at 2026-12-01 10:00 UTC"
        );
        let failing = LinkHealth::read(
            link(),
            status(JobCode::Active, Some(ExecutionState::Failed)),
            None,
        );
        assert_eq!(failing.verdict, JobVerdict::LastCycleFailed);
        assert_eq!(failing.label, "last cycle failed");
        let mut held = status(JobCode::Quarantine, None);
        held.quarantine = Some(Quarantine {
            reason: Some("EncounteredQuarantineException".into()),
            ..Quarantine::default()
        });
        let quarantined = LinkHealth::read(link(), held, None);
        assert_eq!(quarantined.verdict, JobVerdict::Quarantined);
        assert_eq!(
            quarantined.headline(),
            "Webex: provisioning is in quarantine (EncounteredQuarantineException)"
        );
        let partial = LinkHealth::read(
            link(),
            status(JobCode::Active, Some(ExecutionState::EntryLevelErrors)),
            None,
        );
        assert_eq!(
            partial.verdict,
            JobVerdict::Healthy,
            "entry-level errors are the users', not the token's"
        );
        let paused = LinkHealth::read(link(), status(JobCode::Paused, None), None);
        assert_eq!(paused.verdict, JobVerdict::Stopped);
        assert!(
            !paused.unhealthy(),
            "a paused job is not provisioning, but nothing is broken"
        );
        assert_eq!(paused.label, "paused");
    }

    #[test]
    fn an_expired_entra_sign_in_asks_for_a_new_one() {
        let expired = ApiError::Entra(crate::entra::EntraError::NoRefreshToken);
        let health = LinkHealth::unreadable(link(), &expired, None);
        assert_eq!(health.verdict, JobVerdict::SignInNeeded);
        assert!(health.unhealthy());
        let other = ApiError::InvalidArgument("broken".into());
        assert_eq!(
            LinkHealth::unreadable(link(), &other, None).verdict,
            JobVerdict::Unreadable
        );
    }
}
