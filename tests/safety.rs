//! Safety: escaping and sanitizing, safe output paths, the output directory's
//! ownership, atomic publishing, determinism, and hostile inputs.

mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

#[test]
fn hostile_content_is_escaped_and_sanitized() {
    let dir = fixture("basic");
    let root = dir.path();
    build_ok(root);
    // Look at every page that shows the hostile record.
    let mut checked = 0;
    for (path, bytes) in tree(&root.join("public")) {
        // The root page is eventref's own language redirect (it has a small inline script).
        if !path.ends_with(".html") || path == "index.html" {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let doc = scraper::Html::parse_document(&html);
        // Only the theme's own scripts (the search module, the header box, the
        // /go/ page's), never a script from content.
        for script in doc.select(&sel("script")) {
            let src = script.value().attr("src").unwrap_or("");
            let own = src.ends_with("static/search.js")
                || src.ends_with("static/header.js")
                || (path == "go/index.html" && src == "../static/go.js");
            assert!(
                own && script.inner_html().trim().is_empty(),
                "{path}: <script> element {}",
                script.html()
            );
        }
        assert_eq!(
            doc.select(&sel("iframe, object, embed, img")).count(),
            0,
            "{path}: embedded content"
        );
        for el in doc.select(&sel("*")) {
            for (name, value) in el.value().attrs() {
                assert!(
                    !name.starts_with("on"),
                    "{path}: event handler attribute {name}={value}"
                );
                let v = value.trim().to_ascii_lowercase();
                if name == "href" || name == "src" {
                    for bad in ["javascript:", "vbscript:", "data:"] {
                        assert!(!v.starts_with(bad), "{path}: {name}={value}");
                    }
                }
            }
        }
        checked += 1;
    }
    assert!(checked > 5);
    // The hostile text is shown as text.
    let ev = page(root, "en/contoso-b-onmouseover-alert-1-x/666/index.html");
    assert_eq!(
        texts(&ev, "article h1"),
        ["Contoso <b onmouseover=alert(1)>X 666"]
    );
    assert!(
        texts(&ev, "td.message")
            .join("")
            .contains("<img src=x onerror=alert(1)>")
    );
    assert_eq!(
        attrs(&ev, "td.message var.insert", "title"),
        ["<script>alert('param')</script>"]
    );
    assert_eq!(texts(&ev, "ul.links a"), ["<script>t</script>"]);
    // Safe Markdown links survive; unsafe ones lose their href.
    let hrefs = attrs(&ev, "section[aria-labelledby=explanation] a", "href");
    assert_eq!(hrefs, ["https://ok.example/"]);
}

#[test]
fn sources_that_look_like_paths_are_rejected_and_nothing_escapes_the_output() {
    for source in [
        "../../evil",
        "/etc/passwd",
        "..\\..\\evil",
        "C:\\Windows\\x",
        "..",
        "日本",
    ] {
        let dir = site_with(&[("a.yaml", &format!("source: {source:?}\nid: 1\nmessage: x\n"))]);
        let f = build(dir.path()).expect_err(source);
        assert!(
            codes(&f.diagnostics).contains(&"invalid-source"),
            "{source}: {:?}",
            codes(&f.diagnostics)
        );
        assert_eq!(f.exit_code(), 1);
        // Nothing was written anywhere: no output, no staging, nothing next to the site.
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries.len(), 2, "{source}: {entries:?}");
    }
    // A source with odd characters but a real name gets a clean slug.
    let dir = site_with(&[("a.yaml", "source: \"Foo: Bar (x64)\"\nid: 1\nmessage: x\n")]);
    build_ok(dir.path());
    assert!(dir.path().join("public/en/foo-bar-x64/1/index.html").is_file());
}

fn open_with(root: &Path, out: &Path) -> Result<eventref::BuildReport, eventref::Failure> {
    let site = eventref::Site::load(root)?;
    site.build(&eventref::BuildOptions {
        output: Some(out.to_path_buf()),
        ..Default::default()
    })
}

