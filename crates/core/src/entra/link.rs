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
    /// The tenant ID the job is in, as the sign-in that linked it said (`None` for links made
    /// by an older scim-token). A push or health check with a sign-in to another tenant is
    /// refused before anything is sent.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// When a token was last stored in the job (RFC 3339), `None` before the first push.
    #[serde(default)]
    pub pushed_at: Option<String>,
}

impl EntraLink {
    /// Refuses a sign-in (its tenant, and who it is) that is not to this link's tenant.
    pub fn check_tenant(
        &self,
        signed_in: Option<&str>,
        account: Option<String>,
    ) -> Result<(), super::EntraError> {
        let Some(linked) = self.tenant_id.as_deref() else {
            return Ok(());
        };
        match signed_in {
            None => Err(super::EntraError::TenantUnknown {
                cloud: self.target.cloud.to_string(),
            }),
            Some(tenant) if tenant.eq_ignore_ascii_case(linked) => Ok(()),
            Some(tenant) => Err(super::EntraError::WrongTenant {
                linked: linked.to_owned(),
                signed_in: tenant.to_owned(),
                account,
            }),
        }
    }
}
