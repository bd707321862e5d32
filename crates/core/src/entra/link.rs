//! The link between an org's Webex token and an Entra provisioning job: which cloud and tenant,
//! which enterprise app (service principal) and which job. Non-secret; kept in the org's record
//! and across renewals. One org may feed several apps.

use serde::{Deserialize, Serialize};

use super::login::EntraTarget;

/// An org's token feeds this provisioning job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EntraLink {
    /// Where the job is, and which sign-in reaches it.
    pub target: EntraTarget,
    /// The enterprise app's service principal ID.
    pub app_id: String,
    /// The app's name when it was linked.
    pub app_name: String,
    /// The provisioning job's ID.
    pub job_id: String,
}
