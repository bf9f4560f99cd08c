//! Render: turning checked content into pages, in parallel, without touching the disk.
//!
//! For each language the render stage builds the values every page shares (site
//! info, UI strings, the source navigation) once, then renders event, source,
//! category, index and 404 pages in parallel with rayon from the templates the
//! [`Theme`] compiled once. Each finished page goes straight to a [`PageSink`]
//! (the output stage), so rendered pages are never all held in memory.

pub mod markdown;
pub mod theme;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::message::{self, Segment};
use crate::content::slug::Slug;
use crate::content::{Content, Event, Level, UserAction};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::i18n::{self, ArticleState, FieldState, Localized, LocalizedEvent, UiString, UiStrings};
use theme::Theme;

/// Where rendered pages go. Implemented by the output stage (and by tests).
pub trait PageSink: Sync {
    /// Store `bytes` at `path` (relative, `/`-separated, built only from slugs,
    /// language codes and fixed names).
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;
}

/// Progress reporting: called once per rendered page.
pub trait Progress: Sync {
    /// The total number of pages, once known.
    fn start(&self, total: u64);
    /// One more page done.
    fn tick(&self);
    /// The content is loaded: `events` records from the `content` folder.
    fn loaded(&self, events: usize, content: &std::path::Path) {
        let _ = (events, content);
    }
}

/// A progress reporter that does nothing.
pub struct NoProgress;
impl Progress for NoProgress {
    fn start(&self, _: u64) {}
    fn tick(&self) {}
}

/// What the render stage produced.
#[derive(Debug, Default, Clone)]
pub struct RenderStats {
    /// Pages rendered (HTML and XML/text files, all languages).
    pub pages: usize,
}

/// Which pages a render produces: the whole site, or only the pages that an
/// edit can have changed (the live preview's incremental rebuild).
///
/// [`Selection::between`] works out the pages from the content before and after
/// an edit. When the set of pages itself changes (an event, source or category
/// appears or disappears, or the source navigation shown on every page
/// changes) it selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    all: bool,
    events: std::collections::HashSet<(Slug, u16)>,
    sources: std::collections::HashSet<Slug>,
    categories: std::collections::HashSet<(Slug, Slug)>,
    /// The all-events listing.
    listing: bool,
    /// `sitemap.xml` (holds each event's last-modified date).
    sitemap: bool,
    /// The search stage's lookup tables (messages, names and parameters).
    lookup: bool,
}

impl Selection {
    /// Every page.
    pub fn all() -> Selection {
        Selection {
            all: true,
            ..Selection::default()
        }
    }

    /// True when every page is selected.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// True when no page is selected.
    pub fn is_empty(&self) -> bool {
        !self.all
            && self.events.is_empty()
            && self.sources.is_empty()
            && self.categories.is_empty()
            && !self.listing
            && !self.sitemap
            && !self.lookup
    }

    /// Whether the lookup tables of the search stage can change.
    pub fn lookup(&self) -> bool {
        self.all || self.lookup
    }

    /// The pages whose bytes can differ between a site rendered from `old` and
    /// one rendered from `new` (same configuration and theme).
    pub fn between(old: &Content, new: &Content) -> Selection {
        let same_pages = old.events.len() == new.events.len()
            && old
                .events
                .iter()
                .zip(&new.events)
                .all(|(a, b)| a.source == b.source && a.source_slug == b.source_slug && a.id == b.id);
        if !same_pages {
            return Selection::all();
        }
        let (old_groups, new_groups) = (group_sources(&old.events), group_sources(&new.events));
        // The navigation (every page) and the category pages must stay the same.
        let shape = |g: &BTreeMap<Slug, SourceGroup>| -> Vec<(Slug, Option<String>, Vec<Slug>)> {
            g.iter()
                .map(|(slug, sg)| {
                    (
                        slug.clone(),
                        sg.events.first().and_then(|e| e.product.clone()),
                        sg.categories.keys().cloned().collect(),
                    )
                })
                .collect()
        };
        if shape(&old_groups) != shape(&new_groups) {
            return Selection::all();
        }
        let mut sel = Selection::default();
        for (i, (a, b)) in old.events.iter().zip(&new.events).enumerate() {
            if a != b {
                sel.add_edit(a, i, new);
            }
        }
        sel
    }

    /// The pages whose bytes can differ after the events in `old` (as they
    /// were) were replaced by their namesakes in `new` (see
    /// [`Content::apply_edits`](crate::content::Content::apply_edits)).
    pub fn for_edits(old: &[Event], new: &Content) -> Selection {
        let mut sel = Selection::default();
        let position = |e: &Event| {
            new.events
                .binary_search_by(|n| n.source.cmp(&e.source).then(n.id.cmp(&e.id)))
                .ok()
        };
        for a in old {
            let Some(i) = position(a) else {
                return Selection::all();
            };
            let b = &new.events[i];
            if a == b {
                continue;
            }
            // The navigation shows each source's product (from its first event),
            // and each category has a page: those must stay.
            let first_of_source = i == 0 || new.events[i - 1].source_slug != b.source_slug;
            if first_of_source && a.product != b.product {
                return Selection::all();
            }
            let (ca, cb) = (category_slug(a), category_slug(b));
            if ca != cb {
                let others = |c: &Slug| {
                    new.events.iter().any(|e| {
                        e.source_slug == b.source_slug && e.id != b.id && category_slug(e).as_ref() == Some(c)
                    })
                };
                if ca.as_ref().is_some_and(|c| !others(c)) || cb.as_ref().is_some_and(|c| !others(c)) {
                    return Selection::all();
                }
            }
            sel.add_edit(a, i, new);
        }
        sel
    }

