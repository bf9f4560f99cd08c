//! Issue 14, item 1: an offline copy (`eventref build --offline`, or
//! `offline = true` in site.toml) that works opened from disk. Here: what the
//! files say (links end in index.html, lookup tables have classic-script
//! twins, the search and /go/ pages load classic scripts, the search page
//! carries the full-text notice) and that two builds are byte-identical. How
//! it behaves in Chromium from file:// is in tests/browser/run.mjs
//! (`offline:` tests).

mod common;
use common::*;

/// The i18n fixture built as an offline copy (through the command line's flag).
fn offline_build() -> tempfile::TempDir {
    let dir = fixture("i18n");
    assert_cmd::Command::cargo_bin("eventref")
        .unwrap()
        .args(["build", "--offline", "--root"])
        .arg(dir.path())
        .assert()
        .success();
    dir
}

/// Every `href`/`action` of `doc` that leads to a page of the site (not a
/// fragment, not another origin, not a static file or feed).
fn page_links(doc: &scraper::Html) -> Vec<String> {
    let mut out = attrs(doc, "a[href], link[rel=canonical]", "href");
    out.extend(attrs(doc, "form[action]", "action"));
    out.retain(|h| {
        !h.is_empty()
            && !h.starts_with('#')
            && !h.contains("://")
            && !h.contains("/static/")
            && !h.starts_with("static/")
            && !h.ends_with(".xml")
    });
    out
}

#[test]
fn every_link_to_a_page_ends_in_index_html() {
    let dir = offline_build();
    let mut checked = 0;
    for (path, bytes) in tree(&dir.path().join("public")) {
        // The language 404 pages are served at any URL by a server; a copy on
        // disk has no use for them.
        if !path.ends_with(".html") || path.ends_with("404.html") {
            continue;
        }
        let doc = scraper::Html::parse_document(&String::from_utf8(bytes).unwrap());
        for h in page_links(&doc) {
            assert!(h.ends_with("index.html"), "{path}: link {h}");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links");
    // The root page leads to the default language's index.html.
    let root = page(dir.path(), "index.html");
    assert_eq!(
        attrs(&root, "meta[http-equiv=refresh]", "content"),
        ["0; url=en/index.html"]
    );
}

#[test]
fn a_served_build_keeps_directory_links() {
    let dir = fixture("i18n");
    build_ok(dir.path());
    let doc = page(dir.path(), "en/contoso/1/index.html");
    let links = page_links(&doc);
    assert!(!links.is_empty());
    assert!(links.iter().all(|h| !h.ends_with("index.html")), "{links:?}");
    assert!(!dir.path().join("public/en/lookup/meta.js").exists());
    assert_eq!(
        attrs(
            &page(dir.path(), "en/search/index.html"),
            "script[src$='search.js']",
            "type"
        ),
        ["module"]
    );
    assert!(
        page(dir.path(), "en/search/index.html")
            .select(&sel("#offline-notice"))
            .next()
            .is_none()
    );
}

#[test]
fn lookup_tables_have_script_twins_with_the_same_data() {
    let dir = offline_build();
    let public = dir.path().join("public");
    let mut twins = 0;
    for (path, bytes) in tree(&public) {
        if !(path.contains("/lookup/") && path.ends_with(".json")) {
            continue;
        }
        let script = std::fs::read_to_string(public.join(path.replace(".json", ".js")))
            .unwrap_or_else(|e| panic!("no script twin of {path}: {e}"));
        let data = script
            .strip_prefix("eventrefData(document.currentScript,")
            .and_then(|s| s.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("{path}: script twin is not a registration: {script:.80}"));
        assert_eq!(data.as_bytes(), &bytes[..], "{path}");
        twins += 1;
    }
    assert!(twins >= 8, "only {twins} lookup tables");
}

#[test]
fn search_and_go_pages_load_classic_scripts_and_say_what_needs_a_server() {
    let dir = offline_build();
    let search = page(dir.path(), "de/search/index.html");
    let scripts: Vec<_> = search
        .select(&sel("script[src$='search.js']"))
        .map(|s| (s.value().attr("type"), s.value().attr("defer").is_some()))
        .collect();
    assert_eq!(scripts, [(None, true)], "a classic, deferred script");
    assert_eq!(attrs(&search, "#search-app", "data-offline"), ["true"]);
    assert_eq!(attrs(&search, "#search-app", "data-dir-index"), ["index.html"]);
    let notice = texts(&search, "#offline-notice");
    assert!(notice[0].contains("eventref serve"), "{notice:?}");
    let go = page(dir.path(), "go/index.html");
    assert_eq!(attrs(&go, "script", "src"), ["../static/go.js"]);
    assert!(attrs(&go, "script", "type").is_empty());
    assert_eq!(attrs(&go, "#go", "data-offline"), ["true"]);
    // The bundles are classic scripts: no import or export statements left.
    for name in ["search.js", "go.js"] {
        let js = std::fs::read_to_string(dir.path().join("public/static").join(name)).unwrap();
        for line in js.lines() {
            assert!(
                !line.starts_with("import ") && !line.starts_with("export "),
                "static/{name}: {line}"
            );
        }
        assert!(js.contains("function loadJson"), "static/{name} lacks data.js");
    }
}

#[test]
fn the_site_toml_switch_builds_the_same_copy_and_builds_are_byte_identical() {
    let a = offline_build();
    let b = fixture("i18n");
    let toml = b.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    // A top-level key: before the first table.
    std::fs::write(&toml, format!("offline = true\n{text}")).unwrap();
    build_ok(b.path());
    // The manifest and the command line's build fingerprint record the run,
    // not the site.
    let site = |d: &tempfile::TempDir| {
        let mut t = tree(&d.path().join("public"));
        t.retain(|(n, _)| !n.starts_with(".eventref"));
        t
    };
    let (ta, tb) = (site(&a), site(&b));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ta), names(&tb));
    for ((n, x), (_, y)) in ta.iter().zip(&tb) {
        assert!(x == y, "{n} differs between two offline builds");
    }
}

