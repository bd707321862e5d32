//! Both sign-ins in the system browser keep their authorize URL (its `state`, the PKCE
//! challenge) off the browser's command line, which any local user can read: the browser is
//! given a page only this user can read, which sends it on, and the page is gone once the
//! sign-in ends.

use scim_token_test_support as support;

use std::path::Path;

use support::{Home, Sandbox, port_3000};

use crate::entra_e2e::LIMIT;

/// A stand-in for the default browser that notes, for each address it is given, the mode of
/// the file it names, then opens it in headless Chromium (`support::default_browser_script`).
fn noting_browser(dir: &Path) -> std::path::PathBuf {
    let chromium = support::default_browser_script(dir);
    let script = dir.join("noting-browser");
    let text = format!(
        "#!/bin/sh\npath=$(printf '%s' \"$1\" | sed 's|^file://||')\nstat -c '%a' \"$path\" >> '{modes}' 2>&1\ngrep -c 'authorize' \"$path\" >> '{modes}' 2>&1\nexec '{chromium}' \"$1\"\n",
        modes = dir.join("modes.txt").display(),
        chromium = chromium.display(),
    );
    std::fs::write(&script, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn browser_sign_ins_keep_their_address_off_the_command_line() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example"]);
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let runtime = tempfile::tempdir().unwrap();
    let browser = noting_browser(dir.path());
    let run = |args: &[&str]| {
        let child = home
            .cli(args)
            .env("BROWSER", &browser)
            .env("XDG_RUNTIME_DIR", runtime.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        support::Running::new(child).finish(LIMIT)
    };
    let webex = run(&["login", "--broker", &sandbox.base, "--timeout", "120"]);
    assert_eq!(webex.code(), Some(0), "{}", webex.stderr);
    let entra = run(&[
        "entra",
        "login",
        "--cloud",
        &sandbox.entra_base,
        "--timeout",
        "120",
    ]);
    assert_eq!(entra.code(), Some(0), "{}", entra.stderr);

    let opened = std::fs::read_to_string(dir.path().join("opened.txt")).unwrap();
    let opened: Vec<&str> = opened.lines().collect();
    assert_eq!(opened.len(), 2, "{opened:?}");
    for address in &opened {
        assert!(address.starts_with("file://"), "{address}");
        assert!(
            !address.contains("state=") && !address.contains("code_challenge") && !address.contains('?'),
            "{address}"
        );
    }
    let modes = std::fs::read_to_string(dir.path().join("modes.txt")).unwrap();
    assert_eq!(
        modes.lines().collect::<Vec<_>>(),
        ["600", "3", "600", "3"],
        "each page only the user's, naming the authorize address (refresh, script, link)"
    );
    let left: Vec<_> = std::fs::read_dir(runtime.path()).unwrap().collect();
    assert!(left.is_empty(), "the pages are gone: {left:?}");
    // Both sign-ins were caught and kept.
    let status = home.run(&["entra", "status", "--json"]);
    assert!(
        status.stdout.contains("admin@sandbox.example"),
        "{}",
        status.stdout
    );
    home.run(&["entra", "logout"]);
    home.run(&["forget"]);
}
