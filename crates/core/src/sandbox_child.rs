//! The local sandbox run as a child process: `scim-token sandbox --port 0 --json
//! --until-stdin-closes`, started from the CLI that ships beside the desktop app, so that the
//! app's own binary carries none of the sandbox (its servers, SQLite, the provisioning engine).
//!
//! The child announces both origins as one JSON line on stdout once they listen; the Tenant URL
//! comes from its `/_sandbox/info`, its request log from `/_sandbox/log`. Its stdin is a pipe whose
//! other end only this process holds: when the parent exits, however it exits, the pipe closes and
//! the child stops. Its stderr is kept (the last lines) to say why it ended, if it does.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use url::Url;

use crate::api::ApiError;
use crate::broker::BrokerId;
use crate::entra::Cloud;
use crate::http_body::read_json;

mod protocol;

pub use protocol::{Announcement, SandboxOrigin, SandboxRequest};

/// The CLI's file name on this platform.
pub const CLI_FILE_NAME: &str = if cfg!(windows) {
    "scim-token.exe"
} else {
    "scim-token"
};

/// The environment variable that names the CLI to start, before the one beside the app.
pub const CLI_VAR: &str = "SCIM_TOKEN_CLI";

/// How long the child may take to listen: a cold start of a debug build on a busy 2-core machine
/// with a seeded directory takes a few seconds.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// How many of the child's last stderr lines are kept to explain an early end.
const STDERR_LINES_KEPT: usize = 20;
/// The most of `/_sandbox/info` read: a few origins and names.
const MAX_INFO_BODY: usize = 64 << 10;
/// The most of `/_sandbox/log` read: its 500 entries with bodies cut to 4 KiB, escaped.
const MAX_LOG_BODY: usize = 8 << 20;

/// What the sandbox child is started with.
#[derive(Debug, Clone, Default)]
pub struct SandboxSettings {
    /// Port of the Webex origin on 127.0.0.1; 0 for any free one (the local Entra then takes any
    /// free one too, else the next port).
    pub port: u16,
    /// Sign this account in without a form.
    pub auto_approve: Option<String>,
    /// Answer every sign-in with access_denied.
    pub auto_deny: bool,
    /// Users generated on the Webex side.
    pub seed_users: usize,
    /// The local Entra's provisioning cycle, in seconds (the sandbox's default when `None`).
    pub entra_cycle_seconds: Option<u64>,
    /// The local Entra refuses sign-ins from other than an approved browser (Conditional Access).
    pub entra_approved_browsers_only: bool,
}

impl SandboxSettings {
    /// The child's arguments after the CLI's path.
    pub fn args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = ["sandbox", "--json", "--until-stdin-closes", "--port"]
            .into_iter()
            .map(OsString::from)
            .collect();
        args.push(self.port.to_string().into());
        args.push("--seed".into());
        args.push(self.seed_users.to_string().into());
        if let Some(email) = &self.auto_approve {
            // One argument, so that a value starting with "-" is never read as a flag.
            args.push(format!("--auto-approve={email}").into());
        }
        if self.auto_deny {
            args.push("--auto-deny".into());
        }
        if let Some(cycle) = self.entra_cycle_seconds {
            args.push("--entra-cycle".into());
            args.push(cycle.to_string().into());
        }
        if self.entra_approved_browsers_only {
            args.push("--entra-approved-browsers-only".into());
        }
        args
    }
}

