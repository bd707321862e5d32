//! The `.deb` installed, run and removed, inside `scripts/world` (Xvfb, D-Bus, an unlocked
//! keyring):
//! - dpkg installs it into a scratch root with a copy of this machine's package database, so
//!   each of its Depends must be met by a package installed here, and nothing outside the
//!   scratch root is touched;
//! - its files: both programs, the menu entry (desktop-file-validate), each icon at its size,
//!   and what dpkg installed against the package's md5sums;
//! - the CLI it installed runs and reports the package's version;
//! - the app it installed starts, loads its page and runs the sandbox with the CLI installed
//!   beside it (not a `scim-token` found elsewhere), the sandbox answers, and the sandbox ends
//!   when the app is killed;
//! - dpkg removes it and none of its files are left.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::deb::{PROGRAMS, files_below};
use crate::cmd::{TaskError, io, output};

fn failed(what: impl Into<String>) -> TaskError {
    TaskError::Check(format!(".deb: {}", what.into()))
}

/// dpkg confined to a scratch root and its own copy of the package database.
struct Scratch {
    work: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Result<Self, TaskError> {
        let work = tempfile::Builder::new()
            .prefix("scim-token-deb-check.")
            .tempdir()
            .map_err(io(std::env::temp_dir()))?;
        let admin = work.path().join("dpkg");
        for dir in ["root", "dpkg/info", "dpkg/updates", "dpkg/triggers"] {
            let dir = work.path().join(dir);
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        }
        std::fs::copy("/var/lib/dpkg/status", admin.join("status")).map_err(io("/var/lib/dpkg/status"))?;
        if Path::new("/var/lib/dpkg/arch").exists() {
            std::fs::copy("/var/lib/dpkg/arch", admin.join("arch")).map_err(io("/var/lib/dpkg/arch"))?;
        }
        std::fs::write(admin.join("available"), "").map_err(io(admin.join("available")))?;
        Ok(Self { work })
    }

    /// The scratch root, resolved as `/proc/PID/exe` is.
    fn root(&self) -> Result<PathBuf, TaskError> {
        let root = self.work.path().join("root");
        root.canonicalize().map_err(io(root))
    }

    /// dpkg with `args`, in the scratch root. It wants ldconfig and start-stop-daemon on PATH,
    /// which a user's PATH may lack.
    fn dpkg(&self, args: &[&std::ffi::OsStr]) -> Result<String, TaskError> {
        let path = format!("{}:/usr/sbin:/sbin", std::env::var("PATH").unwrap_or_default());
        output(
            Command::new("dpkg")
                .env("PATH", path)
                .arg("--force-not-root")
                .arg(format!("--instdir={}", self.work.path().join("root").display()))
                .arg(format!("--admindir={}", self.work.path().join("dpkg").display()))
                .arg(format!(
                    "--log={}",
                    self.work.path().join("dpkg-events.log").display()
                ))
                .args(args),
        )
    }
}

/// A PNG's width and height, from its header; `None` for anything else.
pub(crate) fn png_size(head: &[u8]) -> Option<(u32, u32)> {
    if head.len() < 24 || &head[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let number = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    Some((number(16), number(20)))
}

/// The app, killed when dropped (a failed check leaves nothing running).
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process's parent and state, from `/proc/PID/stat` (the fields after the command's name,
/// which may hold spaces and parentheses).
pub(crate) fn parent_and_state(stat: &str) -> Option<(u32, char)> {
    let after = stat.rsplit_once(") ")?.1;
    let mut fields = after.split(' ');
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((parent, state))
}

/// The children of process `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| parent_and_state(&stat))
                .is_some_and(|(ppid, _)| ppid == parent)
        })
        .collect()
}

