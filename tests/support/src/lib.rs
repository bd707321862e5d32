//! Helpers for end-to-end tests: real processes, a real browser, a real keyring.
//!
//! `scripts/test` provides the world these need: an Xvfb display, a private D-Bus session with an
//! unlocked gnome-keyring, and HOME/XDG dirs of their own. Each test also gets its own config dir
//! and its own org ID, so tests never see each other's tokens.

#![allow(missing_docs, clippy::print_stderr)]

pub mod corp_net;
#[cfg(unix)]
pub mod desktop;
pub mod entra;
pub mod scan;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The `scim-token` binary under test.
pub fn bin() -> PathBuf {
    cargo_bin("scim-token")
}

/// Set by `scripts/wine` for the Windows leg: the `scim-token.exe` to test instead of the Linux
/// binary, and the Wine loader that runs it.
const WINDOWS_EXE: &str = "SCIM_TOKEN_TEST_WINDOWS_EXE";
const WINE: &str = "SCIM_TOKEN_TEST_WINE";

/// Whether this run tests the Windows CLI under Wine.
pub fn under_wine() -> bool {
    std::env::var_os(WINDOWS_EXE).is_some()
}

/// A command that runs the CLI under test: the Linux binary, or the Windows one through Wine.
pub fn cli_command() -> Command {
    match (std::env::var_os(WINDOWS_EXE), std::env::var_os(WINE)) {
        (Some(exe), Some(wine)) => {
            let mut command = Command::new(wine);
            command.arg(exe).env("WINEDEBUG", "-all");
            command
        }
        (Some(_), None) => panic!("{WINDOWS_EXE} is set but {WINE} (the Wine loader) is not"),
        _ => Command::new(bin()),
    }
}

/// A path as the CLI under test names it: itself on Linux, `Z:\…` (Wine's view of `/`) under Wine.
pub fn cli_path(path: &Path) -> std::ffi::OsString {
    if under_wine() {
        format!("Z:{}", path.display().to_string().replace('/', "\\")).into()
    } else {
        path.as_os_str().to_owned()
    }
}

/// A binary of the workspace, next to the running test: cargo puts test executables in
/// `target/<profile>/deps/` and builds the package's binaries into `target/<profile>/` before
/// running its integration tests.
pub fn cargo_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows where it runs from");
    let mut dir = exe
        .parent()
        .expect("a test executable is in a directory")
        .to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is not built: run the tests with cargo test",
        path.display()
    );
    path
}

/// Only one test at a time may use localhost:3000 (the fixed redirect URI).
pub fn port_3000() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// A private config dir (token records) for one test.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `scim-token ARGS` with this home's config dir.
    pub fn cli(&self, args: &[&str]) -> Command {
        let mut command = cli_command();
        command
            .args(args)
            .env("XDG_CONFIG_HOME", self.config_dir())
            // Windows keeps the records under %APPDATA%, which no variable moves; this does.
            .env(
                "SCIM_TOKEN_CONFIG_DIR",
                cli_path(&self.config_dir().join("scim-token")),
            )
            .env("SCIM_TOKEN_LOG", "trace")
            .stdin(Stdio::null());
        command
    }

    /// Runs to completion (bounded) and returns status, stdout, stderr.
    pub fn run(&self, args: &[&str]) -> Output {
        run_bounded(self.cli(args), Duration::from_secs(60))
    }
}

/// A finished process.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

pub fn run_bounded(mut command: Command, limit: Duration) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Running::new(child).finish(limit)
}

