//! The background watch: `scim-token check --notify` run by the OS's own per-user scheduler, so
//! that expiry reminders and Entra job health checks need no resident process.
//!
//! - Linux: a systemd user timer and service in `$XDG_CONFIG_HOME/systemd/user/` ([`systemd`]).
//! - macOS: a launchd agent in `~/Library/LaunchAgents/` ([`launchd`]).
//! - Windows: a Task Scheduler task made with `schtasks` ([`schtasks`]).
//!
//! Every backend is compiled on every OS, and the commands it runs go through a [`Runner`], so the
//! unit tests check each OS's files and commands on any OS; only [`Scheduler::for_this_system`]
//! and the check of the binary on this machine (`binary_check.rs`: [`Watch::enable`] refuses one
//! someone else could replace) depend on the OS it is built for. The calls block (files and short
//! scheduler commands, each bounded by [`COMMAND_TIMEOUT`]): an async shell runs them on its
//! blocking pool.

mod binary_check;
pub mod launchd;
pub mod runner;
pub mod schtasks;
pub mod systemd;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;
use thiserror::Error;

pub use runner::{COMMAND_TIMEOUT, Ran, Runner, SystemRunner};

/// The arguments the scheduler runs the binary with.
pub const CHECK_ARGS: [&str; 2] = ["check", "--notify"];

/// How often the check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum WatchInterval {
    /// Once a day, at 09:00 local time (or as soon after as the machine is on).
    #[default]
    Daily,
    /// Once an hour.
    Hourly,
}

impl WatchInterval {
    /// `daily` or `hourly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Hourly => "hourly",
        }
    }
}

impl fmt::Display for WatchInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An interval name other than `daily` or `hourly`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown interval {0:?}: use daily or hourly")]
pub struct UnknownInterval(pub String);

impl FromStr for WatchInterval {
    type Err = UnknownInterval;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "daily" => Ok(Self::Daily),
            "hourly" => Ok(Self::Hourly),
            _ => Err(UnknownInterval(s.to_owned())),
        }
    }
}

/// What is installed and what the scheduler says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WatchStatus {
    /// The watch is installed: its unit files, agent or task exist.
    pub enabled: bool,
    /// How often it runs, as installed.
    pub every: Option<WatchInterval>,
    /// Which scheduler: `systemd`, `launchd` or `Task Scheduler`.
    pub scheduler: String,
    /// What is (or would be) installed: file paths, or the task's name.
    pub installed: Vec<String>,
    /// Whether the scheduler has it loaded and active; `None` when it could not be asked.
    pub active: Option<bool>,
    /// When it last ran, in the scheduler's words, when the scheduler tells.
    pub last_run: Option<String>,
    /// When it runs next, in the scheduler's words, when the scheduler tells.
    pub next_run: Option<String>,
    /// How the last run ended, in the scheduler's words, when the scheduler tells.
    pub last_result: Option<String>,
}

/// What a backend schedules: `binary check --notify`, this often.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scheduled<'a> {
    /// The `scim-token` to run.
    pub(crate) binary: &'a Path,
    /// How often.
    pub(crate) every: WatchInterval,
}

impl WatchStatus {
    /// What the installed files say, before the scheduler is asked anything.
    pub(crate) fn from_files(
        scheduler: &str,
        enabled: bool,
        every: Option<WatchInterval>,
        installed: Vec<String>,
    ) -> Self {
        Self {
            enabled,
            every,
            scheduler: scheduler.to_owned(),
            installed,
            active: None,
            last_run: None,
            next_run: None,
            last_result: None,
        }
    }
}

