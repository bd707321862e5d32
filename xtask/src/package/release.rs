//! What is written beside every release artifact: a CycloneDX SBOM of each program and
//! SHA256SUMS, so that an admin can check a download and vet what it is made of.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::cmd::{TaskError, io, output, source_date_epoch};

/// The cargo-cyclonedx whose output this was written against (about a minute to build).
const CYCLONEDX_VERSION: &str = "0.5.9";

/// The programs an SBOM is written for, and the folder of the package that builds each.
const PROGRAMS: [(&str, &str); 2] = [("scim-token", "crates/cli"), ("scim-token-desktop", "src-tauri")];

/// `SHA256SUMS` for `entries` (name and contents), in the format `sha256sum -c` reads, sorted by
/// name as bytes.
pub(crate) fn sha256sums(mut entries: Vec<(String, Vec<u8>)>) -> String {
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (name, bytes) in entries {
        let _ = writeln!(text, "{:x}  {name}", Sha256::digest(&bytes));
    }
    text
}

/// Writes `SHA256SUMS` in `dir` for every other file in it.
pub(crate) fn write_sha256sums(dir: &Path) -> Result<(), TaskError> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.is_file() && name != "SHA256SUMS" {
            entries.push((name, std::fs::read(&path).map_err(io(&path))?));
        }
    }
    let sums = dir.join("SHA256SUMS");
    std::fs::write(&sums, sha256sums(entries)).map_err(io(&sums))
}

/// A CycloneDX 1.5 SBOM (JSON) of each program as built for `target`, written to `out` as
/// `<program>_<version>_<target>.cdx.json`: every crate compiled into it for that target (no
/// build-time-only crates), with versions, licences and package URLs, dated by the last commit
/// so that the same tree gives the same files.
pub(crate) fn write_sboms(
    workspace: &Path,
    target: &str,
    out: &Path,
    version: &str,
) -> Result<(), TaskError> {
    if Command::new("cargo-cyclonedx").arg("--version").output().is_err() {
        output(Command::new("cargo").args([
            "install",
            "cargo-cyclonedx",
            "--locked",
            "--quiet",
            "--version",
            CYCLONEDX_VERSION,
        ]))?;
    }
    // One run for the workspace: it writes <program>_bin.cdx.json beside each package's Cargo.toml.
    output(
        Command::new("cargo")
            .current_dir(workspace)
            .env("SOURCE_DATE_EPOCH", source_date_epoch())
            .args([
                "cyclonedx",
                "--format",
                "json",
                "--spec-version",
                "1.5",
                "--describe",
                "binaries",
                "--target",
                target,
                "--no-build-deps",
                "--quiet",
            ]),
    )?;
    for (program, package) in PROGRAMS {
        let written = workspace.join(package).join(format!("{program}_bin.cdx.json"));
        let kept = out.join(format!("{program}_{version}_{target}.cdx.json"));
        std::fs::rename(&written, &kept).map_err(io(&written))?;
        if std::fs::metadata(&kept).map_err(io(&kept))?.len() == 0 {
            return Err(TaskError::Check(format!("the SBOM of {program} is empty")));
        }
    }
    // Other packages' binaries (examples' hosts) are not shipped.
    for stray in ["crates", "src-tauri", "xtask", "tests"] {
        remove_stray_sboms(&workspace.join(stray))?;
    }
    Ok(())
}

fn remove_stray_sboms(dir: &Path) -> Result<(), TaskError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_stray_sboms(&path)?;
        } else if path.to_string_lossy().ends_with("_bin.cdx.json") {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_sorted_by_name_in_sha256sum_s_format() {
        let sums = sha256sums(vec![
            ("b.zip".into(), b"b".to_vec()),
            ("a.deb".into(), b"abc".to_vec()),
        ]);
        assert_eq!(
            sums,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.deb\n\
             3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.zip\n"
        );
    }
}
