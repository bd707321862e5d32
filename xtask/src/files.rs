//! Walking a folder, once for the tidy checks and the packaging.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Every file below `dir` that `keep` accepts, skipping folders named in `skip`, sorted as bytes
/// (as `LC_ALL=C sort` does, which dpkg's md5sums and tidy's stable findings both want).
pub(crate) fn below(
    dir: &Path,
    skip: &[&str],
    keep: impl Fn(&Path) -> bool,
) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                if !skip.iter().any(|s| path.file_name() == Some(OsStr::new(s))) {
                    pending.push(path);
                }
            } else if keep(&path) {
                found.push(path);
            }
        }
    }
    found.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    Ok(found)
}
