//! Validation: every rule of `eventref check`, each with file, line, column and a fix hint.

mod common;
use common::*;
use eventref::diagnostics::Severity;

/// Check a one-record site and return its single diagnostic of `code`.
fn one(record: &str, code: &str) -> eventref::diagnostics::Diagnostic {
    let dir = site_with(&[("a.yaml", record)]);
    let (_, d) = check(dir.path());
    d.iter()
        .find(|d| d.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("no `{code}` diagnostic; got {:?}", codes(&d)))
}

fn line_col(d: &eventref::diagnostics::Diagnostic) -> (u32, u32) {
    let l = d.location.as_ref().expect("has a location");
    (l.line, l.column)
}

#[test]
fn a_valid_minimal_record_passes() {
    let dir = site_with(&[("a.yaml", "source: Foo\nid: 1\nmessage: Hello\n")]);
    let (ok, d) = check(dir.path());
    // Only the note that a site without base_url gets no sitemap.
    assert!(ok && codes(&d) == ["no-base-url"], "{:?}", codes(&d));
}

#[test]
fn unknown_field_suggests_the_right_one() {
    let d = one(
        "source: Foo\nid: 1\nmessage: x\nexplaination: y\n",
        "unknown-field",
    );
    assert_eq!(line_col(&d), (4, 1));
    assert_eq!(d.help.as_deref(), Some("did you mean `explanation`?"));
    assert_eq!(
        d.location.as_ref().unwrap().source_line(),
        Some("explaination: y")
    );
    assert_eq!(
        d.location.as_ref().unwrap().file.to_string_lossy(),
        "content/a.yaml"
    );
}

#[test]
fn unknown_field_in_user_action_is_reported() {
    let d = one(
        "source: Foo\nid: 1\nmessage: x\nuser_action:\n  intro: a\n  stepz: [b]\n",
        "unknown-field",
    );
    assert!(d.message.contains("stepz"), "{}", d.message);
    assert_eq!(d.help.as_deref(), Some("did you mean `steps`?"));
}

#[test]
fn missing_required_fields() {
    let d = one("source: Foo\nid: 1\n", "missing-field");
    assert!(d.message.contains("message"), "{}", d.message);
    assert!(d.help.is_some());
}

#[test]
fn ill_typed_fields() {
    let d = one("source: Foo\nid: abc\nmessage: x\n", "invalid-type");
    assert_eq!(line_col(&d).0, 2);
    let d = one("source: Foo\nid: 1\nmessage: x\nrelated: Foo/2\n", "invalid-type");
    assert_eq!(line_col(&d).0, 4);
}

#[test]
fn id_out_of_range_explains_32_bit_ids() {
    let d = one("source: Foo\nid: 3221226487\nmessage: x\n", "id-out-of-range");
    assert_eq!(line_col(&d), (2, 5));
    assert!(d.help.as_deref().unwrap().contains("1015"), "{:?}", d.help);
    assert!(
        d.help.as_deref().unwrap().contains("severity bits set (error)"),
        "{:?}",
        d.help
    );
    // 70000 = 0x00011170: no severity bits are set, so the hint must not claim any.
    let d = one("source: Foo\nid: 70000\nmessage: x\n", "id-out-of-range");
    let help = d.help.as_deref().unwrap();
    assert!(
        help.contains("no severity bits set") && help.contains("4464"),
        "{help}"
    );
    assert!(!help.contains("with severity bits"), "{help}");
    let d = one("source: Foo\nid: -1\nmessage: x\n", "id-out-of-range");
    assert!(d.help.is_some());
}

#[test]
fn invalid_level_suggests() {
    let d = one(
        "source: Foo\nid: 1\nmessage: x\nlevel: warnign\n",
        "invalid-level",
    );
    assert_eq!(line_col(&d), (4, 8));
    assert_eq!(d.help.as_deref(), Some("did you mean `warning`?"));
}

#[test]
fn duplicate_events_name_both_files() {
    let dir = site_with(&[
        ("a.yaml", "source: Foo\nid: 1\nmessage: x\n"),
        ("sub/b.yaml", "source: Foo\nid: 1\nmessage: y\n"),
    ]);
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let dup = d
        .iter()
        .find(|d| d.code == "duplicate-event")
        .expect("duplicate reported");
    assert_eq!(
        dup.location.as_ref().unwrap().file.to_string_lossy(),
        "content/sub/b.yaml"
    );
    assert_eq!(line_col(dup), (2, 5));
    // Both places show their line.
    assert_eq!(dup.location.as_ref().unwrap().source_line(), Some("id: 1"));
    let note = dup.notes[0].location.as_ref().unwrap();
    assert_eq!(note.file.to_string_lossy(), "content/a.yaml");
    assert_eq!(note.source_line(), Some("id: 1"));
    let json = d.render(eventref::diagnostics::Format::Json, false);
    assert!(
        json.contains("content/a.yaml") && json.contains("content/sub/b.yaml"),
        "{json}"
    );
}