    /// Add the pages that show event `new.events[i]`, which was `a` before.
    fn add_edit(&mut self, a: &Event, i: usize, new: &Content) {
        // What other pages show of an event: its link (message, level) and its category.
        fn link_data(e: &Event) -> impl PartialEq + '_ {
            let t: Vec<_> = e.translations.iter().map(|(l, t)| (l, &t.message)).collect();
            (&e.message, e.level, t)
        }
        fn category_data(e: &Event) -> impl PartialEq + '_ {
            let t: Vec<_> = e.translations.iter().map(|(l, t)| (l, &t.category)).collect();
            (&e.category, t)
        }
        fn lookup_data(e: &Event) -> impl PartialEq + '_ {
            let t: Vec<_> = e
                .translations
                .iter()
                .map(|(l, t)| (l, &t.message, &t.parameters))
                .collect();
            (&e.message, &e.symbolic_name, &e.parameters, t)
        }
        let b = &new.events[i];
        self.lookup |= lookup_data(a) != lookup_data(b);
        self.events.insert((b.source_slug.clone(), b.id));
        self.sitemap |= a.last_modified != b.last_modified;
        let link_changed = link_data(a) != link_data(b);
        if link_changed || category_data(a) != category_data(b) {
            self.sources.insert(b.source_slug.clone());
            for e in [a, b] {
                if let Some(c) = category_slug(e) {
                    self.categories.insert((e.source_slug.clone(), c));
                }
            }
        }
        if link_changed {
            self.listing = true;
            // Neighbours show this event in their previous/next links.
            for j in [i.wrapping_sub(1), i + 1] {
                if let Some(n) = new.events.get(j)
                    && n.source_slug == b.source_slug
                {
                    self.events.insert((n.source_slug.clone(), n.id));
                }
            }
            // Events that list this one as related.
            let key = b.key();
            for e in &new.events {
                if e.related.contains(&key) {
                    self.events.insert((e.source_slug.clone(), e.id));
                }
            }
        }
    }

    /// Everything either selection selects.
    pub fn merge(&mut self, other: Selection) {
        self.all |= other.all;
        self.events.extend(other.events);
        self.sources.extend(other.sources);
        self.categories.extend(other.categories);
        self.listing |= other.listing;
        self.sitemap |= other.sitemap;
        self.lookup |= other.lookup;
    }

    fn source(&self, slug: &Slug) -> bool {
        self.all || self.sources.contains(slug)
    }

    fn category(&self, source: &Slug, category: &Slug) -> bool {
        self.all || self.categories.contains(&(source.clone(), category.clone()))
    }
}

#[derive(Serialize, Clone)]
struct LangLink {
    code: String,
    name: String,
    dir: &'static str,
}

#[derive(Serialize, Clone)]
struct SiteView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    footer: Option<&'a str>,
    base_url: Option<&'a str>,
    default_language: &'a str,
    languages: Vec<LangLink>,
}

#[derive(Serialize)]
struct NavSource<'a> {
    name: &'a str,
    slug: &'a str,
    count: usize,
    url: String,
    product: Option<&'a str>,
}

#[derive(Serialize)]
struct Crumb {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct PageView {
    kind: &'static str,
    title: String,
    /// Path from the site root, e.g. `en/msexchangetransport/2002/`.
    path: String,
    /// Absolute URL when the site has a base_url.
    permalink: Option<String>,
    /// The same page in other languages: code → path from site root.
    translations: Vec<Translation>,
}

#[derive(Serialize)]
struct Translation {
    code: String,
    name: String,
    path: String,
    permalink: Option<String>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum SegmentView<'a> {
    Text {
        text: String,
    },
    Insert {
        name: String,
        description: Option<&'a str>,
    },
}

#[derive(Serialize)]
struct ParamView<'a> {
    name: &'a str,
    description: Option<&'a str>,
    /// Set when the description is shown in the default language on a translated page.
    lang: Option<&'a str>,
}

#[derive(Serialize)]
struct LinkView<'a> {
    url: &'a str,
    title: &'a str,
    lang: Option<&'a str>,
}

#[derive(Serialize)]
struct TranslationView<'a> {
    /// `original`, `translated`, `partial`, `stale` or `missing`.
    state: ArticleState,
    /// The localized notice to show at the top of the article, if any.
    notice: Option<String>,
    /// The language parts of the page fall back to, if any.
    fallback_lang: Option<&'a str>,
}

#[derive(Serialize)]
struct EventLink {
    title: String,
    url: String,
    message: Option<String>,
    /// Set when the message is shown in the default language on a translated page.
    message_lang: Option<String>,
    level: Option<&'static str>,
    level_label: Option<String>,
}

#[derive(Serialize)]
struct UserActionView {
    intro_html: Option<String>,
    steps_html: Vec<String>,
    text_html: Option<String>,
}

#[derive(Serialize)]
struct EventView<'a> {
    title: String,
    source: &'a str,
    source_url: String,
    id: u16,
    url: String,
    message: &'a str,
    message_lang: Option<&'a str>,
    message_stale: bool,
    message_original: Option<&'a str>,
    segments: Vec<SegmentView<'a>>,
    parameters: Vec<ParamView<'a>>,
    parameters_stale: bool,
    symbolic_name: Option<&'a str>,
    category: Option<&'a str>,
    category_lang: Option<&'a str>,
    category_url: Option<String>,
    level: Option<&'static str>,
    level_label: Option<String>,
    product: Option<&'a str>,
    product_version: Option<&'a str>,
    channel: Option<&'a str>,
    explanation_html: Option<String>,
    explanation_lang: Option<&'a str>,
    explanation_stale: bool,
    explanation_original_html: Option<String>,
    user_action: Option<UserActionView>,
    user_action_lang: Option<&'a str>,
    user_action_stale: bool,
    user_action_original: Option<UserActionView>,
    intro_html: String,
    more_info_html: Option<String>,
    links: Vec<LinkView<'a>>,
    related: Vec<EventLink>,
    last_modified: Option<&'a str>,
    last_modified_display: Option<String>,
    is_stub: bool,
    translation: TranslationView<'a>,
    prev: Option<EventLink>,
    next: Option<EventLink>,
}

