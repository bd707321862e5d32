//! The local Entra's admin, from outside its process: signing in as a tool would (authorization
//! code with PKCE; the sandbox started with `--auto-approve` approves at once) for a Graph
//! token, and changing a job's credentials as an admin does in the Entra admin center. The
//! in-process counterpart is the sandbox's `issue_graph_token`.

use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;

/// Microsoft Graph Command Line Tools, the client the admin signs in with.
pub const GRAPH_CLI: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
/// The seeded Cisco Webex enterprise app of the local Entra.
pub const WEBEX_APP: &str = "6a0e2f48-6c1d-4f7e-9b7b-0e5b3c9d2a11";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// A Graph access token for the auto-approved admin of the local Entra at `entra_base`
/// (`http://127.0.0.1:<port>/`).
pub async fn admin_graph_token(entra_base: &str) -> String {
    let http = http();
    let verifier = format!("support-verifier-{}-0123456789abcdef", uuid::Uuid::new_v4());
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let redirect = "http://localhost:1/";
    let authorize = http
        .get(format!("{entra_base}organizations/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", GRAPH_CLI),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            (
                "scope",
                "https://graph.microsoft.com/Synchronization.ReadWrite.All",
            ),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("the local Entra answers");
    let location = authorize.headers()["location"].to_str().expect("a redirect");
    let location = url::Url::parse(location).expect("a URL");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("the sandbox approved the sign-in (is it started with --auto-approve?)")
        .1
        .into_owned();
    let tokens: Value = http
        .post(format!("{entra_base}organizations/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", GRAPH_CLI),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .expect("the token endpoint answers")
        .json()
        .await
        .expect("JSON");
    tokens["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// The app's job secrets as the admin reads them (beta; the Secret Token masked).
pub async fn job_secrets(entra_base: &str, app: &str) -> Value {
    http()
        .get(format!(
            "{entra_base}beta/servicePrincipals/{app}/synchronization/secrets"
        ))
        .bearer_auth(admin_graph_token(entra_base).await)
        .send()
        .await
        .expect("Graph answers")
        .json()
        .await
        .expect("JSON")
}

/// What an admin does in the Entra admin center: read the job's credentials and settings, put
/// another token in, and store the whole set back. The job then fails its next cycle.
pub async fn store_wrong_token(entra_base: &str, app: &str) {
    let mut secrets = job_secrets(entra_base, app).await;
    for pair in secrets["value"].as_array_mut().expect("a value list") {
        if pair["key"] == "SecretToken" {
            pair["value"] = json!("a-wrong-token");
        }
    }
    let put = http()
        .put(format!(
            "{entra_base}v1.0/servicePrincipals/{app}/synchronization/secrets"
        ))
        .bearer_auth(admin_graph_token(entra_base).await)
        .json(&secrets)
        .send()
        .await
        .expect("Graph answers");
    assert_eq!(put.status(), 204, "the admin's PUT is taken");
}

/// What an admin does in the admin center: stores `pairs` (`[{"key":…,"value":…}]`) as the app's
/// job secrets.
pub async fn put_secrets(entra_base: &str, app: &str, pairs: Value) {
    let put = http()
        .put(format!(
            "{entra_base}v1.0/servicePrincipals/{app}/synchronization/secrets"
        ))
        .bearer_auth(admin_graph_token(entra_base).await)
        .json(&json!({ "value": pairs }))
        .send()
        .await
        .expect("Graph answers");
    assert_eq!(put.status(), 204, "the admin's PUT is taken");
}

/// What an admin does in the admin center: `action` (`pause`, `start`) on the app's one job.
pub async fn job_action(entra_base: &str, app: &str, action: &str) {
    let token = admin_graph_token(entra_base).await;
    let jobs: Value = http()
        .get(format!(
            "{entra_base}v1.0/servicePrincipals/{app}/synchronization/jobs"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("Graph answers")
        .json()
        .await
        .expect("JSON");
    let job = jobs["value"][0]["id"].as_str().expect("a job");
    let done = http()
        .post(format!(
            "{entra_base}v1.0/servicePrincipals/{app}/synchronization/jobs/{job}/{action}"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("Graph answers");
    assert_eq!(done.status(), 204, "the admin's {action} is taken");
}

/// Runs `future` to completion on a runtime of its own: for the synchronous CLI tests.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}
