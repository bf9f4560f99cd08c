//! `eventref check --external-links` (issue 15), against a local HTTP server:
//! broken links are errors with file, line and column; links that cannot be
//! reached are warnings, never broken links; answers are cached outside the
//! published tree.

mod common;
use common::*;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use eventref::site::ExternalOptions;

/// A local server: `/ok`, `/no-head` (refuses HEAD), `/gone` (404), `/busy`
/// (503), `/removed` (410), and pages that refuse the checker as sites that
/// block bots do: `/forbidden` (403), `/login` (401), `/post-only` (405).
/// Returns its address and the number of requests `/ok` got.
fn server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let h = hits.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let app = axum::Router::new()
                .route(
                    "/ok",
                    get(move || {
                        h.fetch_add(1, Ordering::SeqCst);
                        async { "ok" }
                    }),
                )
                .route(
                    "/no-head",
                    get(|| async { "ok" }).head(|| async { StatusCode::METHOD_NOT_ALLOWED }),
                )
                .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
                .route("/busy", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
                .route("/removed", get(|| async { StatusCode::GONE }))
                .route("/forbidden", get(|| async { StatusCode::FORBIDDEN }))
                .route("/login", get(|| async { StatusCode::UNAUTHORIZED }))
                .route("/post-only", get(|| async { StatusCode::METHOD_NOT_ALLOWED }));
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    (addr, hits)
}

/// An address that accepts connections and never answers.
fn silent() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}/", l.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in l.incoming() {
            held.push(c);
        }
    });
    addr
}

/// An address where nothing listens (connection refused).
fn closed() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}/", l.local_addr().unwrap());
    drop(l);
    addr
}

fn opts(root: &std::path::Path) -> ExternalOptions {
    let mut o = ExternalOptions::for_root(root);
    o.timeout = Duration::from_secs(2);
    o
}

fn run(root: &std::path::Path, o: &ExternalOptions) -> (bool, eventref::diagnostics::Diagnostics) {
    let site = eventref::Site::load(root).unwrap();
    let diags = site.check(false, None).expect("the site itself is fine");
    // These sites have no base_url: set aside the note that says so.
    let mut kept = eventref::diagnostics::Diagnostics::new();
    kept.extend(diags.iter().filter(|d| d.code != "no-base-url").cloned());
    match site.check_external_links(kept, false, o) {
        Ok(d) => (true, d),
        Err(f) => (false, f.diagnostics),
    }
}

#[test]
fn broken_is_an_error_unreachable_is_a_warning() {
    let (base, _) = server();
    let (silent, closed) = (silent(), closed());
    let record = format!(
        "source: A\nid: 1\nmessage: x\n\
         explanation: \"See [ok]({base}/ok), [no head]({base}/no-head) and [gone]({base}/gone).\"\n\
         links:\n  - {{ title: Busy, url: \"{base}/busy\" }}\n  - {{ title: Silent, url: \"{silent}\" }}\n  - {{ title: Closed, url: \"{closed}\" }}\n"
    );
    let dir = site_with(&[("a.yaml", &record)]);
    let (ok, d) = run(dir.path(), &opts(dir.path()));
    assert!(!ok, "a 404 fails the check");
    let by = |code: &str| d.iter().filter(|x| x.code == code).collect::<Vec<_>>();
    let broken = by("broken-external-link");
    assert_eq!(broken.len(), 1, "{:?}", codes(&d));
    assert!(broken[0].message.contains("/gone") && broken[0].message.contains("404"));
    let l = broken[0].location.as_ref().unwrap();
    let line = record.lines().nth(3).unwrap();
    assert_eq!(
        (l.line, l.column),
        (4, line.find(&format!("{base}/gone")).unwrap() as u32 + 1)
    );
    let unchecked: Vec<&str> = by("external-link-unchecked")
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(unchecked.len(), 3, "{unchecked:?}");
    assert!(unchecked.iter().any(|m| m.contains("/busy") && m.contains("503")));
    assert!(
        unchecked
            .iter()
            .any(|m| m.starts_with(&silent) && m.contains("could not be reached"))
    );
    assert!(
        unchecked
            .iter()
            .any(|m| m.starts_with(&closed) && m.contains("could not be reached"))
    );
    assert!(by("external-links-offline").is_empty());
    // The cache is in the site's .eventref/, not in the published tree.
    assert!(dir.path().join(".eventref/external-links.json").is_file());
    assert!(!dir.path().join("public").exists());
}

