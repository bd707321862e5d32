//! The `xtask` binary as scripts run it (`scripts/test` runs the one this test build makes, so
//! its dependencies are built once, with the workspace's features).

use std::process::Command;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

#[test]
fn version_prints_the_workspace_s_version() {
    let out = Command::new(XTASK).arg("version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        env!("CARGO_PKG_VERSION")
    );
}

#[test]
fn an_unknown_task_prints_the_usage_and_exits_2() {
    let out = Command::new(XTASK).arg("nonsense").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("usage: cargo xtask tidy"));
}

#[test]
fn tidy_passes_on_this_tree() {
    let out = Command::new(XTASK).arg("tidy").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
