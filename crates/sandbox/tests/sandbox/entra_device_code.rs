//! The device authorization grant (RFC 8628) at the local Entra, as a client and a person at
//! another device would walk it: the client asks `/devicecode` for codes and polls the token
//! endpoint; the person types the user code at `/devicelogin` and approves or declines.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use scim_token_sandbox::{EntraConfig, SandboxConfig};
use serde_json::Value;

use crate::common::entra::{CLIENT, SCOPES};
use crate::common::{Running, status_and_json};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const ADMIN: &str = "admin@sandbox.example";
const PASSWORD: &str = "sandbox-admin";
const OTHER_CLIENT: &str = "11111111-2222-3333-4444-555555555555";

/// The provisioning scopes with an ID token.
fn scopes() -> String {
    format!("{SCOPES} openid profile")
}

/// A sandbox whose local Entra has this config.
async fn start(entra: EntraConfig) -> Running {
    Running::start(SandboxConfig {
        entra,
        ..SandboxConfig::default()
    })
    .await
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
async fn request_codes(running: &Running, tenant: &str, client: &str, scope: &str) -> (u16, Value) {
    let url = running.entra_url(&format!("/{tenant}/oauth2/v2.0/devicecode"));
    status_and_json(
        running
            .client
            .post(url)
            .form(&[("client_id", client), ("scope", scope)]),
    )
    .await
}

/// Good codes for [`CLIENT`]: the device code and the user code.
async fn codes(running: &Running) -> (String, String) {
    let (status, body) = request_codes(running, "organizations", CLIENT, &scopes()).await;
    assert_eq!(status, 200, "{body}");
    let field = |name: &str| {
        body[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: {body}"))
            .to_owned()
    };
    (field("device_code"), field("user_code"))
}

/// One poll of the token endpoint with `device_code` as `client`.
async fn poll(running: &Running, device_code: &str, client: &str) -> (u16, Value) {
    running
        .entra_token(&[
            ("grant_type", DEVICE_GRANT),
            ("client_id", client),
            ("device_code", device_code),
        ])
        .await
}

/// Asserts Entra's JSON error with this `error` and AADSTS number (status 400).
fn assert_entra_error(status: u16, body: &Value, error: &str, aadsts: u64) {
    assert_eq!((status, body["error"].as_str()), (400, Some(error)), "{body}");
    assert_eq!(body["error_codes"][0].as_u64(), Some(aadsts), "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.starts_with(&format!("AADSTS{aadsts}: ")), "{body}");
}

/// `POST /devicelogin` with these fields; the status and the page.
async fn device_login(running: &Running, form: &[(&str, &str)]) -> (u16, String) {
    let response = running
        .client
        .post(running.entra_url("/devicelogin"))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The claims of an `id_token` (its signature is a placeholder).
fn id_token_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn a_code_approved_with_a_password_is_redeemed_once() {
    let running = start(EntraConfig::default()).await;
    let (status, body) = request_codes(&running, "organizations", CLIENT, &scopes()).await;
    assert_eq!(status, 200, "{body}");
    let verification_uri = format!("{}/devicelogin", running.entra_base());
    assert_eq!(body["verification_uri"], verification_uri.as_str());
    assert_eq!(
        (body["expires_in"].as_i64(), body["interval"].as_i64()),
        (Some(900), Some(5))
    );
    let user_code = body["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9, "{user_code}");
    assert!(
        user_code
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    assert_eq!(
        body["message"],
        format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."
        )
    );
    let device_code = body["device_code"].as_str().unwrap();

    let (status, pending) = poll(&running, device_code, CLIENT).await;
    assert_entra_error(status, &pending, "authorization_pending", 70016);

    let page = running.client.get(&verification_uri).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("name=\"user_code\""));
    // Typed as a person might: lower case, with a dash.
    let typed = format!("{}-{}", &user_code[..4], &user_code[4..]).to_ascii_lowercase();
    let (status, page) = device_login(
        &running,
        &[
            ("user_code", &typed),
            ("email", ADMIN),
            ("password", PASSWORD),
            ("action", "approve"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("You have signed in") && page.contains("close this window"),
        "{page}"
    );

    let (status, tokens) = poll(&running, device_code, CLIENT).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        tokens["refresh_token"].as_str().is_some(),
        "offline_access: {tokens}"
    );
    let claims = id_token_claims(tokens["id_token"].as_str().expect("openid gives an id_token"));
    assert_eq!(claims["preferred_username"], ADMIN);
    assert_eq!(claims["tid"], running.sandbox.config().entra.tenant.to_string());
    let access = tokens["access_token"].as_str().unwrap();
    let (status, _) = running
        .graph(Method::GET, "/servicePrincipals", Some(access), None)
        .await;
    assert_eq!(status, 200);

    let (status, again) = poll(&running, device_code, CLIENT).await;
    assert_entra_error(status, &again, "invalid_grant", 70000);
    let (_, page) = device_login(&running, &[("user_code", user_code), ("action", "decline")]).await;
    assert!(page.contains("already used"), "{page}");

    // Neither the device code nor the password is kept in the request log.
    let log = serde_json::to_string(&running.sandbox.log()).unwrap();
    assert!(
        log.contains("device_code=%5BREDACTED%5D"),
        "the polls are logged: {log}"
    );
    assert!(!log.contains(device_code) && !log.contains(PASSWORD), "{log}");
    running.stop().await;
}

#[tokio::test]
async fn a_declined_code_is_answered_authorization_declined() {
    let running = start(EntraConfig::default()).await;
    let (device_code, user_code) = codes(&running).await;
    let (status, page) = device_login(&running, &[("user_code", &user_code), ("action", "decline")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Sign-in declined"), "{page}");
    let (status, body) = poll(&running, &device_code, CLIENT).await;
    assert_entra_error(status, &body, "authorization_declined", 65004);
    running.stop().await;
}

#[tokio::test]
async fn a_code_not_approved_in_its_lifetime_expires() {
    let running = start(EntraConfig {
        device_code_lifetime: time::Duration::seconds(1),
        ..EntraConfig::default()
    })
    .await;
    let (status, body) = request_codes(&running, "organizations", CLIENT, &scopes()).await;
    assert_eq!((status, body["expires_in"].as_i64()), (200, Some(1)), "{body}");
    let device_code = body["device_code"].as_str().unwrap();
    let user_code = body["user_code"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = poll(&running, device_code, CLIENT).await;
    assert_entra_error(status, &body, "expired_token", 70019);
    let (_, page) = device_login(
        &running,
        &[
            ("user_code", user_code),
            ("email", ADMIN),
            ("password", PASSWORD),
            ("action", "approve"),
        ],
    )
    .await;
    assert!(page.contains("AADSTS70019"), "{page}");
    running.stop().await;
}

#[tokio::test]
async fn polling_sooner_than_the_interval_is_told_to_slow_down() {
    let running = start(EntraConfig::default()).await;
    let (device_code, _) = codes(&running).await;
    let (status, body) = poll(&running, &device_code, CLIENT).await;
    assert_entra_error(status, &body, "authorization_pending", 70016);
    let (status, body) = poll(&running, &device_code, CLIENT).await;
    assert_entra_error(status, &body, "slow_down", 70016);
    running.stop().await;
}

#[tokio::test]
async fn auto_approve_approves_a_code_typed_alone() {
    let running = Running::start(SandboxConfig {
        auto_approve: Some(ADMIN.into()),
        ..SandboxConfig::default()
    })
    .await;
    let (device_code, user_code) = codes(&running).await;
    let page = running
        .client
        .get(running.entra_url("/devicelogin"))
        .send()
        .await
        .unwrap();
    let page = page.text().await.unwrap();
    assert!(
        page.contains("--auto-approve") && !page.contains("required>"),
        "{page}"
    );
    let (status, page) = device_login(&running, &[("user_code", &user_code), ("action", "approve")]).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("You have signed in") && page.contains(ADMIN),
        "{page}"
    );
    let (status, tokens) = poll(&running, &device_code, CLIENT).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(
        id_token_claims(tokens["id_token"].as_str().unwrap())["preferred_username"],
        ADMIN
    );
    running.stop().await;
}

#[tokio::test]
async fn a_wrong_code_or_password_shows_the_form_again() {
    let running = start(EntraConfig::default()).await;
    let (device_code, user_code) = codes(&running).await;
    fn approve<'a>(code: &'a str, email: &'a str, password: &'a str) -> [(&'static str, &'a str); 4] {
        [
            ("user_code", code),
            ("email", email),
            ("password", password),
            ("action", "approve"),
        ]
    }
    let (status, page) = device_login(&running, &approve("<b>WRONG</b>", ADMIN, PASSWORD)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("AADSTS70018") && page.contains("name=\"user_code\""),
        "{page}"
    );
    assert!(
        page.contains("&lt;b&gt;WRONG&lt;/b&gt;") && !page.contains("<b>WRONG"),
        "escaped: {page}"
    );

    for (email, password) in [(ADMIN, "wrong"), ("nobody@sandbox.example", PASSWORD), ("", "")] {
        let (status, page) = device_login(&running, &approve(&user_code, email, password)).await;
        assert_eq!(status, 200);
        assert!(page.contains("AADSTS50126"), "{email}: {page}");
        assert!(
            page.contains(&format!("value=\"{user_code}\"")),
            "the code is kept: {page}"
        );
    }
    let (status, body) = poll(&running, &device_code, CLIENT).await;
    assert_entra_error(status, &body, "authorization_pending", 70016);
    running.stop().await;
}

#[tokio::test]
async fn bad_tenant_client_scope_or_device_code_get_entra_errors() {
    let running = start(EntraConfig {
        registered_client: Some(OTHER_CLIENT.into()),
        ..EntraConfig::default()
    })
    .await;
    let cases = [
        (
            "00000000-0000-0000-0000-000000000001",
            CLIENT,
            SCOPES,
            "invalid_request",
            90002,
        ),
        (
            "organizations",
            "22222222-2222-2222-2222-222222222222",
            SCOPES,
            "unauthorized_client",
            700016,
        ),
        ("organizations", CLIENT, "Mail.Send", "invalid_scope", 70011),
        ("common", CLIENT, "openid offline_access", "invalid_scope", 70011),
    ];
    for (tenant, client, scope, error, aadsts) in cases {
        let (status, body) = request_codes(&running, tenant, client, scope).await;
        assert_entra_error(status, &body, error, aadsts);
    }
    // The tenant's own ID works like `organizations`.
    let tenant = running.sandbox.config().entra.tenant.to_string();
    assert_eq!(request_codes(&running, &tenant, CLIENT, SCOPES).await.0, 200);

    let (device_code, _) = codes(&running).await;
    let (status, body) = poll(&running, "edc_never_issued_sbx", CLIENT).await;
    assert_entra_error(status, &body, "bad_verification_code", 70018);
    let (status, body) = poll(&running, &device_code, OTHER_CLIENT).await;
    assert_entra_error(status, &body, "invalid_grant", 70000);

    let (_, info) = status_and_json(running.client.get(running.entra_url("/_sandbox/info"))).await;
    let entra = &info["entra"];
    assert_eq!(
        entra["device_login_url"],
        format!("{}/devicelogin", running.entra_base())
    );
    assert_eq!(
        entra["devicecode_url"],
        format!("{}/{tenant}/oauth2/v2.0/devicecode", running.entra_base())
    );
    running.stop().await;
}
