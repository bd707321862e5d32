//! The admin's proxy choice, kept in `network.json` beside the records so that the app, the CLI
//! and the scheduled check all follow it. A proxy password is never written there (no file of
//! scim-token's holds a secret): a proxy that needs one is given by `HTTPS_PROXY`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::proxy::ProxyChoice;

/// The file's name in the records folder.
const FILE: &str = "network.json";

/// Why the setting could not be read or kept.
#[derive(Debug, Error)]
pub enum SettingError {
    /// The file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS's error.
        source: std::io::Error,
    },
    /// The file holds something else than a setting.
    #[error("{} is not a network setting ({detail}); choose the proxy again to replace it", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A proxy address with a password, which no file may hold.
    #[error(
        "a proxy password is not saved in a file: set HTTPS_PROXY=http://user:password@proxy:port in the environment instead (a password on a command line is visible to other users of this computer)"
    )]
    PasswordInSetting,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    proxy: String,
}

/// The proxy choice kept in `dir`; the system's when none was ever made.
pub fn load(dir: &Path) -> Result<ProxyChoice, SettingError> {
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ProxyChoice::System),
        Err(source) => {
            return Err(SettingError::File {
                action: "read",
                path,
                source,
            });
        }
    };
    let unreadable = |detail: String| SettingError::Unreadable {
        path: path.clone(),
        detail,
    };
    let on_disk: OnDisk = serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
    on_disk
        .proxy
        .parse()
        .map_err(|e: super::proxy::BadProxyUrl| unreadable(e.to_string()))
}

/// Keeps `choice` in `dir`.
pub fn save(dir: &Path, choice: &ProxyChoice) -> Result<(), SettingError> {
    if let ProxyChoice::Url(url) = choice
        && url.url().password().is_some()
    {
        return Err(SettingError::PasswordInSetting);
    }
    let path = dir.join(FILE);
    let io = |source| SettingError::File {
        action: "write",
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let json = serde_json::to_vec_pretty(&OnDisk {
        proxy: choice.to_string(),
    })
    .expect("a string serializes");
    crate::atomic_file::write_whole(&path, &json).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_kept_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), ProxyChoice::System);
        let chosen: ProxyChoice = "http://proxy.corp.example:3128".parse().unwrap();
        save(dir.path(), &chosen).unwrap();
        assert_eq!(load(dir.path()).unwrap(), chosen);
        save(dir.path(), &ProxyChoice::Direct).unwrap();
        assert_eq!(load(dir.path()).unwrap(), ProxyChoice::Direct);
    }

    #[test]
    fn a_password_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let with_password: ProxyChoice = "http://alice:s3cret@proxy:3128".parse().unwrap();
        assert!(matches!(
            save(dir.path(), &with_password),
            Err(SettingError::PasswordInSetting)
        ));
        assert!(!dir.path().join(FILE).exists());
        let user_only: ProxyChoice = "http://alice@proxy:3128".parse().unwrap();
        save(dir.path(), &user_only).unwrap();
        assert_eq!(load(dir.path()).unwrap(), user_only);
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"{\"proxy\": \"ftp://x\"}").unwrap();
        let refused = load(dir.path()).unwrap_err().to_string();
        assert!(
            refused.contains("network.json") && refused.contains("not a network setting"),
            "{refused}"
        );
    }
}
