//! macOS: a launchd agent, `~/Library/LaunchAgents/dev.scimtoken.check.plist`, loaded into the
//! user's GUI domain with `launchctl bootstrap gui/<uid>` and removed with `launchctl bootout`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{
    CHECK_ARGS, Runner, Scheduled, WatchError, WatchInterval, WatchStatus, args, no_control_characters,
    read_file, remove_file, run_checked, utf8_path, write_file,
};

/// The agent's label (and its plist's name without `.plist`).
pub const LABEL: &str = "dev.scimtoken.check";

/// `~/Library/LaunchAgents`.
pub fn agents_dir(home: Option<OsString>) -> Option<PathBuf> {
    home.map(|home| PathBuf::from(home).join("Library").join("LaunchAgents"))
}

/// The plist's path in `agents_dir`.
pub fn plist_path(agents_dir: &Path) -> PathBuf {
    agents_dir.join(format!("{LABEL}.plist"))
}

/// The agent's property list: `binary check --notify`, at 09:00 daily or every 3600 s, not at load.
pub fn plist(binary: &Path, every: WatchInterval) -> Result<String, WatchError> {
    let program = utf8_path(binary)?;
    no_control_characters(binary, program)?;
    let arguments = std::iter::once(program)
        .chain(CHECK_ARGS)
        .map(|a| format!("\t\t<string>{}</string>\n", crate::markup::escape(a)))
        .collect::<String>();
    let schedule = match every {
        WatchInterval::Daily => "\t<key>StartCalendarInterval</key>\n\
             \t<dict>\n\
             \t\t<key>Hour</key>\n\
             \t\t<integer>9</integer>\n\
             \t\t<key>Minute</key>\n\
             \t\t<integer>0</integer>\n\
             \t</dict>\n"
            .to_owned(),
        WatchInterval::Hourly => "\t<key>StartInterval</key>\n\
             \t<integer>3600</integer>\n"
            .to_owned(),
    };
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <!-- Written by `scim-token watch on`; `scim-token watch off` removes it. -->\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \t<key>Label</key>\n\
         \t<string>{LABEL}</string>\n\
         \t<key>ProgramArguments</key>\n\
         \t<array>\n\
         {arguments}\
         \t</array>\n\
         {schedule}\
         \t<key>RunAtLoad</key>\n\
         \t<false/>\n\
         \t<key>ProcessType</key>\n\
         \t<string>Background</string>\n\
         </dict>\n\
         </plist>\n"
    ))
}

/// The interval a plist written by [`plist`] runs at.
pub fn interval_of(plist: &str) -> Option<WatchInterval> {
    if plist.contains("<key>StartInterval</key>") {
        Some(WatchInterval::Hourly)
    } else if plist.contains("<key>StartCalendarInterval</key>") {
        Some(WatchInterval::Daily)
    } else {
        None
    }
}

/// `gui/<uid>`, the logged-in user's domain; the uid comes from `id -u`.
fn domain(runner: &impl Runner) -> Result<String, WatchError> {
    let ran = run_checked(runner, "id", &args(&["-u"]))?;
    let uid: u32 = ran.stdout.trim().parse().map_err(|_| WatchError::Command {
        command: "id -u".to_owned(),
        detail: format!("printed {:?}, not a user ID", ran.stdout.trim()),
        advice: None,
    })?;
    Ok(format!("gui/{uid}"))
}

/// What `launchctl bootout` says for a service that is not loaded.
fn not_loaded(ran: &super::Ran) -> bool {
    // 3: "No such process"; 113: "Could not find specified service".
    matches!(ran.code, Some(3 | 113))
        || ran.describe().contains("No such process")
        || ran.describe().contains("Could not find")
}

pub(super) fn enable(runner: &impl Runner, dir: &Path, check: Scheduled<'_>) -> Result<(), WatchError> {
    let Scheduled { binary, every } = check;
    let contents = plist(binary, every)?;
    let domain = domain(runner)?;
    let path = plist_path(dir);
    // A loaded earlier agent keeps its old schedule until it is booted out.
    let _ = runner.run("launchctl", &args(&["bootout", &format!("{domain}/{LABEL}")]));
    write_file(&path, &contents)?;
    let path_text = path.to_string_lossy();
    if let Err(err) = run_checked(runner, "launchctl", &args(&["bootstrap", &domain, &path_text])) {
        let _ = remove_file(&path);
        return Err(with_advice(
            err,
            "check the agent with `plutil -lint` and see `log show --predicate 'subsystem == \"com.apple.xpc.launchd\"' --last 5m`",
        ));
    }
    Ok(())
}

