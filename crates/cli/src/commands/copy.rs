//! `scim-token copy url|token`: to the clipboard, cleared later if still ours.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use scim_token_core::api::CopyWhat;
use scim_token_core::clipboard::ClearOutcome;

pub(crate) async fn run(what: CopyWhat, which: &super::Which, clear_after: u64) -> Result<ExitCode> {
    let api = super::api()?;
    let record = which.pick(&api)?;
    let copied = api.copy(&record, what).await?;
    let label = what.label();
    let interrupted = crate::interrupt::ctrl_c()?;
    if clear_after == 0 {
        eprintln!(
            "Copied the {label} for org {}. Keep this running until it is pasted; Ctrl-C to stop.",
            record.org_id
        );
        interrupted.await;
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "Copied the {label} for org {}. Paste it into Azure; the clipboard is cleared in {clear_after} s (Ctrl-C clears now).",
        record.org_id
    );
    let outcome = copied
        .clear_after(Duration::from_secs(clear_after), interrupted)
        .await;
    eprintln!("{}", outcome.description());
    Ok(if outcome == ClearOutcome::Failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
