//! Links inside record prose (`explanation`, `user_action`): finding them in
//! the Markdown with their place in the file, the `event:`/`source:`/
//! `category:` shorthand, and resolving every link that stays on the site
//! against the events, sources, categories and pages that exist.
//!
//! An event page is `{lang}/{source-slug}/{id}/` (see `render::urls`, whose
//! tests hold this resolver to the routes it builds), so a relative link
//! written in a record is resolved from there; the shorthand is turned into a
//! relative URL by the render stage, which makes it right under any base path
//! and in every language.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{Event as MdEvent, Options, Parser, Tag};

use super::model::UserAction;
use super::slug::Slug;
use crate::diagnostics::{Diagnostic, Location, did_you_mean};

/// A link written in a record's Markdown, with where it is in the file.
#[derive(Debug, Clone)]
pub struct MdLink {
    /// The destination as written (`../1099/`, `event:Contoso-Backup/1099`).
    pub dest: String,
    /// The field it is in (`explanation`, `user_action`).
    pub field: &'static str,
    /// Where the destination is written (or the field, if it cannot be found).
    pub loc: Location,
}

/// A shorthand link destination: `event:Source/ID`, `source:Source` or
/// `category:Source/Category`, each with an optional `#anchor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shorthand<'a> {
    /// `event:Source/ID`.
    Event(&'a str, u16),
    /// `source:Source`.
    Source(&'a str),
    /// `category:Source/Category`.
    Category(&'a str, &'a str),
}

/// The shorthand in `dest` and its `#anchor` (without the `#`), if `dest` is
/// one. `Err` for a destination that starts like a shorthand but is not one.
pub fn shorthand(dest: &str) -> Option<Result<(Shorthand<'_>, Option<&str>), String>> {
    let (kind, rest) = dest.split_once(':')?;
    let kind_lower = kind.to_ascii_lowercase();
    if !["event", "source", "category"].contains(&kind_lower.as_str()) {
        return None;
    }
    let (body, anchor) = match rest.split_once('#') {
        Some((b, a)) => (b, Some(a)),
        None => (rest, None),
    };
    let body = body.trim();
    let bad = |what: &str| Some(Err(format!("write it as `{what}`")));
    let s = match kind_lower.as_str() {
        "event" => match body.rsplit_once('/') {
            Some((src, id)) if !src.trim().is_empty() => match id.trim().parse::<u16>() {
                Ok(id) => Shorthand::Event(src.trim(), id),
                Err(_) => return bad("event:Source/ID, e.g. event:MSExchangeTransport/2003"),
            },
            _ => return bad("event:Source/ID, e.g. event:MSExchangeTransport/2003"),
        },
        "source" if !body.is_empty() => Shorthand::Source(body),
        "source" => return bad("source:Source, e.g. source:MSExchangeTransport"),
        _ => match body.split_once('/') {
            Some((src, cat)) if !src.trim().is_empty() && !cat.trim().is_empty() => {
                Shorthand::Category(src.trim(), cat.trim())
            }
            _ => return bad("category:Source/Category, e.g. category:MSExchangeTransport/SmtpSend"),
        },
    };
    Some(Ok((s, anchor)))
}

/// The links of a record's `explanation` and `user_action`, located in `text`
/// (the file) from where each field starts (1-based line and column).
pub fn find(
    file: &Path,
    text: &Arc<str>,
    explanation: Option<(&str, (u32, u32))>,
    user_action: Option<(&UserAction, (u32, u32))>,
) -> Vec<MdLink> {
    let mut out = Vec::new();
    if let Some((md, at)) = explanation {
        locate(file, text, "explanation", &[md], at, &mut out);
    }
    if let Some((ua, at)) = user_action {
        let parts: Vec<&str> = match ua {
            UserAction::Text(t) => vec![t.as_str()],
            UserAction::Steps { intro, steps } => intro
                .iter()
                .map(String::as_str)
                .chain(steps.iter().map(String::as_str))
                .collect(),
        };
        locate(file, text, "user_action", &parts, at, &mut out);
    }
    out
}

/// The destinations of the links (not images) of a Markdown text.
///
/// A link is written with `[` (inline, reference, collapsed or shortcut) or
/// `<` (autolinks, HTML), so a text with neither has none and is not parsed:
/// most paragraphs and steps of a record have no link, and parsing them all
/// at load took 5 % of a 10,000-event build. (The two bytes are looked for
/// with `memchr2`: `str::contains` with a pattern of two characters decoded
/// every character, which was most of the cost that was left.)
pub fn destinations(md: &str) -> Vec<String> {
    if memchr::memchr2(b'[', b'<', md.as_bytes()).is_none() {
        return Vec::new();
    }
    parsed_destinations(md)
}

/// Whether every link of `md` is an inline link to the web (`](https://` or
/// `](http://`), which [`check`] leaves alone, so that loading need not parse
/// it (most links of a knowledge base lead to articles elsewhere; parsing
/// every such paragraph was 2 % of a build). Anything else that can make a
/// link says no: `<` (autolinks, HTML), `]:` (a reference definition, which
/// every `[label]`, `[text][label]` and `[label][]` link needs), or `](`
/// followed by anything but those two schemes (including spaces or a line
/// break before the URL).
fn web_links_only(md: &str) -> bool {
    let b = md.as_bytes();
    if memchr::memchr(b'<', b).is_some() {
        return false;
    }
    memchr::memchr_iter(b']', b).all(|i| match b.get(i + 1) {
        Some(b':') => false,
        Some(b'(') => b[i + 2..].starts_with(b"https://") || b[i + 2..].starts_with(b"http://"),
        _ => true,
    })
}

/// [`destinations`], always parsing.
fn parsed_destinations(md: &str) -> Vec<String> {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    Parser::new_ext(md, opts)
        .filter_map(|e| match e {
            MdEvent::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

fn locate(
    file: &Path,
    text: &Arc<str>,
    field: &'static str,
    parts: &[&str],
    (line, column): (u32, u32),
    out: &mut Vec<MdLink>,
) {
    if parts.iter().all(|md| web_links_only(md)) {
        // Links to the web are not checked: the field need not be parsed.
        return;
    }
    let dests: Vec<String> = parts.iter().flat_map(|md| destinations(md)).collect();
    if dests.is_empty() {
        // Most fields have no link: the file's lines are not counted for them.
        return;
    }
    // Byte offset of the field's start; each link is searched from the end
    // of the one before, so two equal links point at their own places.
    let mut cursor = offset_of(text, line, column);
    for dest in dests {
        out.push(link_from(file, text, field, dest, &mut cursor, (line, column)));
    }
}

/// The link to `dest` in `field`, located where `dest` is first written in
/// `text` from byte offset `cursor` (which moves past it), or at `field_at`
/// (1-based line and column) when it cannot be found there.
fn link_from(
    file: &Path,
    text: &Arc<str>,
    field: &'static str,
    dest: String,
    cursor: &mut usize,
    field_at: (u32, u32),
) -> MdLink {
    let loc = match text.get(*cursor..).and_then(|rest| rest.find(dest.as_str())) {
        Some(i) if !dest.is_empty() => {
            let at = *cursor + i;
            *cursor = at + dest.len();
            let (l, c) = line_col(text, at);
            Location::new(file, Some(text.clone()), l, c).with_len(dest.chars().count())
        }
        _ => Location::new(file, Some(text.clone()), field_at.0, field_at.1),
    };
    MdLink { dest, field, loc }
}

/// A `links:` entry's URL that leads to a page of the site, for resolving
/// like a link in the prose; located where `url` is written from the
/// entry's start (1-based line and column).
pub fn links_entry(file: &Path, text: &Arc<str>, url: &str, entry_at: (u32, u32)) -> MdLink {
    let mut cursor = offset_of(text, entry_at.0, entry_at.1);
    link_from(file, text, "links", url.to_string(), &mut cursor, entry_at)
}

/// A relative link (`../1009/`, `#user-action`): no scheme, not a site path
/// (`/…`), and no backslash, space or control character (which browsers may
/// read as something else).
pub fn is_relative_path(url: &str) -> bool {
    !url.is_empty()
        && !url.starts_with('/')
        && !url.contains('\\')
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
        && url
            .find(':')
            .is_none_or(|colon| url[..colon].contains(['/', '?', '#']))
}

fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            return off
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(l.len(), |(b, _)| b);
        }
        off += l.len();
    }
    text.len().min(off)
}

fn line_col(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, col as u32)
}

