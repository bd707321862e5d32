//! Turning keyring errors into problems a user can fix.

use std::fmt;

/// What is wrong with the OS keyring, with advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringProblem {
    /// No D-Bus session bus (Linux): no desktop session, e.g. over SSH or in a container.
    NoSessionBus(String),
    /// A session bus, but nothing provides the Secret Service (no gnome-keyring or KWallet).
    NoSecretService(String),
    /// The keyring is locked and could not be unlocked.
    Locked(String),
    /// The keyring did not answer in time: typically locked, with an unlock prompt that cannot
    /// be shown (no prompter in a headless session) or that nobody answered.
    Unresponsive(std::time::Duration),
    /// Anything else the keyring reported.
    Other(String),
}

const LINUX_ADVICE: &str = "install and start a Secret Service keyring (gnome-keyring or KWallet) in your desktop \
session; on a headless machine run scim-token inside `dbus-run-session` after \
`gnome-keyring-daemon --unlock --components=secrets`";

impl fmt::Display for KeyringProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSessionBus(detail) => write!(
                f,
                "the OS keyring is unreachable: there is no D-Bus session bus ({detail}); {LINUX_ADVICE}"
            ),
            Self::NoSecretService(detail) => {
                write!(
                    f,
                    "no keyring service is running on the session bus ({detail}); {LINUX_ADVICE}"
                )
            }
            Self::Locked(detail) => write!(
                f,
                "the OS keyring is locked ({detail}): unlock it (e.g. in Passwords and Keys, or by signing in to the desktop) and try again"
            ),
            Self::Unresponsive(after) => write!(
                f,
                "the OS keyring did not answer within {} s: it is probably locked and waiting for an unlock prompt \
                 that cannot be shown or was not answered; unlock it (e.g. in Passwords and Keys, or with \
                 `gnome-keyring-daemon --replace --unlock`) and try again",
                after.as_secs()
            ),
            Self::Other(detail) => write!(f, "the OS keyring failed: {detail}"),
        }
    }
}

impl From<keyring::Error> for KeyringProblem {
    fn from(err: keyring::Error) -> Self {
        match err {
            keyring::Error::NoStorageAccess(e) => Self::Locked(e.to_string()),
            keyring::Error::NoDefaultStore => match keyring::Entry::store_status() {
                Err(e) => classify(&e.to_string()),
                Ok(()) => Self::Other("no default credential store".to_owned()),
            },
            other => classify(&other.to_string()),
        }
    }
}

fn classify(detail: &str) -> KeyringProblem {
    let lower = detail.to_ascii_lowercase();
    let detail = detail.to_owned();
    if lower.contains("serviceunknown") || lower.contains("org.freedesktop.secrets") {
        KeyringProblem::NoSecretService(detail)
    } else if lower.contains("dbus_session_bus_address")
        || lower.contains("connection refused")
        || lower.contains("no such file")
        || lower.contains("session bus")
    {
        KeyringProblem::NoSessionBus(detail)
    } else if lower.contains("locked") || lower.contains("not unlocked") || lower.contains("prompt") {
        KeyringProblem::Locked(detail)
    } else {
        KeyringProblem::Other(detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_errors_seen_on_linux() {
        let cases = [
            (
                "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files",
                "NoSecretService",
            ),
            ("I/O error: Connection refused (os error 111)", "NoSessionBus"),
            ("Address error: DBUS_SESSION_BUS_ADDRESS not set", "NoSessionBus"),
            ("the collection is locked", "Locked"),
            ("something else", "Other"),
        ];
        for (detail, expected) in cases {
            let got = format!("{:?}", classify(detail));
            assert!(got.starts_with(expected), "{detail} -> {got}");
        }
    }
}
