//! The live preview's incremental rebuild (`eventref serve` without the HTTP
//! part): after every kind of edit, the incrementally updated output must be
//! byte-identical to a fresh full build of the same files, and an edit to one
//! record must re-render only the pages that show it.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_same_tree, copy_dir, repo, tree};
use eventref::site::{Preview, PreviewOptions, Update};

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
    preview: Preview,
}

fn open(fixture: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&repo().join("tests/fixtures").join(fixture), &root);
    let out = dir.path().join("preview-out");
    let mut preview = Preview::open(
        &root,
        PreviewOptions {
            output: out.clone(),
            base_url: None,
            search: false,
            strict: false,
        },
    )
    .unwrap();
    let first = preview.build().unwrap();
    assert!(first.full);
    Fixture {
        _dir: dir,
        root,
        out,
        preview,
    }
}

impl Fixture {
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn edit(&self, rel: &str, from: &str, to: &str) -> PathBuf {
        let p = self.root.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        p
    }

    /// Update, then bring the search data up to date as `serve` does after
    /// the browser reloaded.
    fn update(&mut self, paths: &[PathBuf]) -> Update {
        let u = match self.preview.update(paths) {
            Ok(u) => u,
            Err(f) => panic!("update failed:\n{f}"),
        };
        if u.search_stale {
            let job = self.preview.index_job().expect("a job after a good build");
            job.run(&|| false).unwrap().expect("not superseded");
        }
        u
    }

    /// The preview's output equals a fresh full build of the same files.
    fn assert_matches_full_build(&self, what: &str) {
        let fresh = self.root.parent().unwrap().join("fresh");
        let _ = std::fs::remove_dir_all(&fresh);
        let site = eventref::Site::load(&self.root).unwrap();
        site.build(&eventref::BuildOptions {
            output: Some(fresh.clone()),
            search: false,
            ..Default::default()
        })
        .unwrap_or_else(|f| panic!("full build failed:\n{f}"));
        assert_same_tree(&self.out, &fresh, "preview", what);
    }
}

fn page(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap()
}

#[test]
fn an_explanation_edit_renders_only_that_event() {
    let mut f = open("i18n");
    let p = f.edit(
        "content/none.yaml",
        "The backup completed.",
        "The backup completed without errors.",
    );
    let u = f.update(&[p]);
    assert!(!u.full);
    // The event's page in each of the 4 languages, nothing else.
    assert_eq!(u.pages, 4, "{u:?}");
    assert!(page(&f.out, "de/contoso/4/index.html").contains("without errors"));
    f.assert_matches_full_build("an explanation edit");
}

#[test]
fn a_message_edit_updates_every_page_that_shows_the_message() {
    let mut f = open("i18n");
    // Make event 4 (not a neighbour of 2) list event 2 as related, so its page shows 2's message.
    let p = f.edit(
        "content/none.yaml",
        "explanation:",
        "related: [Contoso/2]\nexplanation:",
    );
    let u = f.update(&[p]);
    assert!(!u.full);
    f.assert_matches_full_build("adding a related event");

    let p = f.edit(
        "content/partial.yaml",
        "The service {Service} stopped.",
        "The service {Service} stopped suddenly.",
    );
    let u = f.update(&[p]);
    assert!(!u.full);
    assert!(
        u.pages > 4,
        "neighbours, related, source and listing pages: {u:?}"
    );
    assert!(page(&f.out, "en/contoso/4/index.html").contains("stopped suddenly"));
    assert!(page(&f.out, "en/events/index.html").contains("stopped suddenly"));
    f.assert_matches_full_build("a message edit");
}

#[test]
fn level_category_date_and_translation_edits_match_a_full_build() {
    let mut f = open("i18n");
    let edits: [(&str, &str, &str); 5] = [
        ("content/stale.yaml", "id: 3\n", "id: 3\nlevel: error\n"),
        ("content/full.yaml", "category: SmtpSend", "category: SmtpReceive"),
        (
            "content/partial.yaml",
            "last_modified: 2021-12-24",
            "last_modified: 2022-01-01",
        ),
        (
            "content/full.de.yaml",
            "Fehler aufgetreten",
            "Fehler aufgetreten (geändert)",
        ),
        (
            "content/full.de.yaml",
            "category: \"SMTP-Senden\"",
            "category: \"SMTP senden\"",
        ),
    ];
    for (file, from, to) in edits {
        let p = f.edit(file, from, to);
        f.update(&[p]);
        f.assert_matches_full_build(&format!("editing {file}: {to}"));
    }
}

