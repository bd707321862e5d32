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
mod stop;
mod tokens;
mod watch;

pub use attention::{Attention, JobVerdict, LinkHealth};
pub use browser::{open_in_browser, private_window_commands};
pub use capture::{WindowRedirects, WindowRule, WindowStep};
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
pub use stop::Stop;
pub use tokens::Listing;
pub use watch::{command_beside, set_watch, watch_status};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::expiry::Clock;
use crate::token::{AccessToken, TokenKey, TokenRecord};
use crate::vault::Vault;

/// The API both shells call: this user's Webex tokens (keyring and records file, or memory when
/// the keyring failed), their Entra sign-ins and Graph, and every use case over them (one file
/// of `api/` per use case).
///
/// Keyring calls run on tokio's blocking pool: a locked keyring may wait up to its timeout for an
/// unlock prompt, and must not stall an async worker (the desktop's listener and timers share
/// them).
pub struct Api {
    vault: Vault,
    clock: Arc<dyn Clock + Send + Sync>,
    /// Tokens captured while the keyring failed: in memory only, so they can still be copied
    /// into Azure until the process ends.
    unstored: Mutex<HashMap<TokenKey, (TokenRecord, AccessToken)>>,
    /// The proxy every request of this process follows and the clients built on it; replaced
    /// whole when the admin chooses another proxy.
    network: std::sync::RwLock<Arc<network::Network>>,
    /// Graph access tokens by sign-in, until shortly before they expire: one refresh-token
    /// redemption serves many calls, and the lock makes concurrent use cases wait for it
    /// instead of redeeming the same (rotating) refresh token twice.
    /// Each is kept with the sign-in it came from (its `signed_in_at`).
    graph_tokens: tokio::sync::Mutex<HashMap<crate::entra::EntraTarget, tokens::CachedGraphToken>>,
    /// One push at a time in this process: two read-merge-write-verify sequences on one job (a
    /// "Renew and push" and a Push button) must not interleave.
    pushes: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("vault", &self.vault)
            .finish_non_exhaustive()
    }
}
