//! Routes: the one place that spells a URL or an output path.
//!
//! Every page's address is a [`Route`]: a directory path relative to a
//! language root (`msexchangetransport/2002/`), which [`Route::in_lang`] puts
//! under its language (`en/msexchangetransport/2002/`) and [`Route::file`]
//! turns into the file the page is written to (`…/index.html`). The site-wide
//! files (the root redirect, `robots.txt`, `sitemap.xml`, the root 404, the
//! theme's static files) and the search stage's lookup tables are named here
//! too, so render, search, site and serve agree on every path without
//! building one themselves. All paths are `/`-separated and built only from
//! slugs, language codes, event IDs and fixed names.

use crate::content::Event;
use crate::content::slug::Slug;

/// A page with a URL of its own in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// A language's home page.
    Home,
    /// The all-events listing (its first page).
    Events,
    /// A later page of the all-events listing (2 and up; see [`Route::listing`]).
    EventsPage(usize),
    /// The search page.
    Search,
    /// A source's page, listing its events by category.
    Source(&'a Slug),
    /// A category page of one source.
    Category(&'a Slug, &'a Slug),
    /// An event page.
    Event(&'a Slug, u16),
}

impl<'a> Route<'a> {
    /// The page of event `e`.
    pub fn event(e: &'a Event) -> Route<'a> {
        Route::Event(&e.source_slug, e.id)
    }

    /// Page `n` (from 1) of the all-events listing.
    pub fn listing(n: usize) -> Route<'static> {
        if n <= 1 {
            Route::Events
        } else {
            Route::EventsPage(n)
        }
    }

    /// The directory path relative to a language root, ending in `/` (empty
    /// for the home page). Links between pages of one language use this.
    pub fn path(self) -> String {
        let mut n = itoa::Buffer::new();
        match self {
            Route::Home => String::new(),
            Route::Events => "events/".into(),
            Route::EventsPage(p) => concat(&["events/page/", n.format(p), "/"]),
            Route::Search => "search/".into(),
            Route::Source(s) => concat(&[s.as_str(), "/"]),
            Route::Category(s, c) => concat(&[s.as_str(), "/category/", c.as_str(), "/"]),
            Route::Event(s, id) => concat(&[s.as_str(), "/", n.format(id), "/"]),
        }
    }

    /// The directory path from the site root: `{lang}/{path}`.
    pub fn in_lang(self, lang: &str) -> String {
        in_lang(lang, &self.path())
    }

    /// The output file of the page in `lang`.
    pub fn file(self, lang: &str) -> String {
        index_file(&self.in_lang(lang))
    }
}

/// Events per page of the all-events listing: a reader's browser gets a
/// page of a few hundred kilobytes whatever the site's size, and an edit
/// renders again only the page its event is on.
pub const LISTING_PAGE_EVENTS: usize = 1000;

/// How many pages the all-events listing of `events` events has.
pub fn listing_pages(events: usize) -> usize {
    events.div_ceil(LISTING_PAGE_EVENTS).max(1)
}

/// The listing page (from 1) that shows the event at `index` of the site's
/// events (sorted by source, then ID).
pub fn listing_page_of(index: usize) -> usize {
    index / LISTING_PAGE_EVENTS + 1
}

/// The URL of a link written as `event:Source/ID` (or `source:`, `category:`,
/// see [`crate::content::links`]) in the prose of event `from`'s page:
/// relative to that page, so it stays in the page's language and works under
/// any base path. `None` when `dest` is no shorthand.
pub fn shorthand_url(from: &Event, dest: &str) -> Option<String> {
    use crate::content::links::{Shorthand, shorthand};
    let (s, anchor) = shorthand(dest)?.ok()?;
    let path = match s {
        Shorthand::Event(src, id) => Route::Event(&Slug::new(src)?, id).path(),
        Shorthand::Source(src) => Route::Source(&Slug::new(src)?).path(),
        Shorthand::Category(src, c) => Route::Category(&Slug::new(src)?, &Slug::new(c)?).path(),
    };
    let anchor = anchor.map(|a| format!("#{a}")).unwrap_or_default();
    Some(format!(
        "{}{path}{anchor}",
        root_prefix(&Route::event(from).path())
    ))
}

/// `rest` (a path relative to a language root) under language `lang`.
pub fn in_lang(lang: &str, rest: &str) -> String {
    concat(&[lang, "/", rest])
}

/// The file served for directory path `dir` (ending in `/`, or empty).
pub fn index_file(dir: &str) -> String {
    concat(&[dir, "index.html"])
}

/// What a link to a directory path ends with: nothing on a served site
/// (`en/events/`), `index.html` in an offline copy, which browsers open from
/// `file://`, where a folder is a directory listing, not its index page.
pub fn dir_index(offline: bool) -> &'static str {
    if offline { "index.html" } else { "" }
}

