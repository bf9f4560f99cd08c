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

/// Render Markdown to sanitized HTML.
pub fn to_html(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, opts);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    cleaner().clean(&raw).to_string()
}

/// Render a short Markdown text that should not become a paragraph
/// (a list item or an intro line): the outer `<p>` is removed when there is
/// exactly one paragraph.
pub fn to_inline_html(markdown: &str) -> String {
    let html = to_html(markdown);
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
    fn inline() {
        assert_eq!(
            to_inline_html("Make sure that *x*."),
            "Make sure that <em>x</em>."
        );
        assert!(to_inline_html("a\n\nb").starts_with("<p>a</p>"));
    }
}
