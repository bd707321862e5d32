//! The isolated (incognito) sign-in window, once for both sign-ins (Webex and Entra): it follows
//! core's [`WindowRule`] (the redirect is handed to the sign-in and never loaded, other pages
//! allowed or refused, the title names whose page it shows), or the system browser instead.
//!
//! Sign-in windows are in no capability (see `capabilities/main.json`), so their remote pages can
//! call no command.

use std::future::Future;
use std::pin::Pin;

use scim_token_core::api::{
    LaunchPage, Stop, WindowRedirects, WindowRule, WindowStep, open_in_browser, private_window_commands,
};
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tokio::sync::{mpsc, oneshot};

use crate::error::CommandError;
use crate::sign_in::{BrowserSignIn, SignInPlace};

/// What ends a sign-in's wait early, whatever its surface.
pub(crate) type StopSignal = Pin<Box<dyn Future<Output = Stop> + Send>>;

/// A sign-in's surface: its window, or the system browser (where only Cancel ends it early),
/// with the page it was opened on, kept until the sign-in ends.
pub(crate) enum Surface {
    Window(SignInWindow),
    Browser(Option<LaunchPage>),
}

impl Surface {
    /// Opens the sign-in at `url` in `place`; a browser that cannot be opened is a note, not a
    /// failure (the link can still be copied), returned beside it.
    pub(crate) async fn open(
        app: &AppHandle,
        place: SignInPlace,
        label: String,
        url: &url::Url,
        rule: WindowRule,
    ) -> Result<(Self, Option<BrowserSignIn>, Option<String>), CommandError> {
        match place {
            SignInPlace::Window => Ok((
                Self::Window(SignInWindow::open(app, label, url, rule)?),
                None,
                None,
            )),
            SignInPlace::Browser => {
                // Opening a browser runs programs (xdg-open and the like) and waits for them.
                let owned = url.clone();
                let opened = tauri::async_runtime::spawn_blocking(move || open_in_browser(&owned))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|opened| opened.map_err(|e| e.to_string()));
                let (page, problem) = match opened {
                    Ok(page) => (Some(page), None),
                    Err(problem) => (None, Some(problem)),
                };
                let browser = BrowserSignIn {
                    link: url.to_string(),
                    private_window_commands: private_window_commands(url),
                };
                Ok((Self::Browser(page), Some(browser), problem))
            }
        }
    }

    /// What the sign-in reads (the window's redirects, if any, and what stops it) and what
    /// closes the window afterwards.
    pub(crate) fn into_parts(
        self,
        cancelled: oneshot::Receiver<()>,
    ) -> (Option<WindowRedirects>, StopSignal, Option<Closer>) {
        match self {
            Self::Window(window) => {
                let (redirects, stop, closer) = window.into_parts(cancelled);
                (Some(redirects), Box::pin(stop), Some(closer))
            }
            Self::Browser(page) => (
                None,
                Box::pin(async move {
                    // The launch page lives as long as the sign-in waits on this.
                    let _page = page;
                    let _ = cancelled.await;
                    Stop::Cancelled
                }),
                None,
            ),
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
    pub(crate) fn close(closer: Option<Self>, app: &AppHandle) {
        let Some(closer) = closer else { return };
        closer.close_window(app);
    }

    fn close_window(self, app: &AppHandle) {
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
