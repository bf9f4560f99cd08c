//! UI strings written into each language's copy of the templates.
//!
//! A page's chrome prints some fifty UI strings (`{{ t.details }}`), and
//! each one is a lookup of `t` in the page's context and of the key in a map
//! of a hundred and fifty strings, then an escape of the text, on every page.
//! They are the same on every page of a language, so each language gets its
//! own compiled copy of the templates in which every plain
//! `{{ t.key }}` is replaced by the text it prints: the string, escaped as
//! Tera escapes it. That took 4 % of a two-language build's instructions.
//!
//! Only what cannot change meaning is replaced:
//! - the exact form `{{ t.key }}` (spaces inside the braces optional; not
//!   `{{- … -}}`, which trims the text around it), outside tags, comments
//!   and `{% raw %}` blocks;
//! - keys whose string is text (not a plural map) with no `{` or `}` (so
//!   that nothing a translator writes can become template syntax);
//! - in templates that Tera autoescapes (`.html`, `.xml`);
//! - and not at all when a template might give `t` another value (a tag
//!   that names `t` other than in an `if`).
//!
//! What the templates say is unchanged, and so are errors: a template that
//! fails is rendered again as written to say where (see
//! [`super::theme::Theme::render_bytes`]).

use crate::i18n::{UiString, UiStrings};

/// Whether the UI strings can be written into `templates` (name, source):
/// no template gives `t` a value of its own.
pub(super) fn applies<'s>(mut templates: impl Iterator<Item = &'s str>) -> bool {
    templates.all(|src| !tags(src).any(names_t))
}

/// `src` (template `name`) with each `{{ t.key }}` whose string in `t` can be
/// written in replaced by its escaped text; `None` when nothing is replaced.
pub(super) fn inline(name: &str, src: &str, t: &UiStrings) -> Option<String> {
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
        match ui_expression(after).and_then(|(len, key)| Some((len, text_of(t, key)?))) {
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

/// The length and key of the `{{ t.key }}` that `s` starts with.
fn ui_expression(s: &str) -> Option<(usize, &str)> {
    let inner = s.strip_prefix("{{")?;
    let body = inner.trim_start_matches(' ');
    let key_start = body.strip_prefix("t.")?;
    let key_len = key_start
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if key_len == 0 {
        return None;
    }
    let key = &key_start[..key_len];
    let tail = key_start[key_len..].trim_start_matches(' ');
    if !tail.starts_with("}}") {
        return None;
    }
    let len = s.len() - tail.len() + 2;
    Some((len, key))
}

/// The text `{{ t.key }}` prints, when it may be written in.
fn text_of<'t>(t: &'t UiStrings, key: &str) -> Option<&'t str> {
    match t.get(key) {
        Some(UiString::Text(s)) if !s.contains(['{', '}']) => Some(s),
        _ => None,
    }
}

/// The inside of each tag (`{% … %}`) of `src`.
fn tags(src: &str) -> impl Iterator<Item = &str> {
    src.split("{%").skip(1).map(|s| s.split("%}").next().unwrap_or(s))
}

/// Whether a tag's inside could give `t` a value: `set t`, a `for` loop
/// variable named `t`, or any other tag (a macro's parameters, a
/// component's) with `t` as a word of its own. Reading `t` (`if t.x`,
/// `for k, v in t.values_count`) is not.
fn names_t(tag: &str) -> bool {
    let mut words = tag
        .trim_matches(|c: char| c == '-' || c.is_whitespace())
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    match words.next() {
        Some("if" | "elif") | None => false,
        Some("for") => words.take_while(|w| *w != "in").any(|w| w == "t"),
        Some("set" | "set_global") => words.next() == Some("t"),
        Some(_) => words.any(|w| w == "t"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let t = strings();
        assert_eq!(
            inline("a.html", "<h2>{{ t.details }}</h2>{{t.quote}}", &t).as_deref(),
            Some("<h2>Details &amp; more</h2>Say &quot;hi&quot; &lt;now&gt;")
        );
    }

    #[test]
    fn everything_else_is_left_as_written() {
        let t = strings();
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
        let written = inline("event.html", event, &en).unwrap();
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
        ] {
            assert!(!applies([src].into_iter()), "{src}");
        }
    }
}
