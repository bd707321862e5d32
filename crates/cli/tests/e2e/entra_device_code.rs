//! `scim-token entra login --device-code` against the local Entra: the page and code it prints,
//! the wait while nobody has typed the code, and each way it ends (signed in, declined, expired,
//! interrupted). The code is typed at the local Entra's `/devicelogin` as an admin would on
//! another device.

use std::time::Duration;

use scim_token_test_support as support;
use support::{Home, Running, Sandbox};

const LIMIT: Duration = Duration::from_secs(60);

/// `entra login --device-code` at the sandbox's local Entra, and the code it asks to type.
fn device_login(home: &Home, sandbox: &Sandbox) -> (Running, String) {
    let child = home
        .cli(&[
            "entra",
            "login",
            "--cloud",
            &sandbox.entra_base,
            "--device-code",
            "--timeout",
            "60",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut login = Running::new(child);
    let page = login.wait_for_line(Duration::from_secs(30), |l| l.contains("devicelogin"));
    assert_eq!(page.trim(), format!("{}devicelogin", sandbox.entra_base));
    let code = user_code(&mut login, Duration::from_secs(5));
    (login, code)
}

/// The code `entra login --device-code` asks to type, once it prints it (within `limit`).
pub(crate) fn user_code(login: &mut Running, limit: Duration) -> String {
    let prompt = login.wait_for_line(limit, |l| l.contains("enter the code"));
    prompt
        .split("enter the code ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no code in: {prompt}"))
        .to_owned()
}

/// Types `code` at the local Entra's device login page, as the admin does on another device.
pub(crate) fn type_code(sandbox: &Sandbox, code: &str, action: &str) -> String {
    let page = reqwest::blocking::Client::new()
        .post(format!("{}devicelogin", sandbox.entra_base))
        .form(&[("user_code", code), ("action", action)])
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    page.text().unwrap()
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn a_code_typed_on_another_device_signs_in_and_is_kept() {
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-device-code-interval",
        "1",
    ]);
    let home = Home::new();
    let (login, code) = device_login(&home, &sandbox);
    // Nobody has typed it yet: the CLI keeps waiting (authorization_pending).
    std::thread::sleep(Duration::from_secs(2));
    let page = type_code(&sandbox, &code, "approve");
    assert!(page.contains("You have signed in"), "{page}");
    let out = login.finish(LIMIT);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Signed in to Entra as Sandbox Admin <admin@sandbox.example>"),
        "{}",
        out.stdout
    );
    // The kept sign-in serves later commands without another one.
    let apps = home.run(&["entra", "apps"]);
    assert_eq!(apps.code(), Some(0), "{}", apps.stderr);
    assert!(apps.stdout.contains("Cisco Webex"), "{}", apps.stdout);
    home.run(&["entra", "logout"]);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn a_declined_code_ends_the_wait_with_the_reason() {
    let sandbox = Sandbox::start(&["--entra-device-code-interval", "1"]);
    let home = Home::new();
    let (login, code) = device_login(&home, &sandbox);
    let page = type_code(&sandbox, &code, "decline");
    assert!(page.contains("declined"), "{page}");
    let out = login.finish(LIMIT);
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("authorization_declined") && out.stderr.contains("declined or cancelled"),
        "{}",
        out.stderr
    );
    let status = home.run(&["status"]);
    assert!(
        !status.stdout.contains("Entra sign-in:"),
        "nothing kept: {}",
        status.stdout
    );
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn an_untyped_code_expires_and_says_to_start_again() {
    let sandbox = Sandbox::start(&[
        "--entra-device-code-lifetime",
        "2",
        "--entra-device-code-interval",
        "1",
    ]);
    let home = Home::new();
    let (login, _code) = device_login(&home, &sandbox);
    let out = login.finish(LIMIT);
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("device code expired"), "{}", out.stderr);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn ctrl_c_ends_the_wait() {
    let sandbox = Sandbox::start(&["--entra-device-code-interval", "1"]);
    let home = Home::new();
    let (login, _code) = device_login(&home, &sandbox);
    login.interrupt();
    let out = login.finish(Duration::from_secs(20));
    assert_eq!(out.code(), Some(130), "{}", out.stderr);
}

/// Microsoft is closing the device code flow: a Conditional Access policy that blocks it refuses
/// the sign-in and points to the browser; one that came into force after a device code sign-in
/// refuses its kept refresh token (AADSTS530036), and the next step is a browser sign-in, not
/// another device code.
#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn a_policy_that_closes_the_device_code_flow_points_to_the_browser() {
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-device-code-interval",
        "1",
        "--entra-device-code-policy",
        "block",
    ]);
    let home = Home::new();
    let (login, code) = device_login(&home, &sandbox);
    type_code(&sandbox, &code, "approve");
    let out = login.finish(LIMIT);
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("AADSTS53003") && out.stderr.contains("sign in with your browser"),
        "{}",
        out.stderr
    );
    assert_eq!(
        home.run(&["entra", "status", "--json"]).stdout.trim(),
        "[]",
        "nothing kept"
    );

    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-device-code-interval",
        "1",
        "--entra-device-code-policy",
        "tracked",
    ]);
    let (login, code) = device_login(&home, &sandbox);
    type_code(&sandbox, &code, "approve");
    let out = login.finish(LIMIT);
    assert_eq!(
        out.code(),
        Some(0),
        "the sign-in itself still works: {}",
        out.stderr
    );
    let apps = home.run(&["entra", "apps"]);
    assert_eq!(apps.code(), Some(1), "{}", apps.stdout);
    assert!(
        apps.stderr.contains("AADSTS530036")
            && apps.stderr.contains("made with a device code")
            && apps.stderr.contains("not with --device-code"),
        "{}",
        apps.stderr
    );
    home.run(&["entra", "logout"]);
}
