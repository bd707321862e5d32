//! The local Entra sends only what Graph's published model has: every property of a job, its
//! schedule, status, executions, quarantine and secrets, and every enum value, is held against
//! the names in Microsoft's Graph reference (v1.0 resource pages and the generated SDK models;
//! `../shared/reference/entra-graph.md`). A property Graph never sends would let the client
//! rely on something a real tenant does not give it.

use std::time::Duration;

use reqwest::Method;
use scim_token_sandbox::entra::{SecretsPut, SecretsRead};
use scim_token_sandbox::{EntraConfig, SandboxConfig};
use serde_json::{Value, json};

use crate::common::Running;
use crate::common::entra::{WEBEX_APP, wait_for_job};

/// A type of Graph's model: its properties, each with the type of its value.
type Model = &'static [(&'static str, Kind)];

#[derive(Clone, Copy)]
enum Kind {
    /// A string, number, boolean, date or duration: nothing inside to check.
    Plain,
    /// A string from a closed set.
    Enum(&'static [&'static str]),
    /// An object of this type (or null).
    Object(Model),
    /// A list of objects of this type.
    List(Model),
}

const SYNCHRONIZATION_STATUS_CODE: &[&str] = &["NotConfigured", "NotRun", "Active", "Paused", "Quarantine"];
const TASK_EXECUTION_RESULT: &[&str] = &["Succeeded", "Failed", "EntryLevelErrors"];
const SCHEDULE_STATE: &[&str] = &["Active", "Disabled", "Paused"];
const QUARANTINE_REASON: &[&str] = &[
    "EncounteredBaseEscrowThreshold",
    "EncounteredTotalEscrowThreshold",
    "EncounteredEscrowProportionThreshold",
    "EncounteredQuarantineException",
    "Unknown",
    "QuarantinedOnDemand",
    "TooManyDeletes",
    "IngestionInterrupted",
];
/// `synchronizationSecret`, the keys a job's secrets may have.
const SYNCHRONIZATION_SECRET: &[&str] = &[
    "None",
    "UserName",
    "Password",
    "SecretToken",
    "AppKey",
    "BaseAddress",
    "ClientIdentifier",
    "ClientSecret",
    "SingleSignOnType",
    "Sandbox",
    "Url",
    "Domain",
    "ConsumerKey",
    "ConsumerSecret",
    "TokenKey",
    "TokenExpiration",
    "Oauth2AccessToken",
    "Oauth2AccessTokenCreationTime",
    "Oauth2RefreshToken",
    "SyncAll",
    "InstanceName",
    "Oauth2ClientId",
    "Oauth2ClientSecret",
    "CompanyId",
    "UpdateKeyOnSoftDelete",
    "SynchronizationSchedule",
    "SystemOfRecord",
    "SandboxName",
    "EnforceDomain",
    "SyncNotificationSettings",
    "SkipOutOfScopeDeletions",
    "Oauth2AuthorizationCode",
    "Oauth2RedirectUri",
    "ApplicationTemplateIdentifier",
    "Oauth2TokenExchangeUri",
    "Oauth2AuthorizationUri",
    "AuthenticationType",
    "Server",
    "PerformInboundEntitlementGrants",
    "HardDeletesEnabled",
    "SyncAgentCompatibilityKey",
    "SyncAgentADContainer",
    "ValidateDomain",
    "TestReferences",
    "ConnectionString",
];

const SYNCHRONIZATION_ERROR: Model = &[
    ("code", Kind::Plain),
    ("message", Kind::Plain),
    ("tenantActionable", Kind::Plain),
];
const TASK_EXECUTION: Model = &[
    ("activityIdentifier", Kind::Plain),
    ("countEntitled", Kind::Plain),
    ("countEntitledForProvisioning", Kind::Plain),
    ("countEscrowed", Kind::Plain),
    ("countEscrowedRaw", Kind::Plain),
    ("countExported", Kind::Plain),
    ("countExports", Kind::Plain),
    ("countImported", Kind::Plain),
    ("countImportedDeltas", Kind::Plain),
    ("countImportedReferenceDeltas", Kind::Plain),
    ("error", Kind::Object(SYNCHRONIZATION_ERROR)),
    ("state", Kind::Enum(TASK_EXECUTION_RESULT)),
    ("timeBegan", Kind::Plain),
    ("timeEnded", Kind::Plain),
];
const QUARANTINE: Model = &[
    ("currentBegan", Kind::Plain),
    ("nextAttempt", Kind::Plain),
    ("reason", Kind::Enum(QUARANTINE_REASON)),
    ("seriesBegan", Kind::Plain),
    ("seriesCount", Kind::Plain),
    ("error", Kind::Object(SYNCHRONIZATION_ERROR)),
];
const STRING_KEY_LONG_VALUE_PAIR: Model = &[("key", Kind::Plain), ("value", Kind::Plain)];
const PROGRESS: Model = &[
    ("completedUnits", Kind::Plain),
    ("progressObservationDateTime", Kind::Plain),
    ("totalUnits", Kind::Plain),
    ("units", Kind::Plain),
];
const STATUS: Model = &[
    ("code", Kind::Enum(SYNCHRONIZATION_STATUS_CODE)),
    ("countSuccessiveCompleteFailures", Kind::Plain),
    ("escrowsPruned", Kind::Plain),
    ("lastExecution", Kind::Object(TASK_EXECUTION)),
    ("lastSuccessfulExecution", Kind::Object(TASK_EXECUTION)),
    ("lastSuccessfulExecutionWithExports", Kind::Object(TASK_EXECUTION)),
    ("progress", Kind::List(PROGRESS)),
    ("quarantine", Kind::Object(QUARANTINE)),
    ("steadyStateFirstAchievedTime", Kind::Plain),
    ("steadyStateLastAchievedTime", Kind::Plain),
    (
        "synchronizedEntryCountByType",
        Kind::List(STRING_KEY_LONG_VALUE_PAIR),
    ),
    ("troubleshootingUrl", Kind::Plain),
];
const SCHEDULE: Model = &[
    ("expiration", Kind::Plain),
    ("interval", Kind::Plain),
    ("state", Kind::Enum(SCHEDULE_STATE)),
];
const KEY_VALUE_PAIR: Model = &[("name", Kind::Plain), ("value", Kind::Plain)];
const JOB: Model = &[
    ("id", Kind::Plain),
    ("templateId", Kind::Plain),
    ("schedule", Kind::Object(SCHEDULE)),
    ("status", Kind::Object(STATUS)),
    ("synchronizationJobSettings", Kind::List(KEY_VALUE_PAIR)),
    ("schema", Kind::Plain),
    ("bulkUpload", Kind::Plain),
];
const SECRET_PAIR: Model = &[
    ("key", Kind::Enum(SYNCHRONIZATION_SECRET)),
    ("value", Kind::Plain),
];

