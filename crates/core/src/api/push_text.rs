//! A push's report in words, once for both shells: what happened (or would, in a dry run), and
//! the lines that follow it — the plan, the settings an admin edited meanwhile, what was lost,
//! and the next step, which names the shell's own commands or buttons ([`Shell`]). The CLI
//! prints the headline and its details a line each; the desktop shows them as one paragraph.

use super::next_step::Shell;
use super::{JobStep, PushAction, PushPlan, PushReport};
use crate::entra::BaseAddressChange;

/// A report in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushText {
    /// What happened, naming the job.
    pub headline: String,
    /// What follows it, a sentence each.
    pub details: Vec<String>,
}

impl PushText {
    /// The headline and its details as one paragraph.
    pub fn paragraph(&self) -> String {
        std::iter::once(self.headline.as_str())
            .chain(self.details.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// How to start a job a push left paused.
fn start_paused(shell: Shell) -> &'static str {
    match shell {
        Shell::Cli => {
            "To start it too, push with --start, or start it in the Entra admin center (Provisioning → Start provisioning)."
        }
        Shell::Desktop => {
            "Press Push and start to start it, or start it in the Entra admin center (Provisioning → Start provisioning)."
        }
    }
}

/// `text` with its first letter in capitals (core's descriptions continue a sentence).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl PushReport {
    /// This report in words, with `shell`'s next steps.
    pub fn text(&self, shell: Shell) -> PushText {
        let name = format!("{} (job {})", self.link.app_name, self.link.job_id);
        let mut details = self.warnings.iter().map(|w| format!("Warning: {w}")).collect();
        let headline = if self.dry_run {
            self.dry_run_text(&name, shell, &mut details)
        } else if let Some(error) = &self.error {
            self.failure_text(&name, error, shell, &mut details)
        } else {
            self.done_text(&name, shell, &mut details)
        };
        PushText { headline, details }
    }

    fn dry_run_text(&self, name: &str, shell: Shell, details: &mut Vec<String>) -> String {
        if let Some(plan) = &self.plan {
            plan_lines(plan, true, shell, details);
        }
        match &self.error {
            None => {
                format!("{name}: dry run: Test Connection passed with the new token; nothing was written.")
            }
            Some(error) => {
                details.push("Nothing was written.".to_owned());
                format!("{name}: dry run: a push would fail: {error}")
            }
        }
    }

    fn done_text(&self, name: &str, shell: Shell, details: &mut Vec<String>) -> String {
        let action = self.action.unwrap_or(PushAction::Stored);
        // After a start or restart Graph may still report the state before it: say only what
        // was done.
        let status = match (action, &self.status) {
            (PushAction::Stored, Some(status)) => format!(" The job is {}.", status.code.description()),
            _ => String::new(),
        };
        if action == PushAction::LeftPaused {
            details.push(start_paused(shell).to_owned());
        }
        for edit in &self.edited_meanwhile {
            details.push(format!(
                "{} was changed in Entra while the push ran; its new value was kept.",
                edit.key
            ));
        }
        if let Some(plan) = &self.plan {
            plan_lines(plan, false, shell, details);
        }
        format!("{name}: {}.{status}", capitalised(action.description()))
    }

    fn failure_text(&self, name: &str, error: &str, shell: Shell, details: &mut Vec<String>) -> String {
        match self.stored {
            Some(true) => {
                for drift in &self.drift {
                    details.push(format!(
                        "{} was {}, now {}: put it back.",
                        drift.key,
                        drift.before,
                        drift.after.as_deref().unwrap_or("(gone)")
                    ));
                }
                details.push(
                    match shell {
                        Shell::Cli => "Do not push again blindly: check the job in the Entra admin center (Provisioning), then `scim-token status`.",
                        Shell::Desktop => "Check the job in the Entra admin center (Provisioning) before pushing again.",
                    }
                    .to_owned(),
                );
                format!("{name}: the token WAS stored in the job, but: {error}")
            }
            Some(false) => {
                details.push("The job kept its old credentials; nothing in it was changed.".to_owned());
                if let Some(next) = self.error_kind.and_then(|kind| kind.next_step(shell)) {
                    details.push(format!("Next: {next}"));
                }
                format!("{name}: not pushed: {error}")
            }
            None => {
                details.push(
                    match shell {
                        Shell::Cli => "Run `scim-token push --dry-run` to see the job as it is now, then push again (storing the same token twice is harmless).",
                        Shell::Desktop => "Push again to be sure: storing the same token twice is harmless.",
                    }
                    .to_owned(),
                );
                format!("{name}: UNKNOWN whether the token was stored: {error}")
            }
        }
    }
}

/// What a push sends (key names only, never values) and what becomes of the job.
fn plan_lines(plan: &PushPlan, dry_run: bool, shell: Shell, details: &mut Vec<String>) {
    let (change, keep) = if dry_run {
        ("Would change", "Would send back unchanged")
    } else {
        ("Changed", "Kept as they were")
    };
    details.push(format!("{change} {}.", plan.changes.join(" and ")));
    if !plan.keeps.is_empty() {
        details.push(format!("{keep}: {}.", plan.keeps.join(", ")));
    }
    if plan.base_address == BaseAddressChange::Kept {
        details.push("The job's own Tenant URL (same org) is kept.".to_owned());
    }
    if dry_run {
        details.push(format!("The job would then be {}.", plan.then.description()));
        if plan.then == JobStep::LeavePaused {
            details.push(start_paused(shell).to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorKind;
    use crate::entra::secrets::SettingDrift;
    use crate::entra::{Cloud, EntraLink, EntraTarget};

    fn report() -> PushReport {
        let link = EntraLink::new(
            EntraTarget::new(Cloud::Global),
            "sp".into(),
            "Cisco Webex".into(),
            "job".into(),
            None,
        );
        PushReport {
            plan: Some(PushPlan {
                changes: vec!["BaseAddress".into(), "SecretToken".into()],
                keeps: vec!["SyncAll".into()],
                base_address: BaseAddressChange::Kept,
                then: JobStep::Restart,
                settings_read: true,
            }),
            validated: true,
            stored: Some(true),
            action: Some(PushAction::Restarted),
            ..PushReport::new(&link, false)
        }
    }

    #[test]
    fn a_push_that_worked_says_what_was_done_and_what_was_kept() {
        let text = report().text(Shell::Desktop);
        assert_eq!(
            text.paragraph(),
            "Cisco Webex (job job): The token is stored, and the quarantined job was restarted (its quarantine lifted). \
             Changed BaseAddress and SecretToken. Kept as they were: SyncAll. The job's own Tenant URL (same org) is kept."
        );
        assert_eq!(text.details.len(), 3);
    }

    #[test]
    fn each_outcome_of_the_put_has_its_own_words_and_next_step() {
        let mut lost = report();
        lost.error = Some("a setting changed".into());
        lost.drift = vec![SettingDrift {
            key: "SyncAll".into(),
            before: "false".into(),
            after: None,
        }];
        let cli = lost.text(Shell::Cli);
        assert_eq!(
            cli.headline,
            "Cisco Webex (job job): the token WAS stored in the job, but: a setting changed"
        );
        assert_eq!(cli.details[0], "SyncAll was false, now (gone): put it back.");
        assert!(cli.details[1].contains("`scim-token status`"), "{cli:?}");
        assert!(!lost.text(Shell::Desktop).paragraph().contains("scim-token "));

        lost.stored = None;
        assert!(
            lost.text(Shell::Cli)
                .headline
                .contains("UNKNOWN whether the token was stored")
        );
        assert!(lost.text(Shell::Cli).details[0].contains("push --dry-run"));
        assert!(lost.text(Shell::Desktop).details[0].starts_with("Push again to be sure"));

        lost.stored = Some(false);
        lost.error_kind = Some(ErrorKind::EntraWrongTenant);
        let refused = lost.text(Shell::Cli);
        assert_eq!(
            refused.headline,
            "Cisco Webex (job job): not pushed: a setting changed"
        );
        assert_eq!(
            refused.details,
            [
                "The job kept its old credentials; nothing in it was changed.",
                "Next: run `scim-token entra login --tenant TENANT_ID` for the link's tenant, or link again."
            ]
        );
    }

    #[test]
    fn a_dry_run_names_keys_only_and_the_step_after() {
        let mut plan = report();
        plan.dry_run = true;
        plan.plan.as_mut().unwrap().then = JobStep::LeavePaused;
        let cli = plan.text(Shell::Cli);
        assert_eq!(
            cli.headline,
            "Cisco Webex (job job): dry run: Test Connection passed with the new token; nothing was written."
        );
        assert!(
            cli.details
                .contains(&"Would change BaseAddress and SecretToken.".to_owned())
        );
        assert!(
            cli.details
                .contains(&"Would send back unchanged: SyncAll.".to_owned())
        );
        assert!(
            cli.details
                .iter()
                .any(|d| d.starts_with("The job would then be left paused"))
        );
        assert!(cli.details.last().unwrap().contains("push with --start"));
        assert!(
            plan.text(Shell::Desktop)
                .paragraph()
                .contains("Press Push and start")
        );

        plan.error = Some("Test Connection failed".into());
        let failed = plan.text(Shell::Cli);
        assert_eq!(
            failed.headline,
            "Cisco Webex (job job): dry run: a push would fail: Test Connection failed"
        );
        assert_eq!(failed.details.last().unwrap(), "Nothing was written.");
    }

    #[test]
    fn a_setting_edited_meanwhile_is_named_without_its_value_and_warnings_come_first() {
        let mut edited = report();
        edited.warnings = vec!["the settings check was skipped".into()];
        edited.edited_meanwhile = vec![SettingDrift {
            key: "NotificationEmail".into(),
            before: "old@contoso.example".into(),
            after: Some("new@contoso.example".into()),
        }];
        let text = edited.text(Shell::Cli);
        assert_eq!(text.details[0], "Warning: the settings check was skipped");
        assert_eq!(
            text.details[1],
            "NotificationEmail was changed in Entra while the push ran; its new value was kept."
        );
        assert!(!text.paragraph().contains("new@contoso.example"));
    }
}
