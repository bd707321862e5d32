//! The front end's modules (`ui/src/**/*.ts`) and their relative imports.

use std::path::{Path, PathBuf};

use super::{ImportGraph, TidyError};

/// Every TypeScript file under `dir`, sorted.
pub(crate) fn files(dir: &Path) -> Result<Vec<PathBuf>, TidyError> {
    super::files_with_extension(dir, "ts")
}

/// The relative modules a file imports (`import … from "./x"`, `import "./y.ts"`), as files.
fn imports(file: &Path, text: &str) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new("."));
    text.lines()
        .map(str::trim_start)
        .filter(|line| {
            line.starts_with("import ") || line.starts_with("export ") || line.starts_with("} from ")
        })
        .filter_map(|line| {
            // `import … from "./x"`, or a bare `import "./x"`.
            let quoted = match line.rsplit_once(" from ") {
                Some((_, spec)) => spec,
                None => line.strip_prefix("import ")?,
            };
            let spec = quoted
                .trim()
                .trim_end_matches(';')
                .trim_matches(|c| c == '"' || c == '\'');
            spec.starts_with('.').then(|| {
                let target = dir.join(spec);
                if target.extension().is_some() {
                    target
                } else {
                    target.with_extension("ts")
                }
            })
        })
        .map(|path| normalize(&path))
        .collect()
}

/// `a/./b/../c.ts` as `a/c.ts`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Circles among the front end's modules, named by their paths under `dir`.
pub(crate) fn circles(dir: &Path) -> Result<Vec<String>, TidyError> {
    let mut graph = ImportGraph::default();
    let name = |p: &Path| p.strip_prefix(dir).unwrap_or(p).display().to_string();
    for file in files(dir)? {
        let text = super::read(&file)?;
        let file = normalize(&file);
        for target in imports(&file, &text) {
            graph.add(&name(&file), &name(&target), &name(&file));
        }
    }
    Ok(graph
        .circles()
        .into_iter()
        .map(|c| {
            format!(
                "ui/src: the modules {} import each other: {}",
                c.modules.join(", "),
                c.imports.join("; ")
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tidy::tests::tree;

    #[test]
    fn a_circle_through_a_panel_folder_is_found() {
        let root = tree(&[
            (
                "main.ts",
                "import { a } from \"./panels/a\";\nimport \"./style.css\";\n",
            ),
            ("panels/a.ts", "import './b.ts';\nexport const a = 1;\n"),
            (
                "panels/b.ts",
                "import {\n  main,\n} from \"../main\";\nexport const b = 2;\n",
            ),
        ]);
        assert_eq!(
            circles(&root).unwrap(),
            [
                "ui/src: the modules main.ts, panels/a.ts, panels/b.ts import each other: \
              main.ts → panels/a.ts (in main.ts); panels/a.ts → panels/b.ts (in panels/a.ts); \
              panels/b.ts → main.ts (in panels/b.ts)"
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
