//! The page context: the values every page of a language shares (site info,
//! UI strings, the source navigation), built once per language, and the one
//! builder that adds a page's own `page`, `root` and `breadcrumbs` to it.
//! Every page kind in `pages.rs` starts from [`LangPages::page`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::content::Event;
use crate::content::slug::Slug;
use crate::diagnostics::Diagnostic;
use crate::i18n::{self, UiStrings};

use super::theme::Theme;
use super::urls::{self, Route};
use super::views::ui;
use super::{PageSink, Progress};

/// One language's pages: the shared values, the renderer and where pages go.
pub(super) struct LangPages<'a> {
    pub(super) config: &'a Config,
    pub(super) lang: &'a str,
    /// The UI strings of the language.
    pub(super) t: UiStrings,
    base: tera::Context,
    renderer: PageRenderer<'a>,
    sink: &'a dyn PageSink,
    progress: &'a dyn Progress,
}

impl<'a> LangPages<'a> {
    pub(super) fn new(
        config: &'a Config,
        theme: &'a Theme,
        lang: &'a str,
        sources: &BTreeMap<Slug, SourceGroup>,
        sink: &'a dyn PageSink,
        progress: &'a dyn Progress,
    ) -> Self {
        let (base, t) = lang_context(config, theme, lang, sources);
        LangPages {
            config,
            lang,
            t,
            base,
            renderer: PageRenderer::new(theme, lang),
            sink,
            progress,
        }
    }

    /// The UI string `key` of the language.
    pub(super) fn ui<'s>(&'s self, key: &'s str) -> &'s str {
        ui(&self.t, key)
    }

    /// The context of the page at `route`: the shared values plus the page's
    /// kind, title, translations, relative root and breadcrumb trail.
    pub(super) fn page(
        &self,
        kind: &'static str,
        title: String,
        route: Route,
        crumbs: &[Crumb],
    ) -> tera::Context {
        let mut ctx = self.base.clone();
        ctx.insert(
            "page",
            &page_view(self.config, kind, title, self.lang, &route.path()),
        );
        let here = route.in_lang(self.lang);
        ctx.insert("root", &urls::root_prefix(&here));
        ctx.insert("here", &here);
        ctx.insert("breadcrumbs", crumbs);
        ctx
    }

    /// The context of the language's 404 page. It is served at any URL, so it
    /// links from the site's absolute base path, and its language switcher
    /// leads to the other languages' 404 pages.
    pub(super) fn not_found(&self) -> tera::Context {
        let title = self.ui("not_found_title").to_string();
        let mut page = page_view(self.config, "404", title, self.lang, urls::NOT_FOUND);
        for tr in &mut page.translations {
            tr.permalink = None;
        }
        let mut ctx = self.base.clone();
        ctx.insert("page", &page);
        ctx.insert("root", &self.config.base_path());
        ctx.insert("breadcrumbs", &Vec::<Crumb>::new());
        ctx
    }

    /// Render `template` with `ctx`, as the bytes of a page.
    pub(super) fn render(&self, template: &str, mut ctx: tera::Context) -> Result<Vec<u8>, Diagnostic> {
        self.renderer.render(template, &mut ctx)
    }

    /// The bytes of data file `path` as the last build published it (see
    /// [`PageSink::previous`]).
    pub(super) fn previous(&self, path: &str) -> Option<Vec<u8>> {
        self.sink.previous(path)
    }

    /// Store a data file (not a page: no progress tick) at `path` (from the site root).
    pub(super) fn put_data(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.sink
            .put(path, bytes)
            .map_err(|e| Diagnostic::error("write-error", format!("cannot write {path}: {e}")))
    }

