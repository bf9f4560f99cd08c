//! Authoring tools: `eventref new` (records and translations), the JSON
//! Schemas, and the guide in docs/authoring.md, whose every shell command is
//! run here against a copy of the flagship site.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn eventref(root: &Path) -> Command {
    let mut c = Command::cargo_bin("eventref").unwrap();
    c.current_dir(root).env("NO_COLOR", "1");
    c
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A copy of the flagship site (site.toml and content/).
fn flagship() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::repo().join("site.toml"), dir.path().join("site.toml")).unwrap();
    common::copy_dir(&common::repo().join("content"), &dir.path().join("content"));
    dir
}

fn guide() -> String {
    std::fs::read_to_string(common::repo().join("docs/authoring.md")).unwrap()
}

/// The commands of the guide: the lines starting with `eventref ` in its ```sh blocks.
fn documented_commands() -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in guide().lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if in_sh && t.starts_with("eventref ") {
            out.push(t.to_string());
        }
    }
    out
}

/// The guide's code block (of `lang`) that contains `needle`, without its fences.
fn guide_block(lang: &str, needle: &str) -> String {
    let text = guide();
    let mut block = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim_start();
        if !inside && t == format!("```{lang}") {
            inside = true;
            block.clear();
        } else if inside && t == "```" {
            let b = block.join("\n");
            if b.contains(needle) {
                return b;
            }
            inside = false;
        } else if inside {
            block.push(line.to_string());
        }
    }
    panic!("no ```{lang} block with {needle:?} in docs/authoring.md");
}

/// Split a command line into words (double quotes group words).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Runs command lines as the guide writes them, in a site, and remembers them.
struct Session {
    root: PathBuf,
    ran: BTreeSet<String>,
}

impl Session {
    /// Start a long-running command (`eventref serve`), wait until its stderr
    /// has a line containing `ready`, and stop it.
    fn start_and_stop(&mut self, line: &str, extra: &[&str], ready: &str) -> String {
        let w = words(line);
        self.ran.insert(line.to_string());
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_eventref"));
        cmd.args(&w[1..]).args(extra).current_dir(&self.root);
        let mut running = common::Running::start(cmd);
        running.wait_for(ready);
        running.log.clone()
    }

    fn run(&mut self, line: &str) -> assert_cmd::assert::Assert {
        let w = words(line);
        assert_eq!(w[0], "eventref", "{line}");
        self.ran.insert(line.to_string());
        eventref(&self.root).args(&w[1..]).assert()
    }