/// Why the sandbox child is not running.
#[derive(Debug, thiserror::Error)]
pub enum SandboxChildError {
    /// No CLI where it was looked for.
    #[error(
        "the sandbox runs as the scim-token command-line tool, which is not installed beside the app: looked for {}; install it there or name it in {CLI_VAR} (an absolute path)",
        if looked.is_empty() { "nothing (the app's own path is unknown)".to_owned() } else { looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" and ") }
    )]
    NoCli {
        /// Every path tried, in order.
        looked: Vec<PathBuf>,
    },
    /// The CLI could not be started.
    #[error("cannot start the sandbox ({cli}): {source}")]
    Spawn {
        /// The CLI's path.
        cli: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The child ended before it announced its origins.
    #[error("the sandbox ended before it was ready ({status}){}", stderr_tail(.stderr))]
    EndedEarly {
        /// Its exit status.
        status: String,
        /// Its last lines on stderr.
        stderr: Vec<String>,
    },
    /// The child did not announce its origins in time.
    #[error("the sandbox was not ready within {} s{}", .waited.as_secs(), stderr_tail(.stderr))]
    NotReady {
        /// How long it was given.
        waited: Duration,
        /// Its last lines on stderr.
        stderr: Vec<String>,
    },
    /// The child said something this version does not understand (a CLI of another version).
    #[error("the sandbox ({found}) answered what this app does not understand: {detail}")]
    Protocol {
        /// Where the CLI was found.
        found: String,
        /// What was wrong.
        detail: String,
    },
    /// The sandbox did not answer a request.
    #[error("the sandbox did not answer: {0}")]
    Request(String),
    /// The child ended after it had started.
    #[error("the sandbox stopped ({status}){}", stderr_tail(.stderr))]
    Ended {
        /// Its exit status.
        status: String,
        /// Its last lines on stderr.
        stderr: Vec<String>,
    },
}

fn stderr_tail(lines: &[String]) -> String {
    if lines.is_empty() {
        String::new()
    } else {
        format!(": {}", lines.join(" | "))
    }
}

/// The CLI to start: `explicit` (from [`CLI_VAR`]) when given, else the one in `beside` (the
/// directory of the running app), as the .deb, the Windows installer and zip, and `cargo build`
/// all place it. Only absolute paths are tried: a relative one would be looked up in `PATH` when
/// started, which is not the file checked here.
pub fn find_cli(explicit: Option<PathBuf>, beside: Option<&Path>) -> Result<PathBuf, SandboxChildError> {
    let candidates: Vec<PathBuf> = explicit
        .into_iter()
        .chain(beside.map(|dir| dir.join(CLI_FILE_NAME)))
        .collect();
    candidates
        .iter()
        .find(|path| path.is_absolute() && path.is_file())
        .cloned()
        .ok_or(SandboxChildError::NoCli { looked: candidates })
}

/// Where the sandbox answers, and a client to ask it.
#[derive(Debug, Clone)]
pub struct SandboxOrigins {
    /// The local Webex (ID broker, People, SCIM).
    pub base: Url,
    /// The local Entra (sign-in, Graph).
    pub entra_base: Url,
    /// The Webex org's Tenant URL.
    pub tenant_url: Url,
    http: reqwest::Client,
}

impl SandboxOrigins {
    /// Whether the app may sign in at `broker`: a sandbox broker only at this child's own
    /// origin (another process may hold the default port and play a broker), any other broker
    /// as it is. `running` is the app's child, when one runs.
    pub fn admit_broker(running: Option<&Self>, broker: &BrokerId) -> Result<(), ApiError> {
        let BrokerId::Sandbox { base } = broker else {
            return Ok(());
        };
        Self::admit(running, base, |o| &o.base, "sandbox")
    }

    /// Whether the app may sign in to (and send tokens to) `cloud`: a local Entra only at this
    /// child's own origin, a Microsoft cloud as it is.
    pub fn admit_cloud(running: Option<&Self>, cloud: &Cloud) -> Result<(), ApiError> {
        let Cloud::Local { base } = cloud else {
            return Ok(());
        };
        Self::admit(running, base, |o| &o.entra_base, "local Entra")
    }

    fn admit(
        running: Option<&Self>,
        asked: &Url,
        own: impl Fn(&Self) -> &Url,
        what: &str,
    ) -> Result<(), ApiError> {
        match running {
            Some(origins) if own(origins) == asked => Ok(()),
            Some(origins) => Err(ApiError::InvalidArgument(format!(
                "the {what} at {asked} is not the app's own (its sandbox runs at {}): the app signs in only at the sandbox it started, never at another program's on this computer",
                own(origins)
            ))),
            None => Err(ApiError::InvalidArgument(format!(
                "the app's sandbox is not running, so it does not sign in at the {what} at {asked}: another program may hold that port. Start the app with --sandbox"
            ))),
        }
    }
}

