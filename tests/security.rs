//! Security (issue #11): one test per bug found in the security review, each
//! reproducing the attack and checking that it no longer works. Symlink tests
//! run on Unix. See docs/security.md for the threat model.

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The manifest header of eventref 0.1 (a planted manifest would use it).
const OLD_HEADER: &str = "# eventref output manifest v1: files written by eventref. Do not edit.";

fn eventref() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eventref"));
    c.env("NO_COLOR", "1");
    c
}

/// Run `cmd` to its end, or kill it after `secs` and return `None`.
fn run_for(mut cmd: Command, secs: u64) -> Option<(i32, String)> {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status.code().unwrap_or(-1), reader.join().unwrap()));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// Bug 1: build writes and deletes through symlinks inside the output folder,
// and trusts any manifest it finds there.

/// The first repro: a committed manifest, `public/static -> ../fakegit` and a
/// site file `static/config` would replace `fakegit/config`.
#[cfg(unix)]
#[test]
fn bug1_a_planted_manifest_and_link_cannot_overwrite_git_config() {
    let dir = fixture("basic");
    let root = dir.path();
    let git = root.join("fakegit");
    std::fs::create_dir_all(&git).unwrap();
    std::fs::write(git.join("config"), "[core]\n\tbare = false\n").unwrap();
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(
        root.join("static/config"),
        "[core]\n\tfsmonitor = \"touch /tmp/pwned\"\n",
    )
    .unwrap();
    for header in [OLD_HEADER.to_string(), format!("{OLD_HEADER}\nstatic/config\n")] {
        std::fs::write(root.join("public").join(eventref::output::MANIFEST), &header).unwrap();
        let _ = std::fs::remove_file(root.join("public/static"));
        std::os::unix::fs::symlink("../fakegit", root.join("public/static")).unwrap();
        let f = build(root).expect_err("a planted manifest is refused");
        assert_eq!(f.exit_code(), 2, "{f}");
        assert_eq!(codes(&f.diagnostics), ["unsafe-output"], "{f}");
        assert!(f.to_string().contains(".eventref-manifest"), "{f}");
        assert_eq!(
            std::fs::read_to_string(git.join("config")).unwrap(),
            "[core]\n\tbare = false\n"
        );
        assert_eq!(files_in(&git), ["config"]);
    }
}

/// The second repro: `public/en -> ../../precious` and a manifest listing
/// `en/precious.txt` would delete that file and overwrite `precious/index.html`.
#[cfg(unix)]
#[test]
fn bug1_b_a_planted_manifest_cannot_delete_outside_the_output() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    copy_dir(&repo().join("tests/fixtures/basic"), &root);
    let precious = outer.path().join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("precious.txt"), "keep me").unwrap();
    std::fs::write(precious.join("index.html"), "mine").unwrap();
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(
        root.join("public").join(eventref::output::MANIFEST),
        format!("{OLD_HEADER}\nen/precious.txt\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../../precious", root.join("public/en")).unwrap();
    let f = build(&root).expect_err("refused");
    assert_eq!(f.exit_code(), 2, "{f}");
    assert_eq!(
        std::fs::read_to_string(precious.join("precious.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(
        std::fs::read_to_string(precious.join("index.html")).unwrap(),
        "mine"
    );
    assert_eq!(files_in(&precious), ["index.html", "precious.txt"]);
}

/// A link put into eventref's own, trusted output between two builds is an
/// error that names it, and nothing is written through it.
#[cfg(unix)]
#[test]
fn bug1_c_a_link_in_a_trusted_output_is_never_followed() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    copy_dir(&repo().join("tests/fixtures/basic"), &root);
    build_ok(&root);
    let elsewhere = outer.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("mine.txt"), "mine").unwrap();
    std::fs::remove_dir_all(root.join("public/en/contoso-mail")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("public/en/contoso-mail")).unwrap();
    let f = build(&root).expect_err("a link in the output is refused");
    let text = f.to_string();
    assert!(text.contains("contoso-mail"), "{text}");
    assert!(text.contains("symbolic link"), "{text}");
    assert_eq!(files_in(&elsewhere), ["mine.txt"]);
    // The output folder itself may not be a link either.
    let out = outer.path().join("linked-out");
    std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
    let site = eventref::Site::load(&root).unwrap();
    let f = site
        .build(&eventref::BuildOptions {
            output: Some(out),
            ..Default::default()
        })
        .expect_err("a linked output folder is refused");
    assert_eq!(codes(&f.diagnostics), ["unsafe-output"]);
    assert_eq!(files_in(&elsewhere), ["mine.txt"]);
}