/// What exists on the site, for resolving links: events by source slug and
/// ID, sources, categories, and the languages.
#[derive(Default)]
pub struct SiteMap<'a> {
    /// (source slug, ID) → source as written.
    pub events: HashMap<(&'a str, u16), &'a str>,
    /// Source slug → source as written.
    pub sources: HashMap<&'a str, &'a str>,
    /// (source slug, category slug) → category as written.
    pub categories: HashMap<(&'a str, String), &'a str>,
    /// Configured language codes.
    pub languages: HashSet<&'a str>,
    /// The default language: the language of a record's own text.
    pub default_language: &'a str,
    /// The site's own static files (their `/`-separated paths under
    /// `static/`, which is published at the site root).
    pub files: BTreeSet<String>,
}

/// Where a link that stays on the site leads, once resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SitePage {
    /// A page that exists (or a file of the site eventref does not check,
    /// such as the theme's static files).
    Exists,
    /// Nothing: what is wrong, the path segment that does not resolve, and
    /// a segment that would when one is near.
    Missing {
        /// What is wrong.
        why: String,
        /// The path segment that does not resolve.
        bad: String,
        /// A segment that would, when one is near.
        near: Option<String>,
    },
}

/// Resolve a path (split into segments from the site root) against the site.
pub fn resolve_path(site: &SiteMap, segs: &[&str]) -> SitePage {
    let missing = |why: String, bad: &str, near: Option<String>| SitePage::Missing {
        why,
        bad: bad.to_string(),
        near,
    };
    let segs: Vec<&str> = match segs.split_last() {
        Some((last, rest)) if *last == "index.html" => rest.to_vec(),
        _ => segs.to_vec(),
    };
    let Some((first, rest)) = segs.split_first() else {
        return SitePage::Exists; // the root redirect
    };
    if !site.languages.contains(first) {
        return resolve_outside_languages(site, &segs);
    }
    let sources = || site.sources.keys().copied().collect::<BTreeSet<_>>();
    let source_missing = |s: &str| {
        let near = did_you_mean(s, sources()).map(str::to_string);
        missing(format!("there is no source `{s}`"), s, near)
    };
    match rest {
        [] | ["events"] | ["search"] | ["404.html"] => SitePage::Exists,
        [s] => match Slug::new(s) {
            Some(slug) if site.sources.contains_key(slug.as_str()) => SitePage::Exists,
            _ => source_missing(s),
        },
        [s, "category", c] => match (Slug::new(s), Slug::new(c)) {
            (Some(ss), Some(cs)) if site.categories.contains_key(&(ss.as_str(), cs.to_string())) => {
                SitePage::Exists
            }
            (Some(ss), _) if site.sources.contains_key(ss.as_str()) => {
                let cats: BTreeSet<&str> = site
                    .categories
                    .keys()
                    .filter(|(src, _)| *src == ss.as_str())
                    .map(|(_, c)| c.as_str())
                    .collect();
                let near = did_you_mean(c, cats).map(str::to_string);
                missing(
                    format!("{} has no category `{c}`", site.sources[ss.as_str()]),
                    c,
                    near,
                )
            }
            _ => source_missing(s),
        },
        [s, id] if id.parse::<u16>().is_ok() => {
            let id: u16 = id.parse().unwrap_or_default();
            match Slug::new(s) {
                Some(ss) if site.events.contains_key(&(ss.as_str(), id)) => SitePage::Exists,
                Some(ss) if site.sources.contains_key(ss.as_str()) => {
                    let ids: BTreeSet<String> = site
                        .events
                        .keys()
                        .filter(|(src, _)| *src == ss.as_str())
                        .map(|(_, i)| i.to_string())
                        .collect();
                    let near =
                        did_you_mean(&id.to_string(), ids.iter().map(String::as_str)).map(str::to_string);
                    missing(
                        format!("{} has no event {id}", site.sources[ss.as_str()]),
                        &id.to_string(),
                        near,
                    )
                }
                _ => source_missing(s),
            }
        }
        _ => missing("no page of the site has this address".into(), "", None),
    }
}

