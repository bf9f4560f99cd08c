//! Offline copies (`eventref build --offline`): the theme's ES modules as
//! classic scripts, so that the search page and the `/go/` page run when the
//! copy is opened from disk (`file://`), where browsers refuse to load modules.
//!
//! [`bundle`] joins an entry script and the modules it imports (relative
//! imports of other static files, `import { a, b as c } from './x.js';`) into
//! one classic script: each module becomes a function scope that returns its
//! exports, dependencies first. It understands exactly the module syntax the
//! built-in theme uses — top-level `import { … } from './….js';` statements
//! and `export function|async function|const|let|class` declarations — and
//! refuses anything else with a message, rather than guess. The output depends
//! only on the input text, so builds stay byte-identical.

use std::collections::BTreeMap;

/// The theme's static scripts that templates load as modules, and that an
/// offline copy replaces with their bundles.
pub const ENTRIES: &[&str] = &["search.js", "go.js"];

/// One parsed module: its imports (specifier, [(imported, local)]), its body
/// without import statements and `export ` keywords, its exported names.
struct Module {
    imports: Vec<(String, Vec<(String, String)>)>,
    body: String,
    exports: Vec<String>,
}

fn parse(name: &str, text: &str) -> Result<Module, String> {
    let mut imports = Vec::new();
    let mut body = String::with_capacity(text.len());
    let mut exports = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("import ") || line == "import {" {
            let mut stmt = line.to_string();
            while !stmt.trim_end().ends_with(';') {
                let Some(next) = lines.next() else {
                    return Err(format!(
                        "static/{name}: an import statement does not end with `;`"
                    ));
                };
                stmt.push('\n');
                stmt.push_str(next);
            }
            imports.push(parse_import(name, &stmt)?);
            // Keep line numbers: one empty line per line of the statement.
            for _ in 0..stmt.lines().count() {
                body.push('\n');
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("export ") {
            let decl = ["async function ", "function ", "const ", "let ", "class "]
                .iter()
                .find_map(|k| rest.strip_prefix(k));
            let Some(after) = decl else {
                return Err(format!(
                    "static/{name}: `{}` is not an export an offline copy can bundle (only export function/const/let/class)",
                    line.trim()
                ));
            };
            let ident: String = after
                .trim_start_matches('*')
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            if ident.is_empty() {
                return Err(format!(
                    "static/{name}: cannot read the exported name in `{}`",
                    line.trim()
                ));
            }
            exports.push(ident);
            body.push_str(rest);
            body.push('\n');
            continue;
        }
        body.push_str(line);
        body.push('\n');
    }
    Ok(Module {
        imports,
        body,
        exports,
    })
}

/// `import { a, b as c } from './x.js';` → (`x.js`, [(a, a), (b, c)]).
fn parse_import(name: &str, stmt: &str) -> Result<(String, Vec<(String, String)>), String> {
    let bad = || {
        format!(
            "static/{name}: `{}` is not an import an offline copy can bundle (only import {{ … }} from './file.js')",
            stmt.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    };
    let open = stmt.find('{').ok_or_else(bad)?;
    let close = stmt.find('}').ok_or_else(bad)?;
    let from = stmt[close + 1..]
        .trim()
        .strip_prefix("from")
        .ok_or_else(bad)?
        .trim();
    let spec = from
        .trim_end_matches(';')
        .trim()
        .trim_matches(|c| c == '\'' || c == '"');
    let file = spec.strip_prefix("./").ok_or_else(bad)?;
    if file.contains('/') || !file.ends_with(".js") {
        return Err(bad());
    }
    let mut names = Vec::new();
    for part in stmt[open + 1..close].split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (imported, local) = match part.split_once(" as ") {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        names.push((imported.to_string(), local.to_string()));
    }
    Ok((file.to_string(), names))
}

/// A JavaScript identifier for module `file`'s exports object.
fn var(file: &str) -> String {
    let mut s = String::from("__eventref_");
    s.extend(
        file.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
    );
    s
}

/// One classic script holding `entry` and every module it imports, found
/// among `files` (static file name → text).
pub fn bundle(entry: &str, files: &BTreeMap<String, String>) -> Result<String, String> {
    // Depth-first: each module after the modules it imports.
    let mut order: Vec<String> = Vec::new();
    let mut parsed: BTreeMap<String, Module> = BTreeMap::new();
    let mut stack: Vec<(String, bool)> = vec![(entry.to_string(), false)];
    let mut visiting: Vec<String> = Vec::new();
    while let Some((file, done)) = stack.pop() {
        if done {
            visiting.retain(|f| f != &file);
            order.push(file);
            continue;
        }
        if parsed.contains_key(&file) {
            if visiting.contains(&file) {
                return Err(format!("static/{file}: modules import each other in a cycle"));
            }
            continue;
        }
        let text = files
            .get(&file)
            .ok_or_else(|| format!("static/{entry} imports ./{file}, which the theme does not have"))?;
        let m = parse(&file, text)?;
        stack.push((file.clone(), true));
        visiting.push(file.clone());
        for (dep, _) in m.imports.iter().rev() {
            if visiting.contains(dep) {
                return Err(format!("static/{file}: modules import each other in a cycle"));
            }
            if !parsed.contains_key(dep) {
                stack.push((dep.clone(), false));
            }
        }
        parsed.insert(file, m);
    }
    let mut out = format!(
        "// {entry} and the modules it imports, as one classic script for an offline copy\n\
         // (eventref build --offline): browsers load no ES modules from file://.\n\"use strict\";\n"
    );
    for file in &order {
        let m = &parsed[file];
        for (dep, names) in &m.imports {
            if let Some(missing) = names
                .iter()
                .find(|(n, _)| !parsed[dep].exports.iter().any(|e| e == n))
            {
                return Err(format!(
                    "static/{file} imports {} from ./{dep}, which does not export it",
                    missing.0
                ));
            }
        }
        out.push_str(&format!("const {} = (() => {{\n", var(file)));
        for (dep, names) in &m.imports {
            let list: Vec<String> = names
                .iter()
                .map(|(a, b)| if a == b { a.clone() } else { format!("{a}: {b}") })
                .collect();
            out.push_str(&format!("const {{ {} }} = {};\n", list.join(", "), var(dep)));
        }
        out.push_str(&format!("// ---- {file}\n"));
        out.push_str(&m.body);
        out.push_str(&format!("return {{ {} }};\n}})();\n", m.exports.join(", ")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn bundles_imports_in_dependency_order() {
        let f = files(&[
            (
                "a.js",
                "import {\n  x, y as z,\n} from './b.js';\nimport { w } from './c.js';\nexport const r = x + z + w;\n",
            ),
            (
                "b.js",
                "import { w } from './c.js';\nexport function x() { return w; }\nexport const y = 2;\n",
            ),
            ("c.js", "export const w = 1;\nconst hidden = 3;\n"),
        ]);
        let out = bundle("a.js", &f).unwrap();
        let c = out.find("// ---- c.js").unwrap();
        let b = out.find("// ---- b.js").unwrap();
        let a = out.find("// ---- a.js").unwrap();
        assert!(c < b && b < a, "{out}");
        assert_eq!(out.matches("// ---- c.js").count(), 1);
        assert!(out.contains("const { x, y: z } = __eventref_b_js;"), "{out}");
        assert!(out.contains("return { w };"), "{out}");
        assert!(!out.contains("export "), "{out}");
        assert!(!out.contains("import "), "{out}");
        assert_eq!(bundle("a.js", &f).unwrap(), out, "deterministic");
    }

    #[test]
    fn refuses_what_it_cannot_bundle() {
        for (text, want) in [
            ("export default 1;\n", "not an export"),
            ("import x from './b.js';\n", "not an import"),
            ("import { x } from 'https://cdn.example/x.js';\n", "not an import"),
            ("import { nope } from './b.js';\n", "does not export"),
            ("import { y } from './missing.js';\n", "does not have"),
        ] {
            let f = files(&[("a.js", text), ("b.js", "export const y = 1;\n")]);
            let err = bundle("a.js", &f).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
        let cycle = files(&[
            ("a.js", "import { b } from './b.js';\nexport const a = 1;\n"),
            ("b.js", "import { a } from './a.js';\nexport const b = 1;\n"),
        ]);
        assert!(bundle("a.js", &cycle).unwrap_err().contains("cycle"));
    }
}