    /// Render `template` with `ctx` and store it at `path` (from the site root).
    pub(super) fn emit(&self, template: &str, ctx: tera::Context, path: &str) -> Result<(), Diagnostic> {
        let html = self.render(template, ctx)?;
        self.progress.tick();
        self.sink
            .put(path, &html)
            .map_err(|e| Diagnostic::error("write-error", format!("cannot write {path}: {e}")))
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
    /// Text direction of the default language: the `dir` of fallback blocks.
    default_dir: &'static str,
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

/// One step of a page's breadcrumb trail.
#[derive(Serialize)]
pub(super) struct Crumb {
    title: String,
    url: String,
}

impl Crumb {
    pub(super) fn new(title: impl Into<String>, route: Route) -> Crumb {
        Crumb {
            title: title.into(),
            url: route.path(),
        }
    }
}

#[derive(Serialize)]
struct PageView<'a> {
    kind: &'static str,
    title: String,
    /// Path from the site root, e.g. `en/msexchangetransport/2002/`.
    path: String,
    /// Absolute URL when the site has a base_url.
    permalink: Option<String>,
    /// The same page in other languages: code → path from site root.
    translations: Vec<Translation<'a>>,
}

#[derive(Serialize)]
struct Translation<'a> {
    code: &'a str,
    name: &'a str,
    /// Text direction of the language (its name is shown in it).
    dir: &'static str,
    path: String,
    permalink: Option<String>,
}

/// One source with its events and categories.
pub struct SourceGroup<'a> {
    pub(super) name: &'a str,
    pub(super) events: Vec<&'a Event>,
    pub(super) categories: BTreeMap<Slug, (String, Vec<&'a Event>)>,
}

pub(super) fn group_sources(events: &[Event]) -> BTreeMap<Slug, SourceGroup<'_>> {
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

/// The values every page of a language shares.
fn lang_context(
    config: &Config,
    theme: &Theme,
    lang: &str,
    sources: &BTreeMap<Slug, SourceGroup>,
) -> (tera::Context, UiStrings) {
    let (strings, _missing) = theme.strings_for(lang, &config.default_language);
    let lang_cfg = config.languages.iter().find(|(c, _)| c == lang).map(|(_, l)| l);
    let title = config.title_in(lang);
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
        default_dir: i18n::direction(&config.default_language),
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
            url: Route::Source(slug).path(),
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
    // Links to pages end in `dir_index`: `index.html` in an offline copy.
    ctx.insert("dir_index", urls::dir_index(config.offline));
    ctx.insert("offline", &config.offline);
    ctx.insert(
        "total_events",
        &sources.values().map(|g| g.events.len()).sum::<usize>(),
    );
    ctx.insert("current_source", "");
    (ctx, strings)
}

fn page_view<'a>(
    config: &'a Config,
    kind: &'static str,
    title: String,
    lang: &str,
    rest: &str,
) -> PageView<'a> {
    let path = urls::in_lang(lang, rest);
    PageView {
        kind,
        title,
        permalink: config.base_url.as_ref().map(|b| urls::permalink(b, &path)),
        translations: config
            .languages
            .iter()
            .map(|(code, l)| {
                let p = urls::in_lang(code, rest);
                Translation {
                    code,
                    name: l.name.as_deref().unwrap_or(code),
                    dir: i18n::direction(code),
                    permalink: config.base_url.as_ref().map(|b| urls::permalink(b, &p)),
                    path: p,
                }
            })
            .collect(),
        path,
    }
}

/// Renders pages, rendering the sidebar (the same on thousands of pages) only
/// once per page depth, language folder and current source, and passing it in
/// as `sidebar_html`.
struct PageRenderer<'a> {
    theme: &'a Theme,
    /// The language of the pages.
    lang: &'a str,
    sidebars: std::sync::Mutex<std::collections::HashMap<(String, String, String), tera::Value>>,
}

impl<'a> PageRenderer<'a> {
    fn new(theme: &'a Theme, lang: &'a str) -> Self {
        PageRenderer {
            theme,
            lang,
            sidebars: Default::default(),
        }
    }

    fn render(&self, template: &str, ctx: &mut tera::Context) -> Result<Vec<u8>, Diagnostic> {
        let text = |k: &str| ctx.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        // Links from the sidebar (to the home page and to each source) depend
        // on the page's depth and on the language folder it is in (inside a
        // source's folder, its link is short), so those, with the source the
        // sidebar marks as current, are what a cached sidebar is kept for.
        let here = text("here");
        let folder = here.split('/').nth(1).unwrap_or("").to_string();
        let key = (text("root"), text("current_source"), folder);
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
        self.theme.render_bytes(self.lang, template, ctx)
    }
}
