//! One lifecycle for both sign-ins (Webex and Entra). Each kind has one sign-in at a time: a
//! newer one ends the older (waiting until it has let go of its window and port), and Cancel
//! ends whichever is in progress. Its outcome is kept until a newer sign-in replaces it, and the
//! front end asks for it by id once its start call has replied (`*_sign_in_outcome`): an outcome
//! can never arrive before the front end knows which sign-in it belongs to, and an older
//! sign-in's outcome is never taken for a newer one's.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use scim_token_core::ErrorKind;
use scim_token_core::entra::EntraTarget;
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, MutexGuard, oneshot, watch};

use crate::error::CommandError;
use crate::ipc::TokenView;

/// Identifies one sign-in of either kind (one counter for both).
pub(crate) type SignInId = u32;

/// The longest a sign-in may take, MFA and a federated identity provider included. The window's
/// own close button ends it sooner.
pub(crate) const SIGN_IN_LIMIT: Duration = Duration::from_secs(60 * 60);

/// How long a newer sign-in waits for an older one to let go of its window and port.
const TEARDOWN_WAIT: Duration = Duration::from_secs(10);

/// Which sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SignInKind {
    /// At a Webex broker, for a SCIM token.
    Webex,
    /// At Microsoft Entra, for Graph.
    Entra,
}

/// Where a sign-in runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SignInPlace {
    /// The app's own isolated window, which keeps no history.
    Window,
    /// The system's default browser: for sign-in policies an embedded window cannot satisfy
    /// (a compliant device, the OS account, passkeys).
    Browser,
}

/// A sign-in that has started; ask for its outcome with its id.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct SignInStarted {
    pub(crate) id: SignInId,
    /// What the user should know while waiting.
    pub(crate) note: String,
    /// Set when the sign-in runs in the system browser.
    pub(crate) browser: Option<BrowserSignIn>,
}

/// A sign-in in the system browser: its link (to copy into another browser) and the commands
/// that open it in a private window.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct BrowserSignIn {
    pub(crate) link: String,
    pub(crate) private_window_commands: Vec<String>,
}

/// How a Webex sign-in ended.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub(crate) enum WebexSignInOutcome {
    /// The token is in the keyring.
    Stored {
        /// The new token.
        summary: TokenView,
        /// The broker granted less than asked.
        warning: Option<String>,
        /// A "Renew and push": the push has started; its end arrives as `RenewalPushed`.
        pushing: bool,
    },
    /// The keyring failed: the token is in memory until the app quits.
    InMemoryOnly {
        /// The new token.
        summary: TokenView,
        /// Why, and what to do now.
        warning: String,
    },
    /// The token carries no org ID: the app holds it until the user names the org
    /// (`file_token`, whose reply is the outcome then).
    NeedsOrg {
        /// Why the org could not be worked out.
        reason: String,
    },
    /// No token.
    Failed {
        /// Why.
        error: CommandError,
    },
}

/// How an Entra sign-in ended.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub(crate) enum EntraSignInOutcome {
    /// Signed in; the refresh token is in the keyring.
    SignedIn {
        /// Where.
        target: EntraTarget,
    },
    /// Not signed in.
    Failed {
        /// Why.
        error: CommandError,
    },
}

/// An outcome for a sign-in that was replaced or stopped before it had one.
pub(crate) trait Outcome: Clone + Send + Sync + 'static {
    fn failed(error: CommandError) -> Self;
}

impl Outcome for WebexSignInOutcome {
    fn failed(error: CommandError) -> Self {
        Self::Failed { error }
    }
}

impl Outcome for EntraSignInOutcome {
    fn failed(error: CommandError) -> Self {
        Self::Failed { error }
    }
}

/// The sign-in of one kind: the one in progress, or the last one with its outcome.
pub(crate) struct SignInSlot<T> {
    current: Mutex<Option<Active<T>>>,
    /// How many Cancels there have been: a start that began before the last one does not run
    /// (it may have waited for the sandbox before it could take the slot).
    cancels: AtomicU64,
}

/// When a start began, in Cancels: taken before anything a start waits for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket(u64);

struct Active<T> {
    id: SignInId,
    /// Ends it (Cancel, a newer sign-in); gone once used.
    cancel: Option<oneshot::Sender<()>>,
    /// Its task, until it has been waited for (a finished task is not polled again).
    task: Option<tauri::async_runtime::JoinHandle<()>>,
    /// `None` until it ends.
    outcome: watch::Receiver<Option<T>>,
}

