//! The front end's rules (`ui/src`): no wall clock (a countdown counts on from core's seconds with
//! the monotonic `performance.now()`), no `innerHTML` (text from a server must never become
//! markup), and no file but the generated bindings over [`MAX_LINES`] lines.

use std::path::Path;

use super::{TidyError, ts_modules};

/// The longest a hand-written front-end file may grow: past it, a panel wants splitting.
const MAX_LINES: usize = 300;

/// Every breach of the front end's rules, by file and line.
pub(crate) fn findings(dir: &Path) -> Result<Vec<String>, TidyError> {
    let mut findings = Vec::new();
    for file in ts_modules::files(dir)? {
        let text = super::read(&file)?;
        let name = file.strip_prefix(dir).unwrap_or(&file).display().to_string();
        if name == "bindings.ts" {
            continue;
        }
        let lines = text.lines().count();
        if lines > MAX_LINES {
            findings.push(format!(
                "ui/src/{name} has {lines} lines (more than {MAX_LINES}): split it by panel"
            ));
        }
        for (n, line) in text.lines().enumerate() {
            // A comment line says what the code does, and may name what it avoids.
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || trimmed.starts_with('*') || trimmed.starts_with("/*") {
                continue;
            }
            let code = line;
            if code.contains("Date.now(") || code.contains("new Date()") {
                findings.push(format!(
                    "ui/src/{name}:{}: the front end reads the wall clock; use core's seconds",
                    n + 1
                ));
            }
            if code.contains("innerHTML") || code.contains("outerHTML") || code.contains("insertAdjacentHTML")
            {
                findings.push(format!(
                    "ui/src/{name}:{}: markup from a string; build elements and set textContent",
                    n + 1
                ));
            }
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tidy::tests::tree;

    #[test]
    fn a_clock_read_markup_and_a_long_file_are_named_and_the_bindings_are_not() {
        let long = "const x = 1;\n".repeat(MAX_LINES + 1);
        let root = tree(&[
            (
                "a.ts",
                "const t = Date.now();\n// Date.now() in a comment\nnew Date(x);\nel.innerHTML = s;\n/** new Date() */\nfetch(\"https://x\"); new Date();\n",
            ),
            ("panels/long.ts", &long),
            ("bindings.ts", &long),
        ]);
        assert_eq!(
            findings(&root).unwrap(),
            [
                "ui/src/a.ts:1: the front end reads the wall clock; use core's seconds".to_owned(),
                "ui/src/a.ts:4: markup from a string; build elements and set textContent".to_owned(),
                "ui/src/a.ts:6: the front end reads the wall clock; use core's seconds".to_owned(),
                format!(
                    "ui/src/panels/long.ts has {} lines (more than {MAX_LINES}): split it by panel",
                    MAX_LINES + 1
                ),
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
