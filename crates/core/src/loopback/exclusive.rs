//! `SO_EXCLUSIVEADDRUSE` for the Windows listener: neither tokio nor socket2 offers it, so this is
//! the workspace's one `unsafe` call, a plain `setsockopt` on a socket we own.

use std::io;

use tokio::net::TcpSocket;

/// Reserves the socket's address for it alone, before it is bound.
#[cfg(windows)]
#[allow(unsafe_code)]
pub(super) fn set_exclusive_addr_use(socket: &TcpSocket) -> io::Result<()> {
    use std::os::windows::io::AsRawSocket;

    use windows_sys::Win32::Networking::WinSock::{SO_EXCLUSIVEADDRUSE, SOCKET, SOL_SOCKET, setsockopt};

    let on: i32 = 1;
    // SAFETY: the handle belongs to `socket`, which outlives the call; setsockopt reads exactly
    // `size_of::<i32>()` bytes of `on` during the call and keeps no pointer to it.
    let result = unsafe {
        setsockopt(
            socket.as_raw_socket() as SOCKET,
            SOL_SOCKET,
            SO_EXCLUSIVEADDRUSE,
            (&raw const on).cast(),
            size_of::<i32>() as i32,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Only Windows has the option; elsewhere [`super::port_guard`] never asks for it.
#[cfg(not(windows))]
pub(super) fn set_exclusive_addr_use(_socket: &TcpSocket) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "SO_EXCLUSIVEADDRUSE exists only on Windows",
    ))
}
