//! `scim-token token`: the token on stdout, nothing else (for piping).

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::OrgId;

pub(crate) async fn run(org: Option<OrgId>) -> Result<ExitCode> {
    let tokens = super::tokens()?;
    let record = tokens.pick(org)?;
    println!("{}", tokens.token(&record).await?.expose_secret());
    Ok(ExitCode::SUCCESS)
}
