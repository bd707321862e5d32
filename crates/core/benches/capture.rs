//! Capture latency: from the page's POST of the fragment to the token being in hand
//! (`Listener::wait` returned, port freed), and to the token being stored in the OS keyring.
//! Run inside `scripts/world` so the keyring is a real, private gnome-keyring:
//! `scripts/bench` (or `scripts/world cargo bench -p scim-token-core --bench capture`).

#![allow(missing_docs)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use scim_token_core::listener::{Listener, ListenerConfig};
use scim_token_core::vault::Vault;
use scim_token_core::{AuthorizeRequest, Broker, BrokerId};
use time::OffsetDateTime;

const TOKEN: &str = "YmVuY2htYXJrdG9rZW5iZW5jaG1hcmt0b2tlbg_PF84_1eb65fdf-9643-417f-9974-ad72cae0e10f";

/// One capture; returns the time from POST to `wait` returning, and the captured token.
async fn capture_once(client: &reqwest::Client) -> (Duration, scim_token_core::CapturedToken) {
    let pending = AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex)).start(OffsetDateTime::now_utc());
    let fragment = format!(
        "access_token={TOKEN}&token_type=Bearer&expires_in=3887999&state={}",
        pending.state.secret()
    );
    let config = ListenerConfig {
        addrs: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
        timeout: Duration::from_secs(30),
    };
    let listener = Listener::bind(pending, config).await.unwrap();
    let base = format!("http://{}", listener.local_addrs()[0]);
    let started = Instant::now();
    let post = client
        .post(format!("{base}/auth/code"))
        .header("origin", &base)
        .body(fragment)
        .send();
    let (response, captured) = tokio::join!(post, listener.wait());
    assert!(response.unwrap().status().is_success());
    (started.elapsed(), captured.unwrap())
}

fn capture(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("capture");
    group.bench_function("post_to_token_in_hand", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += capture_once(&client).await.0;
                }
                total
            })
        })
    });

    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::new(format!("scim-token-bench-{}", std::process::id()), dir.path());
    group.sample_size(20);
    group.bench_function("post_to_token_stored_in_keyring", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (elapsed, captured) = capture_once(&client).await;
                    let started = Instant::now();
                    let org = captured.token.org_id_hint().unwrap();
                    let record = scim_token_core::TokenRecord::new(
                        &captured.token,
                        org,
                        BrokerId::Webex,
                        OffsetDateTime::now_utc(),
                        captured.expires_in,
                    );
                    vault
                        .store(&captured.token, &record)
                        .expect("a keyring: run inside scripts/world");
                    total += elapsed + started.elapsed();
                }
                total
            })
        })
    });
    group.finish();
    let _ = vault.forget(&scim_token_core::TokenKey {
        broker: scim_token_core::BrokerId::Webex,
        org: "1eb65fdf-9643-417f-9974-ad72cae0e10f".parse().unwrap(),
    });
}

criterion_group!(benches, capture);
criterion_main!(benches);
