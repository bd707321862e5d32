//! End-to-end, the Entra loop: the real `scim-token` binary, the sandbox (local Webex and local
//! Entra) as a separate process, headless Chromium for both sign-ins, and the real keyring:
//! Webex sign-in → `entra login` → `entra apps` → `entra link` → `push` → the job Active with
//! users provisioned → someone stores a wrong token in Entra → `check` exits 1 naming the
//! quarantine → `push` → Active again. Then: no token or refresh token in any output, log or
//! file.

use scim_token_test_support as support;

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;
use support::{Home, Output, Running, Sandbox, chromium, port_3000, wait_for_sign_in_url};

const LIMIT: Duration = Duration::from_secs(90);
const USERS: u64 = 8;
const GRAPH_CLI: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

fn spawn(home: &Home, args: &[&str]) -> Running {
    let child = home
        .cli(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    Running::new(child)
}

/// Runs `args` until `done` holds for its output (at most 30 s); returns the last output.
fn poll(home: &Home, args: &[&str], what: &str, done: impl Fn(&Output) -> bool) -> Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = home.run(args);
        if done(&out) {
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "never {what}: {}\n{}",
            out.stdout,
            out.stderr
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn job_status(status: &Output) -> Value {
    let list: Value = serde_json::from_str(&status.stdout).unwrap_or(Value::Null);
    list[0]["entra"][0]["status"].clone()
}

/// What an admin does in the Entra admin center: sign in (as a Graph client of its own) and
/// put another token into the job's credentials.
fn store_wrong_token_in_entra(sandbox: &Sandbox, app: &str) {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verifier = format!("verifier-{}-0123456789abcdef", uuid::Uuid::new_v4());
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let redirect = "http://localhost:1/";
    let authorize = http
        .get(format!(
            "{}organizations/oauth2/v2.0/authorize",
            sandbox.entra_base
        ))
        .query(&[
            ("client_id", GRAPH_CLI),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            (
                "scope",
                "https://graph.microsoft.com/Synchronization.ReadWrite.All",
            ),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .unwrap();
    let location = url::Url::parse(authorize.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let tokens: Value = http
        .post(format!("{}organizations/oauth2/v2.0/token", sandbox.entra_base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", GRAPH_CLI),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", &verifier),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let put = http
        .put(format!(
            "{}v1.0/servicePrincipals/{app}/synchronization/secrets",
            sandbox.entra_base
        ))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .json(&json!({"value": [{"key": "SecretToken", "value": "a-wrong-token"}]}))
        .send()
        .unwrap();
    assert_eq!(put.status(), 204);
}

#[test]
fn renew_push_quarantine_and_recover() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-cycle",
        "1",
        "--entra-users",
        &USERS.to_string(),
    ]);
    let home = Home::new();

    // Webex sign-in.
    let mut login = spawn(
        &home,
        &[
            "login",
            "--broker",
            &sandbox.base,
            "--no-browser",
            "--timeout",
            "60",
        ],
    );
    assert!(chromium(&wait_for_sign_in_url(&mut login)).contains("Token captured"));
    let out = login.finish(LIMIT);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let token = home.run(&["token"]).stdout.trim().to_owned();

    // Entra sign-in at the local Entra, through Chromium and the loopback listener.
    let mut entra = spawn(
        &home,
        &[
            "entra",
            "login",
            "--cloud",
            &sandbox.entra_base,
            "--no-browser",
            "--timeout",
            "60",
        ],
    );
    let url = wait_for_sign_in_url(&mut entra);
    assert!(
        url.starts_with(&format!(
            "{}organizations/oauth2/v2.0/authorize?",
            sandbox.entra_base
        )),
        "{url}"
    );
    assert!(
        url.contains("code_challenge_method=S256") && url.contains("state="),
        "{url}"
    );
    assert!(chromium(&url).contains("Signed in to Entra"));
    let entra_login = entra.finish(LIMIT);
    assert_eq!(entra_login.code(), Some(0), "{}", entra_login.stderr);
    assert!(
        entra_login.stdout.contains("Signed in to Entra"),
        "{}",
        entra_login.stdout
    );

    // The apps, and the link.
    let apps = home.run(&["entra", "apps", "--json"]);
    assert_eq!(apps.code(), Some(0), "{}", apps.stderr);
    let apps: Value = serde_json::from_str(&apps.stdout).unwrap();
    assert_eq!(apps.as_array().unwrap().len(), 1, "only the Webex app: {apps}");
    let app = apps[0]["app"]["id"].as_str().unwrap().to_owned();
    assert_eq!(apps[0]["jobs"][0]["status"]["code"], "NotConfigured");
    let link = home.run(&["entra", "link", "--app", &app]);
    assert_eq!(link.code(), Some(0), "{}", link.stderr);
    assert!(link.stdout.contains("Cisco Webex"), "{}", link.stdout);

    // Push: validated, stored, started; the job provisions the directory.
    let push = home.run(&["push", "--json"]);
    assert_eq!(push.code(), Some(0), "{}\n{}", push.stdout, push.stderr);
    let pushed: Value = serde_json::from_str(&push.stdout).unwrap();
    assert_eq!(pushed[0]["action"], "started", "{pushed}");
    let active = poll(&home, &["status", "--json"], "Active", |out| {
        let status = job_status(out);
        status["code"] == "Active" && status["lastSuccessfulExecution"].is_object()
    });
    let status = job_status(&active);
    assert_eq!(status["synchronizedEntryCountByType"][0]["value"], USERS);
    let check = home.run(&["check"]);
    assert_eq!(check.code(), Some(0), "{}", check.stdout);

    // Someone stores a wrong token in Entra: check notices the quarantine.
    store_wrong_token_in_entra(&sandbox, &app);
    let check = poll(&home, &["check"], "failing on the quarantine", |out| {
        out.code() == Some(1)
    });
    assert!(
        check.stdout.contains("Quarantine") && check.stdout.contains("EncounteredQuarantineException"),
        "{}",
        check.stdout
    );

    // Push again: restarted, Active.
    let push_again = home.run(&["push"]);
    assert_eq!(
        push_again.code(),
        Some(0),
        "{}\n{}",
        push_again.stdout,
        push_again.stderr
    );
    assert!(push_again.stdout.contains("restarted"), "{}", push_again.stdout);
    poll(&home, &["check"], "healthy again", |out| out.code() == Some(0));
    let table = home.run(&["status"]);
    assert!(
        table.stdout.contains("Entra job:   Cisco Webex"),
        "{}",
        table.stdout
    );

    // Secret hygiene: the Webex token and the Entra refresh token are in no output, log or file.
    let account = format!("entra:{}:organizations:{GRAPH_CLI}", sandbox.entra_base);
    let refresh = keyring::Entry::new("scim-token", &account)
        .and_then(|e| e.get_password())
        .expect("the refresh token is in the keyring");
    let log = reqwest::blocking::get(format!("{}_sandbox/log", sandbox.base))
        .unwrap()
        .text()
        .unwrap();
    let outputs = [
        &out,
        &entra_login,
        &link,
        &push,
        &active,
        &check,
        &push_again,
        &table,
    ];
    for secret in [token.as_str(), refresh.as_str()] {
        for output in outputs {
            assert!(
                !output.stdout.contains(secret) && !output.stderr.contains(secret),
                "an output leaked a secret"
            );
        }
        assert!(!log.contains(secret), "the sandbox log holds a secret");
        let files = support::scan::files_containing(home.dir.path(), secret, &[]);
        assert!(files.is_empty(), "files holding a secret: {files:?}");
    }
    home.run(&["entra", "logout"]);
    home.run(&["forget"]);
}

/// The Entra error paths say what to do: nothing linked, not signed in, an account without the
/// role (403), and Graph's throttling honoured on the way (every second Graph request gets 429:
/// the jobs request after the app list is throttled, retried after `Retry-After`, then refused).
#[test]
fn entra_errors_say_what_to_do() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "user@sandbox.example",
        "--entra-throttle-every",
        "2",
    ]);
    let home = Home::new();
    let mut login = spawn(
        &home,
        &[
            "login",
            "--broker",
            &sandbox.base,
            "--no-browser",
            "--timeout",
            "60",
        ],
    );
    assert!(chromium(&wait_for_sign_in_url(&mut login)).contains("Token captured"));
    assert_eq!(login.finish(LIMIT).code(), Some(0));

    let push = home.run(&["push"]);
    assert_eq!(push.code(), Some(1));
    assert!(
        push.stderr.contains("not linked") && push.stderr.contains("scim-token entra apps"),
        "{}",
        push.stderr
    );
    let apps = home.run(&["entra", "apps"]);
    assert_eq!(apps.code(), Some(1));
    assert!(
        apps.stderr.contains("not signed in to Entra") && apps.stderr.contains("scim-token entra login"),
        "{}",
        apps.stderr
    );

    let mut entra = spawn(
        &home,
        &[
            "entra",
            "login",
            "--cloud",
            &sandbox.entra_base,
            "--no-browser",
            "--timeout",
            "60",
        ],
    );
    assert!(chromium(&wait_for_sign_in_url(&mut entra)).contains("Signed in to Entra"));
    assert_eq!(entra.finish(LIMIT).code(), Some(0));
    let apps = home.run(&["entra", "apps"]);
    assert_eq!(apps.code(), Some(1), "{}", apps.stdout);
    assert!(
        apps.stderr.contains("403")
            && apps
                .stderr
                .contains("Application Administrator or Cloud Application Administrator"),
        "{}",
        apps.stderr
    );
    // Retried, not reported: Graph did throttle (the CLI logged its wait), the error is the 403,
    // and no throttling error ended the command.
    assert!(
        apps.stderr.contains("Graph throttled"),
        "the sandbox throttled: {}",
        apps.stderr
    );
    assert!(
        !apps.stderr.contains("Microsoft Graph is throttling requests"),
        "throttling was retried, not reported: {}",
        apps.stderr
    );
    home.run(&["entra", "logout"]);
    home.run(&["forget"]);
}