/// The event page a link is written on: its language (the default language
/// for a record, the overlay's for a translation) and its event.
#[derive(Debug, Clone, Copy)]
pub struct OnPage<'a> {
    /// The language of the page.
    pub lang: &'a str,
    /// The event's source slug.
    pub source_slug: &'a str,
    /// The event's ID.
    pub id: u16,
}

/// Resolve a path (from the site root) that is in no language folder: the
/// theme's assets, the full-text index, the root files, and the site's own
/// static files (published at the site root).
fn resolve_outside_languages(site: &SiteMap, segs: &[&str]) -> SitePage {
    let path = segs.join("/");
    let is_site_file = site.files.contains(&path) || site.files.contains(&format!("{path}/index.html"));
    match segs {
        _ if is_site_file => SitePage::Exists,
        ["static" | "pagefind", ..] => SitePage::Exists,
        ["robots.txt" | "sitemap.xml" | "404.html"] => SitePage::Exists,
        [first, ..] => {
            let tops = site.files.iter().filter_map(|f| f.split('/').next());
            let near = did_you_mean(first, site.languages.iter().copied().chain(tops));
            SitePage::Missing {
                why: format!("the site has no language, folder or file `{first}`"),
                bad: first.to_string(),
                near: near.map(str::to_string),
            }
        }
        [] => SitePage::Exists,
    }
}

