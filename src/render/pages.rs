//! Pages: one function per page kind of a language — event, source, category,
//! all-events listing, home, search and 404. Each starts from the shared page
//! context ([`LangPages::page`]), adds its own values and hands the rendered
//! page to the sink under its [`Route`].

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::content::Event;
use crate::content::slug::Slug;
use crate::diagnostics::Diagnostic;
use crate::i18n;

use super::context::{Crumb, LangPages, SourceGroup};
use super::urls::{self, Route};
use super::views::{
    self, CategoryGroup, EventLink, EventPage, ProductTexts, ProseHtml, category_name, escape_html,
    event_link, event_view,
};
use super::{Job, PageSink, Progress};
use super::{edit, export, feed, markdown};

/// Render the selected pages of every language; returns how many. The
/// event pages come first, all languages of an event together (they share
/// the HTML of the event's prose), then each language's other pages.
pub(super) fn render_languages(
    job: &Job,
    sink: &dyn PageSink,
    progress: &dyn Progress,
) -> Result<usize, Vec<Diagnostic>> {
    let langs: Vec<LangPages> = job
        .config
        .language_codes()
        .map(|lang| LangPages::new(job.config, job.theme, lang, job.sources, sink, progress))
        .collect();
    let mut count = event_pages(job, &langs)?;
    let mut errors = Vec::new();
    for l in &langs {
        match other_pages(job, l) {
            Ok(n) => count += n,
            Err(d) => errors.extend(d),
        }
    }
    if errors.is_empty() { Ok(count) } else { Err(errors) }
}

/// The selected pages of `l`'s language but its event pages; returns how many.
fn other_pages(job: &Job, l: &LangPages) -> Result<usize, Vec<Diagnostic>> {
    let mut count = 0;
    let one = |d: Diagnostic| vec![d];
    // Both hold every event: rebuilt only when an edit changed what they show.
    if job.selection.is_all() || !job.selection.export.is_empty() {
        export_and_feed(job, l).map_err(one)?;
    }
    count += source_pages(job, l)?;
    if !job.selection.is_all() {
        for &n in &job.selection.listing {
            listing_page(job, l, n).map_err(one)?;
            count += 1;
        }
        return Ok(count);
    }
    home_page(l).map_err(one)?;
    let pages = urls::listing_pages(job.content.events.len());
    let listed: Result<Vec<()>, Diagnostic> = (1..=pages)
        .into_par_iter()
        .map(|n| listing_page(job, l, n))
        .collect();
    listed.map_err(one)?;
    l.emit("404.html", l.not_found(), &urls::not_found(l.lang))
        .map_err(one)?;
    search_page(l).map_err(one)?;
    Ok(count + 3 + pages)
}

/// A link to event `e` from a page of `l`'s language.
fn link<'b>(l: &'b LangPages, e: &'b Event) -> EventLink<'b> {
    event_link(e, l.lang, &l.config.default_language, &l.t)
}

/// One template error usually repeats for every page: report it once, and a
/// full disk's write errors as a few and a count.
fn report(mut errors: Vec<Diagnostic>) -> Result<(), Vec<Diagnostic>> {
    if errors.is_empty() {
        return Ok(());
    }
    // Pages of several languages come one event at a time: an error that
    // reads differently in each language alternates until sorted (stably:
    // the first page's stays first).
    errors.sort_by(|a, b| a.message.cmp(&b.message));
    errors.dedup_by(|a, b| a.message == b.message);
    cap_write_errors(&mut errors);
    Err(errors)
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

/// The event pages the selection asks for, in site order.
fn selected_events<'a>(job: &Job<'a, '_>) -> Vec<EventPageRef<'a>> {
    if job.selection.is_all() {
        return job
            .sources
            .values()
            .flat_map(|g| (0..g.events.len()).map(|i| page_of(g, i)))
            .collect();
    }
    // Only the selected events: found by key, without a pass over all events.
    let mut keys: Vec<&(Slug, u16)> = job.selection.events.iter().collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|(slug, id)| {
            let g = job.sources.get(slug)?;
            let i = g.events.binary_search_by_key(id, |e| e.id).ok()?;
            Some(page_of(g, i))
        })
        .collect()
}

