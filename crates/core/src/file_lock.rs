//! An exclusive advisory lock on a file, shared by every scim-token process of the user (the
//! CLI, the desktop app, the background watch), waited for a bounded time: the records files'
//! lock and the one-push-per-job lock. When the wait runs out, the error says which process
//! holds the lock, from the note its holder leaves beside it (`<lock>.holder`: on Windows the
//! locked file itself can be neither written through another handle nor read while locked).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a waiting lock is tried again. The OS offers no bounded wait on an advisory lock,
/// and a wait here is measured in seconds, so a short poll costs nothing.
const RETRY: Duration = Duration::from_millis(50);

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum FileLockError {
    /// The lock file could not be made or opened.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Another process held it for the whole wait.
    #[error("{} is held by {holder} and was not released within {} s", .path.display(), .waited.as_secs())]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// Who holds it, in words ("process 4242 (scim-token push) since …", or "another process").
        holder: String,
        /// How long this process waited.
        waited: Duration,
    },
}

/// A held lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct FileLock {
    _file: fs::File,
}

/// The note beside the lock at `path`.
fn holder_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".holder");
    PathBuf::from(name)
}

/// This process, in the words a waiting one shows.
fn this_process() -> String {
    let program = std::env::args_os()
        .take(2)
        .map(|a| {
            Path::new(&a)
                .file_name()
                .unwrap_or(&a)
                .to_string_lossy()
                .into_owned()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let since = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    format!("process {} ({program}) since {since}", std::process::id())
}

impl FileLock {
    /// Takes the lock on `path` (made, with its folder, if missing), waiting at most `wait` for
    /// another holder to let go. Blocks the calling thread: call it off the async workers.
    pub fn acquire(path: &Path, wait: Duration) -> Result<Self, FileLockError> {
        let io_err = |action, source| FileLockError::Io {
            action,
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_err("create the folder of", e))?;
        }
        // Held open for reading only: a lock needs no write access, and a file held open for
        // writing would keep its file system from being remounted read-only.
        let file = match fs::File::open(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(path)
                    .map_err(|e| io_err("create the lock file", e))?;
                fs::File::open(path)
            }
            other => other,
        }
        .map_err(|e| io_err("open the lock file", e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < wait => std::thread::sleep(RETRY),
                Err(fs::TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(holder_path(path))
                        .ok()
                        .map(|h| h.trim().to_owned())
                        .filter(|h| !h.is_empty())
                        .unwrap_or_else(|| "another process".to_owned());
                    return Err(FileLockError::Busy {
                        path: path.to_owned(),
                        holder,
                        waited: started.elapsed(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(io_err("lock", e)),
            }
        }
        // Only informational: a failure to leave the note changes nothing about the lock. Written
        // aside and renamed, so a waiter never reads half a note.
        let note = holder_path(path);
        let mut partial = note.as_os_str().to_owned();
        partial.push(format!(".{}", std::process::id()));
        let partial = PathBuf::from(partial);
        let _ = fs::File::create(&partial)
            .and_then(|mut f| f.write_all(this_process().as_bytes()))
            .and_then(|()| fs::rename(&partial, &note));
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_names_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locks").join("job.lock");
        let first = FileLock::acquire(&path, Duration::ZERO).expect("free");
        let busy = FileLock::acquire(&path, Duration::from_millis(200)).unwrap_err();
        let FileLockError::Busy { holder, waited, .. } = &busy else {
            panic!("{busy}");
        };
        assert!(
            holder.starts_with(&format!("process {} (", std::process::id())),
            "{holder}"
        );
        assert!(*waited >= Duration::from_millis(200), "{waited:?}");
        assert!(busy.to_string().contains("job.lock is held by process"), "{busy}");
        drop(first);
        FileLock::acquire(&path, Duration::ZERO).expect("free again once dropped");
    }

    #[test]
    fn a_lock_released_during_the_wait_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.lock");
        let first = FileLock::acquire(&path, Duration::ZERO).expect("free");
        let (taken_tx, taken_rx) = std::sync::mpsc::channel();
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                let lock = FileLock::acquire(&path, Duration::from_secs(60));
                taken_tx.send(()).unwrap();
                lock
            })
        };
        assert!(
            taken_rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "not taken while held"
        );
        drop(first);
        waiter.join().unwrap().expect("taken once released");
    }
}
