//! Serving one loopback socket with hard limits a browser never notices but a hostile local
//! client does: at most [`MAX_CONNECTIONS`] at once, one request per connection, request headers
//! within [`HEADER_READ_TIMEOUT`] (slowloris, silent clients), and no connection older than
//! [`CONNECTION_LIFETIME`].
//! `axum::serve` has none of these knobs, so this is its accept loop with hyper's own. Both
//! loopback listeners use it: the Webex sign-in's and the Entra sign-in's redirect listener
//! (`entra/redirect.rs`); any local process can reach either.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Connections served at once; more wait in the kernel's backlog until one ends.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// Time allowed for a request's headers to arrive.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest any connection lives, idle keep-alive included.
pub(crate) const CONNECTION_LIFETIME: Duration = Duration::from_secs(30);

/// Accepts and serves until `stop` turns true, then frees the port, lets in-flight requests
/// finish and closes idle connections.
pub(crate) async fn serve(socket: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            () = stopped(&mut stop) => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => tokio::select! {
                    () = stopped(&mut stop) => break,
                    accepted = socket.accept() => accepted.map(|(stream, _)| (stream, slot)),
                },
                Err(_) => break,
            },
        };
        let (stream, slot) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // E.g. out of file descriptors: back off instead of spinning.
                tracing::warn!("listener accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        let service = TowerToHyperService::new(app.clone());
        let mut stop = stop.clone();
        connections.spawn(async move {
            let _slot = slot;
            // hyper's header timer starts at the first byte: a client that sends nothing (a
            // browser's speculative preconnect, or an attacker) would hold its slot, so it gets the
            // same few seconds to start, and none once the login is over.
            let mut first = [0u8; 1];
            let started = tokio::select! {
                peeked = tokio::time::timeout(HEADER_READ_TIMEOUT, stream.peek(&mut first)) => {
                    matches!(peeked, Ok(Ok(1..)))
                }
                () = stopped(&mut stop) => false,
            };
            if !started {
                return;
            }
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                // One request per connection: no idle keep-alive connection can hold a slot.
                .keep_alive(false);
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
            let served = tokio::time::timeout(CONNECTION_LIFETIME, async {
                tokio::select! {
                    result = connection.as_mut() => result,
                    () = stopped(&mut stop) => {
                        connection.as_mut().graceful_shutdown();
                        connection.as_mut().await
                    }
                }
            })
            .await;
            if let Ok(Err(e)) = served {
                tracing::debug!("listener connection ended: {e}");
            }
        });
    }
    // Nothing more is accepted: free the port now rather than after the last connection ends.
    drop(socket);
    while connections.join_next().await.is_some() {}
}

/// Resolves once `stop` is true (or its sender is gone), holding no borrow across awaits.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
