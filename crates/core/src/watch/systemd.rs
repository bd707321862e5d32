//! Linux: a systemd user timer (`scim-token-check.timer`) that starts a oneshot service
//! (`scim-token-check.service`), both in `$XDG_CONFIG_HOME/systemd/user/`, turned on with
//! `systemctl --user`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{
    CHECK_ARGS, Ran, Runner, Scheduled, WatchError, WatchInterval, WatchStatus, args, command_line,
    crontab_line, no_control_characters, read_file, remove_file, utf8_path, write_file,
};

/// The service unit's file name.
pub const SERVICE: &str = "scim-token-check.service";
/// The timer unit's file name.
pub const TIMER: &str = "scim-token-check.timer";

/// `$XDG_CONFIG_HOME/systemd/user`, or `$HOME/.config/systemd/user` when `XDG_CONFIG_HOME` is
/// unset or not absolute (as the XDG Base Directory spec says, and as systemd reads it).
pub fn unit_dir(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    xdg_config_home
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| home.map(|home| PathBuf::from(home).join(".config")))
        .map(|config| config.join("systemd").join("user"))
}

/// The service unit: one run of `binary check --notify`.
pub fn service_unit(binary: &Path) -> Result<String, WatchError> {
    let exec = std::iter::once(exec_word(binary)?)
        .chain(CHECK_ARGS.iter().map(|a| (*a).to_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(format!(
        "# Written by `scim-token watch on`; `scim-token watch off` removes it.\n\
         [Unit]\n\
         Description=scim-token: check the Webex SCIM token's expiry and the Entra provisioning jobs\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={exec}\n"
    ))
}

/// The timer unit: daily at 09:00 or hourly, caught up after the machine was off, spread a little
/// so that many machines do not ask Entra at the same second.
pub fn timer_unit(every: WatchInterval) -> String {
    let (calendar, delay) = match every {
        WatchInterval::Daily => ("*-*-* 09:00:00", "15min"),
        WatchInterval::Hourly => ("hourly", "5min"),
    };
    format!(
        "# Written by `scim-token watch on`; `scim-token watch off` removes it.\n\
         [Unit]\n\
         Description=Run scim-token check {every}\n\
         \n\
         [Timer]\n\
         OnCalendar={calendar}\n\
         Persistent=true\n\
         RandomizedDelaySec={delay}\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n"
    )
}

/// The interval a timer unit written by [`timer_unit`] runs at.
pub fn interval_of(timer: &str) -> Option<WatchInterval> {
    let calendar = timer
        .lines()
        .find_map(|line| line.trim().strip_prefix("OnCalendar="))?;
    match calendar.trim() {
        "hourly" => Some(WatchInterval::Hourly),
        "*-*-* 09:00:00" | "daily" => Some(WatchInterval::Daily),
        _ => None,
    }
}

/// The program as the first word of `ExecStart=`: `%` (specifiers) doubled, and in double quotes
/// when it holds anything but plain path characters. `$` stays as it is: systemd expands variables
/// in the arguments, not in the program. systemd refuses a program path with `"`, `'`, `\` or a
/// control character ("Executable name contains special characters"), so those are refused here.
pub fn exec_word(binary: &Path) -> Result<String, WatchError> {
    let text = utf8_path(binary)?;
    no_control_characters(binary, text)?;
    if let Some(c) = text.chars().find(|c| matches!(c, '"' | '\'' | '\\')) {
        return Err(WatchError::UnsupportedPath {
            path: binary.to_owned(),
            why: format!("systemd cannot run a program whose path holds {c}"),
        });
    }
    let escaped = text.replace('%', "%%");
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@=%".contains(c);
    if escaped.chars().all(plain) {
        Ok(escaped)
    } else {
        Ok(format!("\"{escaped}\""))
    }
}

fn systemctl(list: &[&str]) -> Vec<String> {
    let mut all = args(&["--user"]);
    all.extend(args(list));
    all
}

/// Runs `systemctl --user …`; a missing systemctl or user bus becomes advice to use cron.
fn run_systemctl(
    runner: &impl Runner,
    list: &[&str],
    crontab: impl Fn() -> String,
) -> Result<Ran, WatchError> {
    let all = systemctl(list);
    let unavailable = |detail: String| WatchError::NoUserSystemd {
        detail,
        crontab: crontab(),
    };
    let ran = match runner.run("systemctl", &all) {
        Ok(ran) => ran,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(unavailable("systemctl is not installed".to_owned()));
        }
        Err(e) => {
            return Err(WatchError::Command {
                command: command_line("systemctl", &all),
                detail: e.to_string(),
                advice: None,
            });
        }
    };
    if ran.success {
        return Ok(ran);
    }
    let detail = ran.describe();
    if no_user_manager(&detail) {
        Err(unavailable(detail))
    } else {
        Err(WatchError::Command {
            command: command_line("systemctl", &all),
            detail,
            advice: Some(format!(
                "see `journalctl --user -u {TIMER}`, or run `scim-token check --notify` from cron instead: {}",
                crontab()
            )),
        })
    }
}

/// What systemctl says when there is no user service manager to talk to.
fn no_user_manager(said: &str) -> bool {
    [
        "Failed to connect to bus",
        "Failed to connect to user scope bus",
        "DBUS_SESSION_BUS_ADDRESS",
        "System has not been booted with systemd",
        "No medium found",
    ]
    .iter()
    .any(|sign| said.contains(sign))
}

pub(super) fn enable(runner: &impl Runner, dir: &Path, check: Scheduled<'_>) -> Result<(), WatchError> {
    let Scheduled { binary, every } = check;
    let service = service_unit(binary)?;
    let timer = timer_unit(every);
    let crontab = || crontab_line(binary, every);
    let service_path = dir.join(SERVICE);
    let timer_path = dir.join(TIMER);
    write_file(&service_path, &service)?;
    write_file(&timer_path, &timer)?;
    let started = run_systemctl(runner, &["daemon-reload"], crontab)
        .and_then(|_| run_systemctl(runner, &["enable", "--now", TIMER], crontab));
    if let Err(err) = started {
        // Leave nothing behind that `status` would call on.
        let _ = remove_file(&timer_path);
        let _ = remove_file(&service_path);
        let _ = runner.run("systemctl", &systemctl(&["daemon-reload"]));
        return Err(err);
    }
    Ok(())
}

pub(super) fn disable(runner: &impl Runner, dir: &Path) -> Result<(), WatchError> {
    let timer_path = dir.join(TIMER);
    let service_path = dir.join(SERVICE);
    if !timer_path.exists() && !service_path.exists() {
        return Ok(());
    }
    let crontab = || crontab_line(Path::new("/path/to/scim-token"), WatchInterval::Daily);
    run_systemctl(runner, &["disable", "--now", TIMER], crontab)?;
    remove_file(&timer_path)?;
    remove_file(&service_path)?;
    run_systemctl(runner, &["daemon-reload"], crontab)?;
    Ok(())
}

pub(super) fn status(runner: &impl Runner, dir: &Path) -> Result<WatchStatus, WatchError> {
    let timer_path = dir.join(TIMER);
    let service_path = dir.join(SERVICE);
    let timer = read_file(&timer_path)?;
    let mut status = WatchStatus::from_files(
        "systemd",
        timer.is_some() && service_path.exists(),
        timer.as_deref().and_then(interval_of),
        vec![
            service_path.display().to_string(),
            timer_path.display().to_string(),
        ],
    );
    if !status.enabled {
        return Ok(status);
    }
    // The scheduler's view is a bonus: without a user bus the files still tell what is installed.
    let show = |unit: &str, properties: &str| {
        runner
            .run(
                "systemctl",
                &systemctl(&["show", unit, &format!("--property={properties}")]),
            )
            .ok()
            .filter(|ran| ran.success)
            .map(|ran| ran.stdout)
    };
    if let Some(out) = show(TIMER, "ActiveState,LastTriggerUSec,NextElapseUSecRealtime") {
        status.active = property(&out, "ActiveState").map(|s| s == "active");
        status.last_run = property(&out, "LastTriggerUSec");
        status.next_run = property(&out, "NextElapseUSecRealtime");
    }
    if status.last_run.is_some()
        && let Some(out) = show(SERVICE, "Result,ExecMainStatus")
    {
        status.last_result = match (property(&out, "Result"), property(&out, "ExecMainStatus")) {
            (Some(result), Some(code)) => Some(format!("{result} (exit status {code})")),
            (result, _) => result,
        };
    }
    Ok(status)
}

/// A `Key=value` line of `systemctl show`, when set (`n/a`, `0` and empty mean unset).
fn property(out: &str, key: &str) -> Option<String> {
    out.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "n/a" && *v != "0")
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::super::test_runner::{Recorder, fail, ok};
    use super::super::{Scheduler, Watch};
    use super::*;

    // Unix paths: systemd user units exist only there, and "/x/config" is not absolute on Windows.
    #[cfg(unix)]
    #[test]
    fn unit_dir_follows_xdg_config_home_when_absolute() {
        let dir = |xdg: Option<&str>, home: Option<&str>| unit_dir(xdg.map(Into::into), home.map(Into::into));
        assert_eq!(
            dir(Some("/x/config"), Some("/home/a")),
            Some(PathBuf::from("/x/config/systemd/user"))
        );
        assert_eq!(
            dir(Some("relative"), Some("/home/a")),
            Some(PathBuf::from("/home/a/.config/systemd/user"))
        );
        assert_eq!(
            dir(None, Some("/home/a")),
            Some(PathBuf::from("/home/a/.config/systemd/user"))
        );
        assert_eq!(dir(None, None), None);
    }

    /// systemd.service(5), "Command lines": quotes wrap a whole word, `%` starts a specifier;
    /// each accepted rendering was checked with `systemd-analyze verify` (systemd 252) against a
    /// real executable at that path, and each refused one is refused by systemd too.
    #[test]
    fn exec_start_quoting() {
        let cases = [
            ("/usr/bin/scim-token", "/usr/bin/scim-token"),
            ("/home/a/My Apps/scim-token", r#""/home/a/My Apps/scim-token""#),
            ("/opt/100%/scim-token", "/opt/100%%/scim-token"),
            ("/opt/$HOME/scim-token", r#""/opt/$HOME/scim-token""#),
            (
                "/tmp/sp ace/100%/$HOME/semi;colon/scim-token",
                r#""/tmp/sp ace/100%%/$HOME/semi;colon/scim-token""#,
            ),
            ("/opt/ünï côde/scim-token", r#""/opt/ünï côde/scim-token""#),
        ];
        for (path, word) in cases {
            assert_eq!(exec_word(Path::new(path)).unwrap(), word, "{path}");
        }
        for (path, why) in [
            (r#"/opt/"quoted"/scim-token"#, "holds \""),
            ("/opt/it's/scim-token", "holds '"),
            (r"/opt/back\slash/scim-token", r"holds \"),
            ("/opt/new\nline/scim-token", "control character"),
            ("/opt/tab\there/scim-token", "control character"),
        ] {
            let err = exec_word(Path::new(path)).unwrap_err().to_string();
            assert!(err.contains(why), "{path}: {err}");
        }
    }

    #[test]
    fn the_units() {
        // The whole files, byte for byte, as systemd will read them.
        assert_eq!(
            service_unit(Path::new("/home/a/My Apps/scim-token")).unwrap(),
            include_str!("expected/scim-token-check.service")
        );
        let daily = timer_unit(WatchInterval::Daily);
        assert_eq!(daily, include_str!("expected/scim-token-check-daily.timer"));
        let hourly = timer_unit(WatchInterval::Hourly);
        assert!(hourly.contains("\nOnCalendar=hourly\n"), "{hourly}");
        assert!(hourly.contains("\nRandomizedDelaySec=5min\n"), "{hourly}");
        assert_eq!(interval_of(&daily), Some(WatchInterval::Daily));
        assert_eq!(interval_of(&hourly), Some(WatchInterval::Hourly));
        assert_eq!(interval_of("[Timer]\nOnCalendar=weekly\n"), None);
    }

    fn watch<R: Runner>(dir: &Path, runner: R) -> Watch<R> {
        Watch::new(
            Scheduler::Systemd {
                unit_dir: dir.to_owned(),
            },
            runner,
        )
        .without_binary_inspection()
    }

    #[test]
    fn on_status_off() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("systemd/user");
        let runner = Recorder::new(|_, args: &[String]| match args.get(1).map(String::as_str) {
            Some("show") if args[2] == TIMER => ok("ActiveState=active\n\
                 LastTriggerUSec=Mon 2026-03-02 09:07:12 CET\n\
                 NextElapseUSecRealtime=Tue 2026-03-03 09:00:00 CET\n"),
            Some("show") => ok("Result=exit-code\nExecMainStatus=1\n"),
            _ => ok(""),
        });
        let watch = watch(&dir, &runner);
        watch
            .enable(Path::new("/opt/scim token/scim-token"), WatchInterval::Hourly)
            .unwrap();
        assert_eq!(
            runner.calls(),
            [
                "systemctl --user daemon-reload",
                "systemctl --user enable --now scim-token-check.timer"
            ]
        );
        let service = std::fs::read_to_string(dir.join(SERVICE)).unwrap();
        assert!(
            service.contains("\nExecStart=\"/opt/scim token/scim-token\" check --notify\n"),
            "{service}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join(TIMER)).unwrap(),
            timer_unit(WatchInterval::Hourly)
        );
        // No temp file is left beside the units.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);

        let status = watch.status().unwrap();
        assert_eq!(
            status,
            WatchStatus {
                enabled: true,
                every: Some(WatchInterval::Hourly),
                scheduler: "systemd".into(),
                installed: vec![
                    dir.join(SERVICE).display().to_string(),
                    dir.join(TIMER).display().to_string()
                ],
                active: Some(true),
                last_run: Some("Mon 2026-03-02 09:07:12 CET".into()),
                next_run: Some("Tue 2026-03-03 09:00:00 CET".into()),
                last_result: Some("exit-code (exit status 1)".into()),
            }
        );
        assert_eq!(
            runner.calls()[2..],
            [
                "systemctl --user show scim-token-check.timer --property=ActiveState,LastTriggerUSec,NextElapseUSecRealtime",
                "systemctl --user show scim-token-check.service --property=Result,ExecMainStatus"
            ]
        );

        runner.calls.borrow_mut().clear();
        watch.disable().unwrap();
        assert_eq!(
            runner.calls(),
            [
                "systemctl --user disable --now scim-token-check.timer",
                "systemctl --user daemon-reload"
            ]
        );
        assert!(!dir.join(SERVICE).exists() && !dir.join(TIMER).exists());
        let off = watch.status().unwrap();
        assert!(!off.enabled && off.every.is_none() && off.active.is_none());
        // Off again is fine and runs nothing.
        runner.calls.borrow_mut().clear();
        watch.disable().unwrap();
        assert!(runner.calls().is_empty());
    }

    #[test]
    fn without_a_user_bus_the_advice_is_cron_and_nothing_stays_installed() {
        let dir = tempfile::tempdir().unwrap();
        let runner = Recorder::new(|_, _: &[String]| {
            fail(
                1,
                "Failed to connect to bus: $DBUS_SESSION_BUS_ADDRESS and $XDG_RUNTIME_DIR not defined\n",
            )
        });
        let err = watch(dir.path(), &runner)
            .enable(Path::new("/usr/local/bin/scim-token"), WatchInterval::Daily)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "systemctl --user is not available (Failed to connect to bus: $DBUS_SESSION_BUS_ADDRESS and \
             $XDG_RUNTIME_DIR not defined): run `scim-token check --notify` from cron instead: \
             0 9 * * * /usr/local/bin/scim-token check --notify"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let missing =
            Recorder::new(|_, _: &[String]| Err(std::io::Error::from(std::io::ErrorKind::NotFound)));
        let err = watch(dir.path(), &missing)
            .enable(Path::new("/usr/local/bin/scim-token"), WatchInterval::Hourly)
            .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "systemctl --user is not available (systemctl is not installed): run `scim-token check --notify` from cron instead: 0 * * * *"
            ),
            "{err}"
        );
    }

    #[test]
    fn other_systemctl_failures_name_the_command_and_roll_back() {
        let dir = tempfile::tempdir().unwrap();
        let runner = Recorder::new(|_, args: &[String]| {
            if args[1] == "enable" {
                fail(
                    1,
                    "Failed to enable unit: Unit file scim-token-check.timer is masked.",
                )
            } else {
                ok("")
            }
        });
        let err = watch(dir.path(), &runner)
            .enable(Path::new("/usr/bin/scim-token"), WatchInterval::Daily)
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(
                "`systemctl --user enable --now scim-token-check.timer` failed: Failed to enable unit: \
                 Unit file scim-token-check.timer is masked.: see `journalctl --user -u scim-token-check.timer`"
            ),
            "{text}"
        );
        assert_eq!(
            runner.calls(),
            [
                "systemctl --user daemon-reload",
                "systemctl --user enable --now scim-token-check.timer",
                "systemctl --user daemon-reload"
            ]
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn status_without_systemctl_still_reads_the_files() {
        let dir = tempfile::tempdir().unwrap();
        write_file(
            &dir.path().join(SERVICE),
            &service_unit(Path::new("/usr/bin/scim-token")).unwrap(),
        )
        .unwrap();
        write_file(&dir.path().join(TIMER), &timer_unit(WatchInterval::Daily)).unwrap();
        let runner = Recorder::new(|_, _: &[String]| fail(1, "Failed to connect to bus"));
        let status = watch(dir.path(), &runner).status().unwrap();
        assert!(status.enabled);
        assert_eq!(status.every, Some(WatchInterval::Daily));
        assert_eq!((status.active, status.last_run), (None, None));
    }
}
