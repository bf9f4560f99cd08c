//! Markdown: turning record prose into safe HTML.
//!
//! Record text is Markdown (CommonMark plus tables and strikethrough). The HTML
//! pulldown-cmark produces is always passed through ammonia, so a record can
//! never inject `<script>`, event handlers, iframes or `javascript:`/`data:`
//! URLs into a page, whatever it contains.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser, html};

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer"))
            .add_generic_attributes(["lang"])
            .rm_tags(["img"]);
        b
    })
}

/// Whether a link destination is one the sanitizer would keep as it is.
fn safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    match lower.find(':') {
        // No scheme before the first `/`, `?` or `#`: a relative URL.
        Some(colon) if !lower[..colon].contains(['/', '?', '#']) => {
            ["http", "https", "mailto"].contains(&&lower[..colon])
        }
        _ => true,
    }
}

/// Render Markdown to sanitized HTML.
///
/// Most record prose is plain Markdown: no raw HTML, no images, only http(s),
/// mailto and relative links. pulldown-cmark escapes all text and attributes
/// itself, so such input yields only its own markup and needs no further
/// cleaning. Anything else (raw HTML, images, other URL schemes) goes through
/// ammonia.
pub fn to_html(markdown: &str) -> String {
    to_html_with(markdown, &|_| None)
}

/// [`to_html`], with each link destination first offered to `rewrite` (which
/// turns the `event:Source/ID` shorthand into the page's relative URL); the
/// result is sanitized like any other destination.
pub fn to_html_with(markdown: &str, rewrite: &dyn Fn(&str) -> Option<String>) -> String {
    if plain_line(markdown) {
        return ["<p>", markdown, "</p>\n"].concat();
    }
    parsed_html_with(markdown, rewrite)
}

/// Whether CommonMark renders `markdown` as one paragraph holding exactly its
/// text: one line that starts with a letter (so no heading, list, quote or
/// code block), ends without white space (which would be trimmed), and has
/// no control character and none of the characters that start or escape
/// inline markup or that HTML escapes (`\` `` ` `` `*` `_` `[` `]` `<` `>`
/// `&` `!` `~` `|`). Half of the steps of a user action are such sentences;
/// parsing them was 0.5 % of a two-language build's instructions, 0.8 % of
/// a one-language build's (docs/performance.md, "Session 13").
fn plain_line(markdown: &str) -> bool {
    let bytes = markdown.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && !bytes.last().is_some_and(u8::is_ascii_whitespace)
        && !bytes.iter().any(|&b| NOT_PLAIN[usize::from(b)])
}

/// The bytes [`plain_line`] refuses, as a table (one load a byte, where
/// comparing with each was 1 % of a two-language build's instructions).
const NOT_PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = b < 0x20 || b == 0x7f;
        b += 1;
    }
    let markup = b"\\`*_[]<>&!~|";
    let mut i = 0;
    while i < markup.len() {
        t[markup[i] as usize] = true;
        i += 1;
    }
    t
};

/// [`to_html_with`], always parsing.
fn parsed_html_with(markdown: &str, rewrite: &dyn Fn(&str) -> Option<String>) -> String {
    use pulldown_cmark::{Event, Tag};
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    // One pass: each event is written as it is parsed, and whatever would
    // need the sanitizer is noted on the way (the text is not parsed into a
    // list first).
    let mut needs_cleaning = false;
    let events = Parser::new_ext(markdown, opts).map(|e| {
        let e = match e {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: rewrite(&dest_url).map_or(dest_url, Into::into),
                title,
                id,
            }),
            e => e,
        };
        needs_cleaning |= match &e {
            Event::Html(_) | Event::InlineHtml(_) => true,
            Event::Start(Tag::Image { .. }) => true,
            Event::Start(Tag::Link { dest_url, .. }) => !safe_url(dest_url),
            _ => false,
        };
        e
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events);
    if needs_cleaning {
        cleaner().clean(&raw).to_string()
    } else {
        add_link_rel(raw)
    }
}