/// A link to directory path `dir` (ending in `/`, or empty): itself, or its
/// index file in an offline copy.
pub fn dir_link(dir: &str, offline: bool) -> String {
    concat(&[dir, dir_index(offline)])
}

/// The classic script that registers the data of JSON file `json_path` (an
/// offline copy's twin of each lookup table): `…/k/3.json` → `…/k/3.js`.
pub fn data_script(json_path: &str) -> String {
    let stem = json_path.strip_suffix(".json").unwrap_or(json_path);
    format!("{stem}.js")
}

/// The absolute URL of `path` (from the site root) under `base_url`.
pub fn permalink(base_url: &str, path: &str) -> String {
    concat(&[base_url, path])
}

/// `parts` one after the other, in a string allocated once at its final
/// size. URLs are made for every link of every page: `format!` (through
/// `core::fmt`, growing its string as it writes) took about 800
/// instructions a route, 5 % of a two-language build.
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// Relative prefix from a page at `dir_path` (a directory path from the site
/// root, ending in `/`) back to the site root.
pub fn root_prefix(dir_path: &str) -> String {
    "../".repeat(dir_path.matches('/').count())
}

/// The shortest relative link from a page in directory `from` to `to`, both
/// paths from the site root (`from` ends in `/` or is empty; `to` is a
/// directory ending in `/` or a file): from `en/contoso/7/`, `en/contoso/` is
/// `../`, `en/contoso/8/` is `../8/`, `en/events/` is `../../events/` and
/// `en/contoso/7/` itself is `./`. Pages link this way, not through the site
/// root, so that a link costs bytes for the folders it leaves, not for every
/// folder of both paths.
pub fn relative(from: &str, to: &str) -> String {
    // The folders both paths start with: the longest common prefix that
    // ends in `/` (so it ends a folder name in both).
    let same = from.bytes().zip(to.bytes()).take_while(|(a, b)| a == b).count();
    let common = from.as_bytes()[..same]
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |i| i + 1);
    let ups = from[common..].bytes().filter(|&b| b == b'/').count();
    let rest = &to[common..];
    let mut out = String::with_capacity(3 * ups + rest.len().max(2));
    for _ in 0..ups {
        out.push_str("../");
    }
    out.push_str(rest);
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

/// The 404 page of a language, from the site root.
pub fn not_found(lang: &str) -> String {
    in_lang(lang, NOT_FOUND)
}

/// The root 404 page (in the default language), for hosts that look for it.
pub const NOT_FOUND: &str = "404.html";
/// The root page: a redirect to a language.
pub const ROOT_INDEX: &str = "index.html";
/// The robots file.
pub const ROBOTS: &str = "robots.txt";
/// The sitemap (or, on a site with more URLs than one sitemap may list, the
/// index of its parts).
pub const SITEMAP: &str = "sitemap.xml";

/// Part `n` (from 1) of a sitemap too large for one file.
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