/// Whether process `pid` ends within `limit`: gone, or a zombie its new parent has not reaped.
fn ends(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| parent_and_state(&stat))
            .is_some_and(|(_, state)| state != 'Z');
        if !alive {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Waits until the app's log holds every one of `lines`, while the app runs, for at most
/// `limit`.
fn wait_for_log(app: &mut App, log: &Path, lines: &[&str], limit: Duration) -> Result<String, TaskError> {
    let deadline = Instant::now() + limit;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if lines.iter().all(|line| text.contains(line)) {
            return Ok(text);
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            return Err(failed(format!("the app ended at start ({status}): {text}")));
        }
        if Instant::now() > deadline {
            let missing: Vec<&&str> = lines.iter().filter(|line| !text.contains(*line)).collect();
            return Err(failed(format!(
                "the app's log lacks {missing:?} after {limit:?}: {text}"
            )));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// `/_sandbox/info` at `base` answers with JSON, straight (never through a proxy).
fn sandbox_answers(base: &str) -> Result<(), TaskError> {
    let url = format!("{}/_sandbox/info", base.trim_end_matches('/'));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(io("a tokio runtime"))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let answer = client
            .get(&url)
            .send()
            .await
            .map_err(|e| failed(format!("{url}: {e}")))?;
        let status = answer.status();
        let body: serde_json::Value = answer.json().await.map_err(|e| failed(format!("{url}: {e}")))?;
        if status.is_success() && body.is_object() {
            Ok(())
        } else {
            Err(failed(format!(
                "the app's sandbox at {base} answers {status}: {body}"
            )))
        }
    })
}

/// Installs `deb` into a scratch root, checks and runs what it installed, and removes it; says
/// its size and Depends, and that it passed.
pub(crate) fn check(deb: &Path) -> Result<String, TaskError> {
    let deb = deb.canonicalize().map_err(io(deb))?;
    let field = |name: &str| output(Command::new("dpkg-deb").arg("-f").arg(&deb).arg(name));
    let (package, version) = (field("Package")?, field("Version")?);
    let name = deb.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let kib = std::fs::metadata(&deb).map_err(io(&deb))?.len().div_ceil(1024);
    let size = format!("{name}: {kib} KiB; Depends: {}", field("Depends")?);
    let scratch = Scratch::new()?;
    scratch
        .dpkg(&["--install".as_ref(), deb.as_os_str()])
        .map_err(|e| failed(format!("dpkg cannot install it here: {e}")))?;
    let root = scratch.root()?;

    let programs = PROGRAMS.map(|p| format!("usr/bin/{p}"));
    for file in programs.iter().map(String::as_str).chain([
        "usr/share/applications/scim-token.desktop",
        "usr/share/doc/scim-token/copyright",
    ]) {
        if !root.join(file).is_file() {
            return Err(failed(format!("it installed no /{file}")));
        }
    }
    for size in [32, 128, 256, 512] {
        let icon = format!("usr/share/icons/hicolor/{size}x{size}/apps/scim-token-desktop.png");
        let head = std::fs::read(root.join(&icon)).map_err(io(root.join(&icon)))?;
        if png_size(&head) != Some((size, size)) {
            return Err(failed(format!("/{icon} is not a {size}x{size} PNG")));
        }
    }
    scratch
        .dpkg(&["--verify".as_ref(), package.as_ref()])
        .map_err(|e| {
            failed(format!(
                "what dpkg installed differs from the package's md5sums: {e}"
            ))
        })?;
    let entry = root.join("usr/share/applications/scim-token.desktop");
    output(Command::new("desktop-file-validate").arg(&entry))
        .map_err(|e| failed(format!("its menu entry is not valid: {e}")))?;
    let entry_text = std::fs::read_to_string(&entry).map_err(io(&entry))?;
    if !entry_text.lines().any(|l| l == "Exec=scim-token-desktop") {
        return Err(failed(
            "its menu entry does not start /usr/bin/scim-token-desktop",
        ));
    }

    let cli = root.join("usr/bin/scim-token");
    let cli_version = output(Command::new(&cli).arg("--version"))?;
    if cli_version != format!("scim-token {}", version.replace('~', "-")) {
        return Err(failed(format!(
            "the CLI says '{cli_version}', the package is {version}"
        )));
    }

    // No SCIM_TOKEN_CLI and a PATH without the build's programs: the sandbox must be the CLI
    // beside the app.
    let log_path = scratch.work.path().join("app.log");
    let log = std::fs::File::create(&log_path).map_err(io(&log_path))?;
    let mut app = App(Command::new(root.join("usr/bin/scim-token-desktop"))
        .args(["--sandbox", "--sandbox-port", "0"])
        .env_remove("SCIM_TOKEN_CLI")
        .env("PATH", "/usr/bin:/bin")
        .env("SCIM_TOKEN_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(io(&log_path))?)
        .stderr(log)
        .spawn()
        .map_err(io(root.join("usr/bin/scim-token-desktop")))?);
    let text = wait_for_log(
        &mut app,
        &log_path,
        &["main window loaded", "sandbox started"],
        Duration::from_secs(60),
    )?;
    let children = children_of(app.0.id());
    let mut programs_run = Vec::new();
    let mut sandbox = None;
    for child in &children {
        let exe = std::fs::read_link(format!("/proc/{child}/exe")).unwrap_or_default();
        if exe == cli {
            sandbox = Some(*child);
        }
        programs_run.push(exe.display().to_string());
    }
    let Some(sandbox) = sandbox else {
        return Err(failed(format!(
            "no child of the app runs the CLI the package installed; its children: {programs_run:?}"
        )));
    };
    let base = text
        .lines()
        .filter(|l| l.contains("sandbox started"))
        .find_map(|l| l.split_once("base=")?.1.split_whitespace().next())
        .ok_or_else(|| failed(format!("the app's log names no sandbox base: {text}")))?;
    sandbox_answers(base)?;
    drop(app);
    if !ends(sandbox, Duration::from_secs(10)) {
        return Err(failed("the sandbox outlived the app"));
    }
    // WebKit's processes end on their own once the app is gone; waited for, so that none is
    // still writing into the world's directories when it is removed.
    for child in children {
        ends(child, Duration::from_secs(10));
    }

    scratch
        .dpkg(&["--remove".as_ref(), package.as_ref()])
        .map_err(|e| failed(format!("dpkg cannot remove it: {e}")))?;
    let left: Vec<String> = files_below(&root)?
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    if !left.is_empty() {
        return Err(failed(format!("removing it left {left:?}")));
    }
    Ok(format!(
        "{size}\n{name}: installed, both programs run from it, removed: passed"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_header_gives_its_size_and_anything_else_none() {
        let mut head = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        head.extend(128u32.to_be_bytes());
        head.extend(64u32.to_be_bytes());
        assert_eq!(png_size(&head), Some((128, 64)));
        assert_eq!(png_size(b"GIF89a and more bytes than that"), None);
    }

    #[test]
    fn a_stat_line_gives_parent_and_state_whatever_the_name() {
        assert_eq!(
            parent_and_state("4242 (Web Content) (x)) S 17 4242 0"),
            Some((17, 'S'))
        );
        assert_eq!(parent_and_state("7 (sh) Z 1 7 7"), Some((1, 'Z')));
        assert_eq!(parent_and_state("garbage"), None);
    }
}
