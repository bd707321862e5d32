//! A push does only what the admin asked, against a local Entra that plays what hurts: a job an
//! admin paused stays paused (unless `--start`), a read of the secrets that leaves out a key
//! writes nothing, an admin's edit made while the push runs is kept (or, for the Tenant URL,
//! stops the push), a second push to the same job waits for the first and names it, and a link
//! made before links recorded their tenant is pinned at its first push.

use scim_token_test_support as support;

use serde_json::{Value, json};
use support::entra;
use support::{Home, Sandbox, port_3000};

use crate::entra_e2e::{job_secrets, poll, secret_value, signed_in_and_linked};

/// The first job's status code, as `entra apps` reads it.
fn job_code(home: &Home) -> String {
    let apps = home.run(&["entra", "apps", "--json"]);
    assert_eq!(apps.code(), Some(0), "{}", apps.stderr);
    let apps: Value = serde_json::from_str(&apps.stdout).unwrap();
    apps[0]["jobs"][0]["status"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Requests the sandbox has logged whose method is `method` and whose path ends with `suffix`.
fn logged(sandbox: &Sandbox, method: &str, suffix: &str) -> usize {
    let log: Value = reqwest::blocking::get(format!("{}_sandbox/log", sandbox.base))
        .unwrap()
        .json()
        .unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["method"] == method && e["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .count()
}

/// The push steps the sandbox has logged, in order: `V` for a Test Connection with new
/// credentials, `P` for a secrets PUT.
fn sequence(sandbox: &Sandbox) -> Vec<char> {
    let log: Value = reqwest::blocking::get(format!("{}_sandbox/log", sandbox.base))
        .unwrap()
        .json()
        .unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            let path = e["path"].as_str()?;
            match e["method"].as_str()? {
                "POST" if path.ends_with("/validateCredentials") => Some('V'),
                "PUT" if path.ends_with("/synchronization/secrets") => Some('P'),
                _ => None,
            }
        })
        .collect()
}

fn push_json(home: &Home, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["push", "--json"];
    all.extend_from_slice(args);
    let out = home.run(&all);
    let report =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code(), report)
}

