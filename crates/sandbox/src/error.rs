//! Why a sandbox could not start or keep serving, worded so the person running it knows what to
//! do next.

use std::io;
use std::net::SocketAddr;

/// Why a sandbox could not start, or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The `--data` file cannot be used.
    #[error("{0}")]
    Data(String),
    /// Something else listens on the port.
    #[error("cannot listen on {addr}: address in use; is another sandbox running? choose another port")]
    AddrInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The port is privileged (below 1024 on most systems).
    #[error(
        "cannot listen on {addr}: permission denied; ports below 1024 need privileges, choose a port from 1024 up (or 0 for any free port)"
    )]
    PortDenied {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Any other failure to listen.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("the sandbox stopped serving: {0}")]
    Serve(#[source] io::Error),
    /// The server task panicked or was cancelled (its runtime shut down).
    #[error("the sandbox server task ended abnormally: {0}")]
    Task(#[source] tokio::task::JoinError),
}

impl SandboxError {
    /// Classifies a failure to bind `addr`.
    pub(crate) fn listen(addr: SocketAddr, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::AddrInUse => Self::AddrInUse { addr },
            io::ErrorKind::PermissionDenied => Self::PortDenied { addr },
            _ => Self::Listen { addr, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_failures_say_what_to_do() {
        let addr: SocketAddr = "127.0.0.1:8900".parse().expect("an address");
        let cases = [
            (
                io::ErrorKind::AddrInUse,
                "cannot listen on 127.0.0.1:8900: address in use; is another sandbox running? choose another port",
            ),
            (
                io::ErrorKind::PermissionDenied,
                "cannot listen on 127.0.0.1:8900: permission denied; ports below 1024 need privileges, choose a port from 1024 up (or 0 for any free port)",
            ),
            (
                io::ErrorKind::AddrNotAvailable,
                "cannot listen on 127.0.0.1:8900: no loopback here",
            ),
        ];
        for (kind, expected) in cases {
            let error = SandboxError::listen(addr, io::Error::new(kind, "no loopback here"));
            assert_eq!(error.to_string(), expected, "{kind:?}");
        }
    }
}
