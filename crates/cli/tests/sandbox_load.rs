//! The sandbox (`scim-token sandbox --data FILE`, a separate process) under bounded load and a
//! hard kill. Every figure is printed (`-- --nocapture`) and quoted in the README.
//!
//! - 50 connections for 20 s mixing creates, PATCHes, filters, duplicate creates and deletes:
//!   no 5xx, and the users listed afterwards are exactly those acknowledged as created and not
//!   deleted, each userName once.
//! - SIGKILL mid-load, restart on the same file: every acknowledged create and PATCH is there.
#![cfg(unix)]
#![allow(clippy::print_stderr, missing_docs)]

use scim_token_test_support as support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use scim_token_core::{AuthorizeRequest, Broker, BrokerId};
use serde_json::{Value, json};
use support::Sandbox;

const ADMIN: &str = "admin@sandbox.example";
const CONNECTIONS: usize = 50;
const LOAD_FOR: Duration = Duration::from_secs(20);

/// Signs in through the sandbox's auto-approving broker and returns the token from the redirect.
async fn token(sandbox: &Sandbox) -> String {
    let broker = BrokerId::Sandbox {
        base: sandbox.base.parse().unwrap(),
    };
    let pending = AuthorizeRequest::new(Broker::resolve(&broker)).start(time::OffsetDateTime::now_utc());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url: url::Url = pending.url.as_str().parse().unwrap();
    // Follow the sandbox's own hops (e.g. the forced-login wrapper) until the redirect to localhost.
    for _ in 0..5 {
        let response = client.get(url.as_str()).send().await.unwrap();
        let location = response.headers()["location"].to_str().unwrap();
        url = url.join(location).unwrap();
        if url.host_str() == Some("localhost") {
            break;
        }
    }
    let location = url;
    let fragment = location.fragment().expect("the token is in the fragment");
    url::form_urlencoded::parse(fragment.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .expect("an access_token")
}

#[derive(Clone)]
struct Scim {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Scim {
    async fn new(sandbox: &Sandbox) -> Self {
        Self {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(CONNECTIONS)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            base: sandbox.tenant_url(),
            token: token(sandbox).await,
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), String> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/scim+json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    /// Every user, page by page: userName → (id, displayName).
    async fn all_users(&self) -> Vec<(String, String, String)> {
        let mut users = Vec::new();
        let mut start = 1;
        loop {
            let (status, page) = self
                .call(
                    reqwest::Method::GET,
                    &format!("Users?startIndex={start}&count=500"),
                    None,
                )
                .await
                .unwrap();
            assert_eq!(status, StatusCode::OK, "{page}");
            let resources = page["Resources"].as_array().cloned().unwrap_or_default();
            for user in &resources {
                users.push((
                    user["userName"].as_str().unwrap().to_owned(),
                    user["id"].as_str().unwrap().to_owned(),
                    user["displayName"].as_str().unwrap_or_default().to_owned(),
                ));
            }
            start += resources.len();
            if resources.is_empty() || start > page["totalResults"].as_u64().unwrap() as usize {
                return users;
            }
        }
    }
}

fn new_user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "displayName": "created",
        "name": { "givenName": "Load", "familyName": "Test" },
        "emails": [{ "value": name, "type": "work", "primary": true }],
        "active": true
    })
}

fn rename(to: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "Replace", "path": "displayName", "value": to }]
    })
}

/// What the clients were told: userName → displayName last acknowledged, for users whose create
/// was acknowledged and whose delete was not.
#[derive(Default)]
struct Acknowledged {
    users: Mutex<BTreeMap<String, String>>,
    /// Users whose last PATCH or DELETE got no answer (cut off by a kill): either outcome is right.
    uncertain: Mutex<BTreeSet<String>>,
    requests: AtomicUsize,
    server_errors: AtomicUsize,
    conflicts: AtomicUsize,
    transport_errors: AtomicUsize,
}

impl Acknowledged {
    fn count(&self, result: &Result<(StatusCode, Value), String>) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok((status, _)) if status.is_server_error() => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
            }
            Ok((StatusCode::CONFLICT, _)) => {
                self.conflicts.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(_) => {
                self.transport_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// One client: create, rename, look up by filter, try a duplicate, delete every third.
async fn worker(scim: Scim, id: usize, acked: Arc<Acknowledged>, stop: Arc<AtomicBool>) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let name = format!("w{id}-{n}@load.example");
        let created = scim
            .call(reqwest::Method::POST, "Users", Some(new_user(&name)))
            .await;
        acked.count(&created);
        let Ok((StatusCode::CREATED, user)) = created else {
            continue;
        };
        let user_id = user["id"].as_str().unwrap().to_owned();
        acked.users.lock().unwrap().insert(name.clone(), "created".into());

        let renamed = format!("renamed {n}");
        let patched = scim
            .call(
                reqwest::Method::PATCH,
                &format!("Users/{user_id}"),
                Some(rename(&renamed)),
            )
            .await;
        acked.count(&patched);
        match patched {
            Ok((StatusCode::OK, _)) => {
                acked.users.lock().unwrap().insert(name.clone(), renamed);
            }
            Err(_) => {
                acked.uncertain.lock().unwrap().insert(name.clone());
            }
            Ok(_) => {}
        }

        let filter = format!("Users?filter=userName%20eq%20%22{name}%22");
        let found = scim.call(reqwest::Method::GET, &filter, None).await;
        acked.count(&found);
        if let Ok((StatusCode::OK, page)) = &found {
            assert_eq!(page["totalResults"], 1, "filter for {name}: {page}");
        }

        let duplicate = scim
            .call(reqwest::Method::POST, "Users", Some(new_user(&name)))
            .await;
        acked.count(&duplicate);
        if let Ok((status, body)) = &duplicate {
            assert_eq!(
                *status,
                StatusCode::CONFLICT,
                "a duplicate userName was accepted: {body}"
            );
        }

        if n % 3 == 0 {
            let deleted = scim
                .call(reqwest::Method::DELETE, &format!("Users/{user_id}"), None)
                .await;
            acked.count(&deleted);
            match deleted {
                Ok((StatusCode::NO_CONTENT, _)) => {
                    acked.users.lock().unwrap().remove(&name);
                }
                Err(_) => {
                    acked.uncertain.lock().unwrap().insert(name.clone());
                }
                Ok(_) => {}
            }
        }
    }
}