#[test]
fn duplicates_are_found_even_when_a_record_has_other_errors() {
    let dir = site_with(&[
        ("a.yaml", "source: Foo\nid: 1\nmessage: x\nlevel: nope\n"),
        ("b.yaml", "source: Foo\nid: 1\nmessage: y\n"),
    ]);
    let (_, d) = check(dir.path());
    let c = codes(&d);
    assert!(
        c.contains(&"invalid-level") && c.contains(&"duplicate-event"),
        "{c:?}"
    );
}

#[test]
fn a_snippet_read_again_for_a_later_check_is_the_line_as_parsed() {
    // A byte-order mark is not part of the first line, whenever the file is read.
    let dir = site_with(&[(
        "a.yaml",
        "\u{feff}related: [Foo/9]\nsource: Foo\nid: 1\nmessage: x\n",
    )]);
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let dangling = d.iter().find(|d| d.code == "dangling-related").expect("reported");
    assert_eq!(line_col(dangling), (1, 11));
    assert_eq!(
        dangling.location.as_ref().unwrap().source_line(),
        Some("related: [Foo/9]")
    );
}

#[test]
fn dangling_related_references() {
    let dir = site_with(&[
        (
            "a.yaml",
            "source: Foo\nid: 1\nmessage: x\nrelated: [Foo/2, Bar/1, Foo/1]\n",
        ),
        (
            "b.yaml",
            "source: Foo\nid: 3\nmessage: y\nrelated: [\"nonsense\"]\n",
        ),
    ]);
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let dangling: Vec<_> = d.iter().filter(|d| d.code == "dangling-related").collect();
    assert_eq!(dangling.len(), 2);
    assert_eq!(line_col(dangling[0]), (4, 11));
    assert_eq!(
        dangling[0].location.as_ref().unwrap().source_line(),
        Some("related: [Foo/2, Bar/1, Foo/1]")
    );
    assert!(
        dangling[0]
            .help
            .as_deref()
            .unwrap()
            .contains("Foo has no event 2")
    );
    assert!(
        dangling[1]
            .help
            .as_deref()
            .unwrap()
            .contains("there is no source `Bar`")
    );
    assert!(codes(&d).contains(&"invalid-related"));
}

#[test]
fn related_references_match_sources_case_insensitively() {
    let dir = site_with(&[
        ("a.yaml", "source: Foo\nid: 1\nmessage: x\nrelated: [foo/2]\n"),
        ("b.yaml", "source: Foo\nid: 2\nmessage: y\n"),
    ]);
    let (ok, d) = check(dir.path());
    assert!(ok, "{:?}", codes(&d));
}

#[test]
fn colliding_source_slugs() {
    let dir = site_with(&[
        ("a.yaml", "source: Foo Bar\nid: 1\nmessage: x\n"),
        ("b.yaml", "source: foo-bar\nid: 2\nmessage: y\n"),
    ]);
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let c = d.iter().find(|d| d.code == "slug-collision").expect("collision");
    assert!(c.message.contains("/foo-bar/"), "{}", c.message);
    assert_eq!(line_col(c), (1, 9));
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let dir = site_with(&[]);
    std::fs::write(
        dir.path().join("content/a.yaml"),
        b"source: Foo\nid: 1\nmessage: \"caf\xE9\"\n",
    )
    .unwrap();
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let e = d.iter().find(|d| d.code == "invalid-utf8").unwrap();
    assert_eq!(line_col(e), (3, 14));
}

#[test]
fn yaml_syntax_errors_have_positions() {
    let d = one("source: Foo\nid: 1\nmessage: \"unterminated\n", "yaml-syntax");
    assert!(line_col(&d).0 >= 3);
}

#[test]
fn duplicate_keys_are_rejected() {
    let d = one("source: Foo\nid: 1\nmessage: x\nmessage: y\n", "duplicate-key");
    assert_eq!(line_col(&d).0, 4);
}

