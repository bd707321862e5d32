//! `scim-token check`: exit 1 when any token expires within the window, or a linked Entra job is
//! quarantined or its last cycle failed; for cron and timers. Never signs in interactively: an
//! expired Entra sign-in is reported as such.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::TokenSummary;
use scim_token_core::api::LinkHealth;

use crate::notification::show;
use crate::output::{days_phrase, timestamp};

pub(crate) async fn run(within_days: i64, notify: bool, json: bool) -> Result<ExitCode> {
    let api = super::api()?;
    let attention = api.attention(within_days).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&attention)?);
    } else {
        for s in &attention.all {
            let flag = if attention.is_due(s) { "RENEW" } else { "ok" };
            println!(
                "{flag:5} {} ({}) {} {} — {}",
                s.org_id,
                s.broker_label,
                s.state.label(),
                days_phrase(s.days_left),
                timestamp(s.expires_at)
            );
        }
        for health in &attention.jobs {
            let flag = if health.unhealthy() { "FIX" } else { "ok" };
            println!(
                "{flag:5} Entra {}{}",
                health.summary(),
                super::status::next_step(health)
            );
        }
    }
    let unhealthy: Vec<&LinkHealth> = attention.unhealthy_jobs().collect();
    if notify && !attention.due.is_empty() {
        raise_notification(&attention.due);
    }
    if notify && !unhealthy.is_empty() {
        raise_job_notification(&unhealthy);
    }
    Ok(if attention.needs_attention() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn raise_job_notification(jobs: &[&LinkHealth]) {
    let body = jobs.iter().map(|h| h.headline()).collect::<Vec<_>>().join("\n");
    show(
        "Entra provisioning needs attention",
        &format!(
            "{body}\nRun `scim-token push` after renewing the token, or `scim-token entra login` if the sign-in expired."
        ),
    );
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