/// Resolve `link`, written on page `on`, and report it if it leads nowhere.
/// A link to a place on a page that exists (`…#anchor`, or a bare
/// `#anchor` on its own page) goes to `anchors`: the anchors of a page are
/// known once it is rendered. Links with a scheme (`https:`, `mailto:`; the
/// sanitizer drops the others from the page) are not checked here.
pub fn check(site: &SiteMap, on: OnPage, link: &MdLink, anchors: &mut Vec<AnchorLink>) -> Option<Diagnostic> {
    let dest = link.dest.trim();
    if let Some(s) = shorthand(dest) {
        return check_shorthand(site, on.lang, link, s, anchors);
    }
    if is_unchecked(dest) {
        return None;
    }
    check_path(site, on, link, anchors)
}

/// A link to a place (`#anchor`) on a page of the site, resolved: checked
/// against the ids of the page once it is rendered (see `site::anchors`).
#[derive(Debug, Clone)]
pub struct AnchorLink {
    /// The page's output file from the site root (`en/contoso-backup/1009/index.html`).
    pub page: String,
    /// The anchor, without the `#`.
    pub anchor: String,
    /// The link as written.
    pub link: MdLink,
}

/// The links to anchors of one record or translation. They always compare
/// equal: they change no page, so an edit that only moves them re-renders
/// nothing (the live preview compares events to choose what to re-render).
#[derive(Debug, Clone, Default)]
pub struct AnchorLinks(pub Vec<AnchorLink>);

