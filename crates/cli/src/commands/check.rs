//! `scim-token check`: exit 1 when any token expires within the window; for cron and timers.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::TokenSummary;

use crate::output::{days_phrase, timestamp};

pub(crate) fn run(within_days: i64, notify: bool, json: bool) -> Result<ExitCode> {
    let report = super::tokens()?.check(within_days)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for s in &report.all {
            let flag = if report
                .due
                .iter()
                .any(|d| d.org_id == s.org_id && d.broker_id == s.broker_id)
            {
                "RENEW"
            } else {
                "ok"
            };
            println!(
                "{flag:5} {} ({}) {} {} — {}",
                s.org_id,
                s.broker_label,
                s.state.label(),
                days_phrase(s.days_left),
                timestamp(s.expires_at)
            );
        }
    }
    if notify && !report.due.is_empty() {
        raise_notification(&report.due);
    }
    Ok(if report.due.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn raise_notification(due: &[TokenSummary]) {
    let body = due
        .iter()
        .map(|s| {
            format!(
                "{} ({}): {} {}",
                s.org_id,
                s.broker_label,
                s.state.label(),
                days_phrase(s.days_left)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let shown = notify_rust::Notification::new()
        .summary("Webex SCIM token needs renewal")
        .body(&format!(
            "{body}\nRun `scim-token login` to renew; Azure provisioning stops when it expires."
        ))
        .appname("scim-token")
        .show();
    if let Err(err) = shown {
        eprintln!("warning: could not show a desktop notification: {err}");
    }
}