#[derive(Serialize)]
struct CategoryGroup<'a> {
    name: String,
    /// Set when the name is shown in the default language on a translated page.
    lang: Option<&'a str>,
    url: Option<String>,
    events: Vec<EventLink>,
    #[serde(skip)]
    _p: std::marker::PhantomData<&'a ()>,
}

/// Render the whole site into `sink`.
pub fn render_site(
    config: &Config,
    content: &Content,
    theme: &Theme,
    sink: &dyn PageSink,
    progress: &dyn Progress,
) -> Result<RenderStats, Diagnostics> {
    render_pages(config, content, theme, sink, progress, &Selection::all())
}

/// Render the pages in `selection` into `sink`.
pub fn render_pages(
    config: &Config,
    content: &Content,
    theme: &Theme,
    sink: &dyn PageSink,
    progress: &dyn Progress,
    selection: &Selection,
) -> Result<RenderStats, Diagnostics> {
    let sources = group_sources(&content.events);
    let langs: Vec<&str> = config.language_codes().collect();
    let per_lang_pages = content.events.len()
        + sources.len()
        + sources.values().map(|s| s.categories.len()).sum::<usize>()
        + 4;
    if selection.is_all() {
        progress.start((per_lang_pages * langs.len() + 3) as u64);
    }

    let mut diags = Diagnostics::new();
    let mut pages = 0;
    for lang in &langs {
        match render_language(config, content, theme, &sources, lang, sink, progress, selection) {
            Ok(n) => pages += n,
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        diags.sort();
        return Err(diags);
    }
    // Site-level files.
    let io = |e: std::io::Error| {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error(
            "write-error",
            format!("cannot write output: {e}"),
        ));
        d
    };
    if !selection.is_all() {
        if selection.sitemap
            && let Some(xml) = sitemap(config, content, &sources)
        {
            sink.put("sitemap.xml", xml.as_bytes()).map_err(io)?;
            pages += 1;
        }
        return Ok(RenderStats { pages });
    }
    let default = &config.default_language;
    sink.put("index.html", root_redirect(config).as_bytes())
        .map_err(io)?;
    sink.put("robots.txt", robots(config).as_bytes()).map_err(io)?;
    pages += 2;
    if let Some(xml) = sitemap(config, content, &sources) {
        sink.put("sitemap.xml", xml.as_bytes()).map_err(io)?;
        pages += 1;
    }
    // A root 404 in the default language, for hosts that look for /404.html.
    let ctx = lang_context(config, theme, default, &sources).0;
    let html = render_404(config, theme, &ctx, default).map_err(|d| {
        let mut ds = Diagnostics::new();
        ds.push(d);
        ds
    })?;
    sink.put("404.html", html.as_bytes()).map_err(io)?;
    pages += 1;
    // Theme assets under static/, then the site's own static/ at the site root
    // (CNAME, favicon.ico, .well-known/); a site file wins over a theme asset
    // with the same output path (static/static/technet.css replaces the theme's).
    let mut files: BTreeMap<String, &theme::StaticFile> = BTreeMap::new();
    for (name, file) in &theme.static_files {
        files.insert(format!("static/{name}"), file);
    }
    for (name, file) in &theme.site_files {
        files.insert(name.clone(), file);
    }
    for (path, file) in files {
        let bytes = file.bytes().map_err(io)?;
        sink.put(&path, &bytes).map_err(io)?;
    }
    Ok(RenderStats { pages })
}

fn category_slug(e: &Event) -> Option<Slug> {
    e.category.as_deref().and_then(Slug::new)
}

/// One source with its events and categories.
pub struct SourceGroup<'a> {
    name: &'a str,
    events: Vec<&'a Event>,
    categories: BTreeMap<Slug, (String, Vec<&'a Event>)>,
}

fn group_sources(events: &[Event]) -> BTreeMap<Slug, SourceGroup<'_>> {
    let mut out: BTreeMap<Slug, SourceGroup> = BTreeMap::new();
    for e in events {
        let g = out.entry(e.source_slug.clone()).or_insert_with(|| SourceGroup {
            name: &e.source,
            events: Vec::new(),
            categories: BTreeMap::new(),
        });
        g.events.push(e);
        if let Some(c) = &e.category
            && let Some(slug) = Slug::new(c)
        {
            g.categories
                .entry(slug)
                .or_insert_with(|| (c.clone(), Vec::new()))
                .1
                .push(e);
        }
    }
    out
}

fn ui<'a>(t: &'a UiStrings, key: &'a str) -> &'a str {
    match t.get(key) {
        Some(UiString::Text(s)) => s,
        Some(UiString::Plural(m)) => m.get("other").map(String::as_str).unwrap_or(key),
        None => key,
    }
}

fn level_label(t: &UiStrings, l: Level) -> String {
    ui(t, &format!("level_{}", l.as_str().replace('-', "_"))).to_string()
}

