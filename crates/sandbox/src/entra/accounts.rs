//! The people who can sign in to the local Entra, and their directory roles.

use scim_token_core::entra::PROVISIONING_ROLES;

/// A work account at the local Entra.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraAccount {
    /// Sign-in name (user principal name).
    pub email: String,
    /// Password (a sandbox: printed at start).
    pub password: String,
    /// Display name.
    pub display_name: String,
    /// Directory roles, e.g. `Application Administrator`.
    pub roles: Vec<String>,
}

impl EntraAccount {
    /// Whether this account may manage an enterprise app's provisioning.
    pub fn may_manage_provisioning(&self) -> bool {
        self.roles
            .iter()
            .any(|r| PROVISIONING_ROLES.contains(&r.as_str()))
    }
}

/// An Application Administrator, a user without a role, and the federated domain's admin (who
/// signs in to the Webex sandbox through the local Entra).
pub fn seeded_entra_accounts() -> Vec<EntraAccount> {
    vec![
        EntraAccount {
            email: "admin@sandbox.example".into(),
            password: "sandbox-admin".into(),
            display_name: "Sandbox Admin".into(),
            roles: vec![PROVISIONING_ROLES[0].into()],
        },
        EntraAccount {
            email: "user@sandbox.example".into(),
            password: "sandbox-user".into(),
            display_name: "Sandbox User".into(),
            roles: Vec::new(),
        },
        EntraAccount {
            email: "admin@federated.example".into(),
            password: "federated-admin".into(),
            display_name: "Federated Admin".into(),
            roles: vec![PROVISIONING_ROLES[1].into()],
        },
    ]
}

/// The account with this sign-in name (case-insensitive).
pub(crate) fn find<'a>(accounts: &'a [EntraAccount], email: &str) -> Option<&'a EntraAccount> {
    accounts
        .iter()
        .find(|a| a.email.eq_ignore_ascii_case(email.trim()))
}
