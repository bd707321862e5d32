//! `scim-token login`: sign in, capture the redirect on localhost:3000, store the token.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, anyhow};
use scim_token_core::api::{
    Capture, Kept, NeedsOrg, SignInRequest, SignedIn, Stop, UNREADABLE_PAGE_HINT, open_in_browser,
    private_window_commands,
};
use scim_token_core::{AccessToken, Api, ApiError, BrokerId, OrgId, TokenSummary};

use crate::output::{Spinner, days_phrase, timestamp};

/// Exit code when a token was captured but could not be stored.
const CAPTURED_NOT_STORED: u8 = 3;

pub(crate) struct Options {
    pub(crate) broker: BrokerId,
    pub(crate) email: Option<String>,
    pub(crate) open_browser: bool,
    pub(crate) timeout: Duration,
    pub(crate) org: Option<OrgId>,
    pub(crate) print_token: bool,
}

pub(crate) async fn run(options: Options) -> Result<ExitCode> {
    let api = super::api()?;
    let sign_in = api
        .sign_in(SignInRequest {
            broker: options.broker.clone(),
            email: options.email.clone(),
            limit: options.timeout,
        })
        .await;
    if sign_in.broker().unconfirmed {
        eprintln!(
            "note: the {} addresses could not be confirmed against a public source; if sign-in fails, check them.",
            options.broker.label()
        );
    }
    // A browser's redirect can only be caught by the listener.
    let sign_in = sign_in
        .require_listener()
        .map_err(|err| anyhow!("cannot start the sign-in: {err}"))?;
    let url = sign_in.url().clone();
    eprintln!("Sign in as a full administrator of the org at:\n\n  {url}\n");
    eprint!("{}", private_window_hint(&url));
    // Held until the sign-in ends: the browser reads the URL from it.
    let _launch_page = if options.open_browser {
        match open_in_browser(&url) {
            Ok(page) => {
                eprintln!(
                    "Opened your browser. Its history will keep the token unless the window is private: use a command above instead, or the desktop app. {UNREADABLE_PAGE_HINT}."
                );
                Some(page)
            }
            Err(e) => {
                eprintln!("{e}.");
                None
            }
        }
    } else {
        None
    };
    let interrupted = crate::interrupt::stop_on_ctrl_c()?;
    let capture = {
        let _spinner = Spinner::start("Waiting for the sign-in to finish…");
        sign_in.capture(None, interrupted).await
    };
    let Capture { pending, captured } = match capture {
        Err(ApiError::Stopped(Stop::Interrupted)) => {
            eprintln!("Interrupted: nothing was captured.");
            return Ok(ExitCode::from(130));
        }
        other => other?,
    };
    let signed_in = match api.complete_sign_in(pending, captured, options.org).await {
        Ok(signed_in) => signed_in,
        Err(needs) => file_under_asked_org(&api, *needs, options.print_token).await?,
    };
    if let Some(warning) = &signed_in.scope_warning {
        eprintln!("warning: {warning}");
    }
    if let Some(kept_at) = &signed_in.records_set_aside {
        eprintln!(
            "note: the unreadable token records file was kept at {} and a new one started.",
            kept_at.display()
        );
    }
    if let Kept::InMemoryOnly(err) = &signed_in.kept {
        eprintln!("The token was captured but could not be stored: {err:#}");
        eprintln!("Tenant URL: {}", signed_in.summary.tenant_url);
        return Ok(hand_over_unstored(&signed_in.token, options.print_token));
    }
    print_report(&signed_in, options.print_token);
    Ok(ExitCode::SUCCESS)
}

/// The redirect that carries the token is fixed by Webex, and a normal browser window records it,
/// token included, in its history (and history sync). A private window does not.
fn private_window_hint(url: &url::Url) -> String {
    let commands: String = private_window_commands(url)
        .iter()
        .map(|c| format!("  {c}\n"))
        .collect();
    format!(
        "Open it in a private window, so your browser's history does not keep the token:\n{commands}\
         or sign in from the scim-token desktop app, whose window keeps no history.\n\n"
    )
}

