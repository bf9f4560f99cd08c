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
        if selection.sitemap {
            for (path, xml) in sitemap(config, content, sources) {
                sink.put(&path, xml.as_bytes()).map_err(write_error)?;
                pages += 1;
            }
        }
        return Ok(pages);
    }
    sink.put(urls::ROOT_INDEX, root_redirect(config).as_bytes())
        .map_err(write_error)?;
    sink.put(urls::ROBOTS, robots(config).as_bytes())
        .map_err(write_error)?;
    pages += 2;
    for (path, xml) in sitemap(config, content, sources) {
        sink.put(&path, xml.as_bytes()).map_err(write_error)?;
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
    sink.put(urls::NOT_FOUND, &html).map_err(write_error)?;
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

/// The most URLs one sitemap file may list (sitemaps.org protocol).
const SITEMAP_URLS: usize = 50_000;
/// The most bytes one sitemap file may hold (the protocol's 50 MiB), less
/// room for its opening and closing.
const SITEMAP_BYTES: usize = 50 * 1024 * 1024 - 1024;
/// What a `<lastmod>` line counts for when parts are cut, whether or not the
/// URL has one: the parts then depend only on the pages, which an edit that
/// keeps every page (an incremental build) cannot change.
const LASTMOD_BYTES: usize = "<lastmod>0000-00-00</lastmod>".len();

/// The sitemap files, with their paths: nothing without a base URL;
/// `sitemap.xml` alone when every URL fits in one file; else `sitemap.xml`
/// as the index of `sitemap-1.xml`, `sitemap-2.xml`, … (at most 50,000 URLs
/// and 50 MiB each, as the protocol says, so that search engines read them).
/// One `<url>` a line.
pub(super) fn sitemap(
    config: &Config,
    content: &Content,
    sources: &BTreeMap<Slug, SourceGroup>,
) -> Vec<(String, String)> {
    let Some(base) = config.base_url.as_ref() else {
        return Vec::new();
    };
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
    // Each URL is made as the parts are cut, not all held first.
    let urls = rests.iter().flat_map(|(rest, lastmod)| {
        config.languages.iter().map(move |(lang, _)| {
            // Written piece by piece (`format!` was most of the sitemap's time).
            let loc = urls::permalink(base, &urls::in_lang(lang, rest));
            let mut url = urls::concat(&["<url><loc>", &loc, "</loc>"]);
            let mut counted = url.len() + LASTMOD_BYTES;
            if let Some(d) = lastmod {
                for piece in ["<lastmod>", &escape_html(d), "</lastmod>"] {
                    url.push_str(piece);
                }
            }
            if config.languages.len() > 1 {
                for (alt, _) in &config.languages {
                    let href = urls::permalink(base, &urls::in_lang(alt, rest));
                    let before = url.len();
                    for piece in [
                        "<xhtml:link rel=\"alternate\" hreflang=\"",
                        alt,
                        "\" href=\"",
                        &href,
                        "\"/>",
                    ] {
                        url.push_str(piece);
                    }
                    counted += url.len() - before;
                }
            }
            url.push_str("</url>\n");
            (url, counted + "</url>\n".len())
        })
    });
    sitemap_files(base, split_sitemap(urls, SITEMAP_URLS, SITEMAP_BYTES))
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The `<url>` lines (each with the bytes it counts for) cut into sitemaps of
/// at most `max_urls` URLs and `max_bytes` counted bytes each, in order.
fn split_sitemap(
    urls: impl IntoIterator<Item = (String, usize)>,
    max_urls: usize,
    max_bytes: usize,
) -> Vec<String> {
    let open = || {
        let mut s = String::from(XML_HEAD);
        s.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
        s
    };
    let mut parts = Vec::new();
    let (mut part, mut urls_in, mut bytes_in) = (open(), 0, 0);
    for (url, counted) in urls {
        if urls_in == max_urls || (urls_in > 0 && bytes_in + counted > max_bytes) {
            part.push_str("</urlset>\n");
            parts.push(std::mem::replace(&mut part, open()));
            (urls_in, bytes_in) = (0, 0);
        }
        part.push_str(&url);
        urls_in += 1;
        bytes_in += counted;
    }
    part.push_str("</urlset>\n");
    parts.push(part);
    parts
}

/// The files of sitemaps `parts`: the only one as `sitemap.xml`, or
/// `sitemap-1.xml`, `sitemap-2.xml`, … with `sitemap.xml` as their index.
fn sitemap_files(base: &str, mut parts: Vec<String>) -> Vec<(String, String)> {
    if parts.len() == 1 {
        return vec![(urls::SITEMAP.to_string(), parts.remove(0))];
    }
    let mut index = String::from(XML_HEAD);
    index.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for n in 1..=parts.len() {
        let loc = urls::permalink(base, &urls::sitemap_part(n));
        index.push_str(&format!("<sitemap><loc>{loc}</loc></sitemap>\n"));
    }
    index.push_str("</sitemapindex>\n");
    std::iter::once((urls::SITEMAP.to_string(), index))
        .chain(
            parts
                .into_iter()
                .enumerate()
                .map(|(k, p)| (urls::sitemap_part(k + 1), p)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<(String, usize)> {
        (0..n)
            .map(|k| (format!("<url><loc>https://x.org/en/{k}/</loc></url>\n"), 100))
            .collect()
    }

    #[test]
    fn a_small_site_has_one_sitemap() {
        let files = sitemap_files("https://x.org/", split_sitemap(lines(3), 3, 1000));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert!(files[0].1.contains("<urlset"), "{}", files[0].1);
        assert_eq!(files[0].1.matches("<url>").count(), 3);
    }

    #[test]
    fn more_urls_than_a_sitemap_may_hold_make_parts_and_an_index() {
        // By count: 7 URLs, 3 a file.
        let files = sitemap_files("https://x.org/docs/", split_sitemap(lines(7), 3, 1000));
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
        );
        let index = &files[0].1;
        assert!(index.contains("<sitemapindex"), "{index}");
        assert!(
            index.contains("<loc>https://x.org/docs/sitemap-2.xml</loc>"),
            "{index}"
        );
        let counts: Vec<usize> = files[1..]
            .iter()
            .map(|(_, x)| x.matches("<url>").count())
            .collect();
        assert_eq!(counts, [3, 3, 1]);
        // Every URL once, in order.
        let all: String = files[1..].iter().map(|(_, x)| x.as_str()).collect();
        for k in 0..7 {
            assert_eq!(all.matches(&format!("/en/{k}/<")).count(), 1);
        }
        assert!(all.find("/en/3/").unwrap() < all.find("/en/4/").unwrap());
        // By bytes: 250 bytes a file hold two URLs of 100.
        let parts = split_sitemap(lines(5), 100, 250);
        assert_eq!(
            parts
                .iter()
                .map(|x| x.matches("<url>").count())
                .collect::<Vec<_>>(),
            [2, 2, 1]
        );
        // Each part is a whole document.
        for p in &parts {
            assert!(p.starts_with(XML_HEAD) && p.ends_with("</urlset>\n"), "{p}");
        }
    }
}
