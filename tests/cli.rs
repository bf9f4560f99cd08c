//! The command line: exit codes, output formats, flags.

mod common;
use assert_cmd::Command;
use common::*;

fn eventref() -> Command {
    let mut c = Command::cargo_bin("eventref").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn stdout(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn check_passes_on_the_flagship_site() {
    let (code, _, err) = stdout(eventref().args(["check", "--strict", "--root"]).arg(repo()));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("events checked: no errors"), "{err}");
}

#[test]
fn check_reports_in_three_formats_with_exit_code_1() {
    let dir = fixture("invalid");
    let root = dir.path();

    let (code, out, err) = stdout(eventref().args(["check", "--root"]).arg(root));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("did you mean `explanation`?"), "{err}");
    assert!(err.contains("[content/typo.yaml:4:1]"), "{err}");
    assert!(err.contains("4 │ explaination: \"typo\""), "{err}");
    insta::assert_snapshot!("check_human", err);

    let (code, out, _) = stdout(
        eventref()
            .args(["check", "--format", "github", "--root"])
            .arg(root),
    );
    assert_eq!(code, 1);
    assert!(
        out.lines().any(|l| l.starts_with(
            "::error file=content/typo.yaml,line=4,col=1,title=unknown-field::unknown field `explaination`%0Ahelp: did you mean `explanation`?"
        )),
        "{out}"
    );
    assert!(
        out.lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
        "{out}"
    );
    insta::assert_snapshot!("check_github", out);

    let (code, out, _) = stdout(eventref().args(["check", "--format", "json", "--root"]).arg(root));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["errors"].as_u64().unwrap() as usize,
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .count()
    );
    let typo = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-field")
        .unwrap();
    assert_eq!(typo["file"], "content/typo.yaml");
    assert_eq!(typo["line"], 4);
    assert_eq!(typo["column"], 1);
    assert_eq!(typo["source_line"], "explaination: \"typo\"");
    assert_eq!(typo["help"], "did you mean `explanation`?");
    insta::assert_snapshot!("check_json", out);
}

