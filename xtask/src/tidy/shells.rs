//! What the Rust shells must not hold: a listener (core's `listener` owns the loopback sockets and
//! their limits) or the wall clock (core's `Clock` is every "now", so tests can fix it). The
//! front end's rules are `front_end.rs`.

use std::path::Path;

use super::{CrateModules, TidyError};

/// The shells written in Rust: the CLI and the desktop app.
const RUST_SHELLS: &[&str] = &["crates/cli/src/main.rs", "src-tauri/src/main.rs"];

/// Names that open a socket to listen on.
const LISTENERS: &[&str] = &["TcpListener", "UdpSocket", "TcpSocket"];

/// Calls that read the wall clock.
const WALL_CLOCK: &[[&str; 2]] = &[
    ["SystemTime", "now"],
    ["OffsetDateTime", "now_utc"],
    ["OffsetDateTime", "now_local"],
    ["UtcDateTime", "now"],
    ["Utc", "now"],
    ["Local", "now"],
];

/// A listener or a wall-clock read in a Rust shell's production code, by file.
pub(crate) fn rust_shell_findings(root: &Path) -> Result<Vec<String>, TidyError> {
    let mut findings = Vec::new();
    for shell in RUST_SHELLS {
        let modules = CrateModules::load(&root.join(shell))?;
        for module in modules.modules.values() {
            let file = super::shown(root, &module.file);
            for path in &module.paths {
                let words: Vec<&str> = path.iter().map(String::as_str).collect();
                if let Some(name) = words.iter().find(|w| LISTENERS.contains(w)) {
                    findings.push(format!(
                        "{file}: a shell opens a listener ({name}); core's listener owns sockets"
                    ));
                }
                if WALL_CLOCK.iter().any(|call| words.ends_with(call))
                    || words.starts_with(&["axum", "serve"])
                {
                    findings.push(format!(
                        "{file}: a shell {} ({}); use core",
                        if words[0] == "axum" {
                            "serves HTTP"
                        } else {
                            "reads the wall clock"
                        },
                        words.join("::")
                    ));
                }
            }
        }
    }
    Ok(super::sorted(findings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tidy::tests::tree;

    #[test]
    fn a_listener_and_a_clock_in_a_shell_are_named_and_a_test_s_are_not() {
        let root = tree(&[
            (
                "crates/cli/src/main.rs",
                "mod serve;\nfn main() { let _ = std::time::SystemTime::now(); }\n\
                 #[cfg(test)]\nmod tests { fn t() { let _ = time::OffsetDateTime::now_utc(); } }\n",
            ),
            (
                "crates/cli/src/serve.rs",
                "use std::net::{TcpListener, TcpStream};\n",
            ),
            (
                "src-tauri/src/main.rs",
                "fn main() { let _ = time::OffsetDateTime::now_local(); }\n",
            ),
        ]);
        assert_eq!(
            rust_shell_findings(&root).unwrap(),
            [
                "crates/cli/src/main.rs: a shell reads the wall clock (std::time::SystemTime::now); use core",
                "crates/cli/src/serve.rs: a shell opens a listener (TcpListener); core's listener owns sockets",
                "src-tauri/src/main.rs: a shell reads the wall clock (time::OffsetDateTime::now_local); use core",
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
