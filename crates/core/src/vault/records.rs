//! A records file: a list of non-secret records as JSON (`TokenRecord`s in `tokens.json`, Entra
//! sessions in `entra.json`), written atomically under an advisory lock, never changed by a read
//! and never silently overwritten.

use std::fs;
use std::path::{Path, PathBuf};

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::VaultError;
use crate::file_lock::{FileLock, FileLockError};
use crate::token::TokenRecord;

/// The format this build reads and writes.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct OnDisk<'a, T> {
    version: u32,
    records: &'a [T],
}

/// Only the version, so a newer file is recognised even when its records would not parse.
#[derive(Deserialize)]
struct Version {
    version: u32,
}

#[derive(Deserialize)]
struct Parsed<T> {
    records: Vec<T>,
}

/// What a write does with an unreadable file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unreadable {
    /// Keep it aside under a new name and start a new file (a sign-in: the user starts over).
    SetAside,
    /// Leave it and fail (forgetting one org must not discard the others).
    Refuse,
}

#[derive(Debug)]
pub(super) struct RecordsFile<T = TokenRecord> {
    path: PathBuf,
    records: PhantomData<fn() -> T>,
}

impl<T> Clone for RecordsFile<T> {
    fn clone(&self) -> Self {
        Self {
            path: self.path.clone(),
            records: PhantomData,
        }
    }
}

/// How long a change of the records waits for another program's. Longer than one keyring call
/// may wait for an unlock prompt ([`super::DEFAULT_KEYRING_TIMEOUT`]); a holder that keeps the lock
/// longer is almost always at a prompt nobody is answering (it may make several keyring calls),
/// and the waiter then says so, naming it, rather than waiting on behind it.
pub(super) const RECORDS_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(90);

/// A records file whose lock this program holds until this is dropped.
pub(super) struct Locked<'a, T> {
    file: &'a RecordsFile<T>,
    _guard: FileLock,
}

impl<T: Serialize + DeserializeOwned> Locked<'_, T> {
    /// The records (see [`RecordsFile::load`]).
    pub(super) fn load(&self) -> Result<Vec<T>, VaultError> {
        self.file.load()
    }

    /// Loads, changes and writes back. Returns where an unreadable file was kept, if it was.
    pub(super) fn update(
        &self,
        unreadable: Unreadable,
        change: impl FnOnce(&mut Vec<T>),
    ) -> Result<Option<PathBuf>, VaultError> {
        let (mut records, set_aside) = match self.file.load() {
            Ok(records) => (records, None),
            Err(VaultError::CorruptRecords { .. }) if unreadable == Unreadable::SetAside => {
                (Vec::new(), Some(self.file.set_aside()?))
            }
            Err(other) => return Err(other),
        };
        change(&mut records);
        self.file.write(&records)?;
        Ok(set_aside)
    }
}

