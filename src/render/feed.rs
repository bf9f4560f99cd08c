//! Atom feeds: per language, the events added or changed most recently.
//!
//! `/{lang}/feed.xml` lists up to [`ENTRIES`] events with a `last_modified`
//! date, newest first (ties by source and ID, so builds stay byte-identical),
//! each linking to its article with the message in the feed's language as
//! summary. Atom needs absolute links, so feeds are written only when the site
//! has a `base_url`; without one the build's `no-base-url` warning says so. Pages link their language's feed from `<head>`.

use crate::config::Config;
use crate::content::{Content, Event};

use super::escape_html as esc;

/// The most entries a feed holds.
pub const ENTRIES: usize = 50;

/// The events of a feed: dated ones, newest first, at most [`ENTRIES`].
pub fn recent(content: &Content) -> Vec<&Event> {
    let mut dated: Vec<&Event> = content
        .events
        .iter()
        .filter(|e| e.last_modified.is_some())
        .collect();
    dated.sort_by(|a, b| {
        b.last_modified
            .cmp(&a.last_modified)
            .then_with(|| a.source.cmp(&b.source))
            .then(a.id.cmp(&b.id))
    });
    dated.truncate(ENTRIES);
    dated
}

/// An Atom timestamp for a `YYYY-MM-DD` date (midnight UTC).
fn timestamp(date: &str) -> String {
    format!("{date}T00:00:00Z")
}

/// The Atom feed of `lang`, or `None` without a base URL. `title` is the site
/// title in `lang`, `message` gives an event's message in `lang`.
pub fn feed(
    config: &Config,
    content: &Content,
    lang: &str,
    title: &str,
    message: &dyn Fn(&Event) -> String,
) -> Option<String> {
    let base = config.base_url.as_deref()?;
    let events = recent(content);
    let self_url = super::urls::permalink(base, &super::urls::feed(lang));
    let updated = events
        .first()
        .and_then(|e| e.last_modified.as_deref())
        .map(timestamp)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let mut s = String::with_capacity(1024 + events.len() * 600);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <id>{}</id>\n  \
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  \
         <updated>{updated}</updated>\n  <author><name>{}</name></author>\n  <generator>eventref</generator>\n",
        esc(lang),
        esc(title),
        esc(&self_url),
        esc(&self_url),
        esc(&super::urls::permalink(base, &super::urls::Route::Home.in_lang(lang))),
        esc(title),
    ));
    for e in events {
        let url = super::urls::permalink(base, &super::urls::Route::event(e).in_lang(lang));
        let date = e.last_modified.as_deref().unwrap_or_default();
        s.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    \
             <updated>{}</updated>\n    <summary>{}</summary>\n  </entry>\n",
            esc(&format!("{} {}", e.source, e.id)),
            esc(&url),
            esc(&url),
            esc(&timestamp(date)),
            esc(&message(e)),
        ));
    }
    s.push_str("</feed>\n");
    Some(s)
}
