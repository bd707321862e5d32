//! `scim-token test`: Azure's Test Connection against the stored org.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::api::Shell;
use serde_json::json;

pub(crate) async fn run(which: &super::Which, json: bool) -> Result<ExitCode> {
    let api = super::api()?;
    let record = which.pick(&api)?;
    let tenant_url = record.tenant_url();
    let outcome = api.test_connection(&record).await;
    if json {
        let body = match &outcome {
            Ok(ok) => json!({"ok": true, "tenant_url": tenant_url, "elapsed_ms": ok.elapsed.as_millis()}),
            Err(err) => {
                json!({"ok": false, "tenant_url": tenant_url, "kind": err.kind(), "error": err.to_string()})
            }
        };
        println!("{body}");
    } else {
        match &outcome {
            Ok(ok) => println!("{}", ok.description(&tenant_url)),
            Err(err) => {
                eprintln!("Test Connection failed for {tenant_url}: {err}");
                if let Some(next) = err.kind().next_step(Shell::Cli) {
                    eprintln!("Next: {next}");
                }
            }
        }
    }
    Ok(if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
