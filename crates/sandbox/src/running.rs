//! Starting a sandbox on loopback and stopping it: the one way tests, the CLI and the desktop
//! app run a sandbox on a socket.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::{Sandbox, SandboxConfig, SandboxError};

impl Sandbox {
    /// Builds a sandbox from `config` and serves it on `127.0.0.1:port` (0: any free port) in a
    /// background Tokio task, until [`RunningSandbox::stop`] or the handle is dropped.
    ///
    /// Must be awaited on a Tokio runtime. Fails with [`SandboxError::Data`] when the data file
    /// cannot be used and [`SandboxError::AddrInUse`], [`SandboxError::PortDenied`] or
    /// [`SandboxError::Listen`] when the port cannot be bound.
    pub async fn start(config: SandboxConfig, port: u16) -> Result<RunningSandbox, SandboxError> {
        let sandbox = Self::new(config)?;
        let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = TcpListener::bind(wanted)
            .await
            .map_err(|e| SandboxError::listen(wanted, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| SandboxError::listen(wanted, e))?;
        let base = Url::parse(&format!("http://{addr}/")).expect("a socket address makes a URL");
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(sandbox.clone().serve(listener, async {
            // A dropped sender (the handle dropped) stops the server as well.
            let _ = stopped.await;
        }));
        Ok(RunningSandbox {
            sandbox,
            base,
            addr,
            stop: Some(stop),
            server,
        })
    }
}

/// A sandbox serving on loopback. Dropping it stops the server (without waiting for it); call
/// [`stop`](Self::stop) to wait until open requests are answered and the port is free.
pub struct RunningSandbox {
    sandbox: Sandbox,
    base: Url,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
}

impl RunningSandbox {
    /// The root URL, e.g. `http://127.0.0.1:8900/`: the broker base and the log at `_sandbox/log`.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The bound address (the actual port when started with 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The sandbox being served: its config, accounts, tokens and request log.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Stops accepting connections, lets open requests finish, and returns once the server has
    /// stopped and the port is free.
    pub async fn stop(mut self) -> Result<(), SandboxError> {
        self.stop.take();
        ended((&mut self.server).await)
    }

    /// Serves until `shutdown` completes (e.g. Ctrl-C), then stops as [`stop`](Self::stop) does.
    /// Returns early with the error if the server fails on its own.
    pub async fn serve_until(mut self, shutdown: impl Future<Output = ()>) -> Result<(), SandboxError> {
        let failed = tokio::select! {
            () = shutdown => None,
            result = &mut self.server => Some(result),
        };
        match failed {
            None => self.stop().await,
            // The task is done: nothing left to stop or wait for.
            Some(result) => ended(result),
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
            .field("stopping", &self.stop.is_none())
            .finish_non_exhaustive()
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
