//! Core's integration tests, one binary: the use cases and the vault against the real keyring
//! of `scripts/world` (full tier: `#[ignore]`d, run by `scripts/test` with `--include-ignored`),
//! the listener under hostile load (full tier too), and a broker error after noise on loopback (fast tier). The keyring-fault test is a binary of
//! its own (`vault_faults.rs`): it stops the session's keyring daemon.

mod api;
mod listener_matrix;
mod records_race;
mod vault;
