//! The isolated (incognito) sign-in window, once for both sign-ins (Webex and Entra): it follows
//! core's [`WindowRule`] (the redirect is handed to the sign-in and never loaded, other pages
//! allowed or refused, the title names whose page it shows), and one teardown ends a sign-in in
//! progress when a newer one starts or the user cancels.
//!
//! Sign-in windows are in no capability (see `capabilities/main.json`), so their remote pages can
//! call no command.

use std::future::Future;
use std::time::Duration;

use scim_token_core::api::{Stop, WindowRedirects, WindowRule, WindowStep};
use serde::Serialize;
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tokio::sync::{mpsc, oneshot};

use crate::error::CommandError;
use crate::events::LoginId;

/// The longest a sign-in may take, MFA and a federated identity provider included. The window's
/// own close button ends it sooner.
pub(crate) const SIGN_IN_LIMIT: Duration = Duration::from_secs(60 * 60);

/// How long a newer sign-in waits for an older one to let go of its window and port.
const TEARDOWN_WAIT: Duration = Duration::from_secs(10);

/// A sign-in that has started; its end arrives as an event with the same id.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub(crate) struct LoginStarted {
    pub(crate) id: LoginId,
    /// What the user should know while waiting.
    pub(crate) note: String,
}

/// The sign-in in progress (one per kind: Webex, Entra).
pub(crate) struct ActiveLogin {
    pub(crate) id: LoginId,
    /// Ends it (cancel button, a newer sign-in).
    cancel: oneshot::Sender<()>,
    /// Its task; finished once its window and listener are gone.
    task: tauri::async_runtime::JoinHandle<()>,
}

impl ActiveLogin {
    /// Runs a sign-in's task, made by `run` from the receiver that cancels it, as the sign-in in
    /// progress.
    pub(crate) fn spawn<F>(id: LoginId, run: impl FnOnce(oneshot::Receiver<()>) -> F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (cancel, cancelled) = oneshot::channel();
        Self {
            id,
            cancel,
            task: tauri::async_runtime::spawn(run(cancelled)),
        }
    }
}

/// Ends the sign-in in `slot`, if any, and waits for it to let go of its window and port; the
/// caller holds the guard, so no other sign-in can start in between.
pub(crate) async fn end(slot: &mut Option<ActiveLogin>) {
    if let Some(mut active) = slot.take() {
        let _ = active.cancel.send(());
        if tokio::time::timeout(TEARDOWN_WAIT, &mut active.task)
            .await
            .is_err()
        {
            // Stuck (a keyring prompt nobody answers): it must not report into a newer sign-in.
            active.task.abort();
        }
    }
}

/// An open sign-in window: the redirects its hook caught, and when it is closed.
pub(crate) struct SignInWindow {
    label: String,
    pub(crate) redirects: WindowRedirects,
    closed: oneshot::Receiver<()>,
}

impl SignInWindow {
    /// Opens the window labelled `label` at `url`, following `rule`.
    pub(crate) fn open(
        app: &AppHandle,
        label: String,
        url: &url::Url,
        rule: WindowRule,
    ) -> Result<Self, CommandError> {
        let (redirect_tx, redirects) = mpsc::unbounded_channel();
        let on_load_tx = redirect_tx.clone();
        let on_load_rule = rule.clone();
        let window = WebviewWindowBuilder::new(app, &label, WebviewUrl::External(url.clone()))
            .title(rule.title(url))
            .inner_size(520.0, 720.0)
            .incognito(true)
            .on_navigation(move |url| match rule.step(url) {
                WindowStep::Redirect => {
                    let _ = redirect_tx.send(url.clone());
                    false
                }
                WindowStep::Follow => true,
                WindowStep::Refuse => {
                    tracing::warn!(
                        scheme = url.scheme(),
                        host = url.host_str(),
                        "sign-in window: navigation refused"
                    );
                    false
                }
            })
            .on_page_load(move |window, payload| {
                // Some engines report a redirect only as a page load.
                if on_load_rule.step(payload.url()) == WindowStep::Redirect {
                    let _ = on_load_tx.send(payload.url().clone());
                } else {
                    let _ = window.set_title(&on_load_rule.title(payload.url()));
                }
            })
            .build()?;
        Ok(Self {
            label,
            redirects,
            closed: when_closed(&window),
        })
    }

    /// Splits the window into what the sign-in reads (its redirects, and what stops it: the
    /// user's Cancel or the window closed) and what closes it afterwards.
    pub(crate) fn into_parts(
        self,
        cancelled: oneshot::Receiver<()>,
    ) -> (WindowRedirects, impl Future<Output = Stop> + Send, Closer) {
        let closed = self.closed;
        let stop = async move {
            tokio::select! {
                _ = cancelled => Stop::Cancelled,
                _ = closed => Stop::WindowClosed,
            }
        };
        (self.redirects, stop, Closer(self.label))
    }
}

/// Closes a sign-in window once its sign-in is over.
pub(crate) struct Closer(String);

impl Closer {
    pub(crate) fn close(self, app: &AppHandle) {
        if let Some(window) = app.get_webview_window(&self.0) {
            let _ = window.destroy();
        }
    }
}

/// Resolves once the window is gone (closed by the user, or destroyed).
fn when_closed(window: &tauri::WebviewWindow) -> oneshot::Receiver<()> {
    let (closed_tx, closed_rx) = oneshot::channel::<()>();
    let closed_tx = std::sync::Mutex::new(Some(closed_tx));
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed)
            && let Some(tx) = closed_tx.lock().unwrap_or_else(|p| p.into_inner()).take()
        {
            let _ = tx.send(());
        }
    });
    closed_rx
}
