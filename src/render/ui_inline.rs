//! UI strings (and the other values that are the same on every page of a
//! language) written into each language's copy of the templates.
//!
//! A page's chrome prints some fifty UI strings (`{{ t.details }}`), and
//! each one is a lookup of `t` in the page's context and of the key in a map
//! of a hundred and fifty strings, then an escape of the text, on every page.
//! They are the same on every page of a language, so each language gets its
//! own compiled copy of the templates in which every plain
//! `{{ t.key }}` is replaced by the text it prints: the string, escaped as
//! Tera escapes it. That took 4 % of a two-language build's instructions.
//! The same goes for the language's [`Constants`] other than UI strings
//! (`{{ lang }}`, `{{ site.default_dir }}`, …).
//!
//! Only what cannot change meaning is replaced:
//! - the exact form `{{ name }}` or `{{ name.key }}` (spaces inside the
//!   braces optional; not `{{- … -}}`, which trims the text around it),
//!   outside tags, comments and `{% raw %}` blocks;
//! - values that are text with no `{` or `}` (so that nothing a translator
//!   or a site writes can become template syntax; a plural string is a map);
//! - in templates that Tera autoescapes (`.html`, `.xml`);
//! - and not at all when a template might give one of the names another
//!   value (a `set`, a loop variable, a macro's parameter: any tag but `if`
//!   that names it other than as what a loop goes over).
//!
//! What the templates say is unchanged, and so are errors: a template that
//! fails is rendered again as written to say where (see
//! [`super::theme::Theme::render_bytes`]).

use std::collections::BTreeMap;

use crate::i18n::{UiString, UiStrings};

/// The names whose values [`Constants`] holds: what a template must not give
/// a value of its own for them to be written in.
pub(super) const NAMES: [&str; 4] = ["t", "lang", "dir", "site"];

/// What `{{ name }}` and `{{ name.key }}` print on every page of one
/// language, by the expression (`t.details`, `lang`, `site.default_dir`).
#[derive(Debug, Default)]
pub(super) struct Constants(BTreeMap<String, String>);

impl Constants {
    /// The UI strings `t` (text ones) and `values` (expression, text).
    pub(super) fn new<'v>(t: &UiStrings, values: impl IntoIterator<Item = (&'v str, &'v str)>) -> Self {
        let ui = t.iter().filter_map(|(k, v)| match v {
            UiString::Text(s) => Some((format!("t.{k}"), s.clone())),
            UiString::Plural(_) => None,
        });
        Constants(
            ui.chain(values.into_iter().map(|(k, v)| (k.to_string(), v.to_string())))
                .filter(|(_, v)| !v.contains(['{', '}']))
                .collect(),
        )
    }
}

/// Whether the constants can be written into `templates` (name, source):
/// no template gives one of [`NAMES`] a value of its own.
pub(super) fn applies<'s>(mut templates: impl Iterator<Item = &'s str>) -> bool {
    templates.all(|src| !tags(src).any(|tag| NAMES.iter().any(|n| names(tag, n))))
}

