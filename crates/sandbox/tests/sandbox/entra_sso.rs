//! Single sign-on: a Webex sandbox account in the federated domain signs in at the local Entra
//! (another origin) and comes back to the broker through an auto-submitted form, which then
//! redirects to `localhost:3000` with a token, as the real broker does. Browsers walk the same
//! path in the CLI and desktop end-to-end tests; this walks it over HTTP, step by step.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use scim_token_core::{AuthorizeRequest, Broker, BrokerId, callback};
use scim_token_sandbox::SandboxConfig;
use time::OffsetDateTime;

use crate::common::Running;

const FEDERATED: &str = "admin@federated.example";

fn pending(running: &Running, hint: &str) -> scim_token_core::PendingLogin {
    let id = BrokerId::Sandbox {
        base: format!("{}/", running.base()).parse().unwrap(),
    };
    AuthorizeRequest::new(Broker::resolve(&id))
        .login_hint(hint)
        .start(OffsetDateTime::now_utc())
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 302, "{response:?}");
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// The value of a hidden field in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].replace("&amp;", "&")
}

fn form_action(page: &str) -> String {
    let start = page.find("action=\"").unwrap() + "action=\"".len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].replace("&amp;", "&")
}

/// Broker → local Entra: returns the Entra URL the broker sent the browser to.
async fn to_entra(running: &Running, login: &scim_token_core::PendingLogin) -> String {
    let wrapper = location(&running.client.get(login.url.clone()).send().await.unwrap());
    let authorize = format!("{}{wrapper}", running.base());
    let to_entra = location(&running.client.get(authorize).send().await.unwrap());
    assert!(
        to_entra.starts_with(&format!("{}/", running.entra_base())),
        "{to_entra}"
    );
    assert!(to_entra.contains("/saml2?SAMLRequest="), "{to_entra}");
    to_entra
}

/// Local Entra → broker: posts the auto-submitted form and returns the final redirect.
async fn back_to_broker(running: &Running, page: &str) -> String {
    let action = form_action(page);
    assert!(
        action.starts_with(running.base().as_str()),
        "cross-origin POST back to the broker: {action}"
    );
    assert!(page.contains(".submit()"), "the form submits itself");
    let fields = [
        ("SAMLResponse", hidden(page, "SAMLResponse")),
        ("RelayState", hidden(page, "RelayState")),
    ];
    let response = running.client.post(&action).form(&fields).send().await.unwrap();
    location(&response)
}

#[tokio::test]
async fn a_federated_admin_signs_in_at_the_local_entra_and_gets_a_token() {
    let running = Running::start(SandboxConfig::default()).await;
    let login = pending(&running, FEDERATED);
    let entra = to_entra(&running, &login).await;

    let form_page = running.client.get(&entra).send().await.unwrap();
    assert_eq!(form_page.status(), 200);
    let form_page = form_page.text().await.unwrap();
    let action = format!("{}{}", running.entra_base(), form_action(&form_page));
    let fields = |password: &str| {
        vec![
            ("SAMLRequest", hidden(&form_page, "SAMLRequest")),
            ("RelayState", hidden(&form_page, "RelayState")),
            ("email", FEDERATED.to_owned()),
            ("password", password.to_owned()),
            ("action", "signin".to_owned()),
        ]
    };
    let wrong = running
        .client
        .post(&action)
        .form(&fields("nope"))
        .send()
        .await
        .unwrap();
    assert!(wrong.text().await.unwrap().contains("AADSTS50126"));
    let signed_in = running
        .client
        .post(&action)
        .form(&fields("federated-admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let redirect = back_to_broker(&running, &signed_in.text().await.unwrap()).await;

    let captured = callback::parse(&redirect, &login).expect("a token redirect");
    let scim = running
        .client
        .get(format!("{}/Users?count=1", running.scim_base()))
        .bearer_auth(captured.token.expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(
        scim.status(),
        200,
        "the federated admin's token has the SCIM scope"
    );

    // The session at the local Entra signs the next federated sign-in in without a form.
    let login = pending(&running, FEDERATED);
    let entra = to_entra(&running, &login).await;
    let page = running
        .client
        .get(&entra)
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let redirect = back_to_broker(&running, &page.text().await.unwrap()).await;
    assert!(callback::parse(&redirect, &login).is_ok());
}

#[tokio::test]
async fn assertions_and_relay_states_are_single_use_and_a_password_is_refused() {
    let running = Running::start(SandboxConfig {
        auto_approve: Some(FEDERATED.into()),
        ..SandboxConfig::default()
    })
    .await;
    let login = pending(&running, FEDERATED);
    let entra = to_entra(&running, &login).await;
    let page = running
        .client
        .get(&entra)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = form_action(&page);
    let fields = [
        ("SAMLResponse", hidden(&page, "SAMLResponse")),
        ("RelayState", hidden(&page, "RelayState")),
    ];
    assert_eq!(
        running
            .client
            .post(&action)
            .form(&fields)
            .send()
            .await
            .unwrap()
            .status(),
        302
    );
    let replay = running.client.post(&action).form(&fields).send().await.unwrap();
    assert_eq!(replay.status(), 400, "a replayed assertion is refused");
    let forged = [
        ("SAMLResponse", "forged".to_owned()),
        ("RelayState", "forged".to_owned()),
    ];
    assert_eq!(
        running
            .client
            .post(&action)
            .form(&forged)
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    // The broker never takes a password for a federated account: it sends it to the local Entra.
    let url = format!("{}/idb/oauth2/v1/authorize", running.base());
    let inner: url::Url = login
        .url
        .query_pairs()
        .find(|(k, _)| k == "goto")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let mut form: Vec<(String, String)> = inner.query_pairs().into_owned().collect();
    form.extend([
        ("email".into(), FEDERATED.into()),
        ("password".into(), String::new()),
        ("action".into(), "approve".into()),
    ]);
    let response = running.client.post(&url).form(&form).send().await.unwrap();
    assert!(location(&response).contains("/saml2?"));
}

/// A local Entra session of another account (e.g. from a Graph sign-in in the same browser)
/// does not answer a federated sign-in silently: the form comes, filled in with the account the
/// user named at the broker.
#[tokio::test]
async fn a_session_of_another_account_gets_the_form_not_a_silent_answer() {
    use crate::common::entra::{SCOPES, authorize_params, pkce};
    let running = Running::start(SandboxConfig::default()).await;
    let (_, challenge) = pkce();
    let mut form = authorize_params(&challenge, SCOPES);
    form.extend([
        ("email", "admin@sandbox.example".to_owned()),
        ("password", "sandbox-admin".to_owned()),
        ("action", "signin".to_owned()),
    ]);
    let signed_in = running
        .client
        .post(running.entra_url("/organizations/oauth2/v2.0/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let login = pending(&running, FEDERATED);
    let entra = to_entra(&running, &login).await;
    let page = running
        .client
        .get(&entra)
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        !page.contains("SAMLResponse"),
        "no silent answer for another account"
    );
    assert!(
        page.contains(&format!("value=\"{FEDERATED}\"")),
        "the form names the account: {page}"
    );
}
