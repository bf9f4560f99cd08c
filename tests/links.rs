//! Links in record prose (issue 15): Markdown links in `explanation` and
//! `user_action` are resolved like `related`, the `event:Source/ID`
//! shorthand renders to the right page in every language and under any base
//! path, and a link that leads nowhere is an error with file, line, column and
//! a did-you-mean.

mod common;
use common::*;

const TARGET: &str = "source: Contoso-Backup\nid: 1009\nmessage: Job done.\ncategory: Jobs\n";

fn broken(d: &eventref::diagnostics::Diagnostics) -> Vec<&eventref::diagnostics::Diagnostic> {
    d.iter().filter(|d| d.code == "broken-link").collect()
}

#[test]
fn broken_links_in_prose_are_errors_with_place_and_hint() {
    let record = "source: Contoso-Backup\n\
                  id: 1000\n\
                  message: Job failed.\n\
                  explanation: |\n\
                  \x20 See [the next event](event:Contoso-Backup/1099) and\n\
                  \x20 [the source](source:Contoso-Bakup).\n\
                  user_action:\n\
                  \x20 intro: Do this\n\
                  \x20 steps:\n\
                  \x20   - Read [1099](../1099/) first.\n\
                  \x20   - Then [the jobs](../category/jbos/), [all events](../../events/), [ok](event:Contoso-Backup/1009).\n";
    let dir = site_with(&[("backup/1000.yaml", record), ("backup/1009.yaml", TARGET)]);
    let (ok, d) = check(dir.path());
    assert!(!ok, "{:?}", codes(&d));
    let b = broken(&d);
    let at: Vec<(u32, u32, Option<&str>)> = b
        .iter()
        .map(|d| {
            let l = d.location.as_ref().unwrap();
            (l.line, l.column, d.help.as_deref())
        })
        .collect();
    assert_eq!(b.len(), 4, "{at:?}");
    // Each points at its destination: line and column in the file.
    let lines: Vec<&str> = record.lines().collect();
    let place = |line: u32, dest: &str| (line, lines[line as usize - 1].find(dest).unwrap() as u32 + 1);
    assert_eq!((at[0].0, at[0].1), place(5, "event:Contoso-Backup/1099"));
    assert_eq!(at[0].1, 24);
    assert!(
        at[0]
            .2
            .unwrap()
            .contains("did you mean `event:Contoso-Backup/1009`"),
        "{at:?}"
    );
    assert_eq!((at[1].0, at[1].1), place(6, "source:Contoso-Bakup"));
    assert!(
        at[1].2.unwrap().contains("did you mean `source:Contoso-Backup`"),
        "{at:?}"
    );
    assert_eq!((at[2].0, at[2].1), place(10, "../1099/"));
    assert!(at[2].2.unwrap().contains("did you mean `../1009/`"), "{at:?}");
    assert_eq!((at[3].0, at[3].1), place(11, "../category/jbos/"));
    assert!(
        at[3].2.unwrap().contains("did you mean `../category/jobs/`"),
        "{at:?}"
    );
    let l = b[2].location.as_ref().unwrap();
    assert_eq!(l.file, std::path::Path::new("content/backup/1000.yaml"));
    assert_eq!(l.source_line(), Some("    - Read [1099](../1099/) first."));
    assert!(b[2].message.contains("user_action"), "{}", b[2].message);
    // `build` refuses what `check` refuses.
    assert!(build(dir.path()).is_err());
}

#[test]
fn links_outside_the_site_are_errors() {
    let record = "source: A\nid: 1\nmessage: x\nexplanation: \"[up](../../../../x/) [f](ftp://example.org/) [w](https://example.org/) [m](mailto:a@example.org) [s](#explanation)\"\n";
    let (ok, d) = check(site_with(&[("a.yaml", record)]).path());
    assert!(!ok);
    let msgs: Vec<&str> = broken(&d).iter().map(|d| d.message.as_str()).collect();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("outside the site"), "{msgs:?}");
}

