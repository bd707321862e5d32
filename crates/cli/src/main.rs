//! `scim-token`: get, keep, hand off and test the Webex SCIM token that Microsoft Entra ID's
//! provisioning needs. Thin: parses arguments, calls `scim-token-core`, prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod commands;
mod interrupt;
mod notification;
mod output;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use scim_token_core::api::CopyWhat as CoreCopyWhat;
use scim_token_core::{ApiError, BrokerId, OrgId};

/// Get, keep and renew the Webex SCIM token for Microsoft Entra ID provisioning.
#[derive(Debug, Parser)]
#[command(name = "scim-token", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The proxy for this run's requests: system (the environment, then the OS's settings),
    /// direct, or http://[user:password@]host:port. Loopback never goes through one.
    /// (Parsed after clap, whose refusal would print the value, password and all.)
    #[arg(long, global = true, value_name = "PROXY")]
    proxy: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in at the broker, capture the token from the redirect and store it in the OS keyring.
    Login {
        /// webex, gov, sandbox, or a broker base URL such as http://127.0.0.1:8900
        #[arg(long, default_value = "webex")]
        broker: BrokerId,
        /// The admin's email, to prefill the sign-in page.
        #[arg(long)]
        email: Option<String>,
        /// Print the sign-in URL instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// The org ID, when the token does not carry one.
        #[arg(long)]
        org: Option<OrgId>,
        /// Also print the token on stdout (for when the keyring is unavailable).
        #[arg(long)]
        print_token: bool,
    },
    /// List stored tokens with their Tenant URL, expiry and fingerprint.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Print a stored token on stdout, and nothing else.
    Token {
        #[command(flatten)]
        which: commands::Which,
    },
    /// Copy the Tenant URL or the token to the clipboard, and clear it later.
    Copy {
        /// What to copy.
        what: CopyWhat,
        #[command(flatten)]
        which: commands::Which,
        /// Clear the clipboard after this many seconds if it still holds the copy (0: never).
        #[arg(long, default_value_t = scim_token_core::clipboard::DEFAULT_CLEAR_AFTER.as_secs())]
        clear_after: u64,
    },
    /// Run Azure's Test Connection against the org's Tenant URL.
    Test {
        #[command(flatten)]
        which: commands::Which,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Exit 1 when a token expires within DAYS (for cron or systemd timers).
    Check {
        /// Warn this many days ahead.
        #[arg(long, default_value_t = 30)]
        within: i64,
        /// Also raise a desktop notification.
        #[arg(long)]
        notify: bool,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Remove an org's token from the keyring and its record.
    Forget {
        #[command(flatten)]
        which: commands::Which,
    },
    /// Run the local Webex sandbox: ID broker and SCIM 2.0 API.
    Sandbox(commands::sandbox::SandboxArgs),
    /// Microsoft Entra: sign in, list the Webex enterprise apps, link an org to a provisioning job.
    #[command(subcommand)]
    Entra(commands::entra::EntraCommand),
    /// Put the org's token into its linked Entra provisioning jobs: read the job's settings, Test
    /// Connection with the new token, read them again and store the token with every other
    /// setting sent back as it is then, read them again to verify, then restart a quarantined
    /// job or start one never run. A job an admin paused stays paused (see --start).
    Push {
        #[command(flatten)]
        which: commands::Which,
        /// Only show what would change (key names, never values) and run Test Connection: no
        /// write, no restart, no start.
        #[arg(long)]
        dry_run: bool,
        /// When the job's settings cannot be read, store only the Tenant URL and token anyway.
        /// Risky: if Graph's secrets PUT replaces the whole set (unconfirmed), this erases the
        /// notification e-mail, the accidental-deletion threshold, SkipOutOfScopeDeletions and
        /// the scope.
        #[arg(long)]
        skip_settings_check: bool,
        /// Also start a job an admin paused. Without it a paused job stays paused: the token is
        /// stored and the job runs with it once it is started.
        #[arg(long)]
        start: bool,
        /// How long to wait while another push to the same job (another window, another
        /// process) runs, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = scim_token_core::api::DEFAULT_PUSH_LOCK_WAIT.as_secs())]
        wait: u64,
        /// Print JSON (`"stored": true | false | null` per job).
        #[arg(long)]
        json: bool,
    },
    /// Check this computer's way to Webex and Entra: the proxy in force, and for each host a
    /// setup needs its name, connection, TLS (who issued the certificate) and an HTTP answer;
    /// the keyring, port 3000 and the clock. Never shows a token.
    Doctor {
        /// Also check this broker: webex, gov, sandbox or a base URL.
        #[arg(long)]
        broker: Option<BrokerId>,
        /// Also check this Entra cloud: global, usgov, dod, or a local Entra's base URL.
        #[arg(long)]
        cloud: Option<scim_token_core::entra::Cloud>,
        /// Machine-readable output, for a support ticket.
        #[arg(long)]
        json: bool,
    },
    /// Show or keep the proxy scim-token's own requests use.
    Proxy {
        #[command(subcommand)]
        command: Option<commands::proxy::ProxyCommand>,
    },
    /// Run `check --notify` in the background from the OS scheduler (systemd user timer, launchd
    /// agent, Task Scheduler), with no resident process.
    #[command(subcommand)]
    Watch(commands::watch::WatchCommand),
}

/// What `copy` copies.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum CopyWhat {
    /// The Tenant URL.
    Url,
    /// The secret token.
    Token,
}

