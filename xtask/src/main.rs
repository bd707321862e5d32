//! `cargo xtask`: the project's own tools, in Rust.
//!
//! - `cargo xtask tidy` prints every finding of the tidy checks (ARCHITECTURE.md's rules about the
//!   shape of the code) and fails if there is one. The same checks run as tests in the fast tier.

mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("tidy") => match tidy::check_all(&tidy::workspace_root()) {
            Ok(findings) if findings.is_empty() => ExitCode::SUCCESS,
            Ok(findings) => {
                for finding in findings {
                    report(&finding);
                }
                ExitCode::FAILURE
            }
            Err(e) => {
                report(&e.to_string());
                ExitCode::FAILURE
            }
        },
        _ => {
            report("usage: cargo xtask tidy");
            ExitCode::from(2)
        }
    }
}

#[allow(clippy::print_stderr, reason = "a command-line tool reports on stderr")]
fn report(line: &str) {
    eprintln!("{line}");
}
