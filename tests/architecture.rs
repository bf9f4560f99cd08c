//! The layering of `docs/architecture.md`, held by a test: every reference
//! from one top-level module of `src/` to another (`crate::x`, `use
//! crate::{x::…}`) goes to a module of a strictly lower layer. Data flows one
//! way (config → content → i18n → render → search/output → site → serve/cli),
//! so nothing imports upward and there is no cycle between modules.

mod common;

use std::collections::BTreeSet;

/// Each top-level module and its layer (lower layers come first).
const LAYERS: &[(&str, u8)] = &[
    ("diagnostics", 0),
    ("slug", 0),
    ("error", 1),
    ("confine", 1),
    ("config", 2),
    ("content", 3),
    ("i18n", 4),
    ("render", 5),
    ("search", 6),
    ("output", 6),
    ("site", 7),
    ("authoring", 7),
    ("import", 8),
    ("serve", 8),
    ("cli", 9),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The crate modules `code` refers to (comments and test modules left out).
fn references(code: &str) -> BTreeSet<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or("");
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // use crate::{a::X, b, c::{…}}: the first name of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        out.insert(ident(&group[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

#[test]
fn nothing_imports_a_layer_above_itself() {
    let src = common::repo().join("src");
    let mut wrong = Vec::new();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy();
        let top = top.trim_end_matches(".rs");
        let Some(own) = layer(top) else { continue };
        files += 1;
        for to in references(&std::fs::read_to_string(path).unwrap()) {
            match layer(&to) {
                Some(l) if to != top && l >= own => wrong.push(format!("{} uses crate::{to}", rel.display())),
                _ => {}
            }
        }
    }
    assert!(files > 40, "read {files} files under src/");
    assert!(
        wrong.is_empty(),
        "references to a layer at or above the module's own:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_reference_scan_sees_what_it_must() {
    let refs = references(
        "use crate::{config::Config, content::{Event, slug::Slug}, diagnostics};\nlet x = crate::render::urls::x();\n// crate::site in a comment\n",
    );
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    assert_eq!(refs, ["config", "content", "diagnostics", "render"]);
}