/// Give links the same `rel` the sanitizer adds, after their other attributes.
fn add_link_rel(html: String) -> String {
    if !html.contains("<a href=") {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<a href=") {
        // Attribute values are escaped, so the tag ends at the next `>`.
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        out.push_str(&rest[..end]);
        out.push_str(" rel=\"noopener noreferrer\"");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The plain text of a Markdown text (for the search index): text and code,
/// with block boundaries as line breaks, and no markup.
pub fn to_plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::with_capacity(markdown.len());
    for e in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::TableCell) => {
                out.push('\n')
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Render a short Markdown text that should not become a paragraph
/// (a list item or an intro line): the outer `<p>` is removed when there is
/// exactly one paragraph.
pub fn to_inline_html(markdown: &str) -> String {
    to_inline_html_with(markdown, &|_| None)
}

/// [`to_inline_html`] with link destinations rewritten as in [`to_html_with`].
pub fn to_inline_html_with(markdown: &str, rewrite: &dyn Fn(&str) -> Option<String>) -> String {
    // A plain line is its own inline HTML: not wrapped in a paragraph to be
    // unwrapped again.
    if plain_line(markdown) {
        return markdown.to_string();
    }
    let html = parsed_html_with(markdown, rewrite);
    let trimmed = html.trim();
    if let Some(inner) = trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>"))
        && !inner.contains("<p>")
    {
        return inner.to_string();
    }
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_sanitizes() {
        assert_eq!(to_html("Use **Ping**."), "<p>Use <strong>Ping</strong>.</p>\n");
        let evil = "<script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>\
                    <iframe src=\"https://x\"></iframe>\n\n\
                    [d](data:text/html;base64,AAAA) [v](vbscript:x) [j](javascript:alert(1))";
        let out = to_html(evil);
        assert!(out.contains(">d</a>"), "{out}");
        for bad in [
            "<script",
            "javascript:",
            "onclick",
            "<iframe",
            "href=\"data:",
            "href=\"vbscript:",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        assert!(to_html("[ok](https://example.org)").contains("rel=\"noopener noreferrer\""));
    }

    #[test]
    fn fast_path_matches_the_sanitizer() {
        for md in [
            "Plain *text* with `code` and [a link](https://example.org/a?b=1&c=2).",
            "- one\n- two & <three>\n\n| a | b |\n|---|---|\n| 1 | 2 |",
            "[relative](../x/) and [mail](mailto:a@example.org) \"quotes\"",
        ] {
            let mut opts = Options::empty();
            opts.insert(Options::ENABLE_TABLES);
            opts.insert(Options::ENABLE_STRIKETHROUGH);
            let mut raw = String::new();
            html::push_html(&mut raw, Parser::new_ext(md, opts));
            assert_eq!(to_html(md), cleaner().clean(&raw).to_string(), "{md}");
        }
        assert!(!safe_url("javascript:alert(1)"));
        assert!(!safe_url(" JavaScript:x"));
        assert!(safe_url("../a:b/"));
        assert!(safe_url("https://x"));
    }

    proptest::proptest! {
        /// A plain line renders as pulldown-cmark renders it: as itself in a
        /// paragraph, and as itself inline.
        #[test]
        fn a_plain_line_renders_as_the_parser_renders_it(
            md in "[a-zA-Z0-9 .,:;'\"()?/=+#%$@{}^-é\u{a0}\u{2003}\\\\`*_\\[\\]<>&!~|\t\n\u{0}]{0,30}"
        ) {
            let parsed = parsed_html_with(&md, &|_| None);
            proptest::prop_assert_eq!(to_html(&md), parsed.clone());
            if plain_line(&md) {
                proptest::prop_assert_eq!(parsed, format!("<p>{md}</p>\n"));
                proptest::prop_assert_eq!(to_inline_html(&md), md);
            }
        }
    }

    #[test]
    fn plain_lines() {
        for md in ["Restart the service.", "Run it: 'net start', then wait (5 min)."] {
            assert!(plain_line(md), "{md}");
            assert_eq!(to_inline_html(md), md);
        }
        for md in [
            "",
            "1. One",
            "- x",
            "# h",
            "a *b*",
            "a  ",
            "a\nb",
            "Tom & Jerry",
            " a",
            "a\u{0}b",
        ] {
            assert!(!plain_line(md), "{md:?}");
        }
    }

    #[test]
    fn inline() {
        assert_eq!(
            to_inline_html("Make sure that *x*."),
            "Make sure that <em>x</em>."
        );
        assert!(to_inline_html("a\n\nb").starts_with("<p>a</p>"));
    }
}