/// Sites that block bots answer 401, 403 or 405 to HEAD and GET: the link
/// may be fine, so it is a warning that says the server refused the checker;
/// 404 and 410 stay errors.
#[test]
fn a_server_that_refuses_the_checker_is_not_a_broken_link() {
    let (base, _) = server();
    let record = format!(
        "source: A\nid: 1\nmessage: x\n\
         explanation: \"[f]({base}/forbidden), [l]({base}/login), [p]({base}/post-only)\"\n\
         links:\n  - {{ title: Removed, url: \"{base}/removed\" }}\n  - {{ title: Gone, url: \"{base}/gone\" }}\n"
    );
    let dir = site_with(&[("a.yaml", &record)]);
    let (ok, d) = run(dir.path(), &opts(dir.path()));
    assert!(!ok, "404 and 410 fail the check");
    let by = |code: &str| d.iter().filter(|x| x.code == code).collect::<Vec<_>>();
    let mut broken: Vec<&str> = by("broken-external-link")
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    broken.sort();
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(
        broken[0].contains("/gone") && broken[0].contains("404"),
        "{broken:?}"
    );
    assert!(
        broken[1].contains("/removed") && broken[1].contains("410"),
        "{broken:?}"
    );
    let refused = by("external-link-unchecked");
    assert_eq!(refused.len(), 3, "{:?}", codes(&d));
    for (path, status) in [("/forbidden", "403"), ("/login", "401"), ("/post-only", "405")] {
        let w = refused
            .iter()
            .find(|w| w.message.contains(path))
            .unwrap_or_else(|| panic!("{path}: {:?}", codes(&d)));
        assert_eq!(w.severity, eventref::diagnostics::Severity::Warning);
        assert!(w.message.contains(status), "{}", w.message);
        assert!(
            w.help.as_deref().unwrap().contains("refused the checker"),
            "{:?}",
            w.help
        );
        let l = w.location.as_ref().unwrap();
        assert_eq!(l.line, 4, "{path}");
    }
}

/// A translation may link to its own language's pages: those links are
/// fetched too, and reported in the overlay file.
#[test]
fn links_only_in_a_translation_are_fetched_and_reported_there() {
    let (base, _) = server();
    let record = format!("source: A\nid: 1\nmessage: x\nexplanation: \"See [ok]({base}/ok).\"\n");
    let overlay = format!(
        "explanation: |\n  Siehe [ok]({base}/ok) und\n  [weg]({base}/gone).\nuser_action: \"[verboten]({base}/forbidden)\"\n"
    );
    let record = record + "user_action: Retry.\n";
    let dir = site_with(&[("a.yaml", &record), ("a.de.yaml", &overlay)]);
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\ndefault_language = \"en\"\n[languages.en]\nname = \"English\"\n[languages.de]\nname = \"Deutsch\"\n",
    )
    .unwrap();
    let (ok, d) = run(dir.path(), &opts(dir.path()));
    assert!(!ok, "{:?}", codes(&d));
    let broken: Vec<_> = d.iter().filter(|x| x.code == "broken-external-link").collect();
    assert_eq!(broken.len(), 1, "{:?}", codes(&d));
    assert!(broken[0].message.contains("/gone"));
    let l = broken[0].location.as_ref().unwrap();
    assert_eq!(l.file, std::path::Path::new("content/a.de.yaml"));
    let line = overlay.lines().nth(2).unwrap();
    assert_eq!(
        (l.line, l.column),
        (3, line.find(&format!("{base}/gone")).unwrap() as u32 + 1)
    );
    let refused: Vec<_> = d.iter().filter(|x| x.code == "external-link-unchecked").collect();
    assert_eq!(refused.len(), 1, "{:?}", codes(&d));
    let l = refused[0].location.as_ref().unwrap();
    assert_eq!((l.file.to_str(), l.line), (Some("content/a.de.yaml"), 4));
}

#[test]
fn offline_is_not_broken() {
    let record = format!(
        "source: A\nid: 1\nmessage: x\nlinks:\n  - {{ title: T, url: \"{}\" }}\n",
        closed()
    );
    let dir = site_with(&[("a.yaml", &record)]);
    let (ok, d) = run(dir.path(), &opts(dir.path()));
    assert!(ok, "network errors do not fail the check: {:?}", codes(&d));
    let mut c = codes(&d);
    c.sort();
    assert_eq!(c, ["external-link-unchecked", "external-links-offline"]);
    assert_eq!(d.error_count(), 0);
}

#[test]
fn good_answers_are_cached() {
    let (base, hits) = server();
    let record =
        format!("source: A\nid: 1\nmessage: x\nexplanation: \"[ok]({base}/ok) and again [ok]({base}/ok)\"\n");
    let dir = site_with(&[("a.yaml", &record)]);
    let o = opts(dir.path());
    let (ok, d) = run(dir.path(), &o);
    assert!(ok && d.is_empty(), "{:?}", codes(&d));
    let first = hits.load(Ordering::SeqCst);
    assert_eq!(first, 1, "one request for a URL linked twice");
    run(dir.path(), &o);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        first,
        "the second run asks the cache"
    );
    let mut fresh = o.clone();
    fresh.max_age = Duration::ZERO;
    run(dir.path(), &fresh);
    assert!(
        hits.load(Ordering::SeqCst) > first,
        "an expired answer is fetched again"
    );
}

#[test]
fn the_command_line_flag() {
    let (base, _) = server();
    let record = format!("source: A\nid: 1\nmessage: x\nlinks:\n  - {{ title: T, url: \"{base}/gone\" }}\n");
    let dir = site_with(&[("a.yaml", &record)]);
    let cmd = || {
        let mut c = assert_cmd::Command::cargo_bin("eventref").unwrap();
        c.current_dir(dir.path()).env("NO_COLOR", "1");
        c
    };
    // Without the flag nothing is fetched.
    cmd().arg("check").assert().success();
    let a = cmd()
        .args([
            "check",
            "--external-links",
            "--link-timeout",
            "2",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    let json: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["code"], "broken-external-link", "{json}");
}
