//! Localization: every page in every language, field-by-field fallback marked
//! with `lang`, notices, stale translations, overlay checks, `i18n status`,
//! UI strings, plurals, dates, RTL, hreflang, sitemap and the language switcher.

mod common;
use assert_cmd::Command;
use common::*;

fn built() -> tempfile::TempDir {
    let dir = fixture("i18n");
    build_ok(dir.path());
    dir
}

#[test]
fn every_language_gets_the_whole_site_with_lang_and_dir() {
    let dir = built();
    let root = dir.path();
    for (lang, dir_attr) in [("en", "ltr"), ("de", "ltr"), ("ar", "rtl"), ("ja", "ltr")] {
        for page_path in [
            "index.html",
            "events/index.html",
            "contoso/index.html",
            "contoso/1/index.html",
            "contoso/category/smtpsend/index.html",
            "404.html",
        ] {
            let doc = page(root, &format!("{lang}/{page_path}"));
            assert_eq!(attrs(&doc, "html", "lang"), [lang], "{lang}/{page_path}");
            assert_eq!(attrs(&doc, "html", "dir"), [dir_attr], "{lang}/{page_path}");
        }
    }
    // Chrome in the page's language.
    assert_eq!(
        texts(&page(root, "ja/contoso/1/index.html"), "#explanation"),
        ["説明"]
    );
    assert_eq!(
        texts(&page(root, "ar/contoso/1/index.html"), "#explanation"),
        ["الشرح"]
    );
    assert_eq!(texts(&page(root, "de/index.html"), "h1"), ["Ereignisreferenz"]);
}

#[test]
fn a_full_translation_shows_german_everywhere() {
    let dir = built();
    let doc = page(dir.path(), "de/contoso/1/index.html");
    assert_eq!(texts(&doc, "#explanation"), ["Erklärung"]);
    assert_eq!(
        texts(&doc, ".explanation"),
        ["Der Connector konnte keine Verbindung herstellen."]
    );
    assert_eq!(
        texts(&doc, "td.message"),
        ["Sendeconnector %1: Beim Verbinden mit %2 ist ein Fehler aufgetreten."]
    );
    assert_eq!(
        attrs(&doc, "td.message var.insert", "title"),
        ["Name des Sendeconnectors", "Remoteserver"]
    );
    assert_eq!(texts(&doc, "ul.steps li"), ["Überprüfen Sie das Netzwerk."]);
    assert_eq!(texts(&doc, "ul.links a"), ["Connector-Dokumentation"]);
    assert!(texts(&doc, ".notice").is_empty(), "{:?}", texts(&doc, ".notice"));
    // The category has a German display name too: nothing falls back.
    assert_eq!(
        texts(&doc, "table.details a[href$='/category/smtpsend/']"),
        ["SMTP-Senden"]
    );
    assert!(attrs(&doc, "article [lang]", "lang").is_empty());
    // Source and category pages use the translated category name; English keeps the original.
    assert_eq!(
        texts(&page(dir.path(), "de/contoso/index.html"), ".category-group h2"),
        ["SMTP-Senden", "Sonstige Ereignisse"]
    );
    assert_eq!(
        texts(&page(dir.path(), "de/contoso/category/smtpsend/index.html"), "h1"),
        ["SMTP-Senden"]
    );
    assert_eq!(
        texts(&page(dir.path(), "en/contoso/category/smtpsend/index.html"), "h1"),
        ["SmtpSend"]
    );
    // Without a translation the original name is marked as English.
    let ja = page(dir.path(), "ja/contoso/category/smtpsend/index.html");
    assert_eq!(attrs(&ja, "h1", "lang"), ["en"]);
}

