//! `scim-token push`: put the org's stored token into every Entra provisioning job it is linked
//! to — Test Connection first, then store the Tenant URL and token, then restart a quarantined
//! job or start a paused one — and print each job's status.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::api::{PushAction, PushReport};

pub(crate) async fn run(which: &super::Which, json: bool) -> Result<ExitCode> {
    let tokens = super::tokens()?;
    let record = which.pick(&tokens)?;
    let reports = tokens.push(&record).await?;
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

fn print_report(report: &PushReport) {
    let link = &report.link;
    match (&report.action, &report.status, &report.error) {
        (Some(action), Some(status), _) => {
            let done = match action {
                PushAction::Stored => "token stored; the job uses it from its next cycle",
                PushAction::Restarted => "token stored; the quarantined job was restarted",
                PushAction::Started => "token stored; the job was started",
            };
            println!(
                "{} (job {}): {done}. Status: {}.",
                link.app_name, link.job_id, status.code
            );
        }
        (_, _, Some(error)) if report.stored => {
            println!(
                "{} (job {}): token stored, but the job could not be restarted or read: {error}",
                link.app_name, link.job_id
            );
        }
        (_, _, Some(error)) => {
            println!("{} (job {}): not pushed: {error}", link.app_name, link.job_id);
            println!("  The job kept its old credentials. Check the token with `scim-token test`.");
        }
        _ => {}
    }
}
