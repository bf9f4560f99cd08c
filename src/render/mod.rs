//! Render: turning checked content into pages, in parallel, without touching the disk.
//!
//! For each language the render stage builds the values every page shares (site
//! info, UI strings, the source navigation) once, then renders event, source,
//! category, index and 404 pages in parallel with rayon from the templates the
//! [`Theme`] compiled once. Each finished page goes straight to a [`PageSink`]
//! (the output stage), so rendered pages are never all held in memory.
//!
//! The files, in the order a page is made:
//! - [`urls`]: every route and output path (the only place that builds one);
//! - [`selection`]: which pages a (partial) render produces;
//! - `context`: the values a language's pages share and the one page-context builder;
//! - `views`: the values templates see for events, links and category groups;
//! - `pages`: one function per page kind;
//! - `site_files`: the root redirect, `robots.txt`, `sitemap.xml`, the root 404, static files;
//! - [`theme`] and [`markdown`]: templates, static files, UI strings; sanitized Markdown;
//!   `ui_inline`: each language's copy of the templates with its UI strings written in;
//! - `edit`, `export`, [`feed`], `go` (issue 14): "Edit this page" links, the
//!   JSON export and its schemas, the Atom feeds, the `/go/` page for Event
//!   Viewer's help link;
//! - `offline`: an offline copy's classic scripts, bundled from the theme's modules.

mod context;
mod edit;
mod event_model;
mod export;
mod feed;
mod go;
pub mod markdown;
mod offline;
mod pages;
mod selection;
mod site_files;
pub mod theme;
mod ui_inline;
pub mod urls;
mod views;

use std::collections::BTreeMap;

use crate::config::Config;
use crate::content::Content;
use crate::content::slug::Slug;
use crate::diagnostics::Diagnostics;
use context::{SourceGroup, group_sources};
pub use selection::Selection;
use theme::Theme;
pub use views::escape_html;

/// Where rendered pages go. Implemented by the output stage (and by tests).
pub trait PageSink: Sync {
    /// Store `bytes` at `path` (relative, `/`-separated, built only from slugs,
    /// language codes and fixed names).
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;

    /// Drop `path` (same form as for [`PageSink::put`]): a file an earlier
    /// build wrote that this one no longer has (a lookup shard left empty by
    /// an edit, in an incremental build). A sink that starts empty has
    /// nothing to drop, which is what this default says.
    fn remove(&self, path: &str) -> std::io::Result<()> {
        let _ = path;
        Ok(())
    }

    /// The bytes of `path` as the last build published it, when the sink
    /// holds an earlier build and that build wrote `path` (an incremental
    /// build updates a file from it). A sink that starts empty has none.
    fn previous(&self, path: &str) -> Option<Vec<u8>> {
        let _ = path;
        None
    }
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

/// What one render works on: the site, its theme, its sources and the pages asked for.
struct Job<'a, 's> {
    config: &'a Config,
    content: &'a Content,
    theme: &'a Theme,
    sources: &'s BTreeMap<Slug, SourceGroup<'a>>,
    selection: &'a Selection,
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

    let job = Job {
        config,
        content,
        theme,
        sources: &sources,
        selection,
    };
    let mut count = match pages::render_languages(&job, sink, progress) {
        Ok(n) => n,
        Err(d) => {
            let mut diags = Diagnostics::new();
            diags.extend(d);
            diags.sort();
            return Err(diags);
        }
    };
    count += site_files::write(config, content, theme, &sources, sink, selection)?;
    Ok(RenderStats { pages: count })
}
