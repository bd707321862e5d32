//! Import circles: sibling modules that import each other, directly or around a ring.

use std::collections::{BTreeMap, BTreeSet};

/// Who imports whom among siblings, with where each import is written.
#[derive(Debug, Default)]
pub(crate) struct ImportGraph {
    /// `from` → `to` → the files that make the edge.
    edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl ImportGraph {
    pub(crate) fn add(&mut self, from: &str, to: &str, evidence: &str) {
        if from != to {
            self.edges
                .entry(from.to_owned())
                .or_default()
                .entry(to.to_owned())
                .or_default()
                .insert(evidence.to_owned());
        }
    }

    /// Every circle (a strongly connected set of two or more modules), each as its modules and
    /// the imports between them: `a → b (in a.rs)`.
    pub(crate) fn circles(&self) -> Vec<Circle> {
        strongly_connected(&self.edges)
            .into_iter()
            .filter(|set| set.len() > 1)
            .map(|set| {
                let imports =
                    set.iter()
                        .flat_map(|from| {
                            self.edges[from].iter().filter(|(to, _)| set.contains(*to)).map(
                                move |(to, files)| {
                                    let files: Vec<&str> = files.iter().map(String::as_str).collect();
                                    format!("{from} → {to} (in {})", files.join(", "))
                                },
                            )
                        })
                        .collect();
                Circle {
                    modules: set.into_iter().collect(),
                    imports,
                }
            })
            .collect()
    }
}

/// Modules that reach one another through imports.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Circle {
    pub(crate) modules: Vec<String>,
    pub(crate) imports: Vec<String>,
}

/// Tarjan's algorithm, iterative over the sorted nodes so the result is stable.
fn strongly_connected(edges: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>) -> Vec<BTreeSet<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        let targets: Vec<&'a str> = state
            .edges
            .get(node)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for target in targets {
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[target].min(state.low[node]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.index[target].min(state.low[node]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut set = BTreeSet::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                set.insert(top.to_owned());
                if top == node {
                    break;
                }
            }
            state.found.push(set);
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_of_three_is_one_circle_and_a_chain_is_none() {
        let mut graph = ImportGraph::default();
        graph.add("a", "b", "a.rs");
        graph.add("b", "c", "b.rs");
        graph.add("c", "a", "c.rs");
        graph.add("c", "d", "c.rs");
        graph.add("d", "e", "d.rs");
        let circles = graph.circles();
        assert_eq!(circles.len(), 1);
        assert_eq!(circles[0].modules, ["a", "b", "c"]);
        assert_eq!(
            circles[0].imports,
            ["a → b (in a.rs)", "b → c (in b.rs)", "c → a (in c.rs)"]
        );
    }

    #[test]
    fn a_module_naming_itself_is_no_circle() {
        let mut graph = ImportGraph::default();
        graph.add("a", "a", "a.rs");
        graph.add("a", "b", "a.rs");
        assert!(graph.circles().is_empty());
    }
}