impl PartialEq for AnchorLinks {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The output file of the page at `segs` (a resolved path from the site
/// root): a folder's `index.html`, or the file itself when the path ends in
/// a file name. `render::urls` tests hold it to the routes.
pub fn page_file(segs: &[&str]) -> String {
    match segs.last() {
        Some(last) if last.contains('.') => segs.join("/"),
        _ => segs.iter().map(|s| format!("{s}/")).collect::<String>() + "index.html",
    }
}

/// Add the `anchor` of `link`, to the page at `segs`, to `anchors`; nothing
/// for an empty anchor (the top of the page).
fn push_anchor(link: &MdLink, segs: &[&str], anchor: Option<&str>, anchors: &mut Vec<AnchorLink>) {
    if let Some(a) = anchor.filter(|a| !a.is_empty()) {
        anchors.push(AnchorLink {
            page: page_file(segs),
            anchor: a.to_string(),
            link: link.clone(),
        });
    }
}

/// How to write the shorthand links, for the hints of broken links.
const SHORTHAND_HELP: &str = "link to an event with [text](event:Source/ID), to a source with \
                              [text](source:Source), to a category with [text](category:Source/Category)";

/// How to write the shorthand instead, after `before`, for the prose, where
/// it is allowed; nothing for a `links:` entry.
fn shorthand_help(link: &MdLink, before: &str) -> String {
    if link.field == "links" {
        String::new()
    } else {
        format!("{before}{SHORTHAND_HELP}")
    }
}

/// The `broken-link` error of `link` (whose trimmed destination is `dest`).
fn broken(link: &MdLink, dest: &str, why: String, help: String) -> Option<Diagnostic> {
    Some(
        Diagnostic::error(
            "broken-link",
            format!("the link `{dest}` in {} leads nowhere: {why}", link.field),
        )
        .at(link.loc.clone())
        .help(help),
    )
}

/// Resolve an `event:`/`source:`/`category:` shorthand and report it if it is malformed or leads nowhere.
fn check_shorthand(
    site: &SiteMap,
    lang: &str,
    link: &MdLink,
    s: Result<(Shorthand<'_>, Option<&str>), String>,
    anchors: &mut Vec<AnchorLink>,
) -> Option<Diagnostic> {
    let dest = link.dest.trim();
    let (s, anchor) = match s {
        Ok(s) => s,
        Err(how) => {
            return broken(
                link,
                dest,
                format!("`{dest}` is not a link to an event, source or category"),
                how,
            );
        }
    };
    let segs: Vec<String> = match s {
        Shorthand::Event(src, id) => vec![slug_or(src), id.to_string()],
        Shorthand::Source(src) => vec![slug_or(src)],
        Shorthand::Category(src, c) => vec![slug_or(src), "category".into(), slug_or(c)],
    };
    let mut all = vec![lang];
    all.extend(segs.iter().map(String::as_str));
    match resolve_path(site, &all) {
        SitePage::Exists => {
            push_anchor(link, &all, anchor, anchors);
            None
        }
        SitePage::Missing { why, near, .. } => {
            let help = match (near, s) {
                (Some(n), Shorthand::Event(src, _)) if n.parse::<u16>().is_ok() => {
                    format!("did you mean `event:{src}/{n}`?")
                }
                (Some(n), Shorthand::Event(src, id)) if !n.contains('/') => {
                    let written = site.sources.get(n.as_str()).copied().unwrap_or(&n);
                    let _ = src;
                    format!("did you mean `event:{written}/{id}`?")
                }
                (Some(n), Shorthand::Source(_)) => {
                    format!(
                        "did you mean `source:{}`?",
                        site.sources.get(n.as_str()).copied().unwrap_or(&n)
                    )
                }
                (Some(n), Shorthand::Category(src, _)) => format!("did you mean `category:{src}/{n}`?"),
                _ => "check the spelling, or add the event first".into(),
            };
            broken(link, dest, why, help)
        }
    }
}

/// Whether `dest` is not checked: empty, or a link with a scheme.
fn is_unchecked(dest: &str) -> bool {
    let lower = dest.to_ascii_lowercase();
    if dest.is_empty()
        || lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("mailto:")
    {
        return true;
    }
    if let Some(colon) = dest.find(':')
        && !dest[..colon].contains(['/', '?', '#'])
    {
        // Another scheme: not a page of the site. The sanitizer keeps only
        // http(s) and mailto links on the page (see `render::markdown`).
        return true;
    }
    false
}

/// Resolve a path link, relative to the event page or from the site root, and report it if it leads nowhere.
fn check_path(
    site: &SiteMap,
    on: OnPage,
    link: &MdLink,
    anchors: &mut Vec<AnchorLink>,
) -> Option<Diagnostic> {
    let dest = link.dest.trim();
    let path = dest.split(['#', '?']).next().unwrap_or("");
    // From the event page `{lang}/{slug}/{id}/`, or from the site root.
    let mut segs: Vec<String> = if path.starts_with('/') {
        Vec::new()
    } else {
        vec![on.lang.to_string(), on.source_slug.to_string(), on.id.to_string()]
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if segs.pop().is_none() {
                    return broken(
                        link,
                        dest,
                        "it leads outside the site".into(),
                        format!("remove a `../`{}", shorthand_help(link, "; ")),
                    );
                }
            }
            p => segs.push(p.to_string()),
        }
    }
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match resolve_path(site, &segs) {
        SitePage::Exists => {
            push_anchor(link, &segs, dest.split_once('#').map(|(_, a)| a), anchors);
            None
        }
        SitePage::Missing { why, bad, near } => {
            let help = match near {
                Some(n) if !bad.is_empty() && dest.contains(bad.as_str()) => {
                    let i = dest.rfind(bad.as_str()).unwrap_or(0);
                    let fixed = format!("{}{n}{}", &dest[..i], &dest[i + bad.len()..]);
                    format!("did you mean `{fixed}`?{}", shorthand_help(link, " Or "))
                }
                _ => format!("check the path{}", shorthand_help(link, "; ")),
            };
            broken(link, dest, why, help)
        }
    }
}

/// `name`'s slug, or `name` itself when it has none (it then matches nothing).
fn slug_or(name: &str) -> String {
    Slug::new(name)
        .map(|s| s.to_string())
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteMap<'static> {
        let mut s = SiteMap::default();
        s.events.insert(("contoso-backup", 1000), "Contoso-Backup");
        s.events.insert(("contoso-backup", 1009), "Contoso-Backup");
        s.sources.insert("contoso-backup", "Contoso-Backup");
        s.categories.insert(("contoso-backup", "jobs".into()), "Jobs");
        s.languages.insert("en");
        s.languages.insert("de");
        s.files.insert("support/index.html".into());
        s.files.insert("guide.pdf".into());
        s
    }

