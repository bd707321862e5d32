//! The desktop app's command line, parsed by clap: unknown flags are refused with usage.

use clap::Parser;
use scim_token_core::clipboard::DEFAULT_CLEAR_AFTER;

/// The scim-token desktop app: sign in, keep, copy, test and renew the Webex SCIM token.
#[derive(Debug, Clone, Parser)]
#[command(name = "scim-token-desktop", version, about, long_about = None)]
pub(crate) struct Options {
    /// Run the local sandbox (the `scim-token` CLI beside the app, as a child process) and preselect
    /// it.
    #[arg(long)]
    pub(crate) sandbox: bool,
    /// The sandbox's port on 127.0.0.1 (0, the default: any free port; the app signs in only at
    /// the ports its own sandbox announces).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub(crate) sandbox_port: u16,
    /// Run the sandbox and sign this account in without its form (tests and demos).
    #[arg(long, value_name = "EMAIL", conflicts_with = "sandbox_auto_deny")]
    pub(crate) sandbox_auto_approve: Option<String>,
    /// Run the sandbox and deny every sign-in, as if Deny were pressed (tests and demos).
    #[arg(long)]
    pub(crate) sandbox_auto_deny: bool,
    /// Seconds between the sandbox's local Entra provisioning cycles (tests and demos; the
    /// sandbox's default, like Entra, is 40 minutes).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) sandbox_entra_cycle: Option<u64>,
    /// Have the sandbox's local Entra play a Conditional Access policy that lets only an
    /// approved browser sign in, refusing the app's own window (tests and demos).
    #[arg(long)]
    pub(crate) sandbox_entra_approved_browsers_only: bool,
    /// Clear a copied field from the clipboard after this many seconds, if it is still there.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = DEFAULT_CLEAR_AFTER.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub(crate) clear_clipboard_after: u64,
    /// Start in the tray without a window (how "start at login" launches the app).
    #[arg(long)]
    pub(crate) tray: bool,
    /// Log level, overriding SCIM_TOKEN_LOG.
    #[arg(long, value_name = "LEVEL", value_parser = ["error", "warn", "info", "debug", "trace"])]
    pub(crate) log: Option<String>,
}

impl Options {
    /// Whether the sandbox (a child process) runs.
    pub(crate) fn runs_sandbox(&self) -> bool {
        self.sandbox || self.sandbox_auto_approve.is_some() || self.sandbox_auto_deny
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, clap::Error> {
        Options::try_parse_from(std::iter::once("scim-token-desktop").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_are_the_shared_constants() {
        let options = parse(&[]).unwrap();
        assert_eq!(
            options.sandbox_port, 0,
            "any free port, never a fixed one another program may hold"
        );
        assert_eq!(options.clear_clipboard_after, DEFAULT_CLEAR_AFTER.as_secs());
        assert!(!options.runs_sandbox());
    }

    #[test]
    fn auto_approve_implies_the_sandbox() {
        let options = parse(&[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
        ])
        .unwrap();
        assert!(options.runs_sandbox());
        assert_eq!(options.sandbox_port, 0);
    }

    #[test]
    fn bad_input_is_refused_with_a_pointer_to_help() {
        for bad in [
            &["--sandbox-port", "eighty"][..],
            &["--sandbox-port", "70000"],
            &["--clear-clipboard-after", "0"],
            &["--log", "loud"],
            &["--frobnicate"],
            &["--sandbox-auto-approve", "a@b", "--sandbox-auto-deny"],
        ] {
            let err = parse(bad).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with("error:") && (text.contains("Usage") || text.contains("--help")),
                "{bad:?}: {err}"
            );
        }
    }
}
