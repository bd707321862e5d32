//! Looking for a secret in files: the secret-hygiene checks of the CLI and desktop e2e tests.

use std::path::{Path, PathBuf};

/// Every file under `root` whose bytes contain `needle`, skipping directories named in `skip`
/// (the keyring's own directory: the one place a token may be, and encrypted there).
pub fn files_containing(root: &Path, needle: &str, skip: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() && !skip.iter().any(|s| entry.file_name() == *s) => {
                    pending.push(path);
                }
                Ok(t) if t.is_file() => {
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        found.push(path);
                    }
                }
                _ => {}
            }
        }
    }
    found
}
