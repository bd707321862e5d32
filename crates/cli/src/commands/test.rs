//! `scim-token test`: Azure's Test Connection against the stored org.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::{Broker, probe};
use serde_json::json;

pub(crate) async fn run(org: Option<&str>, json: bool) -> Result<ExitCode> {
    let vault = super::vault()?;
    let record = super::pick(&vault, org)?;
    let token = vault.token(record.org_id)?;
    let tenant_url = Broker::resolve(&record.broker).tenant_url(record.org_id);
    let outcome = probe::test_connection(&tenant_url, &token).await;
    if json {
        let body = match &outcome {
            Ok(ok) => json!({"ok": true, "tenant_url": tenant_url, "elapsed_ms": ok.elapsed.as_millis()}),
            Err(err) => json!({"ok": false, "tenant_url": tenant_url, "error": err.to_string()}),
        };
        println!("{body}");
    } else {
        match &outcome {
            Ok(ok) => println!(
                "Test Connection succeeded: {tenant_url} accepted the token ({} ms). Azure's Test Connection will pass.",
                ok.elapsed.as_millis()
            ),
            Err(err) => eprintln!("Test Connection failed for {tenant_url}: {err}"),
        }
    }
    Ok(if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
