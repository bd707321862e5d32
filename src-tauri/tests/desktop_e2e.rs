#![cfg_attr(not(unix), allow(missing_docs))]
#![cfg(unix)]
//! End-to-end: the real desktop app, driven through tauri-driver and WebKitWebDriver under the
//! Xvfb display and private keyring that `scripts/test` starts. The sign-in window is incognito
//! and so invisible to WebDriver; the app's sandbox auto-approves, and the main window shows
//! the result.

#![allow(clippy::print_stderr)]

use scim_token_test_support::{desktop, entra, scan};

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use desktop::{click, launch, launch_with_env, sandbox_running, value_of, wait_text};
use fantoccini::Locator;
use serde_json::json;

/// One app at a time: each binds the redirect port 3000 while signing in.
static ONE_APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const APP: &str = env!("CARGO_BIN_EXE_scim-token-desktop");

/// How long a sign-in in the system browser may take: a headless Chromium started on a loaded
/// two-core machine was seen to need more than a minute from its launch to the redirect (a
/// bound, not a wait: every wait returns as soon as its text shows).
const BROWSER_SIGN_IN: Duration = Duration::from_secs(180);

#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn sign_in_through_the_sandbox_copy_test_and_forget() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(
        APP,
        &[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
            "--clear-clipboard-after",
            // Long enough for a loaded CI machine to read the clipboard before it is cleared.
            "10",
            "--log",
            "trace",
        ],
    )
    .await;

    let (tenant, _) = sandbox_running(&client).await;
    assert!(
        wait_text(
            &client,
            "#empty",
            |t| t.contains("No token yet"),
            Duration::from_secs(5)
        )
        .await
        .contains("Tenant URL")
    );

    click(&client, "#get-token").await;
    let broker = value_of(&client, "#broker").await;
    assert_eq!(
        broker.as_deref(),
        Some("sandbox"),
        "the running sandbox is preselected"
    );
    click(&client, "#start-sign-in").await;

    let card_url = desktop::signed_in(&client, Duration::from_secs(30)).await;
    assert_eq!(card_url, tenant, "the card shows the sandbox's Tenant URL");
    let countdown = wait_text(
        &client,
        ".card .countdown",
        |t| t.contains("left"),
        Duration::from_secs(5),
    )
    .await;
    assert!(countdown.starts_with("44 days"), "{countdown}");
    let state = client
        .find(Locator::Css(".card .state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(state, "valid");
    let account = client
        .find(Locator::Css(".card .account"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(account, "admin@sandbox.example");

    click(&client, ".card .test").await;
    wait_text(
        &client,
        ".card .test-result",
        |t| t.contains("Test Connection succeeded"),
        Duration::from_secs(20),
    )
    .await;

    click(&client, ".card .copy-token").await;
    wait_text(
        &client,
        ".card .clipboard",
        |t| t.contains("clears in"),
        Duration::from_secs(5),
    )
    .await;
    let copied = arboard::Clipboard::new().unwrap().get_text().unwrap();
    let org = tenant
        .trim_end_matches("/v2/")
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        copied.ends_with(&format!("_SBX1_{org}")),
        "the token is on the clipboard"
    );
    // Kept out of clipboard history: the copy carries the password-manager hint that Klipper and
    // GNOME's clipboard managers honour (the CLI's safeguard, now the app's too).
    let targets = Command::new("xclip")
        .args(["-selection", "clipboard", "-o", "-t", "TARGETS"])
        .output()
        .expect("xclip (scripts/test installs it)");
    let targets = String::from_utf8_lossy(&targets.stdout);
    assert!(targets.contains("x-kde-passwordManagerHint"), "{targets}");
    // After the delay (10 s here, 45 s by default) the app clears what it put there.
    wait_text(
        &client,
        ".card .clipboard",
        |t| t.contains("Clipboard cleared."),
        Duration::from_secs(20),
    )
    .await;
    let after = arboard::Clipboard::new().unwrap().get_text().unwrap_or_default();
    assert!(
        after.is_empty(),
        "the clipboard was cleared, not left holding {} bytes",
        after.len()
    );

    // The request log shows what the SCIM client sent, with the token redacted.
    let log = wait_text(
        &client,
        "#sandbox-log tbody",
        |t| t.contains("/Users"),
        Duration::from_secs(10),
    )
    .await;
    assert!(!log.contains(&copied));

    client
        .execute("window.confirm = () => true;", vec![])
        .await
        .unwrap();
    click(&client, ".card .forget").await;
    wait_text(
        &client,
        "#empty",
        |t| t.contains("No token yet"),
        Duration::from_secs(10),
    )
    .await;
    assert!(
        client.find(Locator::Css(".card")).await.is_err(),
        "the card is gone"
    );

    // Quitting within the clear delay clears the clipboard on the way out: with a clipboard
    // manager running, the copy would otherwise outlive the app.
    click(&client, "#get-token").await;
    click(&client, "#start-sign-in").await;
    desktop::signed_in(&client, Duration::from_secs(30)).await;
    click(&client, ".card .copy-token").await;
    wait_text(
        &client,
        ".card .clipboard",
        |t| t.contains("clears in"),
        Duration::from_secs(5),
    )
    .await;
    // The app may be gone before WebDriver answers: the wait below is the check.
    let _ = client
        .execute("document.getElementById('quit').click();", vec![])
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while desktop::app_running(APP) {
        assert!(Instant::now() < deadline, "Quit did not end the app");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = client.close().await;

    // Secret hygiene: the app ran at trace level; its log, config, caches and web data hold no
    // trace of the token. Only the keyring's own (encrypted) directory is not searched.
    let log_file = std::path::Path::new(&std::env::var("XDG_DATA_HOME").unwrap())
        .join("dev.scimtoken.desktop/logs/scim-token.log");
    let log = std::fs::read_to_string(&log_file).unwrap();
    assert!(
        log.contains("TRACE") && log.contains("token captured"),
        "a trace-level log was written"
    );
    assert!(
        log.contains("clipboard on exit") && log.contains("Cleared"),
        "the copy still on the clipboard was cleared at Quit"
    );
    for var in [
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "XDG_RUNTIME_DIR",
    ] {
        let dir = std::env::var(var).unwrap();
        let leaks = scan::files_containing(std::path::Path::new(&dir), &copied, &["keyrings", "keyring"]);
        assert!(
            leaks.is_empty(),
            "files holding the token under ${var}: {leaks:?}"
        );
    }
}

/// A stand-in broker whose sign-in page tries every way to reach the app's commands and reports
/// what happened back to this test.
const PROBE_PAGE: &str = r#"<!doctype html><html><body><script>
(async () => {
  const r = { internals: typeof window.__TAURI_INTERNALS__, global: typeof window.__TAURI__ };
  try {
    const tokens = await window.__TAURI_INTERNALS__.invoke("list_tokens");
    r.invoke = "allowed: " + JSON.stringify(tokens);
  } catch (e) { r.invoke = "refused: " + e; }
  // Nothing a page says may reach the app's log file.
  console.log("PROBE-PAGE-WAS-HERE");
  try {
    await window.__TAURI_INTERNALS__.invoke("plugin:log|log", { level: 3, message: "PROBE-PAGE-WAS-HERE" });
    r.log = "allowed";
  } catch (e) { r.log = "refused: " + e; }
  try {
    const resp = await fetch("ipc://localhost/list_tokens", { method: "POST", body: "{}" });
    r.fetch = "answered " + resp.status + ": " + (await resp.text());
  } catch (e) { r.fetch = "failed: " + e; }
  await fetch("/report", { method: "POST", body: JSON.stringify(r) });
})();
</script></body></html>"#;

/// Serves the probe page to every GET and returns the first report POSTed back.
fn probe_broker() -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in server.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let (body, report) = if request_line.starts_with("POST /report") {
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                ("ok".to_owned(), Some(String::from_utf8_lossy(&body).into_owned()))
            } else {
                (PROBE_PAGE.to_owned(), None)
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            if let Some(report) = report {
                let _ = tx.send(report);
            }
        }
    });
    (port, rx)
}

