//! `scim-token token`: the token on stdout, nothing else (for piping).

use std::process::ExitCode;

use anyhow::Result;

pub(crate) fn run(org: Option<&str>) -> Result<ExitCode> {
    let vault = super::vault()?;
    let record = super::pick(&vault, org)?;
    let token = vault.token(record.org_id)?;
    println!("{}", token.expose_secret());
    Ok(ExitCode::SUCCESS)
}