#[test]
fn adding_and_removing_events_rebuilds_everything() {
    let mut f = open("i18n");
    let p = f.write(
        "content/more/5.yaml",
        "source: Fabrikam\nid: 5\nmessage: \"Fabrikam started.\"\n",
    );
    let u = f.update(std::slice::from_ref(&p));
    assert!(u.full);
    assert!(f.out.join("en/fabrikam/5/index.html").is_file());
    f.assert_matches_full_build("adding an event");
    std::fs::remove_file(&p).unwrap();
    let u = f.update(&[p]);
    assert!(u.full);
    assert!(!f.out.join("en/fabrikam/5/index.html").exists());
    assert!(!f.out.join("en/fabrikam").exists(), "empty folders are removed");
    f.assert_matches_full_build("removing an event");
}

#[test]
fn errors_leave_the_published_site_and_the_next_good_save_recovers() {
    let mut f = open("i18n");
    let before = tree(&f.out);
    let p = f.edit("content/none.yaml", "explanation:", "explantion:");
    let err = f.preview.update(std::slice::from_ref(&p)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("none.yaml"), "{text}");
    assert!(text.contains("explanation"), "did you mean: {text}");
    assert_eq!(tree(&f.out), before, "a failed update writes nothing");
    let p = f.edit("content/none.yaml", "explantion:", "explanation:");
    f.update(&[p]);
    assert_eq!(tree(&f.out), before);
    f.assert_matches_full_build("recovering from an error");
}

#[test]
fn theme_and_config_changes_rebuild_everything() {
    let mut f = open("i18n");
    let p = f.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost here</h1>{% endblock content %}",
    );
    let u = f.update(std::slice::from_ref(&p));
    assert!(u.full);
    assert!(page(&f.out, "en/404.html").contains("Lost here"));
    f.assert_matches_full_build("adding a template override");

    // A template error is reported with its file and the site stays as it was.
    let before = tree(&f.out);
    let p = f.write(
        "templates/404.html",
        "{% block content %}{{ oops( }}{% endblock content %}",
    );
    let err = f.preview.update(std::slice::from_ref(&p)).unwrap_err();
    assert!(err.to_string().contains("404.html"), "{err}");
    assert_eq!(tree(&f.out), before);
    std::fs::remove_file(&p).unwrap();
    assert!(f.update(&[p]).full);
    f.assert_matches_full_build("removing the override");

    let p = f.edit(
        "site.toml",
        "title = \"Event Reference\"",
        "title = \"Renamed Reference\"",
    );
    let u = f.update(&[p]);
    assert!(u.full);
    assert!(page(&f.out, "en/index.html").contains("Renamed Reference"));
    f.assert_matches_full_build("a site.toml edit");
}

#[test]
fn search_data_is_refreshed_by_the_index_job_only() {
    let mut f = open("i18n");
    let p = f.edit(
        "content/none.yaml",
        "Backup finished.",
        "Backup finished at last.",
    );
    let u = f.preview.update(&[p]).unwrap();
    assert!(u.search_stale, "a message edit makes the lookup tables stale");
    let shards = |out: &Path| {
        tree(&out.join("en/lookup"))
            .into_iter()
            .filter(|(_, b)| String::from_utf8_lossy(b).contains("Backup finished at last."))
            .count()
    };
    assert_eq!(shards(&f.out), 0, "the update itself leaves the search data");
    let job = f.preview.index_job().unwrap();
    assert!(
        job.run(&|| true).unwrap().is_none(),
        "a superseded job writes nothing"
    );
    assert_eq!(shards(&f.out), 0);
    let job = f.preview.index_job().unwrap();
    job.run(&|| false).unwrap().unwrap();
    assert!(shards(&f.out) > 0);
    f.assert_matches_full_build("the index job");
    // An explanation edit leaves the search data as it is.
    let p = f.edit(
        "content/none.yaml",
        "The backup completed.",
        "The backup is complete.",
    );
    assert!(!f.preview.update(&[p]).unwrap().search_stale);
}