/// The values every page of a language shares.
fn lang_context(
    config: &Config,
    theme: &Theme,
    lang: &str,
    sources: &BTreeMap<Slug, SourceGroup>,
) -> (tera::Context, UiStrings) {
    let (strings, _missing) = theme.strings_for(lang, &config.default_language);
    let lang_cfg = config.languages.iter().find(|(c, _)| c == lang).map(|(_, l)| l);
    let title = lang_cfg.and_then(|l| l.title.as_deref()).unwrap_or(&config.title);
    let description = lang_cfg
        .and_then(|l| l.description.as_deref())
        .or(config.description.as_deref());
    let footer = lang_cfg
        .and_then(|l| l.footer.as_deref())
        .or(config.footer.as_deref());
    let site = SiteView {
        title,
        description,
        footer,
        base_url: config.base_url.as_deref(),
        default_language: &config.default_language,
        languages: config
            .languages
            .iter()
            .map(|(code, l)| LangLink {
                code: code.clone(),
                name: l.name.clone().unwrap_or_else(|| code.clone()),
                dir: i18n::direction(code),
            })
            .collect(),
    };
    let nav: Vec<NavSource> = sources
        .iter()
        .map(|(slug, g)| NavSource {
            name: g.name,
            slug: slug.as_str(),
            count: g.events.len(),
            url: format!("{slug}/"),
            product: g
                .events
                .first()
                .and_then(|e| e.product.as_deref())
                .or(config.defaults.product.as_deref()),
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert_value("site", tera::Value::from_serializable(&site));
    ctx.insert_value("t", tera::Value::from_serializable(&strings));
    ctx.insert_value("nav", tera::Value::from_serializable(&nav));
    ctx.insert("lang", lang);
    ctx.insert("dir", i18n::direction(lang));
    ctx.insert(
        "total_events",
        &sources.values().map(|g| g.events.len()).sum::<usize>(),
    );
    ctx.insert("current_source", "");
    (ctx, strings)
}

fn page_view(config: &Config, kind: &'static str, title: String, lang: &str, rest: &str) -> PageView {
    let path = format!("{lang}/{rest}");
    PageView {
        kind,
        title,
        permalink: config.base_url.as_ref().map(|b| format!("{b}{path}")),
        translations: config
            .languages
            .iter()
            .map(|(code, l)| {
                let p = format!("{code}/{rest}");
                Translation {
                    code: code.clone(),
                    name: l.name.clone().unwrap_or_else(|| code.clone()),
                    permalink: config.base_url.as_ref().map(|b| format!("{b}{p}")),
                    path: p,
                }
            })
            .collect(),
        path,
    }
}

/// Relative prefix from a page at `path` (a directory path ending in `/`) to the site root.
fn root_prefix(dir_path: &str) -> String {
    "../".repeat(dir_path.matches('/').count())
}

struct ProductTexts {
    intro_html: String,
    more_info_html: Option<String>,
}

/// A full disk fails every page the same way: keep the first few write errors
/// and count the rest, rather than report thousands.
fn cap_write_errors(errors: &mut Vec<Diagnostic>) {
    const SHOWN: usize = 3;
    let total = errors.iter().filter(|d| d.code == "write-error").count();
    if total <= SHOWN + 1 {
        return;
    }
    let mut seen = 0;
    errors.retain(|d| {
        if d.code != "write-error" {
            return true;
        }
        seen += 1;
        seen <= SHOWN
    });
    errors.push(
        Diagnostic::error(
            "write-error",
            format!("{} more pages could not be written", total - SHOWN),
        )
        .help("check the free space and permissions of the output folder's file system"),
    );
}

/// An event page: the event and its previous and next event of the same source.
type EventPageRef<'a> = (&'a Event, Option<&'a Event>, Option<&'a Event>);

fn page_of<'a>(g: &SourceGroup<'a>, i: usize) -> EventPageRef<'a> {
    (
        g.events[i],
        i.checked_sub(1).map(|p| g.events[p]),
        g.events.get(i + 1).copied(),
    )
}

