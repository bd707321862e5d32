//! The sandbox, run as a child process (`scim-token sandbox`, the CLI shipped beside the app;
//! core's `sandbox_child`) on 127.0.0.1, so the app's binary carries none of it.

use std::sync::Arc;

use scim_token_core::entra::Cloud;
use scim_token_core::sandbox_child::{
    CLI_VAR, SandboxChild, SandboxChildError, SandboxOrigins, SandboxSettings, find_cli,
};
use scim_token_core::{BrokerId, ErrorKind, TokenRecord};
use serde::Serialize;

use crate::error::CommandError;
use crate::ipc::Choice;
use crate::options::Options;

/// Users the sandbox starts with, so the Azure side has something to match.
const SEED_USERS: usize = 25;

/// The sandbox as the app has it.
#[derive(Debug, Default)]
pub(crate) enum SandboxState {
    /// Not asked for.
    #[default]
    Off,
    /// Asked for, and starting: commands that need it wait ([`settled`]).
    Starting,
    /// Running at these origins; the child itself is owned by the task that watches it end.
    Running(Box<SandboxOrigins>),
    /// Asked for, but it did not start or it stopped: why, in words.
    Failed(String),
}

/// The sandbox's state, and a wake-up for commands waiting while it starts.
#[derive(Debug, Default)]
pub(crate) struct SandboxSlot {
    state: std::sync::Mutex<SandboxState>,
    /// Woken whenever `state` changes.
    settled: tokio::sync::Notify,
}

impl SandboxSlot {
    fn state(&self) -> std::sync::MutexGuard<'_, SandboxState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SandboxState {
    fn origins(&self) -> Option<&SandboxOrigins> {
        match self {
            Self::Running(origins) => Some(origins),
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
    /// Which of the sandbox's two origins served it, in a word ("Webex", "Entra").
    origin: &'static str,
    method: String,
    path: String,
    status: u16,
    latency_ms: f64,
}

/// Starts the sandbox child as `options` say (its port, 0: any free one; auto-approval; the
/// local Entra's cycle and policy), from the CLI beside the app or the one `SCIM_TOKEN_CLI` names,
/// without holding up the window: the state is `Starting` until it runs or fails. It runs until
/// the app exits; if it stops before, or cannot start, the sandbox panel says why.
pub(crate) fn start(slot: Arc<SandboxSlot>, options: &Options) {
    let settings = SandboxSettings {
        port: options.sandbox_port,
        auto_approve: options.sandbox_auto_approve.clone(),
        auto_deny: options.sandbox_auto_deny,
        seed_users: SEED_USERS,
        entra_cycle_seconds: options.sandbox_entra_cycle,
        entra_approved_browsers_only: options.sandbox_entra_approved_browsers_only,
    };
    set_state(&slot, SandboxState::Starting);
    tauri::async_runtime::spawn(async move {
        let child = match start_child(&settings).await {
            Ok(child) => child,
            Err(e) => {
                tracing::error!("the sandbox did not start: {e}");
                return set_state(&slot, SandboxState::Failed(e.to_string()));
            }
        };
        tracing::info!(pid = ?child.id(), base = %child.origins().base, "sandbox started");
        set_state(&slot, SandboxState::Running(Box::new(child.origins().clone())));
        let ended = child.ended().await;
        tracing::error!("{ended}");
        set_state(&slot, SandboxState::Failed(ended.to_string()));
    });
}

fn set_state(slot: &SandboxSlot, state: SandboxState) {
    *slot.state() = state;
    slot.settled.notify_waiters();
}

/// Waits while the sandbox is starting (bounded by the child's own start limit).
pub(crate) async fn settled(slot: &SandboxSlot) {
    loop {
        // Created before the check, so a change between the two still wakes it.
        let changed = slot.settled.notified();
        if !matches!(*slot.state(), SandboxState::Starting) {
            return;
        }
        changed.await;
    }
}

async fn start_child(settings: &SandboxSettings) -> Result<SandboxChild, SandboxChildError> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf));
    let named = std::env::var_os(CLI_VAR)
        .filter(|v| !v.is_empty())
        .map(Into::into);
    let cli = find_cli(named, beside.as_deref())?;
    SandboxChild::start(&cli, settings).await
}