/// `src` (template `name`) with each `{{ name }}` / `{{ name.key }}` that
/// `constants` has replaced by its escaped text; `None` when nothing is.
pub(super) fn inline(name: &str, src: &str, constants: &Constants) -> Option<String> {
    let escaped = name.ends_with(".html") || name.ends_with(".xml");
    if !escaped || src.contains("raw %}") || src.contains("raw -%}") {
        return None;
    }
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    let mut replaced = false;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        // Tags and comments are copied whole.
        let close = match after.as_bytes().get(1) {
            Some(b'%') => Some("%}"),
            Some(b'#') => Some("#}"),
            _ => None,
        };
        if let Some(close) = close {
            let end = after[2..]
                .find(close)
                .map_or(after.len(), |i| i + 2 + close.len());
            out.push_str(&rest[..open + end]);
            rest = &after[end..];
            continue;
        }
        match expression(after).and_then(|(len, path)| Some((len, constants.0.get(path)?))) {
            Some((len, text)) => {
                out.push_str(&rest[..open]);
                let mut bytes = Vec::with_capacity(text.len());
                // Writing to a Vec does not fail.
                let _ = tera::escape_html(text, &mut bytes);
                out.push_str(&String::from_utf8_lossy(&bytes));
                rest = &after[len..];
                replaced = true;
            }
            None => {
                out.push_str(&rest[..open + 1]);
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    replaced.then_some(out)
}

/// The length of the `{{ name }}` or `{{ name.key }}` that `s` starts with,
/// and its expression (`name.key`).
fn expression(s: &str) -> Option<(usize, &str)> {
    let body = s.strip_prefix("{{")?.trim_start_matches(' ');
    let word = |s: &str| {
        s.bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count()
    };
    let mut len = word(body);
    if len == 0 {
        return None;
    }
    if body[len..].starts_with('.') {
        let key = word(&body[len + 1..]);
        if key == 0 {
            return None;
        }
        len += 1 + key;
    }
    let tail = body[len..].trim_start_matches(' ');
    if !tail.starts_with("}}") {
        return None;
    }
    Some((s.len() - tail.len() + 2, &body[..len]))
}

/// The inside of each tag (`{% … %}`) of `src`.
fn tags(src: &str) -> impl Iterator<Item = &str> {
    src.split("{%").skip(1).map(|s| s.split("%}").next().unwrap_or(s))
}

/// Whether a tag's inside could give `name` a value: `set name`, a `for`
/// loop variable named so, or any other tag (a macro's parameters, a
/// component's) with `name` as a word of its own. Reading it (`if t.x`,
/// `for k, v in t.values_count`) is not.
fn names(tag: &str, name: &str) -> bool {
    let mut words = tag
        .trim_matches(|c: char| c == '-' || c.is_whitespace())
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    match words.next() {
        Some("if" | "elif") | None => false,
        Some("for") => words.take_while(|w| *w != "in").any(|w| w == name),
        Some("set" | "set_global") => words.next() == Some(name),
        Some(_) => words.any(|w| w == name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constants() -> Constants {
        Constants::new(
            &strings(),
            [("lang", "de"), ("site.default_dir", "rtl"), ("site.title", "{x}")],
        )
    }

    fn strings() -> UiStrings {
        [
            ("details", "Details & more"),
            ("quote", "Say \"hi\" <now>"),
            ("braces", "{count} events"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), UiString::Text(v.to_string())))
        .chain([(
            "plural".to_string(),
            UiString::Plural([("other".to_string(), "x".to_string())].into()),
        )])
        .collect()
    }

    #[test]
    fn plain_ui_expressions_are_written_in_escaped() {
        let t = constants();
        assert_eq!(
            inline("a.html", "<h2>{{ t.details }}</h2>{{t.quote}}", &t).as_deref(),
            Some("<h2>Details &amp; more</h2>Say &quot;hi&quot; &lt;now&gt;")
        );
        assert_eq!(
            inline(
                "a.html",
                "<p lang=\"{{ lang }}\" dir=\"{{site.default_dir}}\">",
                &t
            )
            .as_deref(),
            Some("<p lang=\"de\" dir=\"rtl\">")
        );
    }

    #[test]
    fn everything_else_is_left_as_written() {
        let t = constants();
        for src in [
            // Whitespace control, filters, other variables, unknown keys,
            // plural maps and strings with braces.
            "{{- t.details }}",
            "{{ t.details -}}",
            "{{ t.details | upper }}",
            "{{ t.details_x }}",
            "{{ tt.details }}",
            "{{ t.missing }}",
            "{{ t.plural }}",
            "{{ t.braces }}",
            "{{ site.title }}",
            "{{ site.nope }}",
            "{{ lang.x }}",
            "{{ langs }}",
            "{{ t.details.x }}",
            // Inside tags and comments.
            "{% set a = \"{{ t.details }}\" %}",
            "{# {{ t.details }} #}",
            "{{ t.",
            "{",
        ] {
            assert_eq!(inline("a.html", src, &t), None, "{src}");
        }
        // Raw blocks print `{{ t.details }}` as it is written.
        assert_eq!(inline("a.html", "{% raw %}{{ t.details }}{% endraw %}", &t), None);
        // Templates Tera does not autoescape.
        assert_eq!(inline("a.txt", "{{ t.details }}", &t), None);
        // Around a tag: the tag is kept, the expression replaced.
        assert_eq!(
            inline("a.html", "{% if x %}{{ t.details }}{% endif %}", &t).as_deref(),
            Some("{% if x %}Details &amp; more{% endif %}")
        );
    }

    /// The bundled theme gets its UI strings written in (else this would
    /// silently cost every page its fifty lookups again).
    #[test]
    fn the_technet_theme_has_its_ui_strings_written_in() {
        let templates = || {
            crate::render::theme::BUILTIN_TECHNET
                .iter()
                .filter(|(path, _)| path.starts_with("templates/"))
        };
        assert!(applies(templates().map(|(_, src)| *src)));
        let en: UiStrings =
            serde_saphyr::from_str(include_str!("../../themes/technet/i18n/en.yaml")).unwrap();
        let (_, event) = templates().find(|(p, _)| *p == "templates/event.html").unwrap();
        let written = inline("event.html", event, &Constants::new(&en, [])).unwrap();
        assert!(!written.contains("{{ t.details }}") && written.contains(">Details</h2>"));
    }

    #[test]
    fn a_template_that_gives_t_a_value_turns_it_off() {
        assert!(applies(
            [
                "{% if t.details %}{{ t.details }}{% endif %}",
                "{% for e in events %}{% endfor %}",
                "{%- for cat, text in t.values_count %}{% endfor %}",
                "{% set x = t.details %}",
            ]
            .into_iter()
        ));
        for src in [
            "{% set t = 1 %}",
            "{%- set_global t = x -%}",
            "{% for t in list %}",
            "{% for k, t in map %}",
            "{% macro m(t) %}{% endmacro %}",
            "{% set site = 1 %}",
            "{% for lang in langs %}",
            "{% macro m(dir) %}{% endmacro %}",
        ] {
            assert!(!applies([src].into_iter()), "{src}");
        }
    }
}