/// A manifest copied from another of the user's own builds is not trusted in
/// a different folder either (the MAC covers the folder's path).
#[test]
fn bug1_d_a_manifest_is_trusted_only_in_its_own_folder() {
    let a = fixture("basic");
    build_ok(a.path());
    let other = tempfile::tempdir().unwrap();
    let out = other.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::copy(
        a.path().join("public").join(eventref::output::MANIFEST),
        out.join(eventref::output::MANIFEST),
    )
    .unwrap();
    std::fs::write(out.join("precious.txt"), "keep").unwrap();
    let site = eventref::Site::load(a.path()).unwrap();
    let f = site
        .build(&eventref::BuildOptions {
            output: Some(out.clone()),
            ..Default::default()
        })
        .expect_err("refused");
    assert_eq!(codes(&f.diagnostics), ["unsafe-output"]);
    assert!(out.join("precious.txt").is_file());
    // Its own folder still rebuilds.
    build_ok(a.path());
}

// ---------------------------------------------------------------------------
// Bug 2: serve used a predictable default output folder in the shared /tmp.

#[cfg(unix)]
#[test]
fn bug2_serve_default_output_is_private_and_unpredictable() {
    use std::os::unix::fs::PermissionsExt;
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    copy_dir(&repo().join("tests/fixtures/basic"), &root);
    let tmp = outer.path().join("tmp");
    let cache = outer.path().join("cache");
    std::fs::create_dir_all(&tmp).unwrap();
    // The attacker creates the old predictable folder first, open to all.
    let canonical = root.canonicalize().unwrap();
    let id = eventref::search::fnv1a(&canonical.to_string_lossy());
    let planted = tmp.join(format!("eventref-serve-{id:08x}"));
    std::fs::create_dir_all(&planted).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o777)).unwrap();
    let precious = outer.path().join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("precious.txt"), "keep me").unwrap();
    std::fs::write(
        planted.join(eventref::output::MANIFEST),
        format!("{OLD_HEADER}\nen/precious.txt\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&precious, planted.join("en")).unwrap();
    std::fs::write(planted.join("index.html"), "<p>attacker's page</p>").unwrap();

    let mut cmd = eventref();
    cmd.args(["serve", "--port", "0", "--no-search", "--root"])
        .arg(&root)
        .env("TMPDIR", &tmp)
        .env("XDG_CACHE_HOME", &cache);
    let mut serve = Running::start(cmd);
    let serving = serve.wait_for("Serving http://");
    let line = serve.wait_for("output folder:");
    let out = PathBuf::from(line.trim_start_matches("output folder:").trim());
    let url = serving.split_whitespace().nth(1).unwrap();
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let page = http(addr, "GET / HTTP/1.1\r\nHost: localhost");
    drop(serve);
    assert_eq!(
        std::fs::read_to_string(precious.join("precious.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(files_in(&precious), ["precious.txt"]);
    assert!(!page.contains("attacker's page"), "{page}");
    assert!(!out.starts_with(&planted), "{}", out.display());
    assert!(out.starts_with(&cache), "{}", out.display());
    for d in [cache.join("eventref"), cache.join("eventref/serve")] {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", d.display());
    }
}

fn http(addr: SocketAddr, head: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "{head}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------
// Bug 3: serve refused an unsafe output folder but served it anyway.

#[test]
fn bug3_serve_refuses_an_unsafe_output_before_listening() {
    let dir = fixture("basic");
    let root = dir.path();
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("passwd"), "root:x:0:0").unwrap();
    let new_dir = root.join("content/newdir");
    for output in [PathBuf::from("/"), new_dir.clone(), foreign.path().to_path_buf()] {
        let mut cmd = eventref();
        cmd.args(["serve", "--port", "0", "--no-search", "--root"])
            .arg(root)
            .arg("--output")
            .arg(&output);
        let (code, stderr) =
            run_for(cmd, 60).unwrap_or_else(|| panic!("serve --output {} kept running", output.display()));
        assert_eq!(code, 2, "{}: {stderr}", output.display());
        assert!(stderr.contains("unsafe-output"), "{stderr}");
        assert!(!stderr.contains("Serving"), "{stderr}");
    }
    assert!(!new_dir.exists(), "--output was created before it was checked");
    assert_eq!(files_in(foreign.path()), ["passwd"]);
}

// ---------------------------------------------------------------------------
// Bug 5: links in static/ (and content/) were followed outside the site.

#[cfg(unix)]
#[test]
fn bug5_links_out_of_the_site_are_refused_by_name() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    copy_dir(&repo().join("tests/fixtures/basic"), &root);
    let secret = outer.path().join("id_rsa");
    std::fs::write(&secret, "-----BEGIN OPENSSH PRIVATE KEY-----").unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::os::unix::fs::symlink(&secret, root.join("static/leak.txt")).unwrap();
    let f = build(&root).expect_err("refused");
    assert!(codes(&f.diagnostics).contains(&"link-outside-site"), "{f}");
    assert!(f.to_string().contains("static/leak.txt"), "{f}");
    assert!(!root.join("public").exists());
    // A folder link out of the site, under content/.
    std::fs::remove_file(root.join("static/leak.txt")).unwrap();
    let records = outer.path().join("records");
    std::fs::create_dir_all(&records).unwrap();
    std::fs::write(records.join("x.yaml"), "source: Leak\nid: 1\nmessage: secret\n").unwrap();
    std::os::unix::fs::symlink(&records, root.join("content/linked")).unwrap();
    let (ok, d) = check(&root);
    assert!(!ok);
    assert_eq!(codes(&d), ["link-outside-site"]);
    assert!(
        d.render(eventref::diagnostics::Format::Human, false)
            .contains("content/linked")
    );
    // Links that stay inside the site are followed.
    std::fs::remove_file(root.join("content/linked")).unwrap();
    std::fs::write(root.join("notes.txt"), "inside").unwrap();
    std::os::unix::fs::symlink("../notes.txt", root.join("static/notes.txt")).unwrap();
    build_ok(&root);
    assert_eq!(
        std::fs::read_to_string(root.join("public/notes.txt")).unwrap(),
        "inside"
    );
}

// ---------------------------------------------------------------------------
// Bug 6: one failed publish blocked every later build; concurrent builds.

#[cfg(unix)]
#[test]
fn bug6_a_publish_that_fails_half_way_is_cleaned_up_by_the_next_build() {
    let dir = fixture("basic");
    let root = dir.path();
    build_ok(root);
    // Change every page (a new site title), and put an obstacle where one page goes.
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    let mut lines: Vec<String> = toml.lines().map(String::from).collect();
    for l in &mut lines {
        if l.starts_with("title") {
            *l = "title = \"Renamed site\"".into();
        }
    }
    std::fs::write(root.join("site.toml"), lines.join("\n") + "\n").unwrap();
    let obstacle = root.join("public/en/contoso-mail/100/index.html");
    std::fs::remove_file(&obstacle).unwrap();
    std::fs::create_dir_all(obstacle.join("x")).unwrap();
    let f = build(root).expect_err("the rename onto a folder fails");
    assert!(f.to_string().contains("cannot publish"), "{f}");
    // The next build, once the obstacle is gone, cleans up and publishes.
    std::fs::remove_dir_all(&obstacle).unwrap();
    build_ok(root);
    assert!(!root.join(".public.eventref-staging").exists());
    let title = texts(&page(root, "en/contoso-mail/100/index.html"), "title").join("");
    assert!(title.contains("Renamed site"), "{title}");
}

/// A second build into the same folder waits for the first, saying why.
#[test]
fn bug6_concurrent_builds_take_turns_with_a_lock() {
    let dir = fixture("basic");
    let root = dir.path();
    build_ok(root);
    let lock_path = root.join(".public.eventref-lock");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    lock.lock().unwrap();
    let mut cmd = eventref();
    cmd.args(["build", "--no-search", "--root"]).arg(root);
    let mut b = Running::start(cmd);
    b.wait_for("another build is writing here");
    drop(lock);
    drop(b);
    // Several builds at once all succeed, and the manifest lists every file.
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let root = root.to_path_buf();
            std::thread::spawn(move || {
                let site = eventref::Site::load(&root).unwrap();
                site.build(&eventref::BuildOptions::default())
                    .map(|_| ())
                    .map_err(|f| f.to_string())
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    let manifest = std::fs::read_to_string(root.join("public").join(eventref::output::MANIFEST)).unwrap();
    let listed: std::collections::BTreeSet<&str> = manifest.lines().filter(|l| !l.starts_with('#')).collect();
    for f in files_in(&root.join("public")) {
        if !f.starts_with(".eventref") {
            assert!(listed.contains(f.as_str()), "{f} missing from the manifest");
        }
    }
}

// ---------------------------------------------------------------------------
// Bug 7: importers and `new` could inject YAML.

fn import_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures/import/site"), dir.path());
    dir
}

fn check_accepts(root: &Path) {
    let (ok, d) = check(root);
    assert!(
        ok,
        "check failed:\n{}",
        d.render(eventref::diagnostics::Format::Human, false)
    );
}

const CSV_HEADER: &str = "Provider, Level, Event ID, Version, Channel, Task, Opcode, Keyword, Message\n";

#[test]
fn bug7_a_carriage_return_in_a_csv_column_is_refused_by_row() {
    let site = import_site();
    let input = tempfile::tempdir().unwrap();
    let csv = input.path().join("Contoso.csv");
    std::fs::write(
        &csv,
        format!(
            "{CSV_HEADER}Contoso,Error,1,0,Application,,,,Good row\n\
             Contoso,x\rexplanation: \"INJECTED\"\r#,2,0,Application,,,,Bad row\n"
        ),
    )
    .unwrap();
    let mut cmd = eventref();
    cmd.args(["import", "csv", "--root"]).arg(site.path()).arg(&csv);
    let (code, stderr) = run_for(cmd, 60).unwrap();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("import-refused"), "{stderr}");
    assert!(stderr.contains("Contoso.csv:3"), "the row is named: {stderr}");
    check_accepts(site.path());
    for f in files_in(&site.path().join("content")) {
        let text = std::fs::read_to_string(site.path().join("content").join(&f)).unwrap();
        assert!(!text.contains("INJECTED"), "{f}:\n{text}");
    }
}

#[cfg(unix)]
#[test]
fn bug7_an_input_file_name_cannot_break_the_header_comment() {
    let site = import_site();
    let input = tempfile::tempdir().unwrap();
    let csv = input.path().join("evil\nexplanation: INJECTED\n#.csv");
    std::fs::write(
        &csv,
        format!("{CSV_HEADER}Contoso,Error,1,0,Application,,,,Hello\n"),
    )
    .unwrap();
    eventref::import::csv::import(site.path(), std::slice::from_ref(&csv), false).unwrap();
    check_accepts(site.path());
    let site_ok = eventref::Site::load(site.path()).unwrap();
    let r = site_ok.build(&eventref::BuildOptions {
        search: false,
        ..Default::default()
    });
    r.unwrap_or_else(|f| panic!("{f}"));
    for (path, bytes) in tree(&site.path().join("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("INJECTED"), "{path}");
    }
}

#[test]
fn bug7_an_oversized_message_is_refused_at_import() {
    let site = import_site();
    let input = tempfile::tempdir().unwrap();
    let csv = input.path().join("Big.csv");
    std::fs::write(
        &csv,
        format!(
            "{CSV_HEADER}Contoso,Error,1,0,Application,,,,{}\n",
            "a".repeat(5 * 1024 * 1024)
        ),
    )
    .unwrap();
    let report = eventref::import::csv::import(site.path(), &[csv], false).unwrap();
    assert_eq!(report.diagnostics.error_count(), 1);
    assert!(
        report
            .diagnostics
            .render(eventref::diagnostics::Format::Human, false)
            .contains("MB limit")
    );
    assert_eq!(report.records.created, 0);
    check_accepts(site.path());
}

#[test]
fn bug7_new_refuses_control_characters_in_the_source() {
    let site = import_site();
    let mut cmd = eventref();
    cmd.args(["new", "--root"])
        .arg(site.path())
        .args(["Y\rexplanation: X", "6"]);
    let (code, stderr) = run_for(cmd, 60).unwrap();
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("invalid-source"), "{stderr}");
    check_accepts(site.path());
    assert!(files_in(&site.path().join("content")).is_empty());
}

// ---------------------------------------------------------------------------
// Bug 8: rendering errors was quadratic in the size of the file.

/// An `.mc` file of `messages` messages, every 27th with an error (at most
/// `max_bad`); returns the text and the number of errors planted.
fn mc_with_errors(messages: u32, max_bad: u32) -> (String, u32) {
    let mut mc = String::from("MessageIdTypedef=DWORD\n\n");
    let mut bad = 0;
    for i in 0..messages {
        let severity = if i % 27 == 0 && bad < max_bad {
            bad += 1;
            "Bogus"
        } else {
            "Error"
        };
        mc.push_str(&format!(
            "MessageId={}\nSeverity={severity}\nSymbolicName=MSG_{i}\nLanguage=English\nMessage number {i} about %1.\n.\n\n",
            i % 60_000 + 1
        ));
    }
    (mc, bad)
}

/// Parse `mc` and render its errors both ways; the diagnostics and the time.
fn report_errors(mc: &str) -> (eventref::diagnostics::Diagnostics, String, String, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.mc");
    std::fs::write(&file, mc).unwrap();
    let start = Instant::now();
    let errors = eventref::import::mc::parse(&file, mc).expect_err("errors");
    let mut ds = eventref::diagnostics::Diagnostics::new();
    for d in errors {
        ds.push(d);
    }
    let human = ds.render(eventref::diagnostics::Format::Human, false);
    let json = ds.render(eventref::diagnostics::Format::Json, false);
    (ds, human, json, start.elapsed())
}

/// 68,000 messages with 2,465 errors are all reported, with the right lines,
/// in time linear in the file's size. Linear is checked against a quarter of
/// the file rather than against a fixed bound, so that a busy machine does
/// not fail it: four times the messages and errors may take at most ten
/// times as long (the quadratic version took sixteen times as long, and
/// minutes in all).
#[test]
fn bug8_many_errors_in_a_big_mc_file_report_in_linear_time() {
    let (mc, bad) = mc_with_errors(68_000, 2465);
    assert_eq!(bad, 2465);
    let (small, small_bad) = mc_with_errors(17_000, 2465);
    assert_eq!(small_bad, 630);
    let mut big_time = Duration::MAX;
    let mut small_time = Duration::MAX;
    for _ in 0..2 {
        let (ds, human, json, elapsed) = report_errors(&mc);
        big_time = big_time.min(elapsed);
        assert!(ds.error_count() >= 2465, "{}", ds.error_count());
        // The snippets still show the right lines.
        assert!(
            human.contains("Severity=Bogus"),
            "{}",
            &human[..2000.min(human.len())]
        );
        assert!(json.contains("\"source_line\": \"Severity=Bogus\""));
        small_time = small_time.min(report_errors(&small).3);
    }
    assert!(
        big_time < small_time * 10 + Duration::from_millis(200),
        "4x the input took {big_time:?} against {small_time:?}"
    );
}

// ---------------------------------------------------------------------------
// Bug 9: the smaller ones.

fn served_fixture() -> (tempfile::TempDir, eventref::serve::DevServer) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("index.html"), "<html><body>Home</body></html>").unwrap();
    let server =
        eventref::serve::DevServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, tmp.path().to_path_buf())
            .unwrap();
    (tmp, server)
}