#[allow(clippy::too_many_arguments)]
fn render_language(
    config: &Config,
    content: &Content,
    theme: &Theme,
    sources: &BTreeMap<Slug, SourceGroup>,
    lang: &str,
    sink: &dyn PageSink,
    progress: &dyn Progress,
    selection: &Selection,
) -> Result<usize, Vec<Diagnostic>> {
    let (base_ctx, t) = lang_context(config, theme, lang, sources);
    let lang_cfg = config.languages.iter().find(|(c, _)| c == lang).map(|(_, l)| l);

    let pages = PageRenderer::new(theme);
    let render = |template: &str, ctx: &mut tera::Context| pages.render(template, ctx);
    let put = |path: &str, html: String| -> Result<(), Diagnostic> {
        progress.tick();
        sink.put(path, html.as_bytes())
            .map_err(|e| Diagnostic::error("write-error", format!("cannot write {path}: {e}")))
    };
    let default = config.default_language.as_str();
    let link = |e: &Event| {
        let (message, message_lang) = match e.translations.get(lang).and_then(|t| t.message.as_ref()) {
            Some(m) if lang != default => (m.clone(), None),
            _ if lang != default => (e.message.clone(), Some(default.to_string())),
            _ => (e.message.clone(), None),
        };
        EventLink {
            title: format!("{} {}", e.source, e.id),
            url: format!("{}/{}/", e.source_slug, e.id),
            message: Some(message),
            message_lang,
            level: e.level.map(Level::as_str),
            level_label: e.level.map(|l| level_label(&t, l)),
        }
    };

    // Event pages, in parallel.
    let event_pages: Vec<(&Event, Option<&Event>, Option<&Event>)> = if selection.is_all() {
        sources
            .values()
            .flat_map(|g| (0..g.events.len()).map(|i| page_of(g, i)))
            .collect()
    } else {
        // Only the selected events: found by key, without a pass over all events.
        let mut keys: Vec<&(Slug, u16)> = selection.events.iter().collect();
        keys.sort();
        keys.into_iter()
            .filter_map(|(slug, id)| {
                let g = sources.get(slug)?;
                let i = g.events.binary_search_by_key(id, |e| e.id).ok()?;
                Some(page_of(g, i))
            })
            .collect()
    };
    // Product texts, rendered once per product.
    let mut products: BTreeMap<Option<&str>, ProductTexts> = BTreeMap::new();
    for (e, _, _) in &event_pages {
        let product = e.product.as_deref().or(config.defaults.product.as_deref());
        products.entry(product).or_insert_with(|| {
            let own = product.and_then(|p| lang_cfg.and_then(|l| l.products.get(p)));
            let default = product.and_then(|p| config.products.get(p));
            let intro = own
                .and_then(|p| p.intro.as_deref())
                .or(default.and_then(|p| p.intro.as_deref()));
            let more = own
                .and_then(|p| p.more_info.as_deref())
                .or(default.and_then(|p| p.more_info.as_deref()));
            let intro_html = match intro {
                Some(md) => markdown::to_html(md),
                None => format!(
                    "<p>{}</p>",
                    escape_html(&ui(&t, "intro").replace("{product}", product.unwrap_or("")))
                ),
            };
            ProductTexts {
                intro_html,
                more_info_html: more.map(markdown::to_html),
            }
        });
    }

    let by_key: std::collections::HashMap<(&str, u16), &Event> = content
        .events
        .iter()
        .map(|e| ((e.source.as_str(), e.id), e))
        .collect();
    let errors: Vec<Diagnostic> = event_pages
        .par_iter()
        .filter_map(|(e, prev, next)| {
            let rest = format!("{}/{}/", e.source_slug, e.id);
            let product = e.product.as_deref().or(config.defaults.product.as_deref());
            let texts = &products[&product];
            let loc = i18n::localize(e, lang, default);
            let view = event_view(EventPage {
                loc: &loc,
                t: &t,
                texts,
                config,
                prev: *prev,
                next: *next,
                by_key: &by_key,
                link: &link,
            });
            let mut ctx = base_ctx.clone();
            ctx.insert(
                "page",
                &page_view(config, "event", view.title.clone(), lang, &rest),
            );
            ctx.insert("root", &root_prefix(&format!("{lang}/{rest}")));
            ctx.insert(
                "breadcrumbs",
                &[
                    Crumb {
                        title: e.source.clone(),
                        url: format!("{}/", e.source_slug),
                    },
                    Crumb {
                        title: e.id.to_string(),
                        url: rest.clone(),
                    },
                ],
            );
            ctx.insert("event", &view);
            ctx.insert("current_source", e.source_slug.as_str());
            render("event.html", &mut ctx)
                .and_then(|html| put(&format!("{lang}/{rest}index.html"), html))
                .err()
        })
        .collect();
    if !errors.is_empty() {
        // One template error usually repeats for every page: report it once.
        let mut errors = errors;
        errors.dedup_by(|a, b| a.message == b.message);
        cap_write_errors(&mut errors);
        return Err(errors);
    }
    let mut count = event_pages.len();

    // Source and category pages.
    let source_list: Vec<(&Slug, &SourceGroup)> = sources
        .iter()
        .filter(|(slug, g)| {
            selection.source(slug) || g.categories.keys().any(|c| selection.category(slug, c))
        })
        .collect();
    let errors: Vec<Diagnostic> = source_list
        .par_iter()
        .flat_map_iter(|(slug, g)| {
            let mut out = Vec::new();
            let rest = format!("{slug}/");
            let mut groups: Vec<CategoryGroup> = g
                .categories
                .iter()
                .map(|(cslug, (name, evs))| {
                    let (name, name_lang) = category_name(name, evs, lang, default);
                    CategoryGroup {
                        name,
                        lang: name_lang,
                        url: Some(format!("{slug}/category/{cslug}/")),
                        events: evs.iter().map(|e| link(e)).collect(),
                        _p: std::marker::PhantomData,
                    }
                })
                .collect();
            let uncategorized: Vec<EventLink> = g
                .events
                .iter()
                .filter(|e| e.category.as_deref().and_then(Slug::new).is_none())
                .map(|e| link(e))
                .collect();
            if !uncategorized.is_empty() {
                groups.push(CategoryGroup {
                    name: ui(&t, "uncategorized").to_string(),
                    lang: None,
                    url: None,
                    events: uncategorized,
                    _p: std::marker::PhantomData,
                });
            }
            if selection.source(slug) {
                let mut ctx = base_ctx.clone();
                ctx.insert(
                    "page",
                    &page_view(config, "source", g.name.to_string(), lang, &rest),
                );
                ctx.insert("root", &root_prefix(&format!("{lang}/{rest}")));
                ctx.insert(
                    "breadcrumbs",
                    &[Crumb {
                        title: g.name.to_string(),
                        url: rest.clone(),
                    }],
                );
                ctx.insert(
                    "source",
                    &serde_json::json!({ "name": g.name, "slug": slug.as_str(), "count": g.events.len() }),
                );
                ctx.insert("groups", &groups);
                ctx.insert("current_source", slug.as_str());
                if let Err(d) =
                    render("source.html", &mut ctx).and_then(|h| put(&format!("{lang}/{rest}index.html"), h))
                {
                    out.push(d);
                }
            }
            for (cslug, (name, evs)) in &g.categories {
                if !selection.category(slug, cslug) {
                    continue;
                }
                let (name, name_lang) = category_name(name, evs, lang, default);
                let name = &name;
                let crest = format!("{slug}/category/{cslug}/");
                let mut ctx = base_ctx.clone();
                ctx.insert(
                    "page",
                    &page_view(config, "category", format!("{} – {}", g.name, name), lang, &crest),
                );
                ctx.insert("root", &root_prefix(&format!("{lang}/{crest}")));
                ctx.insert(
                    "breadcrumbs",
                    &[
                        Crumb {
                            title: g.name.to_string(),
                            url: rest.clone(),
                        },
                        Crumb {
                            title: name.clone(),
                            url: crest.clone(),
                        },
                    ],
                );
                ctx.insert(
                    "source",
                    &serde_json::json!({ "name": g.name, "slug": slug.as_str(), "url": rest }),
                );
                ctx.insert(
                    "category",
                    &serde_json::json!({ "name": name, "lang": name_lang, "count": evs.len() }),
                );
                ctx.insert("current_source", slug.as_str());
                ctx.insert("events", &evs.iter().map(|e| link(e)).collect::<Vec<_>>());
                if let Err(d) = render("category.html", &mut ctx)
                    .and_then(|h| put(&format!("{lang}/{crest}index.html"), h))
                {
                    out.push(d);
                }
            }
            out
        })
        .collect();
    if !errors.is_empty() {
        let mut errors = errors;
        errors.dedup_by(|a, b| a.message == b.message);
        cap_write_errors(&mut errors);
        return Err(errors);
    }
    count += source_list
        .iter()
        .map(|(slug, g)| {
            usize::from(selection.source(slug))
                + g.categories
                    .keys()
                    .filter(|c| selection.category(slug, c))
                    .count()
        })
        .sum::<usize>();
    if !selection.is_all() {
        if selection.listing {
            render_listing(config, &base_ctx, &t, lang, content, &link, &render, &put)
                .map_err(|d| vec![d])?;
            count += 1;
        }
        return Ok(count);
    }

    // Home, all events, 404.
    let mut ctx = base_ctx.clone();
    ctx.insert(
        "page",
        &page_view(config, "index", ui(&t, "home").to_string(), lang, ""),
    );
    ctx.insert("root", &root_prefix(&format!("{lang}/")));
    ctx.insert("breadcrumbs", &Vec::<Crumb>::new());
    put(
        &format!("{lang}/index.html"),
        render("index.html", &mut ctx).map_err(|d| vec![d])?,
    )
    .map_err(|d| vec![d])?;

    render_listing(config, &base_ctx, &t, lang, content, &link, &render, &put).map_err(|d| vec![d])?;

    let html = render_404(config, theme, &base_ctx, lang).map_err(|d| vec![d])?;
    put(&format!("{lang}/404.html"), html).map_err(|d| vec![d])?;

    // The search page: direct hits, pasted-event lookup and full-text search.
    let mut ctx = base_ctx.clone();
    ctx.insert(
        "page",
        &page_view(
            config,
            "search",
            ui(&t, "search_title").to_string(),
            lang,
            "search/",
        ),
    );
    ctx.insert("root", &root_prefix(&format!("{lang}/search/")));
    ctx.insert(
        "breadcrumbs",
        &[Crumb {
            title: ui(&t, "search_title").to_string(),
            url: "search/".into(),
        }],
    );
    put(
        &format!("{lang}/search/index.html"),
        render("search.html", &mut ctx).map_err(|d| vec![d])?,
    )
    .map_err(|d| vec![d])?;
    count += 4;
    Ok(count)
}

