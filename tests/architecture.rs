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

/// Every path the text names from `crate` or `super`, as its root and segments, with use
/// groups expanded: `use crate::{fleet::Row, tui}` names `crate::fleet::Row` and `crate::tui`;
/// `super::super::x` is `super` twice, then `x`.
fn paths_named(text: &str) -> Vec<(usize, Vec<String>)> {
    let start = Regex::new(r"\b(crate|super)::").unwrap();
    let mut paths = Vec::new();
    for m in start.find_iter(text) {
        // `super::super` is read from its first `super`; a later one is not a new path.
        if text[..m.start()].ends_with("super::") {
            continue;
        }
        let mut rest = &text[m.start()..];
        let mut supers = 0;
        let root_is_crate = rest.starts_with("crate::");
        if root_is_crate {
            rest = &rest["crate::".len()..];
        } else {
            while let Some(after) = rest.strip_prefix("super::") {
                supers += 1;
                rest = after;
            }
        }
        let mut found = Vec::new();
        tree(rest, &mut Vec::new(), &mut found);
        paths.extend(
            found
                .into_iter()
                .map(|p| (if root_is_crate { 0 } else { supers }, p)),
        );
    }
    paths
}

/// Reads one use tree (`a::b`, `a::{b, c::d}`, `a::*`) at the start of `text` under `prefix`;
/// pushes each full path and returns what follows it.
fn tree<'t>(mut text: &'t str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) -> &'t str {
    let depth = prefix.len();
    loop {
        text = text.trim_start();
        if let Some(inner) = text.strip_prefix('{') {
            text = inner;
            loop {
                text = tree(text, prefix, out).trim_start();
                match text.chars().next() {
                    Some(',') => text = &text[1..],
                    Some('}') => {
                        text = &text[1..];
                        break;
                    }
                    _ => break,
                }
                if text.trim_start().starts_with('}') {
                    text = &text.trim_start()[1..];
                    break;
                }
            }
            prefix.truncate(depth);
            return text;
        }
        let ident: String = text
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            break;
        }
        if ident != "self" {
            prefix.push(ident.clone());
        }
        text = &text[ident.len()..];
        match text.strip_prefix("::") {
            Some(after) => text = after,
            None => break,
        }
    }
    out.push(prefix.clone());
    prefix.truncate(depth);
    // A rename (`as Other`) ends the path.
    match text.trim_start().strip_prefix("as ") {
        Some(after) => after
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        None => text,
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut known = BTreeMap::new();
    modules(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        "",
        &mut known,
    );
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
        for (supers, rest) in paths_named(text) {
            let mut segments: Vec<&str> = if supers == 0 {
                Vec::new()
            } else {
                let mut base = parent.clone();
                if is_dir_module {
                    base.pop();
                }
                for _ in 1..supers {
                    base.pop();
                }
                base
            };
            segments.extend(rest.iter().map(String::as_str));
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

/// The arrows that must never be drawn: `(from, to, why)`, each a module and everything
/// under it.
const NEVER: &[(&str, &str, &str)] = &[
    ("graph", "cli", "the domain knows no face"),
    ("graph", "tui", "the domain knows no face"),
    ("engine", "cli", "the domain knows no face"),
    ("engine", "tui", "the domain knows no face"),
    ("ledger", "cli", "the domain knows no face"),
    ("ledger", "tui", "the domain knows no face"),
    ("audit", "cli", "the domain knows no face"),
    ("audit", "tui", "the domain knows no face"),
    ("fleet", "cli", "the domain knows no face"),
    ("fleet", "tui", "the domain knows no face"),
    (
        "cli",
        "tui",
        "two faces, one engine: the entry picks the face",
    ),
    (
        "tui",
        "cli",
        "two faces, one engine: the entry picks the face",
    ),
    (
        "sandbox",
        "cli",
        "the sandbox is Meta's stand-in: it knows no face",
    ),
    (
        "sandbox",
        "tui",
        "the sandbox is Meta's stand-in: it knows no face",
    ),
    (
        "sandbox",
        "engine",
        "the sandbox is Meta's stand-in: it knows no engine",
    ),
    (
        "sandbox",
        "ledger",
        "the sandbox is Meta's stand-in: it knows no ledger",
    ),
];

fn under(module: &str, root: &str) -> bool {
    module == root || module.starts_with(&format!("{root}/"))
}

/// The edges that break a `NEVER` rule, in words.
fn forbidden(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut found = Vec::new();
    for (from, targets) in edges {
        for to in targets {
            for (a, b, why) in NEVER {
                if under(from, a) && under(to, b) {
                    found.push(format!("{from} → {to}: {why}"));
                }
            }
        }
    }
    found
}

#[test]
fn no_never_arrow_is_drawn() {
    let edges = graph();
    let found = forbidden(&edges);
    assert!(found.is_empty(), "forbidden imports:\n{}", found.join("\n"));
}

#[test]
fn use_groups_and_nested_supers_are_read() {
    let named = |text: &str| -> Vec<String> {
        paths_named(text)
            .into_iter()
            .map(|(supers, p)| format!("{supers}:{}", p.join("::")))
            .collect()
    };
    assert_eq!(
        named("use crate::{fleet::{Row, Column}, tui};"),
        ["0:fleet::Row", "0:fleet::Column", "0:tui"]
    );
    assert_eq!(
        named("use super::super::keys::{self, Action};"),
        ["2:keys", "2:keys::Action"]
    );
    assert_eq!(named("let x = crate::cli::main(cli);"), ["0:cli::main"]);
    assert_eq!(
        named("use crate::{graph::NumberId as Id, tui::app::App};"),
        ["0:graph::NumberId", "0:tui::app::App"]
    );
    // And the rule sees such an import.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges
        .entry("engine/plan".into())
        .or_default()
        .insert("tui/app".into());
    assert_eq!(forbidden(&edges).len(), 1);
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