/// Every property of `value` that `model` does not have, and every enum value outside its set,
/// as `path.property` lines.
fn off_model(value: &Value, model: Model, path: &str, found: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        found.push(format!("{path}: not an object: {value}"));
        return;
    };
    for (name, inner) in object {
        let at = format!("{path}.{name}");
        let Some((_, kind)) = model.iter().find(|(n, _)| n == name) else {
            found.push(format!("{at}: not in Graph's model"));
            continue;
        };
        match (kind, inner) {
            (_, Value::Null) | (Kind::Plain, _) => {}
            (Kind::Enum(values), Value::String(text)) if values.contains(&text.as_str()) => {}
            (Kind::Enum(_), other) => found.push(format!("{at}: {other} is not one of the enum's values")),
            (Kind::Object(inner_model), _) => off_model(inner, inner_model, &at, found),
            (Kind::List(inner_model), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    off_model(item, inner_model, &format!("{at}[{i}]"), found);
                }
            }
            (Kind::List(_), other) => found.push(format!("{at}: {other} is not a list")),
        }
    }
}

/// Holds a job as the local Entra shows it against Graph's model.
fn assert_job_on_model(job: &Value, when: &str) {
    let mut found = Vec::new();
    off_model(job, JOB, "job", &mut found);
    assert!(found.is_empty(), "{when}: {found:#?}\n{job:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_and_secrets_carry_only_graphs_published_properties_and_values() {
    let running = Running::start(SandboxConfig {
        entra: EntraConfig {
            cycle: Duration::from_secs(1),
            users: 3,
            secrets_put: SecretsPut::Merge,
            secrets_read: SecretsRead::V1,
            ..EntraConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await;
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
    assert_job_on_model(&jobs["value"][0], "never configured");
    let job_path = format!("/servicePrincipals/{WEBEX_APP}/synchronization/jobs/{job}");
    let secrets_path = format!("/servicePrincipals/{WEBEX_APP}/synchronization/secrets");
    let put = |value: &str| json!({"value": [{"key": "BaseAddress", "value": running.scim_base()}, {"key": "SecretToken", "value": value}]});

    // Running, with a successful cycle.
    assert_eq!(
        running
            .graph(
                Method::PUT,
                &secrets_path,
                Some(&token),
                Some(put(&running.token))
            )
            .await
            .0,
        204
    );
    assert_eq!(
        running
            .graph(Method::POST, &format!("{job_path}/start"), Some(&token), None)
            .await
            .0,
        204
    );
    let active = wait_for_job(&running, &token, &job, "Active", |j| {
        j["status"]["lastSuccessfulExecution"].is_object()
    })
    .await;
    assert_job_on_model(&active, "running");

    // Quarantined by a refused token: the quarantine and the failed execution.
    assert_eq!(
        running
            .graph(
                Method::PUT,
                &secrets_path,
                Some(&token),
                Some(put("a-wrong-token"))
            )
            .await
            .0,
        204
    );
    let quarantined = wait_for_job(&running, &token, &job, "Quarantine", |j| {
        j["status"]["quarantine"].is_object()
    })
    .await;
    assert_job_on_model(&quarantined, "quarantined");

    // Paused by an admin.
    assert_eq!(
        running
            .graph(Method::POST, &format!("{job_path}/pause"), Some(&token), None)
            .await
            .0,
        204
    );
    let (_, paused) = running.graph(Method::GET, &job_path, Some(&token), None).await;
    assert_eq!(paused["status"]["code"], "Paused");
    assert_job_on_model(&paused, "paused");

    // The secrets: every key one of `synchronizationSecret`'s.
    let (status, secrets) = running
        .graph(Method::GET, &secrets_path, Some(&token), None)
        .await;
    assert_eq!(status, 200, "{secrets}");
    let mut found = Vec::new();
    for (i, pair) in secrets["value"].as_array().unwrap().iter().enumerate() {
        off_model(pair, SECRET_PAIR, &format!("secrets[{i}]"), &mut found);
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_check_itself_names_what_is_off_the_model() {
    let mut found = Vec::new();
    off_model(
        &json!({"status": {"code": "Running", "lastExecution": {"countExportsFailed": 1, "state": "Succeeded"}}}),
        JOB,
        "job",
        &mut found,
    );
    assert_eq!(
        found,
        [
            "job.status.code: \"Running\" is not one of the enum's values",
            "job.status.lastExecution.countExportsFailed: not in Graph's model",
        ]
    );
}