/// Why the watch could not be turned on, off, or read. Each message says what to do.
#[derive(Debug, Error)]
pub enum WatchError {
    /// The `scim-token` command the watch schedules is not where it should be.
    #[error(
        "the background watch runs the scim-token command, which is not installed next to the app ({}): install it there (the Windows installer and zip include it), or run `scim-token watch on` yourself",
        .0.display()
    )]
    CommandMissing(PathBuf),
    /// The binary's path is relative: the scheduler would not find it.
    #[error(
        "the scim-token path {} is not absolute: run scim-token by its full path and try again",
        .0.display()
    )]
    RelativeBinary(PathBuf),
    /// Someone other than you (or the system's administrators) could replace the binary, and so
    /// run their code as you at every check.
    #[error("refusing to schedule {}: {problem}; {fix}", binary.display())]
    ReplaceableBinary {
        /// The binary's path.
        binary: PathBuf,
        /// Who could replace it, through what.
        problem: String,
        /// What to do.
        fix: String,
    },
    /// The binary's path cannot be written into the scheduler's format.
    #[error("cannot schedule {}: {why}; install scim-token in a directory whose path has no such character", path.display())]
    UnsupportedPath {
        /// The binary's path.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// No home or config directory to put the files in.
    #[error("cannot find your home directory ({0} is not set): set it and try again")]
    NoHome(&'static str),
    /// A file could not be written, read or removed.
    #[error("cannot {action} {}: {source}; check that you own that directory and try again", path.display())]
    File {
        /// `write`, `read` or `remove`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `systemctl --user` cannot reach a user service manager.
    #[error(
        "systemctl --user is not available ({detail}): run `scim-token check --notify` from cron instead: {crontab}"
    )]
    NoUserSystemd {
        /// What systemctl said, or why it could not run.
        detail: String,
        /// A crontab line that does the same job.
        crontab: String,
    },
    /// A scheduler command failed.
    #[error("`{command}` failed: {detail}{}", advice.as_ref().map(|a| format!(": {a}")).unwrap_or_default())]
    Command {
        /// The command line, for the user to retry.
        command: String,
        /// Its output, or why it could not run.
        detail: String,
        /// What to do about it, when known.
        advice: Option<String>,
    },
    /// No scheduler this module knows on this OS.
    #[error(
        "scim-token has no background watch for this OS: run `scim-token check --notify` from your own scheduler (cron: {crontab})"
    )]
    Unsupported {
        /// A crontab line that does the job.
        crontab: String,
    },
}

/// The OS scheduler that runs the check, with where its files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheduler {
    /// A systemd user timer; the unit files go in this directory (`…/systemd/user`).
    Systemd {
        /// `$XDG_CONFIG_HOME/systemd/user`.
        unit_dir: PathBuf,
    },
    /// A launchd agent; its plist goes in this directory (`~/Library/LaunchAgents`).
    Launchd {
        /// `~/Library/LaunchAgents`.
        agents_dir: PathBuf,
    },
    /// A Task Scheduler task, made with `schtasks`.
    TaskScheduler {
        /// `schtasks.exe` by its full path (`%SystemRoot%\System32\schtasks.exe`,
        /// [`schtasks::program`]).
        program: String,
    },
}

impl Scheduler {
    /// The scheduler of the OS this is built for.
    #[cfg(target_os = "linux")]
    pub fn for_this_system() -> Result<Self, WatchError> {
        let unit_dir = systemd::unit_dir(std::env::var_os("XDG_CONFIG_HOME"), std::env::var_os("HOME"))
            .ok_or(WatchError::NoHome("HOME"))?;
        Ok(Self::Systemd { unit_dir })
    }

    /// The scheduler of the OS this is built for.
    #[cfg(target_os = "macos")]
    pub fn for_this_system() -> Result<Self, WatchError> {
        let agents_dir = launchd::agents_dir(std::env::var_os("HOME")).ok_or(WatchError::NoHome("HOME"))?;
        Ok(Self::Launchd { agents_dir })
    }

    /// The scheduler of the OS this is built for.
    #[cfg(windows)]
    pub fn for_this_system() -> Result<Self, WatchError> {
        let root = schtasks::system_root(std::env::var_os("SystemRoot"));
        Ok(Self::TaskScheduler {
            program: schtasks::program(&root),
        })
    }

    /// The scheduler of the OS this is built for: none known here.
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    pub fn for_this_system() -> Result<Self, WatchError> {
        Err(WatchError::Unsupported {
            crontab: crontab_line(Path::new("/path/to/scim-token"), WatchInterval::Daily),
        })
    }