impl<T: Serialize + DeserializeOwned> RecordsFile<T> {
    pub(super) fn new(path: PathBuf) -> Self {
        Self {
            path,
            records: PhantomData,
        }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The records; none when the file does not exist. Reads only: an unreadable or newer file
    /// is an error every time, and stays where it is.
    pub(super) fn load(&self) -> Result<Vec<T>, VaultError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(VaultError::Records {
                    action: "read",
                    path: self.path.clone(),
                    source,
                });
            }
        };
        self.parse(&bytes)
    }

    fn parse(&self, bytes: &[u8]) -> Result<Vec<T>, VaultError> {
        let corrupt = |reason: String| VaultError::CorruptRecords {
            path: self.path.clone(),
            reason,
        };
        let version = serde_json::from_slice::<Version>(bytes)
            .map_err(|e| corrupt(format!("not a records file: {e}")))?
            .version;
        if version > FORMAT_VERSION {
            return Err(VaultError::NewerRecords {
                path: self.path.clone(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if version < FORMAT_VERSION {
            return Err(corrupt(format!("unknown format {version}")));
        }
        serde_json::from_slice::<Parsed<T>>(bytes)
            .map(|parsed| parsed.records)
            .map_err(|e| corrupt(e.to_string()))
    }

    /// Under the lock: loads, changes and writes back, so two programs (the CLI and the app)
    /// never lose each other's changes. Returns where an unreadable file was kept, if it was.
    pub(super) fn update(
        &self,
        unreadable: Unreadable,
        change: impl FnOnce(&mut Vec<T>),
    ) -> Result<Option<PathBuf>, VaultError> {
        self.locked()?.update(unreadable, change)
    }

    /// Takes the lock for several steps (keyring calls between reads and writes of the file),
    /// so that no other program's steps interleave with them.
    pub(super) fn locked(&self) -> Result<Locked<'_, T>, VaultError> {
        Ok(Locked {
            file: self,
            _guard: self.lock()?,
        })
    }

    /// An exclusive advisory lock on `<records>.lock`, held until dropped. A lock file of its own,
    /// because the records file itself is replaced by rename. Waited for at most
    /// [`RECORDS_LOCK_WAIT`]: its holder may be stuck behind a keyring prompt nobody answers.
    fn lock(&self) -> Result<FileLock, VaultError> {
        FileLock::acquire(&self.path.with_extension("json.lock"), RECORDS_LOCK_WAIT).map_err(|e| match e {
            FileLockError::Io { action, source, .. } => VaultError::Records {
                action,
                path: self.path.clone(),
                source,
            },
            FileLockError::Busy { holder, waited, .. } => VaultError::RecordsBusy {
                path: self.path.clone(),
                holder,
                waited,
            },
        })
    }

    fn set_aside(&self) -> Result<PathBuf, VaultError> {
        let stamp = OffsetDateTime::now_utc().unix_timestamp();
        let kept_at = self.path.with_extension(format!("json.unreadable-{stamp}"));
        fs::rename(&self.path, &kept_at).map_err(|source| VaultError::Records {
            action: "keep aside the unreadable",
            path: self.path.clone(),
            source,
        })?;
        tracing::warn!("the unreadable records file was kept at {}", kept_at.display());
        Ok(kept_at)
    }

    /// Temp file in the same directory, fsync, rename: readers see the old or the new file whole.
    fn write(&self, records: &[T]) -> Result<(), VaultError> {
        let io_err = |action, source| VaultError::Records {
            action,
            path: self.path.clone(),
            source,
        };
        let json = serde_json::to_vec_pretty(&OnDisk {
            version: FORMAT_VERSION,
            records,
        })
        .expect("records always serialize");
        crate::atomic_file::write_whole(&self.path, &json).map_err(|e| io_err("write", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(text: &str) -> (tempfile::TempDir, RecordsFile) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        fs::write(&path, text).unwrap();
        (dir, RecordsFile::new(path))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn reading_an_unreadable_file_changes_nothing_and_fails_every_time() {
        let (dir, file) = file_with("{ not json");
        for _ in 0..3 {
            let err = file.load().unwrap_err();
            assert!(matches!(err, VaultError::CorruptRecords { .. }), "{err:?}");
        }
        assert_eq!(names(dir.path()), ["tokens.json"]);
        assert_eq!(fs::read_to_string(file.path()).unwrap(), "{ not json");
    }

    #[test]
    fn a_newer_file_is_reported_and_never_written() {
        let newer = r#"{"version": 2, "records": [{"shape": "from the future"}]}"#;
        let (dir, file) = file_with(newer);
        let err = file.load().unwrap_err();
        assert!(
            matches!(err, VaultError::NewerRecords { found: 2, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("newer version"), "{err}");
        for unreadable in [Unreadable::SetAside, Unreadable::Refuse] {
            let err = file.update(unreadable, |r| r.clear()).unwrap_err();
            assert!(matches!(err, VaultError::NewerRecords { .. }), "{err:?}");
        }
        assert_eq!(fs::read_to_string(file.path()).unwrap(), newer);
        assert_eq!(
            names(dir.path()),
            ["tokens.json", "tokens.json.lock", "tokens.json.lock.holder"]
        );
    }

    #[test]
    fn only_a_sign_in_sets_an_unreadable_file_aside() {
        let (dir, file) = file_with("{ not json");
        let err = file.update(Unreadable::Refuse, |_| {}).unwrap_err();
        assert!(matches!(err, VaultError::CorruptRecords { .. }), "{err:?}");
        assert_eq!(fs::read_to_string(file.path()).unwrap(), "{ not json");

        let kept = file.update(Unreadable::SetAside, |_| {}).unwrap().unwrap();
        assert_eq!(fs::read_to_string(&kept).unwrap(), "{ not json");
        assert!(file.load().unwrap().is_empty());
        assert_eq!(names(dir.path()).len(), 4, "{:?}", names(dir.path()));
    }

    #[test]
    fn a_record_with_an_unusable_broker_is_reported_not_a_panic() {
        let text = r#"{"version": 1, "records": [{"org_id": "1eb65fdf-9643-417f-9974-ad72cae0e10f",
            "broker": {"kind": "custom", "base": "data:,x"}, "issued_at": "2026-01-01T00:00:00Z",
            "fingerprint": "sha256:00000000"}]}"#;
        let (_dir, file) = file_with(text);
        let err = file.load().unwrap_err();
        assert!(matches!(err, VaultError::CorruptRecords { .. }), "{err:?}");
        assert!(err.to_string().contains("http"), "{err}");
    }
}
