//! The all-events listing is paged (issue 17): a thousand events a page, so
//! that a reader's browser gets a page of a few hundred kilobytes whatever the
//! size of the site, and an edit renders again only the page its event is on.

mod common;

use std::path::Path;

use common::*;

/// A site of `n` events of one source (IDs 1 to `n`), with a base URL.
fn site_of(n: u16) -> tempfile::TempDir {
    let records: Vec<(String, String)> = (1..=n)
        .map(|id| {
            (
                format!("contoso/{id}.yaml"),
                format!("source: Contoso\nid: {id}\nlevel: error\nmessage: \"Event {id} happened.\"\n"),
            )
        })
        .collect();
    let dir = site_with_made(&records);
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    dir
}

fn build_no_search(root: &Path) {
    let site = eventref::Site::load(root).unwrap();
    let opts = eventref::BuildOptions {
        search: false,
        ..Default::default()
    };
    site.build(&opts).unwrap_or_else(|f| panic!("build failed:\n{f}"));
}

/// Where `href`, found on the page at directory `from` (from the output root), leads.
fn resolve(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from.trim_end_matches('/').split('/').collect();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "" | "." => {}
            s => parts.push(s),
        }
    }
    format!("{}/", parts.join("/"))
}

#[test]
fn the_all_events_listing_is_paged_a_thousand_events_a_page() {
    let dir = site_of(2100);
    build_no_search(dir.path());
    let (root, out) = (dir.path(), dir.path().join("public"));
    let pages = ["en/events/", "en/events/page/2/", "en/events/page/3/"];
    let rows: Vec<usize> = pages
        .iter()
        .map(|p| {
            page(root, &format!("{p}index.html"))
                .select(&sel("tbody tr"))
                .count()
        })
        .collect();
    assert_eq!(rows, [1000, 1000, 100]);
    assert!(
        !out.join("en/events/page/1").exists(),
        "page 1 is the listing itself"
    );
    assert!(!out.join("en/events/page/4").exists());

    let second = page(root, "en/events/page/2/index.html");
    assert_eq!(
        texts(&second, "tbody tr:first-child td:first-child a"),
        ["Contoso 1001"]
    );
    assert_eq!(texts(&second, ".summary"), ["Events 1001–2000 of 2100"]);
    assert_eq!(texts(&second, "title"), ["All events (1001–2000) | T"]);
    assert_eq!(texts(&second, ".pagination [aria-current=page]"), ["2"]);
    assert_eq!(
        attrs(&second, "link[rel=canonical]", "href"),
        ["https://example.org/en/events/page/2/"]
    );
    // Every link of the page list, and previous and next, lead to the pages.
    let from = "en/events/page/2/";
    let to = |s: &str| -> Vec<String> {
        attrs(&second, s, "href")
            .iter()
            .map(|h| resolve(from, h))
            .collect()
    };
    assert_eq!(to(".pagination a[rel=prev]"), ["en/events/"]);
    assert_eq!(to(".pagination a[rel=next]"), ["en/events/page/3/"]);
    assert_eq!(to(".pagination ol a"), ["en/events/", "en/events/page/3/"]);

    let first = page(root, "en/events/index.html");
    assert!(attrs(&first, ".pagination a[rel=prev]", "href").is_empty());
    assert_eq!(texts(&first, ".pagination [aria-current=page]"), ["1"]);
    let last = page(root, "en/events/page/3/index.html");
    assert!(attrs(&last, ".pagination a[rel=next]", "href").is_empty());

    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    for p in pages {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/{p}</loc>")),
            "{p} in the sitemap"
        );
    }
}

#[test]
fn a_site_of_a_thousand_events_or_fewer_has_one_listing_page_without_page_links() {
    let dir = site_of(1000);
    build_no_search(dir.path());
    let out = dir.path().join("public");
    let all = page(dir.path(), "en/events/index.html");
    assert_eq!(all.select(&sel("tbody tr")).count(), 1000);
    assert_eq!(texts(&all, ".summary"), ["1000 events"]);
    assert_eq!(all.select(&sel(".pagination")).count(), 0);
    assert!(!out.join("en/events/page").exists());
}

#[test]
fn a_message_edit_renders_only_the_listing_page_its_event_is_on() {
    let dir = site_of(2100);
    let files = rendered_after(dir.path(), 1500, |e| {
        e.message = "Event 1500 happened again.".into()
    });
    let listing: Vec<&String> = files.iter().filter(|f| f.starts_with("en/events/")).collect();
    assert_eq!(listing, ["en/events/page/2/index.html"], "{files:?}");
}
