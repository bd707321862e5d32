//! A local Microsoft Entra ID: the directory assigned to the Webex enterprise app, and the
//! loopback-only rule for the addresses its provisioning job calls.

mod directory;
mod loopback;

#[allow(unused_imports, reason = "wired up by the Entra job and Graph routes")]
pub(crate) use directory::{Directory, DirectoryGroup, DirectoryUser};
#[allow(unused_imports, reason = "wired up by the Entra job and Graph routes")]
pub(crate) use loopback::{NotLoopback, loopback_only};
