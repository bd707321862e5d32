//! `scim-token status`: every stored org, and the health of the Entra jobs each token feeds.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::api::{JobVerdict, LinkHealth};
use serde_json::Value;

use crate::output::{days_phrase, timestamp};

pub(crate) async fn run(json: bool) -> Result<ExitCode> {
    let api = super::api()?;
    let attention = api.attention(0).await?;
    if json {
        let mut out = Vec::new();
        for summary in &attention.all {
            let mut value = serde_json::to_value(summary)?;
            if let Value::Object(map) = &mut value {
                let jobs: Vec<&LinkHealth> = attention.jobs_of(summary).collect();
                map.insert("entra".into(), serde_json::to_value(jobs)?);
            }
            out.push(value);
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    if attention.all.is_empty() {
        println!("No tokens stored. Run `scim-token login` to get one.");
        return Ok(ExitCode::SUCCESS);
    }
    for session in api.entra_sessions().await.unwrap_or_default() {
        println!(
            "Entra sign-in: {} (tenant {}, {} cloud)",
            session.account().unwrap_or_else(|| "account not named".into()),
            session
                .tenant_id()
                .map_or("unknown: sign in again", |t| t.as_str()),
            session.target.cloud
        );
    }
    for s in &attention.all {
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
        for h in attention.jobs_of(s) {
            println!("  Entra job:   {}{}", h.summary(), next_step(h));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The CLI's own next step for a job that needs one.
pub(crate) fn next_step(health: &LinkHealth) -> &'static str {
    match health.verdict {
        JobVerdict::SignInNeeded => " — run `scim-token entra login` to sign in to Entra again",
        JobVerdict::Quarantined => " — renew the token and run `scim-token push`",
        _ => "",
    }
}