#[test]
fn yaml_1_1_traps_keep_the_text() {
    let dir = site_with(&[(
        "a.yaml",
        "source: Foo\nid: 1\nmessage: x\nproduct_version: 14.0\ncategory: no\nsymbolic_name: On\nchannel: yes\n",
    )]);
    let site = eventref::Site::load(dir.path()).unwrap();
    assert!(site.diagnostics.is_empty(), "{:?}", codes(&site.diagnostics));
    let e = &site.content.events[0];
    assert_eq!(e.product_version.as_deref(), Some("14.0"));
    assert_eq!(e.category.as_deref(), Some("no"));
    assert_eq!(e.symbolic_name.as_deref(), Some("On"));
    assert_eq!(e.channel.as_deref(), Some("yes"));
}

#[test]
fn unknown_parameters_are_warnings_with_suggestions() {
    let d = one(
        "source: Foo\nid: 1\nmessage: \"a %1 b\"\nparameters:\n  \"%2\": x\n",
        "unknown-parameter",
    );
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.help.as_deref(), Some("did you mean `%1`?"));
    assert_eq!(line_col(&d), (5, 3));
}

#[test]
fn invalid_dates_and_links() {
    let d = one(
        "source: Foo\nid: 1\nmessage: x\nlast_modified: 19.03.2011\n",
        "invalid-date",
    );
    assert!(d.help.as_deref().unwrap().contains("YYYY-MM-DD"));
    let d = one(
        "source: Foo\nid: 1\nmessage: x\nlinks:\n  - { title: t, url: \"javascript:alert(1)\" }\n",
        "invalid-link",
    );
    assert_eq!(line_col(&d).0, 5);
}

#[test]
fn every_problem_of_the_tree_is_reported_in_one_run() {
    let dir = fixture("invalid");
    let (ok, d) = check(dir.path());
    assert!(!ok);
    let mut c = codes(&d);
    c.sort();
    c.dedup();
    for expected in [
        "dangling-related",
        "duplicate-event",
        "id-out-of-range",
        "invalid-level",
        "missing-field",
        "slug-collision",
        "unknown-field",
        "unknown-parameter",
    ] {
        assert!(c.contains(&expected), "{expected} missing from {c:?}");
    }
    // Every content diagnostic has a position and a hint.
    for diag in d.iter() {
        let loc = diag
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no location", diag.code));
        assert!(loc.line > 0 && loc.column > 0, "{} has no line", diag.code);
        assert!(loc.source_line().is_some(), "{} shows no line", diag.code);
        assert!(diag.help.is_some(), "{} has no help", diag.code);
    }
}

#[test]
fn overlay_files_are_not_records() {
    let dir = site_with(&[
        ("2002.yaml", "source: Foo\nid: 2002\nmessage: x\n"),
        ("2002.de.yaml", "message: übersetzt\n"),
        ("notes.txt", "not yaml"),
    ]);
    let site = eventref::Site::load(dir.path()).unwrap();
    // German is not configured for this site: the overlay is reported, not published.
    assert_eq!(codes(&site.diagnostics), ["overlay-language"]);
    assert_eq!(site.content.events.len(), 1);
    assert_eq!(site.content.overlays.len(), 1);
    assert_eq!(site.content.overlays[0].lang, "de");
}

#[test]
fn config_errors_point_into_site_toml() {
    let dir = site_with(&[]);
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\nbase_ur = \"https://x\"\n",
    )
    .unwrap();
    let f = match eventref::Site::load(dir.path()) {
        Err(f) => f,
        Ok(_) => panic!("config should fail"),
    };
    assert_eq!(f.exit_code(), 2);
    let d = f.diagnostics.iter().next().unwrap();
    assert_eq!(d.location.as_ref().unwrap().line, 2);
    assert_eq!(d.help.as_deref(), Some("did you mean `base_url`?"));
}

#[test]
fn a_misspelled_related_source_gets_a_suggestion() {
    let dir = site_with(&[
        ("a.yaml", "source: Contoso-Backup\nid: 1\nmessage: x\n"),
        (
            "b.yaml",
            "source: Foo\nid: 2\nmessage: y\nrelated: [Contoso-Bakup/1]\n",
        ),
    ]);
    let (_, d) = check(dir.path());
    let d = d
        .iter()
        .find(|d| d.code == "dangling-related")
        .expect("dangling-related");
    assert_eq!(
        d.help.as_deref(),
        Some("there is no source `Contoso-Bakup`; did you mean `Contoso-Backup`?")
    );
}