impl SandboxOrigins {
    /// The requests the sandbox served lately, oldest first.
    pub async fn log(&self) -> Result<Vec<SandboxRequest>, SandboxChildError> {
        let url = self
            .base
            .join("_sandbox/log")
            .map_err(|e| SandboxChildError::Request(e.to_string()))?;
        let response = self.http.get(url).send().await.map_err(request_failed)?;
        read_json(response.error_for_status().map_err(request_failed)?, MAX_LOG_BODY)
            .await
            .map_err(|e| SandboxChildError::Request(e.to_string()))
    }
}

fn request_failed(e: reqwest::Error) -> SandboxChildError {
    SandboxChildError::Request(e.without_url().to_string())
}

/// What the app reads from `/_sandbox/info`.
#[derive(Deserialize)]
struct Info {
    tenant_url: Url,
}

/// The running sandbox child. Dropping it (or [`SandboxChild::stop`]) ends the child.
#[derive(Debug)]
pub struct SandboxChild {
    child: Child,
    stdin: Option<ChildStdin>,
    origins: SandboxOrigins,
    stderr: StderrTail,
}

impl SandboxChild {
    /// Starts `cli` as the sandbox and waits until both origins listen.
    pub async fn start(cli: &Path, settings: &SandboxSettings) -> Result<Self, SandboxChildError> {
        let mut command = Command::new(cli);
        command
            .args(settings.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its log lines are kept and relayed as they are: no terminal colour codes.
            .env("NO_COLOR", "1")
            .kill_on_drop(true);
        // A console program started from a windowed one would open a console window of its own.
        #[cfg(windows)]
        command.creation_flags(windows_no_console_window());
        let mut child = command.spawn().map_err(|source| SandboxChildError::Spawn {
            cli: cli.to_path_buf(),
            source,
        })?;
        let mut stderr = StderrTail::read_from(&mut child);
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(READY_WITHIN, lines.next_line()).await;
        let line = match first {
            Ok(Ok(Some(line))) => line,
            Ok(_) => {
                let status = exit_status(&mut child, Some(Duration::from_secs(5))).await;
                return Err(SandboxChildError::EndedEarly {
                    status,
                    stderr: stderr.drained().await,
                });
            }
            Err(_) => {
                return Err(SandboxChildError::NotReady {
                    waited: READY_WITHIN,
                    stderr: stderr.so_far(),
                });
            }
        };
        let protocol = |detail: String| SandboxChildError::Protocol {
            found: cli.display().to_string(),
            detail,
        };
        let announced: Announcement = serde_json::from_str(&line)
            .map_err(|e| protocol(format!("its first line is not the origins: {e}")))?;
        for origin in [&announced.base, &announced.entra_base] {
            if !is_loopback_origin(origin) {
                return Err(protocol(format!("{origin} is not an http origin on 127.0.0.1")));
            }
        }
        // Nothing else comes on stdout; read it to the end so the child never blocks on it.
        let mut rest = lines.into_inner();
        tokio::spawn(async move { tokio::io::copy(&mut rest, &mut tokio::io::sink()).await });
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SandboxChildError::Request(e.to_string()))?;
        let info_url = announced
            .base
            .join("_sandbox/info")
            .map_err(|e| protocol(e.to_string()))?;
        let response = http.get(info_url).send().await.map_err(request_failed)?;
        let info: Info = read_json(response, MAX_INFO_BODY)
            .await
            .map_err(|e| protocol(format!("its /_sandbox/info: {e}")))?;
        if !info.tenant_url.as_str().starts_with(announced.base.as_str()) {
            return Err(protocol(format!(
                "its Tenant URL {} is not on its own origin",
                info.tenant_url
            )));
        }
        let stdin = child.stdin.take();
        Ok(Self {
            child,
            stdin,
            origins: SandboxOrigins {
                base: announced.base,
                entra_base: announced.entra_base,
                tenant_url: info.tenant_url,
                http,
            },
            stderr,
        })
    }

