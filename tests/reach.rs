//! Issue 14, reaching readers where they are: the `/go/` page for Event
//! Viewer's help link (its behaviour in a browser is in tests/browser/run.mjs)
//! and the open data export (JSON per language and per event, checked against
//! the published JSON Schema).

mod common;
// The benchmark generator (std-only) makes the 50,000-event site for the size report.
#[path = "../src/cli/bench/generate.rs"]
#[allow(dead_code)]
mod generate;
use common::*;

fn built() -> tempfile::TempDir {
    let dir = fixture("i18n");
    build_ok(dir.path());
    dir
}

/// Turn on the per-event export files (`[export] event_files = true`).
fn with_event_files(root: &std::path::Path) {
    let toml = root.join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[export]\nevent_files = true\n");
    std::fs::write(&toml, text).unwrap();
}

fn json(root: &std::path::Path, path: &str) -> serde_json::Value {
    let p = root.join("public").join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_go_page_knows_the_languages_and_loads_only_this_site() {
    let dir = built();
    let doc = page(dir.path(), "go/index.html");
    assert_eq!(attrs(&doc, "#go", "data-languages"), ["en ar de ja"]);
    assert_eq!(attrs(&doc, "#go", "data-default"), ["en"]);
    assert_eq!(attrs(&doc, "#go", "data-root"), ["../"]);
    assert_eq!(attrs(&doc, "script", "src"), ["../static/go.js"]);
    assert_eq!(attrs(&doc, "meta[name=robots]", "content"), ["noindex"]);
    for (sel_, attr) in [("[src]", "src"), ("[href]", "href")] {
        for v in attrs(&doc, sel_, attr) {
            assert!(!v.contains("//"), "the go page refers to another origin: {v}");
        }
    }
    assert!(dir.path().join("public/static/go.js").is_file());
    // The search page carries the notice /go/ links to, hidden unless targeted.
    let search = page(dir.path(), "de/search/index.html");
    assert_eq!(attrs(&search, "#not-in-reference", "class"), ["notice go-notice"]);
    assert!(texts(&search, "#not-in-reference")[0].contains("Ereignisanzeige"));
}

#[test]
fn every_language_exports_its_events_as_json_that_matches_the_schema() {
    let dir = fixture("i18n");
    with_event_files(dir.path());
    build_ok(dir.path());
    let root = dir.path();
    let events_schema = json(root, "api/events.schema.json");
    let event_schema = json(root, "api/event.schema.json");
    let all = jsonschema::validator_for(&events_schema).expect("events schema compiles");
    let one = jsonschema::validator_for(&event_schema).expect("event schema compiles");
    for lang in ["en", "de", "ar", "ja"] {
        let list = json(root, &format!("{lang}/api/events.json"));
        if let Err(e) = all.validate(&list) {
            panic!("{lang}/api/events.json does not match its schema: {e}");
        }
        assert_eq!(list["version"], 1);
        assert_eq!(list["language"], lang);
        assert_eq!(list["$schema"], "https://i18n.example.org/api/events.schema.json");
        let events = list["events"].as_array().unwrap();
        assert_eq!(list["count"], events.len());
        assert_eq!(events.len(), 4, "{lang}");
        for e in events {
            let path = e["path"].as_str().unwrap();
            assert!(path.starts_with(&format!("{lang}/")), "{path}");
            assert!(
                root.join("public").join(path).join("index.html").is_file(),
                "{path}"
            );
            let file = json(root, &format!("{path}event.json"));
            if let Err(err) = one.validate(&file) {
                panic!("{path}event.json does not match its schema: {err}");
            }
            // The per-event file holds the same event as the list.
            for k in [
                "source",
                "id",
                "message",
                "parameters",
                "url",
                "last_modified",
                "fallback",
            ] {
                assert_eq!(file[k], e[k], "{path} {k}");
            }
        }
    }
    // Contoso 1, fully translated into German.
    let de = json(root, "de/contoso/1/event.json");
    assert_eq!(de["source"], "Contoso");
    assert_eq!(de["id"], 1);
    assert_eq!(de["level"], "warning");
    assert_eq!(de["category"], "SMTP-Senden");
    assert_eq!(
        de["message"],
        "Sendeconnector %1: Beim Verbinden mit %2 ist ein Fehler aufgetreten."
    );
    assert_eq!(
        de["parameters"],
        serde_json::json!([
            { "name": "%1", "meaning": "Name des Sendeconnectors" },
            { "name": "%2", "meaning": "Remoteserver" }
        ])
    );
    assert_eq!(de["url"], "https://i18n.example.org/de/contoso/1/");
    assert_eq!(de["last_modified"], "2020-01-02");
    assert_eq!(de["product"], "Contoso Server");
    assert!(de.get("fallback").is_none(), "{de}");
    // Contoso 2 in German: the message is translated, the parameter meaning is not.
    let partial = json(root, "de/contoso/2/event.json");
    assert_eq!(partial["message"], "Der Dienst {Service} wurde beendet.");
    assert_eq!(partial["fallback"], serde_json::json!(["parameters"]));
    // Arabic has no translations: everything falls back and says so.
    let ar = json(root, "ar/contoso/1/event.json");
    assert_eq!(
        ar["message"],
        "Send connector %1: an error occurred while connecting to %2."
    );
    assert_eq!(
        ar["fallback"],
        serde_json::json!(["message", "parameters", "category"])
    );
}

#[test]
fn per_event_files_are_written_only_when_asked_for() {
    // By default the list holds every event and no page has an event.json beside it.
    let dir = built();
    let root = dir.path().join("public");
    let list = json(dir.path(), "en/api/events.json");
    assert_eq!(list["count"], 4);
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        assert_ne!(entry.file_name(), "event.json", "{}", entry.path().display());
        pages += usize::from(entry.file_name() == "index.html");
    }
    assert!(pages > 16, "{pages} pages");
    // Turned on, every event page of every language has one; turned off
    // again, the next build removes them (they are eventref's own files).
    with_event_files(dir.path());
    build_ok(dir.path());
    for lang in ["en", "de", "ar", "ja"] {
        for e in json(dir.path(), &format!("{lang}/api/events.json"))["events"]
            .as_array()
            .unwrap()
        {
            let path = format!("{}event.json", e["path"].as_str().unwrap());
            assert!(root.join(&path).is_file(), "{path}");
        }
    }
    let toml = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("event_files = true", "event_files = false")).unwrap();
    build_ok(dir.path());
    assert!(!root.join("en/contoso/1/event.json").exists());
    assert!(root.join("en/contoso/1/index.html").is_file());
}

