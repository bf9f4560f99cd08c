//! `check` means `build`: for every fixture site and for a set of broken
//! sites, `eventref check` and `eventref build` exit with the same code and
//! report the same diagnostics (compared in the shared JSON report).

mod common;
use assert_cmd::Command;
use common::*;
use std::path::Path;

/// Run `eventref <cmd> --format json [extra]` in `root`: exit code and the report.
fn run(root: &Path, cmd: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut c = Command::cargo_bin("eventref").unwrap();
    c.current_dir(root)
        .env("NO_COLOR", "1")
        .arg(cmd)
        .args(["--format", "json"])
        .args(extra);
    let out = c.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "`{cmd}` printed no JSON report ({e}):\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schemas/report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    if let Err(e) = validator.validate(&doc) {
        panic!("`{cmd}` report does not match schemas/report.schema.json: {e}\n{doc:#}");
    }
    (out.status.code().unwrap_or(-1), doc)
}

/// Assert that check and build agree on `root` (with and without `--strict`),
/// and return check's exit code and diagnostic codes.
fn agree(name: &str, root: &Path) -> (i32, Vec<String>) {
    let mut first = None;
    for strict in [false, true] {
        let extra: &[&str] = if strict { &["--strict"] } else { &[] };
        let (cc, check) = run(root, "check", extra);
        let mut bargs = vec!["--force", "--no-search"];
        bargs.extend_from_slice(extra);
        let (bc, build) = run(root, "build", &bargs);
        assert_eq!(
            cc, bc,
            "{name} (strict: {strict}): check exits {cc}, build exits {bc}\ncheck: {check:#}\nbuild: {build:#}"
        );
        assert_eq!(
            check["diagnostics"], build["diagnostics"],
            "{name} (strict: {strict}): different diagnostics"
        );
        for doc in [&check, &build] {
            assert_eq!(doc["ok"], serde_json::json!(cc == 0));
            assert_eq!(doc["exit_code"], serde_json::json!(cc));
        }
        let codes = check["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect();
        first.get_or_insert((cc, codes));
    }
    first.unwrap()
}

#[test]
fn every_fixture_site() {
    let fixtures = repo().join("tests/fixtures");
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(&fixtures).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_name() != "site.toml" {
            continue;
        }
        let rel = entry
            .path()
            .parent()
            .unwrap()
            .strip_prefix(&fixtures)
            .unwrap()
            .to_path_buf();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(entry.path().parent().unwrap(), dir.path());
        agree(&rel.display().to_string(), dir.path());
        seen += 1;
    }
    assert!(seen >= 4, "found {seen} fixture sites");
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const RECORD: &str = "source: Foo\nid: 1\nmessage: Hello %1\nparameters:\n  \"%1\": The user\n";

#[test]
fn a_default_language_without_ui_strings_is_named_by_check() {
    let dir = site_with(&[("a.yaml", RECORD)]);
    write(
        dir.path(),
        "site.toml",
        "title = \"T\"\ndefault_language = \"fr\"\n",
    );
    let (code, codes) = agree("default fr", dir.path());
    assert_eq!(code, 1);
    assert_eq!(codes, ["ui-strings-missing"]);
}

#[test]
fn a_template_error_fails_check_as_it_fails_build() {
    let dir = site_with(&[("a.yaml", RECORD)]);
    write(
        dir.path(),
        "templates/event.html",
        "{{ no_such_variable.field }}\n",
    );
    let (code, codes) = agree("template error", dir.path());
    assert_eq!(code, 1);
    assert!(!codes.is_empty());
}

/// A template error that reads differently in each language (it quotes a
/// UI string) is reported once a language, not once a page, although the
/// pages of an event's languages are rendered one after the other.
#[test]
fn a_template_error_is_reported_once_a_language() {
    let records: Vec<(String, String)> = (1..=6)
        .map(|id| {
            (
                format!("{id}.yaml"),
                format!("source: Foo\nid: {id}\nmessage: Hello {id}\n"),
            )
        })
        .collect();
    let dir = site_with_made(&records);
    write(
        dir.path(),
        "site.toml",
        "title = \"T\"\ndefault_language = \"en\"\n[languages.en]\n[languages.de]\n",
    );
    write(dir.path(), "templates/event.html", "{{ t.event_id | int }}\n");
    let (code, codes) = agree("template error in two languages", dir.path());
    assert_eq!(code, 1);
    assert_eq!(codes, ["template", "template"], "one for each language");
}

#[test]
fn an_unsafe_output_folder_fails_check_as_it_fails_build() {
    let dir = site_with(&[("a.yaml", RECORD)]);
    write(dir.path(), "public/precious.txt", "not eventref's\n");
    let (code, codes) = agree("foreign output folder", dir.path());
    assert_eq!(code, 2);
    assert_eq!(codes, ["unsafe-output"]);
    assert!(dir.path().join("public/precious.txt").exists());
}

#[test]
fn placeholders_warn_and_fail_under_strict() {
    let dir = site_with(&[(
        "a.yaml",
        "source: Foo\nid: 1\nmessage: \"TODO: the message text\"\n",
    )]);
    let (code, codes) = agree("placeholder", dir.path());
    // `no-base-url` is reported too, and is never fatal, even under --strict.
    assert_eq!(
        (code, codes),
        (0, vec!["placeholder".to_string(), "no-base-url".to_string()])
    );
    let (strict_code, _) = run(dir.path(), "check", &["--strict"]);
    assert_eq!(strict_code, 1);
}

#[test]
fn content_and_config_errors_agree() {
    let dir = site_with(&[("a.yaml", "source: Foo\nid: 1\nmesage: x\n")]);
    agree("content error", dir.path());
    let dir = site_with(&[("a.yaml", RECORD)]);
    write(
        dir.path(),
        "site.toml",
        "title = \"T\"\ndefault_language = \"en\"\n[languages.de]\nname = \"Deutsch\"\nbase_url = \"https://x.org/\"\n",
    );
    let (code, codes) = agree("config error", dir.path());
    assert_eq!((code, codes), (2, vec!["config-invalid".to_string()]));
}

#[test]
fn build_success_report_carries_its_warnings() {
    let dir = site_with(&[(
        "a.yaml",
        "source: Foo\nid: 1\nmessage: \"TODO: the message text\"\n",
    )]);
    let (code, doc) = run(dir.path(), "build", &[]);
    assert_eq!(code, 0);
    assert_eq!(doc["command"], "build");
    assert_eq!(doc["warnings"], 2, "placeholder and no-base-url");
    assert_eq!(doc["diagnostics"][0]["code"], "placeholder");
    assert!(doc["summary"]["pages"].as_u64().unwrap() > 0);
}

#[test]
fn a_link_to_a_missing_anchor_fails_check_as_it_fails_build() {
    let dir = site_with(&[
        (
            "a.yaml",
            "source: Foo\nid: 1\nmessage: x\nexplanation: \"[b](event:Foo/2#user-action)\"\n",
        ),
        ("b.yaml", "source: Foo\nid: 2\nmessage: y\nexplanation: Why.\n"),
    ]);
    let (code, codes) = agree("missing anchor", dir.path());
    assert_eq!((code, codes), (1, vec!["broken-link".to_string()]));
    assert!(!dir.path().join("public/en/index.html").exists());
}