#[test]
fn untranslated_fields_fall_back_with_lang_en_and_a_notice() {
    let dir = built();
    // Partly translated: message in German, explanation and parameters in English.
    let doc = page(dir.path(), "de/contoso/2/index.html");
    assert_eq!(texts(&doc, "td.message"), ["Der Dienst {Service} wurde beendet."]);
    assert!(attrs(&doc, "td.message", "lang").is_empty());
    assert_eq!(attrs(&doc, ".explanation", "lang"), ["en"]);
    assert_eq!(texts(&doc, ".explanation"), ["The service stopped unexpectedly."]);
    assert_eq!(attrs(&doc, "table.parameters tbody td[lang]", "lang"), ["en"]);
    assert_eq!(
        texts(&doc, ".notice-translation"),
        ["Teile dieses Artikels wurden noch nicht übersetzt und werden auf Englisch angezeigt."]
    );
    // Not translated at all.
    let doc = page(dir.path(), "de/contoso/4/index.html");
    assert_eq!(attrs(&doc, "td.message", "lang"), ["en"]);
    assert_eq!(attrs(&doc, ".explanation", "lang"), ["en"]);
    let notice = texts(&doc, ".notice-translation");
    assert_eq!(notice.len(), 1);
    assert!(
        notice[0].contains("noch nicht übersetzt") && notice[0].contains("Englisch"),
        "{notice:?}"
    );
    // The default language never shows notices or lang overrides.
    let doc = page(dir.path(), "en/contoso/4/index.html");
    assert!(texts(&doc, ".notice").is_empty());
    assert!(attrs(&doc, "article [lang]", "lang").is_empty());
    // Lists mark fallback messages too.
    let list = page(dir.path(), "de/events/index.html");
    // Only Contoso 4's message is untranslated.
    assert_eq!(attrs(&list, "tbody td[lang]", "lang"), ["en"]);
    assert_eq!(texts(&list, "tbody td[lang]"), ["Backup finished."]);
}

#[test]
fn a_stale_translation_is_shown_with_a_notice_offering_the_original() {
    let dir = built();
    let doc = page(dir.path(), "de/contoso/3/index.html");
    assert_eq!(
        texts(&doc, ".explanation"),
        ["Der Datenträger hat keinen freien Speicherplatz mehr."]
    );
    let stale = texts(&doc, "section[aria-labelledby=explanation] .notice-stale");
    assert_eq!(stale.len(), 1);
    assert!(stale[0].contains("seit der Übersetzung geändert"), "{stale:?}");
    assert_eq!(
        texts(&doc, ".notice-stale details [lang=en]"),
        ["The disk has no free space left. Free some space or extend the volume."]
    );
    // The message's translation is current: no notice there.
    assert!(texts(&doc, "td.message .notice-stale").is_empty());
}

