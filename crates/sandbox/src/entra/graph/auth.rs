//! Who is calling Graph: [`authenticate`], the route layer in front of every Graph route, checks
//! the bearer token and hands the handler the [`Caller`] (the token's consent and account) as a
//! request extension; the caller's methods are the permission checks Graph makes (a delegated
//! scope, and for synchronization a directory role), which each handler makes for itself.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use scim_token_core::entra::{APPLICATION_READ_SCOPE, PROVISIONING_ROLES, SYNCHRONIZATION_SCOPE};
use time::OffsetDateTime;

use super::error::GraphError;
use crate::AppState;
use crate::authorization::{admit, bearer_token};
use crate::entra::accounts::{self, EntraAccount};
use crate::entra::grants::{Consent, Refused};

/// Graph's authentication layer: a live access token from the local identity platform whose
/// user still exists, else a 401 `InvalidAuthenticationToken`.
pub(super) async fn authenticate(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let checked = Caller::of(&app, request.headers());
    admit(checked, request, next).await
}

const INSUFFICIENT: &str = "Insufficient privileges to complete the operation.";

/// The signed-in caller of a Graph request.
#[derive(Debug, Clone)]
pub(super) struct Caller {
    consent: Consent,
    account: EntraAccount,
}

impl Caller {
    /// Who sent the bearer token in `headers`.
    fn of(app: &AppState, headers: &HeaderMap) -> Result<Self, GraphError> {
        let Some(token) = bearer_token(headers) else {
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

    /// May list and read service principals (`Application.Read.All` or wider).
    pub(super) fn may_read_apps(&self) -> Result<(), GraphError> {
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
    pub(super) fn may_manage_sync(&self, write: bool) -> Result<(), GraphError> {
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