/// The all-events listing of one language.
#[allow(clippy::too_many_arguments)]
fn render_listing(
    config: &Config,
    base_ctx: &tera::Context,
    t: &UiStrings,
    lang: &str,
    content: &Content,
    link: &dyn Fn(&Event) -> EventLink,
    render: &dyn Fn(&str, &mut tera::Context) -> Result<String, Diagnostic>,
    put: &dyn Fn(&str, String) -> Result<(), Diagnostic>,
) -> Result<(), Diagnostic> {
    let mut ctx = base_ctx.clone();
    ctx.insert(
        "page",
        &page_view(config, "events", ui(t, "all_events").to_string(), lang, "events/"),
    );
    ctx.insert("root", &root_prefix(&format!("{lang}/events/")));
    ctx.insert(
        "breadcrumbs",
        &[Crumb {
            title: ui(t, "all_events").to_string(),
            url: "events/".into(),
        }],
    );
    ctx.insert("events", &content.events.iter().map(link).collect::<Vec<_>>());
    put(
        &format!("{lang}/events/index.html"),
        render("events.html", &mut ctx)?,
    )
}

fn render_404(
    config: &Config,
    theme: &Theme,
    base_ctx: &tera::Context,
    lang: &str,
) -> Result<String, Diagnostic> {
    let (t, _) = theme.strings_for(lang, &config.default_language);
    let mut ctx = base_ctx.clone();
    let mut page = page_view(
        config,
        "404",
        ui(&t, "not_found_title").to_string(),
        lang,
        "404.html",
    );
    // The switcher leads to the other languages' 404 pages.
    for tr in &mut page.translations {
        tr.permalink = None;
    }
    ctx.insert("page", &page);
    // A 404 page is served at any URL, so it links from the site's absolute base path.
    ctx.insert("root", &config.base_path());
    ctx.insert("breadcrumbs", &Vec::<Crumb>::new());
    PageRenderer::new(theme).render("404.html", &mut ctx)
}

