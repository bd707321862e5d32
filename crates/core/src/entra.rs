//! Microsoft Entra ID facts the product and the sandbox share: the well-known public client, the
//! delegated Graph permissions provisioning needs, and the paths of the identity platform and of
//! Graph's synchronization API. Source: `../shared/reference/entra-graph.md`; every value here
//! is from Microsoft's public reference.

pub mod cloud;
pub mod device;
pub mod error;
pub mod graph;
pub mod identity;
pub mod ids;
pub mod job_state;
pub mod link;
pub mod login;
mod redirect;
pub mod secrets;

pub use cloud::{Cloud, CloudError};
pub use device::DeviceSignIn;
pub use error::{EntraError, GraphFailure, device_code_tracked, policy_refusal};
pub use graph::{Graph, JobStatus, ServicePrincipal, SyncJob};
pub use identity::EntraIdentity;
pub use ids::{AppId, ClientId, JobId, Tenant, TenantId};
pub use job_state::{ExecutionState, JobCode};
pub use link::EntraLink;
pub use login::{EntraTarget, EntraTokens, PendingEntraLogin, RedirectMatcher};
pub use secrets::{BaseAddressChange, JobCredentials, SecretPair, SecretsPlan, SecretsRefusal, SettingDrift};

/// "Microsoft Graph Command Line Tools": a public client that allows dynamic consent, used by
/// many tools when the tenant has no app registration of its own.
pub const GRAPH_COMMAND_LINE_TOOLS: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The delegated Graph permission that reads and writes provisioning jobs and their secrets.
pub const SYNCHRONIZATION_SCOPE: &str = "Synchronization.ReadWrite.All";
/// The delegated Graph permission that lists service principals (enterprise apps).
pub const APPLICATION_READ_SCOPE: &str = "Application.Read.All";
/// The scope that asks for a refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// The OpenID Connect scopes that ask for an `id_token` naming the account and tenant.
pub const IDENTITY_SCOPES: [&str; 2] = ["openid", "profile"];

/// The directory roles that may manage an enterprise app's provisioning.
pub const PROVISIONING_ROLES: [&str; 2] = ["Application Administrator", "Cloud Application Administrator"];

/// Tenant segments the identity platform accepts besides a tenant ID.
pub const MULTI_TENANT_SEGMENTS: [&str; 2] = ["organizations", "common"];

/// The authorize endpoint below a login base: `{tenant}/oauth2/v2.0/authorize`.
pub fn authorize_path(tenant: &str) -> String {
    format!("{tenant}/oauth2/v2.0/authorize")
}

/// The device authorization endpoint below a login base: `{tenant}/oauth2/v2.0/devicecode`.
pub fn devicecode_path(tenant: &str) -> String {
    format!("{tenant}/oauth2/v2.0/devicecode")
}

/// The token endpoint below a login base: `{tenant}/oauth2/v2.0/token`.
pub fn token_path(tenant: &str) -> String {
    format!("{tenant}/oauth2/v2.0/token")
}

/// The `Secret Token` key in a provisioning job's secrets.
pub const SECRET_TOKEN_KEY: &str = "SecretToken";
/// The `Tenant URL` key in a provisioning job's secrets.
pub const BASE_ADDRESS_KEY: &str = "BaseAddress";
