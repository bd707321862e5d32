//! Starting a sandbox on loopback and stopping it: the one way tests, the CLI and the desktop
//! app run a sandbox on a socket.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use std::future::IntoFuture;

use crate::{Sandbox, SandboxConfig, SandboxError};

impl Sandbox {
    /// Builds a sandbox from `config` and serves it in background Tokio tasks: the Webex side on
    /// `127.0.0.1:port` (0: any free port) and the local Entra on its own port
    /// (`config.entra.port`, by default `port + 1`, or any free port when `port` is 0), with the
    /// Entra provisioning scheduler, until [`RunningSandbox::stop`] or the handle is dropped.
    ///
    /// Must be awaited on a Tokio runtime. Fails with [`SandboxError::Data`] when the data file
    /// cannot be used and [`SandboxError::AddrInUse`], [`SandboxError::PortDenied`] or
    /// [`SandboxError::Listen`] when a port cannot be bound.
    pub async fn start(mut config: SandboxConfig, port: u16) -> Result<RunningSandbox, SandboxError> {
        config.entra.cycle = config
            .entra
            .cycle
            .clamp(std::time::Duration::from_secs(1), crate::entra::LONGEST_CYCLE);
        let longest = crate::entra::LONGEST_DEVICE_CODE_SETTING;
        config.entra.device_code_lifetime = config
            .entra
            .device_code_lifetime
            .clamp(time::Duration::seconds(1), longest);
        config.entra.device_code_interval = config
            .entra
            .device_code_interval
            .clamp(time::Duration::ZERO, longest);
        let entra_port = config
            .entra
            .port
            .unwrap_or(if port == 0 { 0 } else { port.saturating_add(1) });
        let sandbox = Self::new(config)?;
        let (listener, addr, base) = bind(port).await?;
        let (entra_listener, entra_addr, entra_base) = bind(entra_port).await?;
        let _ = sandbox.state.webex_base.set(base.clone());
        let _ = sandbox.state.entra_base.set(entra_base.clone());
        let (stop, stopped) = watch::channel(());
        let shutdown = |mut stopped: watch::Receiver<()>| async move {
            // A dropped sender (the handle dropped) stops the servers as well.
            let _ = stopped.changed().await;
        };
        let webex = axum::serve(listener, sandbox.router()).with_graceful_shutdown(shutdown(stopped.clone()));
        let entra =
            axum::serve(entra_listener, sandbox.entra_router()).with_graceful_shutdown(shutdown(stopped));
        let server = tokio::spawn(async move {
            let (webex, entra) = tokio::join!(webex.into_future(), entra.into_future());
            webex.and(entra)
        });
        let scheduler = tokio::spawn(crate::entra::run_scheduler(sandbox.state.clone()));
        Ok(RunningSandbox {
            sandbox,
            base,
            addr,
            entra_base,
            entra_addr,
            stop: Some(stop),
            server,
            scheduler,
        })
    }
}

/// Binds `127.0.0.1:port`; returns the listener, its address and its root URL.
async fn bind(port: u16) -> Result<(TcpListener, SocketAddr, Url), SandboxError> {
    let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = TcpListener::bind(wanted)
        .await
        .map_err(|e| SandboxError::listen(wanted, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| SandboxError::listen(wanted, e))?;
    let base = Url::parse(&format!("http://{addr}/")).expect("a socket address makes a URL");
    Ok((listener, addr, base))
}

/// A sandbox serving on loopback. Dropping it stops the servers (without waiting for them); call
/// [`stop`](Self::stop) to wait until open requests are answered and the ports are free.
pub struct RunningSandbox {
    sandbox: Sandbox,
    base: Url,
    addr: SocketAddr,
    entra_base: Url,
    entra_addr: SocketAddr,
    stop: Option<watch::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    scheduler: JoinHandle<()>,
}

impl RunningSandbox {
    /// The Webex side's root URL, e.g. `http://127.0.0.1:8900/`: the broker base and the log at
    /// `_sandbox/log`.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The Webex side's bound address (the actual port when started with 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The local Entra's root URL, e.g. `http://127.0.0.1:8901/`: the login base
    /// (`{tenant}/oauth2/v2.0/…`) and the Graph base (`v1.0/…`).
    pub fn entra_base(&self) -> &Url {
        &self.entra_base
    }

    /// The local Entra's bound address.
    pub fn entra_addr(&self) -> SocketAddr {
        self.entra_addr
    }

    /// The sandbox being served: its config, accounts, tokens and request log.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Stops accepting connections, lets open requests finish, and returns once the servers
    /// have stopped and the ports are free.
    pub async fn stop(mut self) -> Result<(), SandboxError> {
        self.stop.take();
        self.scheduler.abort();
        ended((&mut self.server).await)
    }

    /// Serves until `shutdown` completes (e.g. Ctrl-C), then stops as [`stop`](Self::stop) does.
    /// Returns early with the error if a server fails on its own.
    pub async fn serve_until(mut self, shutdown: impl Future<Output = ()>) -> Result<(), SandboxError> {
        let failed = tokio::select! {
            () = shutdown => None,
            result = &mut self.server => Some(result),
        };
        match failed {
            None => self.stop().await,
            // The task is done: nothing left to stop or wait for.
            Some(result) => {
                self.scheduler.abort();
                ended(result)
            }
        }
    }
}

/// What the server task's end means for the caller.
fn ended(result: Result<std::io::Result<()>, tokio::task::JoinError>) -> Result<(), SandboxError> {
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(SandboxError::Serve(e)),
        Err(e) => Err(SandboxError::Task(e)),
    }
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("base", &self.base.as_str())
            .field("entra_base", &self.entra_base.as_str())
            .field("stopping", &self.stop.is_none())
            .finish_non_exhaustive()
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.stop.take();
        self.scheduler.abort();
    }
}
