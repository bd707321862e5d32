//! The people who can sign in to the sandbox broker.

use scim_token_core::broker::SCIM_SCOPE;

/// A person with a password and admin roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Sign-in email.
    pub email: String,
    /// Password (a sandbox: printed at start).
    pub password: String,
    /// Display name.
    pub display_name: String,
    /// Webex admin roles, e.g. `id_full_admin`.
    pub roles: Vec<String>,
}

impl Account {
    /// Whether this account may use the SCIM API (`id_full_admin` or `id_user_admin`).
    pub fn may_provision(&self) -> bool {
        self.roles
            .iter()
            .any(|r| r == "id_full_admin" || r == "id_user_admin")
    }

    /// The requested scopes this account can be granted: everyone but admins loses `Identity:SCIM`.
    pub fn grantable_scopes(&self, requested: &[String]) -> Vec<String> {
        requested
            .iter()
            .filter(|s| self.may_provision() || s.as_str() != SCIM_SCOPE)
            .cloned()
            .collect()
    }
}

/// A full admin, a plain user (whose token lacks `Identity:SCIM`), and a full admin in the
/// federated domain, who has no password here: they sign in through the local Entra.
pub fn seeded_accounts() -> Vec<Account> {
    vec![
        Account {
            email: "admin@sandbox.example".into(),
            password: "sandbox-admin".into(),
            display_name: "Sandbox Admin".into(),
            roles: vec!["id_full_admin".into()],
        },
        Account {
            email: "user@sandbox.example".into(),
            password: "sandbox-user".into(),
            display_name: "Sandbox User".into(),
            roles: Vec::new(),
        },
        Account {
            email: format!("admin@{}", super::federation::FEDERATED_DOMAIN),
            password: String::new(),
            display_name: "Federated Admin".into(),
            roles: vec!["id_full_admin".into()],
        },
    ]
}
