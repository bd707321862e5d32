//! `scim-token status`: every stored org.

use std::process::ExitCode;

use anyhow::Result;

use crate::output::{days_phrase, timestamp};

pub(crate) fn run(json: bool) -> Result<ExitCode> {
    let summaries = super::tokens()?.summaries()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summaries)?);
        return Ok(ExitCode::SUCCESS);
    }
    if summaries.is_empty() {
        println!("No tokens stored. Run `scim-token login` to get one.");
        return Ok(ExitCode::SUCCESS);
    }
    for s in &summaries {
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
    }
    Ok(ExitCode::SUCCESS)
}