    fn ok(&mut self, line: &str) -> String {
        let a = self.run(line);
        let out = a.get_output();
        assert!(
            out.status.success(),
            "`{line}` failed ({:?}):\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&a)
    }
}

#[test]
fn every_command_of_the_guide_works() {
    let dir = flagship();
    let root = dir.path().to_path_buf();
    common::copy_dir(
        &common::repo().join("tests/fixtures/import/csv/W2022_21H2"),
        &root.join("W2022_21H2"),
    );
    std::fs::copy(
        common::repo().join("tests/fixtures/import/mc/contoso-backup.mc"),
        root.join("contoso-backup.mc"),
    )
    .unwrap();
    let mut s = Session {
        root: root.clone(),
        ran: BTreeSet::new(),
    };

    // A new event.
    let out = s.ok(
        "eventref new MSExchangeTransport 2003 --level warning --from-message \"Send connector %1: the remote server %2 refused the connection.\"",
    );
    assert_eq!(out, "content/exchange/msexchangetransport/2003.yaml\n");
    let record = read(&root, "content/exchange/msexchangetransport/2003.yaml");
    for line in guide_block("yaml", "written by `eventref new`").lines() {
        if line != "…" {
            assert!(
                record.lines().any(|l| l == line),
                "the guide shows {line:?}; the file is:\n{record}"
            );
        }
    }
    assert_eq!(
        s.ok("eventref new MSExchangeTransport 2004"),
        "content/exchange/msexchangetransport/2004.yaml\n"
    );
    assert!(
        read(&root, "content/exchange/msexchangetransport/2004.yaml")
            .contains(eventref::authoring::TODO_MESSAGE)
    );

    // Editor support.
    let out = s.ok("eventref schema --write");
    assert_eq!(out, "schemas/record.schema.json\nschemas/overlay.schema.json\n");
    let record_schema: serde_json::Value = serde_json::from_str(&s.ok("eventref schema")).unwrap();
    assert_eq!(record_schema["title"], "eventref record");
    assert_eq!(
        record_schema,
        serde_json::from_str::<serde_json::Value>(&read(&root, "schemas/record.schema.json")).unwrap()
    );
    let overlay_schema: serde_json::Value = serde_json::from_str(&s.ok("eventref schema --overlay")).unwrap();
    assert_eq!(overlay_schema["title"], "eventref translation overlay");

    // Checking: the `TODO:` texts `new` wrote are placeholder warnings, and
    // errors under --strict until the author writes the text.
    let a = s.run("eventref check").success();
    let err = stderr(&a);
    assert!(err.contains("0 errors, 3 warnings"), "{err}");
    assert_eq!(err.matches("placeholder text `TODO: …`").count(), 3, "{err}");
    let a = s.run("eventref check --strict").code(1);
    assert!(stderr(&a).contains("3 errors, 0 warnings"), "{}", stderr(&a));
    let rel_2003 = "content/exchange/msexchangetransport/2003.yaml";
    let written = read(&root, rel_2003)
        .replace(
            "\"TODO: what %1 stands for\"",
            "\"The name of the send connector.\"",
        )
        .replace("\"TODO: what %2 stands for\"", "\"The remote server.\"");
    std::fs::write(root.join(rel_2003), written).unwrap();
    let rel_2004 = "content/exchange/msexchangetransport/2004.yaml";
    let written = read(&root, rel_2004).replace(eventref::authoring::TODO_MESSAGE, "The send queue is full.");
    std::fs::write(root.join(rel_2004), written).unwrap();
    s.ok("eventref check --strict");
    assert_eq!(s.ok("eventref check --format github"), "");
    let json: serde_json::Value = serde_json::from_str(&s.ok("eventref check --format json")).unwrap();
    assert_eq!(
        (json["errors"].as_u64(), json["warnings"].as_u64()),
        (Some(0), Some(0))
    );

    // Preview.
    s.ok("eventref build");
    assert!(root.join("public/index.html").is_file());
    assert!(
        root.join("public/en/msexchangetransport/2003/index.html")
            .is_file()
    );

    // Translating.
    let out = s.ok("eventref new MSExchangeTransport 2003 --lang de");
    assert_eq!(out, "content/exchange/msexchangetransport/2003.de.yaml\n");
    let overlay_rel = "content/exchange/msexchangetransport/2003.de.yaml";
    let overlay = read(&root, overlay_rel);
    assert!(
        overlay.contains(&guide_block("yaml", "# TODO translate\nmessage:")),
        "{overlay}"
    );
    // Not translated yet: stale, and --strict fails.
    s.run("eventref i18n status --lang de --strict").code(1);
    // The translator's work.
    let translated = overlay
        .replace(
            "message: \"Send connector %1: the remote server %2 refused the connection.\"",
            "message: \"Sendeconnector %1: Der Remoteserver %2 hat die Verbindung abgelehnt.\"",
        )
        .replace(
            "\"The name of the send connector.\"",
            "\"Der Name des Sendeconnectors.\"",
        )
        .replace("\"The remote server.\"", "\"Der Remoteserver.\"")
        .lines()
        .filter(|l| l.trim() != eventref::authoring::TODO_TRANSLATE)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    std::fs::write(root.join(overlay_rel), translated).unwrap();
    s.ok("eventref i18n refresh --lang de");
    let status = s.ok("eventref i18n status --lang de");
    assert!(status.starts_with("de: 7 translated, 0 stale"), "{status}");
    s.ok("eventref i18n status --lang de --strict");
    let page = std::fs::read_to_string(root.join(overlay_rel)).unwrap();
    assert!(page.contains("translated_from:"), "{page}");

    // Preview (port 0: any free port, so that tests can run side by side).
    let out = s.start_and_stop(
        "eventref serve",
        &["--port", "0", "--no-search", "--output", "preview"],
        "Serving http://127.0.0.1:",
    );
    assert!(
        out.contains("(watching for changes; press Ctrl+C to stop)"),
        "{out}"
    );

    // Importing.
    let out = s.ok("eventref import csv W2022_21H2/");
    assert!(out.starts_with("Imported 2 CSV files, 9 rows\n"), "{out}");
    assert!(out.contains("    created         6\n"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&s.ok("eventref import csv --dry-run --format json W2022_21H2/")).unwrap();
    assert_eq!(json["records"]["unchanged"], 6);
    assert_eq!(json["written"], serde_json::json!([]));
    let out = s.ok("eventref import mc --source Contoso-Backup contoso-backup.mc");
    assert!(out.starts_with("Imported 1 .mc file, 6 messages\n"), "{out}");
    assert!(root.join("content/contoso-backup/1000.de.yaml").is_file());
    s.ok("eventref check --strict");
    s.ok("eventref build");
    assert!(root.join("public/de/contoso-backup/1000/index.html").is_file());

    // Every command of the guide was run.
    let documented = documented_commands();
    assert!(documented.len() >= 15, "{documented:?}");
    for c in &documented {
        assert!(
            s.ran.contains(c),
            "docs/authoring.md shows `{c}`, which this test does not run"
        );
    }
}

#[test]
fn new_refuses_what_it_cannot_do_well() {
    let dir = flagship();
    let root = dir.path();
    let a = eventref(root)
        .args(["new", "MSExchangeTransport", "2002"])
        .assert()
        .code(1);
    let err = stderr(&a);
    assert!(
        err.contains(
            "MSExchangeTransport 2002 already exists: content/exchange/msexchangetransport/2002.yaml"
        ),
        "{err}"
    );
    assert!(
        err.contains("content/exchange/msexchangetransport/2002.yaml:2:5"),
        "{err}"
    );
    // Matched like `check` matches sources: by their URL slug.
    let a = eventref(root)
        .args(["new", "msexchangetransport", "2002"])
        .assert()
        .code(1);
    assert!(stderr(&a).contains("already exists"));
    let a = eventref(root)
        .args(["new", "msexchangetransport", "9"])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("write it as `MSExchangeTransport`"));
    let a = eventref(root).args(["new", "X", "3221226487"]).assert().code(2);
    assert!(stderr(&a).contains("low 16 bits: 1015"), "{}", stderr(&a));
    let a = eventref(root)
        .args(["new", "X", "1", "--level", "warn"])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("did you mean `warning`?"));
    eventref(root).args(["new", "../etc", "1"]).assert().code(2);
    eventref(root).args(["new", "X", "two"]).assert().code(2);
    // A file in the way is never overwritten.
    std::fs::create_dir_all(root.join("content/x")).unwrap();
    std::fs::write(root.join("content/x/1.yaml"), "not a record\n").unwrap();
    let a = eventref(root).args(["new", "X", "1"]).assert().code(1);
    assert!(stderr(&a).contains("content/x/1.yaml"), "{}", stderr(&a));
    assert_eq!(read(root, "content/x/1.yaml"), "not a record\n");
    // Hex IDs and the conventional folder for a new source.
    let a = eventref(root)
        .args(["new", "Contoso Backup", "0x10"])
        .assert()
        .success();
    assert_eq!(stdout(&a), "content/contoso-backup/16.yaml\n");
    // --root from elsewhere.
    let other = tempfile::tempdir().unwrap();
    let a = eventref(other.path())
        .args(["new", "Contoso Backup", "17", "--root"])
        .arg(root)
        .assert()
        .success();
    assert_eq!(
        PathBuf::from(stdout(&a).trim()),
        root.join("content/contoso-backup/17.yaml")
    );
}