/// Renders pages, rendering the sidebar (the same on thousands of pages) only
/// once per page depth and current source, and passing it in as `sidebar_html`.
struct PageRenderer<'a> {
    theme: &'a Theme,
    sidebars: std::sync::Mutex<std::collections::HashMap<(String, String), tera::Value>>,
}

impl<'a> PageRenderer<'a> {
    fn new(theme: &'a Theme) -> Self {
        PageRenderer {
            theme,
            sidebars: Default::default(),
        }
    }

    fn render(&self, template: &str, ctx: &mut tera::Context) -> Result<String, Diagnostic> {
        let text = |k: &str| ctx.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let key = (text("root"), text("current_source"));
        let cached = self
            .sidebars
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        let sidebar = match cached {
            Some(v) => v,
            None => {
                let v = tera::Value::safe_string(&self.theme.render("sidebar.html", ctx)?);
                self.sidebars
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, v.clone());
                v
            }
        };
        ctx.insert_value("sidebar_html", sidebar);
        self.theme.render(template, ctx)
    }
}

/// The display name of a category in `lang`: the first translation any of its
/// events gives, else the original (with the default language to mark it).
fn category_name<'a>(
    original: &str,
    events: &[&Event],
    lang: &str,
    default: &'a str,
) -> (String, Option<&'a str>) {
    if lang == default {
        return (original.to_string(), None);
    }
    events
        .iter()
        .find_map(|e| e.translations.get(lang).and_then(|t| t.category.clone()))
        .map(|n| (n, None))
        .unwrap_or_else(|| (original.to_string(), Some(default)))
}

/// `lang` attribute value for a part shown in another language than the page.
fn fallback_lang<'a, T>(l: &Localized<T>, default: &'a str) -> Option<&'a str> {
    (l.state == FieldState::Fallback).then_some(default)
}

fn user_action_view(ua: &UserAction) -> UserActionView {
    match ua {
        UserAction::Text(md) => UserActionView {
            intro_html: None,
            steps_html: Vec::new(),
            text_html: Some(markdown::to_html(md)),
        },
        UserAction::Steps { intro, steps } => UserActionView {
            intro_html: intro.as_deref().map(markdown::to_inline_html),
            steps_html: steps.iter().map(|s| markdown::to_inline_html(s)).collect(),
            text_html: None,
        },
    }
}

/// What the templates need to render one event page.
struct EventPage<'a, 'b> {
    loc: &'b LocalizedEvent<'a>,
    t: &'b UiStrings,
    texts: &'b ProductTexts,
    config: &'a Config,
    prev: Option<&'b Event>,
    next: Option<&'b Event>,
    by_key: &'b std::collections::HashMap<(&'b str, u16), &'b Event>,
    link: &'b dyn Fn(&Event) -> EventLink,
}

fn event_view<'a>(p: EventPage<'a, '_>) -> EventView<'a> {
    let loc = p.loc;
    let e = loc.event;
    let default = p.config.default_language.as_str();
    let params = &loc.parameters;
    let segments = message::parse(loc.message.value)
        .into_iter()
        .map(|s| match s {
            Segment::Text { text } => SegmentView::Text { text },
            Segment::Insert { name, .. } => {
                let description = params.get(name.as_str()).map(|l| l.value);
                SegmentView::Insert { name, description }
            }
        })
        .collect();
    let parameters = message::inserts(&e.message)
        .iter()
        .filter_map(|n| params.get_key_value(n.as_str()))
        .map(|(k, v)| ParamView {
            name: k,
            description: Some(v.value),
            lang: fallback_lang(v, default),
        })
        .collect();
    let stale = |state: FieldState| state == FieldState::Stale;
    let category_slug = e.category.as_deref().and_then(Slug::new);
    let fallback_name = language_name(p.t, p.config, default);
    let notice = match loc.state {
        ArticleState::Missing => Some(ui(p.t, "notice_untranslated").replace("{fallback}", &fallback_name)),
        ArticleState::Partial => Some(ui(p.t, "notice_partial").replace("{fallback}", &fallback_name)),
        ArticleState::Stale if !loc.fallback.is_empty() => {
            Some(ui(p.t, "notice_partial").replace("{fallback}", &fallback_name))
        }
        _ => None,
    };
    EventView {
        title: format!("{} {}", e.source, e.id),
        source: &e.source,
        source_url: format!("{}/", e.source_slug),
        id: e.id,
        url: format!("{}/{}/", e.source_slug, e.id),
        message: loc.message.value,
        message_lang: fallback_lang(&loc.message, default),
        message_stale: stale(loc.message.state),
        message_original: stale(loc.message.state).then_some(e.message.as_str()),
        segments,
        parameters,
        parameters_stale: loc.parameters.values().any(|v| stale(v.state)),
        symbolic_name: e.symbolic_name.as_deref(),
        category: loc.category.map(|c| c.value),
        category_lang: loc.category.as_ref().and_then(|c| fallback_lang(c, default)),
        category_url: category_slug.map(|c| format!("{}/category/{c}/", e.source_slug)),
        level: e.level.map(Level::as_str),
        level_label: e.level.map(|l| level_label(p.t, l)),
        product: e.product.as_deref().or(p.config.defaults.product.as_deref()),
        product_version: e
            .product_version
            .as_deref()
            .or(p.config.defaults.product_version.as_deref()),
        channel: e.channel.as_deref(),
        explanation_html: loc.explanation.map(|x| markdown::to_html(x.value)),
        explanation_lang: loc.explanation.as_ref().and_then(|x| fallback_lang(x, default)),
        explanation_stale: loc.explanation.is_some_and(|x| stale(x.state)),
        explanation_original_html: loc
            .explanation
            .filter(|x| stale(x.state))
            .and(e.explanation.as_deref())
            .map(markdown::to_html),
        user_action: loc.user_action.map(|u| user_action_view(u.value)),
        user_action_lang: loc.user_action.as_ref().and_then(|u| fallback_lang(u, default)),
        user_action_stale: loc.user_action.is_some_and(|u| stale(u.state)),
        user_action_original: loc
            .user_action
            .filter(|u| stale(u.state))
            .and(e.user_action.as_ref())
            .map(user_action_view),
        intro_html: p.texts.intro_html.clone(),
        more_info_html: p.texts.more_info_html.clone(),
        links: loc
            .links
            .iter()
            .map(|(l, title)| LinkView {
                url: &l.url,
                title: title.value,
                lang: fallback_lang(title, default),
            })
            .collect(),
        related: e
            .related
            .iter()
            .filter_map(|k| p.by_key.get(&(k.source.as_str(), k.id)))
            .map(|r| (p.link)(r))
            .collect(),
        last_modified: e.last_modified.as_deref(),
        last_modified_display: e.last_modified.as_deref().map(|d| i18n::format_date(d, p.t)),
        is_stub: e.is_stub(),
        translation: TranslationView {
            state: loc.state,
            notice,
            fallback_lang: (!loc.fallback.is_empty() || loc.state == ArticleState::Missing)
                .then_some(default),
        },
        prev: p.prev.map(p.link),
        next: p.next.map(p.link),
    }
}

