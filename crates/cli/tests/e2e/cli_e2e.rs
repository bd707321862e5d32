//! End-to-end: the real `scim-token` binary, the sandbox as a separate process, Debian's headless
//! Chromium following the broker's redirect to the listener on localhost:3000, and the real
//! Secret Service keyring started by `scripts/test`.

use scim_token_test_support as support;

use std::net::TcpListener;
use std::time::Duration;

use serde_json::Value;
use support::{Home, Running, Sandbox, chromium, port_3000, wait_for_sign_in_url};

const LOGIN_LIMIT: Duration = Duration::from_secs(90);

fn start_login(home: &Home, sandbox: &Sandbox, extra: &[&str]) -> Running {
    let mut args = vec![
        "login",
        "--broker",
        sandbox.base.as_str(),
        "--no-browser",
        "--timeout",
        "60",
    ];
    args.extend_from_slice(extra);
    let child = home
        .cli(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    Running::new(child)
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn login_status_token_test_forget() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example"]);
    let home = Home::new();
    let mut login = start_login(&home, &sandbox, &[]);
    let url = wait_for_sign_in_url(&mut login);
    assert!(
        url.starts_with(&format!(
            "{}idb/saml2/jsp/doSSO.jsp?type=login&goto=",
            sandbox.base
        )),
        "{url}"
    );

    let page = chromium(&url);
    assert!(page.contains("Token captured"), "{page}");
    let out = login.finish(LOGIN_LIMIT);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(out.stdout.contains(&sandbox.tenant_url()), "{}", out.stdout);
    // The redirect lands in a normal window's history: the CLI says how to open a private one.
    // In the form of the shell of the system the CLI runs on (Windows: PowerShell).
    let private = if support::under_wine() {
        [
            format!("Start-Process msedge -ArgumentList '--inprivate', '{url}'"),
            format!("Start-Process firefox -ArgumentList '-private-window', '{url}'"),
        ]
    } else {
        [
            format!("chromium --incognito '{url}'"),
            format!("firefox --private-window '{url}'"),
        ]
    };
    assert!(
        private
            .iter()
            .all(|command| out.stderr.contains(command.as_str())),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("signed in as admin@sandbox.example"),
        "{}",
        out.stdout
    );

    let status = home.run(&["status", "--json"]);
    assert_eq!(status.code(), Some(0), "{}", status.stderr);
    let list: Value = serde_json::from_str(&status.stdout).unwrap();
    let entry = &list[0];
    assert_eq!(entry["org_id"], sandbox.org.as_str());
    assert_eq!(entry["tenant_url"], sandbox.tenant_url().as_str());
    assert_eq!(entry["state"], "fresh");
    assert_eq!(
        entry["days_left"], 44,
        "sandbox tokens live 3887999 s, just under 45 days"
    );

    let token_out = home.run(&["token"]);
    assert_eq!(token_out.code(), Some(0), "{}", token_out.stderr);
    let token = token_out.stdout.trim().to_owned();
    assert!(
        token.ends_with(&format!("_SBX1_{}", sandbox.org)),
        "stdout holds only the token"
    );
    assert!(entry["fingerprint"].as_str().unwrap().starts_with("sha256:"));
    let test = home.run(&["test"]);
    assert_eq!(test.code(), Some(0), "{}\n{}", test.stdout, test.stderr);
    assert!(
        test.stdout.contains("Test Connection succeeded"),
        "{}",
        test.stdout
    );

    let check_30 = home.run(&["check", "--within", "30"]);
    assert_eq!(check_30.code(), Some(0), "{}", check_30.stdout);
    let check_60 = home.run(&["check", "--within", "60", "--json"]);
    assert_eq!(
        check_60.code(),
        Some(1),
        "44 days left is within 60: {}",
        check_60.stdout
    );
    let table = home.run(&["status"]);
    assert_eq!(table.code(), Some(0), "{}", table.stderr);
    let stored = support::scan::files_containing(home.dir.path(), &token, &[]);
    assert!(
        stored.is_empty(),
        "files holding the token while stored: {stored:?}"
    );
    let forget = home.run(&["forget"]);
    assert_eq!(forget.code(), Some(0), "{}", forget.stderr);

    // Secret hygiene: every command ran with SCIM_TOKEN_LOG=trace. Only `scim-token token`'s
    // stdout (the explicit hand-over) may hold the token; no other output, log or file does.
    let outputs = [
        ("login", &out),
        ("status --json", &status),
        ("test", &test),
        ("check", &check_30),
        ("check --json", &check_60),
        ("status", &table),
        ("forget", &forget),
    ];
    for (command, output) in outputs {
        assert!(
            !output.stdout.contains(&token),
            "{command} stdout leaked the token"
        );
        assert!(
            !output.stderr.contains(&token),
            "{command} stderr leaked the token"
        );
    }
    assert!(
        !token_out.stderr.contains(&token),
        "token's stderr leaked the token"
    );
    assert!(
        out.stderr.contains("TRACE") || out.stderr.contains("DEBUG"),
        "the run really logged at trace level"
    );
    let leaks = support::scan::files_containing(home.dir.path(), &token, &[]);
    assert!(leaks.is_empty(), "files holding the token: {leaks:?}");
    assert!(
        home.config_dir().join("scim-token/tokens.json").exists(),
        "the scan saw the records"
    );

    let status = home.run(&["status", "--json"]);
    assert_eq!(status.stdout.trim(), "[]");
    let gone = home.run(&["token", "--org", &sandbox.org]);
    assert_ne!(gone.code(), Some(0));
    assert!(gone.stderr.contains("no token is stored"), "{}", gone.stderr);
}

/// SSO: a federated admin is sent from the Webex sandbox to the local Entra (another origin) and
/// back through an auto-submitted cross-origin form POST; Chromium follows it all to
/// localhost:3000 and the CLI captures the token.
#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn a_federated_admin_signs_in_through_the_local_entra() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@federated.example"]);
    let home = Home::new();
    let mut login = start_login(&home, &sandbox, &[]);
    let url = wait_for_sign_in_url(&mut login);
    let page = chromium(&url);
    assert!(page.contains("Token captured"), "{page}");
    let out = login.finish(LOGIN_LIMIT);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("signed in as admin@federated.example"),
        "{}",
        out.stdout
    );
    let test = home.run(&["test"]);
    assert_eq!(test.code(), Some(0), "{}\n{}", test.stdout, test.stderr);
    // Both origins served the sign-in: the request log shows the hop to the local Entra and the
    // form POST back to the broker's assertion consumer.
    let log: Value = reqwest::blocking::get(format!("{}_sandbox/log", sandbox.base))
        .unwrap()
        .json()
        .unwrap();
    let hops: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["origin"].as_str().unwrap().to_owned(),
                e["method"].as_str().unwrap().to_owned() + " " + e["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        hops.iter()
            .any(|(o, p)| o == "entra" && p.contains("/saml2?SAMLRequest=")),
        "{hops:?}"
    );
    assert!(
        hops.iter()
            .any(|(o, p)| o == "webex" && p.starts_with("POST /idb/Consumer/metaAlias/")),
        "{hops:?}"
    );
    home.run(&["forget"]);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn deny_is_reported_and_nothing_is_stored() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let mut login = start_login(&home, &sandbox, &[]);
    let url = wait_for_sign_in_url(&mut login);
    // The sign-in page is real HTML with a Deny button; press it the way the form does.
    let page = chromium(&url);
    assert!(page.contains("id=\"deny\""), "{page}");
    let redirect = deny(&sandbox, &url);
    let result = chromium(&redirect);
    assert!(result.contains("Sign-in failed"), "{result}");
    let out = login.finish(LOGIN_LIMIT);
    assert_ne!(out.code(), Some(0));
    assert!(
        out.stderr.contains("denied") && out.stderr.contains("access_denied"),
        "{}",
        out.stderr
    );
    assert_eq!(home.run(&["status", "--json"]).stdout.trim(), "[]");
}

