//! The local Entra's whole provisioning story over real sockets: sign-in with PKCE → token →
//! refresh → find the app → validate bad then good credentials → store secrets (other keys
//! kept) → start → Active with users provisioned into the Webex side's SCIM API → a wrong token
//! → Quarantine with a reason → good token + restart → Active.

use std::time::Duration;

use reqwest::Method;
use scim_token_sandbox::entra::{SecretsPut, SecretsRead};
use scim_token_sandbox::scim::Kind;
use scim_token_sandbox::{EntraConfig, SandboxConfig};
use serde_json::{Value, json};

use crate::common::Running;
use crate::common::entra::{CLIENT, SCOPES, WEBEX_APP, assert_graph_error, wait_for_job};

const USERS: usize = 12;

fn config() -> SandboxConfig {
    SandboxConfig {
        // These tests play the admin center's single-key edits, so the PUT merges; that a
        // replacing PUT loses nothing scim-token pushes is the CLI end-to-end test's job.
        entra: EntraConfig {
            cycle: Duration::from_secs(1),
            users: USERS,
            secrets_put: SecretsPut::Merge,
            secrets_read: SecretsRead::V1,
            ..EntraConfig::default()
        },
        ..SandboxConfig::default()
    }
}

fn secrets(base: &str, token: &str) -> Value {
    json!({"value": [{"key": "BaseAddress", "value": base}, {"key": "SecretToken", "value": token}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_push_provision_quarantine_and_recover() {
    let running = Running::start(config()).await;

    // Sign in with PKCE, then refresh: the refresh token rotates.
    let tokens = running
        .entra_sign_in("admin@sandbox.example", "sandbox-admin", SCOPES)
        .await;
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("offline_access gives one");
    let (status, refreshed) = running
        .entra_token(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", refresh),
        ])
        .await;
    assert_eq!(status, 200, "{refreshed}");
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"]);
    assert!(
        refreshed["scope"]
            .as_str()
            .unwrap()
            .contains("https://graph.microsoft.com/Synchronization.ReadWrite.All")
    );
    let token = refreshed["access_token"].as_str().unwrap().to_owned();
    let (status, again) = running
        .entra_token(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", refresh),
        ])
        .await;
    // As Entra's: the redeemed refresh token stays good (another program may hold it).
    assert_eq!(status, 200, "{}", again["error"]);
    assert_ne!(again["refresh_token"], refreshed["refresh_token"]);

    // Find the app as a client would, and its job.
    let search = running
        .client
        .get(running.entra_url("/v1.0/servicePrincipals"))
        .query(&[
            ("$search", "\"displayName:webex\""),
            ("$select", "id,appId,displayName"),
        ])
        .header("ConsistencyLevel", "eventual")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), 200);
    let found: Value = search.json().await.unwrap();
    assert_eq!(found["value"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["value"][0]["id"], WEBEX_APP);
    assert!(
        found["value"][0].get("tags").is_none(),
        "$select keeps only what was asked"
    );
    let (_, jobs) = running
        .graph(
            Method::GET,
            &format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs"),
            Some(&token),
            None,
        )
        .await;
    let job = jobs["value"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(jobs["value"][0]["status"]["code"], "NotConfigured");
    let job_path = format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/{job}");
    let secrets_path = format!("/servicePrincipals/{WEBEX_APP}/synchronization/secrets");

    // The admin keeps a notification setting that a push must not touch.
    let (status, _) = running
        .graph(Method::PUT, &secrets_path, Some(&token), Some(json!({"value": [{"key": "SyncNotificationSettings", "value": "{\"Enabled\":true,\"Recipients\":\"ops@sandbox.example\"}"}]})))
        .await;
    assert_eq!(status, 204);

    // Validate bad, then good credentials, before saving them.
    let tenant_url = running.scim_base();
    let (status, body) = running
        .graph(
            Method::POST,
            &format!("{job_path}/validateCredentials"),
            Some(&token),
            Some(json!({"credentials": secrets(&tenant_url, "not-a-token")["value"]})),
        )
        .await;
    assert_graph_error(status, &body, 400, "BadRequest");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid credentials"),
        "{body}"
    );
    let (status, body) = running
        .graph(
            Method::POST,
            &format!("{job_path}/validateCredentials"),
            Some(&token),
            Some(json!({"credentials": secrets(&tenant_url, &running.token)["value"]})),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    // Store them: the other key is kept, the token is never shown again.
    let (status, _) = running
        .graph(
            Method::PUT,
            &secrets_path,
            Some(&token),
            Some(secrets(&tenant_url, &running.token)),
        )
        .await;
    assert_eq!(status, 204);
    let (_, stored) = running
        .graph(Method::GET, &secrets_path, Some(&token), None)
        .await;
    let keys: Vec<&str> = stored["value"]
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
            "SyncNotificationSettings",
            "BaseAddress",
            "SecretToken"
        ],
        "{stored}"
    );
    assert!(!stored.to_string().contains(&running.token));
    let (status, _) = running
        .graph(
            Method::POST,
            &format!("{job_path}/validateCredentials"),
            Some(&token),
            Some(json!({"useSavedCredentials": true})),
        )
        .await;
    assert_eq!(status, 204);

    // Start: the job provisions the directory into the Webex side.
    assert_eq!(
        running
            .graph(Method::POST, &format!("{job_path}/start"), Some(&token), None)
            .await
            .0,
        204
    );
    let active = wait_for_job(&running, &token, &job, "Active", |j| {
        j["status"]["code"] == "Active" && j["status"]["lastSuccessfulExecution"].is_object()
    })
    .await;
    assert_eq!(
        active["status"]["synchronizedEntryCountByType"][0]["value"],
        USERS
    );
    assert_eq!(active["schedule"]["interval"], "PT1S");
    assert_eq!(running.sandbox.scim_store().count(Kind::User), USERS);
    assert_eq!(running.sandbox.scim_store().count(Kind::Group), 2);

    // Someone stores a wrong token in Entra: the next cycle quarantines the job.
    let (status, _) = running
        .graph(
            Method::PUT,
            &secrets_path,
            Some(&token),
            Some(json!({"value": [{"key": "SecretToken", "value": "wrong-token"}]})),
        )
        .await;
    assert_eq!(status, 204);
    let quarantined = wait_for_job(&running, &token, &job, "Quarantine", |j| {
        j["status"]["code"] == "Quarantine"
    })
    .await;
    let quarantine = &quarantined["status"]["quarantine"];
    assert_eq!(
        quarantine["reason"], "EncounteredQuarantineException",
        "{quarantined}"
    );
    assert!(
        quarantine["error"]["code"]
            .as_str()
            .unwrap()
            .starts_with("SystemForCrossDomainIdentityManagement")
    );
    assert!(quarantine["nextAttempt"].is_string());
    assert_eq!(quarantined["status"]["lastExecution"]["state"], "Failed");
    assert!(
        quarantined["status"]["countSuccessiveCompleteFailures"]
            .as_u64()
            .unwrap()
            >= 1
    );

    // The good token and a restart that lifts the quarantine: Active again.
    let (status, _) = running
        .graph(
            Method::PUT,
            &secrets_path,
            Some(&token),
            Some(secrets(&tenant_url, &running.token)),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = running
        .graph(
            Method::POST,
            &format!("{job_path}/restart"),
            Some(&token),
            Some(json!({"criteria": {"resetScope": "QuarantineState"}})),
        )
        .await;
    assert_eq!(status, 204);
    let recovered = wait_for_job(&running, &token, &job, "Active again", |j| {
        j["status"]["code"] == "Active"
            && j["status"]["quarantine"].is_null()
            && j["status"]["lastExecution"]["state"] == "Succeeded"
    })
    .await;
    assert_eq!(recovered["status"]["countSuccessiveCompleteFailures"], 0);
    assert_eq!(
        running.sandbox.scim_store().count(Kind::User),
        USERS,
        "no duplicates after recovery"
    );

    // Pause stops it.
    assert_eq!(
        running
            .graph(Method::POST, &format!("{job_path}/pause"), Some(&token), None)
            .await
            .0,
        204
    );
    let (_, paused) = running.graph(Method::GET, &job_path, Some(&token), None).await;
    assert_eq!(paused["status"]["code"], "Paused");

    // Nothing secret reached the request log.
    let log = serde_json::to_string(&running.sandbox.log()).unwrap();
    for secret in [
        running.token.as_str(),
        token.as_str(),
        refresh,
        "wrong-token",
        "sandbox-admin",
    ] {
        assert!(!log.contains(secret), "the log holds a secret: {secret}");
    }
}

#[tokio::test]
async fn a_tenant_url_off_this_machine_is_refused_without_a_connection() {
    let running = Running::start(config()).await;
    let token = running.entra_admin_token().await;
    let (_, jobs) = running
        .graph(
            Method::GET,
            &format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs"),
            Some(&token),
            None,
        )
        .await;
    let job = jobs["value"][0]["id"].as_str().unwrap().to_owned();
    for base in [
        "https://api.ciscospark.com/v1/scim/x/v2",
        "http://192.0.2.1/scim",
        "http://localhost.evil.example/",
    ] {
        let (status, body) = running
            .graph(
                Method::POST,
                &format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/{job}/validateCredentials"),
                Some(&token),
                Some(json!({"credentials": secrets(base, "t")["value"]})),
            )
            .await;
        assert_graph_error(status, &body, 400, "BadRequest");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("loopback"),
            "{body}"
        );
    }
}

