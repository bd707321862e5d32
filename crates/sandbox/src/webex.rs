//! The local Webex, served on the sandbox's first origin: the ID broker's sign-in pages (with the
//! federated domain's SSO through the local Entra), the People API and the SCIM 2.0 API, and the
//! Webex tokens they issue and accept (kept across restarts in the data file, as hashes).
//!
//! The broker's pages are public; the People and SCIM APIs are behind authentication layers
//! (`people.rs`, `scim/auth.rs`) that look the bearer token up (`bearer.rs`) before any handler
//! runs.

mod accounts;
mod bearer;
mod broker;
pub(crate) mod federation;
mod people;
pub mod scim;
pub(crate) mod token_file;
pub(crate) mod tokens;

use axum::Router;

use crate::AppState;

pub use accounts::{Account, seeded_accounts};
pub use federation::FEDERATED_DOMAIN;
pub use tokens::{Grant, TokenStore};

/// The SSO handshake's state: the broker's parked authorization requests and the local Entra's
/// assertions that answer them.
pub(crate) type Federation = federation::Federation<broker::AuthParams>;

/// The Webex side's routes: broker, People API and SCIM API.
pub(crate) fn routes(app: &AppState) -> Router<AppState> {
    Router::new()
        .merge(broker::routes())
        .merge(people::routes(app))
        .merge(scim::routes(app))
}
