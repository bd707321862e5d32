//! A provisioning job's schedule and status, and how each event changes them: the rules of the
//! local Entra's job, as plain functions of the time so they are tested without waiting.
//!
//! The status serialises as Graph's `synchronizationStatus` (camelCase), so what is persisted is
//! what the API shows.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// After this long in quarantine the job is disabled (Entra: about four weeks).
pub(crate) const DISABLE_AFTER: Duration = Duration::days(28);
/// The slowest a quarantined job retries (Entra: once a day).
const SLOWEST_RETRY: Duration = Duration::days(1);
/// Complete failures in a row (other than credential failures) before quarantine.
const FAILURES_BEFORE_QUARANTINE: u32 = 3;

/// `synchronizationStatus.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum StatusCode {
    NotConfigured,
    NotRun,
    Active,
    Paused,
    Quarantine,
}

/// `synchronizationSchedule.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ScheduleState {
    Active,
    Disabled,
    Paused,
}

/// `synchronizationTaskExecution.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ExecutionState {
    Succeeded,
    Failed,
    EntryLevelErrors,
}

/// `synchronizationError`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JobError {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) tenant_actionable: bool,
}

/// `synchronizationTaskExecution`: one cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Execution {
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) time_began: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) time_ended: OffsetDateTime,
    pub(crate) state: ExecutionState,
    pub(crate) count_entitled: u64,
    pub(crate) count_exported: u64,
    /// Export operations attempted (Graph's `countExports`: the exported and the refused).
    #[serde(default)]
    pub(crate) count_exports: u64,
    pub(crate) error: Option<JobError>,
}

/// `synchronizationQuarantine.reason` (the values this job uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum QuarantineReason {
    EncounteredQuarantineException,
    QuarantinedOnDemand,
}

/// `synchronizationQuarantine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Quarantine {
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) current_began: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) next_attempt: OffsetDateTime,
    pub(crate) reason: QuarantineReason,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) series_began: OffsetDateTime,
    pub(crate) series_count: u32,
    pub(crate) error: JobError,
}

/// `{"key": …, "value": …}` of `synchronizedEntryCountByType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EntryCount {
    pub(crate) key: String,
    pub(crate) value: u64,
}

/// `synchronizationStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Status {
    pub(crate) code: StatusCode,
    pub(crate) count_successive_complete_failures: u32,
    pub(crate) escrows_pruned: bool,
    pub(crate) last_execution: Option<Execution>,
    pub(crate) last_successful_execution: Option<Execution>,
    pub(crate) quarantine: Option<Quarantine>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(crate) steady_state_first_achieved_time: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(crate) steady_state_last_achieved_time: Option<OffsetDateTime>,
    pub(crate) synchronized_entry_count_by_type: Vec<EntryCount>,
    pub(crate) troubleshooting_url: Option<String>,
}

/// `synchronizationSchedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Schedule {
    #[serde(with = "time::serde::rfc3339::option")]
    pub(crate) expiration: Option<OffsetDateTime>,
    /// ISO 8601 duration, e.g. `PT40M`.
    pub(crate) interval: String,
    pub(crate) state: ScheduleState,
}

/// A `synchronizationJob` and when it runs next (not part of Graph's shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) template_id: String,
    pub(crate) schedule: Schedule,
    pub(crate) status: Status,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub(crate) next_run: Option<OffsetDateTime>,
    /// Bumped by every action (start, pause, restart, new credentials), so a cycle that ran
    /// across one knows its outcome is stale.
    #[serde(default)]
    pub(crate) revision: u64,
}

/// How a cycle ended, as the job's rules need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every entry processed; `failed` entries had errors of their own.
    Completed {
        users: u64,
        groups: u64,
        exported: u64,
        failed: u64,
    },
    /// The SCIM endpoint refused the credentials (401/403), or the Tenant URL is not allowed:
    /// quarantine at once, as Entra does.
    CredentialsRefused(JobError),
    /// The cycle could not complete for another reason (unreachable, protocol error).
    Failed(JobError),
}