#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn the_sign_in_page_cannot_call_any_command() {
    let _one = ONE_APP.lock().await;
    let (port, reports) = probe_broker();
    let (_driver, client) = launch(APP, &[]).await;
    wait_text(
        &client,
        "#get-token",
        |t| t.contains("Get a token"),
        Duration::from_secs(20),
    )
    .await;
    // The main window may call commands: open the sign-in window at the probe "broker".
    let broker = format!("http://127.0.0.1:{port}/");
    client
        .execute_async(
            "const [base, done] = arguments; window.__TAURI_INTERNALS__.invoke('start_webex_sign_in', {broker: {kind: 'custom', base}, email: null, renewFor: null, place: 'window'}).then(() => done('ok'), (e) => done(JSON.stringify(e)));",
            vec![json!(broker)],
        )
        .await
        .unwrap();
    let report = tokio::task::spawn_blocking(move || reports.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .expect("the probe page reported back");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let invoke = report["invoke"].as_str().unwrap();
    assert!(
        invoke.starts_with("refused"),
        "a remote page must not reach list_tokens: {report}"
    );
    let fetch = report["fetch"].as_str().unwrap();
    assert!(
        !fetch.contains("org_id") && !fetch.starts_with("answered 200"),
        "{report}"
    );
    assert!(report["log"].as_str().unwrap().starts_with("refused"), "{report}");
    let log_file = std::path::Path::new(&std::env::var("XDG_DATA_HOME").unwrap())
        .join("dev.scimtoken.desktop/logs/scim-token.log");
    let log = std::fs::read_to_string(&log_file)
        .unwrap_or_else(|e| panic!("the app keeps a log at {}: {e}", log_file.display()));
    assert!(
        !log.contains("PROBE-PAGE-WAS-HERE"),
        "a page wrote into the app's log"
    );
    client.close().await.unwrap();
}