    /// Its name, as [`WatchStatus::scheduler`] shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Systemd { .. } => "systemd",
            Self::Launchd { .. } => "launchd",
            Self::TaskScheduler { .. } => "Task Scheduler",
        }
    }
}

/// Turns the background watch on and off and reads its state.
#[derive(Debug)]
pub struct Watch<R = SystemRunner> {
    scheduler: Scheduler,
    runner: R,
    /// Whether `enable` inspects the binary on this machine's file system (off only in tests of
    /// a backend's files and commands, whose binaries are other systems' paths).
    inspect_binary: bool,
}

impl Watch<SystemRunner> {
    /// The watch on this OS's scheduler, running its real commands.
    pub fn for_this_system() -> Result<Self, WatchError> {
        Ok(Self::new(Scheduler::for_this_system()?, SystemRunner))
    }
}

impl<R: Runner> Watch<R> {
    /// The watch on `scheduler`, running its commands through `runner`.
    pub fn new(scheduler: Scheduler, runner: R) -> Self {
        Self {
            scheduler,
            runner,
            inspect_binary: true,
        }
    }

    /// For tests of a backend's files and commands: `enable` does not look for the binary on
    /// this machine, where another system's path does not exist.
    #[cfg(test)]
    pub(crate) fn without_binary_inspection(mut self) -> Self {
        self.inspect_binary = false;
        self
    }

    /// The scheduler it uses.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// Installs (or replaces) the scheduled `binary check --notify`, every `every`, and starts it.
    /// Refuses a binary that someone else could replace ([`WatchError::ReplaceableBinary`]).
    /// On failure nothing is left installed.
    pub fn enable(&self, binary: &Path, every: WatchInterval) -> Result<(), WatchError> {
        if !absolute_for(&self.scheduler, binary) {
            return Err(WatchError::RelativeBinary(binary.to_owned()));
        }
        if self.inspect_binary {
            binary_check::refuse_replaceable(binary, &self.runner)?;
        }
        let check = Scheduled { binary, every };
        match &self.scheduler {
            Scheduler::Systemd { unit_dir } => systemd::enable(&self.runner, unit_dir, check),
            Scheduler::Launchd { agents_dir } => launchd::enable(&self.runner, agents_dir, check),
            Scheduler::TaskScheduler { program } => schtasks::enable(&self.runner, program, check),
        }
    }

    /// Stops and removes the watch; already off is fine.
    pub fn disable(&self) -> Result<(), WatchError> {
        match &self.scheduler {
            Scheduler::Systemd { unit_dir } => systemd::disable(&self.runner, unit_dir),
            Scheduler::Launchd { agents_dir } => launchd::disable(&self.runner, agents_dir),
            Scheduler::TaskScheduler { program } => schtasks::disable(&self.runner, program),
        }
    }

    /// What is installed, and what the scheduler says about it when it can be asked.
    pub fn status(&self) -> Result<WatchStatus, WatchError> {
        match &self.scheduler {
            Scheduler::Systemd { unit_dir } => systemd::status(&self.runner, unit_dir),
            Scheduler::Launchd { agents_dir } => launchd::status(&self.runner, agents_dir),
            Scheduler::TaskScheduler { program } => schtasks::status(&self.runner, program),
        }
    }
}

/// Whether `binary` is absolute on the scheduler's OS (not the OS this runs on, so each backend's
/// tests run everywhere): `/…` for systemd and launchd, `C:\…` or `\\server\…` for Windows.
fn absolute_for(scheduler: &Scheduler, binary: &Path) -> bool {
    let text = binary.to_string_lossy();
    match scheduler {
        Scheduler::Systemd { .. } | Scheduler::Launchd { .. } => text.starts_with('/'),
        Scheduler::TaskScheduler { .. } => windows_absolute(&text),
    }
}

/// Whether `text` is an absolute Windows path: `C:\…` (or `C:/…`) or `\\server\…`.
fn windows_absolute(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.starts_with(r"\\")
        || (bytes.len() > 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'\\' | b'/'))
}

