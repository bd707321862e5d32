//! The bundled sandbox, run inside the app on 127.0.0.1.

use scim_token_core::{Broker, BrokerId, ErrorKind};
use scim_token_sandbox::{Origin, Sandbox, SandboxConfig};
use serde::Serialize;

use crate::error::CommandError;
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
    /// `webex` or `entra`.
    origin: String,
    method: String,
    path: String,
    status: u16,
    latency_ms: f64,
}

/// Starts the sandbox on `port` (0: any free port). It runs until the app exits.
pub(crate) async fn start(
    shared: &Shared,
    port: u16,
    auto_approve: Option<String>,
    auto_deny: bool,
    entra_cycle: std::time::Duration,
) -> Result<(), CommandError> {
    let config = SandboxConfig {
        auto_approve,
        auto_deny,
        seed_users: SEED_USERS,
        entra: scim_token_sandbox::EntraConfig {
            cycle: entra_cycle,
            ..Default::default()
        },
        ..SandboxConfig::default()
    };
    let running = Sandbox::start(config, port)
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

pub(crate) fn log(shared: &Shared) -> Vec<LogLine> {
    lock(&shared.sandbox)
        .as_ref()
        .map(|s| {
            s.sandbox()
                .log()
                .into_iter()
                .map(|e| LogLine {
                    origin: match e.origin {
                        Origin::Webex => "webex".into(),
                        Origin::Entra => "entra".into(),
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
