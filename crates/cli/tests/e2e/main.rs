//! The CLI's end-to-end tests, one binary: the real `scim-token` binary against a sandbox
//! process. Sign-ins need `scripts/world` (a keyring, Chromium on Xvfb) and the load test takes
//! its time, so they are the full tier (`#[ignore]`d; `scripts/test` runs them with
//! `--include-ignored`); the watch's scheduler tests run anywhere (fast tier).

mod cli_e2e;
mod entra_e2e;
mod sandbox_load;
mod watch_e2e;