    fn link(dest: &str) -> MdLink {
        MdLink {
            dest: dest.into(),
            field: "explanation",
            loc: Location::file_only("x.yaml"),
        }
    }

    const ON: OnPage = OnPage {
        lang: "en",
        source_slug: "contoso-backup",
        id: 1000,
    };

    fn help(dest: &str) -> Option<String> {
        check(&site(), ON, &link(dest), &mut Vec::new()).map(|d| d.help.unwrap_or_default())
    }

    #[test]
    fn anchors_are_left_for_the_rendered_page() {
        let anchors = |dest: &str| {
            let mut a = Vec::new();
            assert!(check(&site(), ON, &link(dest), &mut a).is_none(), "{dest}");
            a.into_iter().map(|a| (a.page, a.anchor)).collect::<Vec<_>>()
        };
        let p = |page: &str, a: &str| vec![(page.to_string(), a.to_string())];
        let page = "en/contoso-backup/1009/index.html";
        assert_eq!(
            anchors("event:contoso backup/1009#user-action"),
            p(page, "user-action")
        );
        assert_eq!(anchors("../1009/#user-action"), p(page, "user-action"));
        assert_eq!(anchors("../1009/index.html#x"), p(page, "x"));
        assert_eq!(
            anchors("/de/contoso-backup/1009/?a=b#x"),
            p("de/contoso-backup/1009/index.html", "x")
        );
        assert_eq!(anchors("#x"), p("en/contoso-backup/1000/index.html", "x"));
        assert_eq!(anchors("../../404.html#x"), p("en/404.html", "x"));
        assert_eq!(anchors("category:Contoso-Backup/Jobs#"), vec![]);
        assert_eq!(anchors("https://example.org/#x"), vec![]);
    }

    #[test]
    fn resolves_what_exists() {
        for ok in [
            "../1009/",
            "../1009",
            "../1009/index.html",
            "../",
            "../category/jobs/",
            "../../",
            "../../events/",
            "/en/contoso-backup/1009/",
            "event:Contoso-Backup/1009",
            "event:contoso backup/1009#user-action",
            "source:Contoso-Backup",
            "category:Contoso-Backup/Jobs",
            "https://example.org/x",
            "mailto:a@example.org",
            "#explanation",
            "../../../static/x.png",
            "/support/",
            "/support/index.html#x",
            "../../../guide.pdf",
        ] {
            assert_eq!(help(ok), None, "{ok}");
        }
    }

    #[test]
    fn reports_what_does_not() {
        assert!(help("../1099/").unwrap().contains("did you mean `../1009/`"));
        assert!(
            help("event:Contoso-Backup/1099")
                .unwrap()
                .contains("event:Contoso-Backup/1009")
        );
        assert!(
            help("event:Contoso-Bakup/1009")
                .unwrap()
                .contains("event:Contoso-Backup/1009")
        );
        assert!(
            help("source:Contoso-Bakup")
                .unwrap()
                .contains("source:Contoso-Backup")
        );
        assert!(
            help("category:Contoso-Backup/Jbos")
                .unwrap()
                .contains("category:Contoso-Backup/jobs")
        );
        assert!(help("event:Contoso-Backup").unwrap().contains("event:Source/ID"));
        assert!(
            help("../../contoso-bakup/1009/")
                .unwrap()
                .contains("contoso-backup")
        );
        assert!(help("../../../../x/").is_some());
        assert!(help("/fr/contoso-backup/1009/").is_some());
        assert!(help("/help/").is_some());
        for (dest, near) in [
            ("/suport/", "/support/"),
            ("/dee/contoso-backup/", "/de/contoso-backup/"),
        ] {
            let want = format!("did you mean `{near}`?");
            assert!(help(dest).unwrap().contains(&want), "{dest}");
        }
        assert!(help("/guide.pdf/x").is_some());
        assert_eq!(help("ftp://x/"), None, "not a page of the site");
    }

