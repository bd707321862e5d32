//! `scim-token sandbox`: the local Webex, on 127.0.0.1 only.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use scim_token_core::broker::SANDBOX_DEFAULT_PORT;
use scim_token_core::{Broker, BrokerId, OrgId};
use scim_token_sandbox::{DEFAULT_ORG, Sandbox, SandboxConfig};

/// Options of `scim-token sandbox`.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = SANDBOX_DEFAULT_PORT)]
    port: u16,
    /// The org ID to serve.
    #[arg(long, default_value = DEFAULT_ORG)]
    org: OrgId,
    /// Sign this account in without showing the form (tests and demos).
    #[arg(long, value_name = "EMAIL")]
    auto_approve: Option<String>,
    /// Answer every sign-in with access_denied, as if Deny were pressed (tests and demos).
    #[arg(long, conflicts_with = "auto_approve")]
    auto_deny: bool,
    /// Generate this many users (spread over five groups).
    #[arg(long, default_value_t = 0)]
    seed: usize,
    /// Keep users and groups in this SQLite file across restarts.
    #[arg(long, value_name = "FILE")]
    data: Option<std::path::PathBuf>,
    /// Lifetime of issued tokens, in seconds.
    #[arg(long, default_value_t = scim_token_sandbox::DEFAULT_TOKEN_LIFETIME.whole_seconds())]
    token_lifetime: i64,
}

pub(crate) async fn run(args: SandboxArgs) -> Result<ExitCode> {
    let config = SandboxConfig {
        org_id: args.org,
        auto_approve: args.auto_approve,
        auto_deny: args.auto_deny,
        token_lifetime: time::Duration::seconds(args.token_lifetime.max(1)),
        seed_users: args.seed,
        data: args.data,
    };
    let running = Sandbox::start(config, args.port).await?;
    let sandbox = running.sandbox().clone();
    if let Some(email) = &sandbox.config().auto_approve
        && !sandbox
            .accounts()
            .iter()
            .any(|a| a.email.eq_ignore_ascii_case(email))
    {
        running.stop().await?;
        anyhow::bail!("--auto-approve {email}: no such sandbox account");
    }
    let base = running.base().clone();
    let broker = Broker::resolve(&BrokerId::Sandbox { base: base.clone() });
    let broker_arg = if args.port == SANDBOX_DEFAULT_PORT {
        "sandbox".to_owned()
    } else {
        base.to_string()
    };
    println!("Webex sandbox running on {base} (Ctrl-C to stop)");
    println!(
        "  ID broker:   {}   sign in with: scim-token login --broker {broker_arg}",
        broker.authorize_url
    );
    println!("  Tenant URL:  {}", broker.tenant_url(sandbox.config().org_id));
    for account in sandbox.accounts() {
        let rights = if account.may_provision() {
            "full admin"
        } else {
            "no provisioning rights"
        };
        println!(
            "  Account:     {} / {} ({rights})",
            account.email, account.password
        );
    }
    if let Some(email) = &sandbox.config().auto_approve {
        println!("  Auto-approve: sign-ins complete as {email} without a form");
    }
    println!("  Request log: {base}_sandbox/log");
    running.serve_until(crate::interrupt::ctrl_c()?).await?;
    eprintln!("Sandbox stopped.");
    Ok(ExitCode::SUCCESS)
}
