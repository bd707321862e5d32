//! `scim-token token`: the token on stdout, nothing else (for piping).

use std::process::ExitCode;

use anyhow::Result;

pub(crate) async fn run(which: &super::Which) -> Result<ExitCode> {
    let api = super::api()?;
    let record = which.pick(&api)?;
    println!("{}", api.token(&record).await?.expose_secret());
    Ok(ExitCode::SUCCESS)
}
