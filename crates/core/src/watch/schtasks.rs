//! Windows: a Task Scheduler task, `scim-token check`, made, read and deleted with `schtasks`. It
//! runs as the user who made it, only while they are signed in, so its notification is seen.

use std::ffi::OsString;
use std::path::Path;

use super::{
    CHECK_ARGS, Runner, Scheduled, WatchError, WatchInterval, WatchStatus, args, command_line,
    no_control_characters, run_checked, utf8_path, windows_absolute,
};

/// The task's name.
pub const TASK: &str = "scim-token check";

/// The longest `/TR` value `schtasks` accepts.
pub const MAX_TASK_RUN: usize = 261;

/// Where Windows is when `%SystemRoot%` does not say.
pub const DEFAULT_SYSTEM_ROOT: &str = r"C:\Windows";

/// Windows' own folder from the value of `%SystemRoot%`: [`DEFAULT_SYSTEM_ROOT`] when it is
/// unset, not Unicode, or not an absolute path (a relative one would make [`program`] relative).
pub fn system_root(value: Option<OsString>) -> String {
    value
        .and_then(|value| value.into_string().ok())
        .filter(|root| windows_absolute(root))
        .map(|root| root.trim_end_matches(['\\', '/']).to_owned())
        // `\\` alone is "absolute" but names nothing.
        .filter(|root| windows_absolute(&format!("{root}\\")))
        .unwrap_or_else(|| DEFAULT_SYSTEM_ROOT.to_owned())
}

/// `schtasks.exe` by its full path under `system_root`. By its bare name, Windows would look for
/// it first in the directory of the program that runs it, so a `schtasks.exe` put beside
/// scim-token would run instead.
pub fn program(system_root: &str) -> String {
    format!(r"{system_root}\System32\schtasks.exe")
}

/// The `/TR` value: the program in double quotes, then the arguments.
///
/// Task Scheduler expands `%VARIABLE%` in the program path and Windows paths cannot hold `"`, so
/// both are refused rather than escaped; so is a value longer than [`MAX_TASK_RUN`].
pub fn task_run(binary: &Path) -> Result<String, WatchError> {
    let program = utf8_path(binary)?;
    no_control_characters(binary, program)?;
    let unsupported = |why: String| WatchError::UnsupportedPath {
        path: binary.to_owned(),
        why,
    };
    if program.contains('"') {
        return Err(unsupported("its path holds a double quote".to_owned()));
    }
    if program.contains('%') {
        return Err(unsupported(
            "its path holds %, which Task Scheduler expands as a variable".to_owned(),
        ));
    }
    let run = format!("\"{program}\" {}", CHECK_ARGS.join(" "));
    if run.chars().count() > MAX_TASK_RUN {
        return Err(unsupported(format!(
            "the task's command would be {} characters, over schtasks' {MAX_TASK_RUN}",
            run.chars().count()
        )));
    }
    Ok(run)
}

/// The arguments of `schtasks` that create (or replace) the task.
pub fn create_args(binary: &Path, every: WatchInterval) -> Result<Vec<String>, WatchError> {
    let run = task_run(binary)?;
    let mut all = args(&["/Create", "/F"]);
    match every {
        WatchInterval::Daily => all.extend(args(&["/SC", "DAILY"])),
        WatchInterval::Hourly => all.extend(args(&["/SC", "HOURLY", "/MO", "1"])),
    }
    all.extend(args(&["/TN", TASK, "/TR", &run]));
    if every == WatchInterval::Daily {
        all.extend(args(&["/ST", "09:00"]));
    }
    Ok(all)
}

/// The arguments of `schtasks` that delete the task.
pub fn delete_args() -> Vec<String> {
    args(&["/Delete", "/F", "/TN", TASK])
}

/// The arguments of `schtasks` that describe the task.
pub fn query_args() -> Vec<String> {
    args(&["/Query", "/TN", TASK, "/V", "/FO", "LIST"])
}

/// A `Key: value` line of `schtasks /Query /V /FO LIST` (English labels), when set.
fn field(out: &str, key: &str) -> Option<String> {
    out.lines()
        .find_map(|line| line.strip_prefix(key)?.trim_start().strip_prefix(':'))
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "N/A")
        .map(str::to_owned)
}

pub(super) fn enable(runner: &impl Runner, program: &str, check: Scheduled<'_>) -> Result<(), WatchError> {
    let Scheduled { binary, every } = check;
    let all = create_args(binary, every)?;
    run_checked(runner, program, &all).map_err(|err| match err {
        WatchError::Command {
            command, detail, ..
        } => WatchError::Command {
            command,
            detail,
            advice: Some(
                "open Task Scheduler to see whether a policy forbids your tasks, or run `scim-token check --notify` from it yourself"
                    .to_owned(),
            ),
        },
        other => other,
    })?;
    Ok(())
}

