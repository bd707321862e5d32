//! The tidy checks: ARCHITECTURE.md's rules about the shape of the code, as tests (as
//! rust-analyzer's tidy tests are). Each check returns its findings, one sentence each naming the
//! files; `cargo xtask tidy` prints them and the fast test tier fails on any.

mod cycles;
mod front_end;
mod generated;
mod ipc_types;
mod rust_modules;
mod shells;
mod ts_modules;
mod unsafe_code;
mod words;

use std::path::{Path, PathBuf};

pub(crate) use cycles::ImportGraph;
pub(crate) use rust_modules::CrateModules;

/// Why a check could not read the tree.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TidyError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot parse {path}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// The crates whose modules must not import each other in a circle: each crate's root file.
pub(crate) const CRATE_ROOTS: &[&str] = &[
    "crates/core/src/lib.rs",
    "crates/sandbox/src/lib.rs",
    "crates/cli/src/main.rs",
    "src-tauri/src/main.rs",
    "tests/support/src/lib.rs",
    "xtask/src/main.rs",
];

/// A file's text.
pub(crate) fn read(path: &Path) -> Result<String, TidyError> {
    std::fs::read_to_string(path).map_err(|source| TidyError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// A Rust file's syntax tree.
pub(crate) fn parse(path: &Path) -> Result<syn::File, TidyError> {
    syn::parse_file(&read(path)?).map_err(|e| TidyError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// `path` as findings name it: below `root`.
pub(crate) fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Every file below `dir` whose name ends in `.extension`, sorted; build output and installed
/// packages (`target`, `node_modules`) left out.
pub(crate) fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, TidyError> {
    crate::files::below(dir, &["target", "node_modules"], |p| {
        p.extension().is_some_and(|e| e == extension)
    })
    .map_err(|source| TidyError::Read {
        path: dir.to_path_buf(),
        source,
    })
}

/// Findings in a stable order, each once.
pub(crate) fn sorted(mut findings: Vec<String>) -> Vec<String> {
    findings.sort();
    findings.dedup();
    findings
}

/// The workspace's root (this crate's parent folder).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// Every finding of every check, over the tree at `root`.
pub(crate) fn check_all(root: &Path) -> Result<Vec<String>, TidyError> {
    let mut findings = Vec::new();
    for crate_root in CRATE_ROOTS {
        findings.extend(rust_circles(root, crate_root)?);
    }
    findings.extend(ts_modules::circles(&root.join("ui/src"))?);
    findings.extend(shells::rust_shell_findings(root)?);
    findings.extend(front_end::findings(&root.join("ui/src"))?);
    findings.extend(unsafe_code::findings(root)?);
    findings.extend(words::findings(root, &words::core_phrases())?);
    findings.extend(generated::findings(root)?);
    findings.extend(ipc_types::findings(root)?);
    Ok(findings)
}

/// Circles among sibling modules of the crate whose root file is `crate_root`.
pub(crate) fn rust_circles(root: &Path, crate_root: &str) -> Result<Vec<String>, TidyError> {
    let modules = CrateModules::load(&root.join(crate_root))?;
    let mut graph = ImportGraph::default();
    for (from, module) in &modules.modules {
        let file = shown(root, &module.file);
        for path in &module.paths {
            let Some(to) = modules.target(from, path) else {
                continue;
            };
            let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
            // A module and its ancestors or descendants are not siblings: a parent declares its
            // children and a child may use its parent's items.
            if shared == from.len() || shared == to.len() {
                continue;
            }
            graph.add(&from[..=shared].join("::"), &to[..=shared].join("::"), &file);
        }
    }
    Ok(graph
        .circles()
        .into_iter()
        .map(|circle| {
            format!(
                "{crate_root}: the modules {} import each other: {}",
                circle.modules.join(", "),
                circle.imports.join("; ")
            )
        })
        .collect())
}

#[cfg(test)]
mod tests;
