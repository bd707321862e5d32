//! The bundled sandbox, run inside the app on 127.0.0.1.

use scim_token_core::entra::Cloud;
use scim_token_core::entra::cloud::sandbox_default_base;
use scim_token_core::{Broker, BrokerId, ErrorKind};
use scim_token_sandbox::{Origin, Sandbox, SandboxConfig};
use serde::Serialize;

use crate::error::CommandError;
use crate::ipc::Choice;
use crate::options::Options;
use crate::state::{Shared, lock};

/// Users the embedded sandbox starts with, so the Azure side has something to match.
const SEED_USERS: usize = 25;

/// What the UI shows about the sandbox.
#[derive(Debug, Serialize, specta::Type)]
pub(crate) struct SandboxInfo {
    running: bool,
    base: Option<String>,
    tenant_url: Option<String>,
    /// The local Entra's root (sign-in and Graph).
    entra_base: Option<String>,
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

/// Starts the sandbox as `options` say (its port, 0: any free one; auto-approval; the local
/// Entra's cycle and policy). It runs until the app exits.
pub(crate) async fn start(shared: &Shared, options: &Options) -> Result<(), CommandError> {
    let config = SandboxConfig {
        auto_approve: options.sandbox_auto_approve.clone(),
        auto_deny: options.sandbox_auto_deny,
        seed_users: SEED_USERS,
        entra: scim_token_sandbox::EntraConfig {
            cycle: std::time::Duration::from_secs(options.sandbox_entra_cycle),
            approved_browsers_only: options.sandbox_entra_approved_browsers_only,
            ..Default::default()
        },
        ..SandboxConfig::default()
    };
    let running = Sandbox::start(config, options.sandbox_port)
        .await
        .map_err(|e| CommandError::new(ErrorKind::Sandbox, e.to_string()))?;
    *lock(&shared.sandbox) = Some(running);
    Ok(())
}

/// The broker to sign in with: a sandbox means the embedded one when it runs.
pub(crate) fn resolve_broker(shared: &Shared, broker: BrokerId) -> Result<BrokerId, CommandError> {
    if let BrokerId::Sandbox { .. } = broker
        && let Some(running) = lock(&shared.sandbox).as_ref()
    {
        return Ok(BrokerId::Sandbox {
            base: running.base().clone(),
        });
    }
    Ok(broker)
}

pub(crate) fn info(shared: &Shared) -> SandboxInfo {
    match lock(&shared.sandbox).as_ref() {
        Some(running) => {
            let broker = Broker::resolve(&BrokerId::Sandbox {
                base: running.base().clone(),
            });
            SandboxInfo {
                running: true,
                base: Some(running.base().to_string()),
                tenant_url: Some(broker.tenant_url(running.sandbox().config().org_id).to_string()),
                entra_base: Some(running.entra_base().to_string()),
            }
        }
        None => SandboxInfo {
            running: false,
            base: None,
            tenant_url: None,
            entra_base: None,
        },
    }
}

/// The brokers and clouds to sign in at, with their words: the sandbox's are the embedded one's
/// when it runs, else those of a `scim-token sandbox` on its default ports.
pub(crate) fn choices(shared: &Shared) -> Choices {
    let running = lock(&shared.sandbox)
        .as_ref()
        .map(|r| (r.base().clone(), r.entra_base().clone()));
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
    /// The broker chosen at first: the embedded sandbox when it runs.
    pub(crate) preferred: &'static str,
}

pub(crate) fn log(shared: &Shared) -> Vec<LogLine> {
    lock(&shared.sandbox)
        .as_ref()
        .map(|s| {
            s.sandbox()
                .log()
                .into_iter()
                .map(|e| LogLine {
                    origin: match e.origin {
                        Origin::Webex => LogOrigin::Webex,
                        Origin::Entra => LogOrigin::Entra,
                    },
                    method: e.method,
                    path: e.path,
                    status: e.status,
                    latency_ms: e.latency_ms,
                })
                .collect()
        })
        .unwrap_or_default()
}
