//! A crate's module tree, read from its source with `syn`, and every path each module names.
//!
//! Only production code counts: items under `#[cfg(test)]` are skipped, so a test may reach
//! across modules as it needs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

use super::TidyError;

/// A module's path from the crate root (`["api", "push"]`); the root is empty.
pub(crate) type ModPath = Vec<String>;

/// One module: the file it is written in and the paths its production code names.
#[derive(Debug, Default)]
pub(crate) struct Module {
    pub(crate) file: PathBuf,
    /// Every path named, as written (`crate::api::Api`, `super::login`, `std::net::TcpListener`).
    pub(crate) paths: Vec<Vec<String>>,
    /// Names this module re-exports (`pub use tokens::Api;`), with the path each stands for, so
    /// that `super::Api` is followed to the module that defines it.
    pub(crate) reexports: BTreeMap<String, Vec<String>>,
}

/// Every module of one crate, by path.
#[derive(Debug, Default)]
pub(crate) struct CrateModules {
    pub(crate) modules: BTreeMap<ModPath, Module>,
}

impl CrateModules {
    /// Reads the crate whose root file (`src/lib.rs`, `src/main.rs`) is `root`, following its
    /// `mod` declarations.
    pub(crate) fn load(root: &Path) -> Result<Self, TidyError> {
        let mut crate_modules = CrateModules::default();
        let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
        crate_modules.load_file(Vec::new(), root, &dir)?;
        Ok(crate_modules)
    }

    /// The module a path written in `from` lands in: `crate::`, `self::` and `super::` paths
    /// resolved to the longest prefix that is a module. `None` for any other path (another
    /// crate, or a name in scope).
    pub(crate) fn target(&self, from: &ModPath, path: &[String]) -> Option<ModPath> {
        self.target_within(from, path, 4)
    }

    /// [`Self::target`], following at most `hops` re-exports.
    fn target_within(&self, from: &ModPath, path: &[String], hops: usize) -> Option<ModPath> {
        let absolute: Vec<String> = match path.first().map(String::as_str) {
            Some("crate") => path[1..].to_vec(),
            Some("self") => from.iter().chain(&path[1..]).cloned().collect(),
            Some("super") => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                let base = from.get(..from.len().checked_sub(ups)?)?;
                base.iter().chain(&path[ups..]).cloned().collect()
            }
            _ => return None,
        };
        let module = (0..=absolute.len())
            .rev()
            .map(|len| absolute[..len].to_vec())
            .find(|prefix| self.modules.contains_key(prefix))?;
        // An item the module re-exports lives where its `pub use` points.
        let reexported = absolute
            .get(module.len())
            .and_then(|name| self.modules[&module].reexports.get(name))
            .filter(|_| hops > 0);
        let Some(points_to) = reexported else {
            return Some(module);
        };
        let relative: Vec<String> = match points_to.first().map(String::as_str) {
            Some("crate" | "self" | "super") => points_to.clone(),
            // A 2018 path from the module: one of its children (another crate's item is not ours).
            _ => std::iter::once("self".to_owned())
                .chain(points_to.iter().cloned())
                .collect(),
        };
        self.target_within(&module, &relative, hops - 1).or(Some(module))
    }

    fn load_file(&mut self, path: ModPath, file: &Path, children_dir: &Path) -> Result<(), TidyError> {
        let parsed = super::parse(file)?;
        self.load_items(path, file, children_dir, &parsed.items)
    }

    fn load_items(
        &mut self,
        path: ModPath,
        file: &Path,
        children_dir: &Path,
        items: &[syn::Item],
    ) -> Result<(), TidyError> {
        let mut names = PathCollector::default();
        let mut reexports = BTreeMap::new();
        for item in items {
            if is_test_only(item_attrs(item)) {
                continue;
            }
            if let syn::Item::Use(used) = item
                && !matches!(used.vis, syn::Visibility::Inherited)
            {
                named_uses(&used.tree, &mut Vec::new(), &mut reexports);
            }
            let syn::Item::Mod(module) = item else {
                names.visit_item(item);
                continue;
            };
            let name = module.ident.to_string();
            let mut child = path.clone();
            child.push(name.clone());
            match &module.content {
                Some((_, inline)) => self.load_items(child, file, &children_dir.join(&name), inline)?,
                None => {
                    let (child_file, grandchildren) = match path_attribute(&module.attrs) {
                        Some(custom) => {
                            let at = file.parent().unwrap_or(Path::new(".")).join(custom);
                            let dir = at.with_extension("");
                            (at, dir)
                        }
                        None => {
                            let flat = children_dir.join(format!("{name}.rs"));
                            let nested = children_dir.join(&name).join("mod.rs");
                            (
                                if flat.exists() { flat } else { nested },
                                children_dir.join(&name),
                            )
                        }
                    };
                    self.load_file(child, &child_file, &grandchildren)?;
                }
            }
        }
        let module = self.modules.entry(path).or_default();
        module.file = file.to_path_buf();
        module.paths.extend(names.paths);
        module.reexports.extend(reexports);
        Ok(())
    }
}

/// Collects every path an item names: in `use` trees, in code and types, and (loosely) inside
/// macro calls, whose tokens `syn` leaves unparsed.
#[derive(Default)]
struct PathCollector {
    paths: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        expand_use(&item.tree, &mut Vec::new(), &mut self.paths);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.paths
            .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        paths_in_tokens(mac.tokens.clone(), &mut self.paths);
    }
}

/// `use a::{b, c::*}` as the paths `a::b` and `a::c`.
fn expand_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            expand_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push(prefix.iter().cloned().chain([n.ident.to_string()]).collect()),
        syn::UseTree::Rename(r) => out.push(prefix.iter().cloned().chain([r.ident.to_string()]).collect()),
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| expand_use(t, prefix, out)),
    }
}

/// `use a::{b, c as d}` as the names it brings in (`b`, `d`) with their paths (`a::b`, `a::c`);
/// a glob brings no name this can know.
fn named_uses(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut BTreeMap<String, Vec<String>>) {
    let full =
        |prefix: &[String], last: &syn::Ident| prefix.iter().cloned().chain([last.to_string()]).collect();
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            named_uses(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            out.insert(n.ident.to_string(), full(prefix, &n.ident));
        }
        syn::UseTree::Rename(r) => {
            out.insert(r.rename.to_string(), full(prefix, &r.ident));
        }
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| named_uses(t, prefix, out)),
    }
}

/// Runs of `ident :: ident :: …` in a macro's tokens, each as a path.
fn paths_in_tokens(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    fn flush(current: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if current.len() > 1 {
            out.push(std::mem::take(current));
        }
        current.clear();
    }
    let mut current: Vec<String> = Vec::new();
    let mut colons = 0;
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                if colons != 2 {
                    flush(&mut current, out);
                }
                current.push(ident.to_string());
                colons = 0;
            }
            TokenTree::Punct(p) if p.as_char() == ':' => colons += 1,
            TokenTree::Group(group) => {
                flush(&mut current, out);
                colons = 0;
                paths_in_tokens(group.stream(), out);
            }
            _ => {
                flush(&mut current, out);
                colons = 0;
            }
        }
    }
    flush(&mut current, out);
}

pub(crate) fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]` or `#[cfg(all(test, …))]`; `#[cfg(not(test))]` is production code.
pub(crate) fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let syn::Meta::List(list) = &attr.meta else {
            return false;
        };
        if !list.path.is_ident("cfg") {
            return false;
        }
        let condition = list.tokens.to_string();
        condition == "test" || condition.starts_with("all (test") || condition.starts_with("all(test")
    })
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}
