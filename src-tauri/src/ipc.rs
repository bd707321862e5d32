//! What crosses IPC to the front end, and only that: views made from core's types, serialized
//! one way. Core's own types (Graph's wire structs, records) stay at core's edge, as
//! rust-analyzer keeps LSP types at its; the words the window shows are made here, in Rust,
//! so the front end only places them.

use scim_token_core::api::{AfterRenewal, JobStep, JobVerdict, LinkHealth, PushAction, PushReport, Shell};
use scim_token_core::entra::{AppId, EntraLink, JobId};
use scim_token_core::{BrokerId, ExpiryState, OrgId, TokenSummary};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A stored token, as its card shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct TokenView {
    pub(crate) org_id: String,
    /// The broker, as commands take it back.
    pub(crate) broker_id: BrokerId,
    pub(crate) broker_label: &'static str,
    /// Who signed in, when known.
    pub(crate) account: Option<String>,
    pub(crate) tenant_url: String,
    /// When it expires (RFC 3339): the earlier of the broker's word and the documented limit.
    pub(crate) expires_at: String,
    pub(crate) broker_expires_at: Option<String>,
    pub(crate) documented_expires_at: String,
    /// Seconds left when the list was read (negative once expired): the countdown counts on
    /// from here.
    pub(crate) seconds_left: i32,
    pub(crate) state: ExpiryState,
    /// The state in words, for its badge.
    pub(crate) state_label: &'static str,
    pub(crate) fingerprint: String,
    /// The provisioning jobs it feeds.
    pub(crate) links: Vec<LinkView>,
}

/// A provisioning job a token feeds.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct LinkView {
    pub(crate) app_id: AppId,
    pub(crate) app_name: String,
    pub(crate) job_id: JobId,
    /// Whether a push has stored a token in it (a first push shows its plan and asks).
    pub(crate) pushed: bool,
}

impl From<&EntraLink> for LinkView {
    fn from(l: &EntraLink) -> Self {
        Self {
            app_id: l.app_id.clone(),
            app_name: l.app_name.clone(),
            job_id: l.job_id.clone(),
            pushed: l.pushed_at.is_some(),
        }
    }
}

impl From<&TokenSummary> for TokenView {
    fn from(s: &TokenSummary) -> Self {
        Self {
            org_id: s.org_id.clone(),
            broker_id: s.broker_id.clone(),
            broker_label: s.broker_label,
            account: s.account.clone(),
            tenant_url: s.tenant_url.to_string(),
            expires_at: rfc3339(s.expires_at),
            broker_expires_at: s.broker_expires_at.map(rfc3339),
            documented_expires_at: rfc3339(s.documented_expires_at),
            seconds_left: i32::try_from(s.seconds_left).unwrap_or(if s.seconds_left < 0 {
                i32::MIN
            } else {
                i32::MAX
            }),
            state: s.state,
            state_label: s.state.label(),
            fingerprint: s.fingerprint.clone(),
            links: s.entra_links.iter().map(LinkView::from).collect(),
        }
    }
}

/// A linked job's health, by core's verdict and in its words.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct JobHealthView {
    pub(crate) app_id: AppId,
    pub(crate) app_name: String,
    pub(crate) job_id: JobId,
    pub(crate) verdict: JobVerdict,
    /// A word or two, for its badge.
    pub(crate) label: String,
    /// State, quarantine, last cycle, users in sync; or why it is unknown.
    pub(crate) details: String,
}

impl From<&LinkHealth> for JobHealthView {
    fn from(h: &LinkHealth) -> Self {
        Self {
            app_id: h.link.app_id.clone(),
            app_name: h.link.app_name.clone(),
            job_id: h.link.job_id.clone(),
            verdict: h.verdict,
            label: h.label.clone(),
            details: h.details.clone(),
        }
    }
}

/// A job a token can be linked to.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct JobChoice {
    pub(crate) app_id: AppId,
    pub(crate) job_id: JobId,
    /// "Cisco Webex — job … (not configured)".
    pub(crate) label: String,
}

