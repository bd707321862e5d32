//! The use cases, written once for both shells: finish a sign-in, look up and list stored
//! tokens, copy a field, run Test Connection, forget, check expiry.
//!
//! The CLI and the desktop app parse their input, call [`Tokens`], and present what it returns.
//! Errors are [`ApiError`]s with a closed [`ErrorKind`] the desktop's front end branches on.
//! Messages here never name a shell's own commands; each shell adds its own next step.

mod attention;
mod copy;
mod entra;
mod error;
mod push;
mod sign_in;
mod tokens;

pub use attention::{Attention, JobVerdict, LinkHealth};
pub use copy::{Copied, CopyWhat};
pub use entra::EntraApp;
pub use error::{ApiError, ErrorKind};
pub use push::{JobStep, PushAction, PushOptions, PushPlan, PushReport};
pub use sign_in::{Kept, NeedsOrg, SignedIn};
pub use tokens::{Listing, Tokens};