/// Whether root file `path` is a part of the sitemap ([`sitemap_part`]).
fn is_sitemap_part(path: &str) -> bool {
    path.strip_prefix("sitemap-")
        .and_then(|r| r.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The output path of the theme's static file `name`.
pub fn static_file(name: &str) -> String {
    format!("static/{name}")
}

/// The output path of the site's own static file `name` (its path under the
/// site's `static/` folder): the site root, so `CNAME`, `favicon.ico` and
/// `.well-known/` land where hosts and browsers look for them.
pub fn site_file(name: &str) -> String {
    name.to_string()
}

/// True when a site static file at output path `path` would replace a file
/// eventref writes itself: a root file, a language folder, the full-text
/// index or eventref's bookkeeping. (Replacing a theme asset under
/// `static/` is allowed: that is how a site restyles the theme.)
pub fn is_generated<'l>(path: &str, mut languages: impl Iterator<Item = &'l str>) -> bool {
    const ROOT_FILES: [&str; 6] = [
        ROOT_INDEX,
        NOT_FOUND,
        ROBOTS,
        SITEMAP,
        crate::config::layout::MANIFEST,
        crate::config::layout::FINGERPRINT,
    ];
    let first = path.split('/').next().unwrap_or("");
    ROOT_FILES.contains(&path)
        || is_sitemap_part(path)
        || (path.contains('/') && (format!("{first}/") == PAGEFIND_DIR || languages.any(|c| c == first)))
}

/// The folder of a language's lookup tables, from the site root.
pub fn lookup_dir(lang: &str) -> String {
    in_lang(lang, "lookup/")
}

/// The lookup's vocabulary (for did-you-mean), relative to the language root.
pub const LOOKUP_WORDS: &str = "lookup/words.json";

/// The lookup tables' description, relative to the language root.
pub const LOOKUP_META: &str = "lookup/meta.json";
/// The language's value maps for the browser's lookup, relative to the
/// language root: fetched by the search page only when a result has a coded
/// field.
pub const LOOKUP_MAPS: &str = "lookup/maps.json";

/// A template-shard file of the lookup tables, relative to the language root.
pub fn lookup_template_shard(shard: u32) -> String {
    format!("lookup/t/{shard}.json")
}

/// A key-shard file of the lookup tables, relative to the language root.
pub fn lookup_key_shard(shard: u32) -> String {
    format!("lookup/k/{shard}.json")
}

/// The `/go/` page (Event Viewer's "Event Log Online Help" link), a folder
/// at the site root.
pub const GO_DIR: &str = "go/";

/// A language's Atom feed of recently changed events, from the site root.
pub fn feed(lang: &str) -> String {
    in_lang(lang, "feed.xml")
}

/// A language's JSON export of every event, from the site root.
pub fn events_json(lang: &str) -> String {
    in_lang(lang, "api/events.json")
}

/// An event's JSON export in `lang`, beside its page, from the site root.
pub fn event_json(lang: &str, e: &Event) -> String {
    format!("{}event.json", Route::event(e).in_lang(lang))
}

/// A published JSON Schema of the export (`name`: `event` or `events`), from
/// the site root.
pub fn schema_file(name: &str) -> String {
    format!("api/{name}.schema.json")
}

/// The folder of the full-text index, from the site root.
pub const PAGEFIND_DIR: &str = "pagefind/";

/// The folder of part `part` of a language's full-text index: the whole
/// bundle in `pagefind/{lang}/`, further parts in `pagefind/{lang}/{part}/`.
pub fn pagefind_part_dir(lang: &str, part: u32) -> String {
    match part {
        0 => format!("{PAGEFIND_DIR}{lang}/"),
        k => format!("{PAGEFIND_DIR}{lang}/{k}/"),
    }
}

/// The bundle file `name` in the full-text index folder `dir`.
pub fn pagefind_file(dir: &str, name: &str) -> String {
    format!("{dir}{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let (s, c) = (
            Slug::new("MSExchange Transport").unwrap(),
            Slug::new("Routing").unwrap(),
        );
        assert_eq!(Route::Home.file("en"), "en/index.html");
        assert_eq!(Route::Events.in_lang("de"), "de/events/");
        assert_eq!(Route::Source(&s).path(), format!("{s}/"));
        assert_eq!(
            Route::Category(&s, &c).file("en"),
            format!("en/{s}/category/{c}/index.html")
        );
        assert_eq!(Route::Event(&s, 2002).in_lang("en"), format!("en/{s}/2002/"));
        assert_eq!(Route::Event(&s, 0).path(), format!("{s}/0/"));
        assert_eq!(Route::Event(&s, u16::MAX).path(), format!("{s}/65535/"));
        assert_eq!(Route::listing(2).path(), "events/page/2/");
        assert_eq!(Route::listing(1234).in_lang("ja"), "ja/events/page/1234/");
        assert_eq!(permalink("https://x.org/docs/", "en/"), "https://x.org/docs/en/");
        assert_eq!(concat(&[]), "");
        assert_eq!(concat(&["a", "", "bc"]).capacity(), 3);
        assert_eq!(pagefind_part_dir("en", 0), "pagefind/en/");
        assert_eq!(feed("de"), "de/feed.xml");
        assert_eq!(events_json("de"), "de/api/events.json");
        assert_eq!(schema_file("event"), "api/event.schema.json");
        assert_eq!(index_file(GO_DIR), "go/index.html");
        assert_eq!(dir_link("en/events/", true), "en/events/index.html");
        assert_eq!(dir_link("en/events/", false), "en/events/");
        assert_eq!(data_script("en/lookup/k/3.json"), "en/lookup/k/3.js");
        assert_eq!(pagefind_part_dir("en", 2), "pagefind/en/2/");
    }

    #[test]
    fn relative_links() {
        let r = relative;
        assert_eq!(r("en/contoso/7/", "en/contoso/"), "../");
        assert_eq!(r("en/contoso/7/", "en/contoso/8/"), "../8/");
        assert_eq!(r("en/contoso/7/", "en/contoso/7/"), "./");
        assert_eq!(r("en/contoso/7/", "en/events/"), "../../events/");
        assert_eq!(r("en/contoso/7/", "en/"), "../../");
        assert_eq!(r("en/contoso/7/", "en/feed.xml"), "../../feed.xml");
        assert_eq!(r("en/contoso/7/", "de/contoso/7/"), "../../../de/contoso/7/");
        assert_eq!(r("en/contoso/", "en/contoso/category/jobs/"), "category/jobs/");
        assert_eq!(r("en/", "en/contoso/"), "contoso/");
        assert_eq!(r("en/", "en/"), "./");
        assert_eq!(r("", "en/"), "en/");
        assert_eq!(r("en/events/page/2/", "en/events/"), "../../");
        // A folder whose name starts like the target's is not the target.
        assert_eq!(r("en/contoso-backup/1/", "en/contoso/"), "../../contoso/");
    }

    proptest::proptest! {
        /// Resolving the link against the page's folder, as a browser does,
        /// gives the target; and it never climbs further than the page's depth.
        #[test]
        fn a_relative_link_resolves_to_its_target(
            from in proptest::collection::vec("[a-c]{1,2}", 0..5),
            to in proptest::collection::vec("[a-c]{1,2}", 0..5),
            file in proptest::option::of("[a-c]{1,2}\\.json"),
        ) {
            let from_dir: String = from.iter().map(|s| format!("{s}/")).collect();
            let mut target: String = to.iter().map(|s| format!("{s}/")).collect();
            target.push_str(file.as_deref().unwrap_or(""));
            let link = relative(&from_dir, &target);
            let mut dirs: Vec<&str> = from.iter().map(String::as_str).collect();
            let mut parts = link.split('/').peekable();
            let mut last = "";
            while let Some(p) = parts.next() {
                match p {
                    ".." => { proptest::prop_assert!(dirs.pop().is_some(), "{link} climbs above the root"); }
                    "." => {}
                    _ if parts.peek().is_some() => dirs.push(p),
                    _ => last = p,
                }
            }
            let mut resolved: String = dirs.iter().map(|s| format!("{s}/")).collect();
            resolved.push_str(last);
            proptest::prop_assert_eq!(resolved, target.clone(), "link {} from {}", link, from_dir);
            proptest::prop_assert!(link.len() <= root_prefix(&from_dir).len() + target.len().max(2));
        }
    }

    /// The resolver that checks the links in record prose
    /// (`content::links`) finds every page these routes build, and no other.
    #[test]
    fn record_links_resolve_to_these_routes() {
        use crate::content::links::{SiteMap, SitePage, page_file, resolve_path};
        let (s, c) = (Slug::new("Contoso-Backup").unwrap(), Slug::new("Jobs").unwrap());
        let mut site = SiteMap::default();
        site.events.insert((s.as_str(), 2002), "Contoso-Backup");
        site.sources.insert(s.as_str(), "Contoso-Backup");
        site.categories.insert((s.as_str(), c.to_string()), "Jobs");
        site.languages.insert("de");
        let segs = |p: &str| {
            p.split('/')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let resolves = |p: &str| {
            let v = segs(p);
            resolve_path(&site, &v.iter().map(String::as_str).collect::<Vec<_>>()) == SitePage::Exists
        };
        for r in [
            Route::Home,
            Route::Events,
            Route::Search,
            Route::Source(&s),
            Route::Category(&s, &c),
            Route::Event(&s, 2002),
        ] {
            assert!(resolves(&r.in_lang("de")), "{:?}", r);
            assert!(resolves(&r.file("de")), "{:?}", r);
            // The page whose anchors a link `…#x` is checked against.
            for p in [r.in_lang("de"), r.file("de")] {
                let v = segs(&p);
                let v: Vec<&str> = v.iter().map(String::as_str).collect();
                assert_eq!(page_file(&v), r.file("de"), "{:?}", r);
            }
        }
        assert!(resolves(&not_found("de")));
        assert_eq!(page_file(&["de", "404.html"]), not_found("de"));
        assert!(resolves(&static_file("style.css")));
        let other = Slug::new("Other").unwrap();
        for missing in [
            Route::Event(&s, 2003).in_lang("de"),
            Route::Source(&other).in_lang("de"),
            Route::Category(&s, &other).in_lang("de"),
            Route::Event(&s, 2002).in_lang("fr"),
        ] {
            assert!(!resolves(&missing), "{missing}");
        }
    }

    #[test]
    fn site_files_that_clash() {
        let langs = || ["en", "de"].into_iter();
        for clash in [
            "index.html",
            "sitemap.xml",
            "sitemap-12.xml",
            "robots.txt",
            "404.html",
            "en/x.html",
            "pagefind/a.js",
            ".eventref-manifest",
        ] {
            assert!(is_generated(clash, langs()), "{clash}");
        }
        for fine in [
            "CNAME",
            "favicon.ico",
            ".well-known/security.txt",
            "static/technet.css",
            "fr/x.html",
            "en",
        ] {
            assert!(!is_generated(fine, langs()), "{fine}");
        }
    }

    #[test]
    fn prefixes() {
        assert_eq!(root_prefix("en/"), "../");
        assert_eq!(root_prefix("en/msexchangetransport/2002/"), "../../../");
    }
}
