//! The link between an org's Webex token and an Entra provisioning job: which cloud and tenant,
//! which enterprise app (service principal) and which job. Non-secret; kept in the org's record
//! and across renewals. One org may feed several apps.

use serde::{Deserialize, Serialize};

use super::ids::{AppId, JobId, TenantId};
use super::login::EntraTarget;

/// An org's token feeds this provisioning job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraLink {
    /// Where the job is, and which sign-in reaches it.
    pub target: EntraTarget,
    /// The enterprise app's service principal ID.
    pub app_id: AppId,
    /// The app's name when it was linked.
    pub app_name: String,
    /// The provisioning job's ID.
    pub job_id: JobId,
    /// The tenant ID the job is in, as the sign-in that linked it said (`None` for links made
    /// by an older scim-token). A push or health check with a sign-in to another tenant is
    /// refused before anything is sent.
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    /// When a token was last stored in the job (RFC 3339), `None` before the first push.
    #[serde(default)]
    pub pushed_at: Option<String>,
}

impl EntraLink {
    /// A link to `job_id` of `app_id` (named `app_name`) in `tenant_id`, never pushed to yet.
    pub fn new(
        target: EntraTarget,
        app_id: AppId,
        app_name: String,
        job_id: JobId,
        tenant_id: Option<TenantId>,
    ) -> Self {
        Self {
            target,
            app_id,
            app_name,
            job_id,
            tenant_id,
            pushed_at: None,
        }
    }

    /// Refuses a sign-in (its tenant, and who it is) that is not to this link's tenant.
    pub fn check_tenant(
        &self,
        signed_in: Option<&TenantId>,
        account: Option<String>,
    ) -> Result<(), super::EntraError> {
        // A link made before links recorded their tenant: its sign-in's tenant, when that was
        // given as an ID.
        let legacy = uuid::Uuid::parse_str(&self.target.tenant)
            .is_ok()
            .then_some(self.target.tenant.as_str());
        let Some(linked) = self.tenant_id.as_ref().map(TenantId::as_str).or(legacy) else {
            return Ok(());
        };
        match signed_in {
            None => Err(super::EntraError::TenantUnknown {
                cloud: self.target.cloud.to_string(),
            }),
            Some(tenant) if tenant.eq_ignore_ascii_case(linked) => Ok(()),
            Some(tenant) => Err(super::EntraError::WrongTenant {
                linked: linked.to_owned(),
                signed_in: tenant.to_string(),
                account,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::{Cloud, EntraError};

    const TENANT: &str = "7e57a1d0-5a4d-4b0c-8000-00000000e1d0";

    fn link(tenant_id: Option<&str>, target_tenant: &str) -> EntraLink {
        let mut target = EntraTarget::new(Cloud::Global);
        target.tenant = target_tenant.into();
        EntraLink {
            target,
            app_id: "a".into(),
            app_name: "Cisco Webex".into(),
            job_id: "j".into(),
            tenant_id: tenant_id.map(TenantId::from),
            pushed_at: None,
        }
    }

    #[test]
    fn only_a_sign_in_to_the_links_tenant_passes() {
        let linked = link(Some(TENANT), "organizations");
        assert!(linked.check_tenant(Some(&TENANT.into()), None).is_ok());
        assert!(
            linked
                .check_tenant(Some(&TENANT.to_uppercase().into()), None)
                .is_ok()
        );
        assert!(matches!(
            linked.check_tenant(
                Some(&"0ff1ce00-0000-4000-8000-000000000bad".into()),
                Some("a@b".into())
            ),
            Err(EntraError::WrongTenant { .. })
        ));
        assert!(matches!(
            linked.check_tenant(None, None),
            Err(EntraError::TenantUnknown { .. })
        ));
        // An older link: its sign-in's tenant ID, when it was given as one.
        assert!(matches!(
            link(None, TENANT).check_tenant(Some(&"0ff1ce00-0000-4000-8000-000000000bad".into()), None),
            Err(EntraError::WrongTenant { .. })
        ));
        assert!(
            link(None, "organizations")
                .check_tenant(Some(&TENANT.into()), None)
                .is_ok()
        );
    }
}
