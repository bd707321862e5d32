//! The loopback listener that catches the broker's redirect to `http://localhost:3000/auth/code`.
//!
//! The token is in the URL fragment, which browsers never send to a server, so `GET /auth/code`
//! serves a small page whose script POSTs `location.hash` back to the same address. The listener
//! lives for one login: bound before the browser opens, shut down (port freed) after a capture,
//! a broker error, a cancel or the timeout.

mod page;
mod port_owner;
mod routes;

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use crate::authorize::PendingLogin;
use crate::callback::{CallbackError, CapturedToken};
use crate::loopback::{accept_loop, listen};

pub use port_owner::PortOwner;

/// The port in the registered redirect URI.
pub const REDIRECT_PORT: u16 = 3000;
/// How long a login may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Where and how long to listen.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// Addresses to bind; all must bind or the login does not start.
    pub addrs: Vec<SocketAddr>,
    /// Give up after this long.
    pub timeout: Duration,
}

impl Default for ListenerConfig {
    /// `127.0.0.1:3000` and `[::1]:3000`: `localhost` may resolve to either.
    fn default() -> Self {
        Self {
            addrs: vec![
                SocketAddr::from((Ipv4Addr::LOCALHOST, REDIRECT_PORT)),
                SocketAddr::from((Ipv6Addr::LOCALHOST, REDIRECT_PORT)),
            ],
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Why the listener gave no token.
#[derive(Debug, Error)]
pub enum ListenerError {
    /// Another program holds the port.
    #[error("port {} on {} is already in use{}: stop that program, or {}", .addr.port(), .addr.ip(), owner_text(.owner.as_ref()), PORT_BUSY_ADVICE)]
    PortInUse {
        /// The address that could not be bound.
        addr: SocketAddr,
        /// The process holding it, where the OS tells.
        owner: Option<PortOwner>,
    },
    /// Binding failed for another reason.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The broker answered with an error for this login (the `state` matched).
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// No redirect came in time.
    #[error("no sign-in arrived within {} seconds; start again and finish signing in in the browser", .0.as_secs())]
    Timeout(Duration),
    /// The login was cancelled.
    #[error("the sign-in was cancelled")]
    Cancelled,
}

const PORT_BUSY_ADVICE: &str =
    "sign in from the desktop app, which reads the redirect in its own window and does not need the port";

fn owner_text(owner: Option<&PortOwner>) -> String {
    match owner {
        Some(owner) => format!(" by {owner}"),
        // Windows keeps the closing connections of a recent sign-in for up to four minutes, and
        // the listener's exclusive port cannot be bound again until they are gone.
        None if cfg!(windows) => " (Windows does not say by which program; if none is running, connections of a recent sign-in may still be closing: try again in a few minutes)".to_owned(),
        None => String::new(),
    }
}

/// Cancels a running [`Listener`] from elsewhere (a Cancel button, Ctrl-C, the webview winning).
#[derive(Debug, Clone)]
pub struct CancelHandle(watch::Sender<bool>);

impl CancelHandle {
    /// Stops the listener; its `wait` returns [`ListenerError::Cancelled`].
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }
}

/// A bound listener waiting for one login's redirect.
#[derive(Debug)]
pub struct Listener {
    local_addrs: Vec<SocketAddr>,
    outcome: oneshot::Receiver<Result<CapturedToken, CallbackError>>,
    shutdown: watch::Sender<bool>,
    cancel: watch::Sender<bool>,
    servers: JoinSet<()>,
    timeout: Duration,
}

impl Listener {
    /// Binds every address in `config` for `pending`; fails without starting if any is taken.
    pub async fn bind(pending: PendingLogin, config: ListenerConfig) -> Result<Self, ListenerError> {
        let mut sockets = Vec::with_capacity(config.addrs.len());
        for addr in &config.addrs {
            match listen(*addr) {
                Ok(socket) => sockets.push(socket),
                Err(e) if !bind_failure_is_fatal(addr, e.kind()) => {
                    tracing::debug!("not listening on {addr}: {e}");
                }
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                    return Err(ListenerError::PortInUse {
                        addr: *addr,
                        owner: PortOwner::find(*addr),
                    });
                }
                Err(source) => return Err(ListenerError::Bind { addr: *addr, source }),
            }
        }
        let local_addrs: Vec<SocketAddr> = sockets.iter().filter_map(|s| s.local_addr().ok()).collect();
        let (outcome_tx, outcome) = oneshot::channel();
        let (shutdown, shutdown_rx) = watch::channel(false);
        let state = routes::SharedState::new(pending, &local_addrs, outcome_tx);
        let mut servers = JoinSet::new();
        for socket in sockets {
            let app = routes::router(state.clone());
            servers.spawn(accept_loop::serve(socket, app, shutdown_rx.clone()));
        }
        let (cancel, _) = watch::channel(false);
        Ok(Self {
            local_addrs,
            outcome,
            shutdown,
            cancel,
            servers,
            timeout: config.timeout,
        })
    }

    /// The addresses actually bound (useful with port 0 in tests).
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.local_addrs
    }

    /// A handle that cancels this listener.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.cancel.clone())
    }

    /// Waits for the capture, a broker error, a cancel or the timeout; then shuts down and frees
    /// the port before returning.
    pub async fn wait(mut self) -> Result<CapturedToken, ListenerError> {
        let mut cancelled = self.cancel.subscribe();
        let result = tokio::select! {
            outcome = &mut self.outcome => match outcome {
                Ok(result) => result.map_err(ListenerError::from),
                Err(_) => Err(ListenerError::Cancelled),
            },
            _ = cancelled.wait_for(|c| *c) => Err(ListenerError::Cancelled),
            () = tokio::time::sleep(self.timeout) => Err(ListenerError::Timeout(self.timeout)),
        };
        self.shutdown.send_replace(true);
        // Let the capture page's response go out, but never hang on a stuck client.
        let drained = tokio::time::timeout(Duration::from_secs(5), async {
            while self.servers.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            self.servers.abort_all();
            while self.servers.join_next().await.is_some() {}
        }
        result
    }
}

/// Whether failing to bind `addr` ends the sign-in. A port held by someone else always does:
/// another program would get the browser's redirect. Winsock reports a port held by another
/// user's or an exclusive socket as access denied (WSAEACCES), so that counts as held too. Any
/// other IPv6 failure does not: with IPv6 off in the kernel, binding `[::1]` fails with errors
/// that vary by system (EADDRNOTAVAIL, EAFNOSUPPORT, EINVAL…), and then nothing can reach `[::1]`
/// either, so IPv4 alone serves `localhost`.
fn bind_failure_is_fatal(addr: &SocketAddr, kind: io::ErrorKind) -> bool {
    addr.is_ipv4() || matches!(kind, io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied)
}

#[cfg(test)]
mod tests;