/// `PT40M` for 2400 seconds: the ISO 8601 form Graph uses for intervals.
pub(crate) fn iso_interval(every: std::time::Duration) -> String {
    let seconds = every.as_secs().max(1);
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, s) => format!("PT{s}S"),
        (0, m, 0) => format!("PT{m}M"),
        (h, 0, 0) => format!("PT{h}H"),
        (h, m, s) => format!("PT{h}H{m}M{s}S"),
    }
}

fn to_duration(every: std::time::Duration) -> Duration {
    Duration::try_from(every).unwrap_or(Duration::days(1))
}

impl Job {
    /// A job that has no credentials yet.
    pub(crate) fn new(id: String, template_id: String, every: std::time::Duration) -> Self {
        Self {
            id,
            template_id,
            schedule: Schedule {
                expiration: None,
                interval: iso_interval(every),
                state: ScheduleState::Active,
            },
            status: Status {
                code: StatusCode::NotConfigured,
                count_successive_complete_failures: 0,
                escrows_pruned: false,
                last_execution: None,
                last_successful_execution: None,
                quarantine: None,
                steady_state_first_achieved_time: None,
                steady_state_last_achieved_time: None,
                synchronized_entry_count_by_type: Vec::new(),
                troubleshooting_url: None,
            },
            next_run: None,
            revision: 0,
        }
    }

    /// What the status code should be, from the schedule, quarantine and history.
    fn settle_code(&mut self, configured: bool) {
        self.status.code = if !configured {
            StatusCode::NotConfigured
        } else if self.schedule.state == ScheduleState::Paused {
            StatusCode::Paused
        } else if self.status.quarantine.is_some() {
            StatusCode::Quarantine
        } else if self.status.last_execution.is_none() {
            StatusCode::NotRun
        } else {
            StatusCode::Active
        };
    }

    /// Credentials were stored or removed.
    pub(crate) fn credentials_changed(&mut self, configured: bool) {
        self.revision += 1;
        if !configured {
            self.next_run = None;
        }
        self.settle_code(configured);
    }

