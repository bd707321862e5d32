//! The use cases, written once for both shells: finish a sign-in, look up and list stored
//! tokens, copy a field, run Test Connection, forget, check expiry.
//!
//! The CLI and the desktop app parse their input, call [`Api`], and present what it returns.
//! Errors are [`ApiError`]s with a closed [`ErrorKind`] the desktop's front end branches on.
//! Messages here never name a shell's own commands; each shell adds its own next step.

mod attention;
mod browser;
mod capture;
mod copy;
mod doctor;
mod entra;
mod entra_sign_in;
mod entra_status;
mod error;
mod launch_page;
mod network;
mod next_step;
mod push;
mod push_text;
mod renew;
mod sign_in;
mod tokens;
mod watch;

pub use attention::{Attention, JobVerdict, LinkHealth};
pub use browser::{open_in_browser, private_window_commands};
pub use capture::{Stop, WindowRedirects, WindowRule, WindowStep};
pub use copy::{Copied, CopySlot, CopyWhat};
pub use doctor::{DoctorReport, DoctorRequest, Finding, HostCheck, ProxySummary};
pub use entra::EntraApp;
pub use entra_sign_in::{EntraSignIn, EntraSignInRequest};
pub use entra_status::EntraSessionSummary;
pub use error::{ApiError, ErrorKind};
pub use launch_page::{LaunchPage, UNREADABLE_PAGE_HINT};
pub use next_step::Shell;
pub use push::{DEFAULT_PUSH_LOCK_WAIT, JobStep, PushAction, PushOptions, PushPlan, PushReport};
pub use push_text::PushText;
pub use renew::{AfterRenewal, Renewed};
pub use sign_in::{Capture, Kept, NeedsOrg, SignInRequest, SignedIn, WebexSignIn};
pub use tokens::{Api, Listing};
pub use watch::{command_beside, set_watch, watch_status};
