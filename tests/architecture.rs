//! The import graph of the crate's top-level modules has no cycle, and the layers below the
//! model import nothing above them (`docs/architecture.md` § Layers). The graph is read from
//! the source text: every `crate::module` path (also inside `use crate::{a, b}` groups) in
//! `src/<module>.rs` or `src/<module>/**` is an edge from that module. Comments are ignored.
//!
//! Run alone with `cargo test --test architecture`; a failure prints the cycle or the edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` without `//` comments (doc comments included; no string in the crate holds `//`
/// before a `crate::` path).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect()
}

/// The top-level modules a source text names through `crate::`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::{x, y}, b}`: the first segment of each top-level item.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        out.insert(ident(&group[j..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut g = Graph::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel.iter().next().unwrap().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).unwrap());
        let edges = g.entry(module.clone()).or_default();
        edges.extend(imports(&text).into_iter().filter(|m| *m != module));
    }
    g
}

/// A cycle through `start`, as the path of modules, if there is one.
fn cycle(g: &Graph, start: &str) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(at).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(g, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    visit(g, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_module_graph_has_no_cycle() {
    let g = graph();
    assert!(g.contains_key("model") && g.contains_key("render"), "{g:?}");
    for module in g.keys() {
        if let Some(path) = cycle(&g, module) {
            panic!("import cycle: {}\n(graph: {g:#?})", path.join(" -> "));
        }
    }
}

/// The layers, lowest first: a module may import only from layers below it (and `error`,
/// which every layer reports through).
#[test]
fn layers_import_only_downwards() {
    let layers: &[&[&str]] = &[
        &["aws", "presets", "project"],
        &["spec"],
        &["model"],
        &["explain", "view"],
        &["render"],
        &["output"],
        &["reconcile"],
        &["wizard"],
        &["cli"],
    ];
    let level = |m: &str| layers.iter().position(|l| l.contains(&m));
    let g = graph();
    for (module, edges) in &g {
        if module == "error" {
            assert!(edges.is_empty(), "error imports {edges:?}");
            continue;
        }
        let from = level(module).unwrap_or_else(|| panic!("module {module} is in no layer"));
        for to in edges.iter().filter(|m| *m != "error") {
            let to_level = level(to).unwrap_or_else(|| panic!("module {to} is in no layer"));
            assert!(
                to_level < from,
                "{module} imports {to}, which is not below it"
            );
        }
    }
}

#[test]
fn imports_are_read_from_groups_and_paths() {
    let text = "use crate::{a::{x, y}, b};\nlet _ = crate::c::f();\n// crate::d\n";
    let found = imports(&code(text));
    assert_eq!(found, ["a", "b", "c"].map(String::from).into());
}
