//! `--data FILE`: what a sandbox acknowledged is there after a restart.

use reqwest::Method;
use scim_token_sandbox::SandboxConfig;
use serde_json::json;

use crate::common::Running;

fn user(name: &str) -> serde_json::Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "externalId": name})
}

#[tokio::test]
async fn restart_keeps_users_groups_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        data: Some(dir.path().join("sandbox.db")),
        ..SandboxConfig::default()
    };

    let first = Running::start(config.clone()).await;
    let (_, a) = first
        .call(Method::POST, "/Users", Some(user("a@contoso.com")))
        .await;
    let (_, b) = first
        .call(Method::POST, "/Users", Some(user("b@contoso.com")))
        .await;
    let (a, b) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    );
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G", "members": [{"value": a}, {"value": b}]});
    let (_, g) = first.call(Method::POST, "/Groups", Some(group)).await;
    let gid = g["id"].as_str().unwrap().to_owned();
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "CTO"}]});
    let (_, patched) = first.call(Method::PATCH, &format!("/Users/{a}"), Some(ops)).await;
    assert_eq!(
        first.call(Method::DELETE, &format!("/Users/{b}"), None).await.0,
        204
    );
    drop(first);

    let second = Running::start(config).await;
    let (status, again) = second.call(Method::GET, &format!("/Users/{a}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(again["title"], "CTO");
    assert_eq!(again["meta"]["version"], patched["meta"]["version"]);
    assert_eq!(
        second.call(Method::GET, &format!("/Users/{b}"), None).await.0,
        404
    );
    let (_, g) = second.call(Method::GET, &format!("/Groups/{gid}"), None).await;
    assert_eq!(
        g["members"],
        json!([{"value": a}]),
        "the deleted user left the group, durably"
    );
    // Indexes are rebuilt: uniqueness and filtered lookups still hold.
    assert_eq!(
        second
            .call(Method::POST, "/Users", Some(user("A@contoso.com")))
            .await
            .0,
        409
    );
    let (_, found) = second
        .call(
            Method::GET,
            "/Users?filter=externalId%20eq%20%22a%40contoso.com%22",
            None,
        )
        .await;
    assert_eq!(found["totalResults"], 1);
    // New resources get versions above the old ones.
    let (_, c) = second
        .call(Method::POST, "/Users", Some(user("c@contoso.com")))
        .await;
    assert_ne!(c["meta"]["version"], again["meta"]["version"]);
}

#[tokio::test]
async fn a_data_file_of_another_org_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.db");
    let config = SandboxConfig {
        data: Some(path.clone()),
        ..SandboxConfig::default()
    };
    drop(scim_token_sandbox::Sandbox::new(config).unwrap());
    let other = SandboxConfig {
        data: Some(path),
        org_id: "1eb65fdf-9643-417f-9974-ad72cae0e10f".parse().unwrap(),
        ..SandboxConfig::default()
    };
    let err = scim_token_sandbox::Sandbox::new(other)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("belongs to org"), "{err}");
}

/// The local Entra side of a `--data` sandbox: apps, secrets and job state survive a restart,
/// and so does the Webex token the job holds (kept hashed), so the job stays Active.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_the_entra_side_and_the_jobs_token() {
    use crate::common::entra::{WEBEX_APP, wait_for_job};
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        data: Some(dir.path().join("sandbox.db")),
        entra: scim_token_sandbox::EntraConfig {
            cycle: Duration::from_secs(1),
            users: 5,
            secrets_put: scim_token_sandbox::entra::SecretsPut::Merge,
            secrets_read: scim_token_sandbox::entra::SecretsRead::V1,
            ..Default::default()
        },
        ..SandboxConfig::default()
    };
    let secrets = format!("/servicePrincipals/{WEBEX_APP}/synchronization/secrets");
    let jobs = format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs");

    let first = Running::start(config.clone()).await;
    let token = first.entra_admin_token().await;
    let body = json!({"value": [
        {"key": "BaseAddress", "value": first.scim_base()},
        {"key": "SecretToken", "value": first.token},
        {"key": "SyncNotificationSettings", "value": "{\"Enabled\":false}"},
    ]});
    assert_eq!(
        first
            .graph(Method::PUT, &secrets, Some(&token), Some(body))
            .await
            .0,
        204
    );
    let (_, listed) = first.graph(Method::GET, &jobs, Some(&token), None).await;
    let job = listed["value"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        first
            .graph(Method::POST, &format!("{jobs}/{job}/start"), Some(&token), None)
            .await
            .0,
        204
    );
    let before = wait_for_job(&first, &token, &job, "Active", |j| {
        j["status"]["code"] == "Active" && j["status"]["lastSuccessfulExecution"].is_object()
    })
    .await;
    let webex_token = first.token.clone();
    first.stop().await;

    // The restarted sandbox has other ports: point the Tenant URL at the new one (one key;
    // the others stay) and let the job run a cycle with the token it kept.
    let restarted = time::OffsetDateTime::now_utc();
    let second = Running::start(config).await;
    let token = second.entra_admin_token().await;
    let (_, after) = second
        .graph(Method::GET, &format!("{jobs}/{job}"), Some(&token), None)
        .await;
    assert_eq!(
        after["status"]["steadyStateFirstAchievedTime"], before["status"]["steadyStateFirstAchievedTime"],
        "{after}"
    );
    let moved = json!({"value": [{"key": "BaseAddress", "value": second.scim_base()}]});
    assert_eq!(
        second
            .graph(Method::PUT, &secrets, Some(&token), Some(moved))
            .await
            .0,
        204
    );
    let (_, kept) = second.graph(Method::GET, &secrets, Some(&token), None).await;
    let keys: Vec<&str> = kept["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "SkipOutOfScopeDeletions",
            "SyncAll",
            "SecretToken",
            "SyncNotificationSettings",
            "BaseAddress"
        ],
        "{kept}"
    );
    let restart = json!({"criteria": {"resetScope": "QuarantineState"}});
    assert_eq!(
        second
            .graph(
                Method::POST,
                &format!("{jobs}/{job}/restart"),
                Some(&token),
                Some(restart)
            )
            .await
            .0,
        204
    );
    wait_for_job(&second, &token, &job, "Active after the restart", |j| {
        let began = j["status"]["lastSuccessfulExecution"]["timeBegan"]
            .as_str()
            .unwrap_or("");
        let began = time::OffsetDateTime::parse(began, &time::format_description::well_known::Rfc3339);
        j["status"]["code"] == "Active" && began.is_ok_and(|t| t > restarted)
    })
    .await;
    // What was exported before is known: matched, not created twice.
    assert_eq!(
        second
            .sandbox
            .scim_store()
            .count(scim_token_sandbox::scim::Kind::User),
        5
    );
    // The Webex token issued before the restart still works.
    let scim = second
        .client
        .get(format!("{}/Users?count=1", second.scim_base()))
        .bearer_auth(&webex_token)
        .send()
        .await
        .unwrap();
    assert_eq!(scim.status(), 200);
    // The token table keeps hashes and grants only (the job's secrets hold the token, as
    // Entra's storage does).
    let db = rusqlite::Connection::open(dir.path().join("sandbox.db")).unwrap();
    let rows: Vec<String> = db
        .prepare("SELECT grant_doc || hex(hash) FROM webex_tokens")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|row| !row.contains(&webex_token)), "{rows:?}");
}
