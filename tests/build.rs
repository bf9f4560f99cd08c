//! Rendering: the flagship site and the `basic` fixture, checked by parsing the HTML.

mod common;
use common::*;

#[test]
fn flagship_site_builds_and_seed_page_matches_the_original_structure() {
    let dir = tempfile::tempdir().unwrap();
    let site = eventref::Site::load(&repo()).expect("site.toml loads");
    assert!(
        site.diagnostics.is_empty(),
        "flagship content has diagnostics:\n{}",
        site.diagnostics
            .render(eventref::diagnostics::Format::Human, false)
    );
    assert!(site.content.events.len() >= 21, "seed + at least 20 events");
    let out = dir.path().join("public");
    let report = site
        .build(&eventref::BuildOptions {
            output: Some(out.clone()),
            ..Default::default()
        })
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(report.events, site.content.events.len());

    let html = std::fs::read_to_string(out.join("en/msexchangetransport/2002/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(texts(&doc, "article h1"), ["MSExchangeTransport 2002"]);
    assert_eq!(texts(&doc, ".last-modified"), ["Topic Last Modified: 2011-03-19"]);
    // The seed's order: Details, Explanation, User Action, For More Information.
    assert_eq!(
        texts(&doc, "article h2"),
        ["Details", "Explanation", "User Action", "For More Information"]
    );
    let rows: Vec<(String, String)> = texts(&doc, "table.details th")
        .into_iter()
        .zip(texts(&doc, "table.details td"))
        .collect();
    let expected = [
        ("Product Name", "Exchange"),
        ("Product Version", "14.0"),
        ("Event ID", "2002"),
        ("Event Source", "MSExchangeTransport"),
        ("Category", "SmtpSend"),
        ("Symbolic Name", "SmtpSendConnectionError"),
        (
            "Message Text",
            "Send connector %1: an error occurred while connecting to %2.",
        ),
        ("Level", "Warning"),
        ("Log", "Application"),
    ];
    let got: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(got, expected);
    assert_eq!(texts(&doc, "table.details var.insert"), ["%1", "%2"]);
    let intro = texts(&doc, ".intro").join(" ");
    assert!(
        intro.contains("specific Exchange event") && intro.contains("Exchange 2010 Help"),
        "{intro}"
    );
    assert_eq!(
        texts(&doc, ".user-action > p"),
        ["To resolve this warning, do one or more of the following:"]
    );
    let steps = texts(&doc, "ul.steps li");
    assert_eq!(steps.len(), 3);
    assert!(steps[0].starts_with("Make sure that the Microsoft Exchange server"));
    assert!(steps[1].starts_with("Review the Application log"));
    assert!(steps[2].starts_with("If you experience mail flow interruptions"));
    let more = texts(&doc, "section[aria-labelledby=more-info]").join(" ");
    assert!(more.contains("Toolbox node of the Exchange Management Console"));

    // Snapshot of the article, so any change to the seed page is reviewed.
    let article = doc.select(&sel("article")).next().unwrap().html();
    insta::assert_snapshot!("seed_article", article);

    // The German seed page: German chrome and German content, nothing left in English
    // but the category identifier.
    let de = scraper::Html::parse_document(
        &std::fs::read_to_string(out.join("de/msexchangetransport/2002/index.html")).unwrap(),
    );
    assert_eq!(attrs(&de, "html", "lang"), ["de"]);
    assert_eq!(
        texts(&de, ".last-modified"),
        ["Letztes Änderungsdatum des Themas: 2011-03-19"]
    );
    assert_eq!(
        texts(&de, "article h2"),
        ["Details", "Erklärung", "Benutzeraktion", "Weitere Informationen"]
    );
    assert!(
        texts(&de, ".intro")[0].starts_with("Dieser Artikel bietet eine Erläuterung und mögliche Lösungen")
    );
    assert!(texts(&de, "td.message")[0].starts_with("Sendeconnector %1"));
    assert_eq!(texts(&de, "ul.steps li").len(), 3);
    assert!(texts(&de, "section[aria-labelledby=more-info]")[0].contains("Exchange-Verwaltungskonsole"));
    assert!(texts(&de, ".notice").is_empty(), "{:?}", texts(&de, ".notice"));
    assert_eq!(texts(&de, "article [lang=en]"), ["SmtpSend"]);
    insta::assert_snapshot!(
        "seed_article_de",
        de.select(&sel("article")).next().unwrap().html()
    );
}

#[test]
fn fixture_pages_cover_every_kind() {
    let dir = fixture("basic");
    let root = dir.path();
    let report = build_ok(root);
    assert_eq!(report.events, 4);

    // Root redirect, sitemap, robots, 404s, static.
    let index = page(root, "index.html");
    assert_eq!(
        attrs(&index, "meta[http-equiv=refresh]", "content"),
        ["0; url=en/"]
    );
    for f in [
        "en/index.html",
        "en/events/index.html",
        "en/404.html",
        "404.html",
        "static/technet.css",
        "robots.txt",
        "sitemap.xml",
    ] {
        assert!(root.join("public").join(f).is_file(), "{f} missing");
    }
    let robots = std::fs::read_to_string(root.join("public/robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://fixture.example.org/docs/sitemap.xml"));
    let sitemap = std::fs::read_to_string(root.join("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://fixture.example.org/docs/en/contoso-mail/100/</loc>"));
    assert!(sitemap.contains("<lastmod>2020-01-02</lastmod>"));

    // Home: sources with counts.
    let home = page(root, "en/index.html");
    assert_eq!(texts(&home, "h1"), ["Fixture Events"]);
    let rows = texts(&home, "table.sources tbody tr");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Contoso-Mail") && r.ends_with('2')),
        "{rows:?}"
    );
    assert_eq!(texts(&home, ".summary"), ["4 events · 3 event sources"]);

    // Event page: message, inserts explained, related, links, prev/next, breadcrumbs.
    let ev = page(root, "en/contoso-mail/100/index.html");
    assert_eq!(texts(&ev, "article h1"), ["Contoso-Mail 100"]);
    assert_eq!(
        attrs(&ev, "td.message var.insert", "title"),
        ["Name of the Send connector", "Remote server"]
    );
    assert_eq!(texts(&ev, "table.parameters tbody td:first-child"), ["%1", "%2"]);
    assert_eq!(texts(&ev, "ul.related a"), ["Contoso-Mail 101", "Contoso-Disk 7"]);
    assert_eq!(
        attrs(&ev, "ul.related a", "href"),
        ["../101/", "../../contoso-disk/7/"]
    );
    assert_eq!(
        attrs(&ev, "ul.links a", "href"),
        ["https://docs.contoso.example/mail"]
    );
    assert_eq!(attrs(&ev, "a[rel=next]", "href"), ["../101/"]);
    assert!(attrs(&ev, "a[rel=prev]", "href").is_empty());
    assert_eq!(texts(&ev, ".breadcrumbs li"), ["Home", "Contoso-Mail", "100"]);
    assert_eq!(texts(&ev, ".intro strong"), ["Contoso Server"]);
    assert_eq!(texts(&ev, "ul.steps code"), ["ping"]);
    assert_eq!(
        attrs(&ev, "link[rel=canonical]", "href"),
        ["https://fixture.example.org/docs/en/contoso-mail/100/"]
    );
    assert_eq!(attrs(&ev, "html", "lang"), ["en"]);
    assert_eq!(attrs(&ev, "html", "dir"), ["ltr"]);
    assert!(texts(&ev, ".notice-stub").is_empty());
    // The current source is marked in the navigation.
    assert_eq!(texts(&ev, ".sidebar a[aria-current]"), ["Contoso-Mail"]);

    // A free-text user action.
    let ev101 = page(root, "en/contoso-mail/101/index.html");
    assert_eq!(
        texts(&ev101, "section[aria-labelledby=user-action] p"),
        ["No user action is required."]
    );
    assert_eq!(
        attrs(&ev101, "td.message var.insert", "title"),
        Vec::<String>::new()
    );
    assert_eq!(texts(&ev101, "td.message var.insert"), ["{Connector}"]);

    // A stub says the article is not written yet and still shows the facts.
    let stub = page(root, "en/contoso-disk/7/index.html");
    assert_eq!(texts(&stub, ".notice-stub").len(), 1);
    assert!(texts(&stub, "article h2").iter().all(|h| h != "Explanation"));
    assert_eq!(
        texts(&stub, "table.details td").first().map(String::as_str),
        Some("Contoso Server")
    );

    // Source page groups by category; category page lists its events.
    let src = page(root, "en/contoso-mail/index.html");
    assert_eq!(texts(&src, ".category-group h2"), ["SmtpSend"]);
    assert_eq!(
        texts(&src, ".category-group tbody tr td:first-child"),
        ["Contoso-Mail 100", "Contoso-Mail 101"]
    );
    let cat = page(root, "en/contoso-mail/category/smtpsend/index.html");
    assert_eq!(texts(&cat, "h1"), ["SmtpSend"]);
    assert_eq!(
        texts(&cat, "tbody td:first-child a"),
        ["Contoso-Mail 100", "Contoso-Mail 101"]
    );
    let disk = page(root, "en/contoso-disk/index.html");
    assert_eq!(texts(&disk, ".category-group h2"), ["Other events"]);

    // All events table.
    let all = page(root, "en/events/index.html");
    assert_eq!(all.select(&sel("tbody tr")).count(), 4);

    // The 404 links from the base path, since it is served at any URL.
    let nf = page(root, "404.html");
    assert_eq!(
        attrs(&nf, "link[rel=stylesheet]", "href"),
        ["/docs/static/technet.css"]
    );
}

/// The `basic` fixture with the site's own `templates/{name}`.
fn basic_with_template(name: &str, text: &str) -> tempfile::TempDir {
    let dir = fixture("basic");
    write_template(dir.path(), name, text);
    dir
}

/// Write the site's own `templates/{name}`.
fn write_template(root: &std::path::Path, name: &str, text: &str) {
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("templates").join(name), text).unwrap();
}

