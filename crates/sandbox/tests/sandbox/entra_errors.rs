//! Every error path of the local Entra answers as Entra and Graph do: identity-platform errors
//! never redirect to an unknown client or URI, token errors are `invalid_grant` with an AADSTS
//! code, Graph errors have Graph's shape and status.

use std::time::Duration;

use reqwest::Method;
use scim_token_sandbox::{EntraConfig, SandboxConfig};
use serde_json::json;

use crate::common::Running;
use crate::common::entra::{
    CLIENT, REDIRECT, SCOPES, WEBEX_APP, assert_graph_error, authorize_params, location_query, param, pkce,
};

async fn authorize(running: &Running, tenant: &str, pairs: &[(&str, String)]) -> reqwest::Response {
    running
        .client
        .get(running.entra_url(&format!("/{tenant}/oauth2/v2.0/authorize")))
        .query(pairs)
        .send()
        .await
        .unwrap()
}

fn with(
    mut pairs: Vec<(&'static str, String)>,
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    pairs.retain(|(k, _)| *k != name);
    pairs.push((name, value.into()));
    pairs
}

#[tokio::test]
async fn unknown_tenant_client_or_redirect_get_an_error_page_and_no_redirect() {
    let running = Running::start(SandboxConfig::default()).await;
    let (_, challenge) = pkce();
    let good = authorize_params(&challenge, SCOPES);
    let cases = [
        (
            "00000000-0000-0000-0000-000000000001",
            good.clone(),
            "AADSTS90002",
        ),
        (
            "organizations",
            with(good.clone(), "client_id", "11111111-2222-3333-4444-555555555555"),
            "AADSTS700016",
        ),
        (
            "organizations",
            with(good.clone(), "redirect_uri", "https://evil.example/cb"),
            "AADSTS50011",
        ),
        (
            "common",
            with(good.clone(), "redirect_uri", "http://127.0.0.2:5000/"),
            "AADSTS50011",
        ),
    ];
    for (tenant, pairs, code) in cases {
        let response = authorize(&running, tenant, &pairs).await;
        assert_eq!(response.status(), 400, "{code}");
        assert!(
            response.headers().get("location").is_none(),
            "{code}: never redirected"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains(code), "{code}: {page}");
    }
    // The tenant's own ID works like `organizations`.
    let tenant = running.sandbox.config().entra.tenant.to_string();
    assert_eq!(authorize(&running, &tenant, &good).await.status(), 200);
}

#[tokio::test]
async fn other_request_errors_go_back_to_the_client() {
    let running = Running::start(SandboxConfig::default()).await;
    let (_, challenge) = pkce();
    let good = authorize_params(&challenge, SCOPES);
    let cases = [
        (
            with(good.clone(), "response_type", "token"),
            "unsupported_response_type",
        ),
        (with(good.clone(), "code_challenge", ""), "invalid_request"),
        (
            with(good.clone(), "code_challenge_method", "plain"),
            "invalid_request",
        ),
        (with(good.clone(), "scope", "Mail.Send"), "invalid_scope"),
        (
            with(good.clone(), "scope", "openid offline_access"),
            "invalid_scope",
        ),
        (with(good.clone(), "prompt", "none"), "login_required"),
    ];
    for (pairs, error) in cases {
        let response = authorize(&running, "organizations", &pairs).await;
        assert_eq!(response.status(), 302, "{error}");
        let query = location_query(&response);
        assert_eq!(param(&query, "error"), Some(error));
        assert!(
            param(&query, "error_description").is_some_and(|d| d.starts_with("AADSTS")),
            "{query:?}"
        );
        assert_eq!(param(&query, "state"), Some("st-123"));
    }
}

#[tokio::test]
async fn cancel_and_wrong_password() {
    let running = Running::start(SandboxConfig::default()).await;
    let (_, challenge) = pkce();
    let mut form = authorize_params(&challenge, SCOPES);
    form.push(("email", "admin@sandbox.example".into()));
    form.push(("password", "wrong".into()));
    form.push(("action", "signin".into()));
    let url = running.entra_url("/organizations/oauth2/v2.0/authorize");
    let wrong = running.client.post(&url).form(&form).send().await.unwrap();
    assert_eq!(wrong.status(), 200);
    assert!(wrong.text().await.unwrap().contains("AADSTS50126"));
    let form = with(form, "action", "cancel");
    let cancelled = running.client.post(&url).form(&form).send().await.unwrap();
    let query = location_query(&cancelled);
    assert_eq!(param(&query, "error"), Some("access_denied"));
}

#[tokio::test]
async fn codes_are_bound_to_verifier_redirect_and_client_and_used_once() {
    let running = Running::start(SandboxConfig::default()).await;
    let (verifier, challenge) = pkce();
    let redeem = |code: String, verifier: String, redirect: &'static str, client: &'static str| {
        let running = &running;
        async move {
            running
                .entra_token(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", client),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", &verifier),
                ])
                .await
        }
    };
    let code = running
        .entra_code("admin@sandbox.example", "sandbox-admin", &challenge, SCOPES)
        .await;
    let (status, body) = redeem(
        code,
        "another-verifier-of-enough-length-0123456789".into(),
        REDIRECT,
        CLIENT,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    assert_eq!(body["error_codes"][0], 501481);

    let code = running
        .entra_code("admin@sandbox.example", "sandbox-admin", &challenge, SCOPES)
        .await;
    let (status, body) = redeem(code, verifier.clone(), "http://localhost:1/other", CLIENT).await;
    assert_eq!(
        (status, body["error_codes"][0].as_u64()),
        (400, Some(50011)),
        "{body}"
    );

    let code = running
        .entra_code("admin@sandbox.example", "sandbox-admin", &challenge, SCOPES)
        .await;
    let (status, body) = redeem(code.clone(), verifier.clone(), REDIRECT, CLIENT).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let (status, body) = redeem(code, verifier, REDIRECT, CLIENT).await;
    assert_eq!(
        (status, body["error_codes"][0].as_u64()),
        (400, Some(54005)),
        "{body}"
    );

    let (status, body) = running
        .entra_token(&[("grant_type", "password"), ("client_id", CLIENT)])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = running
        .entra_token(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", "x"),
            ("client_secret", "s"),
        ])
        .await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn graph_refuses_missing_bad_and_expired_tokens() {
    let running = Running::start(SandboxConfig {
        entra: EntraConfig {
            token_lifetime: time::Duration::seconds(1),
            ..EntraConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let (status, body) = running.graph(Method::GET, "/servicePrincipals", None, None).await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    let (status, body) = running
        .graph(Method::GET, "/servicePrincipals", Some("eat_forged_sbx"), None)
        .await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    assert!(
        running
            .sandbox
            .issue_graph_token("nobody@sandbox.example")
            .is_none(),
        "only the local Entra's accounts get a token"
    );
    let token = running.entra_admin_token().await;
    assert_eq!(
        running
            .graph(Method::GET, "/servicePrincipals", Some(&token), None)
            .await
            .0,
        200
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = running
        .graph(Method::GET, "/servicePrincipals", Some(&token), None)
        .await;
    assert_graph_error(status, &body, 401, "InvalidAuthenticationToken");
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn graph_denies_a_user_without_the_role_or_the_scope() {
    let running = Running::start(SandboxConfig::default()).await;
    let jobs = format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs");
    let user = running
        .entra_sign_in("user@sandbox.example", "sandbox-user", SCOPES)
        .await;
    let user = user["access_token"].as_str().unwrap();
    assert_eq!(
        running
            .graph(Method::GET, "/servicePrincipals", Some(user), None)
            .await
            .0,
        200,
        "anyone may list apps"
    );
    let (status, body) = running.graph(Method::GET, &jobs, Some(user), None).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Application Administrator")
    );

    let narrow = running
        .entra_sign_in(
            "admin@sandbox.example",
            "sandbox-admin",
            "https://graph.microsoft.com/Application.Read.All",
        )
        .await;
    let narrow = narrow["access_token"].as_str().unwrap();
    let (status, body) = running.graph(Method::GET, &jobs, Some(narrow), None).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Synchronization.ReadWrite.All")
    );
}

#[tokio::test]
async fn unknown_ids_bad_queries_and_bodies() {
    let running = Running::start(SandboxConfig::default()).await;
    let bearer = running.entra_admin_token().await;
    let token = Some(bearer.as_str());
    let cases = [
        (
            Method::GET,
            "/servicePrincipals/00000000-0000-0000-0000-000000000000".to_owned(),
            None,
            404,
            "Request_ResourceNotFound",
        ),
        (
            Method::GET,
            "/servicePrincipals/not-a-uuid/synchronization/jobs".to_owned(),
            None,
            404,
            "Request_ResourceNotFound",
        ),
        (
            Method::GET,
            format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/NoSuchJob"),
            None,
            404,
            "Request_ResourceNotFound",
        ),
        (
            Method::POST,
            format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/NoSuchJob/start"),
            None,
            404,
            "Request_ResourceNotFound",
        ),
        (
            Method::PUT,
            format!("/servicePrincipals/{WEBEX_APP}/synchronization/secrets"),
            Some(json!({"value": []})),
            400,
            "BadRequest",
        ),
        (Method::GET, "/users".to_owned(), None, 400, "BadRequest"),
    ];
    for (method, path, body, status, code) in cases {
        let (got, answer) = running.graph(method, &path, token, body).await;
        assert_graph_error(got, &answer, status, code);
    }
    // Malformed JSON.
    let response = running
        .client
        .put(running.entra_url(&format!(
            "/v1.0/servicePrincipals/{WEBEX_APP}/synchronization/secrets"
        )))
        .bearer_auth(&bearer)
        .header("content-type", "application/json")
        .body("{\"value\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // $search needs ConsistencyLevel; filters it does not know are refused.
    for query in [
        [("$search", "\"displayName:webex\"")],
        [("$filter", "accountEnabled eq true")],
    ] {
        let response = running
            .client
            .get(running.entra_url("/v1.0/servicePrincipals"))
            .query(&query)
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert_graph_error(
            status,
            &response.json().await.unwrap(),
            400,
            "Request_UnsupportedQuery",
        );
    }
    // A start before credentials are stored is refused with a reason.
    let (_, jobs) = running
        .graph(
            Method::GET,
            &format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs"),
            token,
            None,
        )
        .await;
    let job = jobs["value"][0]["id"].as_str().unwrap();
    let (status, body) = running
        .graph(
            Method::POST,
            &format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/{job}/start"),
            token,
            None,
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    assert!(body["error"]["message"].as_str().unwrap().contains("credentials"));
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let running = Running::start(SandboxConfig {
        entra: EntraConfig {
            throttle_every: std::num::NonZeroU32::new(3),
            ..EntraConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let token = running.entra_admin_token().await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = running
            .client
            .get(running.entra_url("/v1.0/servicePrincipals"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert_eq!(response.headers()["retry-after"], "1");
            let body = response.json().await.unwrap();
            assert_graph_error(429, &body, 429, "TooManyRequests");
        }
    }
    assert_eq!(statuses, [200, 200, 429, 200, 200, 429]);
}