#[test]
fn without_a_base_url_the_export_links_relatively() {
    let dir = site_with(&[(
        "contoso/7.yaml",
        "source: Contoso\nid: 7\nmessage: \"Disk %1 is full.\"\nparameters:\n  \"%1\": The disk\n",
    )]);
    with_event_files(dir.path());
    build_ok(dir.path());
    let e = json(dir.path(), "en/contoso/7/event.json");
    assert!(e.get("url").is_none(), "{e}");
    assert_eq!(e["path"], "en/contoso/7/");
    assert_eq!(e["$schema"], "../../../api/event.schema.json");
    let list = json(dir.path(), "en/api/events.json");
    assert_eq!(list["$schema"], "../../api/events.schema.json");
    assert_eq!(list["events"][0]["parameters"][0]["meaning"], "The disk");
}

/// The first child element of `n` named `name`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    n.children()
        .find(|c| c.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", n.tag_name().name()))
}

#[test]
fn each_language_has_an_atom_feed_of_recent_changes_linked_from_every_page() {
    let dir = built();
    let root = dir.path();
    for lang in ["en", "de", "ar", "ja"] {
        let text = std::fs::read_to_string(root.join(format!("public/{lang}/feed.xml"))).unwrap();
        let xml = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{lang}/feed.xml: {e}"));
        let feed = xml.root_element();
        assert_eq!(feed.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
        assert_eq!(feed.tag_name().name(), "feed");
        assert_eq!(
            child(feed, "id").text(),
            Some(format!("https://i18n.example.org/{lang}/feed.xml").as_str())
        );
        for required in ["title", "updated", "author"] {
            child(feed, required);
        }
        let entries: Vec<_> = feed
            .children()
            .filter(|c| c.tag_name().name() == "entry")
            .collect();
        // Dated events only (Contoso 3 and 4 have no last_modified), newest first.
        let dates: Vec<&str> = entries
            .iter()
            .map(|e| child(*e, "updated").text().unwrap())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "{lang}");
        assert_eq!(dates, ["2021-12-24T00:00:00Z", "2020-01-02T00:00:00Z"], "{lang}");
        assert_eq!(child(feed, "updated").text(), Some(dates[0]));
        for e in &entries {
            let href = child(*e, "link").attribute("href").unwrap();
            assert!(
                href.starts_with(&format!("https://i18n.example.org/{lang}/contoso/")),
                "{href}"
            );
            let rel = href.trim_start_matches("https://i18n.example.org/");
            assert!(
                root.join("public").join(rel).join("index.html").is_file(),
                "{href}"
            );
            assert_eq!(child(*e, "id").text(), Some(href));
            assert!(!child(*e, "summary").text().unwrap_or("").is_empty());
        }
        // Every page of the language links its feed.
        for p in ["index.html", "contoso/1/index.html", "search/index.html"] {
            let doc = page(root, &format!("{lang}/{p}"));
            assert_eq!(
                attrs(&doc, "link[rel=alternate][type='application/atom+xml']", "href"),
                [format!("{}feed.xml", "../".repeat(p.matches('/').count()))],
                "{lang}/{p}"
            );
        }
    }
    let de = std::fs::read_to_string(root.join("public/de/feed.xml")).unwrap();
    assert!(
        de.contains("Sendeconnector %1"),
        "the German feed shows German messages"
    );
}