#[test]
fn unrelated_paths_change_nothing() {
    let mut f = open("i18n");
    let before = tree(&f.out);
    let swap = f.write("content/.none.yaml.swp", "garbage");
    let notes = f.write("NOTES.md", "notes");
    let u = f.update(&[swap, notes, f.out.join("en/index.html")]);
    assert!(!u.full);
    assert_eq!(u.written, 0);
    assert_eq!(tree(&f.out), before);
}

#[test]
fn editor_temporary_files_do_not_force_a_full_rebuild() {
    let mut f = open("i18n");
    let p = f.edit(
        "content/none.yaml",
        "The backup completed.",
        "The backup completed today.",
    );
    // `sed -i` and some editors write a temporary file and rename it over the original.
    let gone = f.root.join("content/sedX1b2c3");
    let u = f.update(&[p, gone]);
    assert!(!u.full, "{u:?}");
    assert_eq!(u.pages, 4);
    f.assert_matches_full_build("an edit with a vanished temporary file");
    // A folder of records renamed away is noticed.
    std::fs::rename(f.root.join("content"), f.root.join("moved")).unwrap();
    std::fs::create_dir(f.root.join("content")).unwrap();
    let u = f.update(&[f.root.join("content")]);
    assert!(u.full);
    assert_eq!(u.events, 0);
}

/// Issue 15: a field typo in a translated record is the error the preview's
/// overlay shows first; its translation is not reported as an orphan too.
#[test]
fn a_typo_in_a_translated_record_is_the_first_error_without_an_orphan() {
    let mut f = open("i18n");
    let p = f.write(
        "content/full.yaml",
        &std::fs::read_to_string(f.root.join("content/full.yaml"))
            .unwrap()
            .replace("level: warning", "levle: warning"),
    );
    let Err(failure) = f.preview.update(&[p]) else {
        panic!("the typo fails the update")
    };
    let codes: Vec<&str> = failure.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes.first(), Some(&"unknown-field"), "{codes:?}");
    assert!(!codes.contains(&"overlay-orphan"), "{codes:?}");
    let p = f.edit("content/full.yaml", "levle:", "level:");
    f.update(&[p]);
}

/// The files rendered after `edit` changed event `Contoso 4` in memory.
fn rendered_after(edit: impl Fn(&mut eventref::content::Event)) -> Vec<String> {
    common::rendered_after(&repo().join("tests/fixtures/i18n"), 4, edit)
}

#[test]
fn the_export_of_every_event_is_rebuilt_only_when_what_it_shows_changed() {
    let export = |files: &[String]| files.iter().any(|f| f.ends_with("api/events.json"));
    // The explanation is not in the export: the 5 MB events.json of a large
    // site is not serialised again on every save of the prose.
    let files = rendered_after(|e| e.explanation = Some("Edited prose.".into()));
    assert!(
        files.iter().any(|f| f.ends_with("contoso/4/index.html")),
        "{files:?}"
    );
    assert!(!export(&files), "{files:?}");
    // The message, level and date are.
    let files = rendered_after(|e| e.message.push_str(" Edited."));
    assert!(export(&files), "{files:?}");
    let files = rendered_after(|e| e.level = Some(eventref::content::Level::Error));
    assert!(export(&files), "{files:?}");
    let files = rendered_after(|e| e.last_modified = Some("2030-01-01".into()));
    assert!(export(&files), "{files:?}");
}

/// Whether the lookup tables must be rebuilt after `edit` changed event `Contoso 4`.
fn lookups_after(edit: impl Fn(&mut eventref::content::Event)) -> bool {
    let site = eventref::Site::load(&repo().join("tests/fixtures/i18n")).unwrap();
    let mut content = site.content.clone();
    let i = content.events.iter().position(|e| e.id == 4).unwrap();
    let old = vec![content.events[i].clone()];
    edit(&mut content.events[i]);
    eventref::render::Selection::for_edits(&old, &content).lookup()
}

#[test]
fn the_lookup_tables_are_stale_after_any_edit_of_what_they_read() {
    assert!(!lookups_after(|e| e.explanation = Some("Edited prose.".into())));
    assert!(lookups_after(|e| e.message.push_str(" Edited.")));
    // An older version's template is matched by the lookup too.
    assert!(lookups_after(|e| e.versions.push(
        eventref::content::versions::Version {
            version: 9,
            message: Some("An older text.".into()),
            fields: None,
            products: Vec::new(),
            changes: None,
        }
    )));
}