    /// `start`: runs now and then on schedule. Refused without credentials.
    pub(crate) fn start(&mut self, configured: bool, now: OffsetDateTime) -> Result<(), &'static str> {
        self.revision += 1;
        if !configured {
            return Err(
                "The job cannot start: its credentials (BaseAddress and SecretToken) are not saved. Save them with PUT …/synchronization/secrets first.",
            );
        }
        self.schedule.state = ScheduleState::Active;
        self.next_run = Some(match &self.status.quarantine {
            Some(q) => q.next_attempt.max(now),
            None => now,
        });
        self.settle_code(true);
        Ok(())
    }

    /// `pause`: no cycles until started again.
    pub(crate) fn pause(&mut self, configured: bool) {
        self.revision += 1;
        self.schedule.state = ScheduleState::Paused;
        self.next_run = None;
        self.settle_code(configured);
    }

    /// `restart`: resets what `scope` names (none = everything, as the admin center's "Restart
    /// provisioning" does) and runs now. Returns whether the export watermark was reset, so the
    /// caller forgets what it exported and matches every entry again.
    pub(crate) fn restart(
        &mut self,
        scope: &ResetScope,
        configured: bool,
        now: OffsetDateTime,
    ) -> Result<bool, &'static str> {
        if !configured {
            return Err(
                "The job cannot restart: its credentials (BaseAddress and SecretToken) are not saved.",
            );
        }
        self.revision += 1;
        if scope.quarantine {
            self.status.quarantine = None;
            self.status.count_successive_complete_failures = 0;
        }
        if scope.escrows {
            self.status.escrows_pruned = true;
        }
        self.schedule.state = ScheduleState::Active;
        self.next_run = Some(now);
        self.settle_code(true);
        Ok(scope.watermark)
    }

    /// When the next cycle runs, if one is scheduled.
    pub(crate) fn scheduled(&self) -> Option<OffsetDateTime> {
        let runs =
            self.schedule.state == ScheduleState::Active && self.status.code != StatusCode::NotConfigured;
        self.next_run.filter(|_| runs)
    }

    /// Whether a cycle is due at `now`.
    pub(crate) fn due(&self, now: OffsetDateTime) -> bool {
        self.scheduled().is_some_and(|at| at <= now)
    }

    /// Records a cycle that ran from `began` to `ended`, and schedules the next one.
    pub(crate) fn finish_cycle(
        &mut self,
        outcome: Outcome,
        began: OffsetDateTime,
        ended: OffsetDateTime,
        every: std::time::Duration,
    ) {
        let every = to_duration(every);
        match outcome {
            Outcome::Completed {
                users,
                groups,
                exported,
                failed,
            } => {
                let execution = Execution {
                    time_began: began,
                    time_ended: ended,
                    state: if failed == 0 {
                        ExecutionState::Succeeded
                    } else {
                        ExecutionState::EntryLevelErrors
                    },
                    count_entitled: users + groups,
                    count_exported: exported,
                    count_exports: exported + failed,
                    error: None,
                };
                self.status.last_execution = Some(execution.clone());
                self.status.last_successful_execution = Some(execution);
                self.status.count_successive_complete_failures = 0;
                self.status.quarantine = None;
                self.status.steady_state_first_achieved_time.get_or_insert(ended);
                self.status.steady_state_last_achieved_time = Some(ended);
                self.status.synchronized_entry_count_by_type = vec![
                    EntryCount {
                        key: "User to urn:ietf:params:scim:schemas:core:2.0:User".into(),
                        value: users,
                    },
                    EntryCount {
                        key: "Group to urn:ietf:params:scim:schemas:core:2.0:Group".into(),
                        value: groups,
                    },
                ];
                self.next_run = Some(ended + every);
            }
            Outcome::CredentialsRefused(error) => self.failed(error, true, began, ended, every),
            Outcome::Failed(error) => self.failed(error, false, began, ended, every),
        }
        self.settle_code(true);
    }

    /// A cycle that did not complete: quarantine at once for refused credentials, otherwise
    /// after a few failures in a row.
    fn failed(
        &mut self,
        error: JobError,
        credentials: bool,
        began: OffsetDateTime,
        ended: OffsetDateTime,
        every: Duration,
    ) {
        self.status.count_successive_complete_failures += 1;
        self.status.last_execution = Some(Execution {
            time_began: began,
            time_ended: ended,
            state: ExecutionState::Failed,
            count_entitled: 0,
            count_exported: 0,
            count_exports: 0,
            error: Some(error.clone()),
        });
        let failures = self.status.count_successive_complete_failures;
        if credentials || failures >= FAILURES_BEFORE_QUARANTINE || self.status.quarantine.is_some() {
            self.quarantine(error, ended, every);
        } else {
            self.next_run = Some(ended + every);
        }
    }

    fn quarantine(&mut self, error: JobError, now: OffsetDateTime, every: Duration) {
        let (series_began, series_count) = match &self.status.quarantine {
            Some(q) => (q.series_began, q.series_count + 1),
            None => (now, 1),
        };
        let next_attempt = now + retry_after(series_count, every);
        self.status.quarantine = Some(Quarantine {
            current_began: now,
            next_attempt,
            reason: QuarantineReason::EncounteredQuarantineException,
            series_began,
            series_count,
            error,
        });
        if now - series_began >= DISABLE_AFTER {
            self.schedule.state = ScheduleState::Disabled;
            self.next_run = None;
        } else {
            self.next_run = Some(next_attempt);
        }
    }
}

/// How long a quarantined job waits before its `n`-th retry: the cycle, doubled each time, up
/// to once a day.
pub(crate) fn retry_after(n: u32, every: Duration) -> Duration {
    let factor = 1_i32 << n.min(16);
    (every * factor).min(SLOWEST_RETRY)
}

