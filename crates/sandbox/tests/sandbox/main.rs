//! The sandbox's integration tests, in one binary (one link instead of one per file): each module
//! starts sandboxes on free loopback ports (`Sandbox::start(…, 0)`) and talks to them over real
//! sockets, as a client, a browser or the local Entra's provisioning job would.
//!
//! A test slower than about 3 s, a load test or one that kills processes belongs to the full
//! tier, not here by default: it is marked `#[ignore = "full tier: …"]`, and runs with
//! `cargo test -- --include-ignored`.

mod common;

mod auth;
mod azure_sequence;
mod broker;
mod entra_device_code;
mod entra_errors;
mod entra_provisioning;
mod entra_sso;
mod graph_model;
mod host;
mod persistence;
mod start;
