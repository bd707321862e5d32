//! The page a browser sign-in opens on. A browser started with the authorize URL as its argument
//! shows that URL — its `state` and PKCE challenge — to every local user (`/proc/PID/cmdline`,
//! `ps`). So the browser is given a file only this user can read (0600, in a 0700 folder) whose
//! page sends it on to the URL; the file goes when the sign-in ends.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use url::Url;

use crate::markup::escape;

/// What to do when the browser cannot read the page (a browser installed as a snap reads neither
/// the runtime nor the temporary folder), for both shells to show beside the link.
pub const UNREADABLE_PAGE_HINT: &str = "If the browser says the file was not found (a browser installed as a snap cannot read the page it is opened on), open the sign-in link yourself";

/// A written launch page; its folder is removed when this is dropped (keep it for the sign-in).
#[derive(Debug)]
#[must_use = "the page is removed when dropped: keep it until the sign-in ends"]
pub struct LaunchPage {
    folder: PathBuf,
    file: PathBuf,
}

/// Where launch pages go: the per-user runtime folder where there is one (Linux's
/// `XDG_RUNTIME_DIR`, only this user's, in memory), else the temporary folder (per user on
/// Windows and macOS).
fn launch_parent() -> PathBuf {
    #[cfg(all(unix, not(target_os = "macos")))]
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from)
        && runtime.is_absolute()
        && runtime.is_dir()
    {
        return runtime;
    }
    std::env::temp_dir()
}

/// The page: a refresh to `url` (and a script doing the same, for browsers that hold a refresh
/// from a file), with a link for a browser that does neither. No referrer leaves it.
fn page_for(url: &Url) -> String {
    let href = escape(url.as_str());
    let json = serde_json::to_string(url.as_str())
        .unwrap_or_default()
        .replace('<', "\\u003c");
    format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n<title>Signing in…</title>\n<script>location.replace({json});</script>\n<p>Opening the sign-in page… <a href=\"{href}\">Continue</a></p>\n"
    )
}

impl LaunchPage {
    /// Writes the page for `url` where launch pages go.
    pub fn write(url: &Url) -> std::io::Result<Self> {
        Self::write_in(&launch_parent(), url)
    }

    /// Writes the page for `url` in a new folder of its own under `parent`.
    pub fn write_in(parent: &Path, url: &Url) -> std::io::Result<Self> {
        // A relative temporary folder (TMP=tmp) would give no file: URL.
        let parent = std::path::absolute(parent)?;
        let random = oauth2::CsrfToken::new_random().secret().replace(['-', '_'], "");
        let folder = parent.join(format!("scim-token-sign-in-{random}"));
        #[cfg(unix)]
        let builder = {
            let mut builder = fs::DirBuilder::new();
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
        };
        // Windows: the user's temporary folder is only theirs already.
        #[cfg(not(unix))]
        let builder = fs::DirBuilder::new();
        builder.create(&folder)?;
        let page = Self {
            file: folder.join("sign-in.html"),
            folder,
        };
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&page.file)?;
        file.write_all(page_for(url).as_bytes())?;
        file.sync_all()?;
        Ok(page)
    }

    /// The page's `file:` URL, to hand to the browser.
    pub fn file_url(&self) -> Url {
        Url::from_file_path(&self.file).expect("an absolute path: write_in makes it one")
    }

    /// The page's path.
    pub fn path(&self) -> &Path {
        &self.file
    }
}

impl Drop for LaunchPage {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.folder)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(
                "could not remove the sign-in launch page {}: {e}",
                self.folder.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_only_the_users_and_goes_when_dropped() {
        let parent = tempfile::tempdir().unwrap();
        let url =
            Url::parse("https://login.example/authorize?state=s3cr3t&code_challenge=c&x=<'\"&y").unwrap();
        let launched = LaunchPage::write_in(parent.path(), &url).unwrap();
        let text = fs::read_to_string(launched.path()).unwrap();
        assert!(text.contains(&format!("url={}", escape(url.as_str()))), "{text}");
        assert!(!text.contains("<'"), "no markup from the URL: {text}");
        assert!(
            !launched.file_url().as_str().contains("s3cr3t"),
            "the URL to hand out is not the secret one"
        );
        assert_eq!(launched.file_url().scheme(), "file");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(launched.path()), 0o600);
            assert_eq!(mode(launched.path().parent().unwrap()), 0o700);
        }
        let folder = launched.path().parent().unwrap().to_owned();
        drop(launched);
        assert!(!folder.exists(), "removed with its folder");
    }
}
