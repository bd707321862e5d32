//! `scim-token forget`: remove an org's token and record.

use std::process::ExitCode;

use anyhow::Result;

pub(crate) fn run(org: Option<&str>) -> Result<ExitCode> {
    let vault = super::vault()?;
    let record = super::pick(&vault, org)?;
    vault.forget(record.org_id)?;
    println!(
        "Forgot the token for org {} ({}).",
        record.org_id,
        record.broker.label()
    );
    Ok(ExitCode::SUCCESS)
}