pub(super) fn disable(runner: &impl Runner, dir: &Path) -> Result<(), WatchError> {
    let domain = domain(runner)?;
    let all = args(&["bootout", &format!("{domain}/{LABEL}")]);
    match runner.run("launchctl", &all) {
        Ok(ran) if ran.success || not_loaded(&ran) => {}
        Ok(ran) => {
            return Err(WatchError::Command {
                command: super::command_line("launchctl", &all),
                detail: ran.describe(),
                advice: Some("log out and in again, then run this again".to_owned()),
            });
        }
        Err(e) => {
            return Err(WatchError::Command {
                command: super::command_line("launchctl", &all),
                detail: e.to_string(),
                advice: None,
            });
        }
    }
    remove_file(&plist_path(dir))
}

pub(super) fn status(runner: &impl Runner, dir: &Path) -> Result<WatchStatus, WatchError> {
    let path = plist_path(dir);
    let plist = read_file(&path)?;
    let mut status = WatchStatus::from_files(
        "launchd",
        plist.is_some(),
        plist.as_deref().and_then(interval_of),
        vec![path.display().to_string()],
    );
    if !status.enabled {
        return Ok(status);
    }
    let Ok(domain) = domain(runner) else {
        return Ok(status);
    };
    if let Ok(ran) = runner.run("launchctl", &args(&["print", &format!("{domain}/{LABEL}")])) {
        status.active = Some(ran.success);
        if ran.success {
            // launchd keeps no time of the last run; it tells the count and the last exit code.
            let field = |key: &str| {
                ran.stdout.lines().find_map(|line| {
                    let (k, v) = line.split_once(" = ")?;
                    (k.trim() == key).then(|| v.trim().to_owned())
                })
            };
            status.last_result = match (field("last exit code"), field("runs")) {
                (Some(code), Some(runs)) => Some(format!("last exit code {code} ({runs} runs)")),
                (code, _) => code.map(|c| format!("last exit code {c}")),
            };
        }
    }
    Ok(status)
}