impl<T: Outcome> Default for SignInSlot<T> {
    fn default() -> Self {
        Self {
            current: Mutex::new(None),
            cancels: AtomicU64::new(0),
        }
    }
}

impl<T: Outcome> SignInSlot<T> {
    /// A start's ticket: take it first, before waiting for anything.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.cancels.load(Ordering::SeqCst))
    }

    /// Ends the sign-in in progress and holds the slot until the new one runs (`SignInStart::run`),
    /// so two starts at once run one after the other. A start whose `ticket` a Cancel has
    /// overtaken (pressed while it waited for the sandbox or the slot) ends here, as cancelled.
    pub(crate) async fn begin(&self, ticket: Ticket) -> Result<SignInStart<'_, T>, CommandError> {
        let mut slot = self.current.lock().await;
        if self.cancels.load(Ordering::SeqCst) != ticket.0 {
            return Err(CommandError::new(
                ErrorKind::Cancelled,
                "The sign-in was cancelled before it started.",
            ));
        }
        end(&mut slot).await;
        Ok(SignInStart { slot })
    }

    /// Ends the sign-in in progress (only if it is `only`, when given) and waits until it has let
    /// go of its window and port; returns which there was to end. Without `only`, a start still
    /// on its way does not run either.
    pub(crate) async fn cancel(&self, only: Option<SignInId>) -> Option<SignInId> {
        if only.is_none() {
            self.cancels.fetch_add(1, Ordering::SeqCst);
        }
        let mut slot = self.current.lock().await;
        let id = slot.as_ref().map(|active| active.id)?;
        if only.is_some_and(|only| only != id) {
            return None;
        }
        if let Some(active) = slot.as_mut() {
            stop(active).await;
        }
        Some(id)
    }

    /// The outcome of sign-in `id`, once it has one. A sign-in a newer one replaced (or whose
    /// task was stopped stuck) ends as cancelled.
    pub(crate) async fn outcome(&self, id: SignInId) -> T {
        let mut outcome = {
            let slot = self.current.lock().await;
            match slot.as_ref() {
                Some(active) if active.id == id => active.outcome.clone(),
                _ => return T::failed(replaced()),
            }
        };
        loop {
            if let Some(done) = outcome.borrow_and_update().clone() {
                return done;
            }
            if outcome.changed().await.is_err() {
                return outcome.borrow().clone().unwrap_or_else(|| T::failed(replaced()));
            }
        }
    }
}

/// The slot of a sign-in about to start, held so nothing else starts meanwhile.
pub(crate) struct SignInStart<'a, T> {
    slot: MutexGuard<'a, Option<Active<T>>>,
}

impl<T: Outcome> SignInStart<'_, T> {
    /// Runs sign-in `id`, whose task `run` makes from the receiver that cancels it, as the one in
    /// progress; its result is kept as its outcome.
    pub(crate) fn run<F>(mut self, id: SignInId, run: impl FnOnce(oneshot::Receiver<()>) -> F)
    where
        F: Future<Output = T> + Send + 'static,
    {
        let (cancel, cancelled) = oneshot::channel();
        let (done, outcome) = watch::channel(None);
        let sign_in = run(cancelled);
        let task = tauri::async_runtime::spawn(async move {
            let _ = done.send(Some(sign_in.await));
        });
        *self.slot = Some(Active {
            id,
            cancel: Some(cancel),
            task: Some(task),
            outcome,
        });
    }
}

fn replaced() -> CommandError {
    CommandError::new(
        ErrorKind::Cancelled,
        "This sign-in ended before it finished: a newer one replaced it, or it was cancelled.",
    )
}

/// Stops a sign-in and waits for its task to let go of its window and port.
async fn stop<T>(active: &mut Active<T>) {
    if let Some(cancel) = active.cancel.take() {
        let _ = cancel.send(());
    }
    // A finished task is not polled again: a second Cancel, or a start after a Cancel.
    if let Some(mut task) = active.task.take()
        && tokio::time::timeout(TEARDOWN_WAIT, &mut task).await.is_err()
    {
        // Stuck (a keyring prompt nobody answers): it must not report into a newer sign-in.
        task.abort();
    }
}