/// Submits the sandbox's sign-in form with the Deny button; returns the redirect it answers with.
fn deny(sandbox: &Sandbox, sign_in_url: &str) -> String {
    let sign_in: url::Url = sign_in_url.parse().unwrap();
    let authorize: url::Url = sign_in
        .query_pairs()
        .find(|(k, _)| k == "goto")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("action".into(), "deny".into()));
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(format!("{}idb/oauth2/v1/authorize", sandbox.base))
        .form(&form)
        .send()
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("error=access_denied"), "{location}");
    location
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn forged_state_is_rejected_and_the_real_sign_in_still_completes() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example"]);
    let home = Home::new();
    let mut login = start_login(&home, &sandbox, &[]);
    let url = wait_for_sign_in_url(&mut login);
    let forged = format!(
        "http://localhost:3000/auth/code#access_token=forged_SBX1_{}&token_type=Bearer&expires_in=100&state=not-yours",
        sandbox.org
    );
    let page = chromium(&forged);
    assert!(
        page.contains("Not accepted") && page.contains("does not match"),
        "{page}"
    );
    assert!(chromium(&url).contains("Token captured"));
    let out = login.finish(LOGIN_LIMIT);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let token = home.run(&["token"]).stdout;
    assert!(!token.contains("forged"), "the forged token must not be stored");
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn port_3000_taken_is_a_clear_error() {
    let _port = port_3000();
    let holder = TcpListener::bind("127.0.0.1:3000").expect("port 3000 free for the test");
    let home = Home::new();
    let out = home.run(&[
        "login",
        "--broker",
        "http://127.0.0.1:9/",
        "--no-browser",
        "--timeout",
        "5",
    ]);
    drop(holder);
    assert_ne!(out.code(), Some(0));
    assert!(
        out.stderr.contains("port 3000") && out.stderr.contains("already in use"),
        "{}",
        out.stderr
    );
    // The holder is this (Linux) test process; a Windows CLI under Wine cannot see Linux PIDs.
    if !support::under_wine() {
        assert!(
            out.stderr.contains(&format!("pid {}", std::process::id())),
            "names the holder: {}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("desktop app"), "{}", out.stderr);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn without_a_secret_service_the_token_is_still_obtainable() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example"]);
    let home = Home::new();
    let args = [
        "login",
        "--broker",
        sandbox.base.as_str(),
        "--no-browser",
        "--timeout",
        "60",
        "--print-token",
    ];
    let child = home
        .cli(&args)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", home.dir.path().display()),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut login = Running::new(child);
    let url = wait_for_sign_in_url(&mut login);
    assert!(chromium(&url).contains("Token captured"));
    let out = login.finish(LOGIN_LIMIT);
    assert_eq!(out.code(), Some(3), "captured but not stored: {}", out.stderr);
    assert!(
        out.stderr.contains("could not be stored") && out.stderr.contains("D-Bus"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&sandbox.tenant_url()),
        "the Tenant URL is still given: {}",
        out.stderr
    );
    assert!(
        out.stdout.trim().ends_with(&format!("_SBX1_{}", sandbox.org)),
        "token printed: {}",
        out.stdout
    );
    assert_eq!(home.run(&["status", "--json"]).stdout.trim(), "[]");
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn an_expired_token_fails_test_and_check() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example", "--token-lifetime", "2"]);
    let home = Home::new();
    let mut login = start_login(&home, &sandbox, &[]);
    let url = wait_for_sign_in_url(&mut login);
    assert!(chromium(&url).contains("Token captured"));
    assert_eq!(login.finish(LOGIN_LIMIT).code(), Some(0));
    std::thread::sleep(Duration::from_secs(3));
    let test = home.run(&["test"]);
    assert_eq!(test.code(), Some(1));
    assert!(
        test.stderr.contains("401") && test.stderr.contains("sign in again"),
        "{}",
        test.stderr
    );
    let check = home.run(&["check"]);
    assert_eq!(check.code(), Some(1));
    assert!(check.stdout.contains("expired"), "{}", check.stdout);
    home.run(&["forget"]);
}