impl From<CopyWhat> for CoreCopyWhat {
    fn from(what: CopyWhat) -> Self {
        match what {
            CopyWhat::Url => Self::Url,
            CopyWhat::Token => Self::Token,
        }
    }
}

/// The sandbox serves many small JSON documents; mimalloc keeps allocation off its hot path.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SCIM_TOKEN_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Some(text) = cli.proxy {
        match text.parse() {
            Ok(choice) => commands::override_proxy(choice),
            Err(refused) => {
                eprintln!("error: --proxy: {refused}");
                return ExitCode::from(2);
            }
        }
    }
    let result = match cli.command {
        Command::Login {
            broker,
            email,
            no_browser,
            timeout,
            org,
            print_token,
        } => {
            let options = commands::login::Options {
                broker,
                email,
                open_browser: !no_browser,
                timeout: Duration::from_secs(timeout),
                org,
                print_token,
            };
            commands::login::run(options).await
        }
        Command::Status { json } => commands::status::run(json).await,
        Command::Token { which } => commands::token::run(&which).await,
        Command::Copy {
            what,
            which,
            clear_after,
        } => commands::copy::run(what.into(), &which, clear_after).await,
        Command::Test { which, json } => commands::test::run(&which, json).await,
        Command::Check { within, notify, json } => commands::check::run(within, notify, json).await,
        Command::Forget { which } => commands::forget::run(&which).await,
        Command::Sandbox(args) => commands::sandbox::run(args).await,
        Command::Entra(command) => commands::entra::run(command).await,
        Command::Push {
            which,
            dry_run,
            skip_settings_check,
            start,
            wait,
            json,
        } => {
            let options = scim_token_core::api::PushOptions {
                dry_run,
                skip_settings_check,
                start_paused: start,
                lock_wait: Some(std::time::Duration::from_secs(wait)),
            };
            commands::push::run(&which, options, json).await
        }
        Command::Watch(command) => commands::watch::run(command),
        Command::Doctor { broker, cloud, json } => commands::doctor::run(broker, cloud, json).await,
        Command::Proxy { command } => commands::proxy::run(command).await,
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            if let Some(next) = err
                .downcast_ref::<ApiError>()
                .and_then(|api| api.kind().next_step(scim_token_core::api::Shell::Cli))
            {
                eprintln!("Next: {next}");
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    fn help(path: &[&str]) -> String {
        let mut command = super::Cli::command();
        let mut sub = &mut command;
        for name in path {
            sub = sub.find_subcommand_mut(name).expect("a subcommand");
        }
        sub.render_long_help().to_string()
    }

    #[test]
    fn the_help_says_what_policy_and_pauses_do() {
        let login = help(&["entra", "login"]);
        assert!(
            login.contains("policy may block it") && login.contains("The browser sign-in always works"),
            "{login}"
        );
        let push = help(&["push"]);
        assert!(
            push.contains("--start") && push.contains("paused stays paused"),
            "{push}"
        );
    }
}
