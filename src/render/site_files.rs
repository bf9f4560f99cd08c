//! Site files: the pages and files outside any language — the root redirect,
//! `robots.txt`, `sitemap.xml`, the root 404, the `/go/` page, the export's
//! JSON Schemas, the theme's static files and the site's own static files
//! (copied to the site root).

use std::collections::BTreeMap;

use crate::config::Config;
use crate::content::Content;
use crate::content::slug::Slug;
use crate::diagnostics::{Diagnostic, Diagnostics};

use super::context::{LangPages, SourceGroup};
use super::theme::Theme;
use super::urls::{self, Route};
use super::views::escape_html;
use super::{NoProgress, PageSink, Selection};
use super::{export, go, offline};

/// Write the site-level files the selection asks for; returns how many.
pub(super) fn write(
    config: &Config,
    content: &Content,
    theme: &Theme,
    sources: &BTreeMap<Slug, SourceGroup>,
    sink: &dyn PageSink,
    selection: &Selection,
) -> Result<usize, Diagnostics> {
    let mut pages = 0;
    if !selection.is_all() {
        if selection.sitemap
            && let Some(xml) = sitemap(config, content, sources)
        {
            sink.put(urls::SITEMAP, xml.as_bytes()).map_err(write_error)?;
            pages += 1;
        }
        return Ok(pages);
    }
    sink.put(urls::ROOT_INDEX, root_redirect(config).as_bytes())
        .map_err(write_error)?;
    sink.put(urls::ROBOTS, robots(config).as_bytes())
        .map_err(write_error)?;
    pages += 2;
    if let Some(xml) = sitemap(config, content, sources) {
        sink.put(urls::SITEMAP, xml.as_bytes()).map_err(write_error)?;
        pages += 1;
    }
    write_not_found(config, theme, sources, sink)?;
    pages += 1;
    sink.put(&urls::index_file(urls::GO_DIR), go::page(config).as_bytes())
        .map_err(write_error)?;
    pages += 1;
    for (name, schema) in export::schemas() {
        sink.put(&urls::schema_file(name), &schema).map_err(write_error)?;
    }
    write_static_files(config, theme, sink)?;
    Ok(pages)
}

/// The error of a failed write, as diagnostics.
fn write_error(e: std::io::Error) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.push(Diagnostic::error(
        "write-error",
        format!("cannot write output: {e}"),
    ));
    d
}

/// The root 404 page.
fn write_not_found(
    config: &Config,
    theme: &Theme,
    sources: &BTreeMap<Slug, SourceGroup>,
    sink: &dyn PageSink,
) -> Result<(), Diagnostics> {
    // A root 404 in the default language, for hosts that look for /404.html.
    let l = LangPages::new(
        config,
        theme,
        &config.default_language,
        sources,
        sink,
        &NoProgress,
    );
    let html = l.render("404.html", l.not_found()).map_err(|d| {
        let mut ds = Diagnostics::new();
        ds.push(d);
        ds
    })?;
    sink.put(urls::NOT_FOUND, html.as_bytes()).map_err(write_error)?;
    Ok(())
}

/// The theme's static files and the site's own static files.
fn write_static_files(config: &Config, theme: &Theme, sink: &dyn PageSink) -> Result<(), Diagnostics> {
    let bundles = if config.offline {
        offline_bundles(theme).map_err(|e| {
            let mut d = Diagnostics::new();
            d.push(
                Diagnostic::error("offline-bundle", format!("cannot make the offline copy's scripts: {e}"))
                    .help("an offline copy bundles the theme's ES modules into classic scripts; keep the theme's imports in the form import { name } from './file.js';"),
            );
            d
        })?
    } else {
        BTreeMap::new()
    };
    // Theme assets under static/ (in an offline copy, its module scripts as
    // their bundles), then the site's own static/ at the site root (CNAME,
    // favicon.ico, .well-known/); a site file wins over a theme asset with the
    // same output path (static/static/technet.css replaces the theme's).
    let mut files: BTreeMap<String, (&super::theme::StaticFile, Option<&String>)> = BTreeMap::new();
    for (name, file) in &theme.static_files {
        files.insert(urls::static_file(name), (file, bundles.get(name)));
    }
    for (name, file) in &theme.site_files {
        files.insert(urls::site_file(name), (file, None));
    }
    for (path, (file, bundle)) in files {
        match bundle {
            Some(script) => sink.put(&path, script.as_bytes()),
            None => sink.put(&path, &file.bytes().map_err(write_error)?),
        }
        .map_err(write_error)?;
    }
    Ok(())
}

