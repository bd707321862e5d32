//! `scim-token status`: every stored org, and the health of the Entra jobs each token feeds.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::api::LinkHealth;
use serde_json::Value;

use crate::output::{days_phrase, timestamp};

pub(crate) async fn run(json: bool) -> Result<ExitCode> {
    let tokens = super::tokens()?;
    let records = tokens.records()?;
    let now = tokens.now();
    let summaries: Vec<_> = records
        .iter()
        .map(|r| scim_token_core::TokenSummary::of(r, now))
        .collect();
    let mut health = Vec::new();
    for record in &records {
        health.push(tokens.entra_health(record).await);
    }
    if json {
        let mut out = Vec::new();
        for (summary, health) in summaries.iter().zip(&health) {
            let mut value = serde_json::to_value(summary)?;
            if let Value::Object(map) = &mut value {
                map.insert("entra".into(), serde_json::to_value(health)?);
            }
            out.push(value);
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    if summaries.is_empty() {
        println!("No tokens stored. Run `scim-token login` to get one.");
        return Ok(ExitCode::SUCCESS);
    }
    for session in tokens.entra_sessions().await.unwrap_or_default() {
        println!(
            "Entra sign-in: {} (tenant {}, {} cloud)",
            session.account().unwrap_or_else(|| "account not named".into()),
            session.tenant_id().unwrap_or("unknown: sign in again"),
            session.target.cloud
        );
    }
    for (s, health) in summaries.iter().zip(&health) {
        println!(
            "{} — {} — {} (expires {}, {})",
            s.org_id,
            s.broker_label,
            s.state.label(),
            timestamp(s.expires_at),
            days_phrase(s.days_left)
        );
        println!("  Tenant URL:  {}", s.tenant_url);
        if let Some(account) = &s.account {
            println!("  Account:     {account}");
        }
        println!("  Fingerprint: {}", s.fingerprint);
        for h in health {
            println!("  Entra job:   {}", describe(h));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line about a linked job: its status, last cycle and quarantine, or why it is unknown.
pub(crate) fn describe(health: &LinkHealth) -> String {
    let link = &health.link;
    let name = format!("{} (job {})", link.app_name, link.job_id);
    let Some(status) = &health.status else {
        let why = health.error.as_deref().unwrap_or("unknown");
        let next = if health.needs_sign_in {
            " — run `scim-token entra login` to sign in to Entra again"
        } else {
            ""
        };
        return format!("{name}: status unknown: {why}{next}");
    };
    let mut line = format!("{name}: {}", status.code);
    if let Some(q) = &status.quarantine {
        let reason = q.reason.as_deref().unwrap_or("unknown reason");
        let error = q
            .error
            .as_ref()
            .and_then(|e| e.message.as_deref())
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        line.push_str(&format!(", quarantined: {reason}{error}"));
        if let Some(next) = &q.next_attempt {
            line.push_str(&format!(", next attempt {next}"));
        }
    }
    if let Some(last) = &status.last_execution {
        let state = last.state.as_deref().unwrap_or("?");
        let ended = last.time_ended.as_deref().unwrap_or("?");
        line.push_str(&format!(", last cycle {state} at {ended}"));
    }
    if let Some(users) = status.users_in_sync() {
        line.push_str(&format!(", {users} users in sync"));
    }
    line
}
