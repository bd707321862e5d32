//! The CLI's end-to-end tests, one binary: the real `scim-token` binary against a sandbox
//! process. Sign-ins need `scripts/world` (a keyring, Chromium on Xvfb), so they are the full
//! tier (`#[ignore]`d; `scripts/test` runs them with `--include-ignored`); the sandbox as a child
//! process and the watch's scheduler tests run anywhere (fast tier). The load test is a binary of
//! its own (`sandbox_load.rs`), so that its figures are measured alone. The harness is Linux's
//! (Chromium started by shell scripts, the Windows CLI under Wine): `cfg(unix)`.
#![cfg(unix)]

mod browser_sign_in;
mod cli_e2e;
mod corporate_network;
mod entra_device_code;
mod entra_e2e;
mod push_rules;
mod sandbox_child;
mod watch_e2e;