/// The product texts of the events in `pages`, rendered once per product.
fn product_texts<'a>(
    l: &LangPages<'a>,
    pages: &[EventPageRef<'a>],
) -> BTreeMap<Option<&'a str>, ProductTexts> {
    let config = l.config;
    let lang_cfg = config.languages.iter().find(|(c, _)| c == l.lang).map(|(_, c)| c);
    let mut products = BTreeMap::new();
    for (e, _, _) in pages {
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
                    escape_html(&l.ui("intro").replace("{product}", product.unwrap_or("")))
                ),
            };
            ProductTexts {
                intro_html: views::html(&intro_html),
                more_info_html: more.map(|md| views::html(&markdown::to_html(md))),
            }
        });
    }
    products
}

/// The selected event pages of every language in `langs`, in parallel, an
/// event's languages one after the other; returns how many.
fn event_pages(job: &Job, langs: &[LangPages]) -> Result<usize, Vec<Diagnostic>> {
    let pages = selected_events(job);
    let products: Vec<_> = langs.iter().map(|l| product_texts(l, &pages)).collect();
    let by_key: HashMap<(&str, u16), &Event> = job
        .content
        .events
        .iter()
        .map(|e| ((e.source.as_str(), e.id), e))
        .collect();
    let default_product = job.config.defaults.product.as_deref();
    // In pieces of at most 32 events, so that both cores finish together.
    let errors: Vec<Diagnostic> = pages
        .par_iter()
        .with_max_len(32)
        .flat_map_iter(|&(e, prev, next)| {
            let product = e.product.as_deref().or(default_product);
            let prose = ProseHtml::new(langs.len());
            langs
                .iter()
                .zip(&products)
                .filter_map(|(l, products)| {
                    event_page(l, e, prev, next, &products[&product], &by_key, &prose).err()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    report(errors)?;
    Ok(pages.len() * langs.len())
}

fn event_page<'a>(
    l: &LangPages<'a>,
    e: &'a Event,
    prev: Option<&Event>,
    next: Option<&Event>,
    texts: &ProductTexts,
    by_key: &HashMap<(&str, u16), &Event>,
    prose: &ProseHtml<'a>,
) -> Result<(), Diagnostic> {
    let loc = i18n::localize(e, l.lang, &l.config.default_language);
    let link_to = |e| link(l, e);
    let view = event_view(EventPage {
        loc: &loc,
        t: &l.t,
        texts,
        config: l.config,
        prev,
        next,
        by_key,
        link: &link_to,
        prose,
    });
    let route = Route::event(e);
    let crumbs = [
        Crumb::new(e.source.clone(), Route::Source(&e.source_slug)),
        Crumb::new(itoa::Buffer::new().format(e.id), route),
    ];
    let mut ctx = l.page("event", view.title.clone(), route, &crumbs);
    ctx.insert("event", &view);
    ctx.insert("edit", &edit::link(l.config, e, l.lang));
    ctx.insert("current_source", e.source_slug.as_str());
    l.emit("event.html", ctx, &route.file(l.lang))?;
    if l.config.export.event_files {
        l.put_data(
            &urls::event_json(l.lang, e),
            export::event_file(l.config, &loc, l.lang).as_bytes(),
        )?;
    }
    Ok(())
}

/// The language's JSON export of every event and, when the site has a base
/// URL, its Atom feed of recent changes (data files, not pages: no progress tick).
fn export_and_feed(job: &Job, l: &LangPages) -> Result<(), Diagnostic> {
    let default = l.config.default_language.as_str();
    let exported = |e: &Event| export::event(l.config, &i18n::localize(e, l.lang, default), l.lang);
    let (path, events) = (urls::events_json(l.lang), &job.content.events);
    // After an edit, the file the last build wrote with the edited events
    // exported again (the others are as they were); else every event.
    let patched = if job.selection.is_all() {
        None
    } else {
        l.previous(&path).and_then(|previous| {
            export::events_file_patched(
                l.config,
                &previous,
                events,
                l.lang,
                &job.selection.export,
                exported,
            )
        })
    };
    let events = patched.unwrap_or_else(|| export::events_file(l.config, events, l.lang, exported));
    l.put_data(&path, &events)?;
    let title = l.config.title_in(l.lang);
    let message = |e: &Event| link(l, e).message.unwrap_or_default().to_string();
    match feed::feed(l.config, job.content, l.lang, title, &message) {
        Some(xml) => l.put_data(&urls::feed(l.lang), xml.as_bytes()),
        None => Ok(()),
    }
}

/// The selected source and category pages, in parallel; returns how many.
fn source_pages(job: &Job, l: &LangPages) -> Result<usize, Vec<Diagnostic>> {
    let sel = job.selection;
    let list: Vec<(&Slug, &SourceGroup)> = job
        .sources
        .iter()
        .filter(|(slug, g)| sel.source(slug) || g.categories.keys().any(|c| sel.category(slug, c)))
        .collect();
    let errors: Vec<Diagnostic> = list
        .par_iter()
        .flat_map_iter(|&(slug, g)| {
            let source = sel.source(slug).then(|| source_page(l, slug, g).err());
            let categories = g
                .categories
                .iter()
                .filter(|(c, _)| sel.category(slug, c))
                .map(|(c, (name, evs))| category_page(l, slug, g, c, name, evs).err());
            source.into_iter().chain(categories).flatten().collect::<Vec<_>>()
        })
        .collect();
    report(errors)?;
    Ok(list
        .iter()
        .map(|(slug, g)| {
            usize::from(sel.source(slug)) + g.categories.keys().filter(|c| sel.category(slug, c)).count()
        })
        .sum())
}

/// The context of a page that belongs to source `slug` (its page and its
/// category pages): the shared page context with the source marked current.
fn source_context(
    l: &LangPages,
    kind: &'static str,
    title: String,
    route: Route,
    crumbs: &[Crumb],
    slug: &Slug,
) -> tera::Context {
    let mut ctx = l.page(kind, title, route, crumbs);
    ctx.insert("current_source", slug.as_str());
    ctx
}

/// A source's page: its events grouped by category, uncategorized last.
fn source_page(l: &LangPages, slug: &Slug, g: &SourceGroup) -> Result<(), Diagnostic> {
    let default = l.config.default_language.as_str();
    let mut groups: Vec<CategoryGroup> = g
        .categories
        .iter()
        .map(|(cslug, (name, evs))| {
            let (name, name_lang) = category_name(name, evs, l.lang, default);
            CategoryGroup {
                name,
                lang: name_lang,
                url: Some(Route::Category(slug, cslug).path()),
                events: evs.iter().map(|e| link(l, e)).collect(),
                _p: std::marker::PhantomData,
            }
        })
        .collect();
    let uncategorized: Vec<EventLink> = g
        .events
        .iter()
        .filter(|e| e.category.as_deref().and_then(Slug::new).is_none())
        .map(|e| link(l, e))
        .collect();
    if !uncategorized.is_empty() {
        groups.push(CategoryGroup {
            name: l.ui("uncategorized").to_string(),
            lang: None,
            url: None,
            events: uncategorized,
            _p: std::marker::PhantomData,
        });
    }
    let route = Route::Source(slug);
    let crumbs = [Crumb::new(g.name, route)];
    let mut ctx = source_context(l, "source", g.name.to_string(), route, &crumbs, slug);
    ctx.insert(
        "source",
        &serde_json::json!({ "name": g.name, "slug": slug.as_str(), "count": g.events.len() }),
    );
    ctx.insert("groups", &groups);
    l.emit("source.html", ctx, &route.file(l.lang))
}

/// A category page of source `slug`: the events of one category.
fn category_page(
    l: &LangPages,
    slug: &Slug,
    g: &SourceGroup,
    cslug: &Slug,
    name: &str,
    evs: &[&Event],
) -> Result<(), Diagnostic> {
    let (name, name_lang) = category_name(name, evs, l.lang, &l.config.default_language);
    let (source, route) = (Route::Source(slug), Route::Category(slug, cslug));
    let crumbs = [Crumb::new(g.name, source), Crumb::new(name.clone(), route)];
    let title = format!("{} – {}", g.name, name);
    let mut ctx = source_context(l, "category", title, route, &crumbs, slug);
    ctx.insert(
        "source",
        &serde_json::json!({ "name": g.name, "slug": slug.as_str(), "url": source.path() }),
    );
    ctx.insert(
        "category",
        &serde_json::json!({ "name": name, "lang": name_lang, "count": evs.len() }),
    );
    ctx.insert("events", &evs.iter().map(|e| link(l, e)).collect::<Vec<_>>());
    l.emit("category.html", ctx, &route.file(l.lang))
}

/// Page `n` (from 1) of the all-events listing.
fn listing_page(job: &Job, l: &LangPages, n: usize) -> Result<(), Diagnostic> {
    let all = &job.content.events;
    let pages = urls::listing_pages(all.len());
    let first = (n - 1) * urls::LISTING_PAGE_EVENTS;
    let shown = &all[first.min(all.len())..(first + urls::LISTING_PAGE_EVENTS).min(all.len())];
    let range = l
        .ui("listing_range")
        .replace("{first}", &(first + 1).to_string())
        .replace("{last}", &(first + shown.len()).to_string())
        .replace("{total}", &all.len().to_string());
    let heading = l.ui("all_events").to_string();
    let route = Route::listing(n);
    let mut crumbs = vec![Crumb::new(heading.clone(), Route::Events)];
    let title = if n == 1 {
        heading
    } else {
        let span = format!("{}–{}", first + 1, first + shown.len());
        crumbs.push(Crumb::new(span.clone(), route));
        format!("{heading} ({span})")
    };
    let mut ctx = l.page("events", title, route, &crumbs);
    let events: Vec<EventLink> = shown.iter().map(|e| link(l, e)).collect();
    ctx.insert("events", &events);
    ctx.insert("listing", &ListingView::new(n, pages, all.len(), range));
    l.emit("events.html", ctx, &route.file(l.lang))
}

/// The all-events listing's place in its pages, for the template.
#[derive(serde::Serialize)]
struct ListingView {
    /// Events on all pages.
    total: usize,
    /// How many pages.
    pages: usize,
    /// "Events 1001–2000 of 10000", in the page's language.
    range: String,
    /// The previous and next pages' paths, relative to the language root.
    prev: Option<String>,
    next: Option<String>,
    /// Every page.
    links: Vec<ListingLink>,
}

/// A page of the all-events listing, in its page list.
#[derive(serde::Serialize)]
struct ListingLink {
    n: usize,
    /// Relative to the language root.
    path: String,
    current: bool,
}

impl ListingView {
    fn new(n: usize, pages: usize, total: usize, range: String) -> Self {
        let path = |k: usize| Route::listing(k).path();
        ListingView {
            total,
            pages,
            range,
            prev: (n > 1).then(|| path(n - 1)),
            next: (n < pages).then(|| path(n + 1)),
            links: (1..=pages)
                .map(|k| ListingLink {
                    n: k,
                    path: path(k),
                    current: k == n,
                })
                .collect(),
        }
    }
}

/// The home page of a language.
fn home_page(l: &LangPages) -> Result<(), Diagnostic> {
    let ctx = l.page("index", l.ui("home").to_string(), Route::Home, &[]);
    l.emit("index.html", ctx, &Route::Home.file(l.lang))
}

/// The search page: direct hits, pasted-event lookup and full-text search.
fn search_page(l: &LangPages) -> Result<(), Diagnostic> {
    let title = l.ui("search_title").to_string();
    let crumbs = [Crumb::new(title.clone(), Route::Search)];
    let ctx = l.page("search", title, Route::Search, &crumbs);
    l.emit("search.html", ctx, &Route::Search.file(l.lang))
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
}
