//! `scim-token entra …`: sign in to Microsoft Entra, list the Webex enterprise apps and their
//! provisioning jobs, link an org's token to a job, or remove links.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use scim_token_core::api::{EntraSignInRequest, Stop};
use scim_token_core::entra::{AppId, Cloud, GRAPH_COMMAND_LINE_TOOLS, JobId};
use scim_token_core::vault::EntraSessionRecord;
use scim_token_core::{Api, ApiError};

use crate::output::Spinner;

/// `scim-token entra` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum EntraCommand {
    /// Sign in to Entra as an Application Administrator (or Cloud Application Administrator);
    /// the refresh token is kept in the OS keyring for later pushes and health checks.
    Login(LoginArgs),
    /// The Webex enterprise apps in the tenant, with their provisioning jobs and status.
    Apps {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Link an org's token to an enterprise app's provisioning job (a `push` then updates it).
    Link {
        #[command(flatten)]
        which: super::Which,
        /// The enterprise app's service principal ID (see `scim-token entra apps`).
        #[arg(long, value_name = "SERVICE_PRINCIPAL_ID")]
        app: AppId,
        /// The job ID, when the app has several.
        #[arg(long, value_name = "JOB_ID")]
        job: Option<JobId>,
    },
    /// Remove an org's links (to one app, or all).
    Unlink {
        #[command(flatten)]
        which: super::Which,
        /// Only the link to this app.
        #[arg(long, value_name = "SERVICE_PRINCIPAL_ID")]
        app: Option<AppId>,
    },
    /// The kept Entra sign-ins: account, tenant, cloud, and since when.
    Status {
        /// Print JSON (never a token or refresh token).
        #[arg(long)]
        json: bool,
    },
    /// Forget the kept Entra sign-in(s) on this computer (nothing is revoked at Microsoft).
    Logout,
}

/// Options of `scim-token entra login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// global, usgov (GCC High), dod, sandbox, or a local Entra's base URL
    /// [default: the cloud paired with the stored tokens' broker: usgov for Webex for
    /// Government, the sandbox's local Entra for the sandbox, else global].
    #[arg(long)]
    cloud: Option<Cloud>,
    /// The tenant ID (or a verified domain).
    #[arg(long, default_value = "organizations")]
    tenant: String,
    /// The public client to sign in as (an app registration of your own, with the redirect URI
    /// http://localhost and the delegated permissions Synchronization.ReadWrite.All and
    /// Application.Read.All).
    #[arg(long, value_name = "ID", default_value = GRAPH_COMMAND_LINE_TOOLS)]
    client_id: String,
    /// Print the address instead of opening a browser.
    #[arg(long)]
    no_browser: bool,
    /// Sign in on any device instead: prints a page to open and a code to type there (OAuth 2.0
    /// device authorization grant). For a server over SSH, or when your browser is elsewhere.
    /// Your organisation's policy may block it: Microsoft's security defaults block device codes
    /// for new tenants, its managed Conditional Access policy "Block device code flow" is rolling
    /// out, and a sign-in made this way can later be refused. The browser sign-in always works.
    #[arg(long, conflicts_with = "no_browser")]
    device_code: bool,
    /// Give up after this many seconds [default: 300; with --device-code, when the code
    /// expires].
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
}

/// How long a browser sign-in waits unless told.
const BROWSER_SIGN_IN_LIMIT: Duration = Duration::from_secs(300);