#[test]
fn new_records_pass_check_whatever_the_options() {
    let dir = flagship();
    let root = dir.path();
    let cases: &[&[&str]] = &[
        &["new", "A", "1"],
        &[
            "new",
            "A",
            "2",
            "--from-message",
            "Name {QueryName} on %1!s! and \"quotes\" \\ here",
        ],
        &["new", "A", "3", "--level", "Audit_Success", "--category", "no"],
        &["new", "A", "4", "--from-message", "   "],
        &[
            "new",
            "Application Popup",
            "27",
            "--from-message",
            "yes: {x} # not a comment",
        ],
    ];
    for args in cases {
        eventref(root).args(*args).assert().success();
    }
    // They pass `check`; what is left for a human (the `TODO:` texts) is a
    // `placeholder` warning, which `--strict` turns into an error.
    let (ok, diags) = common::check(root);
    assert!(
        ok && diags.iter().all(|d| d.code == "placeholder"),
        "{}",
        diags.render(eventref::diagnostics::Format::Human, false)
    );
    assert!(diags.warning_count() > 0, "the TODO texts of `new` are found");
    eventref(root).args(["check", "--strict"]).assert().code(1);
    let site = eventref::Site::load(root).unwrap();
    let ev = |src: &str, id| {
        site.content
            .events
            .iter()
            .find(|e| e.source == src && e.id == id)
            .unwrap()
    };
    assert_eq!(
        ev("A", 2).message,
        "Name {QueryName} on %1!s! and \"quotes\" \\ here"
    );
    assert_eq!(
        ev("A", 2).parameters.keys().collect::<Vec<_>>(),
        ["%1", "{QueryName}"]
    );
    assert_eq!(ev("A", 3).level.map(|l| l.as_str()), Some("audit-success"));
    assert_eq!(ev("A", 3).category.as_deref(), Some("no"));
    assert_eq!(ev("A", 4).message, eventref::authoring::TODO_MESSAGE);
    assert_eq!(
        ev("Application Popup", 27).file,
        Path::new("content/windows/application-popup/27.yaml")
    );
}

