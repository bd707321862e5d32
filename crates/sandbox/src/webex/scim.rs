//! The SCIM 2.0 API (RFC 7643/7644) at `/identity/scim/{orgId}/v2/`, as Webex serves it.

mod auth;
mod demo;
mod discovery;
mod error;
mod filter;
mod filter_text;
mod handlers;
mod patch;
mod persist;
mod query;
mod render;
mod resource;
mod schema;
mod store;
mod write;

use axum::response::{IntoResponse, Response};

pub use demo::seed_demo;
pub use error::{ERROR_SCHEMA, SCIM_JSON, ScimError};
pub use filter_text::parse as parse_filter;
pub use render::Resource;
pub use resource::Kind;
pub use schema::{ENTERPRISE, GROUP, USER, WEBEX_GROUP, WEBEX_USER};
pub use store::Store;

pub(crate) use handlers::routes;

/// Unknown routes answer with a SCIM error body too.
pub(crate) async fn not_found() -> Response {
    ScimError::not_found("no such endpoint in the Webex sandbox").into_response()
}