#[test]
fn output_directory_may_not_be_the_site_or_its_sources() {
    let dir = fixture("basic");
    let root = dir.path();
    for bad in [
        root.to_path_buf(),
        root.join("content"),
        root.join("content/contoso/x"),
        root.join("themes"),
        root.join(".."),
    ] {
        let f = open_with(root, &bad).expect_err(&bad.display().to_string());
        assert_eq!(f.exit_code(), 2, "{}", bad.display());
        assert_eq!(codes(&f.diagnostics), ["unsafe-output"]);
    }
    // Nothing was created or deleted in the site.
    assert!(root.join("content/contoso/100.yaml").is_file());
    assert!(!root.join("content/contoso/x").exists());
}

#[test]
fn a_foreign_non_empty_directory_is_never_touched() {
    let dir = fixture("basic");
    let root = dir.path();
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("precious.txt"), "keep me").unwrap();
    let f = open_with(root, out.path()).unwrap_err();
    assert_eq!(f.exit_code(), 2);
    assert!(
        f.diagnostics
            .iter()
            .next()
            .unwrap()
            .message
            .contains("not created by eventref")
    );
    assert_eq!(tree(out.path()).len(), 1);
    // An empty directory is fine, and becomes ours.
    let empty = tempfile::tempdir().unwrap();
    open_with(root, empty.path()).unwrap();
    assert!(empty.path().join(eventref::output::MANIFEST).is_file());
}

#[test]
fn files_eventref_did_not_write_survive_rebuilds() {
    let dir = fixture("basic");
    let root = dir.path();
    build_ok(root);
    std::fs::write(root.join("public/CNAME"), "events.example.org").unwrap();
    std::fs::remove_file(root.join("content/contoso/101.yaml")).unwrap();
    std::fs::write(
        root.join("content/contoso/100.yaml"),
        std::fs::read_to_string(root.join("content/contoso/100.yaml"))
            .unwrap()
            .replace("Contoso-Mail/101, ", ""),
    )
    .unwrap();
    let r = build_ok(root);
    assert!(r.write.removed >= 1);
    assert!(
        !root.join("public/en/contoso-mail/101").exists(),
        "stale page and its folder removed"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("public/CNAME")).unwrap(),
        "events.example.org"
    );
}

#[test]
fn a_failed_build_leaves_the_published_site_untouched() {
    let dir = fixture("basic");
    let root = dir.path();
    build_ok(root);
    let before = tree(&root.join("public"));
    let mtime = std::fs::metadata(root.join("public/en/contoso-mail/100/index.html"))
        .unwrap()
        .modified()
        .unwrap();
    // Change a page and break another record: the build must fail and publish nothing.
    std::fs::write(
        root.join("content/contoso/101.yaml"),
        "source: Contoso-Mail\nid: 101\nmessage: changed\ncategory: SmtpSend\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/contoso/broken.yaml"),
        "source: X\nid: 1\nmessage: x\nlevel: nope\n",
    )
    .unwrap();
    assert!(build(root).is_err());
    assert_eq!(tree(&root.join("public")), before);
    assert_eq!(
        std::fs::metadata(root.join("public/en/contoso-mail/100/index.html"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
    assert!(
        !root.join(".public.eventref-staging").exists(),
        "staging cleaned up"
    );
    // A template error during rendering also publishes nothing.
    std::fs::remove_file(root.join("content/contoso/broken.yaml")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/category.html"),
        "{% extends \"base.html\" %}{% block content %}{{ category.name.nope.deeper }}{% endblock content %}",
    )
    .unwrap();
    assert!(build(root).is_err());
    assert_eq!(tree(&root.join("public")), before);
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let a = fixture("basic");
    let b = fixture("basic");
    build_ok(a.path());
    build_ok(b.path());
    let ta = tree(&a.path().join("public"));
    let tb = tree(&b.path().join("public"));
    assert_eq!(ta.len(), tb.len());
    for ((pa, ba), (pb, bb)) in ta.iter().zip(&tb) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs");
    }
}

#[test]
fn rebuilds_write_only_what_changed() {
    let dir = fixture("basic");
    let root = dir.path();
    // Without the full-text index, whose files change with any content change.
    let build_ok = |root: &std::path::Path| {
        let site = eventref::Site::load(root).unwrap();
        site.build(&eventref::BuildOptions {
            search: false,
            ..Default::default()
        })
        .unwrap_or_else(|f| panic!("{f}"))
    };
    let first = build_ok(root);
    assert_eq!(first.write.written, first.write.files);
    let page_path = root.join("public/en/contoso-disk/7/index.html");
    let mtime = std::fs::metadata(&page_path).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let again = build_ok(root);
    assert_eq!(again.write.written, 0);
    assert_eq!(again.write.unchanged, first.write.files);
    assert_eq!(std::fs::metadata(&page_path).unwrap().modified().unwrap(), mtime);
    // Change one explanation: only that page changes.
    let p = root.join("content/contoso/101.yaml");
    std::fs::write(
        &p,
        std::fs::read_to_string(&p).unwrap() + "explanation: New text.\n",
    )
    .unwrap();
    let one = build_ok(root);
    assert_eq!(one.write.written, 1, "{:?}", one.write);
    assert_eq!(std::fs::metadata(&page_path).unwrap().modified().unwrap(), mtime);
}

/// Run `f` on another thread and fail if it takes longer than `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("did not finish in time (hang?)")
}

