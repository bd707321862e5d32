//! A local Microsoft Entra ID: the directory assigned to the Webex enterprise app, and the
//! provisioning engine that does what Entra's provisioning service does against a SCIM Tenant
//! URL (Test Connection, matching, create, update, disable, group membership), only ever on
//! loopback addresses.

mod directory;
mod loopback;
mod provision;

#[allow(unused_imports, reason = "wired up by the Entra job and Graph routes")]
pub(crate) use directory::{Directory, DirectoryGroup, DirectoryUser};
#[allow(unused_imports, reason = "wired up by the Entra job and Graph routes")]
pub(crate) use loopback::{NotLoopback, loopback_only};
#[allow(unused_imports, reason = "wired up by the Entra job and Graph routes")]
pub(crate) use provision::{
    CycleError, CycleReport, Exported, ScimTarget, http_client, run_cycle, test_connection,
};