#[test]
fn bug9_live_reload_connections_are_capped() {
    let (_tmp, server) = served_fixture();
    let addr = server.addr();
    let open_stream = || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET /__eventref/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut head = [0u8; 12];
        s.read_exact(&mut head).unwrap();
        (s, String::from_utf8_lossy(&head).into_owned())
    };
    let mut streams = Vec::new();
    for _ in 0..64 {
        let (s, head) = open_stream();
        assert!(head.ends_with("200"), "{head}");
        streams.push(s);
    }
    let (_, head) = open_stream();
    assert!(head.ends_with("503"), "the 65th stream: {head}");
    // Pages are still served.
    assert!(http(addr, "GET / HTTP/1.1\r\nHost: localhost").starts_with("HTTP/1.1 200"));
    // Closed streams free their places.
    drop(streams);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, head) = open_stream();
        if head.ends_with("200") {
            break;
        }
        assert!(Instant::now() < deadline, "places were never freed");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn bug9_two_host_headers_are_refused() {
    let (_tmp, server) = served_fixture();
    let addr = server.addr();
    let one = http(addr, "GET / HTTP/1.1\r\nHost: localhost");
    assert!(one.starts_with("HTTP/1.1 200"), "{one}");
    for head in [
        "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example",
        "GET / HTTP/1.1\r\nHost: localhost\r\nHost: localhost",
    ] {
        let r = http(addr, head);
        assert!(r.starts_with("HTTP/1.1 400"), "{head}: {r}");
    }
}

