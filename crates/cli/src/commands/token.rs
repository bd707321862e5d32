//! `scim-token token`: the token on stdout, nothing else (for piping).

use std::process::ExitCode;

use anyhow::Result;

pub(crate) async fn run(which: &super::Which) -> Result<ExitCode> {
    let tokens = super::tokens()?;
    let record = which.pick(&tokens)?;
    println!("{}", tokens.token(&record).await?.expose_secret());
    Ok(ExitCode::SUCCESS)
}