/// Error codes of credential failures. The sandbox's own names, modelled on the
/// `SystemForCrossDomainIdentityManagement…` codes Entra's provisioning logs show (the exact
/// codes Entra uses for each case are unconfirmed).
pub(crate) const CREDENTIAL_CODES: [&str; 2] = [
    "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
    "SystemForCrossDomainIdentityManagementTargetAddressNotAllowed",
];

/// What a `restart` resets: `criteria.resetScope`, a comma-separated list of flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResetScope {
    pub(crate) watermark: bool,
    pub(crate) escrows: bool,
    pub(crate) quarantine: bool,
}

impl ResetScope {
    /// Parses `criteria.resetScope`; absent or empty means everything but forced deletes.
    /// Unknown flags are refused with their name.
    pub(crate) fn parse(text: Option<&str>) -> Result<Self, String> {
        let text = text.unwrap_or("").trim();
        if text.is_empty() {
            return Ok(Self {
                watermark: true,
                escrows: true,
                quarantine: true,
            });
        }
        let mut scope = Self {
            watermark: false,
            escrows: false,
            quarantine: false,
        };
        for flag in text.split(',').map(str::trim) {
            match flag {
                "Watermark" => scope.watermark = true,
                "Escrows" => scope.escrows = true,
                "QuarantineState" => scope.quarantine = true,
                "Full" => {
                    scope = Self {
                        watermark: true,
                        escrows: true,
                        quarantine: true,
                    };
                }
                "ForceDeletes" => {}
                other => {
                    return Err(format!(
                        "Unknown resetScope flag '{other}'; expected Watermark, Escrows, QuarantineState, Full or ForceDeletes."
                    ));
                }
            }
        }
        Ok(scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2030-01-01 00:00 UTC);
    const EVERY: std::time::Duration = std::time::Duration::from_secs(2400);

    fn credentials_refused() -> Outcome {
        Outcome::CredentialsRefused(JobError {
            code: CREDENTIAL_CODES[0].into(),
            message: "401".into(),
            tenant_actionable: true,
        })
    }

    fn unreachable() -> Outcome {
        Outcome::Failed(JobError {
            code: "SystemForCrossDomainIdentityManagementServiceUnavailable".into(),
            message: "refused".into(),
            tenant_actionable: false,
        })
    }

    fn completed() -> Outcome {
        Outcome::Completed {
            users: 20,
            groups: 2,
            exported: 22,
            failed: 0,
        }
    }

    fn configured_job() -> Job {
        let mut job = Job::new("Webex.1.2".into(), "Webex".into(), EVERY);
        job.credentials_changed(true);
        job
    }

    #[test]
    fn a_new_job_is_not_configured_then_not_run() {
        let mut job = Job::new("j".into(), "t".into(), EVERY);
        assert_eq!(job.status.code, StatusCode::NotConfigured);
        assert!(job.start(false, T0).is_err());
        job.credentials_changed(true);
        assert_eq!(job.status.code, StatusCode::NotRun);
        assert!(!job.due(T0), "not started yet");
        job.start(true, T0).expect("configured");
        assert!(job.due(T0));
    }

    #[test]
    fn a_good_cycle_makes_it_active_and_schedules_the_next() {
        let mut job = configured_job();
        job.start(true, T0).expect("configured");
        let ended = T0 + Duration::seconds(3);
        job.finish_cycle(completed(), T0, ended, EVERY);
        assert_eq!(job.status.code, StatusCode::Active);
        assert_eq!(job.next_run, Some(ended + Duration::minutes(40)));
        assert_eq!(job.status.steady_state_last_achieved_time, Some(ended));
        assert_eq!(job.status.synchronized_entry_count_by_type[0].value, 20);
        assert_eq!(job.schedule.interval, "PT40M");
    }

    #[test]
    fn refused_credentials_quarantine_at_once_and_restart_lifts_it() {
        let mut job = configured_job();
        job.start(true, T0).expect("configured");
        job.finish_cycle(credentials_refused(), T0, T0, EVERY);
        assert_eq!(job.status.code, StatusCode::Quarantine);
        let q = job.status.quarantine.clone().expect("quarantined");
        assert_eq!(q.reason, QuarantineReason::EncounteredQuarantineException);
        assert_eq!(q.next_attempt, T0 + Duration::minutes(80));
        assert_eq!(job.next_run, Some(q.next_attempt));
        let watermark = job
            .restart(
                &ResetScope::parse(Some("QuarantineState")).expect("valid"),
                true,
                T0,
            )
            .expect("configured");
        assert!(!watermark);
        assert_eq!(job.status.quarantine, None);
        assert_eq!(job.next_run, Some(T0));
        assert_eq!(job.status.code, StatusCode::Active);
    }

    #[test]
    fn other_failures_quarantine_after_three_in_a_row() {
        let mut job = configured_job();
        job.start(true, T0).expect("configured");
        job.finish_cycle(unreachable(), T0, T0, EVERY);
        job.finish_cycle(unreachable(), T0, T0, EVERY);
        assert_eq!(job.status.code, StatusCode::Active);
        assert_eq!(
            job.status.last_execution.as_ref().map(|e| e.state),
            Some(ExecutionState::Failed)
        );
        job.finish_cycle(unreachable(), T0, T0, EVERY);
        assert_eq!(job.status.code, StatusCode::Quarantine);
        assert_eq!(job.status.count_successive_complete_failures, 3);
    }

    #[test]
    fn quarantine_retries_slow_down_to_once_a_day_then_the_job_is_disabled() {
        let mut job = configured_job();
        job.start(true, T0).expect("configured");
        let mut now = T0;
        let mut waits = Vec::new();
        while job.schedule.state == ScheduleState::Active {
            job.finish_cycle(credentials_refused(), now, now, EVERY);
            if let Some(next) = job.next_run {
                waits.push(next - now);
                now = next;
            }
            assert!(waits.len() < 100, "the job is never disabled");
        }
        assert_eq!(waits[0], Duration::minutes(80));
        assert_eq!(waits[1], Duration::minutes(160));
        assert_eq!(*waits.last().expect("retried"), Duration::days(1));
        assert_eq!(job.schedule.state, ScheduleState::Disabled);
        assert!(now - T0 >= DISABLE_AFTER);
        assert!(!job.due(now + Duration::days(30)));
    }

    #[test]
    fn pause_stops_cycles_and_start_resumes() {
        let mut job = configured_job();
        job.start(true, T0).expect("configured");
        job.pause(true);
        assert_eq!(job.status.code, StatusCode::Paused);
        assert!(!job.due(T0 + Duration::days(1)));
        job.start(true, T0).expect("configured");
        assert!(job.due(T0));
    }

    #[test]
    fn reset_scope_flags() {
        let all = ResetScope::parse(None).expect("empty is everything");
        assert!(all.watermark && all.escrows && all.quarantine);
        let some = ResetScope::parse(Some("Watermark, QuarantineState")).expect("valid");
        assert!(some.watermark && !some.escrows && some.quarantine);
        assert!(ResetScope::parse(Some("Everything")).is_err());
    }

    #[test]
    fn intervals_in_iso_8601() {
        let cases = [(2400, "PT40M"), (2, "PT2S"), (3600, "PT1H"), (3661, "PT1H1M1S")];
        for (seconds, text) in cases {
            assert_eq!(iso_interval(std::time::Duration::from_secs(seconds)), text);
        }
    }

    #[test]
    fn the_status_serialises_as_graph_shows_it() {
        let job = configured_job();
        let json = serde_json::to_value(&job.status).expect("serialisable");
        assert_eq!(json["code"], "NotRun");
        assert!(json.get("countSuccessiveCompleteFailures").is_some());
        assert!(json.get("steadyStateLastAchievedTime").is_some());
        assert!(json.get("synchronizedEntryCountByType").is_some());
    }
}
