//! `scim-token forget`: remove an org's token and record.

use std::process::ExitCode;

use anyhow::Result;

pub(crate) async fn run(which: &super::Which) -> Result<ExitCode> {
    let api = super::api()?;
    let record = which.pick(&api)?;
    api.forget(&record).await?;
    println!(
        "Forgot the token for org {} ({}).",
        record.org_id,
        record.broker.label()
    );
    Ok(ExitCode::SUCCESS)
}