async fn run_load(
    scim: &Scim,
    connections: usize,
    stop_after: Option<Duration>,
) -> (
    Arc<Acknowledged>,
    Arc<AtomicBool>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let acked = Arc::new(Acknowledged::default());
    let stop = Arc::new(AtomicBool::new(false));
    let workers = (0..connections)
        .map(|id| tokio::spawn(worker(scim.clone(), id, acked.clone(), stop.clone())))
        .collect();
    if let Some(after) = stop_after {
        tokio::time::sleep(after).await;
        stop.store(true, Ordering::Relaxed);
    }
    (acked, stop, workers)
}

fn assert_exactly(listed: &[(String, String, String)], acked: &Acknowledged, check_names: bool) {
    let names: Vec<&String> = listed.iter().map(|(n, _, _)| n).collect();
    let unique: BTreeSet<&String> = names.iter().copied().collect();
    assert_eq!(names.len(), unique.len(), "a userName is listed twice");
    let expected = acked.users.lock().unwrap();
    for (name, display) in expected.iter() {
        let found = listed.iter().find(|(n, _, _)| n == name);
        let Some((_, _, listed_display)) = found else {
            panic!("acknowledged user {name} is missing");
        };
        if check_names {
            assert_eq!(listed_display, display, "{name} lost its acknowledged PATCH");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "full tier: a load test (bounded, about 20 s); scripts/test runs it"]
async fn fifty_connections_for_twenty_seconds_lose_nothing() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("sandbox.db");
    let sandbox = Sandbox::start(&["--auto-approve", ADMIN, "--data", file.to_str().unwrap()]);
    let scim = Scim::new(&sandbox).await;
    let started = Instant::now();
    let (acked, _, workers) = run_load(&scim, CONNECTIONS, Some(LOAD_FOR)).await;
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed();
    let listed = scim.all_users().await;
    assert_eq!(acked.server_errors.load(Ordering::Relaxed), 0, "5xx under load");
    assert_eq!(
        acked.transport_errors.load(Ordering::Relaxed),
        0,
        "requests failed outright"
    );
    // Exactly the acknowledged users (the sandbox starts empty), with their last names.
    assert_eq!(
        listed.len(),
        acked.users.lock().unwrap().len(),
        "lost or extra users"
    );
    assert_exactly(&listed, &acked, true);
    let requests = acked.requests.load(Ordering::Relaxed);
    eprintln!(
        "sandbox load: {CONNECTIONS} connections, {requests} requests in {:.1} s ({:.0}/s), 0 5xx, \
         {} duplicate creates refused with 409, {} users listed = {} acknowledged, 0 lost, 0 duplicated",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        acked.conflicts.load(Ordering::Relaxed),
        listed.len(),
        acked.users.lock().unwrap().len(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "full tier: a load test (bounded, about 20 s); scripts/test runs it"]
async fn kill_9_mid_load_keeps_every_acknowledged_write() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("sandbox.db");
    let args = ["--auto-approve", ADMIN, "--data", file.to_str().unwrap()];
    let mut rounds = Vec::new();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let org = uuid::Uuid::new_v4().to_string();
    for round in 0..3 {
        let sandbox = Sandbox::start_for(&org, &args);
        let scim = Scim::new(&sandbox).await;
        // Everything acknowledged before every earlier kill is still there.
        let listed = scim.all_users().await;
        let before = Acknowledged::default();
        *before.users.lock().unwrap() = expected.clone();
        assert_exactly(&listed, &before, true);

        let (acked, stop, workers) = run_load(&scim, 20, None).await;
        tokio::time::sleep(Duration::from_millis(1500 + 500 * round)).await;
        let requests = acked.requests.load(Ordering::Relaxed);
        sandbox.kill_9();
        stop.store(true, Ordering::Relaxed);
        for worker in workers {
            worker.await.unwrap();
        }
        assert_eq!(
            acked.server_errors.load(Ordering::Relaxed),
            0,
            "5xx before the kill"
        );
        let mut acked_now = acked.users.lock().unwrap().clone();
        let uncertain = acked.uncertain.lock().unwrap().clone();
        acked_now.retain(|name, _| !uncertain.contains(name));
        // Deleted users were removed from `acked`; users from earlier rounds were not touched.
        let acknowledged = acked_now.len();
        expected.append(&mut acked_now);
        rounds.push((requests, acknowledged));
    }
    let sandbox = Sandbox::start_for(&org, &args);
    let scim = Scim::new(&sandbox).await;
    let listed = scim.all_users().await;
    let last = Acknowledged::default();
    *last.users.lock().unwrap() = expected.clone();
    assert_exactly(&listed, &last, true);
    eprintln!(
        "sandbox kill -9: 3 SIGKILLs mid-load (requests before each: {:?}), {} acknowledged users \
         (with their last acknowledged PATCH) all present after restart, {} listed, 0 lost",
        rounds.iter().map(|r| r.0).collect::<Vec<_>>(),
        expected.len(),
        listed.len()
    );
}
