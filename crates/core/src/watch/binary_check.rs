//! Whether the binary the scheduler would run is one that only you (or the system's
//! administrators) can replace. Whoever can replace it runs their own code as you, unattended, at
//! every check from then on; so `Watch::enable` refuses it before anything is installed, with
//! [`WatchError::ReplaceableBinary`] saying what to change.
//!
//! - Unix (`unix.rs`): the mode bits of the file, its directory and every directory above it.
//! - Windows (`windows.rs`): the binary must not be in a temporary folder; and (`windows_acl.rs`)
//!   no everyone-like account (Everyone, Authenticated Users, Users, Interactive) may change it
//!   or its folder, read with PowerShell's `Get-Acl` through the watch's `Runner` (the Win32
//!   security API would need `unsafe` FFI). A folder made directly under `C:\`, whose default ACL
//!   gives every signed-in user Modify on what is created below it, is refused.
//! - Other systems: no check (they have no scheduler here either).

use std::path::Path;

use super::WatchError;
use super::runner::Runner;

#[cfg(unix)]
mod unix;
// Compiled for tests everywhere, so its decisions are tested on Linux.
#[cfg(any(windows, test))]
mod windows;
#[cfg(any(windows, test))]
mod windows_acl;

/// Refuses `binary` when someone else could replace it.
#[cfg(unix)]
pub(super) fn refuse_replaceable(binary: &Path, _runner: &impl Runner) -> Result<(), WatchError> {
    unix::check(binary)
}

/// Refuses `binary` when someone else could replace it: in a temporary folder, or writable by
/// everyone-like accounts (read through `runner`).
#[cfg(windows)]
pub(super) fn refuse_replaceable(binary: &Path, runner: &impl Runner) -> Result<(), WatchError> {
    windows::check(binary, &windows::temp_folders())?;
    windows_acl::check(binary, runner)
}

/// No check on this OS.
#[cfg(not(any(unix, windows)))]
pub(super) fn refuse_replaceable(_binary: &Path, _runner: &impl Runner) -> Result<(), WatchError> {
    Ok(())
}
