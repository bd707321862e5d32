//! Graph path latency: core's Graph client against the local Entra on a loopback socket, as the
//! desktop app and `scim-token entra` call it: reading a job's status (what the health watch does
//! each time) and a push's round trip (read the secrets, Test Connection with the new ones, store
//! them, read them back). `scripts/bench` (or `cargo bench -p scim-token-sandbox --bench graph`).

#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use scim_token_core::entra::graph::Graph;
use scim_token_core::entra::secrets::SecretPair;
use scim_token_sandbox::{Sandbox, SandboxConfig};

fn graph(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(Sandbox::start(SandboxConfig::default(), 0))
        .unwrap();
    let sandbox = running.sandbox();
    let access = oauth2::AccessToken::new(sandbox.issue_graph_token("admin@sandbox.example").unwrap());
    let http = scim_token_core::net::Http::direct().unwrap();
    let graph = Graph::new(&http, running.entra_base().join("v1.0/").unwrap(), &access);
    let (app, job) = runtime.block_on(async {
        let app = graph.webex_apps().await.unwrap().remove(0).id;
        let job = graph.jobs(&app).await.unwrap().remove(0).id;
        (app, job)
    });
    let tenant_url = format!("{}identity/scim/{}/v2", running.base(), sandbox.config().org_id);
    let credentials = [
        SecretPair::new("BaseAddress", tenant_url),
        SecretPair::new(
            "SecretToken",
            sandbox.issue_token("admin@sandbox.example").unwrap(),
        ),
    ];

    let mut group = c.benchmark_group("graph");
    group.bench_function("read_job_status", |b| {
        b.iter(|| runtime.block_on(graph.job(&app, &job)).unwrap())
    });
    group.bench_function("push_round_trip", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let (_, source) = graph.secrets(&app).await.unwrap();
                graph.validate(&app, &job, &credentials).await.unwrap();
                graph.put_secrets(&app, &credentials).await.unwrap();
                graph.secrets_from(&app, source).await.unwrap()
            })
        })
    });
    group.finish();
    drop(graph);
    runtime.block_on(running.stop()).unwrap();
}

criterion_group!(benches, graph);
criterion_main!(benches);