/// Signs in against `sandbox` (which must auto-approve) and returns the stored token.
fn sign_in(home: &Home, sandbox: &Sandbox) -> String {
    let mut login = start_login(home, sandbox, &[]);
    let url = wait_for_sign_in_url(&mut login);
    assert!(chromium(&url).contains("Token captured"));
    let out = login.finish(LOGIN_LIMIT);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    home.run(&["token"]).stdout.trim().to_owned()
}

fn clipboard_text(clipboard: &mut arboard::Clipboard) -> String {
    clipboard.get_text().unwrap_or_default()
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn copy_puts_url_and_token_on_the_clipboard_and_clears_them() {
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example"]);
    let home = Home::new();
    let token = {
        let _port = port_3000();
        sign_in(&home, &sandbox)
    };
    let mut clipboard = arboard::Clipboard::new().expect("an X display (scripts/test starts Xvfb)");

    // The URL is cleared by the timer, the token by Ctrl-C ("clears now").
    for (what, expected, clear_after) in [
        ("url", sandbox.tenant_url(), "4"),
        ("token", token.clone(), "600"),
    ] {
        let child = home
            .cli(&["copy", what, "--clear-after", clear_after])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut copy = Running::new(child);
        copy.wait_for_line(Duration::from_secs(20), |l| l.starts_with("Copied the"));
        assert_eq!(clipboard_text(&mut clipboard), expected);
        if clear_after == "600" {
            copy.interrupt();
        }
        let out = copy.finish(Duration::from_secs(20));
        assert_eq!(out.code(), Some(0), "{}", out.stderr);
        assert!(out.stderr.contains("Clipboard cleared."), "{}", out.stderr);
        assert!(!out.stderr.contains(&token) && out.stdout.is_empty());
        assert_eq!(clipboard_text(&mut clipboard), "", "{what} cleared");
    }

    // Something the user copied in the meantime is left alone. Ctrl-C ("clears now") makes the
    // check happen after our copy is known to have landed, with no timing involved.
    let child = home
        .cli(&["copy", "token", "--clear-after", "600"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut copy = Running::new(child);
    copy.wait_for_line(Duration::from_secs(20), |l| l.starts_with("Copied the"));
    clipboard.set_text("something else").unwrap();
    assert_eq!(clipboard_text(&mut clipboard), "something else");
    copy.interrupt();
    let out = copy.finish(Duration::from_secs(20));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Clipboard left as it is: it holds something else now."),
        "{}",
        out.stderr
    );
    assert_eq!(clipboard_text(&mut clipboard), "something else");
    home.run(&["forget"]);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn check_notify_without_a_notification_service_still_reports() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--token-lifetime",
        "86400",
    ]);
    let home = Home::new();
    sign_in(&home, &sandbox);
    let check = home.run(&["check", "--notify", "--json"]);
    assert_eq!(
        check.code(),
        Some(1),
        "one day left is within 30: {}",
        check.stdout
    );
    let report: Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(report["due"][0]["org_id"], sandbox.org.as_str());
    assert_eq!(report["due"][0]["state"], "expiring");
    // The private test bus has no notification daemon: a warning, not a failure.
    assert!(
        check.stderr.contains("could not show a desktop notification"),
        "{}",
        check.stderr
    );
    home.run(&["forget"]);
}
