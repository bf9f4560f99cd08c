//! The `#anchors` of links that lead to a page of the site, checked against
//! the ids that page really has once it is rendered. The theme's templates
//! (built-in or a site's overrides in `templates/`) decide a page's ids and
//! the record decides which of its sections are there, so the rendered page
//! is the one source of truth, and a custom theme gets no false errors.
//! `check` and `build` both render through [`render()`], so they report the
//! same `broken-link` errors.
//!
//! The content stage resolves each link and leaves the ones with an anchor
//! on the event (`Event::anchor_links`, `Translation::anchor_links`); here
//! the pages they point into are read (with html5ever's tokenizer) as they
//! pass on to the output, for their `id`s and `<a name>`s.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};

use crate::content::Content;
use crate::content::links::AnchorLink;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::error::{Failure, FailureKind};
use crate::render::{PageSink, RenderStats, Selection};

/// Render `selection` into `sink` with `render` (the render stage, given the
/// sink to write to); when that is the whole site, also check the anchors
/// of every link to a page of the site (a partial render of the live
/// preview does not have every page to check them against).
///
/// An incremental build (`site::state`) passes `fresh`: the pages that links
/// new since the last build point into. Then every link into a page this
/// render produces is checked, and a fresh page that it does not produce is
/// an error ([`UNCERTAIN`]): its anchors are unknown, so the build must be
/// done in full. (Links into pages it does not produce were checked by an
/// earlier build against the same page.)
pub(crate) fn render(
    content: &Content,
    selection: &Selection,
    sink: &dyn PageSink,
    fresh: Option<&[String]>,
    render: impl FnOnce(&dyn PageSink) -> Result<RenderStats, Diagnostics>,
) -> Result<RenderStats, Failure> {
    let failure = |diagnostics| Failure {
        kind: FailureKind::Content,
        diagnostics,
    };
    let links = if selection.is_all() || fresh.is_some() {
        anchor_links(content)
    } else {
        Vec::new()
    };
    let collect = Collect::new(sink, &links);
    let stats = render(&collect).map_err(failure)?;
    let broken = collect.check(&links, fresh.unwrap_or_default());
    if broken.is_empty() {
        return Ok(stats);
    }
    let mut diags = Diagnostics::new();
    diags.extend(broken);
    diags.sort();
    Err(failure(diags))
}

/// The code of the error an incremental build gives up with when a new link
/// leads to a page it did not render (see [`render()`]).
pub(crate) const UNCERTAIN: &str = "incremental-uncertain";

/// Every link to an anchor in the records and their translations.
fn anchor_links(content: &Content) -> Vec<&AnchorLink> {
    content
        .events
        .iter()
        .flat_map(|e| {
            e.anchor_links
                .0
                .iter()
                .chain(e.translations.values().flat_map(|t| t.anchor_links.0.iter()))
        })
        .collect()
}

/// A [`PageSink`] that passes every page on and keeps the anchors of the
/// pages that links point into.
struct Collect<'a> {
    inner: &'a dyn PageSink,
    wanted: HashSet<&'a str>,
    found: Mutex<HashMap<String, BTreeSet<String>>>,
}

impl<'a> Collect<'a> {
    fn new(inner: &'a dyn PageSink, links: &[&'a AnchorLink]) -> Self {
        Collect {
            inner,
            wanted: links.iter().map(|l| l.page.as_str()).collect(),
            found: Mutex::new(HashMap::new()),
        }
    }

    /// The `broken-link` errors of `links` whose page has no such anchor.
    /// A page that was not rendered as HTML (a static file) is not checked.
    /// A `fresh` page that was not rendered is an [`UNCERTAIN`] error.
    fn check(self, links: &[&AnchorLink], fresh: &[String]) -> Vec<Diagnostic> {
        let found = self.found.into_inner().unwrap_or_else(|e| e.into_inner());
        let uncertain = fresh.iter().filter(|p| !found.contains_key(p.as_str())).map(|p| {
            Diagnostic::error(
                UNCERTAIN,
                format!("the anchors of /{p} are not known to this incremental build"),
            )
        });
        links
            .iter()
            .filter(|l| !always_there(&l.anchor))
            .filter_map(|l| {
                let ids = found.get(&l.page)?;
                (!ids.contains(&l.anchor)).then(|| broken_anchor(l, ids))
            })
            .chain(uncertain)
            .collect()
    }
}

