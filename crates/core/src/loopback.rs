//! Loopback sockets for the two sign-in redirect listeners (the Webex sign-in's on port 3000,
//! `listener`, and the Entra sign-in's on an ephemeral port, `entra/redirect.rs`): the platform's
//! port guard and the accept loop with its limits, written once so the two cannot drift apart.

pub(crate) mod accept_loop;
mod exclusive;

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};

/// Connections the kernel queues before the listener accepts them. Past its connection cap the
/// listener stops accepting; a deep queue lets a flood wait there instead of overflowing it, which
/// would leave clients (the browser among them) half-connected until TCP retries.
const ACCEPT_BACKLOG: u32 = 4096;

/// How a listening socket guards its port against other programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortGuard {
    /// Unix `SO_REUSEADDR`: a port left in TIME_WAIT by the last login can be bound again, and
    /// no other socket may listen on it while we do.
    ReuseAddr,
    /// Windows `SO_EXCLUSIVEADDRUSE`: there `SO_REUSEADDR` would let another program bind the
    /// same port and take the browser's connection, token and all; exclusive use forbids it.
    ExclusiveAddrUse,
}

/// The guard for a platform: a function of its own so the Windows decision is tested on Linux.
fn port_guard(windows: bool) -> PortGuard {
    if windows {
        PortGuard::ExclusiveAddrUse
    } else {
        PortGuard::ReuseAddr
    }
}

/// A loopback listener with the platform's port guard.
pub(crate) fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    match port_guard(cfg!(windows)) {
        PortGuard::ReuseAddr => socket.set_reuseaddr(true)?,
        PortGuard::ExclusiveAddrUse => exclusive::set_exclusive_addr_use(&socket)?,
    }
    socket.bind(addr)?;
    socket.listen(ACCEPT_BACKLOG)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_guards_the_port_exclusively_and_unix_reuses_it() {
        assert_eq!(port_guard(true), PortGuard::ExclusiveAddrUse);
        assert_eq!(port_guard(false), PortGuard::ReuseAddr);
    }
}
