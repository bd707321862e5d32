//! Running the programs packaging needs (dpkg, strip, cargo), each failure named with what was
//! run and what it said.

use std::path::PathBuf;
use std::process::Command;

/// Why a task stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TaskError {
    /// A program could not be started, or ended with a failure.
    #[error("{what} failed{}: {stderr}", .status.map(|s| format!(" (exit {s})")).unwrap_or_default())]
    Command {
        what: String,
        status: Option<i32>,
        stderr: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A check found something wrong with what was built.
    #[error("FAILED: {0}")]
    Check(String),
}

/// `Err(TaskError::Io)` for `path`, for `map_err`.
pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> TaskError {
    let path = path.into();
    move |source| TaskError::Io { path, source }
}

/// Runs `command` to its end; its standard output, trimmed, or what went wrong.
pub(crate) fn output(command: &mut Command) -> Result<String, TaskError> {
    let what = format!("{command:?}");
    let out = command.output().map_err(|e| TaskError::Command {
        what: what.clone(),
        status: None,
        stderr: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(TaskError::Command {
            what,
            status: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The machine's Debian architecture (`amd64`).
pub(crate) fn debian_arch() -> Result<String, TaskError> {
    output(Command::new("dpkg").arg("--print-architecture"))
}

/// The last commit's time (seconds since 1970), for reproducible archives; now, outside git.
pub(crate) fn source_date_epoch() -> String {
    if let Ok(set) = std::env::var("SOURCE_DATE_EPOCH") {
        return set;
    }
    output(Command::new("git").args(["log", "-1", "--format=%ct"]))
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs().to_string())
                .unwrap_or_default()
        })
}
