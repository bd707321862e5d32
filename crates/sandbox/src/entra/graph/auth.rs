//! Who is calling Graph: the bearer token's consent and account, and the permission checks
//! Graph makes (a delegated scope, and for synchronization a directory role).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use scim_token_core::entra::{APPLICATION_READ_SCOPE, PROVISIONING_ROLES, SYNCHRONIZATION_SCOPE};
use time::OffsetDateTime;

use super::GraphError;
use crate::AppState;
use crate::bearer::bearer_token;
use crate::entra::accounts::{self, EntraAccount};
use crate::entra::grants::{Consent, Refused};

/// The signed-in caller of a Graph request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    consent: Consent,
    account: EntraAccount,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, GraphError> {
        let Some(token) = bearer_token(parts) else {
            return Err(GraphError::unauthenticated("Access token is empty."));
        };
        let checked = app
            .entra
            .grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .check_access(token, OffsetDateTime::now_utc());
        let consent = match checked {
            Ok(consent) => consent,
            Err(Refused::Expired) => {
                return Err(GraphError::unauthenticated(
                    "Lifetime validation failed, the token is expired.",
                ));
            }
            Err(Refused::Unknown | Refused::AlreadyUsed) => {
                return Err(GraphError::unauthenticated(
                    "Access token validation failure. Invalid audience or a token this tenant did not issue.",
                ));
            }
        };
        let account = accounts::find(&app.entra.accounts, &consent.email)
            .cloned()
            .ok_or_else(|| GraphError::unauthenticated("The token's user no longer exists."))?;
        Ok(Self { consent, account })
    }
}

const INSUFFICIENT: &str = "Insufficient privileges to complete the operation.";

impl Caller {
    /// May list and read service principals (`Application.Read.All` or wider).
    pub(crate) fn may_read_apps(&self) -> Result<(), GraphError> {
        let scopes = [
            APPLICATION_READ_SCOPE,
            "Application.ReadWrite.All",
            "Directory.Read.All",
        ];
        if scopes.iter().any(|s| self.consent.has(s)) {
            Ok(())
        } else {
            Err(GraphError::denied(format!(
                "{INSUFFICIENT} The token lacks the delegated permission {APPLICATION_READ_SCOPE}."
            )))
        }
    }

    /// May read (or, with `write`, change) provisioning: `Synchronization.ReadWrite.All` (or
    /// `Synchronization.Read.All` to read) and one of the provisioning roles.
    pub(crate) fn may_manage_sync(&self, write: bool) -> Result<(), GraphError> {
        let scoped = self.consent.has(SYNCHRONIZATION_SCOPE)
            || (!write && self.consent.has("Synchronization.Read.All"));
        if !scoped {
            return Err(GraphError::denied(format!(
                "{INSUFFICIENT} The token lacks the delegated permission {SYNCHRONIZATION_SCOPE}."
            )));
        }
        if !self.account.may_manage_provisioning() {
            return Err(GraphError::denied(format!(
                "{INSUFFICIENT} The signed-in user ({}) holds neither the {} nor the {} role.",
                self.account.email, PROVISIONING_ROLES[0], PROVISIONING_ROLES[1]
            )));
        }
        Ok(())
    }
}