fn print_report(signed_in: &SignedIn, print_token: bool) {
    let report = report(&signed_in.summary);
    if print_token {
        eprint!("{report}");
        println!("{}", signed_in.token.expose_secret());
    } else {
        print!("{report}");
    }
}

fn report(summary: &TokenSummary) -> String {
    let broker_expiry = summary
        .broker_expires_at
        .map(timestamp)
        .unwrap_or_else(|| "not stated".into());
    format!(
        "Token stored in the OS keyring for org {org} ({label}{account}).\n\
         \x20 Tenant URL:  {url}\n\
         \x20 Expires:     {expires} ({days}; broker: {broker_expiry}; documented 365 days: {documented})\n\
         \x20 Fingerprint: {fingerprint}\n\
         Next: `scim-token copy url`, `scim-token copy token`, then `scim-token test`.\n",
        org = summary.org_id,
        label = summary.broker_label,
        account = summary
            .account
            .as_deref()
            .map(|a| format!(", signed in as {a}"))
            .unwrap_or_default(),
        url = summary.tenant_url,
        expires = timestamp(summary.expires_at),
        days = days_phrase(summary.days_left),
        documented = timestamp(summary.documented_expires_at),
        fingerprint = summary.fingerprint,
    )
}

/// The keyring failed: the token is only in memory. Print it if asked (or if the user agrees).
fn hand_over_unstored(token: &AccessToken, print_token: bool) -> ExitCode {
    let _ctrl_c = ExitOnCtrlC::arm();
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let print = print_token
        || (interactive
            && confirm("Print the token now so you can paste it into Azure's Secret Token field? [y/N] "));
    if print {
        println!("{}", token.expose_secret());
    } else {
        eprintln!(
            "Nothing was stored. Fix the keyring, or run `scim-token login --print-token` to get the token printed."
        );
    }
    ExitCode::from(CAPTURED_NOT_STORED)
}

fn confirm(question: &str) -> bool {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).is_ok() && answer.trim().eq_ignore_ascii_case("y")
}

/// The token carries no org ID: ask for it (at a terminal) rather than lose the token.
async fn file_under_asked_org(api: &Api, needs: NeedsOrg, print_token: bool) -> Result<SignedIn> {
    let problem = needs.reason.to_string();
    if !std::io::stdin().is_terminal() {
        if print_token {
            println!("{}", needs.captured.token.expose_secret());
        }
        return Err(anyhow!("{problem}; run again with --org <ID>"));
    }
    eprintln!("{problem}");
    let ctrl_c = ExitOnCtrlC::arm();
    for _ in 0..3 {
        eprint!("Org ID: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        match line.parse::<OrgId>() {
            Ok(org) => {
                // Storing must not be cut in half by a Ctrl-C.
                drop(ctrl_c);
                return api
                    .complete_sign_in(needs.pending, needs.captured, Some(org))
                    .await
                    .map_err(|again| anyhow!("{}", again.reason));
            }
            Err(err) => eprintln!("{err}"),
        }
    }
    Err(anyhow!("no valid org ID given"))
}

/// While a prompt waits, Ctrl-C ends the process as it would without scim-token's handler (which,
/// once installed for the sign-in, stays for the whole process). Disarmed when dropped, so a
/// Ctrl-C can never cut a keyring or records write in half.
struct ExitOnCtrlC(Option<tokio::task::JoinHandle<()>>);

impl ExitOnCtrlC {
    fn arm() -> Self {
        let task = crate::interrupt::ctrl_c().ok().map(|interrupted| {
            tokio::spawn(async move {
                interrupted.await;
                eprintln!("\nInterrupted: the captured token was not stored.");
                std::process::exit(130);
            })
        });
        Self(task)
    }
}

impl Drop for ExitOnCtrlC {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}