/// A process whose stderr lines are read as they come.
pub struct Running {
    child: Child,
    stderr_lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    pub fn new(mut child: Child) -> Self {
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, stderr_lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stderr_lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a stderr line matching `pred`; panics with what was seen after `limit`.
    pub fn wait_for_line(&mut self, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr_lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no matching line within {limit:?}; stderr so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Sends SIGINT, as Ctrl-C in a terminal would.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill(1)");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for exit (killing it after `limit`) and collects output.
    pub fn finish(mut self, limit: Duration) -> Output {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "process did not finish within {limit:?}; stderr:\n{}",
                    self.seen.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_string(&mut stdout).unwrap();
        }
        while let Ok(line) = self.stderr_lines.recv_timeout(Duration::from_millis(200)) {
            self.seen.push(line);
        }
        Output {
            status,
            stdout,
            stderr: self.seen.join("\n"),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `scim-token sandbox` on a free port with an org of its own.
pub struct Sandbox {
    child: Child,
    pub base: String,
    pub org: String,
    /// The local Entra's root (`http://127.0.0.1:<port>/`), from the banner.
    pub entra_base: String,
}

impl Sandbox {
    pub fn start(extra: &[&str]) -> Self {
        Self::start_for(&uuid::Uuid::new_v4().to_string(), extra)
    }

    /// A sandbox for a given org (e.g. to restart on the same `--data` file).
    pub fn start_for(org: &str, extra: &[&str]) -> Self {
        Self::start_on(0, org, extra)
    }

    /// A sandbox for `org` on `port` (0: any free one), for a test that must know its Tenant URL
    /// before it starts.
    pub fn start_on(port: u16, org: &str, extra: &[&str]) -> Self {
        let org = org.to_owned();
        let port = port.to_string();
        let mut args = vec!["sandbox", "--port", &port, "--org", &org];
        args.extend_from_slice(extra);
        let mut child = cli_command()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Its stderr is read to the end (so the sandbox never blocks on it) and kept, for a
        // sandbox that ends before its banner to say why.
        let mut stderr = child.stderr.take().unwrap();
        let said = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let Some(base) = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_owned)
        else {
            let status = child.wait();
            let stderr = said.join().unwrap_or_default();
            panic!(
                "unexpected sandbox banner {first:?} (the sandbox ended: {status:?}); its stderr:\n{stderr}"
            );
        };
        let mut entra_base = String::new();
        for _ in 0..40 {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some(rest) = line.trim().strip_prefix("Local Entra running on ") {
                entra_base = rest.split_whitespace().next().unwrap_or("").to_owned();
                break;
            }
        }
        assert!(!entra_base.is_empty(), "the sandbox banner names no local Entra");
        // Keep draining stdout so the sandbox never blocks on a full pipe.
        std::thread::spawn(move || for _ in stdout.lines() {});
        Self {
            child,
            base,
            org,
            entra_base,
        }
    }

    pub fn tenant_url(&self) -> String {
        format!("{}identity/scim/{}/v2/", self.base, self.org)
    }

    /// Ends the sandbox with SIGKILL: no shutdown code runs.
    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How Debian's Chromium runs in tests: headless, no sandbox (root in CI), no network of its
/// own, scripts given 15 s of virtual time.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--virtual-time-budget=15000",
];

/// Loads `url` in Debian's headless Chromium, lets its scripts run, and returns the final DOM.
pub fn chromium(url: &str) -> String {
    chromium_with(url, &[])
}

/// [`chromium`] with more flags (a `--proxy-server`, say).
pub fn chromium_with(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut command = Command::new(chromium_path());
    command
        .args(CHROMIUM_FLAGS)
        .args(extra)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null());
    let output = run_bounded(command, Duration::from_secs(60));
    assert!(output.status.success(), "chromium failed: {}", output.stderr);
    output.stdout
}

/// A script in `dir` that stands in for the system's default browser (for `BROWSER`): it opens
/// the address it is given in headless Chromium, in the background, with a fresh profile under
/// `dir` for each address (two at once never share one), and records each address in
/// `opened.txt` beside it.
pub fn default_browser_script(dir: &Path) -> PathBuf {
    let script = dir.join("default-browser");
    let opened = dir.join("opened.txt");
    let text = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{opened}'\nprofile=$(mktemp -d '{dir}/profile.XXXXXX')\n{chromium} {flags} --user-data-dir=\"$profile\" --dump-dom \"$1\" >/dev/null 2>&1 &\nexit 0\n",
        opened = opened.display(),
        dir = dir.display(),
        chromium = chromium_path().display(),
        flags = CHROMIUM_FLAGS.join(" "),
    );
    std::fs::write(&script, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

fn chromium_path() -> &'static Path {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .expect("Debian's chromium is needed (scripts/test installs it)")
}

/// The sign-in URL `scim-token login --no-browser` prints.
pub fn wait_for_sign_in_url(login: &mut Running) -> String {
    login
        .wait_for_line(Duration::from_secs(30), |l| l.trim_start().starts_with("http"))
        .trim()
        .to_owned()
}