#[test]
fn bug9_links_to_other_hosts_are_not_site_paths() {
    for url in [
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\\/evil.example/",
        // Not relative paths either: a backslash, a scheme, a space.
        "\\\\evil.example/",
        "javascript:alert(1)",
        " //evil.example/",
        "../1/ x",
    ] {
        let record = format!(
            "source: Foo\nid: 1\nmessage: x\nlinks:\n  - {{ title: t, url: {} }}\n",
            serde_json::to_string(url).unwrap()
        );
        let dir = site_with(&[("a.yaml", &record)]);
        let (ok, d) = check(dir.path());
        assert!(!ok, "{url:?} was accepted");
        assert_eq!(codes(&d), ["invalid-link"], "{url:?}");
    }
    let dir = site_with(&[(
        "a.yaml",
        "source: Foo\nid: 1\nmessage: x\nlinks:\n  - { title: t, url: \"/en/foo/1/\" }\n  - { title: r, url: \"../1/\" }\n",
    )]);
    assert!(check(dir.path()).0);
}

/// 60,000 language names merge in linear time (the quadratic merge took
/// 2.6 s in a release build; the bound allows for a debug build).
#[test]
fn bug9_many_language_names_merge_in_linear_time() {
    let mut mc = String::from("LanguageNames=(");
    for i in 0..60_000u32 {
        mc.push_str(&format!("Lang{i}=0x{:x}:MSG{i} ", i % 0xFFFF + 1));
    }
    mc.push_str(")\nLanguageNames=(");
    for i in 0..60_000u32 {
        mc.push_str(&format!("LANG{i}=0x{:x}:MSG{i} ", (i + 7) % 0xFFFF + 1));
    }
    mc.push_str(")\nMessageId=1\nLanguage=Lang59999\nHello.\n.\n");
    let start = Instant::now();
    let r = eventref::import::mc::parse(Path::new("langs.mc"), &mc);
    let elapsed = start.elapsed();
    let _ = r;
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}
