//! The bundled sandbox, run inside the app on 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};

use scim_token_core::{Broker, BrokerId};
use scim_token_sandbox::{Sandbox, SandboxConfig};
use serde::Serialize;
use url::Url;

use crate::error::CommandError;
use crate::state::{Shared, lock};

/// A sandbox serving in the background.
pub(crate) struct RunningSandbox {
    pub(crate) sandbox: Sandbox,
    pub(crate) base: Url,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// What the UI shows about the sandbox.
#[derive(Debug, Serialize)]
pub(crate) struct SandboxInfo {
    running: bool,
    base: Option<String>,
    tenant_url: Option<String>,
}

/// Starts the sandbox on `port` (0: any free port).
pub(crate) async fn start(
    shared: &Shared,
    port: u16,
    auto_approve: Option<String>,
    auto_deny: bool,
) -> Result<(), CommandError> {
    let config = SandboxConfig {
        auto_approve,
        auto_deny,
        seed_users: 25,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::new(config).map_err(|e| CommandError::new("sandbox", e.to_string()))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CommandError::new("sandbox", format!("the sandbox cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CommandError::new("sandbox", e.to_string()))?;
    let base: Url = format!("http://{local}/")
        .parse()
        .expect("a socket address makes a URL");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = sandbox.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
        {
            tracing::error!("the sandbox stopped: {e}");
        }
    });
    *lock(&shared.sandbox) = Some(RunningSandbox {
        sandbox,
        base,
        _stop: stop,
    });
    Ok(())
}

/// The broker to sign in with: `sandbox` means the embedded one when it runs.
pub(crate) fn resolve_broker(shared: &Shared, name: &str) -> Result<BrokerId, CommandError> {
    if name == "sandbox"
        && let Some(running) = lock(&shared.sandbox).as_ref()
    {
        return Ok(BrokerId::Sandbox {
            base: running.base.clone(),
        });
    }
    name.parse()
        .map_err(|e: scim_token_core::broker::UnknownBroker| CommandError::new("broker", e.to_string()))
}

pub(crate) fn info(shared: &Shared) -> SandboxInfo {
    match lock(&shared.sandbox).as_ref() {
        Some(running) => {
            let broker = Broker::resolve(&BrokerId::Sandbox {
                base: running.base.clone(),
            });
            SandboxInfo {
                running: true,
                base: Some(running.base.to_string()),
                tenant_url: Some(broker.tenant_url(running.sandbox.config().org_id).to_string()),
            }
        }
        None => SandboxInfo {
            running: false,
            base: None,
            tenant_url: None,
        },
    }
}