const FULL_RECORD: &str = r#"source: Contoso
id: 1
message: "Backup of %1 failed: {Reason}"
category: Backup
parameters:
  "%1": The volume.
  "{Reason}": Why it failed.
explanation: |
  The backup failed.

  - It is **bad**.
user_action:
  intro: "Do this:"
  steps:
    - Retry.
    - "Call: support."
links:
  - { title: "Backup guide", url: "https://example.org/backup" }
  - { title: "Support", url: "/support/" }
"#;

#[test]
fn new_translations_offer_every_translatable_text() {
    let dir = common::fixture("import/site");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/contoso")).unwrap();
    std::fs::write(root.join("content/contoso/1.yaml"), FULL_RECORD).unwrap();
    // The record's `links:` site path `/support/` is a page of the site's own
    // (its static/ folder is published at the site root).
    std::fs::create_dir_all(root.join("static/support")).unwrap();
    std::fs::write(root.join("static/support/index.html"), "<p>Support</p>\n").unwrap();
    std::fs::write(
        root.join("content/contoso/2.yaml"),
        "source: Contoso\nid: 2\nmessage: Done.\nuser_action: |\n  Nothing.\n\n  Really.\n",
    )
    .unwrap();
    let a = eventref(root)
        .args(["new", "Contoso", "1", "--lang", "ja"])
        .assert()
        .success();
    assert_eq!(stdout(&a), "content/contoso/1.ja.yaml\n");
    eventref(root)
        .args(["new", "Contoso", "2", "--lang", "de"])
        .assert()
        .success();
    let text = read(root, "content/contoso/1.ja.yaml");
    assert!(text.starts_with("# yaml-language-server: $schema=../../schemas/overlay.schema.json\n# 日本語 (ja) translation of Contoso 1 (1.yaml)"), "{text}");
    // message, 2 parameters, explanation, intro, 2 steps, 2 link titles.
    assert_eq!(
        text.matches(eventref::authoring::TODO_TRANSLATE).count(),
        9,
        "{text}"
    );
    assert!(text.contains("# category: \"Backup\""), "{text}");

    let (ok, diags) = common::check(root);
    assert!(
        ok,
        "{}",
        diags.render(eventref::diagnostics::Format::Human, false)
    );
    let site = eventref::Site::load(root).unwrap();
    let e = &site.content.events[0];
    let t = &e.translations["ja"];
    // Prefilled with the original, field by field.
    assert_eq!(t.message.as_deref(), Some(e.message.as_str()));
    assert_eq!(t.parameters, e.parameters);
    assert_eq!(t.explanation, e.explanation);
    assert_eq!(t.user_action, e.user_action);
    assert_eq!(t.links.len(), 2);
    assert_eq!(t.links["/support/"], "Support");
    let e2 = &site.content.events[1];
    assert_eq!(e2.translations["de"].user_action, e2.user_action);
}

