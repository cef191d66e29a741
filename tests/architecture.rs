//! The source's shape, checked: no two files depend on each other, directly or round a
//! circle, except a `mod.rs` naming its own children. A circle makes every change on it touch
//! both ends; the two there were (`cli` ↔ the TUI's entry, and two form views) are gone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// Every `.rs` file under `src`, as its module path: `tui/view/form_common`.
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            modules(&path, &format!("{prefix}{name}/"), out);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let module = match stem {
                "mod" => prefix.trim_end_matches('/').to_owned(),
                _ => format!("{prefix}{stem}"),
            };
            out.insert(module, path);
        }
    }
}

/// The longest known module that `segments` starts with.
fn resolve(known: &BTreeMap<String, PathBuf>, segments: &[&str]) -> Option<String> {
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("/"))
        .find(|m| known.contains_key(m))
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut known = BTreeMap::new();
    modules(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        "",
        &mut known,
    );
    let path_re = Regex::new(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)+)").unwrap();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &known {
        let text = std::fs::read_to_string(file).unwrap();
        // Tests may reach anywhere; only the code that ships is checked.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let is_dir_module = file.ends_with("mod.rs") || module == "lib" || module == "main";
        let parent: Vec<&str> = if is_dir_module {
            module.split('/').collect()
        } else {
            let mut p: Vec<&str> = module.split('/').collect();
            p.pop();
            p
        };
        for cap in path_re.captures_iter(text) {
            let rest: Vec<&str> = cap[2].split("::").filter(|s| !s.is_empty()).collect();
            let mut segments: Vec<&str> = match &cap[1] {
                "crate" => Vec::new(),
                _ => {
                    let mut base = parent.clone();
                    if is_dir_module {
                        base.pop();
                    }
                    base
                }
            };
            segments.extend(rest);
            let Some(target) = resolve(&known, &segments) else {
                continue;
            };
            // A parent naming (and re-exporting) its children is how Rust builds a tree.
            let child_of_this = is_dir_module && target.starts_with(&format!("{module}/"));
            if target != *module && !child_of_this && !["lib", "main"].contains(&module.as_str()) {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    edges
}

/// A circle through `start`, if there is one.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in edges.get(&at).into_iter().flatten() {
            if next == start {
                let mut found = path.clone();
                found.push(start.to_owned());
                return Some(found);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn no_file_depends_on_itself_through_others() {
    let edges = graph();
    assert!(
        edges.values().map(BTreeSet::len).sum::<usize>() > 100,
        "the graph was not read: {edges:?}"
    );
    let circles: Vec<String> = edges
        .keys()
        .filter_map(|m| circle(&edges, m))
        .map(|c| c.join(" → "))
        .collect();
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_checker_sees_a_circle_when_there_is_one() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        circle(&edges, "a").map(|c| c.join(" → ")),
        Some("a → b → c → a".to_owned())
    );
}