/// Resolve `href` (relative, as written in a page) from the page directory
/// `dir` (from the site root, ending in `/`).
fn resolve(dir: &str, href: &str) -> String {
    let mut segs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let (path, anchor) = href.split_once('#').map_or((href, ""), |(p, a)| (p, a));
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                segs.pop().expect("stays inside the site");
            }
            p => segs.push(p),
        }
    }
    let mut out = segs.join("/") + "/";
    if !anchor.is_empty() {
        out = format!("{out}#{anchor}");
    }
    out
}

#[test]
fn shorthand_renders_to_the_page_in_every_language_under_a_base_path() {
    let dir = site_with(&[
        (
            "backup/1000.yaml",
            "source: Contoso-Backup\nid: 1000\nmessage: Job failed.\n\
             explanation: See [the retry](event:Contoso-Backup/1009#user-action).\n\
             user_action:\n  steps:\n    - Open [the source](source:Contoso-Backup) or [jobs](category:Contoso-Backup/Jobs).\n",
        ),
        ("backup/1009.yaml", &format!("{TARGET}user_action: Retry.\n")),
        (
            "backup/1000.de.yaml",
            "explanation: Siehe [den Neuversuch](event:Contoso-Backup/1009).\n",
        ),
    ]);
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\nbase_url = \"https://example.org/docs/kb/\"\ndefault_language = \"en\"\n\
         [languages.en]\nname = \"English\"\n[languages.de]\nname = \"Deutsch\"\n",
    )
    .unwrap();
    build_ok(dir.path());
    for (lang, want) in [
        (
            "en",
            vec![
                "en/contoso-backup/1009/#user-action",
                "en/contoso-backup/",
                "en/contoso-backup/category/jobs/",
            ],
        ),
        ("de", vec!["de/contoso-backup/1009/"]),
    ] {
        let page_dir = format!("{lang}/contoso-backup/1000/");
        let doc = page(dir.path(), &format!("{page_dir}index.html"));
        let hrefs: Vec<String> = attrs(&doc, ".explanation a, .user-action a", "href")
            .into_iter()
            .filter(|h| !h.starts_with("http"))
            .collect();
        let got: Vec<String> = hrefs.iter().map(|h| resolve(&page_dir, h)).collect();
        for w in &want {
            assert!(
                got.contains(&w.to_string()),
                "{lang}: {w} not in {got:?} ({hrefs:?})"
            );
            let file = w.split('#').next().unwrap();
            assert!(
                dir.path().join("public").join(file).join("index.html").is_file(),
                "{file}"
            );
        }
        assert!(hrefs.iter().all(|h| !h.contains(':')), "{hrefs:?}");
    }
}

/// A live preview of the site at `root`, writing into a temporary folder
/// (returned too: the folder lives as long as it).
fn preview(root: &std::path::Path) -> (tempfile::TempDir, eventref::site::Preview) {
    let out = tempfile::tempdir().unwrap();
    let p = eventref::site::Preview::open(
        root,
        eventref::site::PreviewOptions {
            output: out.path().join("site"),
            base_url: None,
            search: false,
            strict: false,
        },
    )
    .unwrap();
    (out, p)
}

#[test]
fn a_link_broken_by_an_edit_shows_in_the_preview() {
    let dir = site_with(&[
        (
            "backup/1000.yaml",
            "source: Contoso-Backup\nid: 1000\nmessage: Job failed.\nexplanation: See [it](event:Contoso-Backup/1009).\n",
        ),
        ("backup/1009.yaml", TARGET),
    ]);
    let (_out, mut p) = preview(dir.path());
    p.build().unwrap();
    let file = dir.path().join("content/backup/1000.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("1009)", "1099)")).unwrap();
    let Err(f) = p.update(&[file]) else {
        panic!("the edit breaks a link")
    };
    let b = broken(&f.diagnostics);
    assert_eq!(b.len(), 1, "{:?}", codes(&f.diagnostics));
    let l = b[0].location.as_ref().unwrap();
    assert_eq!(l.line, 4);
    assert_eq!(
        l.source_line(),
        Some("explanation: See [it](event:Contoso-Backup/1099).")
    );
}