/// A crontab line that runs the check like the watch would (POSIX shell quoting, `%` escaped:
/// cron turns a bare `%` into a newline).
pub fn crontab_line(binary: &Path, every: WatchInterval) -> String {
    let when = match every {
        WatchInterval::Daily => "0 9 * * *",
        WatchInterval::Hourly => "0 * * * *",
    };
    let program = shell_quote(&binary.to_string_lossy()).replace('%', "\\%");
    format!("{when} {program} {}", CHECK_ARGS.join(" "))
}

/// One POSIX shell word: left bare when it holds only safe characters, else in single quotes.
fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@=".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The binary's path as text, for formats that hold text only.
fn utf8_path(binary: &Path) -> Result<&str, WatchError> {
    binary.to_str().ok_or_else(|| WatchError::UnsupportedPath {
        path: binary.to_owned(),
        why: "its path is not valid UTF-8".to_owned(),
    })
}

/// Refuses control characters, which none of the formats can carry safely.
fn no_control_characters(binary: &Path, text: &str) -> Result<(), WatchError> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(WatchError::UnsupportedPath {
            path: binary.to_owned(),
            why: format!("its path holds the control character {c:?}"),
        }),
        None => Ok(()),
    }
}

/// Writes a file whole (temp file, fsync, rename), creating its directory.
fn write_file(path: &Path, contents: &str) -> Result<(), WatchError> {
    let failed = |source| WatchError::File {
        action: "write",
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().expect("a file path has a directory");
    std::fs::create_dir_all(dir).map_err(failed)?;
    let name = path
        .file_name()
        .expect("a file path has a name")
        .to_string_lossy();
    let temp = dir.join(format!(".{name}.tmp"));
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    written.and_then(|()| std::fs::rename(&temp, path)).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        failed(e)
    })
}

/// Removes a file; already gone is fine.
fn remove_file(path: &Path) -> Result<(), WatchError> {
    match std::fs::remove_file(path) {
        Err(source) if source.kind() != std::io::ErrorKind::NotFound => Err(WatchError::File {
            action: "remove",
            path: path.to_owned(),
            source,
        }),
        _ => Ok(()),
    }
}

/// Reads a file, `None` when it does not exist.
fn read_file(path: &Path) -> Result<Option<String>, WatchError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(WatchError::File {
            action: "read",
            path: path.to_owned(),
            source,
        }),
    }
}

