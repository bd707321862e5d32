//! `scim-token doctor`: this computer's way to Webex and Entra, for the admin or a support
//! ticket (`--json`); never a token in it.

use std::process::ExitCode;

use anyhow::Result;
use scim_token_core::BrokerId;
use scim_token_core::api::DoctorRequest;
use scim_token_core::entra::Cloud;

pub(crate) async fn run(broker: Option<BrokerId>, cloud: Option<Cloud>, json: bool) -> Result<ExitCode> {
    let api = super::api()?;
    if !json {
        eprintln!("Checking the way to Webex and Entra (each step waits at most 10 s)…");
    }
    let report = api.doctor(&DoctorRequest { broker, cloud }).await;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{report}");
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