    /// Waits until the child ends by itself, and says how.
    pub async fn ended(mut self) -> SandboxChildError {
        let status = exit_status(&mut self.child, None).await;
        SandboxChildError::Ended {
            status,
            stderr: self.stderr.drained().await,
        }
    }

    /// Where it answers.
    pub fn origins(&self) -> &SandboxOrigins {
        &self.origins
    }

    /// The child's process ID.
    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    /// Closes its stdin, which stops it, and waits (killing it after 5 s).
    pub async fn stop(mut self) -> Option<ExitStatus> {
        drop(self.stdin.take());
        match tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await {
            Ok(status) => status.ok(),
            Err(_) => {
                let _ = self.child.kill().await;
                None
            }
        }
    }
}

#[cfg(windows)]
fn windows_no_console_window() -> u32 {
    // CREATE_NO_WINDOW, from the Win32 process creation flags.
    0x0800_0000
}

/// The child's stderr, read in the background: each line logged, the last ones kept (lines that are
/// not UTF-8 are kept lossily, never a reason to stop reading).
#[derive(Debug)]
struct StderrTail {
    kept: Arc<Mutex<VecDeque<String>>>,
    reader: Option<tokio::task::JoinHandle<()>>,
}

impl StderrTail {
    fn read_from(child: &mut Child) -> Self {
        let kept = Arc::new(Mutex::new(VecDeque::new()));
        let reader = child.stderr.take().map(|stderr| {
            let kept = Arc::clone(&kept);
            tokio::spawn(async move {
                let mut reader = BufReader::new(stderr);
                let mut bytes = Vec::new();
                while reader.read_until(b'\n', &mut bytes).await.is_ok_and(|n| n > 0) {
                    let line = String::from_utf8_lossy(&bytes).trim_end().to_owned();
                    bytes.clear();
                    tracing::info!(target: "sandbox", "{line}");
                    let mut kept = kept.lock().unwrap_or_else(|p| p.into_inner());
                    if kept.len() == STDERR_LINES_KEPT {
                        kept.pop_front();
                    }
                    kept.push_back(line);
                }
            })
        });
        Self { kept, reader }
    }

    /// The lines kept so far (the child may still be writing).
    fn so_far(&self) -> Vec<String> {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// The last lines once the child has ended: its stderr is read to the end (for at most a
    /// second: a grandchild could hold it open).
    async fn drained(&mut self) -> Vec<String> {
        if let Some(reader) = self.reader.take() {
            let _ = tokio::time::timeout(Duration::from_secs(1), reader).await;
        }
        self.so_far()
    }
}

/// How the child ended, waiting for it at most `limit` when given.
async fn exit_status(child: &mut Child, limit: Option<Duration>) -> String {
    let waited = match limit {
        Some(limit) => tokio::time::timeout(limit, child.wait()).await,
        None => Ok(child.wait().await),
    };
    match waited {
        Ok(Ok(status)) => status.to_string(),
        Ok(Err(e)) => format!("cannot tell: {e}"),
        Err(_) => "still running, but its output closed".to_owned(),
    }
}

/// Whether `url` is `http://127.0.0.1:<port>/`, the only place a sandbox listens.
fn is_loopback_origin(url: &Url) -> bool {
    url.scheme() == "http"
        && url.host() == Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
        && url.port().is_some_and(|p| p != 0)
        && url.path() == "/"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_childs_own_origins_are_trusted() {
        let url = |s: &str| Url::parse(s).unwrap();
        let origins = SandboxOrigins {
            base: url("http://127.0.0.1:41234/"),
            entra_base: url("http://127.0.0.1:41235/"),
            tenant_url: url("http://127.0.0.1:41234/identity/scim/o/v2/"),
            http: reqwest::Client::new(),
        };
        let broker = |base: &str| BrokerId::Sandbox { base: url(base) };
        let cloud = |base: &str| Cloud::Local { base: url(base) };
        assert!(SandboxOrigins::admit_broker(Some(&origins), &broker("http://127.0.0.1:41234/")).is_ok());
        assert!(SandboxOrigins::admit_cloud(Some(&origins), &cloud("http://127.0.0.1:41235/")).is_ok());
        let elsewhere =
            SandboxOrigins::admit_broker(Some(&origins), &broker("http://127.0.0.1:8900/")).unwrap_err();
        assert!(elsewhere.to_string().contains("not the app's own"), "{elsewhere}");
        assert!(SandboxOrigins::admit_cloud(Some(&origins), &cloud("http://127.0.0.1:8901/")).is_err());
        let none = SandboxOrigins::admit_broker(None, &broker("http://127.0.0.1:8900/")).unwrap_err();
        assert!(none.to_string().contains("not running"), "{none}");
        assert!(SandboxOrigins::admit_cloud(None, &cloud("http://127.0.0.1:8901/")).is_err());
        for real in [BrokerId::Webex, BrokerId::Government] {
            assert!(SandboxOrigins::admit_broker(None, &real).is_ok());
        }
        assert!(SandboxOrigins::admit_cloud(None, &Cloud::Global).is_ok());
    }

    #[test]
    fn the_child_is_asked_for_json_and_to_end_with_its_parent() {
        let settings = SandboxSettings {
            port: 0,
            auto_approve: Some("admin@sandbox.example".into()),
            seed_users: 25,
            entra_cycle_seconds: Some(5),
            entra_approved_browsers_only: true,
            ..SandboxSettings::default()
        };
        let args: Vec<String> = settings
            .args()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args.join(" "),
            "sandbox --json --until-stdin-closes --port 0 --seed 25 --auto-approve=admin@sandbox.example \
             --entra-cycle 5 --entra-approved-browsers-only"
        );
    }