fn check_codes(dir: tempfile::TempDir) -> Vec<&'static str> {
    within(60, move || {
        let (_, d) = check(dir.path());
        codes(&d)
    })
}

#[test]
fn billion_laughs_is_refused() {
    let mut y =
        String::from("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        y.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(",")));
    }
    // Parsed into an untyped value, every alias would be expanded: 9^10 strings.
    let text: std::sync::Arc<str> = std::sync::Arc::from(y.as_str());
    let err = within(60, move || {
        eventref::content::parse_yaml::<serde_json::Value>(Path::new("bomb.yaml"), &text, &[])
            .map(|_| ())
            .unwrap_err()
    });
    assert_eq!(err.code, "yaml-limit", "{}", err.message);
    // In a record it is an error too, and fast.
    let record = format!("source: Foo\nid: 1\nmessage: x\nuser_action:\n  steps: *a9\n{y}");
    let c = check_codes(site_with(&[("a.yaml", &record)]));
    assert_eq!(c.len(), 1, "{c:?}");
}

#[test]
fn deep_nesting_is_refused() {
    let y = format!(
        "source: Foo\nid: 1\nmessage: x\nrelated: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let c = check_codes(site_with(&[("a.yaml", &y)]));
    assert_eq!(c, ["yaml-limit"]);
}

#[test]
fn huge_files_are_refused_before_parsing() {
    let y = format!(
        "source: Foo\nid: 1\nmessage: x\nexplanation: \"{}\"\n",
        "a".repeat(10 * 1024 * 1024)
    );
    let c = check_codes(site_with(&[("a.yaml", &y)]));
    assert_eq!(c, ["file-too-large"]);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported() {
    let dir = site_with(&[("a.yaml", "source: Foo\nid: 1\nmessage: x\n")]);
    std::os::unix::fs::symlink("..", dir.path().join("content/loop")).unwrap();
    let c = check_codes(dir);
    assert_eq!(c, ["symlink-loop"]);
}

#[test]
fn bom_and_crlf_give_a_correct_page() {
    let dir = site_with(&[]);
    std::fs::write(
        dir.path().join("content/a.yaml"),
        "\u{FEFF}source: Foo\r\nid: 1\r\nmessage: \"Hello %1\"\r\nexplanation: |\r\n  Line one.\r\n  Line two.\r\n",
    )
    .unwrap();
    build_ok(dir.path());
    let ev = page(dir.path(), "en/foo/1/index.html");
    assert_eq!(texts(&ev, "article h1"), ["Foo 1"]);
    assert_eq!(
        texts(&ev, "section[aria-labelledby=explanation] p"),
        ["Line one. Line two."]
    );
    assert!(
        !std::fs::read_to_string(dir.path().join("public/en/foo/1/index.html"))
            .unwrap()
            .contains('\r')
    );
}