#[test]
fn hreflang_sitemap_and_language_switcher() {
    let dir = built();
    let root = dir.path();
    let doc = page(root, "de/contoso/1/index.html");
    let alternates: Vec<(String, String)> = doc
        .select(&sel("link[rel=alternate][hreflang]"))
        .map(|e| {
            (
                e.value().attr("hreflang").unwrap().to_string(),
                e.value().attr("href").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        alternates,
        [
            (
                "en".to_string(),
                "https://i18n.example.org/en/contoso/1/".to_string()
            ),
            (
                "ar".to_string(),
                "https://i18n.example.org/ar/contoso/1/".to_string()
            ),
            (
                "de".to_string(),
                "https://i18n.example.org/de/contoso/1/".to_string()
            ),
            (
                "ja".to_string(),
                "https://i18n.example.org/ja/contoso/1/".to_string()
            ),
        ]
    );
    // The switcher leads to the same page in each language.
    assert_eq!(
        attrs(&doc, "nav.languages a", "href"),
        [
            "../../../en/contoso/1/",
            "../../../ar/contoso/1/",
            "../../../de/contoso/1/",
            "../../../ja/contoso/1/"
        ]
    );
    assert_eq!(attrs(&doc, "nav.languages a[aria-current]", "hreflang"), ["de"]);
    assert_eq!(attrs(&doc, "nav.languages a", "lang"), ["en", "ar", "de", "ja"]);
    for target in attrs(&doc, "nav.languages a", "href") {
        let path = root.join("public/de/contoso/1").join(&target).join("index.html");
        assert!(path.is_file(), "{target}");
    }
    let sitemap = std::fs::read_to_string(root.join("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://i18n.example.org/de/contoso/1/</loc>"));
    assert!(sitemap.contains(
        "<xhtml:link rel=\"alternate\" hreflang=\"ja\" href=\"https://i18n.example.org/ja/contoso/1/\"/>"
    ));
    // The root page redirects to the default language and knows the others.
    let index = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    assert!(index.contains("url=en/") && index.contains("\"de\""));
}

#[test]
fn plurals_and_dates_follow_the_locale() {
    let dir = built();
    let root = dir.path();
    assert_eq!(
        texts(&page(root, "en/index.html"), ".summary"),
        ["4 events · 1 event source"]
    );
    assert_eq!(
        texts(&page(root, "de/index.html"), ".summary"),
        ["4 Ereignisse · 1 Ereignisquelle"]
    );
    assert_eq!(
        texts(
            &page(root, "ar/contoso/category/smtpsend/index.html"),
            ".summary a"
        ),
        ["Contoso"]
    );
    assert!(
        texts(&page(root, "ar/contoso/category/smtpsend/index.html"), ".summary")[0].ends_with("حدث واحد")
    );
    assert_eq!(
        texts(&page(root, "ar/index.html"), ".summary")[0]
            .split(" · ")
            .next(),
        Some("4 أحداث")
    );
    assert_eq!(
        texts(&page(root, "ja/contoso/1/index.html"), ".last-modified time"),
        ["2020年1月2日"]
    );
    assert_eq!(
        texts(&page(root, "ar/contoso/1/index.html"), ".last-modified time"),
        ["2 يناير 2020"]
    );
    assert_eq!(
        texts(&page(root, "en/contoso/1/index.html"), ".last-modified time"),
        ["2020-01-02"]
    );
    assert_eq!(
        attrs(
            &page(root, "ja/contoso/1/index.html"),
            ".last-modified time",
            "datetime"
        ),
        ["2020-01-02"]
    );
}

fn with_overlay(overlay: &str) -> (tempfile::TempDir, eventref::diagnostics::Diagnostics) {
    let dir = fixture("i18n");
    std::fs::write(dir.path().join("content/none.de.yaml"), overlay).unwrap();
    let (_, d) = check(dir.path());
    (dir, d)
}

#[test]
fn translated_messages_must_keep_the_insertion_strings() {
    let dir = fixture("i18n");
    std::fs::write(
        dir.path().join("content/full.de.yaml"),
        "# x\nmessage: \"Sendeconnector %1: Fehler bei %3.\"\n",
    )
    .unwrap();
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let e = d
        .iter()
        .find(|d| d.code == "insert-mismatch")
        .expect("insert check");
    assert_eq!(e.message, "the translated message lacks %2 and adds %3");
    let loc = e.location.as_ref().unwrap();
    assert_eq!(
        (loc.file.to_string_lossy().as_ref(), loc.line, loc.column),
        ("content/full.de.yaml", 2, 10)
    );
    assert!(e.help.as_deref().unwrap().contains("%1, %2"));
    // Order may change.
    std::fs::write(
        dir.path().join("content/full.de.yaml"),
        "message: \"Bei %2 hat %1 versagt.\"\n",
    )
    .unwrap();
    assert!(check(dir.path()).0);
}

#[test]
fn overlays_may_not_change_identifying_fields_and_are_validated_like_records() {
    let (_, d) = with_overlay("message: \"Sicherung beendet.\"\nlevel: error\n");
    let e = d
        .iter()
        .find(|d| d.code == "overlay-identity")
        .expect("identity check");
    assert_eq!(e.location.as_ref().unwrap().line, 2);
    assert_eq!(e.location.as_ref().unwrap().column, 1);
    let (_, d) = with_overlay("message: \"x\"\nchannel: System\n");
    assert!(codes(&d).contains(&"overlay-field"));
    let (_, d) = with_overlay("explaination: \"x\"\n");
    let e = d.iter().find(|d| d.code == "unknown-field").unwrap();
    assert_eq!(e.help.as_deref(), Some("did you mean `explanation`?"));
    let (_, d) = with_overlay("parameters:\n  \"%9\": x\n");
    assert!(codes(&d).contains(&"overlay-parameter"));
    let dir = fixture("i18n");
    std::fs::write(dir.path().join("content/ghost.de.yaml"), "message: x\n").unwrap();
    let (ok, d) = check(dir.path());
    assert!(!ok && codes(&d).contains(&"overlay-orphan"));
}

#[test]
fn refresh_marks_translations_current() {
    let dir = fixture("i18n");
    let site = eventref::Site::load(dir.path()).unwrap();
    let st = eventref::i18n::status(&site.config, &site.content.events, Some("de"));
    assert_eq!(
        (st[0].translated, st[0].stale, st[0].partial, st[0].missing),
        (1, 1, 1, 1)
    );
    let changed = eventref::content::overlay::refresh(dir.path(), &site.content.events, Some("de")).unwrap();
    assert_eq!(changed, [std::path::PathBuf::from("content/stale.de.yaml")]);
    let site = eventref::Site::load(dir.path()).unwrap();
    let st = eventref::i18n::status(&site.config, &site.content.events, Some("de"));
    assert_eq!((st[0].translated, st[0].stale), (2, 0));
    // Refreshing again changes nothing, and the rest of the file is kept.
    assert!(
        eventref::content::overlay::refresh(dir.path(), &site.content.events, None)
            .unwrap()
            .is_empty()
    );
    let text = std::fs::read_to_string(dir.path().join("content/stale.de.yaml")).unwrap();
    assert!(text.starts_with("message: \"Datenträger %1 ist voll.\"\n"));
}

#[test]
fn i18n_status_command_human_json_and_strict() {
    let dir = fixture("i18n");
    let run = |args: &[&str]| {
        let o = Command::cargo_bin("eventref")
            .unwrap()
            .args(args)
            .arg("--root")
            .arg(dir.path())
            .output()
            .unwrap();
        (o.status.code().unwrap(), String::from_utf8(o.stdout).unwrap())
    };
    let (code, out) = run(&["i18n", "status", "--lang", "de"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("i18n_status_human", out);
    let (code, out) = run(&["i18n", "status", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let de = v.as_array().unwrap().iter().find(|l| l["lang"] == "de").unwrap();
    assert_eq!(
        (
            de["translated"].as_u64(),
            de["stale"].as_u64(),
            de["partial"].as_u64(),
            de["missing"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(de["items"][0]["state"], "stale");
    assert_eq!(de["items"][0]["stale_fields"][0], "explanation");
    assert_eq!(de["items"][0]["overlay"], "content/stale.de.yaml");
    let (code, _) = run(&["i18n", "status", "--strict"]);
    assert_eq!(code, 1, "a stale translation fails --strict");
    let (code, _) = run(&["i18n", "status", "--lang", "xx"]);
    assert_eq!(code, 2);
}

#[test]
fn missing_ui_strings_fall_back_with_a_warning_and_fail_strict() {
    let dir = fixture("i18n");
    let toml = std::fs::read_to_string(dir.path().join("site.toml")).unwrap()
        + "\n[languages.pl]\nname = \"Polski\"\n";
    std::fs::write(dir.path().join("site.toml"), toml).unwrap();
    std::fs::create_dir_all(dir.path().join("i18n")).unwrap();
    std::fs::write(
        dir.path().join("i18n/pl.yaml"),
        "events_count:\n  one: \"{count} zdarzenie\"\n  few: \"{count} zdarzenia\"\n  many: \"{count} zdarzeń\"\n",
    )
    .unwrap();
    let site = eventref::Site::load(dir.path()).unwrap();
    let d = site.check(false, None).unwrap();
    let w = d.iter().find(|d| d.code == "ui-string-missing").expect("warning");
    assert!(
        w.message.contains("for `pl`") && w.message.contains("explanation"),
        "{}",
        w.message
    );
    assert!(site.check(true, None).is_err(), "--strict turns it into an error");
    let r = site.build(&eventref::BuildOptions::default()).unwrap();
    assert!(r.diagnostics.warning_count() >= 1);
    // Polish plural forms are used; missing strings show in English.
    let doc = page(dir.path(), "pl/index.html");
    assert!(
        texts(&doc, ".summary")[0].starts_with("4 zdarzenia"),
        "{:?}",
        texts(&doc, ".summary")
    );
    assert_eq!(
        texts(&page(dir.path(), "pl/contoso/1/index.html"), "#explanation"),
        ["Explanation"]
    );
}

#[test]
fn refresh_refuses_an_untouched_new_overlay_and_status_counts_its_placeholders() {
    let dir = fixture("i18n");
    let root = dir.path();
    let site = eventref::Site::load(root).unwrap();
    let e = site
        .content
        .events
        .iter()
        .find(|e| e.translations.is_empty())
        .expect("an untranslated event");
    let (source, id) = (e.source.clone(), e.id);
    let mut c = assert_cmd::Command::cargo_bin("eventref").unwrap();
    c.current_dir(root)
        .args(["new", &source, &id.to_string(), "--lang", "de"])
        .assert()
        .success();
    // `refresh` refuses it (placeholders), and says where.
    let mut c = assert_cmd::Command::cargo_bin("eventref").unwrap();
    let out = c
        .current_dir(root)
        .args(["i18n", "refresh", "--lang", "de"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refresh-refused") && err.contains("placeholder"),
        "{err}"
    );
    // `status` never counts it as translated and counts its marks.
    let site = eventref::Site::load(root).unwrap();
    let st = eventref::i18n::status(&site.config, &site.content.events, Some("de"));
    assert!(st[0].placeholders >= 2, "{:?}", st[0].placeholders);
    let item = st[0]
        .items
        .iter()
        .find(|i| i.event == format!("{source} {id}"))
        .expect("listed");
    assert!(item.placeholders >= 2);
    // `check` warns, `check --strict` fails.
    let (ok, d) = check(root);
    assert!(ok && codes(&d).contains(&"placeholder"), "{:?}", codes(&d));
    let site = eventref::Site::load(root).unwrap();
    assert!(site.check(true, None).is_err());
    // --force marks it anyway.
    let (changed, refused) =
        eventref::content::overlay::refresh_with(root, &site.content.events, Some("de"), true).unwrap();
    assert!(refused.is_empty() && !changed.is_empty());
}

#[test]
fn refresh_refuses_text_identical_to_the_original() {
    let dir = fixture("i18n");
    let root = dir.path();
    let site = eventref::Site::load(root).unwrap();
    let e = site
        .content
        .events
        .iter()
        .find(|e| e.translations.is_empty())
        .expect("an untranslated event");
    let overlay = eventref::content::overlay::overlay_path_for(&e.file, "de");
    std::fs::write(root.join(&overlay), format!("message: {:?}\n", e.message)).unwrap();
    let site = eventref::Site::load(root).unwrap();
    let (changed, refused) =
        eventref::content::overlay::refresh_with(root, &site.content.events, Some("de"), false).unwrap();
    assert!(!changed.contains(&overlay), "{changed:?}");
    assert!(
        refused
            .iter()
            .any(|d| d.message.contains("`message` is the same text as the original")),
        "{refused:?}"
    );
}

#[test]
fn a_field_typo_in_the_record_raises_no_overlay_orphan() {
    let dir = fixture("i18n");
    let root = dir.path();
    let site = eventref::Site::load(root).unwrap();
    let e = site
        .content
        .events
        .iter()
        .find(|e| !e.translations.is_empty())
        .expect("a translated event");
    let file = root.join(&e.file);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}explaination: typo\n")).unwrap();
    let (ok, d) = check(root);
    assert!(!ok);
    assert!(codes(&d).contains(&"unknown-field"), "{:?}", codes(&d));
    assert!(!codes(&d).contains(&"overlay-orphan"), "{:?}", codes(&d));
}

/// Issue 14: text shown in another language than the page's carries that
/// language's direction, so an English fallback on an Arabic page keeps its
/// punctuation at the right end (and an Arabic language name on an English page
/// reads right to left).
#[test]
fn every_block_in_another_language_carries_its_direction() {
    let dir = built();
    let root = dir.path();
    let direction = |l: &str| if l == "ar" { "rtl" } else { "ltr" };
    let mut checked = 0;
    let public = root.join("public");
    let mut stack = vec![public.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let rel = p
                .strip_prefix(&public)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let doc = page(root, &rel);
            let Some(page_lang) = attrs(&doc, "html", "lang").pop() else {
                continue;
            };
            for el in doc.select(&sel("body [lang]")) {
                let l = el.value().attr("lang").unwrap();
                if l == page_lang {
                    continue;
                }
                let d = el.value().attr("dir");
                assert!(
                    d == Some(direction(l)) || d == Some("auto"),
                    "{rel}: <{} lang=\"{l}\"> has dir {d:?}, expected \"{}\" or \"auto\"",
                    el.value().name(),
                    direction(l)
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} blocks in another language");
    // The example: the untranslated Contoso 3 on /ar/.
    let doc = page(root, "ar/contoso/3/index.html");
    assert_eq!(attrs(&doc, "td.message", "dir"), ["ltr"]);
    assert_eq!(attrs(&doc, "div.explanation", "dir"), ["ltr"]);
    assert_eq!(
        attrs(
            &page(root, "en/contoso/3/index.html"),
            "nav.languages a[lang='ar']",
            "dir"
        ),
        ["rtl"]
    );
}
