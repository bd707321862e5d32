//! What to do next after a failure, in each shell's words: core's messages (`ApiError`) say what
//! happened without naming a shell's commands, and both shells end them with the step written
//! here, once, beside each other so they cannot drift apart.

use super::ErrorKind;

/// Which shell shows core's words: a next step names that shell's own commands or buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// The `scim-token` command line.
    Cli,
    /// The desktop app.
    Desktop,
}

impl ErrorKind {
    /// What to do after a failure of this kind, in `shell`'s words, where there is a step.
    pub fn next_step(self, shell: Shell) -> Option<&'static str> {
        match shell {
            Shell::Cli => self.cli_step(),
            Shell::Desktop => self.desktop_step(),
        }
    }

    fn cli_step(self) -> Option<&'static str> {
        Some(match self {
            Self::NotFound | Self::NoTokens => "run `scim-token login` to get a token.",
            Self::SeveralOrgs => "name the org with --org ORG (see `scim-token status`).",
            Self::TokenRefused => "run `scim-token login` to get a new token.",
            Self::Forbidden => "run `scim-token login` and sign in as a full administrator of the org.",
            Self::CorruptRecords => {
                "run `scim-token login` to sign in again; the unreadable file is kept for you."
            }
            Self::EntraSignInNeeded => "run `scim-token entra login` to sign in to Entra (again).",
            Self::EntraBrowserSignInNeeded => {
                "run `scim-token entra login` to sign in in your browser (not with --device-code, which your organisation's policy refuses)."
            }
            Self::Busy => "let the other scim-token finish (or close it), then run the command again.",
            Self::NotLinked => {
                "run `scim-token entra apps` to find the Webex app, then `scim-token entra link --app SERVICE_PRINCIPAL_ID`."
            }
            Self::EntraNotFound => "run `scim-token entra apps` and link the app and job to use.",
            Self::EntraThrottled => "wait a minute and run the command again.",
            Self::EntraPolicy => {
                "sign in where your organisation's policy allows: `scim-token entra login --no-browser` prints the address to open in an allowed browser, and `--device-code` a code to type on an allowed device (if the tenant permits device codes)."
            }
            Self::EntraPermission => {
                "run `scim-token entra login` as an Application Administrator or Cloud Application Administrator."
            }
            Self::Clipboard => {
                "print it instead: `scim-token status` shows the Tenant URL, `scim-token token` the token."
            }
            Self::EntraSettings => {
                "`scim-token push --skip-settings-check` stores only the Tenant URL and token when the settings cannot be read (it may erase them: check them in the admin center afterwards)."
            }
            Self::EntraWrongTenant => {
                "run `scim-token entra login --tenant TENANT_ID` for the link's tenant, or link again."
            }
            Self::EntraRefused => "check the token with `scim-token test`.",
            _ => return None,
        })
    }

    fn desktop_step(self) -> Option<&'static str> {
        Some(match self {
            Self::NotFound | Self::NoTokens => "Press Get a token to sign in.",
            Self::TokenRefused => "Press Renew to get a new token.",
            Self::Forbidden => "Press Renew and sign in as a full administrator of the org.",
            Self::CorruptRecords => "Sign in again with Get a token; the unreadable file is kept.",
            Self::EntraSignInNeeded => "Press Sign in to Entra.",
            Self::NotLinked => "Press Link to an Entra app.",
            Self::EntraNotFound => "Unlink it and link the app again.",
            Self::EntraThrottled => "Wait a minute and try again.",
            Self::EntraPolicy => "Press Use my browser to sign in there.",
            Self::EntraBrowserSignInNeeded => "Press Use my browser to sign in to Entra again there.",
            Self::Busy => "Let the other scim-token window or command finish, then try again.",
            Self::EntraWrongTenant => "Sign in to Entra in the link's tenant, or unlink it and link again.",
            Self::EntraRefused => "Check the token with Test Connection.",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shell_names_its_own_way_and_not_the_other_s() {
        for kind in [ErrorKind::NotFound, ErrorKind::NoTokens, ErrorKind::TokenRefused] {
            assert!(
                kind.next_step(Shell::Cli).unwrap().contains("scim-token login"),
                "{kind:?}"
            );
            let desktop = kind.next_step(Shell::Desktop).unwrap();
            assert!(desktop.starts_with("Press"), "{kind:?}: {desktop}");
            assert!(!desktop.contains("scim-token "), "{kind:?}: {desktop}");
        }
        assert_eq!(ErrorKind::Network.next_step(Shell::Cli), None);
        assert_eq!(ErrorKind::Network.next_step(Shell::Desktop), None);
    }
}