#[test]
fn new_translations_refuse_with_reasons() {
    let dir = flagship();
    let root = dir.path();
    let a = eventref(root)
        .args(["new", "MSExchangeTransport", "2002", "--lang", "en"])
        .assert()
        .code(2);
    assert!(stderr(&a).contains("is the site's default language"));
    let a = eventref(root)
        .args(["new", "MSExchangeTransport", "2002", "--lang", "fr"])
        .assert()
        .code(2);
    assert!(
        stderr(&a).contains("add [languages.fr] to site.toml"),
        "{}",
        stderr(&a)
    );
    let a = eventref(root)
        .args(["new", "MSExchangeTransport", "2002", "--lang", "de"])
        .assert()
        .code(1);
    assert!(stderr(&a).contains("already exists") && stderr(&a).contains("msexchangetransport/2002.de.yaml"));
    let a = eventref(root)
        .args(["new", "MSExchangeTransport", "9999", "--lang", "de"])
        .assert()
        .code(1);
    assert!(
        stderr(&a).contains("create it first with `eventref new MSExchangeTransport 9999`"),
        "{}",
        stderr(&a)
    );
    std::fs::write(
        root.join("content/exchange/msexchangetransport/7.yaml"),
        "source: MSExchangeTransport\nid: 7\nmessage: x\nlevel: loud\n",
    )
    .unwrap();
    let a = eventref(root)
        .args(["new", "MSExchangeTransport", "7", "--lang", "de"])
        .assert()
        .code(1);
    assert!(stderr(&a).contains("has errors"), "{}", stderr(&a));
    // --lang is for existing records only.
    eventref(root)
        .args([
            "new",
            "MSExchangeTransport",
            "2002",
            "--lang",
            "de",
            "--level",
            "error",
        ])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------
// The JSON Schemas

fn yaml_value(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validators() -> (jsonschema::Validator, jsonschema::Validator) {
    (
        jsonschema::validator_for(&eventref::authoring::schema::record_schema()).unwrap(),
        jsonschema::validator_for(&eventref::authoring::schema::overlay_schema()).unwrap(),
    )
}

/// Validate every record and overlay under `dir`; returns how many files were checked.
fn validate_tree(dir: &Path) -> (usize, usize) {
    let (records, overlays) = validators();
    let (mut nr, mut no) = (0, 0);
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".yaml") else {
            continue;
        };
        let overlay = stem
            .rsplit_once('.')
            .is_some_and(|(_, l)| eventref::config::valid_lang_code(l));
        let value = yaml_value(entry.path());
        let v = if overlay { &overlays } else { &records };
        let errors: Vec<String> = v
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            entry.path().display(),
            errors.join("\n")
        );
        if overlay {
            no += 1;
        } else {
            nr += 1;
        }
    }
    (nr, no)
}