/// The sandbox child ends with the app, even when the app is killed (no handler runs).
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn the_sandbox_ends_when_the_app_is_killed() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(APP, &["--sandbox", "--sandbox-port", "0"]).await;
    let (tenant, _) = sandbox_running(&client).await;
    let address = url::Url::parse(&tenant).unwrap().socket_addrs(|| None).unwrap()[0];
    assert!(
        std::net::TcpStream::connect(address).is_ok(),
        "the sandbox answers at {address}"
    );
    let killed = Command::new("pkill")
        .args(["-KILL", "-x", "scim-token-desk"])
        .status()
        .unwrap();
    assert!(killed.success(), "the app was running");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(address).is_ok() {
        assert!(Instant::now() < deadline, "the sandbox outlived the app");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The app runs the sandbox as the CLI beside it; an app installed without it says where it
/// looked, in the sandbox panel, and still works.
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn without_the_cli_beside_it_the_sandbox_panel_says_where_it_looked() {
    let _one = ONE_APP.lock().await;
    let alone = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let app = alone.path().join("scim-token-desktop");
    std::fs::hard_link(APP, &app)
        .or_else(|_| std::fs::copy(APP, &app).map(drop))
        .unwrap();
    let app = app.to_str().unwrap();
    let named = alone.path().join("not-here").join("scim-token");
    let (_driver, client) = launch_with_env(
        app,
        &["--sandbox", "--sandbox-port", "0"],
        &[("SCIM_TOKEN_CLI", named.to_str().unwrap())],
    )
    .await;
    let problem = wait_text(
        &client,
        "#sandbox-problem",
        |t| !t.is_empty(),
        Duration::from_secs(20),
    )
    .await;
    let beside = alone.path().join("scim-token");
    assert!(
        problem.contains(named.to_str().unwrap())
            && problem.contains(beside.to_str().unwrap())
            && problem.contains("SCIM_TOKEN_CLI"),
        "{problem}"
    );
    let running = client.find(Locator::Css("#sandbox-running")).await.unwrap();
    assert!(
        !running.is_displayed().await.unwrap(),
        "no sandbox details are shown"
    );
    // The rest of the app is there: the sign-in form opens, with Webex preselected.
    click(&client, "#get-token").await;
    let broker = value_of(&client, "#broker").await;
    assert_eq!(broker.as_deref(), Some("webex"));
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn a_denied_sign_in_is_shown_and_nothing_is_stored() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(APP, &["--sandbox-auto-deny", "--sandbox-port", "0"]).await;
    sandbox_running(&client).await;
    click(&client, "#get-token").await;
    click(&client, "#start-sign-in").await;
    let error = wait_text(&client, "#error", |t| !t.is_empty(), Duration::from_secs(30)).await;
    assert!(
        error.contains("denied") && error.contains("access_denied"),
        "{error}"
    );
    assert!(
        client.find(Locator::Css(".card")).await.is_err(),
        "no token was stored"
    );
    let status = client
        .find(Locator::Css("#sign-in-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!status.contains("Waiting"), "progress stops: {status}");
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn a_second_launch_focuses_the_first_and_start_at_login_toggles() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(APP, &[]).await;
    wait_text(
        &client,
        "#get-token",
        |t| t.contains("Get a token"),
        Duration::from_secs(20),
    )
    .await;
    let mut second = Command::new(env!("CARGO_BIN_EXE_scim-token-desktop"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch kept running instead of handing over to the first");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
    let notice = wait_text(
        &client,
        "#notice",
        |t| t.contains("already running"),
        Duration::from_secs(10),
    )
    .await;
    assert!(notice.contains("here it is"));

    // Start at login: off by default; on writes an autostart entry that starts in the tray.
    // Where the desktop looks for it: $XDG_CONFIG_HOME/autostart (scripts/world sets it apart from HOME).
    let entry =
        std::path::Path::new(&std::env::var("XDG_CONFIG_HOME").unwrap()).join("autostart/scim-token.desktop");
    let _ = std::fs::remove_file(&entry);
    let toggle = client.find(Locator::Css("#start-at-login")).await.unwrap();
    toggle.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !entry.exists() {
        assert!(
            Instant::now() < deadline,
            "no autostart entry at {}",
            entry.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let home_entry =
        std::path::Path::new(&std::env::var("HOME").unwrap()).join(".config/autostart/scim-token.desktop");
    assert!(!home_entry.exists(), "an entry the desktop would not read");
    let desktop_entry = std::fs::read_to_string(&entry).unwrap();
    assert!(
        desktop_entry.contains(&format!("Exec={APP} --tray")),
        "{desktop_entry}"
    );
    toggle.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while entry.exists() {
        assert!(
            Instant::now() < deadline,
            "the autostart entry stayed after turning it off"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let launches = client
        .execute("return document.body.dataset.secondLaunches;", vec![])
        .await
        .unwrap();
    assert_eq!(launches, json!("1"));
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn two_sign_ins_started_at_once_end_with_one_token_and_no_error() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(
        APP,
        &[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
        ],
    )
    .await;
    sandbox_running(&client).await;
    // Two starts in the same instant (a double click that got through): the second cancels the
    // first, waits for its window and port, and runs; neither fails.
    let started = client
        .execute_async(
            "const [done] = arguments; const invoke = window.__TAURI_INTERNALS__.invoke; \
             const args = {broker: {kind: 'sandbox', base: 'http://127.0.0.1:1/'}, email: null, renewFor: null, place: 'window'}; \
             Promise.all([invoke('start_webex_sign_in', args), invoke('start_webex_sign_in', args)]) \
               .then((r) => done(JSON.stringify(r)), (e) => done('failed: ' + JSON.stringify(e)));",
            vec![],
        )
        .await
        .unwrap();
    let started = started.as_str().unwrap().to_owned();
    assert!(!started.starts_with("failed"), "{started}");
    let ids: Vec<serde_json::Value> = serde_json::from_str(&started).unwrap();
    assert_ne!(ids[0]["id"], ids[1]["id"], "each sign-in has its own id");
    wait_text(
        &client,
        ".card .tenant-url",
        |t| !t.is_empty(),
        Duration::from_secs(30),
    )
    .await;
    let cards = client.find_all(Locator::Css(".card")).await.unwrap();
    assert_eq!(cards.len(), 1, "one org, one token");
    let error = client.find(Locator::Css("#error")).await.unwrap();
    assert!(!error.is_displayed().await.unwrap(), "no error shown");
    client.close().await.unwrap();
}

/// SSO in the sign-in window: the federated admin goes from the Webex sandbox to the local Entra
/// (another origin), whose page posts itself back to the broker; the window follows it all and
/// the token is captured. The sandbox panel shows requests at both origins.
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn a_federated_sign_in_crosses_to_the_local_entra_and_back() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(
        APP,
        &[
            "--sandbox-auto-approve",
            "admin@federated.example",
            "--sandbox-port",
            "0",
        ],
    )
    .await;
    let (tenant, entra_base) = sandbox_running(&client).await;
    assert!(
        !tenant.starts_with(&entra_base),
        "two origins: {tenant} and {entra_base}"
    );
    click(&client, "#get-token").await;
    click(&client, "#start-sign-in").await;
    let account = wait_text(
        &client,
        ".card .account",
        |t| !t.is_empty(),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(account, "admin@federated.example");
    let log = wait_text(
        &client,
        "#sandbox-log tbody",
        |t| t.contains("Entra") && t.contains("/idb/Consumer/metaAlias/"),
        Duration::from_secs(10),
    )
    .await;
    assert!(log.contains("/saml2?"), "{log}");
    client
        .execute("window.confirm = () => true;", vec![])
        .await
        .unwrap();
    click(&client, ".card .forget").await;
    wait_text(
        &client,
        "#empty",
        |t| t.contains("No token yet"),
        Duration::from_secs(10),
    )
    .await;
    client.close().await.unwrap();
}

/// Clicks the card's Refresh status until its jobs line satisfies `want` (at most 30 s).
async fn job_line(client: &fantoccini::Client, want: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        click(client, ".card .entra-refresh").await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        // A redraw between finding the line and reading it is read again on the next round.
        let text = match client.find(Locator::Css(".card .entra-jobs")).await {
            Ok(line) => line.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if want(&text) {
            return text;
        }
        assert!(Instant::now() < deadline, "the job line never matched: {text}");
    }
}

/// The Entra loop in the app: Webex sign-in, Entra sign-in in its own window, link, push, the job
/// Active with users; a wrong token in Entra shows as Quarantine with its reason; Push to Entra
/// restarts it and it is Active again; a job an admin paused stays paused through a renewal's
/// push until Push and start.
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn the_entra_loop_link_push_quarantine_and_recover() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(
        APP,
        &[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
            "--sandbox-entra-cycle",
            "1",
            "--log",
            "trace",
        ],
    )
    .await;
    let (_, entra_base) = sandbox_running(&client).await;
    click(&client, "#get-token").await;
    click(&client, "#start-sign-in").await;
    desktop::signed_in(&client, Duration::from_secs(30)).await;

    click(&client, "#entra-sign-in").await;
    let session = wait_text(
        &client,
        "#entra-session",
        |t| t.contains("Signed in to Entra"),
        Duration::from_secs(30),
    )
    .await;
    // Who signed in, from the sign-in's id_token.
    assert!(
        session.contains("admin@sandbox.example")
            && session.contains("tenant 7e57a1d0-5a4d-4b0c-8000-00000000e1d0"),
        "{session}"
    );

    let choice = desktop::link_to_the_webex_job(&client).await;
    assert!(choice.contains("(not configured)"), "{choice}");

    // The first push to the link shows its plan and asks; nothing is written until confirmed.
    let plan = desktop::plan_of_first_push(&client, ".card .push").await;
    assert!(
        plan.contains("Would change BaseAddress and SecretToken")
            && plan.contains("SyncNotificationSettings, SkipOutOfScopeDeletions, SyncAll")
            && plan.contains("started"),
        "{plan}"
    );
    click(&client, ".card .entra-plan-confirm").await;
    let pushed = wait_text(
        &client,
        ".card .entra-result",
        |t| t.contains("Cisco Webex (job "),
        Duration::from_secs(30),
    )
    .await;
    assert!(pushed.contains("the job was started"), "{pushed}");
    assert!(
        pushed.contains("Kept as they were: SyncNotificationSettings"),
        "{pushed}"
    );
    let active = job_line(&client, |t| {
        t.trim_start().starts_with("running") && t.contains("users in sync")
    })
    .await;
    assert!(active.contains("20 users in sync"), "{active}");

    entra::store_wrong_token(&entra_base, entra::WEBEX_APP).await;
    let quarantined = job_line(&client, |t| t.trim_start().starts_with("in quarantine")).await;
    assert!(
        quarantined.contains("EncounteredQuarantineException"),
        "{quarantined}"
    );

    click(&client, ".card .push").await;
    let pushed = wait_text(
        &client,
        ".card .entra-result",
        |t| t.contains("quarantine lifted"),
        Duration::from_secs(30),
    )
    .await;
    assert!(!pushed.contains("not pushed"), "{pushed}");
    job_line(&client, |t| {
        t.trim_start().starts_with("running") && !t.contains("quarantine")
    })
    .await;

    // "Renew and push" is one use case in core: the renewal's sign-in, then the push of the new
    // token, with no second click.
    entra::store_wrong_token(&entra_base, entra::WEBEX_APP).await;
    job_line(&client, |t| t.trim_start().starts_with("in quarantine")).await;
    click(&client, ".card .renew-push").await;
    click(&client, "#start-sign-in").await;
    let renewed = wait_text(
        &client,
        ".card .entra-result",
        |t| t.contains("quarantine lifted"),
        Duration::from_secs(45),
    )
    .await;
    assert!(!renewed.contains("not pushed"), "{renewed}");
    job_line(&client, |t| {
        t.trim_start().starts_with("running") && !t.contains("quarantine")
    })
    .await;

    // An admin pauses the job: the renewal's unattended push leaves it paused and says so; only
    // the card's Push and start, offered then, starts it.
    entra::job_action(&entra_base, entra::WEBEX_APP, "pause").await;
    job_line(&client, |t| t.trim_start().starts_with("paused")).await;
    click(&client, ".card .renew-push").await;
    click(&client, "#start-sign-in").await;
    let left = wait_text(
        &client,
        ".card .entra-result",
        |t| t.contains("stays paused"),
        Duration::from_secs(45),
    )
    .await;
    assert!(left.contains("Press Push and start"), "{left}");
    click(&client, ".card .push-start").await;
    let started = wait_text(
        &client,
        ".card .entra-result",
        |t| t.contains("the job was started"),
        Duration::from_secs(30),
    )
    .await;
    assert!(!started.contains("not pushed"), "{started}");
    job_line(&client, |t| t.trim_start().starts_with("running")).await;

    client
        .execute("window.confirm = () => true;", vec![])
        .await
        .unwrap();
    click(&client, ".card .forget").await;
    wait_text(
        &client,
        "#empty",
        |t| t.contains("No token yet"),
        Duration::from_secs(10),
    )
    .await;
    client.close().await.unwrap();
}

/// "Use my browser" for both sign-ins: headless Chromium stands in for the default browser
/// (`BROWSER`); no sign-in window opens, the Webex token is caught by the listener on
/// localhost:3000 and the Entra code by its loopback listener, with the same `state` checks.
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn both_sign_ins_in_the_system_browser() {
    let _one = ONE_APP.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let browser = scim_token_test_support::default_browser_script(dir.path());
    let (_driver, client) = desktop::launch_with_env(
        APP,
        &[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
        ],
        &[("BROWSER", browser.to_str().unwrap())],
    )
    .await;
    sandbox_running(&client).await;

    click(&client, "#get-token").await;
    click(&client, "#start-sign-in-browser").await;
    let link = wait_text(
        &client,
        "#browser-sign-in .browser-link",
        |t| t.starts_with("http://127.0.0.1:"),
        Duration::from_secs(20),
    )
    .await;
    // Webex's forced-login wrapper around the authorize request, as the CLI prints it.
    assert!(link.contains("/idb/") && link.contains("authorize"), "{link}");
    let commands = wait_text(
        &client,
        "#browser-sign-in .private-commands",
        |t| t.contains("--incognito"),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        commands.contains("--private-window") && commands.contains(&link),
        "{commands}"
    );
    desktop::signed_in(&client, BROWSER_SIGN_IN).await;
    assert_eq!(
        client.windows().await.unwrap().len(),
        1,
        "no sign-in window was opened"
    );

    click(&client, "#entra-sign-in-browser").await;
    let session = wait_text(
        &client,
        "#entra-session",
        |t| t.contains("Signed in to Entra"),
        BROWSER_SIGN_IN,
    )
    .await;
    assert!(session.contains("admin@sandbox.example"), "{session}");
    assert_eq!(client.windows().await.unwrap().len(), 1);
    let opened = std::fs::read_to_string(dir.path().join("opened.txt")).unwrap();
    let opened: Vec<&str> = opened.lines().collect();
    assert_eq!(opened.len(), 2, "{opened:?}");
    for address in &opened {
        // A page only this user can read carries the link; the command line does not.
        assert!(
            address.starts_with("file://") && !address.contains('?'),
            "{opened:?}"
        );
    }
    client.close().await.unwrap();
}

/// A sign-in in the browser has nothing to close: Cancel ends it, frees the port, and the next
/// one starts. (No auto-approval: the browser waits on the sign-in page.)
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn a_browser_sign_in_is_cancelled_and_the_next_one_starts() {
    let _one = ONE_APP.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let browser = scim_token_test_support::default_browser_script(dir.path());
    let (_driver, client) = desktop::launch_with_env(
        APP,
        &["--sandbox", "--sandbox-port", "0"],
        &[("BROWSER", browser.to_str().unwrap())],
    )
    .await;
    sandbox_running(&client).await;
    for _ in 0..2 {
        click(&client, "#get-token").await;
        click(&client, "#start-sign-in-browser").await;
        wait_text(
            &client,
            "#sign-in-status",
            |t| t.contains("in your browser"),
            Duration::from_secs(20),
        )
        .await;
        click(&client, "#cancel-sign-in").await;
        wait_text(&client, "#sign-in-status", str::is_empty, Duration::from_secs(15)).await;
        // The listener has let go of the redirect port.
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpListener::bind("127.0.0.1:3000").is_err() {
            assert!(Instant::now() < deadline, "port 3000 still held after Cancel");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    click(&client, "#entra-sign-in-browser").await;
    wait_text(
        &client,
        "#entra-status",
        |t| t.contains("in your browser"),
        Duration::from_secs(20),
    )
    .await;
    click(&client, "#entra-cancel").await;
    wait_text(&client, "#entra-status", str::is_empty, Duration::from_secs(15)).await;
    let again = client
        .find(Locator::Css("#entra-sign-in-browser"))
        .await
        .unwrap()
        .prop("disabled")
        .await
        .unwrap();
    assert_eq!(again.as_deref(), Some("false"), "a new Entra sign-in can start");
    client.close().await.unwrap();
}

/// A tenant whose Conditional Access lets only an approved browser sign in (the local Entra
/// plays it): the app's own Entra window is refused with AADSTS53003, the app says it is the
/// policy and offers the browser, and the browser signs in.
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn a_policy_that_refuses_the_window_is_named_and_the_browser_signs_in() {
    let _one = ONE_APP.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let browser = scim_token_test_support::default_browser_script(dir.path());
    let (_driver, client) = desktop::launch_with_env(
        APP,
        &[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
            "--sandbox-entra-approved-browsers-only",
        ],
        &[("BROWSER", browser.to_str().unwrap())],
    )
    .await;
    sandbox_running(&client).await;
    click(&client, "#entra-sign-in").await;
    let status = wait_text(
        &client,
        "#entra-status",
        |t| t.contains("policy"),
        Duration::from_secs(30),
    )
    .await;
    assert!(status.contains("Use my browser"), "{status}");
    let error = wait_text(
        &client,
        "#error",
        |t| t.contains("AADSTS53003"),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        error.contains("Conditional Access") && error.contains("browser"),
        "{error}"
    );
    click(&client, "#entra-sign-in-browser").await;
    let session = wait_text(
        &client,
        "#entra-session",
        |t| t.contains("Signed in to Entra"),
        BROWSER_SIGN_IN,
    )
    .await;
    assert!(session.contains("admin@sandbox.example"), "{session}");
    client.close().await.unwrap();
}

/// "Renew and push" on a job that was never pushed to: the renewal is kept, and the push then
/// shows its plan and waits for the admin, whatever redraws the card meanwhile.
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn renew_and_push_to_a_job_never_pushed_shows_its_plan_first() {
    let _one = ONE_APP.lock().await;
    let (_driver, client) = launch(
        APP,
        &[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
        ],
    )
    .await;
    sandbox_running(&client).await;
    click(&client, "#get-token").await;
    click(&client, "#start-sign-in").await;
    desktop::signed_in(&client, Duration::from_secs(30)).await;
    click(&client, "#entra-sign-in").await;
    wait_text(
        &client,
        "#entra-session",
        |t| t.contains("Signed in to Entra"),
        Duration::from_secs(30),
    )
    .await;
    desktop::link_to_the_webex_job(&client).await;
    let plan = desktop::plan_of_first_push(&client, ".card .renew-push").await;
    assert!(plan.contains("First push to this job"), "{plan}");
    // The plan waits for the admin: a redraw (the app refreshes the list) does not lose it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    click(&client, ".card .entra-plan-confirm").await;
    let pushed = wait_text(
        &client,
        ".card .entra-result",
        |t| t.contains("Cisco Webex (job "),
        Duration::from_secs(30),
    )
    .await;
    assert!(pushed.contains("the job was started"), "{pushed}");
    // And the result stays after the list is redrawn.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = client
        .find(Locator::Css(".card .entra-result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(still.contains("the job was started"), "{still}");
    client.close().await.unwrap();
}

/// The app's sandbox runs on ports of its own choosing, and the app signs in only at the origins
/// that child announced: a "sandbox" at the default port is taken as the app's own (another
/// program holding that port sees nothing), and a local Entra there is refused before any window
/// opens.
#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn only_the_apps_own_sandbox_is_trusted() {
    let _one = ONE_APP.lock().await;
    // Another program holds the sandbox's default ports.
    let squatters: Vec<TcpListener> = ["127.0.0.1:8900", "127.0.0.1:8901"]
        .iter()
        .filter_map(|a| TcpListener::bind(a).ok())
        .collect();
    assert_eq!(squatters.len(), 2, "the default ports are free here");
    for squatter in &squatters {
        squatter.set_nonblocking(true).unwrap();
    }
    let (_driver, client) = launch(APP, &["--sandbox"]).await;
    let (tenant, entra_base) = sandbox_running(&client).await;
    assert!(
        !tenant.contains(":8900/") && !entra_base.contains(":8901/"),
        "any free ports by default: {tenant} {entra_base}"
    );
    let call = |script: &'static str| {
        let client = client.clone();
        async move {
            client
                .execute_async(script, vec![])
                .await
                .unwrap()
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let entra = call(
        "const [done] = arguments; window.__TAURI_INTERNALS__.invoke('start_entra_sign_in', {to: {cloud: {kind: 'local', base: 'http://127.0.0.1:8901/'}, tenant: null, client_id: null}, place: 'window'}).then((r) => done(JSON.stringify(r)), (e) => done(JSON.stringify(e)));",
    )
    .await;
    assert!(entra.contains("not the app's own"), "{entra}");
    assert_eq!(
        client.windows().await.unwrap().len(),
        1,
        "no sign-in window opened"
    );

    let webex = call(
        "const [done] = arguments; window.__TAURI_INTERNALS__.invoke('start_webex_sign_in', {broker: {kind: 'sandbox', base: 'http://127.0.0.1:8900/'}, email: null, renewFor: null, place: 'window'}).then((r) => done(JSON.stringify(r)), (e) => done(JSON.stringify(e)));",
    )
    .await;
    assert!(webex.contains("\"id\""), "started: {webex}");
    // The sign-in went to the app's own sandbox: its log shows the authorize request.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let log = call(
            "const [done] = arguments; window.__TAURI_INTERNALS__.invoke('sandbox_log').then((r) => done(JSON.stringify(r)), (e) => done(JSON.stringify(e)));",
        )
        .await;
        if log.contains("authorize") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the app's sandbox saw no sign-in: {log}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for squatter in &squatters {
        assert!(
            matches!(squatter.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "nothing connected to the program on the default port"
        );
    }
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "full tier: the desktop app through tauri-driver in scripts/world; scripts/test runs it"]
async fn the_network_panel_shows_the_proxy_and_checks_through_it() {
    use scim_token_test_support::corp_net::{CorpProxy, ProxyMode, TestRoot};
    let _one = ONE_APP.lock().await;
    // A company proxy that knows no name: every host it is asked for answers 502, and nothing
    // leaves loopback.
    let proxy = CorpProxy::start(ProxyMode::Open, &[], std::sync::Arc::new(TestRoot::new()));
    let address = proxy.url();
    // The proxy the admin chose (kept beside the records): the system's proxy variables would
    // also reach WebKitWebDriver, whose own connection to the app does not leave loopback out.
    // The CLI's tests take the system's way (variables, Wine's registry) through the same core.
    let config = desktop::fresh_config_dir();
    scim_token_core::net::setting::save(&config, &address.parse().unwrap()).unwrap();
    let (_driver, client) = launch_with_env(
        APP,
        &["--log", "trace"],
        // The machine's NO_PROXY would also apply to the chosen proxy.
        &[
            ("SCIM_TOKEN_CONFIG_DIR", config.to_str().unwrap()),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
    )
    .await;
    let line = wait_text(
        &client,
        "#network-proxy",
        |t| t.contains(&address),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(
        line,
        format!(
            "Requests go https through {address}, http through {address} (from scim-token's proxy setting)."
        )
    );

    click(&client, "#check-network").await;
    let report = wait_text(
        &client,
        "#network-report",
        |t| t.contains("Clock:") && t.contains("graph.microsoft.com"),
        Duration::from_secs(90),
    )
    .await;
    assert!(
        report.contains(&format!(
            "the proxy {address} (from scim-token's proxy setting) would not connect to graph.microsoft.com (it answered 502)"
        )),
        "{report}"
    );
    let log = proxy.log();
    for host in [
        "graph.microsoft.com",
        "login.microsoftonline.com",
        "idbroker.webex.com",
        "webexapis.com",
    ] {
        assert!(
            log.iter().any(|line| line == &format!("CONNECT {host}:443")),
            "{host} not asked of the proxy: {log:#?}"
        );
    }

    // Another choice takes effect at once, and is kept.
    client
        .find(Locator::Css("#proxy-choice"))
        .await
        .unwrap()
        .select_by_value("direct")
        .await
        .unwrap();
    click(&client, "#proxy-form button[type=submit]").await;
    let line = wait_text(
        &client,
        "#network-proxy",
        |t| t.contains("direct"),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        line,
        "Requests go direct (scim-token's proxy setting). Loopback never goes through a proxy."
    );
    assert_eq!(
        value_of(&client, "#proxy-choice").await.as_deref(),
        Some("direct")
    );
    assert_eq!(
        scim_token_core::net::setting::load(&config).unwrap(),
        scim_token_core::net::ProxyChoice::Direct
    );
}