/// Ends the sign-in in `slot`, if any; the caller holds the guard.
async fn end<T>(slot: &mut Option<Active<T>>) {
    if let Some(mut active) = slot.take() {
        stop(&mut active).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in() -> EntraSignInOutcome {
        EntraSignInOutcome::SignedIn {
            target: EntraTarget::new(scim_token_core::entra::Cloud::Global),
        }
    }

    /// Runs a sign-in that ends with `signed_in()` when `finish` fires, or as cancelled.
    async fn start(slot: &SignInSlot<EntraSignInOutcome>, id: SignInId) -> oneshot::Sender<()> {
        let (finish, finished) = oneshot::channel::<()>();
        slot.begin(slot.ticket()).await.unwrap().run(id, move |cancelled| async move {
            tokio::select! {
                _ = finished => signed_in(),
                _ = cancelled => EntraSignInOutcome::failed(CommandError::new(ErrorKind::Cancelled, "cancelled")),
            }
        });
        finish
    }

    fn kind(outcome: &EntraSignInOutcome) -> Option<ErrorKind> {
        match outcome {
            EntraSignInOutcome::SignedIn { .. } => None,
            EntraSignInOutcome::Failed { error } => Some(error.kind),
        }
    }

    #[tokio::test]
    async fn an_outcome_is_kept_until_asked_for_by_its_id() {
        let slot = SignInSlot::default();
        let finish = start(&slot, 1).await;
        finish.send(()).unwrap();
        // Asked for after it ended: still there, as often as asked.
        tokio::task::yield_now().await;
        assert_eq!(kind(&slot.outcome(1).await), None);
        assert_eq!(kind(&slot.outcome(1).await), None);
        // Another id is no sign-in of this slot.
        assert_eq!(kind(&slot.outcome(2).await), Some(ErrorKind::Cancelled));
    }

    #[tokio::test]
    async fn a_waiting_outcome_arrives_when_the_sign_in_ends() {
        let slot = std::sync::Arc::new(SignInSlot::default());
        let finish = start(&slot, 5).await;
        let waiting = tokio::spawn({
            let slot = slot.clone();
            async move { slot.outcome(5).await }
        });
        finish.send(()).unwrap();
        assert_eq!(kind(&waiting.await.unwrap()), None);
    }

    #[tokio::test]
    async fn cancel_ends_the_one_in_progress_and_a_second_cancel_or_a_new_start_is_harmless() {
        let slot = SignInSlot::default();
        let _finish = start(&slot, 1).await;
        assert_eq!(slot.cancel(Some(2)).await, None, "another id is left alone");
        assert_eq!(slot.cancel(None).await, Some(1));
        assert_eq!(kind(&slot.outcome(1).await), Some(ErrorKind::Cancelled));
        // Once more, and a new start after it: the finished task is not waited for again.
        assert_eq!(slot.cancel(None).await, Some(1));
        let finish = start(&slot, 2).await;
        finish.send(()).unwrap();
        assert_eq!(kind(&slot.outcome(2).await), None);
        assert_eq!(
            kind(&slot.outcome(1).await),
            Some(ErrorKind::Cancelled),
            "replaced"
        );
    }

    #[tokio::test]
    async fn a_cancel_while_a_start_waits_stops_that_start() {
        let slot: SignInSlot<EntraSignInOutcome> = SignInSlot::default();
        let ticket = slot.ticket();
        // Cancel pressed while the start still waited for the sandbox: nothing in the slot yet.
        assert_eq!(slot.cancel(None).await, None);
        let refused = slot.begin(ticket).await.err().expect("the start is cancelled");
        assert_eq!(refused.kind, ErrorKind::Cancelled);
        // The next start, begun after the Cancel, runs.
        let finish = start(&slot, 3).await;
        finish.send(()).unwrap();
        assert_eq!(kind(&slot.outcome(3).await), None);
    }

    #[tokio::test]
    async fn a_newer_sign_in_ends_the_older_whose_waiter_hears_it() {
        let slot = std::sync::Arc::new(SignInSlot::default());
        let _older = start(&slot, 1).await;
        let waiting = tokio::spawn({
            let slot = slot.clone();
            async move { slot.outcome(1).await }
        });
        tokio::task::yield_now().await;
        let newer = start(&slot, 2).await;
        assert_eq!(kind(&waiting.await.unwrap()), Some(ErrorKind::Cancelled));
        newer.send(()).unwrap();
        assert_eq!(kind(&slot.outcome(2).await), None);
    }
}
