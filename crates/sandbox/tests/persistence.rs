//! `--data FILE`: what a sandbox acknowledged is there after a restart.

mod common;

use common::Running;
use reqwest::Method;
use scim_token_sandbox::SandboxConfig;
use serde_json::json;

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
