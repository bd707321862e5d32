//! The CLI's own next steps for errors from core, whose messages never name a shell's commands.

use scim_token_core::ErrorKind;

/// What to run next after an error of `kind`, if the CLI has a command for it.
pub(crate) fn next_step(kind: ErrorKind) -> Option<&'static str> {
    match kind {
        ErrorKind::NotFound | ErrorKind::NoTokens => Some("run `scim-token login` to get a token."),
        ErrorKind::SeveralOrgs => Some("name the org with --org ORG (see `scim-token status`)."),
        ErrorKind::TokenRefused => Some("run `scim-token login` to get a new token."),
        ErrorKind::Forbidden => {
            Some("run `scim-token login` and sign in as a full administrator of the org.")
        }
        ErrorKind::CorruptRecords => {
            Some("run `scim-token login` to sign in again; the unreadable file is kept for you.")
        }
        ErrorKind::EntraSignInNeeded => Some("run `scim-token entra login` to sign in to Entra (again)."),
        ErrorKind::EntraBrowserSignInNeeded => Some(
            "run `scim-token entra login` to sign in in your browser (not with --device-code, which your organisation's policy refuses).",
        ),
        ErrorKind::Busy => Some("let the other scim-token finish (or close it), then run the command again."),
        ErrorKind::NotLinked => Some(
            "run `scim-token entra apps` to find the Webex app, then `scim-token entra link --app SERVICE_PRINCIPAL_ID`.",
        ),
        ErrorKind::EntraNotFound => Some("run `scim-token entra apps` and link the app and job to use."),
        ErrorKind::EntraThrottled => Some("wait a minute and run the command again."),
        ErrorKind::EntraPolicy => Some(
            "sign in where your organisation's policy allows: `scim-token entra login --no-browser` prints the address to open in an allowed browser, and `--device-code` a code to type on an allowed device (if the tenant permits device codes).",
        ),
        ErrorKind::EntraPermission => Some(
            "run `scim-token entra login` as an Application Administrator or Cloud Application Administrator.",
        ),
        ErrorKind::Clipboard => {
            Some("print it instead: `scim-token status` shows the Tenant URL, `scim-token token` the token.")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tokens_point_to_login() {
        for kind in [ErrorKind::NotFound, ErrorKind::NoTokens, ErrorKind::TokenRefused] {
            assert!(next_step(kind).unwrap().contains("scim-token login"), "{kind:?}");
        }
        assert_eq!(next_step(ErrorKind::Network), None);
    }
}
