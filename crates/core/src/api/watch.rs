//! The background watch as a use case for both shells: turn the OS scheduler's
//! `scim-token check --notify` on or off, or read its status, off the async workers.

use std::path::{Path, PathBuf};

use super::ApiError;
use crate::watch::{Watch, WatchError, WatchInterval, WatchStatus};

/// Where the background watch is and what the scheduler says about it.
pub async fn watch_status() -> Result<WatchStatus, ApiError> {
    on_blocking_pool(|| Watch::for_this_system()?.status()).await
}

/// Schedules `binary` (an absolute path to the `scim-token` command) `every` interval, or, with
/// `None`, removes the schedule; returns the status afterwards.
pub async fn set_watch(binary: Option<(PathBuf, WatchInterval)>) -> Result<WatchStatus, ApiError> {
    on_blocking_pool(move || {
        let watch = Watch::for_this_system()?;
        match &binary {
            Some((binary, every)) => watch.enable(binary, *every)?,
            None => watch.disable()?,
        }
        watch.status()
    })
    .await
}

/// The `scim-token` command installed beside `program` (the desktop app), which the watch
/// schedules; an error naming where it looked when it is not there.
pub fn command_beside(program: &Path) -> Result<PathBuf, ApiError> {
    let cli = program.with_file_name(format!("scim-token{}", std::env::consts::EXE_SUFFIX));
    if cli.is_file() {
        Ok(cli)
    } else {
        Err(ApiError::Watch(WatchError::CommandMissing(cli)))
    }
}

async fn on_blocking_pool<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, WatchError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(call).await {
        Ok(result) => Ok(result?),
        Err(join) => std::panic::resume_unwind(join.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_command_names_where_it_was_looked_for() {
        let dir = std::env::temp_dir().join(format!("scim-token-beside-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let app = dir.join("scim-token-desktop");
        let err = command_beside(&app).unwrap_err();
        assert_eq!(err.kind(), super::super::ErrorKind::Watch);
        assert!(err.to_string().contains(&dir.display().to_string()), "{err}");
        let cli = dir.join(format!("scim-token{}", std::env::consts::EXE_SUFFIX));
        std::fs::write(&cli, b"").unwrap();
        assert_eq!(command_beside(&app).unwrap(), cli);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
