//! Core's integration tests against the real keyring of `scripts/world`, one binary: the use
//! cases, the vault, two processes sharing the records file (full tier: `#[ignore]`d, run by
//! `scripts/test` with `--include-ignored`). Two are binaries of their own: the keyring faults
//! (`vault_faults.rs`: it stops the session's keyring daemon) and the listener under hostile
//! load (`listener_matrix.rs`: its time bounds hold only when it runs alone).

mod api;
mod records_race;
mod vault;