fn with_advice(err: WatchError, advice: &str) -> WatchError {
    match err {
        WatchError::Command {
            command,
            detail,
            advice: None,
        } => WatchError::Command {
            command,
            detail,
            advice: Some(advice.to_owned()),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_runner::{Recorder, fail, ok};
    use super::super::{Scheduler, Watch};
    use super::*;

    #[test]
    fn xml_escaping_in_program_arguments() {
        let cases = [
            ("/usr/local/bin/scim-token", "/usr/local/bin/scim-token"),
            (
                "/Applications/SCIM Token.app/Contents/MacOS/scim-token",
                "/Applications/SCIM Token.app/Contents/MacOS/scim-token",
            ),
            ("/Users/a/R&D/scim-token", "/Users/a/R&amp;D/scim-token"),
            ("/Users/a/<x>/scim-token", "/Users/a/&lt;x&gt;/scim-token"),
            (
                r#"/Users/o'brien/"q"/scim-token"#,
                "/Users/o&#39;brien/&quot;q&quot;/scim-token",
            ),
            ("/Users/a/100% $HOME/scim-token", "/Users/a/100% $HOME/scim-token"),
        ];
        for (path, escaped) in cases {
            let text = plist(Path::new(path), WatchInterval::Daily).unwrap();
            assert!(
                text.contains(&format!(
                    "\t<array>\n\t\t<string>{escaped}</string>\n\t\t<string>check</string>\n\t\t<string>--notify</string>\n\t</array>\n"
                )),
                "{path}:\n{text}"
            );
        }
        assert!(plist(Path::new("/Users/a/\u{7}/scim-token"), WatchInterval::Daily).is_err());
    }

    #[test]
    fn the_plist() {
        let daily = plist(Path::new("/usr/local/bin/scim-token"), WatchInterval::Daily).unwrap();
        // The whole file, byte for byte (tabs included), as launchd will read it.
        assert_eq!(daily, include_str!("expected/launchd-daily.plist"));
        let hourly = plist(Path::new("/usr/local/bin/scim-token"), WatchInterval::Hourly).unwrap();
        assert!(
            hourly.contains("\t<key>StartInterval</key>\n\t<integer>3600</integer>\n"),
            "{hourly}"
        );
        assert!(!hourly.contains("StartCalendarInterval"));
        assert_eq!(interval_of(&daily), Some(WatchInterval::Daily));
        assert_eq!(interval_of(&hourly), Some(WatchInterval::Hourly));
    }

    #[test]
    fn on_status_off() {
        let home = tempfile::tempdir().unwrap();
        let dir = agents_dir(Some(home.path().into())).unwrap();
        let runner = Recorder::new(|program, args: &[String]| match (program, args[0].as_str()) {
            ("id", _) => ok("501\n"),
            ("launchctl", "print") => ok("gui/501/dev.scimtoken.check = {\n\
                 \tactive count = 0\n\
                 \tpath = /Users/a/Library/LaunchAgents/dev.scimtoken.check.plist\n\
                 \tstate = not running\n\
                 \truns = 3\n\
                 \tlast exit code = 1\n\
                 }\n"),
            ("launchctl", "bootout") => fail(113, "Boot-out failed: 113: Could not find specified service"),
            _ => ok(""),
        });
        let watch = Watch::new(
            Scheduler::Launchd {
                agents_dir: dir.clone(),
            },
            &runner,
        )
        .without_binary_inspection();
        let path = dir.join("dev.scimtoken.check.plist");
        watch
            .enable(
                Path::new("/Applications/SCIM Token.app/Contents/MacOS/scim-token"),
                WatchInterval::Daily,
            )
            .unwrap();
        assert_eq!(
            runner.calls(),
            [
                "id -u".to_owned(),
                "launchctl bootout gui/501/dev.scimtoken.check".to_owned(),
                format!("launchctl bootstrap gui/501 {}", path.display()),
            ]
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            plist(
                Path::new("/Applications/SCIM Token.app/Contents/MacOS/scim-token"),
                WatchInterval::Daily
            )
            .unwrap()
        );

        runner.calls.borrow_mut().clear();
        let status = watch.status().unwrap();
        assert_eq!(
            status,
            WatchStatus {
                enabled: true,
                every: Some(WatchInterval::Daily),
                scheduler: "launchd".into(),
                installed: vec![path.display().to_string()],
                active: Some(true),
                last_run: None,
                next_run: None,
                last_result: Some("last exit code 1 (3 runs)".into()),
            }
        );
        assert_eq!(
            runner.calls(),
            ["id -u", "launchctl print gui/501/dev.scimtoken.check"]
        );

        runner.calls.borrow_mut().clear();
        // Not loaded (e.g. after a reboot into another session) is fine: the file still goes.
        watch.disable().unwrap();
        assert_eq!(
            runner.calls(),
            ["id -u", "launchctl bootout gui/501/dev.scimtoken.check"]
        );
        assert!(!path.exists());
        assert!(!watch.status().unwrap().enabled);
    }

    // The message quotes the plist's path the POSIX shell way; launchd exists only on macOS.
    #[cfg(unix)]
    #[test]
    fn a_refused_bootstrap_leaves_no_plist() {
        let dir = tempfile::tempdir().unwrap();
        let runner = Recorder::new(|program, args: &[String]| match (program, args[0].as_str()) {
            ("id", _) => ok("501\n"),
            ("launchctl", "bootstrap") => fail(5, "Bootstrap failed: 5: Input/output error"),
            _ => ok(""),
        });
        let watch = Watch::new(
            Scheduler::Launchd {
                agents_dir: dir.path().to_owned(),
            },
            &runner,
        )
        .without_binary_inspection();
        let err = watch
            .enable(Path::new("/usr/local/bin/scim-token"), WatchInterval::Hourly)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "`launchctl bootstrap gui/501 {}` failed: Bootstrap failed: 5: Input/output error: check the agent with `plutil -lint`",
                dir.path().join("dev.scimtoken.check.plist").display()
            )),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_bad_uid_is_reported() {
        let runner = Recorder::new(|_, _: &[String]| ok("not a number\n"));
        let dir = tempfile::tempdir().unwrap();
        let err = Watch::new(
            Scheduler::Launchd {
                agents_dir: dir.path().to_owned(),
            },
            &runner,
        )
        .disable()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`id -u` failed: printed \"not a number\", not a user ID"
        );
    }
}