#[test]
fn links_in_translations_are_checked_too() {
    let dir = site_with(&[
        (
            "backup/1000.yaml",
            "source: Contoso-Backup\nid: 1000\nmessage: Job failed.\nexplanation: See [it](event:Contoso-Backup/1009).\n",
        ),
        ("backup/1009.yaml", TARGET),
        (
            "backup/1000.de.yaml",
            "explanation: |\n  Siehe [den Neuversuch](event:Contoso-Backup/1099).\n",
        ),
    ]);
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\ndefault_language = \"en\"\n[languages.en]\nname = \"English\"\n[languages.de]\nname = \"Deutsch\"\n",
    )
    .unwrap();
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let b = broken(&d);
    assert_eq!(b.len(), 1, "{:?}", codes(&d));
    let l = b[0].location.as_ref().unwrap();
    assert_eq!(l.file, std::path::Path::new("content/backup/1000.de.yaml"));
    assert_eq!((l.line, l.column), (2, 26));
    assert!(
        b[0].help
            .as_deref()
            .unwrap()
            .contains("event:Contoso-Backup/1009")
    );
}

/// `links:` entries that are site paths or relative paths lead to pages that
/// exist, checked like links in the prose, and reported at the entry's URL.
#[test]
fn site_paths_in_links_are_resolved_like_prose_links() {
    let record = "source: Contoso-Backup\n\
                  id: 1000\n\
                  message: Job failed.\n\
                  links:\n\
                  \x20 - { title: Retry, url: \"/en/contoso-backup/1099/\" }\n\
                  \x20 - title: Jobs\n\
                  \x20   url: ../category/jbos/\n\
                  \x20 - { title: Fine, url: \"../1009/\" }\n\
                  \x20 - { title: Also fine, url: \"/en/contoso-backup/category/jobs/\" }\n";
    let dir = site_with(&[("backup/1000.yaml", record), ("backup/1009.yaml", TARGET)]);
    let (ok, d) = check(dir.path());
    assert!(!ok, "{:?}", codes(&d));
    assert_eq!(
        codes(&d),
        ["broken-link", "broken-link"],
        "relative paths are allowed"
    );
    let lines: Vec<&str> = record.lines().collect();
    let place = |line: u32, dest: &str| (line, lines[line as usize - 1].find(dest).unwrap() as u32 + 1);
    let b = broken(&d);
    let l = b[0].location.as_ref().unwrap();
    assert_eq!((l.line, l.column), place(5, "/en/contoso-backup/1099/"));
    assert!(b[0].message.contains("links"), "{}", b[0].message);
    assert!(
        b[0].help
            .as_deref()
            .unwrap()
            .contains("did you mean `/en/contoso-backup/1009/`"),
        "{:?}",
        b[0].help
    );
    assert!(
        !b[0].help.as_deref().unwrap().contains("event:Source/ID"),
        "`links:` takes no shorthand"
    );
    let l = b[1].location.as_ref().unwrap();
    assert_eq!((l.line, l.column), place(7, "../category/jbos/"));
    assert!(
        b[1].help
            .as_deref()
            .unwrap()
            .contains("did you mean `../category/jobs/`"),
        "{:?}",
        b[1].help
    );
    assert!(build(dir.path()).is_err());
}

/// The first lines of the record that links.
const HEAD_1000: &str = "source: Contoso-Backup\nid: 1000\nmessage: Job failed.\n";

/// A target with an explanation and a data field, but no user action.
const TARGET_WITH_TEXT: &str = "source: Contoso-Backup\nid: 1009\nmessage: \"Job %1 done.\"\ncategory: Jobs\n\
     fields:\n  - { name: JobName, type: \"win:UnicodeString\" }\n\
     explanation: The job is done.\n";

