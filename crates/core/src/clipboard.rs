//! The clipboard as both shells use it: the text goes on kept out of clipboard history (and, on
//! Windows, out of the cloud clipboard and clipboard monitors), is read back before anyone is told
//! it was copied, and is cleared later only if the clipboard still holds it.

use std::time::Duration;

use thiserror::Error;
use zeroize::Zeroizing;

/// How long a copy stays on the clipboard unless a shell is told otherwise.
pub const DEFAULT_CLEAR_AFTER: Duration = Duration::from_secs(45);

/// Why a copy did not happen.
#[derive(Debug, Error)]
pub enum ClipboardError {
    /// No clipboard could be opened.
    #[error("cannot open the clipboard ({0}); is there a graphical session?")]
    Unavailable(String),
    /// The clipboard refused the text.
    #[error("cannot write to the clipboard: {0}")]
    Write(String),
    /// The text was written but another program replaced it at once.
    #[error("the clipboard did not keep the copy: another program took it at once; try again")]
    NotKept,
}

/// What became of a copy when it was due to be cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ClearOutcome {
    /// The clipboard still held the copy and is now empty.
    Cleared,
    /// The clipboard holds something else now (the user copied since): left alone.
    LeftAlone,
    /// Clearing failed; the copy may still be there.
    Failed,
}

impl ClearOutcome {
    /// What happened, in words, with what to do when something is left to do.
    pub fn description(self) -> &'static str {
        match self {
            Self::Cleared => "Clipboard cleared.",
            Self::LeftAlone => "Clipboard left as it is: it holds something else now.",
            Self::Failed => "The clipboard could not be cleared: clear it yourself.",
        }
    }
}

/// Text on the clipboard, owned by this process until it is cleared or replaced.
///
/// On X11 and Wayland the owner serves the text to other programs, so the handle must live as
/// long as the copy should be pasteable.
pub struct ClipboardCopy {
    clipboard: arboard::Clipboard,
    text: Zeroizing<String>,
}

impl std::fmt::Debug for ClipboardCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClipboardCopy([REDACTED])")
    }
}

impl ClipboardCopy {
    /// Puts `text` on the clipboard, excluded from history where the platform allows, and reads
    /// it back. Reading back is a round trip to the display server: once it answers with our
    /// text, we are the owner, so a later copy by anyone else is the one that wins.
    pub fn put(text: Zeroizing<String>) -> Result<Self, ClipboardError> {
        let mut clipboard =
            arboard::Clipboard::new().map_err(|e| ClipboardError::Unavailable(e.to_string()))?;
        set_private_text(&mut clipboard, &text).map_err(|e| ClipboardError::Write(e.to_string()))?;
        let mut copy = Self { clipboard, text };
        if !copy.still_ours() {
            // Whatever the clipboard holds now, make sure it is not ours being handed over to a
            // clipboard manager when the handle drops.
            let _ = copy.clear_if_unchanged();
            return Err(ClipboardError::NotKept);
        }
        Ok(copy)
    }

    /// Whether the clipboard still holds the copied text.
    pub fn still_ours(&mut self) -> bool {
        self.clipboard.get_text().ok().as_deref() == Some(self.text.as_str())
    }

    /// Clears the clipboard if it still holds the copy; leaves anything else alone.
    pub fn clear_if_unchanged(mut self) -> ClearOutcome {
        if !self.still_ours() {
            return ClearOutcome::LeftAlone;
        }
        match self.clipboard.clear() {
            Ok(()) => ClearOutcome::Cleared,
            Err(e) => {
                tracing::warn!("cannot clear the clipboard: {e}");
                ClearOutcome::Failed
            }
        }
    }
}

/// Which exclusions a platform's clipboard offers for a secret, in the order they are applied.
/// A function of its own so the decision is tested on every platform.
pub fn exclusions(target_os: &str) -> &'static [Exclusion] {
    match target_os {
        // `x-kde-passwordManagerHint: secret`, honoured by Klipper and GNOME clipboard managers.
        "linux" => &[Exclusion::History],
        // `ExcludeClipboardContentFromMonitorProcessing` covers history and cloud; the two formats
        // below are set too for clipboard tools that only read them.
        "windows" => &[Exclusion::Monitoring, Exclusion::History, Exclusion::Cloud],
        // `org.nspasteboard.ConcealedType`, honoured by macOS clipboard managers.
        "macos" => &[Exclusion::History],
        _ => &[],
    }
}

/// A way of keeping a copied secret away from clipboard tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// Not added to clipboard history (Windows `CanIncludeInClipboardHistory` = 0; Linux password
    /// manager hint).
    History,
    /// Not uploaded to the Windows cloud clipboard (`CanUploadToCloudClipboard` = 0).
    Cloud,
    /// Not processed by any clipboard monitor (`ExcludeClipboardContentFromMonitorProcessing`).
    Monitoring,
}

/// Linux and macOS offer the history exclusion alone, through two traits of the same shape.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    #[cfg(target_os = "macos")]
    use arboard::SetExtApple as _;
    #[cfg(target_os = "linux")]
    use arboard::SetExtLinux as _;
    let mut set = clipboard.set();
    if exclusions(std::env::consts::OS).contains(&Exclusion::History) {
        set = set.exclude_from_history();
    }
    set.text(text)
}

#[cfg(windows)]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows;
    let mut set = clipboard.set();
    for exclusion in exclusions(std::env::consts::OS) {
        set = match exclusion {
            Exclusion::Monitoring => set.exclude_from_monitoring(),
            Exclusion::History => set.exclude_from_history(),
            Exclusion::Cloud => set.exclude_from_cloud(),
        };
    }
    set.text(text)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    clipboard.set_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_kept_out_of_history_on_linux_and_windows() {
        assert_eq!(exclusions("linux"), &[Exclusion::History]);
        let windows = exclusions("windows");
        for wanted in [Exclusion::Monitoring, Exclusion::History, Exclusion::Cloud] {
            assert!(windows.contains(&wanted), "{wanted:?} missing on Windows");
        }
        assert_eq!(exclusions("macos"), &[Exclusion::History]);
        assert!(exclusions("freebsd").is_empty());
    }
}
