//! Ctrl-C with its handler installed up front, so a "Ctrl-C to …" hint is true the moment it is
//! printed (tokio's `ctrl_c()` only installs the handler when first polled; a Ctrl-C before that
//! would kill the process instead of, say, clearing the clipboard).

use std::future::Future;

use anyhow::{Context, Result};
use scim_token_core::api::Stop;

/// Installs the handler now; the returned future completes on the next Ctrl-C (SIGINT).
pub(crate) fn ctrl_c() -> Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    #[cfg(windows)]
    let signal = tokio::signal::windows::ctrl_c();
    let mut signal = signal.context("cannot install the Ctrl-C handler")?;
    Ok(async move {
        signal.recv().await;
    })
}

/// The same, as what stops a sign-in's wait: [`Stop::Interrupted`] on the next Ctrl-C.
pub(crate) fn stop_on_ctrl_c() -> Result<impl Future<Output = Stop> + Send + 'static> {
    let interrupted = ctrl_c()?;
    Ok(async move {
        interrupted.await;
        Stop::Interrupted
    })
}