impl PageSink for Collect<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        if self.wanted.contains(path) && path.ends_with(".html") {
            let ids = ids(bytes);
            self.found
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_string(), ids);
        }
        self.inner.put(path, bytes)
    }

    fn remove(&self, path: &str) -> std::io::Result<()> {
        self.inner.remove(path)
    }

    fn previous(&self, path: &str) -> Option<Vec<u8>> {
        self.inner.previous(path)
    }
}

/// Anchors every page has: `#top` (browsers scroll to the top when no
/// element has that id) and text fragments (`#:~:text=…`). An anchor with a
/// `%` escape is left alone (browsers decode it before matching).
fn always_there(anchor: &str) -> bool {
    anchor.eq_ignore_ascii_case("top") || anchor.starts_with(":~:") || anchor.contains('%')
}

/// How many of a page's anchors a hint lists.
const LISTED: usize = 12;

/// The error of link `l` to an anchor its page does not have (`ids`).
fn broken_anchor(l: &AnchorLink, ids: &BTreeSet<String>) -> Diagnostic {
    let dest = l.link.dest.trim();
    let page = l.page.strip_suffix("index.html").unwrap_or(&l.page);
    let help = match did_you_mean(&l.anchor, ids.iter().map(String::as_str)) {
        Some(near) => {
            let before = dest.rsplit_once('#').map_or(dest, |(b, _)| b);
            format!("did you mean `{before}#{near}`?")
        }
        None if ids.is_empty() => "the page has no anchors: link to the page without `#…`".into(),
        None => {
            let mut list: Vec<String> = ids.iter().take(LISTED).map(|i| format!("`#{i}`")).collect();
            if ids.len() > LISTED {
                list.push(format!("and {} more", ids.len() - LISTED));
            }
            format!("the anchors of that page are {}", list.join(", "))
        }
    };
    Diagnostic::error(
        "broken-link",
        format!(
            "the link `{dest}` in {} leads to no place on its page: /{page} has no anchor `#{}`",
            l.link.field, l.anchor
        ),
    )
    .at(l.link.loc.clone())
    .help(help)
}

/// The anchors of an HTML page: the `id` of every element and the `name` of
/// every `<a>`.
fn ids(html: &[u8]) -> BTreeSet<String> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(&String::from_utf8_lossy(html)));
    let tokenizer = Tokenizer::new(Ids::default(), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

/// The tokenizer's sink: collects anchors, and switches the tokenizer to
/// raw text inside `<script>`, `<style>` and the like, as a browser's tree
/// builder does, so that markup in a script is not taken for an element.
#[derive(Default)]
struct Ids(RefCell<BTreeSet<String>>);

impl TokenSink for Ids {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let name: &str = &tag.name;
        for a in &tag.attrs {
            let attr: &str = &a.name.local;
            if !a.value.is_empty() && (attr == "id" || (attr == "name" && name == "a")) {
                self.0.borrow_mut().insert(a.value.to_string());
            }
        }
        match name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_of_a_page() {
        let html = br#"<!doctype html><title><a id="t"></title><h2 id="why">x</h2>
            <a name="old">o</a><p name="not-a">p</p><tr id='field-A'>
            <script>var s = '<b id="in-script">';</script><!-- <i id="in-comment"> -->
            <style>#x { } <b id="in-style"></style><textarea><b id="in-text"></textarea>
            <div id="">e</div><div id=bare>b</div>"#;
        let got: Vec<String> = ids(html).into_iter().collect();
        assert_eq!(got, ["bare", "field-A", "old", "why"]);
    }

    #[test]
    fn top_and_text_fragments_are_always_there() {
        assert!(always_there("top") && always_there("TOP") && always_there(":~:text=x"));
        assert!(!always_there("topics"));
    }
}
