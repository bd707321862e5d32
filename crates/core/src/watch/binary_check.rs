//! Whether the binary the scheduler would run is one that only you (or the system's
//! administrators) can replace. Whoever can replace it runs their own code as you, unattended, at
//! every check from then on; so `Watch::enable` refuses it before anything is installed, with
//! [`WatchError::ReplaceableBinary`] saying what to change.
//!
//! - Unix (`unix.rs`): the mode bits of the file, its directory and every directory above it.
//! - Windows (`windows.rs`): the binary must not be in a temporary folder. The folder's ACL is not
//!   read: that takes the Win32 security API through `unsafe` FFI, which the workspace keeps to
//!   `listener/exclusive.rs`. So a folder that lets other users write is not refused, e.g. one
//!   made directly under `C:\`, whose default ACL gives every signed-in user Modify on what is
//!   created below it.
//! - Other systems: no check (they have no scheduler here either).

use std::path::Path;

use super::WatchError;

#[cfg(unix)]
mod unix;
// Compiled for tests everywhere, so its decisions are tested on Linux.
#[cfg(any(windows, test))]
mod windows;

/// Refuses `binary` when someone else could replace it.
#[cfg(unix)]
pub(super) fn refuse_replaceable(binary: &Path) -> Result<(), WatchError> {
    unix::check(binary)
}

/// Refuses `binary` when someone else could replace it, as far as Windows is checked.
#[cfg(windows)]
pub(super) fn refuse_replaceable(binary: &Path) -> Result<(), WatchError> {
    windows::check(binary, &windows::temp_folders())
}

/// No check on this OS.
#[cfg(not(any(unix, windows)))]
pub(super) fn refuse_replaceable(_binary: &Path) -> Result<(), WatchError> {
    Ok(())
}