/// A command line as a user would type it, for messages: in a POSIX shell, or for a Windows
/// program (`….exe`) in `cmd.exe` (Microsoft C runtime quoting).
fn command_line(program: &str, args: &[String]) -> String {
    let quote = if program.to_ascii_lowercase().ends_with(".exe") {
        windows_quote
    } else {
        shell_quote
    };
    std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One argument as the Microsoft C runtime splits a command line: bare when it has no space, tab
/// or `"`; else in double quotes, `"` escaped as `\"` and the backslashes before it doubled.
fn windows_quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_owned();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        if c == '\\' {
            backslashes += 1;
            continue;
        }
        let doubled = if c == '"' {
            backslashes * 2 + 1
        } else {
            backslashes
        };
        out.push_str(&"\\".repeat(doubled));
        out.push(c);
        backslashes = 0;
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

/// Runs one command; a failure to start it or a non-zero exit becomes [`WatchError::Command`].
fn run_checked(runner: &impl Runner, program: &str, args: &[String]) -> Result<Ran, WatchError> {
    let ran = runner.run(program, args).map_err(|e| WatchError::Command {
        command: command_line(program, args),
        detail: e.to_string(),
        advice: None,
    })?;
    if ran.success {
        Ok(ran)
    } else {
        Err(WatchError::Command {
            command: command_line(program, args),
            detail: ran.describe(),
            advice: None,
        })
    }
}

/// `["a", "b"]` → owned arguments.
fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
pub(crate) mod test_runner {
    //! A [`Runner`] that records the commands and answers from a script.

    use std::cell::RefCell;

    use super::{Ran, Runner};

    /// Records every call; answers each with `answer(program, args)`.
    pub(crate) struct Recorder<F> {
        pub(crate) calls: RefCell<Vec<String>>,
        answer: F,
    }

    impl<F: Fn(&str, &[String]) -> std::io::Result<Ran>> Recorder<F> {
        pub(crate) fn new(answer: F) -> Self {
            Self {
                calls: RefCell::new(Vec::new()),
                answer,
            }
        }

        /// The calls so far, each as `program arg arg…` (arguments joined by spaces, unquoted).
        pub(crate) fn calls(&self) -> Vec<String> {
            self.calls.borrow().clone()
        }
    }

    impl<F: Fn(&str, &[String]) -> std::io::Result<Ran>> Runner for Recorder<F> {
        fn run(&self, program: &str, args: &[String]) -> std::io::Result<Ran> {
            let mut line = vec![program.to_owned()];
            line.extend(args.iter().cloned());
            self.calls.borrow_mut().push(line.join(" "));
            (self.answer)(program, args)
        }
    }

    /// Exit 0 with this stdout.
    pub(crate) fn ok(stdout: &str) -> std::io::Result<Ran> {
        Ok(Ran {
            success: true,
            code: Some(0),
            stdout: stdout.to_owned(),
            stderr: String::new(),
        })
    }

    /// Exit `code` with this stderr.
    pub(crate) fn fail(code: i32, stderr: &str) -> std::io::Result<Ran> {
        Ok(Ran {
            success: false,
            code: Some(code),
            stdout: String::new(),
            stderr: stderr.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_and_print() {
        assert_eq!("daily".parse(), Ok(WatchInterval::Daily));
        assert_eq!("Hourly".parse(), Ok(WatchInterval::Hourly));
        assert_eq!(
            "weekly".parse::<WatchInterval>().unwrap_err().to_string(),
            "unknown interval \"weekly\": use daily or hourly"
        );
        assert_eq!(WatchInterval::default(), WatchInterval::Daily);
        assert_eq!(WatchInterval::Hourly.to_string(), "hourly");
        assert_eq!(
            serde_json::to_value(WatchInterval::Daily).unwrap(),
            serde_json::json!("daily")
        );
    }

    #[test]
    fn crontab_lines_quote_for_the_shell_and_escape_percent() {
        let cases = [
            (
                "/usr/bin/scim-token",
                WatchInterval::Daily,
                "0 9 * * * /usr/bin/scim-token check --notify",
            ),
            (
                "/opt/my tools/scim-token",
                WatchInterval::Hourly,
                "0 * * * * '/opt/my tools/scim-token' check --notify",
            ),
            (
                "/home/o'brien/bin/scim-token",
                WatchInterval::Daily,
                r"0 9 * * * '/home/o'\''brien/bin/scim-token' check --notify",
            ),
            (
                "/srv/100%/scim-token",
                WatchInterval::Daily,
                r"0 9 * * * '/srv/100\%/scim-token' check --notify",
            ),
            (
                "/a/$HOME/`x`/scim-token",
                WatchInterval::Daily,
                "0 9 * * * '/a/$HOME/`x`/scim-token' check --notify",
            ),
        ];
        for (path, every, line) in cases {
            assert_eq!(crontab_line(Path::new(path), every), line, "{path}");
        }
    }

    #[test]
    fn command_lines_for_messages() {
        let line = |program, list: &[&str]| command_line(program, &args(list));
        assert_eq!(
            line(
                "systemctl",
                &["--user", "enable", "--now", "scim-token-check.timer"]
            ),
            "systemctl --user enable --now scim-token-check.timer"
        );
        assert_eq!(
            line("launchctl", &["bootstrap", "gui/501", "/a b/x.plist"]),
            "launchctl bootstrap gui/501 '/a b/x.plist'"
        );
        assert_eq!(
            line(r"C:\Windows\System32\schtasks.exe", &["/TN", "scim-token check"]),
            r#"C:\Windows\System32\schtasks.exe /TN "scim-token check""#
        );
        assert_eq!(
            line(r"D:\My Windows\System32\SCHTASKS.EXE", &["/Query"]),
            r#""D:\My Windows\System32\SCHTASKS.EXE" /Query"#
        );
        let cases = [
            ("plain", "plain"),
            ("", r#""""#),
            ("scim-token check", r#""scim-token check""#),
            (r#""C:\a b\x.exe" check"#, r#""\"C:\a b\x.exe\" check""#),
            (r"C:\dir\", r"C:\dir\"),
            (r"C:\my dir\", r#""C:\my dir\\""#),
            (r#"a\"b"#, r#""a\\\"b""#),
        ];
        for (arg, quoted) in cases {
            assert_eq!(windows_quote(arg), quoted, "{arg}");
        }
    }

    #[test]
    fn absolute_paths_per_scheduler() {
        let systemd = Scheduler::Systemd {
            unit_dir: PathBuf::from("/x"),
        };
        let windows = Scheduler::TaskScheduler {
            program: schtasks::program(r"C:\Windows"),
        };
        let cases = [
            (&systemd, "/usr/bin/scim-token", true),
            (&systemd, "bin/scim-token", false),
            (&systemd, r"C:\scim-token.exe", false),
            (&windows, r"C:\Program Files\scim-token.exe", true),
            (&windows, "d:/tools/scim-token.exe", true),
            (&windows, r"\\server\share\scim-token.exe", true),
            (&windows, r"scim-token.exe", false),
            (&windows, r"C:scim-token.exe", false),
            (&windows, "/usr/bin/scim-token", false),
        ];
        for (scheduler, path, absolute) in cases {
            assert_eq!(absolute_for(scheduler, Path::new(path)), absolute, "{path}");
        }
    }

    #[test]
    fn a_relative_binary_is_refused_before_anything_runs() {
        let runner = test_runner::Recorder::new(|_, _| test_runner::ok(""));
        let dir = tempfile::tempdir().unwrap();
        let watch = Watch::new(
            Scheduler::Systemd {
                unit_dir: dir.path().to_owned(),
            },
            &runner,
        );
        let err = watch
            .enable(Path::new("scim-token"), WatchInterval::Daily)
            .unwrap_err();
        assert!(matches!(err, WatchError::RelativeBinary(_)), "{err}");
        assert!(err.to_string().contains("full path"), "{err}");
        assert!(runner.calls().is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// A binary others could replace would run their code as you at every check: `enable`
    /// refuses it before any file is written or command run, and says what to do.
    #[cfg(unix)]
    #[test]
    fn a_binary_others_can_write_is_refused_before_anything_is_installed() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let unit_dir = home.path().join("systemd/user");
        let bin = home.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let binary = bin.join("scim-token");
        std::fs::write(&binary, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o775)).unwrap();
        let runner = test_runner::Recorder::new(|_, _| test_runner::ok(""));
        let watch = Watch::new(
            Scheduler::Systemd {
                unit_dir: unit_dir.clone(),
            },
            &runner,
        );
        let refused = watch.enable(&binary, WatchInterval::Daily);
        assert!(
            matches!(&refused, Err(WatchError::ReplaceableBinary { binary: named, .. }) if *named == binary),
            "{refused:?}"
        );
        let text = refused.unwrap_err().to_string();
        assert!(text.contains("chmod go-w"), "{text}");
        assert!(runner.calls().is_empty(), "{:?}", runner.calls());
        assert!(!unit_dir.exists(), "unit files were written");

        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
        watch.enable(&binary, WatchInterval::Daily).unwrap();
        assert_eq!(runner.calls().len(), 2, "{:?}", runner.calls());
    }

    /// Only the selection depends on the OS; the backends are the same code everywhere.
    #[test]
    fn this_system_picks_its_own_scheduler() {
        let scheduler = Scheduler::for_this_system();
        #[cfg(target_os = "linux")]
        assert!(matches!(
            scheduler,
            Ok(Scheduler::Systemd { .. }) | Err(WatchError::NoHome(_))
        ));
        #[cfg(target_os = "macos")]
        assert!(matches!(
            scheduler,
            Ok(Scheduler::Launchd { .. }) | Err(WatchError::NoHome(_))
        ));
        #[cfg(windows)]
        assert!(
            matches!(&scheduler, Ok(Scheduler::TaskScheduler { program })
                if program.to_ascii_lowercase().ends_with(r"\system32\schtasks.exe")),
            "{scheduler:?}"
        );
        #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
        assert!(matches!(scheduler, Err(WatchError::Unsupported { .. })));
    }
}
