//! The workspace's one `unsafe` block: `loopback/exclusive.rs` (Windows' `SO_EXCLUSIVEADDRUSE`).
//! The workspace lint is `unsafe_code = "deny"`, which an `#[allow]` can lift; this check keeps
//! any other file from doing so.

use std::path::Path;

use syn::visit::Visit;

use super::{CrateModules, TidyError};

/// Finds `#[allow(unsafe_code)]` (or `expect`, `warn`), inner or outer, anywhere in a file.
#[derive(Default)]
struct LintLifts {
    found: bool,
}

impl<'ast> Visit<'ast> for LintLifts {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta
            && ["allow", "expect", "warn"]
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

/// Every file outside [`ALLOWED`] that lifts the `unsafe_code` lint.
pub(crate) fn findings(root: &Path, crate_roots: &[&str]) -> Result<Vec<String>, TidyError> {
    let mut findings = Vec::new();
    for crate_root in crate_roots {
        for module in CrateModules::load(&root.join(crate_root))?.modules.values() {
            let file = super::shown(root, &module.file);
            if file == ALLOWED {
                continue;
            }
            let parsed = super::parse(&module.file)?;
            let mut lifts = LintLifts::default();
            lifts.visit_file(&parsed);
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
        ]);
        assert_eq!(
            findings(&root, &["crates/core/src/lib.rs"]).unwrap(),
            [
                "crates/core/src/other.rs lifts the unsafe_code lint: only crates/core/src/loopback/exclusive.rs may"
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
