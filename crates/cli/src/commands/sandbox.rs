//! `scim-token sandbox`: the local Webex, on 127.0.0.1 only.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use clap::builder::TypedValueParser;
use scim_token_core::broker::SANDBOX_DEFAULT_PORT;
use scim_token_core::sandbox_child::Announcement;
use scim_token_core::{Broker, BrokerId, OrgId};
use scim_token_sandbox::{DEFAULT_ORG, EntraConfig, Sandbox, SandboxConfig, entra};

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
    /// Port of the local Entra on 127.0.0.1 [default: --port + 1; any free port with --port 0].
    #[arg(long, value_name = "PORT")]
    entra_port: Option<u16>,
    /// The local Entra's tenant ID.
    #[arg(long, value_name = "UUID", default_value = entra::DEFAULT_TENANT)]
    entra_tenant: uuid::Uuid,
    /// A public client ID registered at the local Entra besides Microsoft Graph Command Line Tools.
    #[arg(long, value_name = "ID")]
    entra_client: Option<String>,
    /// Lifetime of the local Entra's access tokens, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = entra::DEFAULT_ACCESS_TOKEN_LIFETIME.whole_seconds())]
    entra_token_lifetime: i64,
    /// Seconds a device code of the local Entra stays good: its expires_in (Entra: 15 minutes).
    #[arg(long, value_name = "SECS", default_value_t = entra::DEFAULT_DEVICE_CODE_LIFETIME.whole_seconds(), value_parser = clap::value_parser!(i64).range(1..=entra::LONGEST_DEVICE_CODE_SETTING.whole_seconds()))]
    entra_device_code_lifetime: i64,
    /// Seconds a client must wait between polls of a device code: its interval; polling sooner
    /// is answered slow_down (Entra: 5).
    #[arg(long, value_name = "SECS", default_value_t = entra::DEFAULT_DEVICE_CODE_INTERVAL.whole_seconds(), value_parser = clap::value_parser!(i64).range(1..=entra::LONGEST_DEVICE_CODE_SETTING.whole_seconds()))]
    entra_device_code_interval: i64,
    /// Seconds between provisioning cycles of the local Entra's job (Entra: about 40 minutes).
    #[arg(long, value_name = "SECONDS", default_value_t = entra::DEFAULT_CYCLE.as_secs(), value_parser = clap::value_parser!(u64).range(1..=entra::LONGEST_CYCLE.as_secs()))]
    entra_cycle: u64,
    /// Directory users assigned to the Webex app at the local Entra (with two groups).
    #[arg(long, value_name = "N", default_value_t = entra::DEFAULT_DIRECTORY_USERS, value_parser = clap::value_parser!(u32).range(0..=10_000).map(|n| n as usize))]
    entra_users: usize,
    /// Answer every N-th Graph request with 429 and Retry-After (to test throttling).
    #[arg(long, value_name = "N")]
    entra_throttle_every: Option<std::num::NonZeroU32>,
    /// What the local Entra's secrets PUT does with keys it is not sent: keep them (merge) or
    /// drop them (replace, the default: the behaviour that can hurt; Graph's is unconfirmed).
    #[arg(long, value_name = "MODE", default_value = "replace")]
    entra_secrets_put: entra::SecretsPut,
    /// Where the local Entra lets a job's secrets be read: v1 (and beta), beta only (the
    /// default; reading on v1.0 is unconfirmed), or none.
    #[arg(long, value_name = "WHERE", default_value = "beta")]
    entra_secrets_get: entra::SecretsRead,
    /// A fault for tests: once a secrets PUT succeeded, answer every Graph request with 503.
    #[arg(long)]
    entra_fail_after_secrets_put: bool,
    /// A fault for tests: every secrets PUT drops this key, as a Graph that loses a setting would.
    #[arg(long, value_name = "KEY")]
    entra_secrets_put_loses: Option<String>,
    /// A fault for tests: every secrets read leaves this key out, as a view that hides one would.
    #[arg(long, value_name = "KEY")]
    entra_secrets_get_hides: Option<String>,
    /// Play an admin who edits a setting in the admin center while a push runs: at the first
    /// Test Connection with new credentials, KEY is set to VALUE.
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value)]
    entra_edit_during_push: Option<(String, String)>,
    /// Play a Conditional Access policy that lets only an approved browser (Chrome, Edge,
    /// Firefox) sign in to the local Entra: an embedded window is refused with AADSTS53003.
    #[arg(long)]
    entra_approved_browsers_only: bool,
    /// Play a Conditional Access policy on the device code flow: allow (none), block (a device
    /// code sign-in is refused, AADSTS53003) or tracked (it works, but its refresh token is
    /// refused later, AADSTS530036).
    #[arg(long, value_name = "POLICY", default_value = "allow")]
    entra_device_code_policy: entra::DeviceCodePolicy,
    /// Print one JSON line, `{"base": …, "entra_base": …}`, once both origins listen, and nothing
    /// else on stdout (for a program that starts the sandbox: the desktop app).
    #[arg(long)]
    json: bool,
    /// Stop when standard input closes: a parent that holds the other end of the pipe ends the
    /// sandbox by exiting, even when it crashes.
    #[arg(long)]
    until_stdin_closes: bool,
}

/// `KEY=VALUE`, split at the first `=`; the key must not be empty.
fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim().to_owned(), value.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got '{text}'")),
    }
}

