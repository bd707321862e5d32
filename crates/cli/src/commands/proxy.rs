//! `scim-token proxy`: the proxy scim-token's own requests use, and the choice kept for the app,
//! the CLI and the scheduled check.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use scim_token_core::net::ProxyChoice;

/// What `proxy` does.
#[derive(Debug, Subcommand)]
pub(crate) enum ProxyCommand {
    /// Show the proxy in force and where it comes from.
    Show,
    /// Keep a choice: `system` (the environment, then the OS's settings), `direct`, or a
    /// proxy's address (http://host:port; a password is never saved: use HTTPS_PROXY).
    Set {
        /// system, direct, or http://host:port (parsed here, not by clap, whose refusal would
        /// print the value, password and all)
        choice: String,
    },
}

pub(crate) async fn run(command: Option<ProxyCommand>) -> Result<ExitCode> {
    let api = super::api()?;
    if let Some(ProxyCommand::Set { choice }) = command {
        let choice: ProxyChoice = choice.parse()?;
        api.use_proxy(&choice)?;
        println!("Kept: {choice}.");
        print_summary(&api);
    } else {
        print_summary(&api);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(api: &scim_token_core::Api) {
    print!("{}", api.proxy_summary());
    println!("  (loopback, where the sign-in's redirect and the sandbox are, never goes through a proxy)");
}
