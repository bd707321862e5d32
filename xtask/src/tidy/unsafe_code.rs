//! The workspace's one `unsafe` block: `loopback/exclusive.rs` (Windows' `SO_EXCLUSIVEADDRUSE`).
//! The workspace lint is `unsafe_code = "deny"`, which an `#[allow]` can lift; this check keeps
//! any other file from doing so.

use std::path::Path;

use syn::visit::Visit;

use super::TidyError;

/// Where the workspace's Rust is: every file below these, tests, examples and build scripts
/// included.
const FOLDERS: &[&str] = &["crates", "src-tauri", "tests", "xtask", "fuzz"];

/// Finds `#[allow(unsafe_code)]` (or `expect`, `warn`), inner or outer, anywhere in a file.
#[derive(Default)]
struct LintLifts {
    found: bool,
}

impl<'ast> Visit<'ast> for LintLifts {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta
            && ["allow", "expect", "warn", "cfg_attr"]
                .iter()
                .any(|lift| list.path.is_ident(lift))
            && list.tokens.to_string().contains("unsafe_code")
        {
            self.found = true;
        }
    }
}

/// The one file allowed `unsafe`.
pub(crate) const ALLOWED: &str = "crates/core/src/loopback/exclusive.rs";

/// Every Rust file of the workspace outside [`ALLOWED`] that lifts the `unsafe_code` lint.
pub(crate) fn findings(root: &Path) -> Result<Vec<String>, TidyError> {
    let mut findings = Vec::new();
    for folder in FOLDERS.iter().map(|f| root.join(f)).filter(|f| f.is_dir()) {
        for path in super::files_with_extension(&folder, "rs")? {
            let file = super::shown(root, &path);
            if file == ALLOWED {
                continue;
            }
            let mut lifts = LintLifts::default();
            lifts.visit_file(&super::parse(&path)?);
            if lifts.found {
                findings.push(format!("{file} lifts the unsafe_code lint: only {ALLOWED} may"));
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
    fn a_second_file_with_unsafe_is_named() {
        let root = tree(&[
            ("crates/core/src/lib.rs", "mod loopback;\nmod other;\n"),
            ("crates/core/src/loopback.rs", "mod exclusive;\n"),
            (
                "crates/core/src/loopback/exclusive.rs",
                "#[allow(unsafe_code)]\nfn f() {}\n",
            ),
            ("crates/core/src/other.rs", "#![allow(unsafe_code)]\n"),
            (
                "crates/core/tests/a.rs",
                "#[cfg_attr(unix, allow(unsafe_code))]\nfn g() {}\n",
            ),
            (
                "src-tauri/build.rs",
                "fn main() { let _ = \"allow(unsafe_code)\"; }\n",
            ),
        ]);
        assert_eq!(
            findings(&root).unwrap(),
            [
                "crates/core/src/other.rs lifts the unsafe_code lint: only crates/core/src/loopback/exclusive.rs may",
                "crates/core/tests/a.rs lifts the unsafe_code lint: only crates/core/src/loopback/exclusive.rs may",
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
