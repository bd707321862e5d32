//! `scim-token check`: exit 1 when any token expires within the window, or a linked Entra job is
//! quarantined or its last cycle failed; for cron and timers. Never signs in interactively: an
//! expired Entra sign-in is reported as such.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::TokenSummary;
use scim_token_core::api::LinkHealth;

use crate::output::{days_phrase, timestamp};

pub(crate) async fn run(within_days: i64, notify: bool, json: bool) -> Result<ExitCode> {
    let tokens = super::tokens()?;
    let report = tokens.check(within_days)?;
    let mut jobs = Vec::new();
    for record in tokens.records()? {
        jobs.extend(tokens.entra_health(&record).await);
    }
    let unhealthy: Vec<&LinkHealth> = jobs.iter().filter(|h| h.unhealthy()).collect();
    if json {
        let mut value = serde_json::to_value(&report)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("entra".into(), serde_json::to_value(&jobs)?);
        }
        println!("{}", serde_json::to_string_pretty(&value)?);
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
    if !json {
        for health in &jobs {
            let flag = if health.unhealthy() { "FIX" } else { "ok" };
            println!("{flag:5} Entra {}", super::status::describe(health));
        }
    }
    if notify && !report.due.is_empty() {
        raise_notification(&report.due);
    }
    if notify && !unhealthy.is_empty() {
        raise_job_notification(&unhealthy);
    }
    Ok(if report.due.is_empty() && unhealthy.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn raise_job_notification(jobs: &[&LinkHealth]) {
    let body = jobs
        .iter()
        .map(|h| super::status::describe(h))
        .collect::<Vec<_>>()
        .join("\n");
    show(
        "Entra provisioning needs attention",
        &format!(
            "{body}\nRun `scim-token push` after renewing the token, or `scim-token entra login` if the sign-in expired."
        ),
    );
}

fn show(summary: &str, body: &str) {
    let shown = notify_rust::Notification::new()
        .summary(summary)
        .body(body)
        .appname("scim-token")
        .show();
    if let Err(err) = shown {
        eprintln!("warning: could not show a desktop notification: {err}");
    }
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
    show(
        "Webex SCIM token needs renewal",
        &format!("{body}\nRun `scim-token login` to renew; Azure provisioning stops when it expires."),
    );
}
