//! Catching a sign-in's redirect, once for both sign-ins (Webex and Entra) and both shells: a
//! loopback listener, and, in the desktop app, the sign-in window's navigation hook. Whichever
//! sees the redirect first wins; a Cancel, a closed window or the time limit ends the wait.
//!
//! The window's rule (what is the redirect, what the window may load, its title) is here too, so
//! the desktop shell only wires it to a webview.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;

use super::ApiError;
use super::stop::Stop;
use crate::broker::Broker;
use crate::callback::is_redirect;
use crate::entra::RedirectMatcher;
use crate::navigation::{may_navigate, may_navigate_entra, shown_host};

/// The redirects a sign-in window's hook caught (every URL its [`WindowRule`] called one).
pub type WindowRedirects = mpsc::UnboundedReceiver<Url>;

/// What a sign-in window does with a URL it is about to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStep {
    /// The redirect: hand the URL to the sign-in and never load it.
    Redirect,
    /// A sign-in page: load it.
    Follow,
    /// Anything else: refuse it.
    Refuse,
}

/// The navigation rule of one sign-in window.
#[derive(Clone)]
pub struct WindowRule(Rule);

#[derive(Clone)]
enum Rule {
    Webex(Box<Broker>),
    Entra {
        matcher: RedirectMatcher,
        local: Option<Url>,
    },
}

impl std::fmt::Debug for WindowRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Rule::Webex(_) => "WindowRule::Webex",
            Rule::Entra { .. } => "WindowRule::Entra",
        })
    }
}

impl WindowRule {
    /// The Webex window: any https sign-in (single sign-on goes anywhere), plain http only as
    /// [`may_navigate`] allows, the broker's redirect caught.
    pub(super) fn webex(broker: Broker) -> Self {
        Self(Rule::Webex(Box::new(broker)))
    }

    /// The Entra window: https anywhere, plain http only on its local Entra, the loopback
    /// redirect caught.
    pub(super) fn entra(matcher: RedirectMatcher, local: Option<Url>) -> Self {
        Self(Rule::Entra { matcher, local })
    }

    /// What to do with `url`.
    pub fn step(&self, url: &Url) -> WindowStep {
        let (redirect, allowed) = match &self.0 {
            Rule::Webex(broker) => (is_redirect(url, &broker.redirect_uri), may_navigate(url, broker)),
            Rule::Entra { matcher, local } => {
                (matcher.is_redirect(url), may_navigate_entra(url, local.as_ref()))
            }
        };
        match (redirect, allowed) {
            (true, _) => WindowStep::Redirect,
            (false, true) => WindowStep::Follow,
            (false, false) => WindowStep::Refuse,
        }
    }

    /// The window's title while it shows `url`: whose page the password goes to.
    pub fn title(&self, url: &Url) -> String {
        match self.0 {
            Rule::Webex(_) => format!("Sign in at {} — scim-token", shown_host(url)),
            Rule::Entra { .. } => format!("Sign in to Entra at {} — scim-token", shown_host(url)),
        }
    }
}

/// How much longer than its listener the race waits: a listener that times out at the limit
/// takes one last look at what was delivered (and its page has already said "signed in").
pub(super) const LISTENER_GRACE: Duration = Duration::from_secs(5);

/// Waits for the first of: the listener's outcome, a redirect from the window that `parse`
/// accepts (it returns `None` for one that is not this sign-in's, which is ignored, as the
/// listener ignores it), `stop`, or `limit` (give a running listener, whose own limit ends
/// it, [`LISTENER_GRACE`] more).
pub(super) async fn first_redirect<T>(
    listener: impl Future<Output = Result<T, ApiError>>,
    window: Option<WindowRedirects>,
    mut parse: impl FnMut(&Url) -> Option<Result<T, ApiError>>,
    stop: impl Future<Output = Stop>,
    limit: Duration,
) -> Result<T, ApiError> {
    let from_window = async {
        let Some(mut redirects) = window else {
            return std::future::pending().await;
        };
        while let Some(url) = redirects.recv().await {
            match parse(&url) {
                Some(outcome) => return outcome,
                None => tracing::warn!("ignored a redirect that was not this sign-in's"),
            }
        }
        // The window is gone; the listener may still catch the redirect.
        std::future::pending().await
    };
    tokio::select! {
        outcome = listener => outcome,
        outcome = from_window => outcome,
        why = stop => Err(ApiError::Stopped(why)),
        () = tokio::time::sleep(limit) => Err(ApiError::TimedOut(limit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::BrokerId;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn the_webex_window_catches_the_redirect_and_refuses_other_schemes() {
        let rule = WindowRule::webex(Broker::resolve(&BrokerId::Webex));
        assert_eq!(
            rule.step(&url("http://localhost:3000/auth/code#access_token=x")),
            WindowStep::Redirect
        );
        assert_eq!(
            rule.step(&url("https://idbroker.webex.com/idb/oauth2/v1/authorize")),
            WindowStep::Follow
        );
        assert_eq!(rule.step(&url("file:///etc/passwd")), WindowStep::Refuse);
        assert_eq!(
            rule.title(&url("https://sso.example.org/adfs")),
            "Sign in at sso.example.org — scim-token"
        );
    }

    #[tokio::test]
    async fn the_first_of_the_window_and_the_listener_wins_and_strangers_are_ignored() {
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(url("http://localhost:3000/stranger")).unwrap();
        tx.send(url("http://localhost:3000/ours")).unwrap();
        let outcome = first_redirect(
            std::future::pending::<Result<&str, ApiError>>(),
            Some(rx),
            |u| (u.path() == "/ours").then_some(Ok("window")),
            std::future::pending(),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(outcome.unwrap(), "window");
    }

    #[tokio::test]
    async fn a_stop_or_the_limit_ends_the_wait_with_its_reason() {
        let stopped = first_redirect(
            std::future::pending::<Result<(), ApiError>>(),
            None,
            |_| None,
            async { Stop::WindowClosed },
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(stopped, ApiError::Stopped(Stop::WindowClosed)),
            "{stopped:?}"
        );
        assert_eq!(stopped.kind(), super::super::ErrorKind::Cancelled);
        let late = first_redirect(
            std::future::pending::<Result<(), ApiError>>(),
            None,
            |_| None,
            std::future::pending(),
            Duration::from_millis(20),
        )
        .await
        .unwrap_err();
        assert_eq!(late.kind(), super::super::ErrorKind::Timeout);
    }
}
