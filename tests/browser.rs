//! Browser tests: the built flagship site in headless Chromium (axe-core audit,
//! no failed or third-party requests, no console errors, the seed page's
//! structure, mobile layout, the search page: direct hits, pasted-event lookup,
//! full text and filters in English and German). The i18n fixture is built too
//! and passed as `--cjk-site` for Japanese full-text search and the right-to-left
//! Arabic search page. The suite itself is `tests/browser/run.mjs`.
//!
//! Needs Debian's `chromium` and Node.js with npm (`.ci/run` installs them).
//! When they are missing the test says so and is skipped, except in CI
//! (`CI=true`), where it fails.

mod common;
use common::*;
use std::process::Command;

fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The browser suite's folder, with its npm packages installed; `None` (after
/// saying why) when the machine has no browser and this is not CI.
fn suite() -> Option<std::path::PathBuf> {
    static NPM: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let in_ci = std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false);
    let chromium = std::path::Path::new("/usr/bin/chromium").exists();
    if !(chromium && have("node") && have("npm")) {
        let msg = "browser tests need /usr/bin/chromium, node and npm (apt-get install chromium nodejs npm)";
        assert!(!in_ci, "{msg}");
        eprintln!("SKIPPED: {msg}");
        return None;
    }
    let suite = repo().join("tests/browser");
    let _once = NPM.lock().unwrap_or_else(|e| e.into_inner());
    if !suite.join("node_modules/playwright-core").is_dir() || !suite.join("node_modules/axe-core").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&suite)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci failed in tests/browser");
    }
    Some(suite)
}

#[test]
fn live_preview_reloads_shows_errors_and_recovers() {
    let Some(suite) = suite() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&repo().join("content"), &site.join("content"));
    std::fs::copy(repo().join("site.toml"), site.join("site.toml")).unwrap();
    let o = Command::new("node")
        .arg(suite.join("serve.mjs"))
        .arg(env!("CARGO_BIN_EXE_eventref"))
        .arg(&site)
        .arg("content/exchange/msexchangetransport/2002.yaml")
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    println!("{stdout}");
    assert!(
        o.status.success(),
        "live preview suite failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("5 passed, 0 failed"), "{stdout}");
}

/// Lines the browser suite must print: each shows that a group of its tests ran.
const REQUIRED_LINES: &[&str] = &[
    "ok - search en:",
    "ok - search de:",
    "ok - search en: a pasted Time-Service 266 message decodes its reason code",
    "ok - search de: a pasted Time-Service 266 message decodes its reason code",
    "ok - search en: Kernel-Boot 238 version 0's shorter text finds Kernel-Boot 238",
    "ok - search de: Kernel-Boot 238 version 0's shorter text finds Kernel-Boot 238",
    "ok - ja search:",
    "ok - axe ar/search/",
    "ok - go: a known event",
    "ok - go: German locale 1031",
    "ok - go: an unknown locale",
    "ok - go: an event the reference lacks",
    "ok - ar: English fallback text on an Arabic page reads left to right",
    "ok - seed: the Atom feed linked from <head>",
    "ok - seed: \"Edit this page\" links the record in the repository",
    "ok - offline: the copy opens from disk",
    "ok - offline: an event ID is looked up from disk",
    "ok - offline: \"Source ID\" is looked up from disk",
    "ok - offline: a symbolic name is looked up from disk",
    "ok - offline: a pasted message is looked up from disk",
    "ok - offline: a pasted Event Viewer text block is looked up from disk",
    "ok - offline: a coded value is decoded from disk",
    "ok - offline: the search page says plainly that full-text search needs a server",
    "ok - offline: the header search box opens the search page from disk",
    "ok - offline: /go/ from disk opens the German article",
    "ok - i18n: \"Edit this page\" links the record, the overlay, or how to start one",
    "ok - paged list: the page list marks page 2, and \"Previous page\" leads to page 1",
];

#[test]
fn flagship_site_in_a_real_browser() {
    let Some(suite) = suite() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    // The flagship's full-text index in parts of 12 records (3 per language),
    // so that every search below goes through the browser's mergeIndex; the
    // i18n fixture keeps one part per language.
    let o = Command::new(env!("CARGO_BIN_EXE_eventref"))
        .env("EVENTREF_SEARCH_PART_RECORDS", "12")
        .args(["build", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(&out)
        .output()
        .expect("eventref runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("pagefind/en/2/pagefind-entry.json").is_file());
    let cjk = dir.path().join("i18n");
    // The i18n fixture with a repository edit URL, for the "Edit this page"
    // links to overlays and to `eventref new --lang` instructions.
    let fixture_dir = dir.path().join("i18n-src");
    copy_dir(&repo().join("tests/fixtures/i18n"), &fixture_dir);
    let toml = fixture_dir.join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[repository]\nedit_url = \"https://git.example.org/kb/edit/main/\"\n");
    std::fs::write(&toml, text).unwrap();
    let fixture = eventref::Site::load(&fixture_dir).unwrap();
    fixture
        .build(&eventref::BuildOptions {
            output: Some(cjk.clone()),
            ..Default::default()
        })
        .unwrap_or_else(|f| panic!("{f}"));
    // The flagship as an offline copy, opened from disk (file://).
    let offline = dir.path().join("offline");
    let o = Command::new(env!("CARGO_BIN_EXE_eventref"))
        .args(["build", "--offline", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(&offline)
        .output()
        .expect("eventref runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A site of 1,050 events, whose all-events list has two pages.
    let paged_src = dir.path().join("paged-src");
    std::fs::create_dir_all(paged_src.join("content/contoso")).unwrap();
    std::fs::write(paged_src.join("site.toml"), "title = \"Paged\"\n").unwrap();
    for id in 1..=1050 {
        std::fs::write(
            paged_src.join(format!("content/contoso/{id}.yaml")),
            format!("source: Contoso\nid: {id}\nlevel: warning\nmessage: \"Event {id} happened.\"\n"),
        )
        .unwrap();
    }
    let paged = dir.path().join("paged");
    eventref::Site::load(&paged_src)
        .unwrap()
        .build(&eventref::BuildOptions {
            output: Some(paged.clone()),
            search: false,
            ..Default::default()
        })
        .unwrap_or_else(|f| panic!("{f}"));
    let o = Command::new("node")
        .arg(suite.join("run.mjs"))
        .arg(&out)
        .arg("--cjk-site")
        .arg(&cjk)
        .arg("--offline-site")
        .arg(&offline)
        .arg("--paged-site")
        .arg(&paged)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(o.status.success(), "browser suite failed:\n{stdout}\n{stderr}");
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    assert!(
        last.ends_with(" 0 failed") && !last.starts_with("0 passed"),
        "unexpected summary: {last}"
    );
    for name in REQUIRED_LINES {
        assert!(
            stdout.contains(name),
            "no \"{name}\" line: the search tests did not run"
        );
    }
}
