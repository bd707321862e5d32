//! `scim-token push [--dry-run] [--skip-settings-check] [--start]`: put the org's stored token
//! into every Entra provisioning job it is linked to, keeping the job's other settings (core's
//! `push`: read, Test Connection, read again, write every key back, read again and compare, then
//! restart or start; a paused job only with `--start`), and say per job what was stored: yes,
//! no, or unknown.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::ErrorKind;
use scim_token_core::api::{JobStep, PushAction, PushOptions, PushPlan, PushReport};
use scim_token_core::entra::BaseAddressChange;

pub(crate) async fn run(which: &super::Which, options: PushOptions, json: bool) -> Result<ExitCode> {
    let api = super::api()?;
    let record = which.pick(&api)?;
    let reports = api.push(&record, options).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for report in &reports {
            print_report(report);
        }
    }
    let failed = reports.iter().any(|r| r.error.is_some());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_plan(plan: &PushPlan, dry_run: bool) {
    let (change, keep) = if dry_run {
        ("would change", "would keep")
    } else {
        ("changed", "kept")
    };
    println!("  {change}: {}", plan.changes.join(", "));
    if !plan.keeps.is_empty() {
        println!("  {keep} as they are: {}", plan.keeps.join(", "));
    }
    if plan.base_address == BaseAddressChange::Kept {
        println!("  The job's own Tenant URL (same org) is kept.");
    }
    if dry_run {
        println!("  The job would then be {}.", plan.then.description());
        if plan.then == JobStep::LeavePaused {
            println!("  {START_PAUSED}");
        }
    }
}

/// How to start a paused job, in this shell's words.
const START_PAUSED: &str = "To start it too, push with --start, or start it in the Entra admin center (Provisioning → Start provisioning).";

fn print_report(report: &PushReport) {
    let link = &report.link;
    let name = format!("{} (job {})", link.app_name, link.job_id);
    for warning in &report.warnings {
        println!("Warning: {warning}");
    }
    if report.dry_run {
        match (&report.plan, &report.error) {
            (Some(plan), None) => {
                println!("{name}: dry run: Test Connection passed with the new token; nothing was written.");
                print_plan(plan, true);
            }
            (plan, Some(error)) => {
                println!("{name}: dry run: a push would fail: {error}");
                if let Some(plan) = plan {
                    print_plan(plan, true);
                }
                println!("  Nothing was written.");
            }
            (None, None) => {}
        }
        return;
    }
    if let (Some(action), Some(status), None) = (&report.action, &report.status, &report.error) {
        // After a start or restart Graph may still report the state before it.
        if *action == PushAction::Stored {
            println!(
                "{name}: {}. The job is {}.",
                action.description(),
                status.code.description()
            );
        } else {
            println!("{name}: {}.", action.description());
        }
        if *action == PushAction::LeftPaused {
            println!("  {START_PAUSED}");
        }
        for edit in &report.edited_meanwhile {
            println!(
                "  {} was changed in Entra while the push ran; its new value was kept: {}",
                edit.key,
                edit.after.as_deref().unwrap_or("(removed)")
            );
        }
        if let Some(plan) = &report.plan {
            print_plan(plan, false);
        }
        return;
    }
    let error = report.error.as_deref().unwrap_or("unknown failure");
    match report.stored {
        Some(true) => {
            println!("{name}: the token WAS stored in the job, but: {error}");
            for drift in &report.drift {
                println!(
                    "  {} was: {}  now: {}",
                    drift.key,
                    drift.before,
                    drift.after.as_deref().unwrap_or("(gone)")
                );
            }
            println!(
                "  Do not push again blindly: check the job in the Entra admin center (Provisioning), then `scim-token status`."
            );
        }
        Some(false) => {
            println!("{name}: not pushed: {error}");
            println!("  The job kept its old credentials; nothing in it was changed.");
            if let Some(next) = next_step(report.error_kind) {
                println!("  Next: {next}");
            }
        }
        None => {
            println!("{name}: UNKNOWN whether the token was stored: {error}");
            println!(
                "  Run `scim-token push --dry-run` to see the job as it is now, then push again (storing the same token twice is harmless)."
            );
        }
    }
}

/// What to do after a push that stored nothing, by the kind of failure.
fn next_step(kind: Option<ErrorKind>) -> Option<&'static str> {
    match kind? {
        ErrorKind::EntraSettings => Some(
            "see above; `--skip-settings-check` stores only the Tenant URL and token when the settings cannot be read (it may erase them: check them in the admin center afterwards).",
        ),
        ErrorKind::EntraWrongTenant => {
            Some("run `scim-token entra login --tenant TENANT_ID` for the link's tenant, or link again.")
        }
        ErrorKind::EntraRefused => Some("check the token with `scim-token test`."),
        other => crate::advice::next_step(other),
    }
}