/// A stored Tenant URL off this machine: the job never connects, it goes into quarantine with a
/// code that says why. A wrong method gets Graph's error shape too.
#[tokio::test]
async fn a_stored_remote_tenant_url_quarantines_the_job_without_a_connection() {
    let running = Running::start(config()).await;
    let token = running.entra_admin_token().await;
    let secrets_path = format!("/servicePrincipals/{WEBEX_APP}/synchronization/secrets");
    let (_, jobs) = running
        .graph(
            Method::GET,
            &format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs"),
            Some(&token),
            None,
        )
        .await;
    let job = jobs["value"][0]["id"].as_str().unwrap().to_owned();
    let remote = secrets("http://192.0.2.1/identity/scim/x/v2", &running.token);
    assert_eq!(
        running
            .graph(Method::PUT, &secrets_path, Some(&token), Some(remote))
            .await
            .0,
        204
    );
    let job_path = format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/{job}");
    assert_eq!(
        running
            .graph(Method::POST, &format!("{job_path}/start"), Some(&token), None)
            .await
            .0,
        204
    );
    let quarantined = wait_for_job(&running, &token, &job, "Quarantine", |j| {
        j["status"]["code"] == "Quarantine"
    })
    .await;
    assert_eq!(
        quarantined["status"]["quarantine"]["error"]["code"],
        "SystemForCrossDomainIdentityManagementTargetAddressNotAllowed"
    );
    let (status, body) = running
        .graph(Method::GET, &format!("{job_path}/start"), Some(&token), None)
        .await;
    assert_graph_error(status, &body, 405, "Request_BadRequest");
}
