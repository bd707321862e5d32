//! The sandbox, run as a child process (`scim-token sandbox`, the CLI shipped beside the app;
//! core's `sandbox_child`) on 127.0.0.1, so the app's binary carries none of it.

use scim_token_core::entra::Cloud;
use scim_token_core::entra::cloud::sandbox_default_base;
use scim_token_core::sandbox_child::{
    CLI_VAR, SandboxChild, SandboxChildError, SandboxOrigin, SandboxOrigins, SandboxSettings, find_cli,
};
use scim_token_core::{BrokerId, ErrorKind};
use serde::Serialize;

use crate::error::CommandError;
use crate::ipc::Choice;
use crate::options::Options;
use crate::state::{Shared, lock};

/// Users the sandbox starts with, so the Azure side has something to match.
const SEED_USERS: usize = 25;

/// The sandbox as the app has it.
#[derive(Debug, Default)]
pub(crate) enum SandboxState {
    /// Not asked for.
    #[default]
    Off,
    /// Running; the child ends with the app.
    Running(Box<SandboxChild>),
    /// Asked for, but it did not start: why, in words.
    Failed(String),
}

impl SandboxState {
    fn origins(&self) -> Option<&SandboxOrigins> {
        match self {
            Self::Running(child) => Some(child.origins()),
            _ => None,
        }
    }
}

/// What the UI shows about the sandbox.
#[derive(Debug, Serialize, specta::Type)]
pub(crate) struct SandboxInfo {
    running: bool,
    base: Option<String>,
    tenant_url: Option<String>,
    /// The local Entra's root (sign-in and Graph).
    entra_base: Option<String>,
    /// Why the sandbox asked for did not start (for example: where the CLI was looked for).
    problem: Option<String>,
}

/// One request the sandbox served (at either origin), as the UI lists it (the sandbox redacts
/// tokens, codes, passwords and secrets).
#[derive(Debug, Serialize, specta::Type)]
pub(crate) struct LogLine {
    /// Which of the sandbox's two origins served it.
    origin: LogOrigin,
    method: String,
    path: String,
    status: u16,
    latency_ms: f64,
}

/// The sandbox's two origins.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum LogOrigin {
    /// The local Webex (ID broker, People, SCIM).
    Webex,
    /// The local Entra (sign-in, Graph).
    Entra,
}

/// Starts the sandbox child as `options` say (its port, 0: any free one; auto-approval; the
/// local Entra's cycle and policy), from the CLI beside the app or the one `SCIM_TOKEN_CLI` names.
/// It runs until the app exits; when it cannot start, the sandbox panel says why.
pub(crate) async fn start(shared: &Shared, options: &Options) {
    let settings = SandboxSettings {
        port: options.sandbox_port,
        auto_approve: options.sandbox_auto_approve.clone(),
        auto_deny: options.sandbox_auto_deny,
        seed_users: SEED_USERS,
        entra_cycle_seconds: options.sandbox_entra_cycle,
        entra_approved_browsers_only: options.sandbox_entra_approved_browsers_only,
    };
    let state = match start_child(&settings).await {
        Ok(child) => {
            tracing::info!(pid = ?child.id(), base = %child.origins().base, "sandbox started");
            SandboxState::Running(Box::new(child))
        }
        Err(e) => {
            tracing::error!("the sandbox did not start: {e}");
            SandboxState::Failed(e.to_string())
        }
    };
    *lock(&shared.sandbox) = state;
}

async fn start_child(settings: &SandboxSettings) -> Result<SandboxChild, SandboxChildError> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_default();
    let cli = find_cli(std::env::var_os(CLI_VAR).map(Into::into), &beside)?;
    SandboxChild::start(&cli, settings).await
}

/// The broker to sign in with: a sandbox means the embedded one when it runs.
pub(crate) fn resolve_broker(shared: &Shared, broker: BrokerId) -> Result<BrokerId, CommandError> {
    if let BrokerId::Sandbox { .. } = broker
        && let Some(origins) = lock(&shared.sandbox).origins()
    {
        return Ok(BrokerId::Sandbox {
            base: origins.base.clone(),
        });
    }
    Ok(broker)
}

pub(crate) fn info(shared: &Shared) -> SandboxInfo {
    let state = lock(&shared.sandbox);
    let origins = state.origins();
    SandboxInfo {
        running: origins.is_some(),
        base: origins.map(|o| o.base.to_string()),
        tenant_url: origins.map(|o| o.tenant_url.to_string()),
        entra_base: origins.map(|o| o.entra_base.to_string()),
        problem: match &*state {
            SandboxState::Failed(why) => Some(why.clone()),
            _ => None,
        },
    }
}

/// The brokers and clouds to sign in at, with their words: the sandbox's are the app's own when
/// it runs, else those of a `scim-token sandbox` on its default ports.
pub(crate) fn choices(shared: &Shared) -> Choices {
    let running = lock(&shared.sandbox)
        .origins()
        .map(|o| (o.base.clone(), o.entra_base.clone()));
    let (sandbox, local_entra) = running.clone().unwrap_or_else(|| {
        (
            match BrokerId::sandbox_default() {
                BrokerId::Sandbox { base } => base,
                _ => unreachable!("the sandbox default is a sandbox"),
            },
            sandbox_default_base(),
        )
    });
    let broker = |key, label: &str, value| Choice {
        key,
        label: label.to_owned(),
        value,
    };
    Choices {
        brokers: vec![
            broker("webex", "Webex", BrokerId::Webex),
            broker("gov", "Webex for Government (FedRAMP)", BrokerId::Government),
            broker(
                "sandbox",
                "Local sandbox (offline)",
                BrokerId::Sandbox { base: sandbox },
            ),
        ],
        clouds: vec![
            Choice {
                key: "global",
                label: "Global (also GCC)".into(),
                value: Cloud::Global,
            },
            Choice {
                key: "usgov",
                label: "US Government (GCC High)".into(),
                value: Cloud::Usgov,
            },
            Choice {
                key: "dod",
                label: "US Government (DoD)".into(),
                value: Cloud::Dod,
            },
            Choice {
                key: "sandbox",
                label: "Local Entra (sandbox)".into(),
                value: Cloud::Local { base: local_entra },
            },
        ],
        preferred: if running.is_some() { "sandbox" } else { "webex" },
    }
}

/// What the sign-in forms offer.
#[derive(Debug, Serialize, specta::Type)]
pub(crate) struct Choices {
    pub(crate) brokers: Vec<Choice<BrokerId>>,
    pub(crate) clouds: Vec<Choice<Cloud>>,
    /// The broker chosen at first: the app's sandbox when it runs.
    pub(crate) preferred: &'static str,
}

/// The sandbox's recent requests (none when it does not run).
pub(crate) async fn log(shared: &Shared) -> Result<Vec<LogLine>, CommandError> {
    let Some(origins) = lock(&shared.sandbox).origins().cloned() else {
        return Ok(Vec::new());
    };
    let requests = origins
        .log()
        .await
        .map_err(|e| CommandError::new(ErrorKind::Sandbox, e.to_string()))?;
    Ok(requests
        .into_iter()
        .map(|r| LogLine {
            origin: match r.origin {
                SandboxOrigin::Webex => LogOrigin::Webex,
                SandboxOrigin::Entra => LogOrigin::Entra,
            },
            method: r.method,
            path: r.path,
            status: r.status,
            latency_ms: r.latency_ms,
        })
        .collect())
}
