//! `scim-token login`: sign in, capture the redirect on localhost:3000, store the token.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use scim_token_core::listener::{Listener, ListenerConfig};
use scim_token_core::probe;
use scim_token_core::{AccessToken, AuthorizeRequest, Broker, BrokerId, OrgId, TokenSummary};
use time::OffsetDateTime;

use crate::output::{Spinner, days_phrase, timestamp};

/// Exit code when a token was captured but could not be stored.
const CAPTURED_NOT_STORED: u8 = 3;

pub(crate) struct Options {
    pub(crate) broker: BrokerId,
    pub(crate) email: Option<String>,
    pub(crate) open_browser: bool,
    pub(crate) timeout: Duration,
    pub(crate) org: Option<String>,
    pub(crate) print_token: bool,
}

pub(crate) async fn run(options: Options) -> Result<ExitCode> {
    let org_override = options.org.as_deref().map(str::parse::<OrgId>).transpose()?;
    let broker = Broker::resolve(&options.broker);
    if broker.unconfirmed {
        eprintln!(
            "note: the {} addresses could not be confirmed against a public source; if sign-in fails, check them.",
            options.broker.label()
        );
    }
    let mut request = AuthorizeRequest::new(broker);
    if let Some(email) = &options.email {
        request = request.login_hint(email.clone());
    }
    let pending = request.start(OffsetDateTime::now_utc());
    let config = ListenerConfig {
        timeout: options.timeout,
        ..ListenerConfig::default()
    };
    let listener = Listener::bind(pending.clone(), config)
        .await
        .context("cannot start the sign-in")?;

    eprintln!(
        "Sign in as a full administrator of the org at:\n\n  {}\n",
        pending.url
    );
    if options.open_browser {
        match webbrowser::open(pending.url.as_str()) {
            Ok(()) => eprintln!(
                "Opened your browser. Use a private window if you are signed in to Webex as someone else."
            ),
            Err(e) => eprintln!("Could not open a browser ({e}); open the address above yourself."),
        }
    }
    let cancel = listener.cancel_handle();
    let interrupted = crate::interrupt::ctrl_c()?;
    tokio::spawn(async move {
        interrupted.await;
        cancel.cancel();
    });
    let captured = {
        let _spinner = Spinner::start("Waiting for the sign-in to finish…");
        listener.wait().await?
    };
    if let Some(warning) = captured.scope_warning() {
        eprintln!("warning: {warning}");
    }
    let issued_at = OffsetDateTime::now_utc();
    let org = match org_override {
        Some(org) => org,
        None => match captured.token.org_id_hint() {
            Ok(org) => org,
            Err(err) => ask_org(&err.to_string(), &captured.token, options.print_token)?,
        },
    };
    let mut record = captured.record(&pending, issued_at, Some(org))?;
    if record.account.is_none() {
        record.account = probe::signed_in_email(&pending.broker.people_me_url, &captured.token).await;
    }
    let summary = TokenSummary::of(&record, issued_at);
    let vault = super::vault()?;
    if let Err(err) = vault.store(&captured.token, &record) {
        eprintln!("The token was captured but could not be stored: {err:#}");
        eprintln!("Tenant URL: {}", summary.tenant_url);
        return Ok(hand_over_unstored(&captured.token, options.print_token));
    }
    let report = report(&summary);
    if options.print_token {
        eprint!("{report}");
        println!("{}", captured.token.expose_secret());
    } else {
        print!("{report}");
    }
    Ok(ExitCode::SUCCESS)
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

/// The token carries no org ID: ask for it rather than lose the token.
fn ask_org(problem: &str, token: &AccessToken, print_token: bool) -> Result<OrgId> {
    if !std::io::stdin().is_terminal() {
        if print_token {
            println!("{}", token.expose_secret());
        }
        return Err(anyhow!("{problem}; run again with --org <ID>"));
    }
    eprintln!("{problem}");
    for _ in 0..3 {
        eprint!("Org ID: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        match line.parse::<OrgId>() {
            Ok(org) => return Ok(org),
            Err(err) => eprintln!("{err}"),
        }
    }
    Err(anyhow!("no valid org ID given"))
}
