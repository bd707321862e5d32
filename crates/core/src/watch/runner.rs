//! How the watch runs scheduler commands (`systemctl`, `launchctl`, `id`, `schtasks`): through a
//! [`Runner`], so tests can check the exact commands without running them.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one scheduler command may take before it is killed: a wedged user bus must not hang
/// the shell that asked.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// It exited with status 0.
    pub success: bool,
    /// Its exit code, when it exited (not killed by a signal).
    pub code: Option<i32>,
    /// Its standard output (lossy UTF-8).
    pub stdout: String,
    /// Its standard error (lossy UTF-8).
    pub stderr: String,
}

impl Ran {
    /// What it said, for a message: stderr, else stdout, else its exit code.
    pub fn describe(&self) -> String {
        let said = if self.stderr.trim().is_empty() {
            self.stdout.trim()
        } else {
            self.stderr.trim()
        };
        match (said.is_empty(), self.code) {
            (false, _) => said.lines().collect::<Vec<_>>().join(" "),
            (true, Some(code)) => format!("exit status {code}"),
            (true, None) => "killed by a signal".to_owned(),
        }
    }
}

/// Runs a program with arguments and waits for it.
pub trait Runner {
    /// Runs `program args…`; `Err` when it could not be started or timed out.
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<Ran>;
}

impl<R: Runner + ?Sized> Runner for &R {
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<Ran> {
        (**self).run(program, args)
    }
}

/// The real thing: `std::process::Command`, stdin closed, bounded by [`COMMAND_TIMEOUT`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRunner;

impl Runner for SystemRunner {
    fn run(&self, program: &str, args: &[String]) -> std::io::Result<Ran> {
        run_bounded(program, args, COMMAND_TIMEOUT)
    }
}

fn run_bounded(program: &str, args: &[String], limit: Duration) -> std::io::Result<Ran> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("{program} did not finish within {} s", limit.as_secs()),
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Ran {
        success: status.success(),
        code: status.code(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_prefers_stderr_then_stdout_then_the_code() {
        let ran = |stdout: &str, stderr: &str, code| Ran {
            success: false,
            code,
            stdout: stdout.into(),
            stderr: stderr.into(),
        };
        assert_eq!(
            ran("out", "line 1\nline 2\n", Some(1)).describe(),
            "line 1 line 2"
        );
        assert_eq!(ran("out\n", " ", Some(1)).describe(), "out");
        assert_eq!(ran("", "", Some(4)).describe(), "exit status 4");
        assert_eq!(ran("", "", None).describe(), "killed by a signal");
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let err = SystemRunner.run("scim-token-no-such-program", &[]).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn the_real_runner_captures_output_and_exit_codes() {
        let args = ["-c".to_owned(), "echo out; echo err >&2; exit 3".to_owned()];
        let ran = SystemRunner.run("sh", &args).unwrap();
        assert_eq!(
            ran,
            Ran {
                success: false,
                code: Some(3),
                stdout: "out\n".into(),
                stderr: "err\n".into()
            }
        );
        let slow = ["-c".to_owned(), "sleep 5".to_owned()];
        let err = run_bounded("sh", &slow, Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    }
}