#[test]
fn the_flagship_content_matches_the_schemas() {
    let (records, overlays) = validate_tree(&common::repo().join("content"));
    assert!(
        records >= 36 && overlays >= 5,
        "{records} records, {overlays} overlays"
    );
}

#[test]
fn the_committed_schema_files_are_current() {
    for (file, schema) in [
        (
            eventref::authoring::schema::RECORD_SCHEMA_FILE,
            eventref::authoring::schema::record_schema(),
        ),
        (
            eventref::authoring::schema::OVERLAY_SCHEMA_FILE,
            eventref::authoring::schema::overlay_schema(),
        ),
    ] {
        let path = common::repo().join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo run -- schema --write`", path.display()));
        let committed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            committed, schema,
            "{file} is out of date: run `cargo run -- schema --write`"
        );
    }
}

#[test]
fn written_and_imported_files_match_the_schemas() {
    let dir = common::fixture("import/site");
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/contoso")).unwrap();
    std::fs::write(root.join("content/contoso/1.yaml"), FULL_RECORD).unwrap();
    for args in [
        &["new", "Contoso", "1", "--lang", "de"][..],
        &[
            "new",
            "Contoso",
            "2",
            "--level",
            "error",
            "--from-message",
            "x %1",
        ],
        &["new", "Contoso", "3"],
        &["import", "csv", "../../csv/W2022_21H2"],
        &["import", "mc", "--source", "Contoso-Backup", "../../mc"],
    ] {
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if a.starts_with("../../") {
                    common::repo()
                        .join("tests/fixtures/import")
                        .join(a.trim_start_matches("../../"))
                        .display()
                        .to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        eventref(root).args(&args).assert().success();
    }
    let (records, overlays) = validate_tree(&root.join("content"));
    assert_eq!((records, overlays), (16, 5));
}

#[test]
fn the_schemas_reject_what_check_rejects() {
    let (records, overlays) = validators();
    let bad_records = [
        serde_json::json!({"source": "S", "id": 1}),
        serde_json::json!({"source": "S", "id": 70000, "message": "m"}),
        serde_json::json!({"source": "S", "id": 1, "message": "m", "explaination": "typo"}),
        serde_json::json!({"source": "S", "id": 1, "message": "m", "level": "loud"}),
        serde_json::json!({"source": "S", "id": 1, "message": "m", "related": ["S-2"]}),
        serde_json::json!({"source": "S", "id": 1, "message": "m", "last_modified": "2011-3-19"}),
        serde_json::json!({"source": "S", "id": 1, "message": "m", "user_action": {"intro": "x"}}),
        serde_json::json!({"source": "S", "id": 1, "message": "m", "links": [{"title": "t", "url": "javascript:x"}]}),
        serde_json::json!({"source": "S", "id": 1, "message": "m", "parameters": {"1": "x"}}),
    ];
    for r in &bad_records {
        assert!(!records.is_valid(r), "accepted {r}");
    }
    let good = serde_json::json!({"source": "S", "id": 65535, "message": "m %1", "level": "audit-failure",
        "related": ["S/2"], "user_action": "Text.", "parameters": {"%1": "x", "{Name}": "y"}});
    assert!(records.is_valid(&good));
    assert!(
        overlays.is_valid(&serde_json::json!({"message": "m", "translated_from": {"message": "0123abcd"}}))
    );
    assert!(!overlays.is_valid(&serde_json::json!({"source": "S"})));
    assert!(!overlays.is_valid(&serde_json::json!({"translated_from": {"messages": "0123abcd"}})));
    assert!(!overlays.is_valid(&serde_json::json!({"translated_from": {"message": "xyz"}})));
}
