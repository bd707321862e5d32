//! `scim-token forget`: remove an org's token and record.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::OrgId;

pub(crate) async fn run(org: Option<OrgId>) -> Result<ExitCode> {
    let tokens = super::tokens()?;
    let record = tokens.pick(org)?;
    tokens.forget(&record).await?;
    println!(
        "Forgot the token for org {} ({}).",
        record.org_id,
        record.broker.label()
    );
    Ok(ExitCode::SUCCESS)
}