    #[test]
    fn the_cli_named_in_the_variable_comes_first_then_the_one_beside_the_app() {
        let dir = tempfile::tempdir().unwrap();
        let beside = dir.path().join(CLI_FILE_NAME);
        let named = dir.path().join("elsewhere");
        match find_cli(Some(named.clone()), Some(dir.path())) {
            Err(SandboxChildError::NoCli { looked }) => assert_eq!(looked, [named.clone(), beside.clone()]),
            other => panic!("expected NoCli, got {other:?}"),
        }
        std::fs::write(&beside, "").unwrap();
        assert_eq!(find_cli(Some(named.clone()), Some(dir.path())).unwrap(), beside);
        std::fs::write(&named, "").unwrap();
        assert_eq!(find_cli(Some(named.clone()), Some(dir.path())).unwrap(), named);
    }

    /// A relative path would be found in the working directory here but started from `PATH`.
    #[test]
    fn only_absolute_paths_are_started() {
        let relative = PathBuf::from("Cargo.toml");
        assert!(relative.is_file(), "the test runs in the crate's directory");
        assert!(matches!(
            find_cli(Some(relative), None),
            Err(SandboxChildError::NoCli { .. })
        ));
        let message = find_cli(None, None).unwrap_err().to_string();
        assert!(message.contains("the app's own path is unknown"), "{message}");
    }

    #[test]
    fn only_http_origins_on_127_0_0_1_are_taken() {
        let origin = |s: &str| Url::parse(s).unwrap();
        assert!(is_loopback_origin(&origin("http://127.0.0.1:8900/")));
        for bad in [
            "https://127.0.0.1:8900/",
            "http://localhost:8900/",
            "http://10.0.0.1:8900/",
            "http://127.0.0.1:8900/x/",
            "http://[::1]:8900/",
        ] {
            assert!(!is_loopback_origin(&origin(bad)), "{bad}");
        }
    }

    #[test]
    fn a_missing_cli_says_where_it_looked_and_what_to_do() {
        let message = SandboxChildError::NoCli {
            looked: vec![PathBuf::from("/opt/scim-token/scim-token")],
        }
        .to_string();
        assert!(message.contains("/opt/scim-token/scim-token"), "{message}");
        assert!(message.contains(CLI_VAR), "{message}");
    }
}
