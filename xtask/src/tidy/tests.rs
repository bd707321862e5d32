//! The tree as it is must pass every check; each check must also catch what it is for, shown on
//! a small tree written here.

use super::*;

fn assert_none(findings: Vec<String>) {
    assert!(findings.is_empty(), "tidy:\n  {}", findings.join("\n  "));
}

#[test]
fn no_two_sibling_modules_import_each_other() {
    let root = workspace_root();
    for crate_root in CRATE_ROOTS {
        assert_none(rust_circles(&root, crate_root).unwrap());
    }
}

#[test]
fn the_front_end_s_modules_import_in_one_direction() {
    assert_none(ts_modules::circles(&workspace_root().join("ui/src")).unwrap());
}

#[test]
fn shells_hold_no_listener_and_no_wall_clock() {
    assert_none(shells::rust_shell_findings(&workspace_root()).unwrap());
}

#[test]
fn the_front_end_reads_no_clock_makes_no_markup_and_stays_in_small_files() {
    assert_none(front_end::findings(&workspace_root().join("ui/src")).unwrap());
}

#[test]
fn the_shells_write_none_of_core_s_words_themselves() {
    assert_none(words::findings(&workspace_root(), &words::core_phrases()).unwrap());
}

#[test]
fn only_types_that_cross_ipc_derive_specta() {
    assert_none(ipc_types::findings(&workspace_root()).unwrap());
}

#[test]
fn only_one_file_may_use_unsafe() {
    assert_none(unsafe_code::findings(&workspace_root()).unwrap());
}

#[test]
fn generated_files_are_marked_and_current() {
    assert_none(generated::findings(&workspace_root()).unwrap());
}

/// A tree of files written under a temporary folder.
pub(super) fn tree(files: &[(&str, &str)]) -> PathBuf {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let root = std::env::temp_dir().join(format!("xtask-tidy-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    root
}

#[test]
fn a_circle_between_siblings_is_found_with_its_files() {
    let root = tree(&[
        ("src/lib.rs", "mod outer;\n"),
        (
            "src/outer.rs",
            "mod a;\nmod b;\nmod c;\npub(crate) struct Shared;\n",
        ),
        ("src/outer/a.rs", "use super::b::B;\npub(crate) struct A;\n"),
        (
            "src/outer/b.rs",
            "pub(crate) struct B;\nfn f() { let _ = crate::outer::c::C; }\n#[cfg(test)]\nmod tests { use super::super::a::A; }\n",
        ),
        (
            "src/outer/c.rs",
            "pub(crate) struct C;\nmacro_rules! m { () => {} }\nfn g() { m!(super::a::A); }\n",
        ),
    ]);
    let findings = rust_circles(&root, "src/lib.rs").unwrap();
    assert_eq!(
        findings,
        [
            "src/lib.rs: the modules outer::a, outer::b, outer::c import each other: \
          outer::a → outer::b (in src/outer/a.rs); outer::b → outer::c (in src/outer/b.rs); \
          outer::c → outer::a (in src/outer/c.rs)"
        ],
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_circle_through_the_parent_s_re_export_is_found() {
    let root = tree(&[
        ("src/lib.rs", "mod api;\n"),
        (
            "src/api.rs",
            "mod error;\nmod tokens;\npub use error::ApiError;\npub(crate) use tokens::{Api as TheApi};\n",
        ),
        ("src/api/error.rs", "pub struct ApiError(super::TheApi);\n"),
        (
            "src/api/tokens.rs",
            "pub struct Api;\nfn f() -> super::ApiError { todo!() }\n",
        ),
    ]);
    assert_eq!(
        rust_circles(&root, "src/lib.rs").unwrap(),
        [
            "src/lib.rs: the modules api::error, api::tokens import each other: \
          api::error → api::tokens (in src/api/error.rs); api::tokens → api::error (in src/api/tokens.rs)"
        ],
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn a_child_using_its_parent_and_a_test_reaching_back_are_no_circle() {
    let root = tree(&[
        ("src/lib.rs", "mod a;\nmod b;\nuse a::A;\n"),
        (
            "src/a.rs",
            "pub(crate) struct A;\nuse crate::b::B;\nmod inner { use crate::a::A; }\n",
        ),
        (
            "src/b.rs",
            "pub(crate) struct B;\n#[cfg(test)]\nmod tests { use crate::a::A; }\n",
        ),
    ]);
    assert_none(rust_circles(&root, "src/lib.rs").unwrap());
    let _ = std::fs::remove_dir_all(root);
}
