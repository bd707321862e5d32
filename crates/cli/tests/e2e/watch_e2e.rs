//! `scim-token watch on|status|off` end to end on Linux: the real binary writes the systemd user
//! units under `XDG_CONFIG_HOME` and drives a fake `systemctl` placed first on `PATH`, which
//! records its arguments.
#![cfg(target_os = "linux")]

use scim_token_test_support as support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use support::{Output, Running};

/// A private config dir and a `bin/` with a fake `systemctl`.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    /// `systemctl` answers `show` with `show_output`, then exits `code` after printing `stderr`.
    fn new(code: i32, stderr: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let script = format!(
            "#!/bin/sh\n\
             printf '%s\\n' \"$*\" >> '{calls}'\n\
             if [ \"$2\" = show ] && [ {code} = 0 ]; then\n\
               case \"$3\" in\n\
                 *.timer) printf 'ActiveState=active\\nLastTriggerUSec=n/a\\nNextElapseUSecRealtime=Tue 2026-03-03 09:00:00 UTC\\n' ;;\n\
               esac\n\
             fi\n\
             printf '%s' '{stderr}' >&2\n\
             exit {code}\n",
            calls = dir.path().join("systemctl-calls").display(),
        );
        let path = bin.join("systemctl");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    fn unit_dir(&self) -> PathBuf {
        self.dir.path().join("config/systemd/user")
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("systemctl-calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("systemctl-calls"));
    }

    fn run(&self, args: &[&str]) -> Output {
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(support::bin());
        command
            .args(args)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("SCIM_TOKEN_CONFIG_DIR", self.dir.path().join("config/scim-token"))
            .env("PATH", path)
            .env_remove("SCIM_TOKEN_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Running::new(command.spawn().unwrap()).finish(Duration::from_secs(30))
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn on_status_off_through_systemctl() {
    let world = World::new(0, "");
    let binary = support::bin();

    let on = world.run(&["watch", "on", "--every", "hourly"]);
    assert_eq!(on.code(), Some(0), "{}\n{}", on.stdout, on.stderr);
    assert!(
        on.stdout.contains("The background watch is on: systemd runs"),
        "{}",
        on.stdout
    );
    assert_eq!(
        world.calls(),
        [
            "--user daemon-reload",
            "--user enable --now scim-token-check.timer",
            // `on` reports what is installed.
            "--user show scim-token-check.timer --property=ActiveState,LastTriggerUSec,NextElapseUSecRealtime",
        ]
    );
    let service = read(&world.unit_dir().join("scim-token-check.service"));
    assert!(service.contains("\nType=oneshot\n"), "{service}");
    assert!(
        service.contains(&format!("\nExecStart={} check --notify\n", binary.display())),
        "{service}"
    );
    let timer = read(&world.unit_dir().join("scim-token-check.timer"));
    for line in [
        "OnCalendar=hourly",
        "Persistent=true",
        "RandomizedDelaySec=5min",
        "WantedBy=timers.target",
    ] {
        assert!(timer.contains(&format!("\n{line}\n")), "{line}: {timer}");
    }

    // Daily replaces hourly in place.
    world.clear_calls();
    let again = world.run(&["watch", "on"]);
    assert_eq!(again.code(), Some(0), "{}", again.stderr);
    let timer = read(&world.unit_dir().join("scim-token-check.timer"));
    assert!(timer.contains("\nOnCalendar=*-*-* 09:00:00\n"), "{timer}");

    world.clear_calls();
    let status = world.run(&["watch", "status", "--json"]);
    assert_eq!(status.code(), Some(0), "{}", status.stderr);
    let value: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(value["enabled"], true);
    assert_eq!(value["every"], "daily");
    assert_eq!(value["scheduler"], "systemd");
    assert_eq!(value["active"], true);
    assert_eq!(value["last_run"], Value::Null, "n/a: never ran");
    assert_eq!(value["next_run"], "Tue 2026-03-03 09:00:00 UTC");
    assert_eq!(
        value["installed"][1],
        world
            .unit_dir()
            .join("scim-token-check.timer")
            .display()
            .to_string()
    );
    assert_eq!(
        world.calls(),
        ["--user show scim-token-check.timer --property=ActiveState,LastTriggerUSec,NextElapseUSecRealtime"]
    );
    let text = world.run(&["watch", "status"]);
    assert!(text.stdout.contains("runs it daily"), "{}", text.stdout);
    assert!(
        text.stdout.contains("Next run:    Tue 2026-03-03 09:00:00 UTC"),
        "{}",
        text.stdout
    );

    world.clear_calls();
    let off = world.run(&["watch", "off"]);
    assert_eq!(off.code(), Some(0), "{}", off.stderr);
    assert!(
        off.stdout.contains("The background watch is off; removed:"),
        "{}",
        off.stdout
    );
    assert_eq!(
        world.calls(),
        [
            "--user show scim-token-check.timer --property=ActiveState,LastTriggerUSec,NextElapseUSecRealtime",
            "--user disable --now scim-token-check.timer",
            "--user daemon-reload"
        ]
    );
    assert_eq!(std::fs::read_dir(world.unit_dir()).unwrap().count(), 0);

    world.clear_calls();
    let status = world.run(&["watch", "status"]);
    assert!(
        status.stdout.contains("The background watch is off."),
        "{}",
        status.stdout
    );
    let off = world.run(&["watch", "off"]);
    assert!(off.stdout.contains("already off"), "{}", off.stdout);
    assert!(world.calls().is_empty(), "{:?}", world.calls());
}

#[test]
fn no_user_bus_advises_cron_and_installs_nothing() {
    let world = World::new(1, "Failed to connect to bus: No medium found");
    let on = world.run(&["watch", "on"]);
    assert_eq!(on.code(), Some(1), "{}", on.stdout);
    assert_eq!(
        on.stderr.trim(),
        format!(
            "error: systemctl --user is not available (Failed to connect to bus: No medium found): \
             run `scim-token check --notify` from cron instead: 0 9 * * * {} check --notify",
            support::bin().display()
        )
    );
    assert_eq!(
        world.calls(),
        ["--user daemon-reload", "--user daemon-reload"],
        "the reload, then the one after the rollback"
    );
    assert_eq!(std::fs::read_dir(world.unit_dir()).unwrap().count(), 0);
}

#[test]
fn a_failing_systemctl_is_reported_with_its_words() {
    let world = World::new(1, "Failed to enable unit: Access denied");
    let on = world.run(&["watch", "on", "--every", "daily"]);
    assert_eq!(on.code(), Some(1), "{}", on.stdout);
    assert!(
        on.stderr.starts_with(
            "error: `systemctl --user daemon-reload` failed: Failed to enable unit: Access denied: \
             see `journalctl --user -u scim-token-check.timer`"
        ),
        "{}",
        on.stderr
    );
    assert_eq!(std::fs::read_dir(world.unit_dir()).unwrap().count(), 0);
    let status = world.run(&["watch", "status", "--json"]);
    let value: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(value["enabled"], false);
}

/// Installed under a path with a space and a `%`: the unit quotes and escapes it, and systemd's
/// own parser (when `systemd-analyze` is installed) finds the program at that path.
#[test]
fn a_path_with_a_space_and_a_percent_sign() {
    let world = World::new(0, "");
    let dir = world.dir.path().join("My Apps 100%");
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("scim-token");
    if std::fs::hard_link(support::bin(), &binary).is_err() {
        std::fs::copy(support::bin(), &binary).unwrap();
    }
    let path = format!(
        "{}:{}",
        world.dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new(&binary);
    command
        .args(["watch", "on"])
        .env("XDG_CONFIG_HOME", world.dir.path().join("config"))
        .env("PATH", path)
        .env_remove("SCIM_TOKEN_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let on = Running::new(command.spawn().unwrap()).finish(Duration::from_secs(30));
    assert_eq!(on.code(), Some(0), "{}", on.stderr);
    let unit = world.unit_dir().join("scim-token-check.service");
    let service = read(&unit);
    let exec = format!(
        "\nExecStart=\"{}/My Apps 100%%/scim-token\" check --notify\n",
        world.dir.path().display()
    );
    assert!(service.contains(&exec), "{service}");
    let verify = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&unit)
        .arg(world.unit_dir().join("scim-token-check.timer"))
        .output();
    if let Ok(verify) = verify {
        assert!(
            verify.status.success(),
            "systemd-analyze verify: {}",
            String::from_utf8_lossy(&verify.stderr)
        );
    }
}
