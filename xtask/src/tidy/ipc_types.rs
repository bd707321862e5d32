//! `specta::Type` only on core's types that cross IPC: a derive on a type the bindings do not
//! export is a promise nobody keeps, and pulls wire shapes (Graph's, the records') towards the
//! front end, which takes views made for it (`src-tauri/src/ipc.rs`).

use std::path::Path;

use syn::visit::Visit;

use super::{CrateModules, TidyError, read, shown};

const CORE: &str = "crates/core/src/lib.rs";
const BINDINGS: &str = "ui/src/bindings.ts";

/// Every core type deriving `specta::Type` that `ui/src/bindings.ts` does not export.
pub(crate) fn findings(root: &Path) -> Result<Vec<String>, TidyError> {
    let bindings = read(&root.join(BINDINGS))?;
    let mut findings = Vec::new();
    for module in CrateModules::load(&root.join(CORE))?.modules.values() {
        let mut derives = SpectaDerives::default();
        derives.visit_file(&super::parse(&module.file)?);
        for name in derives.names {
            if !bindings.contains(&format!("export type {name} ")) {
                findings.push(format!(
                    "{}: {name} derives specta::Type but does not cross IPC ({BINDINGS} has no {name}): drop the derive",
                    shown(root, &module.file)
                ));
            }
        }
    }
    Ok(super::sorted(findings))
}

/// The structs and enums of a file that derive `specta::Type`, directly or under `cfg_attr`.
#[derive(Default)]
struct SpectaDerives {
    names: Vec<String>,
}

impl SpectaDerives {
    fn note(&mut self, attrs: &[syn::Attribute], name: &syn::Ident) {
        let derives = attrs.iter().any(|attr| {
            let syn::Meta::List(list) = &attr.meta else {
                return false;
            };
            (list.path.is_ident("derive") || list.path.is_ident("cfg_attr"))
                && list.tokens.to_string().replace(' ', "").contains("specta::Type")
        });
        if derives {
            self.names.push(name.to_string());
        }
    }
}

impl<'ast> Visit<'ast> for SpectaDerives {
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.note(&item.attrs, &item.ident);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.note(&item.attrs, &item.ident);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tidy::tests::tree;

    #[test]
    fn a_derive_on_a_type_the_bindings_lack_is_named() {
        let root = tree(&[
            (CORE, "mod a;\n"),
            (
                "crates/core/src/a.rs",
                "#[cfg_attr(feature = \"specta\", derive(specta::Type))]\npub struct Shown;\n\
                 #[derive(Debug, specta::Type)]\npub enum Hidden { A }\npub struct Plain;\n",
            ),
            (BINDINGS, "export type Shown = null\n"),
        ]);
        assert_eq!(
            findings(&root).unwrap(),
            [
                "crates/core/src/a.rs: Hidden derives specta::Type but does not cross IPC (ui/src/bindings.ts has no Hidden): drop the derive"
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
