//! `scim-token copy url|token`: to the clipboard, cleared later if still ours.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use scim_token_core::Broker;
use zeroize::Zeroizing;

pub(crate) async fn run(token: bool, org: Option<&str>, clear_after: u64) -> Result<ExitCode> {
    let vault = super::vault()?;
    let record = super::pick(&vault, org)?;
    let (what, text) = if token {
        (
            "Secret Token",
            Zeroizing::new(vault.token(record.org_id)?.expose_secret().to_owned()),
        )
    } else {
        (
            "Tenant URL",
            Zeroizing::new(
                Broker::resolve(&record.broker)
                    .tenant_url(record.org_id)
                    .to_string(),
            ),
        )
    };
    let mut clipboard =
        arboard::Clipboard::new().context("cannot open the clipboard (is there a graphical session?)")?;
    set_excluded_from_history(&mut clipboard, &text)?;
    // Reading back is a round trip to the display server: once it answers with our text, the
    // server has made us the owner, so "Copied" below is true and a later copy by anyone else
    // (processed after ours) is the one that wins.
    if clipboard.get_text().ok().as_deref() != Some(text.as_str()) {
        anyhow::bail!(
            "the clipboard did not keep the {what}: another program took it at once. Try again, or print it with `scim-token status` (URL) or `scim-token token`."
        );
    }
    let interrupted = crate::interrupt::ctrl_c()?;
    if clear_after == 0 {
        eprintln!(
            "Copied the {what} for org {}. Keep this running until it is pasted; Ctrl-C to stop.",
            record.org_id
        );
        interrupted.await;
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "Copied the {what} for org {}. Paste it into Azure; the clipboard is cleared in {clear_after} s (Ctrl-C clears now).",
        record.org_id
    );
    tokio::select! {
        () = tokio::time::sleep(Duration::from_secs(clear_after)) => {}
        () = interrupted => {}
    }
    // Clear only if the clipboard still holds what we put there.
    if clipboard.get_text().ok().as_deref() == Some(text.as_str()) {
        clipboard.clear().context("cannot clear the clipboard")?;
        eprintln!("Clipboard cleared.");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(target_os = "linux")]
fn set_excluded_from_history(clipboard: &mut arboard::Clipboard, text: &str) -> Result<()> {
    use arboard::SetExtLinux;
    clipboard
        .set()
        .exclude_from_history()
        .text(text)
        .context("cannot write to the clipboard")
}

#[cfg(not(target_os = "linux"))]
fn set_excluded_from_history(clipboard: &mut arboard::Clipboard, text: &str) -> Result<()> {
    clipboard.set_text(text).context("cannot write to the clipboard")
}