    proptest::proptest! {
        /// What `destinations` skips has no link: Markdown made of anything
        /// but `[` and `<` (link-like text, URLs, emphasis, code, lists,
        /// quotes, HTML-looking `>` and `&`) yields none when parsed.
        #[test]
        fn text_without_brackets_or_angles_has_no_links(
            md in "(\\]|\\(|\\)|!|:|/|https?://x\\.org|www\\.x\\.org|a@b\\.org|\\*|_|`|#|>|&|-|\\+|1\\.|\\||~|\\\\| |\\n|[a-z0-9]){0,60}"
        ) {
            proptest::prop_assert!(!md.contains(['[', '<']));
            proptest::prop_assert!(super::parsed_destinations(&md).is_empty());
        }
    }

    /// When `web_links_only` says so of `md`, every link the parser finds
    /// in it is an http(s) link.
    fn web_links_only_holds(md: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        if super::web_links_only(md) {
            for d in super::parsed_destinations(md) {
                proptest::prop_assert!(
                    d.starts_with("https://") || d.starts_with("http://"),
                    "{md:?} links to {d:?}"
                );
            }
        }
        Ok(())
    }

    proptest::proptest! {
        /// What loading does not parse has only links that are not checked:
        /// when `web_links_only` says so, every link the parser finds is an
        /// http(s) link.
        #[test]
        fn text_said_to_link_only_to_the_web_does(
            md in "(\\[a\\]|\\n\\[a\\]: \\./a\\n|\\[|\\]|\\(|\\)|\\]\\(|\\]\\(https://x\\.org/|\\]\\(http://x\\.org|https://x\\.org|\\./a|event:S/1|#a|!|:|<|>|`|\\\\|\"t\"| |\\n|[a-c]){0,40}"
        ) {
            web_links_only_holds(&md)?;
        }
    }

    proptest::proptest! {
        /// The same for texts made of reference links and definitions,
        /// which the random texts above rarely put together.
        #[test]
        fn reference_links_are_parsed(
            md in "(\\[a\\]|\\[b\\]\\[a\\]|\\[a\\]\\[\\]|\\n\\[a\\]: \\./a\\n|\\n\\[a\\]: https://x\\.org\\n|\\[w\\]\\(https://x\\.org\\)| |x|\\n){0,12}"
        ) {
            web_links_only_holds(&md)?;
        }
    }

    #[test]
    fn web_links_only_is_said_of_inline_web_links_alone() {
        let yes = super::web_links_only;
        assert!(yes("no link at all"));
        assert!(yes(
            "See [the article](https://example.org/kb/1) and [this](http://x.org \"t\")."
        ));
        for md in [
            "See [a](../1/).",
            "See [a](event:Contoso/7).",
            "See [a]( https://example.org/).",
            "<https://example.org/>",
            "[r]\n\n[r]: https://example.org/",
            "[a][r]\n\n[r]: ../2/",
            "[w](https://x.org) then [a](#top)",
        ] {
            assert!(!yes(md), "{md}");
        }
    }

    #[test]
    fn destinations_are_found_with_or_without_the_shortcut() {
        for md in [
            "See [a](../1/).",
            "<https://example.org/>",
            "[r]\n\n[r]: ../2/",
            "plain text, no link (../3/)",
        ] {
            assert_eq!(super::destinations(md), super::parsed_destinations(md), "{md}");
        }
        assert_eq!(super::destinations("See [a](../1/)."), ["../1/"]);
    }

    #[test]
    fn finds_links_where_they_are_written() {
        let text: Arc<str> = "source: X\nexplanation: |\n  See [a](../1/) and\n  [b](../1/).\n".into();
        let links = find(
            Path::new("x.yaml"),
            &text,
            Some(("See [a](../1/) and\n[b](../1/).\n", (2, 14))),
            None,
        );
        let at: Vec<(u32, u32)> = links.iter().map(|l| (l.loc.line, l.loc.column)).collect();
        assert_eq!(at, [(3, 11), (4, 7)]);
    }
}