/// One job after a push or a dry run, in words.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct PushView {
    pub(crate) app_id: AppId,
    pub(crate) job_id: JobId,
    /// Whether it failed (a dry run: whether a push would).
    pub(crate) failed: bool,
    /// Whether the token is in the job (`null`: unknown).
    pub(crate) stored: Option<bool>,
    /// What happened, or would, and what to do next.
    pub(crate) text: String,
    /// The token was stored (or would be) in a job an admin paused, which was left paused: the
    /// card offers the one button that starts it.
    pub(crate) left_paused: bool,
}

impl From<&PushReport> for PushView {
    fn from(r: &PushReport) -> Self {
        Self {
            app_id: r.link.app_id.clone(),
            job_id: r.link.job_id.clone(),
            failed: r.error.is_some(),
            stored: r.stored,
            text: r.text(Shell::Desktop).paragraph(),
            left_paused: if r.dry_run {
                r.error.is_none() && r.plan.as_ref().is_some_and(|p| p.then == JobStep::LeavePaused)
            } else {
                r.action == Some(PushAction::LeftPaused)
            },
        }
    }
}

/// What the push after a renewal did.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub(crate) enum AfterRenewalView {
    /// Pushed; one line per job.
    Pushed { reports: Vec<PushView> },
    /// A linked job was never pushed to: push with its plan first.
    PlanFirst,
    /// Not pushed, and why.
    NotPushed { reason: String },
}

impl From<&AfterRenewal> for AfterRenewalView {
    fn from(after: &AfterRenewal) -> Self {
        match after {
            AfterRenewal::Pushed { reports } => Self::Pushed {
                reports: reports.iter().map(PushView::from).collect(),
            },
            AfterRenewal::PlanFirst => Self::PlanFirst,
            AfterRenewal::NotPushed { reason } => Self::NotPushed {
                reason: reason.clone(),
            },
        }
    }
}

/// A choice in a select, with what it stands for.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct Choice<T> {
    /// The option's value.
    pub(crate) key: &'static str,
    pub(crate) label: String,
    pub(crate) value: T,
}

/// The token a "Renew and push" renews: its push happens only if the sign-in gives this one.
#[derive(Debug, Clone, serde::Deserialize, Serialize, specta::Type)]
pub(crate) struct RenewFor {
    /// The org whose token is renewed.
    pub(crate) org: OrgId,
    /// The broker it came from (the same org may have a sandbox token too).
    pub(crate) broker: BrokerId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use scim_token_core::api::PushPlan;
    use scim_token_core::entra::secrets::BaseAddressChange;
    use scim_token_core::entra::{Cloud, EntraLink, EntraTarget};

    /// A push that stored the token and restarted the job, with its plan.
    fn report() -> PushReport {
        let target = EntraTarget::new(Cloud::Global);
        let mut report = PushReport::new(
            &EntraLink::new(target, "sp".into(), "Webex".into(), "job".into(), None),
            false,
        );
        let then = JobStep::Restart;
        let (changes, keeps) = (vec!["SecretToken".into()], vec![]);
        report.plan = Some(PushPlan {
            changes,
            keeps,
            base_address: BaseAddressChange::Set,
            then,
            settings_read: true,
        });
        (report.validated, report.stored, report.action) = (true, Some(true), Some(PushAction::Restarted));
        report
    }

    #[test]
    fn a_push_view_carries_core_s_words_and_whether_to_offer_push_and_start() {
        let ok = PushView::from(&report());
        assert!(!ok.failed);
        assert_eq!(ok.text, report().text(Shell::Desktop).paragraph());
        assert!(!ok.left_paused);
        let mut plan = report();
        plan.dry_run = true;
        assert!(!PushView::from(&plan).left_paused);
        plan.plan.as_mut().unwrap().then = JobStep::LeavePaused;
        assert!(
            PushView::from(&plan).left_paused,
            "a dry run that would leave it paused"
        );
        plan.error = Some("Test Connection failed".into());
        assert!(PushView::from(&plan).failed && !PushView::from(&plan).left_paused);
        let mut paused = report();
        paused.action = Some(PushAction::LeftPaused);
        let view = PushView::from(&paused);
        assert!(view.left_paused && !view.failed);
        assert!(view.text.contains("Press Push and start"), "{}", view.text);
    }
}
