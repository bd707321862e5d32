//! The sandbox ID broker over a real socket: sign-in, deny, validation, forced login.

use reqwest::header::LOCATION;
use scim_token_core::broker::{CLIENT_ID, REDIRECT_URI};
use scim_token_core::{AuthorizeRequest, Broker, BrokerId, callback};
use scim_token_sandbox::SandboxConfig;
use time::OffsetDateTime;

use crate::common::Running;

fn login_for(running: &Running) -> scim_token_core::PendingLogin {
    let id = BrokerId::Sandbox {
        base: format!("{}/", running.base()).parse().unwrap(),
    };
    AuthorizeRequest::new(Broker::resolve(&id))
        .login_hint("admin@sandbox.example")
        .start(OffsetDateTime::now_utc())
}

async fn location(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 302, "{:?}", response.text().await);
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// Follows the forced-login wrapper to the authorize page, as a browser would.
async fn authorize_url(running: &Running, pending: &scim_token_core::PendingLogin) -> String {
    let to_authorize = location(running.client.get(pending.url.clone()).send().await.unwrap()).await;
    assert!(
        to_authorize.starts_with("/idb/oauth2/v1/authorize?"),
        "{to_authorize}"
    );
    format!("{}{to_authorize}", running.base())
}

fn form(
    pending: &scim_token_core::PendingLogin,
    email: &str,
    password: &str,
    action: &str,
) -> Vec<(String, String)> {
    let inner: url::Url = pending
        .url
        .query_pairs()
        .find(|(k, _)| k == "goto")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let mut pairs: Vec<(String, String)> = inner.query_pairs().into_owned().collect();
    pairs.extend([
        ("email".into(), email.into()),
        ("password".into(), password.into()),
        ("action".into(), action.into()),
    ]);
    pairs
}

#[tokio::test]
async fn sign_in_returns_a_token_the_core_parser_accepts() {
    let running = Running::start(SandboxConfig::default()).await;
    let pending = login_for(&running);
    let page = running
        .client
        .get(authorize_url(&running, &pending).await)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("value=\"admin@sandbox.example\"") && html.contains("id=\"deny\""),
        "{html}"
    );

    let url = format!("{}/idb/oauth2/v1/authorize", running.base());
    let bad = running
        .client
        .post(&url)
        .form(&form(&pending, "admin@sandbox.example", "wrong", "approve"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert!(bad.text().await.unwrap().contains("Wrong email or password"));

    let ok = running
        .client
        .post(&url)
        .form(&form(
            &pending,
            "admin@sandbox.example",
            "sandbox-admin",
            "approve",
        ))
        .send()
        .await
        .unwrap();
    let redirect = location(ok).await;
    assert!(
        redirect.starts_with("http://localhost:3000/auth/code#access_token="),
        "{redirect}"
    );
    let captured = callback::parse(&redirect, &pending).unwrap();
    assert!(captured.scope_warning().is_none());
    assert_eq!(
        captured.token.org_id_hint().unwrap(),
        running.sandbox.config().org_id
    );
    assert_eq!(captured.expires_in, Some(time::Duration::seconds(3_887_999)));

    // The token works against the SCIM API and People API.
    let me = running
        .client
        .get(format!("{}/v1/people/me", running.base()))
        .bearer_auth(captured.token.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["emails"][0], "admin@sandbox.example");
}

#[tokio::test]
async fn deny_and_non_admin() {
    let running = Running::start(SandboxConfig::default()).await;
    let pending = login_for(&running);
    let url = format!("{}/idb/oauth2/v1/authorize", running.base());
    let denied = location(
        running
            .client
            .post(&url)
            .form(&form(&pending, "", "", "deny"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let err = callback::parse(&denied, &pending).unwrap_err();
    assert!(
        matches!(
            err,
            callback::CallbackError::Broker {
                code: callback::BrokerErrorCode::AccessDenied,
                ..
            }
        ),
        "{err:?}"
    );

    let user = location(
        running
            .client
            .post(&url)
            .form(&form(&pending, "user@sandbox.example", "sandbox-user", "approve"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let captured = callback::parse(&user, &pending).unwrap();
    assert_eq!(captured.missing_scopes, ["Identity:SCIM"]);
    let scim = running
        .client
        .get(format!(
            "{}/Users?filter=userName%20eq%20%22x%22",
            running.scim_base()
        ))
        .bearer_auth(captured.token.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(scim.status(), 403);
}

#[tokio::test]
async fn bad_requests_never_redirect_to_an_unregistered_uri() {
    let running = Running::start(SandboxConfig::default()).await;
    let url = format!("{}/idb/oauth2/v1/authorize", running.base());
    let scope = "spark:people_read spark:people_write Identity:SCIM";
    let cases: [(&str, &str, &str, u16); 4] = [
        ("token", "wrong-client", REDIRECT_URI, 400),
        ("token", CLIENT_ID, "http://evil.example/cb", 400),
        ("code", CLIENT_ID, REDIRECT_URI, 302),
        ("token", CLIENT_ID, "http://localhost:3000/auth/code/", 400),
    ];
    for (response_type, client_id, redirect_uri, status) in cases {
        let response = running
            .client
            .get(&url)
            .query(&[
                ("response_type", response_type),
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("scope", scope),
                ("state", "s"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{client_id} {redirect_uri}");
        if status == 302 {
            let to = response.headers()[LOCATION].to_str().unwrap();
            assert!(
                to.starts_with(REDIRECT_URI)
                    && to.contains("error=unsupported_response_type")
                    && to.ends_with("state=s"),
                "{to}"
            );
        }
    }
    let scope_error = running
        .client
        .get(&url)
        .query(&[
            ("response_type", "token"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "admin:everything"),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        scope_error.headers()[LOCATION]
            .to_str()
            .unwrap()
            .contains("error=invalid_scope")
    );
    let open_redirect = running
        .client
        .get(format!(
            "{}/idb/saml2/jsp/doSSO.jsp?type=login&goto=http%3A%2F%2Fevil.example%2F",
            running.base()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(open_redirect.status(), 400);
}

#[tokio::test]
async fn auto_approve_skips_the_form() {
    let config = SandboxConfig {
        auto_approve: Some("admin@sandbox.example".into()),
        ..SandboxConfig::default()
    };
    let running = Running::start(config).await;
    let pending = login_for(&running);
    let redirect = location(
        running
            .client
            .get(authorize_url(&running, &pending).await)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(callback::parse(&redirect, &pending).is_ok(), "{redirect}");
}
