//! What `scim-token sandbox --json` says to the process that runs it, typed once: the sandbox
//! writes these, the CLI prints the first, core reads both for the desktop app.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

/// The first line on the child's standard output, once both origins listen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// The local Webex (ID broker, People, SCIM).
    pub base: Url,
    /// The local Entra (sign-in, Graph).
    pub entra_base: Url,
}

/// Which of the sandbox's two origins served a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SandboxOrigin {
    /// The local Webex: broker, People API, SCIM API.
    Webex,
    /// The local Entra: identity platform and Graph.
    Entra,
}

impl SandboxOrigin {
    /// The origin in a word, as the sandbox panel lists it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Webex => "Webex",
            Self::Entra => "Entra",
        }
    }
}

/// One request the sandbox served, as `/_sandbox/log` lists it (the sandbox redacts tokens,
/// codes, passwords and secrets before it keeps one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxRequest {
    /// Which origin served it.
    pub origin: SandboxOrigin,
    /// When it arrived (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Response status.
    pub status: u16,
    /// Time to answer, in milliseconds.
    pub latency_ms: f64,
    /// The request body (truncated), redacted.
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_reads_back_as_it_was_written() {
        let written = SandboxRequest {
            origin: SandboxOrigin::Entra,
            at: time::macros::datetime!(2026-12-07 09:30 UTC),
            method: "PUT".into(),
            path: "/v1.0/servicePrincipals/sp/synchronization/secrets".into(),
            status: 204,
            latency_ms: 1.5,
            body: "{\"value\":[{\"key\":\"SecretToken\",\"value\":\"[redacted]\"}]}".into(),
        };
        let line = serde_json::to_string(&written).unwrap();
        assert!(
            line.contains("\"origin\":\"entra\"") && line.contains("\"at\":\"2026-12-07T09:30:00Z\""),
            "{line}"
        );
        let read: SandboxRequest = serde_json::from_str(&line).unwrap();
        assert_eq!(
            (read.origin, read.at, read.status),
            (written.origin, written.at, 204)
        );
        let first = Announcement {
            base: "http://127.0.0.1:8900/".parse().unwrap(),
            entra_base: "http://127.0.0.1:8901/".parse().unwrap(),
        };
        assert_eq!(
            serde_json::to_string(&first).unwrap(),
            "{\"base\":\"http://127.0.0.1:8900/\",\"entra_base\":\"http://127.0.0.1:8901/\"}"
        );
    }
}