pub(super) fn disable(runner: &impl Runner, program: &str) -> Result<(), WatchError> {
    if query(runner, program)?.is_none() {
        return Ok(());
    }
    run_checked(runner, program, &delete_args())?;
    Ok(())
}

/// The task's description, `None` when there is no such task.
fn query(runner: &impl Runner, program: &str) -> Result<Option<String>, WatchError> {
    let all = query_args();
    let ran = runner.run(program, &all).map_err(|e| WatchError::Command {
        command: command_line(program, &all),
        detail: e.to_string(),
        advice: None,
    })?;
    // schtasks exits 1 ("ERROR: The system cannot find the file specified.") for no such task.
    Ok(ran.success.then_some(ran.stdout))
}

pub(super) fn status(runner: &impl Runner, program: &str) -> Result<WatchStatus, WatchError> {
    let described = query(runner, program)?;
    let out = described.as_deref().unwrap_or_default();
    let every = field(out, "Schedule Type").and_then(|kind| {
        let kind = kind.to_ascii_lowercase();
        if kind.starts_with("daily") {
            Some(WatchInterval::Daily)
        } else if kind.starts_with("hourly") {
            Some(WatchInterval::Hourly)
        } else {
            None
        }
    });
    Ok(WatchStatus {
        enabled: described.is_some(),
        every,
        scheduler: "Task Scheduler".to_owned(),
        installed: vec![TASK.to_owned()],
        active: described
            .is_some()
            .then(|| field(out, "Scheduled Task State").map(|s| s == "Enabled"))
            .flatten(),
        last_run: field(out, "Last Run Time").filter(|t| !t.starts_with("11/30/1999")),
        next_run: field(out, "Next Run Time"),
        last_result: field(out, "Last Result"),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_runner::{Recorder, fail, ok};
    use super::super::{Scheduler, Watch};
    use super::*;

    const SCHTASKS: &str = r"C:\Windows\System32\schtasks.exe";

    fn task_scheduler() -> Scheduler {
        Scheduler::TaskScheduler {
            program: SCHTASKS.to_owned(),
        }
    }

    #[test]
    fn schtasks_is_run_by_its_full_path_under_system_root() {
        let root = |value: Option<&str>| system_root(value.map(OsString::from));
        assert_eq!(program(&root(None)), SCHTASKS);
        assert_eq!(program(&root(Some(r"C:\Windows"))), SCHTASKS);
        assert_eq!(program(&root(Some(r"C:\Windows\"))), SCHTASKS);
        assert_eq!(
            program(&root(Some(r"D:\WINNT"))),
            r"D:\WINNT\System32\schtasks.exe"
        );
        assert_eq!(program(&root(Some("E:/Win"))), r"E:/Win\System32\schtasks.exe");
        // Relative, empty or bare-drive values would let the current directory decide.
        for unusable in ["", "Windows", r".\Windows", "C:", r"\", r"\Windows"] {
            assert_eq!(root(Some(unusable)), DEFAULT_SYSTEM_ROOT, "{unusable:?}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let not_unicode = OsString::from_vec(b"C:\\Win\xff".to_vec());
            assert_eq!(system_root(Some(not_unicode)), DEFAULT_SYSTEM_ROOT);
        }
    }

    #[test]
    fn task_run_quoting() {
        let cases = [
            (
                r"C:\Program Files\scim-token\scim-token.exe",
                r#""C:\Program Files\scim-token\scim-token.exe" check --notify"#,
            ),
            (
                r"C:\Users\o'brien\AppData\Local\scim-token\scim-token.exe",
                r#""C:\Users\o'brien\AppData\Local\scim-token\scim-token.exe" check --notify"#,
            ),
            (
                r"D:\R&D (tools)\scim-token.exe",
                r#""D:\R&D (tools)\scim-token.exe" check --notify"#,
            ),
            (
                r"C:\Users\Zoë\scim-token.exe",
                r#""C:\Users\Zoë\scim-token.exe" check --notify"#,
            ),
        ];
        for (path, run) in cases {
            assert_eq!(task_run(Path::new(path)).unwrap(), run, "{path}");
        }
        for (path, why) in [
            (r"C:\100%\scim-token.exe".to_owned(), "expands as a variable"),
            (r#"C:\a"b\scim-token.exe"#.to_owned(), "double quote"),
            (
                format!(r"C:\{}\scim-token.exe", "x".repeat(240)),
                "over schtasks' 261",
            ),
        ] {
            let err = task_run(Path::new(&path)).unwrap_err().to_string();
            assert!(err.contains(why), "{path}: {err}");
        }
    }

    #[test]
    fn create_delete_query_arguments() {
        let exe = Path::new(r"C:\Program Files\scim-token\scim-token.exe");
        assert_eq!(
            create_args(exe, WatchInterval::Daily).unwrap(),
            [
                "/Create",
                "/F",
                "/SC",
                "DAILY",
                "/TN",
                "scim-token check",
                "/TR",
                r#""C:\Program Files\scim-token\scim-token.exe" check --notify"#,
                "/ST",
                "09:00"
            ]
        );
        assert_eq!(
            create_args(exe, WatchInterval::Hourly).unwrap(),
            [
                "/Create",
                "/F",
                "/SC",
                "HOURLY",
                "/MO",
                "1",
                "/TN",
                "scim-token check",
                "/TR",
                r#""C:\Program Files\scim-token\scim-token.exe" check --notify"#
            ]
        );
        assert_eq!(delete_args(), ["/Delete", "/F", "/TN", "scim-token check"]);
        assert_eq!(
            query_args(),
            ["/Query", "/TN", "scim-token check", "/V", "/FO", "LIST"]
        );
    }

    const QUERY: &str = "\r\nFolder: \\\r\n\
        HostName:                             DESK-1\r\n\
        TaskName:                             \\scim-token check\r\n\
        Next Run Time:                        3/3/2026 9:00:00 AM\r\n\
        Status:                               Ready\r\n\
        Logon Mode:                           Interactive only\r\n\
        Last Run Time:                        3/2/2026 9:00:01 AM\r\n\
        Last Result:                          1\r\n\
        Task To Run:                          \"C:\\Program Files\\scim-token\\scim-token.exe\" check --notify\r\n\
        Scheduled Task State:                 Enabled\r\n\
        Schedule Type:                        Daily \r\n\
        Start Time:                           9:00:00 AM\r\n";

    #[test]
    fn on_status_off() {
        let created = std::cell::Cell::new(false);
        let runner = Recorder::new(|_, args: &[String]| match args[0].as_str() {
            "/Create" => {
                created.set(true);
                ok("SUCCESS: The scheduled task \"scim-token check\" has successfully been created.")
            }
            "/Query" if created.get() => ok(QUERY),
            "/Query" => fail(1, "ERROR: The system cannot find the file specified."),
            "/Delete" => {
                created.set(false);
                ok("SUCCESS")
            }
            _ => fail(1, "unexpected"),
        });
        let watch = Watch::new(task_scheduler(), &runner).without_binary_inspection();
        let exe = Path::new(r"C:\Program Files\scim-token\scim-token.exe");
        assert!(!watch.status().unwrap().enabled);
        watch.disable().unwrap();
        watch.enable(exe, WatchInterval::Daily).unwrap();
        assert_eq!(
            watch.status().unwrap(),
            WatchStatus {
                enabled: true,
                every: Some(WatchInterval::Daily),
                scheduler: "Task Scheduler".into(),
                installed: vec!["scim-token check".into()],
                active: Some(true),
                last_run: Some("3/2/2026 9:00:01 AM".into()),
                next_run: Some("3/3/2026 9:00:00 AM".into()),
                last_result: Some("1".into()),
            }
        );
        watch.disable().unwrap();
        let q = format!(r"{SCHTASKS} /Query /TN scim-token check /V /FO LIST");
        assert_eq!(
            runner.calls(),
            [
                q.clone(),
                q.clone(),
                format!(
                    r#"{SCHTASKS} /Create /F /SC DAILY /TN scim-token check /TR "{}" check --notify /ST 09:00"#,
                    exe.display()
                ),
                q.clone(),
                q,
                format!("{SCHTASKS} /Delete /F /TN scim-token check"),
            ]
        );
    }

    #[test]
    fn a_refused_create_says_where_to_look() {
        let runner = Recorder::new(|_, _: &[String]| fail(1, "ERROR: Access is denied."));
        let err = Watch::new(task_scheduler(), &runner)
            .without_binary_inspection()
            .enable(Path::new(r"C:\scim-token.exe"), WatchInterval::Hourly)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            r#"`C:\Windows\System32\schtasks.exe /Create /F /SC HOURLY /MO 1 /TN "scim-token check" /TR "\"C:\scim-token.exe\" check --notify"` failed: ERROR: Access is denied.: open Task Scheduler to see whether a policy forbids your tasks, or run `scim-token check --notify` from it yourself"#
        );
    }
}