#[test]
fn without_a_base_url_no_feed_is_written_and_the_build_says_why() {
    let dir = site_with(&[(
        "contoso/7.yaml",
        "source: Contoso\nid: 7\nmessage: \"Disk %1 is full.\"\nlast_modified: 2024-05-01\n",
    )]);
    let report = build_ok(dir.path());
    assert!(!dir.path().join("public/en/feed.xml").exists());
    let w: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "no-base-url")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", report.diagnostics);
    assert!(w[0].message.contains("Atom feeds"), "{}", w[0].message);
    let doc = page(dir.path(), "en/contoso/7/index.html");
    assert!(attrs(&doc, "link[type='application/atom+xml']", "href").is_empty());
}

/// The export's size on a large site (docs/export.md quotes it):
/// `cargo test --release --test reach -- --ignored --nocapture export_size`.
#[test]
#[ignore = "a measurement: builds a 50,000-event site"]
fn export_size_at_50000_events() {
    let dir = tempfile::tempdir().unwrap();
    generate::generate(dir.path(), 50_000, 1).unwrap();
    with_event_files(dir.path());
    let site = eventref::Site::load(dir.path()).unwrap();
    site.build(&eventref::BuildOptions {
        search: false,
        ..Default::default()
    })
    .unwrap();
    let gz = |p: &std::path::Path| -> u64 {
        let o = std::process::Command::new("gzip")
            .args(["-6", "-c"])
            .arg(p)
            .output()
            .expect("gzip runs");
        o.stdout.len() as u64
    };
    let list = dir.path().join("public/en/api/events.json");
    let raw = std::fs::metadata(&list).unwrap().len();
    let mut per_event = (0u64, 0u64, 0u64);
    for e in site.content.events.iter().step_by(500) {
        let p = dir
            .path()
            .join(format!("public/en/{}/{}/event.json", e.source_slug, e.id));
        per_event.0 += 1;
        per_event.1 += std::fs::metadata(&p).unwrap().len();
        per_event.2 += gz(&p);
    }
    println!(
        "50,000 events: en/api/events.json {raw} bytes ({:.1} MB), gzip -6 {} bytes ({:.1} MB); \
         event.json average {} bytes, gzip -6 {} bytes (sample of {})",
        raw as f64 / 1e6,
        gz(&list),
        gz(&list) as f64 / 1e6,
        per_event.1 / per_event.0,
        per_event.2 / per_event.0,
        per_event.0
    );
    assert!(raw > 0);
}

fn with_edit_url(url: &str) -> tempfile::TempDir {
    let dir = fixture("i18n");
    let toml = dir.path().join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(&format!("\n[repository]\nedit_url = \"{url}\"\n"));
    std::fs::write(&toml, text).unwrap();
    dir
}

#[test]
fn articles_link_their_record_overlay_or_how_to_start_a_translation() {
    let dir = with_edit_url("https://github.com/org/kb/edit/main");
    build_ok(dir.path());
    let edit = |p: &str| page(dir.path(), p);
    let base = "https://github.com/org/kb/edit/main/";
    // The default language: the record.
    let en = edit("en/contoso/1/index.html");
    assert_eq!(
        attrs(&en, ".edit-page a", "href"),
        [format!("{base}content/full.yaml")]
    );
    assert_eq!(texts(&en, ".edit-page a"), ["Edit this page"]);
    // A translated language: the overlay.
    let de = edit("de/contoso/1/index.html");
    assert_eq!(
        attrs(&de, ".edit-page a", "href"),
        [format!("{base}content/full.de.yaml")]
    );
    assert_eq!(texts(&de, ".edit-page a"), ["Diese Übersetzung bearbeiten"]);
    // No overlay yet: how to start one, and the original the page shows.
    let ar = edit("ar/contoso/1/index.html");
    assert_eq!(
        texts(&ar, ".edit-page code"),
        ["eventref new --lang ar Contoso 1"]
    );
    assert_eq!(
        attrs(&ar, ".edit-page a", "href"),
        [format!("{base}content/full.yaml")]
    );
    // Only articles have the line.
    assert!(texts(&edit("en/contoso/index.html"), ".edit-page").is_empty());
}

#[test]
fn no_edit_url_no_edit_line_and_a_bad_one_is_a_config_error() {
    let dir = built();
    assert!(texts(&page(dir.path(), "en/contoso/1/index.html"), ".edit-page").is_empty());
    let bad = with_edit_url("github.com/org/kb");
    let err = match eventref::Site::load(bad.path()) {
        Ok(_) => panic!("a relative edit_url was accepted"),
        Err(f) => f.to_string(),
    };
    assert!(err.contains("repository.edit_url"), "{err}");
}