#[test]
fn strict_turns_warnings_into_errors() {
    let dir = site_with(&[(
        "a.yaml",
        "source: Foo\nid: 1\nmessage: \"a %1\"\nparameters:\n  \"%3\": x\n",
    )]);
    let (code, _, err) = stdout(eventref().args(["check", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("unknown-parameter"), "{err}");
    let (code, _, _) = stdout(eventref().args(["check", "--strict", "--root"]).arg(dir.path()));
    assert_eq!(code, 1);
    let (code, _, _) = stdout(eventref().args(["build", "--strict", "--root"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(!dir.path().join("public").exists());
}

#[test]
fn usage_and_config_errors_exit_2() {
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = stdout(eventref().args(["check", "--root"]).arg(empty.path()));
    assert_eq!(code, 2);
    assert!(err.contains("site.toml"), "{err}");
    let (code, _, _) = stdout(eventref().args(["build", "--no-such-flag"]));
    assert_eq!(code, 2);
    let dir = fixture("basic");
    std::fs::write(dir.path().join("site.toml"), "title = 1\n").unwrap();
    let (code, _, err) = stdout(eventref().args(["build", "--root"]).arg(dir.path()));
    assert_eq!(code, 2, "{err}");
    let dir = fixture("basic");
    let (code, _, err) = stdout(
        eventref()
            .args(["build", "--output"])
            .arg(dir.path().join("content"))
            .arg("--root")
            .arg(dir.path()),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unsafe-output"), "{err}");
    let (code, _, _) = stdout(
        eventref()
            .args(["build", "--base-url", "not a url", "--root"])
            .arg(dir.path()),
    );
    assert_eq!(code, 2);
}

#[test]
fn build_prints_a_summary_and_honours_output_and_base_url() {
    let dir = fixture("basic");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let (code, stdout_text, err) = stdout(
        eventref()
            .args([
                "build",
                "--base-url",
                "https://preview.example.org/pr-42",
                "--output",
            ])
            .arg(&target)
            .arg("--root")
            .arg(dir.path()),
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout_text.is_empty());
    // Not a terminal: plain progress lines, then the summary.
    assert!(err.starts_with("loaded 4 events from "), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("rendering ") && l.ends_with(" pages")),
        "{err}"
    );
    assert!(
        err.lines().last().unwrap().starts_with("Built 4 events, "),
        "{err}"
    );
    assert!(err.contains("1 language in"), "{err}");
    let html = std::fs::read_to_string(target.join("en/contoso-mail/100/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(
        attrs(&doc, "link[rel=canonical]", "href"),
        ["https://preview.example.org/pr-42/en/contoso-mail/100/"]
    );
    let nf = scraper::Html::parse_document(&std::fs::read_to_string(target.join("404.html")).unwrap());
    assert_eq!(
        attrs(&nf, "link[rel=stylesheet]", "href"),
        ["/pr-42/static/technet.css"]
    );

    let (code, _, err) = stdout(
        eventref()
            .args(["build", "--quiet", "--output"])
            .arg(&target)
            .arg("--root")
            .arg(dir.path()),
    );
    assert_eq!(code, 0);
    assert!(err.is_empty(), "{err}");

    let (code, out_json, _) = stdout(
        eventref()
            .args(["build", "--format", "json", "--output"])
            .arg(&target)
            .arg("--root")
            .arg(dir.path()),
    );
    assert_eq!(code, 0);
    let v = serde_json::from_str::<serde_json::Value>(&out_json).unwrap()["summary"].clone();
    assert_eq!(v["up_to_date"], true, "nothing changed since the last build: {v}");
    assert_eq!(v["written"], 0);
}

#[test]
fn root_defaults_to_the_current_directory() {
    let dir = fixture("basic");
    let (code, _, err) = stdout(eventref().arg("build").current_dir(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join("public/en/index.html").is_file());
}

#[test]
fn bench_smoke_test_runs_and_reports() {
    // Only checks that the suite runs end to end and prints its table; it times nothing.
    let scratch = tempfile::tempdir().unwrap();
    let (code, out, err) = stdout(
        eventref()
            .args(["bench", "--events", "30", "--dir"])
            .arg(scratch.path()),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("| events |"), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with("| 30 |"))
        .expect("a row for 30 events");
    assert_eq!(row.matches('|').count(), 18, "{row}");
}

#[test]
fn an_unchanged_site_is_not_built_again() {
    let dir = fixture("basic");
    let root = dir.path();
    let build = |extra: &[&str]| {
        let o = eventref()
            .args(["build", "--no-search", "--format", "json", "--root"])
            .arg(root)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["summary"].clone()
    };
    let first = build(&[]);
    assert_eq!(first["up_to_date"], serde_json::Value::Null);
    let files = first["files"].as_u64().unwrap();
    let again = build(&[]);
    assert_eq!(again["up_to_date"], true, "{again}");
    assert_eq!(again["written"], 0);
    assert_eq!(again["files"].as_u64().unwrap(), files);

    // Any input change, a different option, or a damaged output builds again.
    let record = root.join("content/contoso/100.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, text.replace("message:", "# edited\nmessage:")).unwrap();
    let edited = build(&[]);
    assert_eq!(edited["up_to_date"], serde_json::Value::Null, "{edited}");
    assert_eq!(build(&[])["up_to_date"], true);
    assert_eq!(
        build(&["--base-url", "https://elsewhere.example.org/"])["up_to_date"],
        serde_json::Value::Null
    );
    assert_eq!(
        build(&[])["up_to_date"],
        serde_json::Value::Null,
        "the base URL changed back"
    );
    std::fs::remove_file(root.join("public/en/contoso-mail/100/index.html")).unwrap();
    let repaired = build(&[]);
    assert_eq!(repaired["up_to_date"], serde_json::Value::Null);
    assert_eq!(repaired["written"], 1, "{repaired}");
    assert!(root.join("public/en/contoso-mail/100/index.html").is_file());
    assert_eq!(build(&[])["up_to_date"], true);
    assert_eq!(build(&["--force"])["up_to_date"], serde_json::Value::Null);

    // Human output says so.
    let (code, _, err) = stdout(eventref().args(["build", "--no-search", "--root"]).arg(root));
    assert_eq!(code, 0);
    assert!(
        err.starts_with("Up to date: nothing changed since the last build"),
        "{err}"
    );
}

#[test]
fn serve_on_a_port_in_use_says_so_and_how_to_fix_it() {
    let dir = common::fixture("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = eventref()
        .args(["serve", "--no-search", "--port", &port, "--root"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("already in use"), "{err}");
    assert!(err.contains("--port 0"), "{err}");
    drop(taken);
}
