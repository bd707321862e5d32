//! `scim-token watch on|off|status`: the OS scheduler runs `scim-token check --notify` (systemd
//! user timer, launchd agent, Task Scheduler task), so reminders need no resident process.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use scim_token_core::watch::{Watch, WatchInterval, WatchStatus};

/// `watch` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum WatchCommand {
    /// Have the OS run `scim-token check --notify` on a schedule, as you, with no resident process.
    On {
        /// How often.
        #[arg(long, value_enum, default_value = "daily")]
        every: Every,
    },
    /// Stop and remove the scheduled check.
    Off,
    /// Whether the scheduled check is installed, and when it last ran when the OS tells.
    Status {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// `--every`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Every {
    /// Once a day, at 09:00 (or when the machine is next on).
    Daily,
    /// Once an hour.
    Hourly,
}

impl From<Every> for WatchInterval {
    fn from(every: Every) -> Self {
        match every {
            Every::Daily => Self::Daily,
            Every::Hourly => Self::Hourly,
        }
    }
}

pub(crate) fn run(command: WatchCommand) -> Result<ExitCode> {
    let watch = Watch::for_this_system()?;
    match command {
        WatchCommand::On { every } => {
            let binary = std::env::current_exe().context("cannot tell where scim-token is installed")?;
            watch.enable(&binary, every.into())?;
            let status = watch.status()?;
            println!(
                "The background watch is on: {} runs `{} check --notify` {}.",
                status.scheduler,
                binary.display(),
                WatchInterval::from(every)
            );
            print_installed(&status);
            println!("Turn it off with `scim-token watch off`.");
        }
        WatchCommand::Off => {
            let before = watch.status()?;
            watch.disable()?;
            if before.enabled {
                println!("The background watch is off; removed:");
                for item in &before.installed {
                    println!("  {item}");
                }
            } else {
                println!("The background watch was already off.");
            }
        }
        WatchCommand::Status { json } => {
            let status = watch.status()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                print_status(&status);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_installed(status: &WatchStatus) {
    for item in &status.installed {
        println!("  {item}");
    }
}

fn print_status(status: &WatchStatus) {
    if !status.enabled {
        println!(
            "The background watch is off. Turn it on with `scim-token watch on` ({}).",
            status.scheduler
        );
        return;
    }
    let every = status
        .every
        .map_or("on a schedule scim-token did not write", |e| e.as_str());
    println!(
        "The background watch is on: {} runs it {every}.",
        status.scheduler
    );
    print_installed(status);
    let active = match status.active {
        Some(true) => "yes",
        Some(false) => "no (run `scim-token watch on` again)",
        None => "unknown (the scheduler could not be asked)",
    };
    println!("  Active:      {active}");
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".to_owned());
    println!("  Last run:    {}", or_unknown(&status.last_run));
    println!("  Next run:    {}", or_unknown(&status.next_run));
    if let Some(result) = &status.last_result {
        println!("  Last result: {result}");
    }
}