fn forget(home: &Home) {
    home.run(&["entra", "logout"]);
    home.run(&["forget"]);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn a_paused_job_stays_paused_unless_asked() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example", "--entra-cycle", "1"]);
    let (home, app, _) = signed_in_and_linked(&sandbox);
    let (code, first) = push_json(&home, &[]);
    assert_eq!(code, Some(0), "{first}");
    assert_eq!(
        first[0]["action"], "started",
        "a job never run is started: {first}"
    );

    // An admin pauses provisioning during an incident.
    entra::block_on(entra::job_action(&sandbox.entra_base, &app, "pause"));
    assert_eq!(job_code(&home), "Paused");

    let (code, plan) = push_json(&home, &["--dry-run"]);
    assert_eq!(code, Some(0), "{plan}");
    assert_eq!(plan[0]["plan"]["then"], "leave-paused", "{plan}");
    let dry = home.run(&["push", "--dry-run"]);
    assert!(
        dry.stdout.contains("left paused") && dry.stdout.contains("--start"),
        "{}",
        dry.stdout
    );

    let starts = logged(&sandbox, "POST", "/start");
    let restarts = logged(&sandbox, "POST", "/restart");
    let (code, pushed) = push_json(&home, &[]);
    assert_eq!(code, Some(0), "{pushed}");
    assert_eq!(pushed[0]["stored"], true, "{pushed}");
    assert_eq!(pushed[0]["action"], "left-paused", "{pushed}");
    assert_eq!(pushed[0]["status"]["code"], "Paused", "{pushed}");
    assert_eq!(logged(&sandbox, "POST", "/start"), starts, "no start was sent");
    assert_eq!(
        logged(&sandbox, "POST", "/restart"),
        restarts,
        "no restart was sent"
    );
    assert_eq!(job_code(&home), "Paused");
    let text = home.run(&["push"]);
    assert!(
        text.stdout.contains("stays paused") && text.stdout.contains("push with --start"),
        "{}",
        text.stdout
    );
    assert_eq!(job_code(&home), "Paused", "still paused after a second push");

    // Asked: started.
    let (code, started) = push_json(&home, &["--start"]);
    assert_eq!(code, Some(0), "{started}");
    assert_eq!(started[0]["action"], "started", "{started}");
    poll(&home, &["entra", "apps", "--json"], "running again", |out| {
        out.stdout.contains("\"Active\"")
    });
    forget(&home);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn a_read_that_leaves_out_a_key_writes_nothing() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-secrets-get-hides",
        "BaseAddress",
    ]);
    let (home, app, _) = signed_in_and_linked(&sandbox);
    // The job already feeds another org; the read the push gets does not show its Tenant URL.
    let theirs = format!("{}identity/scim/{}/v2/", sandbox.base, uuid::Uuid::new_v4());
    let mut pairs: Vec<Value> = scim_token_sandbox::entra::SEEDED_SETTINGS
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect();
    pairs.push(json!({"key": "BaseAddress", "value": theirs}));
    pairs.push(json!({"key": "SecretToken", "value": "their-token"}));
    entra::block_on(entra::put_secrets(&sandbox.entra_base, &app, json!(pairs)));
    assert_eq!(job_code(&home), "NotRun", "configured by the admin");
    assert_eq!(
        secret_value(&job_secrets(&sandbox, &app), "BaseAddress"),
        None,
        "the view hides it"
    );

    let puts = logged(&sandbox, "PUT", "/synchronization/secrets");
    let (code, report) = push_json(&home, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report[0]["stored"], false, "{report}");
    assert_eq!(report[0]["error_kind"], "entra-settings", "{report}");
    let error = report[0]["error"].as_str().unwrap();
    assert!(
        error.contains("left out BaseAddress") && error.contains("nothing was written"),
        "{error}"
    );
    assert_eq!(
        logged(&sandbox, "PUT", "/synchronization/secrets"),
        puts,
        "no PUT reached the local Entra"
    );
    forget(&home);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn an_edit_made_while_the_push_runs_is_kept() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-edit-during-push",
        "SyncAll=true",
    ]);
    let (home, app, _) = signed_in_and_linked(&sandbox);
    let (code, report) = push_json(&home, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report[0]["stored"], true, "{report}");
    assert_eq!(
        report[0]["edited_meanwhile"],
        json!([{"key": "SyncAll", "before": "false", "after": "true"}]),
        "{report}"
    );
    let after = job_secrets(&sandbox, &app);
    assert_eq!(
        secret_value(&after, "SyncAll").as_deref(),
        Some("true"),
        "the admin's edit is not reverted"
    );
    for (key, value) in &scim_token_sandbox::entra::SEEDED_SETTINGS[..2] {
        assert_eq!(secret_value(&after, key).as_deref(), Some(*value), "{key}");
    }
    assert_eq!(secret_value(&after, "BaseAddress"), Some(sandbox.tenant_url()));
    forget(&home);

    // Meanwhile the job was given a Tenant URL of the same org in another spelling: Test
    // Connection ran with the one read before, so nothing is written and the change is named.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let org = uuid::Uuid::new_v4().to_string();
    let respelled = format!("http://127.0.0.1:{port}/identity/scim/{org}/v2");
    let sandbox = Sandbox::start_on(
        port,
        &org,
        &[
            "--auto-approve",
            "admin@sandbox.example",
            "--entra-edit-during-push",
            &format!("BaseAddress={respelled}"),
        ],
    );
    assert_eq!(sandbox.tenant_url(), format!("{respelled}/"));
    let (home, _app, _) = signed_in_and_linked(&sandbox);
    let puts = logged(&sandbox, "PUT", "/synchronization/secrets");
    let (code, report) = push_json(&home, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report[0]["stored"], false, "{report}");
    let error = report[0]["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("BaseAddress was (none), now {respelled}"))
            && error.contains("nothing was written"),
        "{error}"
    );
    assert_eq!(logged(&sandbox, "PUT", "/synchronization/secrets"), puts);
    forget(&home);

    // Meanwhile the job was pointed at another org: the read before the PUT sees it, and
    // nothing is written.
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-edit-during-push",
        &format!("BaseAddress={}", sandbox.tenant_url()),
    ]);
    let (home, _app, _) = signed_in_and_linked(&sandbox);
    let puts = logged(&sandbox, "PUT", "/synchronization/secrets");
    let (code, report) = push_json(&home, &[]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report[0]["stored"], false, "{report}");
    let error = report[0]["error"].as_str().unwrap();
    assert!(
        error.contains("is for Webex org") && error.contains("Nothing was written"),
        "{error}"
    );
    assert_eq!(logged(&sandbox, "PUT", "/synchronization/secrets"), puts);
    forget(&home);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn one_push_per_job_across_processes_and_a_legacy_link_is_pinned() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example"]);
    let (home, _app, _) = signed_in_and_linked(&sandbox);

    // A link from before links recorded their tenant.
    let tokens_file = home.config_dir().join("scim-token").join("tokens.json");
    let mut records: Value = serde_json::from_str(&std::fs::read_to_string(&tokens_file).unwrap()).unwrap();
    let link = &mut records["records"][0]["entra_links"][0];
    assert_eq!(link["tenant_id"], scim_token_sandbox::entra::DEFAULT_TENANT);
    link.as_object_mut().unwrap().remove("tenant_id");
    std::fs::write(&tokens_file, serde_json::to_string_pretty(&records).unwrap()).unwrap();

    let (code, report) = push_json(&home, &[]);
    assert_eq!(code, Some(0), "{report}");
    let records: Value = serde_json::from_str(&std::fs::read_to_string(&tokens_file).unwrap()).unwrap();
    assert_eq!(
        records["records"][0]["entra_links"][0]["tenant_id"],
        scim_token_sandbox::entra::DEFAULT_TENANT,
        "pinned to the tenant of the sign-in that pushed"
    );

    // Another program holds the job's push lock: this push waits, then names it and writes nothing.
    let locks = home.config_dir().join("scim-token").join("push-locks");
    let lock_path = std::fs::read_dir(&locks)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "lock"))
        .expect("the job's lock file");
    std::fs::write(
        lock_path.with_extension("lock.holder"),
        "process 4242 (scim-token-desktop) since a while",
    )
    .unwrap();
    let held = std::fs::File::open(&lock_path).unwrap();
    held.lock().unwrap();
    let puts = logged(&sandbox, "PUT", "/synchronization/secrets");
    let (code, busy) = push_json(&home, &["--wait", "1"]);
    assert_eq!(code, Some(1), "{busy}");
    assert_eq!(busy[0]["error_kind"], "busy", "{busy}");
    assert_eq!(busy[0]["stored"], false, "{busy}");
    assert!(
        busy[0]["error"]
            .as_str()
            .unwrap()
            .contains("process 4242 (scim-token-desktop)"),
        "{busy}"
    );
    assert_eq!(logged(&sandbox, "PUT", "/synchronization/secrets"), puts);
    let (code, dry) = push_json(&home, &["--dry-run"]);
    assert_eq!(code, Some(0), "a dry run writes nothing and takes no lock: {dry}");
    drop(held);

    // Two pushes at once: both finish, one after the other — each one's Test Connection is
    // followed by its own PUT before the other's Test Connection (the lock runs from the read
    // to the verify).
    let before: usize = sequence(&sandbox).len();
    let results: Vec<(Option<i32>, Value)> = std::thread::scope(|scope| {
        let pushes: Vec<_> = (0..2).map(|_| scope.spawn(|| push_json(&home, &[]))).collect();
        pushes.into_iter().map(|p| p.join().unwrap()).collect()
    });
    for (code, report) in &results {
        assert_eq!(*code, Some(0), "{report}");
        assert_eq!(report[0]["stored"], true, "{report}");
    }
    let steps: String = sequence(&sandbox)[before..].iter().collect();
    assert_eq!(
        steps, "VPVP",
        "validate (V) and PUT (P) of the two pushes, in order"
    );
    forget(&home);
}