pub(crate) async fn run(command: EntraCommand) -> Result<ExitCode> {
    let api = super::api()?;
    match command {
        EntraCommand::Login(args) => login(&api, args).await,
        EntraCommand::Apps { json } => apps(&api, json).await,
        EntraCommand::Link { which, app, job } => {
            let record = which.pick(&api)?;
            let link = api.entra_link(&record, &app, job.as_ref(), None).await?;
            println!(
                "Linked org {} to {} (app {}, job {}) in {} tenant {}.",
                record.org_id,
                link.app_name,
                link.app_id,
                link.job_id,
                link.target.cloud,
                link.tenant_id.as_deref().unwrap_or(&link.target.tenant)
            );
            println!(
                "Run `scim-token push --org {0} --dry-run` to see what a push would change, then `scim-token push --org {0}`.",
                record.org_id
            );
            Ok(ExitCode::SUCCESS)
        }
        EntraCommand::Unlink { which, app } => {
            let record = which.pick(&api)?;
            let removed = api.entra_unlink(&record, app.as_ref()).await?;
            if removed.is_empty() {
                println!("Org {} had no such link.", record.org_id);
            }
            for link in removed {
                println!(
                    "Unlinked org {} from {} (job {}).",
                    record.org_id, link.app_name, link.job_id
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        EntraCommand::Status { json } => {
            let sessions = api.entra_status().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&sessions)?);
            } else if sessions.is_empty() {
                println!("Not signed in to Entra. Run `scim-token entra login` to sign in.");
            } else {
                for session in &sessions {
                    println!("Entra sign-in: {}", session.description());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        EntraCommand::Logout => {
            for session in api.entra_sign_out_all().await? {
                println!(
                    "Forgot the Entra sign-in{} ({} cloud, tenant {}) on this computer. Nothing was revoked at Microsoft: to end the sign-in there, revoke its sessions in the Entra admin center.",
                    session.account().map(|a| format!(" of {a}")).unwrap_or_default(),
                    session.target.cloud,
                    session
                        .tenant_id()
                        .map_or(session.target.tenant.as_str(), |t| t.as_str())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn login(api: &Api, args: LoginArgs) -> Result<ExitCode> {
    let request = EntraSignInRequest {
        cloud: args.cloud,
        tenant: Some(args.tenant),
        client_id: Some(args.client_id),
    };
    let limit = args.timeout.map(Duration::from_secs);
    if args.device_code {
        return device_login(api, request, limit).await;
    }
    let limit = limit.unwrap_or(BROWSER_SIGN_IN_LIMIT);
    let sign_in = api
        .entra_sign_in(request, limit)
        .await
        .context("cannot start the Entra sign-in")?;
    let url = sign_in.url().clone();
    eprintln!(
        "Sign in to Entra ({} cloud) as an Application Administrator or Cloud Application Administrator at:\n\n  {url}\n",
        sign_in.target().cloud,
    );
    // Held until the sign-in ends: the browser reads the URL from it.
    let _launch_page = if args.no_browser {
        None
    } else {
        match scim_token_core::api::open_in_browser(&url) {
            Ok(page) => {
                eprintln!(
                    "Opened your browser. {}.",
                    scim_token_core::api::UNREADABLE_PAGE_HINT
                );
                Some(page)
            }
            Err(e) => {
                eprintln!("{e}.");
                None
            }
        }
    };
    let interrupted = crate::interrupt::stop_on_ctrl_c()?;
    let finished = {
        let _spinner = Spinner::start("Waiting for the Entra sign-in to finish…");
        api.entra_finish_sign_in(sign_in, None, interrupted).await
    };
    signed_in(finished)
}

/// `entra login --device-code`: the code to type on any device, then the wait.
async fn device_login(api: &Api, request: EntraSignInRequest, limit: Option<Duration>) -> Result<ExitCode> {
    let sign_in = api
        .entra_device_sign_in(request)
        .await
        .context("cannot start the Entra sign-in")?;
    // Unless told otherwise, wait as long as the code is good for (MFA on a phone takes time).
    let limit = limit.unwrap_or(sign_in.expires_in);
    eprintln!(
        "To sign in to Entra ({} cloud) as an Application Administrator or Cloud Application Administrator, open\n\n  {}\n\non any device and enter the code {} (it expires in {} minutes).\n",
        sign_in.target().cloud,
        sign_in.verification_uri,
        sign_in.user_code,
        sign_in.expires_in.as_secs().div_ceil(60),
    );
    let interrupted = crate::interrupt::stop_on_ctrl_c()?;
    let finished = {
        let _spinner = Spinner::start("Waiting for you to sign in on the other device…");
        api.entra_finish_device_sign_in(sign_in, limit, interrupted).await
    };
    signed_in(finished)
}

/// What a finished sign-in (either kind) prints.
fn signed_in(finished: Result<EntraSessionRecord, ApiError>) -> Result<ExitCode> {
    let session = match finished {
        Err(ApiError::Stopped(Stop::Interrupted)) => return Ok(ExitCode::from(130)),
        other => other?,
    };
    println!(
        "Signed in to Entra as {} (tenant {}, {} cloud). The refresh token is in the OS keyring.",
        session
            .account()
            .unwrap_or_else(|| "an account Entra did not name".into()),
        session.tenant_id().map_or("not named by Entra", |t| t.as_str()),
        session.target.cloud
    );
    println!("Next: `scim-token entra apps` lists the Webex enterprise apps to link.");
    Ok(ExitCode::SUCCESS)
}

async fn apps(api: &Api, json: bool) -> Result<ExitCode> {
    let (target, apps) = api.entra_apps(None).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&apps)?);
        return Ok(ExitCode::SUCCESS);
    }
    if apps.is_empty() {
        println!(
            "No enterprise app named Webex in {} tenant {}. Add the Cisco Webex app from the Entra gallery first.",
            target.cloud, target.tenant
        );
    }
    for app in &apps {
        println!("{}  (app {})", app.app.display_name, app.app.id);
        if app.jobs.is_empty() {
            println!("  no provisioning job: set up provisioning for it in the Entra admin center");
        }
        for job in &app.jobs {
            println!("  job {}  {}", job.id, job.status.code.description());
        }
    }
    Ok(ExitCode::SUCCESS)
}
