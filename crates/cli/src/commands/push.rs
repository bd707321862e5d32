//! `scim-token push [--dry-run] [--skip-settings-check] [--start]`: put the org's stored token
//! into every Entra provisioning job it is linked to, keeping the job's other settings (core's
//! `push`: read, Test Connection, read again, write every key back, read again and compare, then
//! restart or start; a paused job only with `--start`), and say per job what was stored: yes,
//! no, or unknown (core's words, `PushReport::text`).

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::api::{PushOptions, PushReport, Shell};

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

fn print_report(report: &PushReport) {
    let text = report.text(Shell::Cli);
    println!("{}", text.headline);
    for detail in &text.details {
        println!("  {detail}");
    }
}
