//! A rule of ARCHITECTURE.md, checked: every HTTP answer scim-token's own programs read is read
//! to a bound (`core::http_body`, or the sandbox job's own bounded reader), never with
//! `reqwest`'s unbounded `.json()`, `.text()` or `.bytes()`, which a server that sends without
//! end would let grow the process. Tests may read whole answers; product code may not.

use std::path::{Path, PathBuf};

/// The unbounded readers of a `reqwest::Response`.
const UNBOUNDED: [&str; 4] = [".json().await", ".text().await", ".bytes().await", ".json::<"];

/// The product source folders of the workspace.
fn product_sources(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders: Vec<PathBuf> = [
        "crates/core/src",
        "crates/cli/src",
        "crates/sandbox/src",
        "src-tauri/src",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())) {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                files.push(path);
            }
        }
    }
    files
}

/// The lines of `text` before its test module: a `#[cfg(test)]` line followed by `mod tests`
/// (by the convention of this workspace, last in the file). Other `#[cfg(test)]` items are read.
fn before_tests(text: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len())
        .find(|&i| {
            lines[i].trim() == "#[cfg(test)]"
                && lines
                    .get(i + 1)
                    .is_some_and(|next| next.trim_start().starts_with("mod tests"))
        })
        .unwrap_or(lines.len());
    lines.into_iter().take(end).enumerate()
}

#[test]
fn every_http_answer_is_read_to_a_bound() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = product_sources(&root);
    assert!(files.len() > 100, "the walk found the sources: {}", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        // Without white space, so a call that rustfmt splits over lines is found too.
        let product: String = before_tests(&text)
            .flat_map(|(_, line)| line.chars().filter(|c| !c.is_whitespace()))
            .collect();
        for unbounded in UNBOUNDED.iter().filter(|u| product.contains(*u)) {
            found.push(format!("{}: {unbounded}", file.display()));
        }
    }
    assert!(
        found.is_empty(),
        "read these answers with scim_token_core::http_body::read_bounded or read_json:\n{}",
        found.join("\n")
    );
}
