//! The Webex SCIM token model, free of any GUI: which broker to sign in with, the OAuth 2.0
//! implicit-grant authorize URL, parsing of the redirect that carries the token, the token itself
//! as a secret type, the Tenant URL Azure asks for, and expiry arithmetic.
//!
//! Nothing here depends on Tauri; the desktop shell and the CLI both build on this crate.

pub mod access_token;
pub mod api;
mod atomic_file;
pub mod authorize;
pub mod broker;
pub mod callback;
pub mod clipboard;
pub mod entra;
pub mod expiry;
pub mod file_lock;
pub mod http_body;
pub mod listener;
mod loopback;
pub mod markup;
pub mod navigation;
pub mod net;
pub mod org_id;
pub mod probe;
pub mod sandbox_child;
pub mod summary;
pub mod token;
pub mod vault;
pub mod watch;

pub use api::{Api, ApiError, ErrorKind};
pub use authorize::{AuthorizeRequest, PendingLogin};
pub use broker::{Broker, BrokerId};
pub use callback::{CallbackError, CapturedToken};
pub use expiry::{Clock, ExpiryState, SystemClock};
pub use org_id::{OrgId, OrgIdError};
pub use summary::TokenSummary;
pub use token::{AccessToken, TokenKey, TokenRecord};
