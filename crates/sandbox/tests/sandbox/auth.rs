//! Who may call the SCIM and People APIs, over a real socket: the order of the checks (token, org,
//! scope) and that every refusal is a SCIM error body.

use reqwest::Method;
use scim_token_sandbox::SandboxConfig;
use serde_json::Value;

use crate::common::{Running, assert_scim_error};

async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn the_token_is_checked_before_the_org_and_the_org_before_the_scope() {
    let s = Running::start(SandboxConfig::default()).await;
    let other_org = format!(
        "{}/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/Users",
        s.base()
    );
    // No token for another org: 401, not 404, so the org's existence does not leak.
    let (status, body) = status_and_body(s.client.get(&other_org).send().await.unwrap()).await;
    assert_scim_error(status, &body, 401, None);

    // A user without Identity:SCIM asking for another org: 404 before 403.
    let user_token = s.sandbox.issue_token("user@sandbox.example").unwrap();
    let (status, body) = status_and_body(
        s.client
            .get(&other_org)
            .bearer_auth(&user_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(status, &body, 404, None);
    let (status, body) = status_and_body(
        s.client
            .get(format!("{}/Users", s.scim_base()))
            .bearer_auth(&user_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_scim_error(status, &body, 403, None);
    assert!(
        body["detail"].as_str().unwrap().contains("Identity:SCIM"),
        "{body}"
    );
}

#[tokio::test]
async fn every_scim_route_needs_the_token() {
    let s = Running::start(SandboxConfig::default()).await;
    let routes = [
        (Method::GET, "/Users"),
        (Method::POST, "/Users"),
        (Method::POST, "/Users/.search"),
        (Method::GET, "/Users/x"),
        (Method::PUT, "/Users/x"),
        (Method::PATCH, "/Users/x"),
        (Method::DELETE, "/Users/x"),
        (Method::GET, "/Groups"),
        (Method::POST, "/Groups"),
        (Method::POST, "/Groups/.search"),
        (Method::GET, "/Groups/x"),
        (Method::PUT, "/Groups/x"),
        (Method::PATCH, "/Groups/x"),
        (Method::DELETE, "/Groups/x"),
        (Method::GET, "/ServiceProviderConfig"),
        (Method::GET, "/ResourceTypes"),
        (Method::GET, "/ResourceTypes/User"),
        (Method::GET, "/Schemas"),
        (Method::GET, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"),
    ];
    for (method, path) in routes {
        let response = s
            .client
            .request(method.clone(), format!("{}{path}", s.scim_base()))
            .send()
            .await
            .unwrap();
        let (status, body) = status_and_body(response).await;
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert_scim_error(status, &body, 401, None);
    }
}

#[tokio::test]
async fn an_expired_token_is_refused_with_a_reason() {
    let s = Running::start(SandboxConfig {
        token_lifetime: time::Duration::ZERO,
        ..SandboxConfig::default()
    })
    .await;
    let (status, body) = s.call(Method::GET, "/Users", None).await;
    assert_scim_error(status, &body, 401, None);
    assert!(body["detail"].as_str().unwrap().contains("expired"), "{body}");

    let me = s
        .client
        .get(format!("{}/v1/people/me", s.base()))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(me).await;
    assert_scim_error(status, &body, 401, None);
}

#[tokio::test]
async fn an_id_that_is_not_utf8_is_a_scim_404() {
    let s = Running::start(SandboxConfig::default()).await;
    let (status, body) = s.call(Method::GET, "/Users/%FF%FE", None).await;
    assert_scim_error(status, &body, 404, None);
    let (status, body) = s.call(Method::GET, "/Schemas/%C3%28", None).await;
    assert_scim_error(status, &body, 404, None);
}