/// Every relative `href`, `src` and `action` on every page of `public` (the
/// 404 pages, which link from the base path, aside) leads to a file of the
/// build: a link to a folder to its `index.html`. Returns how many links it checked.
fn assert_relative_links_resolve(public: &std::path::Path) -> usize {
    let files: std::collections::BTreeSet<String> = tree(public).into_iter().map(|(p, _)| p).collect();
    let mut checked = 0;
    for path in files
        .iter()
        .filter(|p| p.ends_with(".html") && !p.ends_with("404.html"))
    {
        let doc = scraper::Html::parse_document(&std::fs::read_to_string(public.join(path)).unwrap());
        let mut links = attrs(&doc, "a[href], link[href]", "href");
        links.extend(attrs(&doc, "script[src], img[src]", "src"));
        links.extend(attrs(&doc, "form[action]", "action"));
        for link in links {
            let target = link.split(['#', '?']).next().unwrap();
            if link.starts_with('#') || link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            assert!(!target.starts_with('/'), "{path}: {link} is not relative");
            let mut dirs: Vec<&str> = path.split('/').collect();
            dirs.pop();
            let mut file = "";
            let mut parts = target.split('/').peekable();
            while let Some(p) = parts.next() {
                match p {
                    ".." => assert!(dirs.pop().is_some(), "{path}: {link} leaves the site"),
                    "." => {}
                    _ if parts.peek().is_some() => dirs.push(p),
                    _ => file = p,
                }
            }
            let mut resolved: String = dirs.iter().map(|d| format!("{d}/")).collect();
            resolved.push_str(if file.is_empty() { "index.html" } else { file });
            assert!(
                files.contains(&resolved),
                "{path}: {link} leads to {resolved}, which the build lacks"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_relative_link_leads_to_a_file_of_the_build() {
    // Served (links end in a folder) and offline (links end in index.html).
    let dir = fixture("i18n");
    build_ok(dir.path());
    let served = assert_relative_links_resolve(&dir.path().join("public"));
    let offline = offline_build();
    let copy = assert_relative_links_resolve(&offline.path().join("public"));
    assert!(served > 500 && copy > 500, "{served} and {copy} links");
}