pub(crate) async fn run(args: SandboxArgs) -> Result<ExitCode> {
    let config = SandboxConfig {
        org_id: args.org,
        auto_approve: args.auto_approve,
        auto_deny: args.auto_deny,
        token_lifetime: time::Duration::seconds(args.token_lifetime.max(1)),
        seed_users: args.seed,
        data: args.data,
        entra: EntraConfig {
            port: args.entra_port,
            tenant: args.entra_tenant,
            registered_client: args.entra_client,
            token_lifetime: time::Duration::seconds(args.entra_token_lifetime.max(1)),
            device_code_lifetime: time::Duration::seconds(args.entra_device_code_lifetime),
            device_code_interval: time::Duration::seconds(args.entra_device_code_interval),
            cycle: std::time::Duration::from_secs(args.entra_cycle),
            users: args.entra_users,
            throttle_every: args.entra_throttle_every,
            secrets_put: args.entra_secrets_put,
            secrets_read: args.entra_secrets_get,
            fail_after_secrets_put: args.entra_fail_after_secrets_put,
            secrets_put_loses: args.entra_secrets_put_loses,
            secrets_get_hides: args.entra_secrets_get_hides,
            edit_during_push: args.entra_edit_during_push,
            approved_browsers_only: args.entra_approved_browsers_only,
            device_code_policy: args.entra_device_code_policy,
        },
    };
    let running = Sandbox::start(config, args.port).await?;
    let sandbox = running.sandbox().clone();
    if let Some(email) = &sandbox.config().auto_approve
        && !sandbox
            .accounts()
            .iter()
            .any(|a| a.email.eq_ignore_ascii_case(email))
        && !sandbox
            .entra_accounts()
            .iter()
            .any(|a| a.email.eq_ignore_ascii_case(email))
    {
        running.stop().await?;
        anyhow::bail!("--auto-approve {email}: no such sandbox account");
    }
    let stop = stop_signal(args.until_stdin_closes)?;
    if args.json {
        let announcement = Announcement {
            base: running.base().clone(),
            entra_base: running.entra_base().clone(),
        };
        println!("{}", serde_json::to_string(&announcement)?);
    } else {
        print_banner(&running, args.port);
    }
    running.serve_until(stop).await?;
    if !args.json {
        eprintln!("Sandbox stopped.");
    }
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or with `until_stdin_closes` also the end of standard input.
fn stop_signal(until_stdin_closes: bool) -> Result<impl std::future::Future<Output = ()>> {
    let ctrl_c = crate::interrupt::ctrl_c()?;
    let stdin_closed = until_stdin_closes.then(stdin_closed);
    Ok(async move {
        match stdin_closed {
            Some(closed) => {
                tokio::select! {
                    () = ctrl_c => {}
                    _ = closed => {}
                }
                exit_if_still_stopping_after(Duration::from_secs(5));
            }
            None => ctrl_c.await,
        }
    })
}

/// A child whose parent has gone must not linger: a client that keeps a connection open (a
/// browser's) would hold a graceful stop for ever, so the process ends after `grace` regardless.
fn exit_if_still_stopping_after(grace: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(grace);
        std::process::exit(0);
    });
}

/// Completes when standard input ends (or cannot be read). A plain thread reads it: a read from
/// stdin cannot be cancelled, and a tokio blocking task would hold up the runtime's shutdown.
fn stdin_closed() -> tokio::sync::oneshot::Receiver<()> {
    let (closed, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    receiver
}

/// What runs where, for a person at a terminal.
fn print_banner(running: &scim_token_sandbox::RunningSandbox, port: u16) {
    let sandbox = running.sandbox();
    let base = running.base().clone();
    let broker = Broker::resolve(&BrokerId::Sandbox { base: base.clone() });
    let broker_arg = if port == SANDBOX_DEFAULT_PORT {
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
        if account.password.is_empty() {
            println!(
                "  Account:     {} (full admin, signs in through the local Entra)",
                account.email
            );
            continue;
        }
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
    let entra_base = running.entra_base().clone();
    let tenant = sandbox.config().entra.tenant;
    println!("Local Entra running on {entra_base}");
    println!("  Sign-in:     {entra_base}{tenant}/oauth2/v2.0/authorize (tenant {tenant}, or organizations)");
    println!(
        "  Graph:       {entra_base}v1.0/   Webex app: servicePrincipals/{}",
        entra::WEBEX_APP_ID
    );
    let entra_config = &sandbox.config().entra;
    println!(
        "  Secrets:     PUT {}; GET {}",
        match entra_config.secrets_put {
            entra::SecretsPut::Merge => "merges the keys sent",
            entra::SecretsPut::Replace => "replaces the whole set (the behaviour that can hurt)",
        },
        match entra_config.secrets_read {
            entra::SecretsRead::V1 => "on v1.0 and beta",
            entra::SecretsRead::Beta => "on beta only",
            entra::SecretsRead::None => "refused",
        }
    );
    for account in sandbox.entra_accounts() {
        let roles = if account.roles.is_empty() {
            "no admin role".to_owned()
        } else {
            account.roles.join(", ")
        };
        println!(
            "  Account:     {} / {} ({roles})",
            account.email, account.password
        );
    }
    println!(
        "  SSO:         Webex accounts @{} sign in through the local Entra",
        scim_token_sandbox::FEDERATED_DOMAIN
    );
    println!(
        "  Provisioning cycle: every {} s",
        sandbox.config().entra.cycle.as_secs()
    );
    println!("  Request log: {base}_sandbox/log (both origins)");
}
