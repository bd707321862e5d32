//! The records file: `TokenRecord`s as JSON, written atomically, never silently overwritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::VaultError;
use crate::token::TokenRecord;

const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    records: Vec<TokenRecord>,
}

#[derive(Debug, Clone)]
pub(super) struct RecordsFile {
    path: PathBuf,
}

impl RecordsFile {
    pub(super) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The records; none when the file does not exist. A corrupt file is moved aside and reported.
    pub(super) fn load(&self) -> Result<Vec<TokenRecord>, VaultError> {
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
        match serde_json::from_slice::<OnDisk>(&bytes) {
            Ok(disk) if disk.version == FORMAT_VERSION => Ok(disk.records),
            _ => Err(self.set_aside()),
        }
    }

    fn set_aside(&self) -> VaultError {
        let stamp = OffsetDateTime::now_utc().unix_timestamp();
        let kept_at = self.path.with_extension(format!("json.corrupt-{stamp}"));
        match fs::rename(&self.path, &kept_at) {
            Ok(()) => VaultError::CorruptRecords {
                path: self.path.clone(),
                kept_at,
            },
            Err(source) => VaultError::Records {
                action: "move aside the unreadable",
                path: self.path.clone(),
                source,
            },
        }
    }

    /// Loads, changes and writes back. A corrupt file is moved aside first and the change applies
    /// to an empty list.
    pub(super) fn update(&self, change: impl FnOnce(&mut Vec<TokenRecord>)) -> Result<(), VaultError> {
        let mut records = match self.load() {
            Ok(records) => records,
            Err(VaultError::CorruptRecords { .. }) => Vec::new(),
            Err(other) => return Err(other),
        };
        change(&mut records);
        self.write(&records)
    }

    /// Temp file in the same directory, fsync, rename: readers see the old or the new file whole.
    fn write(&self, records: &[TokenRecord]) -> Result<(), VaultError> {
        let io_err = |action, source| VaultError::Records {
            action,
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
        fs::create_dir_all(dir).map_err(|e| io_err("create the directory of", e))?;
        let json = serde_json::to_vec_pretty(&OnDisk {
            version: FORMAT_VERSION,
            records: records.to_vec(),
        })
        .expect("records always serialize");
        let tmp = self
            .path
            .with_extension(format!("json.tmp-{}", std::process::id()));
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(&json)?;
            file.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            // The rename is durable once the directory is synced; the new file is already in
            // place, so a failure here is not reported as a failed write.
            let _ = fs::File::open(dir).and_then(|d| d.sync_all());
            Ok(())
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(io_err("write", e));
        }
        Ok(())
    }
}