#[test]
fn site_overrides_a_template_a_static_file_and_a_ui_string() {
    let dir = basic_with_template(
        "404.html",
        "{% extends \"base.html\" %}{% block content %}<h1 id=\"custom\">Custom 404</h1>{% endblock content %}",
    );
    let root = dir.path();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/extra.txt"), "hello").unwrap();
    std::fs::create_dir_all(root.join("i18n")).unwrap();
    std::fs::write(root.join("i18n/en.yaml"), "details: Event Details\n").unwrap();
    build_ok(root);
    assert_eq!(texts(&page(root, "en/404.html"), "#custom"), ["Custom 404"]);
    // The site's static/ goes to the site root; theme assets stay under static/.
    assert_eq!(
        std::fs::read_to_string(root.join("public/extra.txt")).unwrap(),
        "hello"
    );
    assert!(!root.join("public/static/extra.txt").exists());
    assert!(root.join("public/static/technet.css").is_file());
    let ev = page(root, "en/contoso-mail/100/index.html");
    assert_eq!(texts(&ev, "#details"), ["Event Details"]);
    assert_eq!(texts(&ev, "#explanation"), ["Explanation"]);
}

#[test]
fn builtin_theme_is_used_when_the_site_has_no_themes_folder() {
    let dir = fixture("basic");
    assert!(!dir.path().join("themes").exists());
    build_ok(dir.path());
    // And the built-in copy is identical to the repository's theme folder.
    for (path, text) in eventref::render::theme::BUILTIN_TECHNET {
        let disk = std::fs::read_to_string(repo().join("themes/technet").join(path)).unwrap();
        assert_eq!(&disk, text, "{path}");
    }
    let on_disk: Vec<String> = walkdir::WalkDir::new(repo().join("themes/technet"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(repo().join("themes/technet"))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    for f in on_disk {
        assert!(
            eventref::render::theme::BUILTIN_TECHNET
                .iter()
                .any(|(p, _)| *p == f),
            "{f} is not compiled into the binary"
        );
    }
}

#[test]
fn template_errors_name_the_template_file_and_line() {
    let dir = basic_with_template(
        "event.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ event.title | nosuchfilter }}\n{% endblock content %}",
    );
    let root = dir.path();
    let f = build(root).unwrap_err();
    let d = f.diagnostics.iter().next().unwrap();
    assert_eq!(d.code, "template");
    let loc = d.location.as_ref().expect("location");
    assert_eq!(loc.file.to_string_lossy(), "templates/event.html");
    assert_eq!(loc.line, 3);
    assert!(!root.join("public").exists(), "nothing published");
}

/// The location of the first error of a build with a site `event.html`
/// whose content block is `body`.
fn event_template_error(root: &std::path::Path, body: &str) -> eventref::diagnostics::Location {
    let text = [
        "{% extends \"base.html\" %}",
        "{% block content %}",
        body,
        "{% endblock content %}",
    ]
    .join("\n");
    write_template(root, "event.html", &text);
    let f = build(root).unwrap_err();
    f.diagnostics
        .iter()
        .next()
        .unwrap()
        .location
        .clone()
        .expect("location")
}

/// Templates lose their lines' indentation before they compile (pages are
/// smaller); an error's column still points into the line as written.
#[test]
fn a_template_error_on_an_indented_line_has_the_column_as_written() {
    let dir = fixture("basic");
    let indented = event_template_error(dir.path(), "      <p>{{ event.title | nosuchfilter }}</p>");
    let flat = event_template_error(dir.path(), "<p>{{ event.title | nosuchfilter }}</p>");
    assert_eq!((indented.line, flat.line), (3, 3));
    assert_eq!(indented.column, flat.column + 6, "six spaces of indentation");
}

/// Each language renders with its UI strings written into the templates
/// (`{{ t.details }}` becomes `Details`); an error later on such a line
/// still has the column as written.
#[test]
fn a_template_error_after_a_ui_string_has_the_column_as_written() {
    let dir = fixture("basic");
    let after_ui = event_template_error(dir.path(), "<h2>{{ t.details }}</h2>{{ nosuch.thing }}");
    let same_width = event_template_error(dir.path(), "<h2>xxxxxxxxxxxxxxx</h2>{{ nosuch.thing }}");
    assert_eq!(after_ui.line, 3);
    assert_eq!(after_ui.column, same_width.column);
    assert!(after_ui.column > 24, "{}", after_ui.column);
}

/// The pages carry no template indentation but inside `pre` and `textarea`.
#[test]
fn pages_carry_no_template_indentation() {
    let dir = basic_with_template(
        "event.html",
        "{% extends \"base.html\" %}\n{% block content %}\n    <p id=\"a\">\n      {{ event.title }}\n    </p>\n    <pre id=\"b\">\n  kept\n    too</pre>\n{% endblock content %}",
    );
    let root = dir.path();
    build_ok(root);
    let html = std::fs::read_to_string(root.join("public/en/contoso-mail/100/index.html")).unwrap();
    assert!(
        html.contains("<p id=\"a\">\nContoso-Mail 100\n</p>\n<pre id=\"b\">\n  kept\n    too</pre>"),
        "{html}"
    );
    let doc = page(root, "en/contoso-mail/100/index.html");
    let pre: String = doc.select(&sel("#b")).next().unwrap().text().collect();
    assert_eq!(
        pre, "  kept\n    too",
        "the pre's text as written (a newline right after <pre> is not text)"
    );
    // The theme's own lines too: no line of the page starts with a space but in the pre.
    let indented: Vec<&str> = html.lines().filter(|l| l.starts_with([' ', '\t'])).collect();
    assert_eq!(indented, ["  kept", "    too</pre>"]);
}

#[test]
fn parameter_descriptions_are_inline_markdown() {
    let dir = site_with(&[(
        "a.yaml",
        "source: Foo\nid: 1\nmessage: Hello %1\nparameters:\n  \"%1\": \"The `user` who logged on <script>x()</script>\"\n",
    )]);
    build_ok(dir.path());
    let ev = page(dir.path(), "en/foo/1/index.html");
    // Backticks become code, not literal backticks; nothing unsafe passes.
    assert_eq!(texts(&ev, "table.parameters td code"), ["user"]);
    assert_eq!(
        texts(&ev, "table.parameters tbody tr td:nth-child(2)"),
        ["The user who logged on"]
    );
    assert!(ev.select(&sel("table.parameters script")).next().is_none());
}