/// The broker to sign in with: a sandbox means the app's own when it runs.
pub(crate) async fn resolve_broker(slot: &SandboxSlot, broker: BrokerId) -> Result<BrokerId, CommandError> {
    settled(slot).await;
    if let BrokerId::Sandbox { .. } = broker
        && let Some(origins) = slot.state().origins()
    {
        return Ok(BrokerId::Sandbox {
            base: origins.base.clone(),
        });
    }
    Ok(broker)
}

/// Whether the sandbox runs and where, or why not (once it has started or failed).
pub(crate) async fn info(slot: &SandboxSlot) -> SandboxInfo {
    settled(slot).await;
    let state = slot.state();
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

/// The brokers and clouds to sign in at, with their words: the sandbox and its local Entra only
/// at the origins the app's own running child announced (never at a default port another
/// program may hold), so not at all while it does not run.
pub(crate) async fn choices(slot: &SandboxSlot) -> Choices {
    settled(slot).await;
    let running = slot
        .state()
        .origins()
        .map(|o| (o.base.clone(), o.entra_base.clone()));
    let broker = |key, value: BrokerId| Choice {
        key,
        label: value.choice_label().to_owned(),
        value,
    };
    let mut brokers = vec![
        broker("webex", BrokerId::Webex),
        broker("gov", BrokerId::Government),
    ];
    let cloud = |key, value: Cloud| Choice {
        key,
        label: value.choice_label().to_owned(),
        value,
    };
    let mut clouds = vec![
        cloud("global", Cloud::Global),
        cloud("usgov", Cloud::Usgov),
        cloud("dod", Cloud::Dod),
    ];
    if let Some((sandbox, local_entra)) = &running {
        brokers.push(broker(
            "sandbox",
            BrokerId::Sandbox {
                base: sandbox.clone(),
            },
        ));
        clouds.push(cloud(
            "sandbox",
            Cloud::Local {
                base: local_entra.clone(),
            },
        ));
    }
    Choices {
        brokers,
        clouds,
        preferred: if running.is_some() { "sandbox" } else { "webex" },
    }
}

/// Refuses a record whose broker, or any linked job's cloud, is a sandbox origin the app's own
/// child did not announce: nothing of it may be sent there.
pub(crate) async fn admit_record(slot: &SandboxSlot, record: &TokenRecord) -> Result<(), CommandError> {
    admit(slot, Some(&record.broker), None).await?;
    for link in &record.entra_links {
        admit(slot, None, Some(&link.target.cloud)).await?;
    }
    Ok(())
}

/// Refuses a sign-in (or a push) at a sandbox broker or local Entra the app's own child did not
/// announce.
pub(crate) async fn admit(
    slot: &SandboxSlot,
    broker: Option<&BrokerId>,
    cloud: Option<&Cloud>,
) -> Result<(), CommandError> {
    settled(slot).await;
    let state = slot.state();
    let running = state.origins();
    if let Some(broker) = broker {
        SandboxOrigins::admit_broker(running, broker)?;
    }
    if let Some(cloud) = cloud {
        SandboxOrigins::admit_cloud(running, cloud)?;
    }
    Ok(())
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
pub(crate) async fn log(slot: &SandboxSlot) -> Result<Vec<LogLine>, CommandError> {
    settled(slot).await;
    let Some(origins) = slot.state().origins().cloned() else {
        return Ok(Vec::new());
    };
    let requests = origins
        .log()
        .await
        .map_err(|e| CommandError::new(ErrorKind::Sandbox, e.to_string()))?;
    Ok(requests
        .into_iter()
        .map(|r| LogLine {
            origin: r.origin.label(),
            method: r.method,
            path: r.path,
            status: r.status,
            latency_ms: r.latency_ms,
        })
        .collect())
}
