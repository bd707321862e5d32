//! `cargo xtask`: the project's own tools, in Rust.
//!
//! - `cargo xtask tidy`: every finding of the tidy checks (ARCHITECTURE.md's rules about the
//!   shape of the code); fails if there is one. The same checks run as tests in the fast tier.
//! - `cargo xtask deb BIN_DIR OUT_DIR`: the `.deb` of the programs in `BIN_DIR`, written to
//!   `OUT_DIR`; prints its path.
//! - `cargo xtask deb-check DEB`: the `.deb` installed into a scratch root, run and removed
//!   (inside `scripts/world`).
//! - `cargo xtask release-files TARGET OUT_DIR`: each program's SBOM for `TARGET`, then
//!   `SHA256SUMS` of everything in `OUT_DIR`.
//! - `cargo xtask version`: the workspace's version.

mod cmd;
mod files;
mod package;
mod tidy;

use std::path::Path;
use std::process::ExitCode;

use cmd::TaskError;

const USAGE: &str =
    "usage: cargo xtask tidy | deb BIN_DIR OUT_DIR | deb-check DEB | release-files TARGET OUT_DIR | version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let workspace = tidy::workspace_root();
    let done: Result<Option<String>, TaskError> = match args.as_slice() {
        ["tidy"] => return tidy_task(&workspace),
        ["deb", bin_dir, out_dir] => package::deb::deb_name().and_then(|name| {
            let deb = Path::new(out_dir).join(name);
            package::deb::build(&workspace, Path::new(bin_dir), &deb)?;
            Ok(Some(deb.display().to_string()))
        }),
        ["version"] => Ok(Some(package::VERSION.to_owned())),
        ["deb-check", deb] => package::deb_check::check(Path::new(deb)).map(Some),
        ["release-files", target, out_dir] => {
            package::release::write_sboms(&workspace, target, Path::new(out_dir), package::VERSION)
                .and_then(|()| package::release::write_sha256sums(Path::new(out_dir)))
                .map(|()| None)
        }
        _ => {
            report(USAGE);
            return ExitCode::from(2);
        }
    };
    match done {
        Ok(said) => {
            if let Some(said) = said {
                say(&said);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&e.to_string());
            ExitCode::FAILURE
        }
    }
}

fn tidy_task(workspace: &Path) -> ExitCode {
    match tidy::check_all(workspace) {
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
    }
}

#[allow(clippy::print_stdout, reason = "a command-line tool's result")]
fn say(line: &str) {
    println!("{line}");
}

#[allow(clippy::print_stderr, reason = "a command-line tool reports on stderr")]
fn report(line: &str) {
    eprintln!("{line}");
}