/// The name of language `code`, in the page's language.
fn language_name(t: &UiStrings, config: &Config, code: &str) -> String {
    match t.get(&format!("language_name_{code}")) {
        Some(UiString::Text(s)) => s.clone(),
        _ => config
            .languages
            .iter()
            .find(|(c, _)| c == code)
            .and_then(|(_, l)| l.name.clone())
            .unwrap_or_else(|| code.to_string()),
    }
}

fn root_redirect(config: &Config) -> String {
    let lang = &config.default_language;
    let title = escape_html(&config.title);
    // Send readers to their browser's language when the site has it; without
    // JavaScript the meta refresh leads to the default language.
    let codes: Vec<String> = config.languages.iter().map(|(c, _)| format!("\"{c}\"")).collect();
    let script = if config.languages.len() > 1 {
        format!(
            "<script>(function(){{var s=[{}],p=navigator.languages||[navigator.language||\"\"];\
             for(var i=0;i<p.length;i++){{var c=String(p[i]).toLowerCase();for(var j=0;j<s.length;j++){{\
             var l=s[j].toLowerCase();if(c===l||c.split(\"-\")[0]===l){{location.replace(s[j]+\"/\");return;}}}}}}}})();</script>\n",
            codes.join(",")
        )
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n{script}<meta http-equiv=\"refresh\" content=\"0; url={lang}/\">\n\
         <link rel=\"canonical\" href=\"{lang}/\">\n</head>\n<body>\n<p><a href=\"{lang}/\">{title}</a></p>\n</body>\n</html>\n"
    )
}

fn robots(config: &Config) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if let Some(b) = &config.base_url {
        s.push_str(&format!("Sitemap: {b}sitemap.xml\n"));
    }
    s
}

fn sitemap(config: &Config, content: &Content, sources: &BTreeMap<Slug, SourceGroup>) -> Option<String> {
    let base = config.base_url.as_ref()?;
    let mut rests: Vec<(String, Option<&str>)> = vec![(String::new(), None), ("events/".into(), None)];
    for (slug, g) in sources {
        rests.push((format!("{slug}/"), None));
        for cslug in g.categories.keys() {
            rests.push((format!("{slug}/category/{cslug}/"), None));
        }
    }
    for e in &content.events {
        rests.push((format!("{}/{}/", e.source_slug, e.id), e.last_modified.as_deref()));
    }
    let mut s = String::with_capacity(rests.len() * 200 * config.languages.len());
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    for (rest, lastmod) in &rests {
        for (lang, _) in &config.languages {
            s.push_str(&format!("  <url>\n    <loc>{base}{lang}/{rest}</loc>\n"));
            if let Some(d) = lastmod {
                s.push_str(&format!("    <lastmod>{}</lastmod>\n", escape_html(d)));
            }
            if config.languages.len() > 1 {
                for (alt, _) in &config.languages {
                    s.push_str(&format!(
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{alt}\" href=\"{base}{alt}/{rest}\"/>\n"
                    ));
                }
            }
            s.push_str("  </url>\n");
        }
    }
    s.push_str("</urlset>\n");
    Some(s)
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Diagnostic, cap_write_errors};

    #[test]
    fn thousands_of_write_errors_become_four() {
        let mut errors: Vec<Diagnostic> = (0..5000)
            .map(|i| {
                Diagnostic::error(
                    "write-error",
                    format!("cannot write en/x/{i}/index.html: No space left"),
                )
            })
            .collect();
        errors.push(Diagnostic::error("template", "other"));
        cap_write_errors(&mut errors);
        assert_eq!(errors.len(), 5);
        assert_eq!(errors[4].message, "4997 more pages could not be written");
        assert_eq!(errors.iter().filter(|d| d.code == "template").count(), 1);
        let mut few: Vec<Diagnostic> = (0..4)
            .map(|i| Diagnostic::error("write-error", format!("{i}")))
            .collect();
        cap_write_errors(&mut few);
        assert_eq!(few.len(), 4);
    }

    use super::root_prefix;

    #[test]
    fn prefixes() {
        assert_eq!(root_prefix("en/"), "../");
        assert_eq!(root_prefix("en/msexchangetransport/2002/"), "../../../");
    }
}