fn two_languages(dir: &std::path::Path) {
    std::fs::write(
        dir.join("site.toml"),
        "title = \"T\"\ndefault_language = \"en\"\n[languages.en]\nname = \"English\"\n[languages.de]\nname = \"Deutsch\"\n",
    )
    .unwrap();
}

/// `#anchors` are checked against the ids the target page really has (as
/// rendered by the theme, with the sections the record has), in shorthand,
/// relative and site-path links, bare `#anchors`, `links:` and translations.
#[test]
fn anchors_are_checked_against_the_rendered_page() {
    let record = &format!(
        "{HEAD_1000}explanation: |\n\
                  \x20 [a](event:Contoso-Backup/1009#user-action) [b](event:Contoso-Backup/1009#explanaton)\n\
                  \x20 [c](../1009/#explanation) [d](/de/contoso-backup/1009/#field-JobName) [e](#user-acton)\n\
                  \x20 [f](source:Contoso-Backup#nope) [g](#top) [h](#user-action) [i](category:Contoso-Backup/Jobs#main)\n\
                  user_action: Retry.\n\
                  links:\n\
                  \x20 - {{ title: T, url: \"../1009/#detials\" }}\n"
    );
    let overlay = "explanation: |\n  [x](event:Contoso-Backup/1009#explanation) [y](event:Contoso-Backup/1009#erklaerung)\n";
    let dir = site_with(&[
        ("backup/1000.yaml", record),
        ("backup/1009.yaml", TARGET_WITH_TEXT),
        ("backup/1000.de.yaml", overlay),
    ]);
    two_languages(dir.path());
    let (ok, d) = check(dir.path());
    assert!(!ok, "{:?}", codes(&d));
    let b = broken(&d);
    let mut got: Vec<(String, u32, u32, String)> = b
        .iter()
        .map(|d| {
            let l = d.location.as_ref().unwrap();
            (
                l.file.display().to_string(),
                l.line,
                l.column,
                d.help.clone().unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(b.len(), 6, "{got:#?}");
    let lines: Vec<&str> = record.lines().collect();
    let col = |line: usize, dest: &str| lines[line - 1].find(dest).unwrap() as u32 + 1;
    let rec = "content/backup/1000.yaml";
    let de_col = overlay
        .lines()
        .nth(1)
        .unwrap()
        .find("event:Contoso-Backup/1009#erklaerung")
        .unwrap() as u32
        + 1;
    let expect = [
        ("content/backup/1000.de.yaml", 2, de_col, None),
        (rec, 5, col(5, "event:Contoso-Backup/1009#user-action"), None),
        (
            rec,
            5,
            col(5, "event:Contoso-Backup/1009#explanaton"),
            Some("did you mean `event:Contoso-Backup/1009#explanation`?"),
        ),
        (
            rec,
            6,
            col(6, "#user-acton"),
            Some("did you mean `#user-action`?"),
        ),
        (rec, 7, col(7, "source:Contoso-Backup#nope"), None),
        (
            rec,
            10,
            col(10, "../1009/#detials"),
            Some("did you mean `../1009/#details`?"),
        ),
    ];
    for (i, (file, line, column, help)) in expect.iter().enumerate() {
        let (f, l, c, h) = &got[i];
        assert_eq!((f.as_str(), *l, *c), (*file, *line, *column), "{i}: {got:#?}");
        if let Some(help) = help {
            assert!(h.contains(help), "{i}: {h}");
        }
    }
    // With nothing near, the hint lists the page's anchors.
    assert!(
        got[1].3.contains("#explanation") && got[1].3.contains("#details"),
        "{}",
        got[1].3
    );
    assert!(
        b.iter().any(|d| d.message.contains("#user-action")),
        "{:?}",
        b.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    // `build` refuses what `check` refuses, and publishes nothing.
    let Err(f) = build(dir.path()) else {
        panic!("build fails")
    };
    assert_eq!(broken(&f.diagnostics).len(), 6);
    assert!(!dir.path().join("public/en/index.html").exists());
}

/// A custom theme's own ids are the anchors: no false errors for ids the
/// built-in theme lacks, and the built-in ids are errors when the custom
/// template drops them.
#[test]
fn anchors_follow_a_custom_template() {
    let record = "source: Contoso-Backup\nid: 1000\nmessage: Job failed.\n\
                  explanation: \"[a](event:Contoso-Backup/1009#why) [b](event:Contoso-Backup/1009#explanation)\"\n";
    let dir = site_with(&[
        ("backup/1000.yaml", record),
        ("backup/1009.yaml", TARGET_WITH_TEXT),
    ]);
    let t = dir.path().join("templates");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("event.html"),
        "<!doctype html><title>{{ event.title }}</title>\n<h2 id=\"why\">Why</h2>\n\
         <script>var s = '<a id=\"explanation\">';</script><!-- <p id=\"explanation\"> -->\n\
         {% if event.explanation_html %}{{ event.explanation_html | safe }}{% endif %}\n",
    )
    .unwrap();
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let b = broken(&d);
    assert_eq!(b.len(), 1, "{:?}", codes(&d));
    assert!(b[0].message.contains("#explanation"), "{}", b[0].message);
}

/// The site's own static files (published at the site root) are pages too,
/// and their anchors are checked in their HTML.
#[test]
fn site_paths_lead_to_the_sites_own_files() {
    let record = format!(
        "{HEAD_1000}explanation: \"[a](/guide/#setup) [b](/guide/#setpu) [c](/gide/) [d](/guide/index.html)\"\n\
         links:\n  - {{ title: Guide, url: \"/guide/\" }}\n  - {{ title: PDF, url: \"../../../files/guide.pdf\" }}\n"
    );
    let dir = site_with(&[("backup/1000.yaml", &record)]);
    std::fs::create_dir_all(dir.path().join("static/guide")).unwrap();
    std::fs::create_dir_all(dir.path().join("static/files")).unwrap();
    std::fs::write(
        dir.path().join("static/guide/index.html"),
        "<!doctype html><h2 id=\"setup\">Setup</h2>\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("static/files/guide.pdf"), "%PDF").unwrap();
    // The one broken link `check` finds: its message and its hint.
    let only_broken = || -> (String, String) {
        let (ok, d) = check(dir.path());
        let b = broken(&d);
        assert!(!ok && b.len() == 1, "{:?}", codes(&d));
        (b[0].message.clone(), b[0].help.clone().unwrap_or_default())
    };
    let (message, help) = only_broken();
    assert!(message.contains("`/gide/`"), "{message}");
    assert!(help.contains("did you mean `/guide/`?"), "{help}");
    // Anchors are checked on the rendered pages, once the rest is fine.
    let file = dir.path().join("content/backup/1000.yaml");
    std::fs::write(&file, record.replace("(/gide/)", "(/guide/)")).unwrap();
    let (message, help) = only_broken();
    assert!(message.contains("`/guide/#setpu`"), "{message}");
    assert!(help.contains("did you mean `/guide/#setup`?"), "{help}");
}

/// The live preview checks anchors when it renders the whole site: at start.
#[test]
fn the_preview_checks_anchors_when_it_renders_everything() {
    let dir = site_with(&[
        (
            "backup/1000.yaml",
            &format!("{HEAD_1000}explanation: See [it](event:Contoso-Backup/1009#user-action).\n"),
        ),
        ("backup/1009.yaml", TARGET),
    ]);
    let (_out, mut p) = preview(dir.path());
    let Err(f) = p.build() else {
        panic!("the anchor is missing")
    };
    let b = broken(&f.diagnostics);
    assert_eq!(b.len(), 1, "{:?}", codes(&f.diagnostics));
    assert!(b[0].message.contains("#user-action"), "{}", b[0].message);
}