/// In an offline copy, the theme's module entry scripts ([`offline::ENTRIES`])
/// as classic scripts: static file name → bundle.
fn offline_bundles(theme: &Theme) -> Result<BTreeMap<String, String>, String> {
    let mut scripts = BTreeMap::new();
    for (name, file) in &theme.static_files {
        if name.ends_with(".js") && !name.contains('/') {
            let bytes = file.bytes().map_err(|e| format!("static/{name}: {e}"))?;
            let text =
                String::from_utf8(bytes.into_owned()).map_err(|_| format!("static/{name} is not UTF-8"))?;
            scripts.insert(name.clone(), text);
        }
    }
    let mut out = BTreeMap::new();
    for entry in offline::ENTRIES {
        if scripts.contains_key(*entry) {
            out.insert(entry.to_string(), offline::bundle(entry, &scripts)?);
        }
    }
    Ok(out)
}

pub(super) fn root_redirect(config: &Config) -> String {
    let lang = &config.default_language;
    let home = urls::dir_link(&Route::Home.in_lang(lang), config.offline);
    let index = urls::dir_index(config.offline);
    let title = escape_html(&config.title);
    // Send readers to their browser's language when the site has it; without
    // JavaScript the meta refresh leads to the default language.
    let codes: Vec<String> = config.languages.iter().map(|(c, _)| format!("\"{c}\"")).collect();
    let script = if config.languages.len() > 1 {
        format!(
            "<script>(function(){{var s=[{}],p=navigator.languages||[navigator.language||\"\"];\
             for(var i=0;i<p.length;i++){{var c=String(p[i]).toLowerCase();for(var j=0;j<s.length;j++){{\
             var l=s[j].toLowerCase();if(c===l||c.split(\"-\")[0]===l){{location.replace(s[j]+\"/{index}\");return;}}}}}}}})();</script>\n",
            codes.join(",")
        )
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n{script}<meta http-equiv=\"refresh\" content=\"0; url={home}\">\n\
         <link rel=\"canonical\" href=\"{home}\">\n</head>\n<body>\n<p><a href=\"{home}\">{title}</a></p>\n</body>\n</html>\n"
    )
}

pub(super) fn robots(config: &Config) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if let Some(b) = &config.base_url {
        s.push_str(&format!("Sitemap: {}\n", urls::permalink(b, urls::SITEMAP)));
    }
    s
}

pub(super) fn sitemap(
    config: &Config,
    content: &Content,
    sources: &BTreeMap<Slug, SourceGroup>,
) -> Option<String> {
    let base = config.base_url.as_ref()?;
    let mut rests: Vec<(String, Option<&str>)> = vec![(Route::Home.path(), None)];
    let listing = super::urls::listing_pages(content.events.len());
    rests.extend((1..=listing).map(|n| (Route::listing(n).path(), None)));
    for (slug, g) in sources {
        rests.push((Route::Source(slug).path(), None));
        for cslug in g.categories.keys() {
            rests.push((Route::Category(slug, cslug).path(), None));
        }
    }
    for e in &content.events {
        rests.push((Route::event(e).path(), e.last_modified.as_deref()));
    }
    let mut s = String::with_capacity(rests.len() * 200 * config.languages.len());
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    for (rest, lastmod) in &rests {
        for (lang, _) in &config.languages {
            let loc = urls::permalink(base, &urls::in_lang(lang, rest));
            s.push_str(&format!("  <url>\n    <loc>{loc}</loc>\n"));
            if let Some(d) = lastmod {
                s.push_str(&format!("    <lastmod>{}</lastmod>\n", escape_html(d)));
            }
            if config.languages.len() > 1 {
                for (alt, _) in &config.languages {
                    let href = urls::permalink(base, &urls::in_lang(alt, rest));
                    s.push_str(&format!(
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{alt}\" href=\"{href}\"/>\n"
                    ));
                }
            }
            s.push_str("  </url>\n");
        }
    }
    s.push_str("</urlset>\n");
    Some(s)
}
