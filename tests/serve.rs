//! The development server's HTTP layer: static files, path safety and the live-reload stream.
//!
//! Requests are written by hand over `TcpStream`, so that no client normalizes
//! the path before the server sees it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use eventref::serve::{DevServer, LiveDiagnostic, LiveEvent, SCRIPT_TAG};

mod common;

const SECRET: &str = "TOP-SECRET-7c1e9a";

struct Fixture {
    /// Holds the served directory (`site/`) and, beside it, the secret (`outside/`).
    _tmp: tempfile::TempDir,
    server: DevServer,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(site.join("sub")).unwrap();
    std::fs::create_dir_all(site.join("de")).unwrap();
    std::fs::create_dir_all(site.join("static")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!DOCTYPE html><html><body><h1>Home</h1></body></html>",
    )
    .unwrap();
    std::fs::write(site.join("sub/index.html"), "<html><body>Sub page</body></html>").unwrap();
    std::fs::write(site.join("static/site.css"), "body { color: red } /* </body> */").unwrap();
    std::fs::write(site.join("data.json"), "{}").unwrap();
    std::fs::write(site.join("search.wasm"), b"\0asm").unwrap();
    std::fs::write(site.join("x.pf_fragment"), b"\x1f\x8b").unwrap();
    std::fs::write(
        site.join("404.html"),
        "<html><body>Root not found page</body></html>",
    )
    .unwrap();
    std::fs::write(
        site.join("de/404.html"),
        "<html><body>Nicht gefunden</body></html>",
    )
    .unwrap();
    std::fs::write(site.join(".eventref-manifest"), "# manifest").unwrap();
    std::fs::write(outside.join("secret"), SECRET).unwrap();
    std::fs::write(tmp.path().join("secret"), SECRET).unwrap();
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::write(outside.join("dir/index.html"), SECRET).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(outside.join("secret"), site.join("link-to-secret")).unwrap();
        symlink(&outside, site.join("linkdir")).unwrap();
        symlink(outside.join("dir"), site.join("linkdir2")).unwrap();
        symlink(site.join("static/site.css"), site.join("inner-link.css")).unwrap();
    }
    let server = DevServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, site).unwrap();
    Fixture { _tmp: tmp, server }
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send a raw request (the request line and headers up to, not including, the blank line).
fn raw(addr: SocketAddr, head: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "{head}\r\nConnection: close\r\n\r\n").unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8(bytes[..split].to_vec()).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    raw(
        addr,
        &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}", addr.port()),
    )
}

#[test]
fn binds_where_asked_and_serves_pages() {
    let f = fixture();
    let addr = f.server.addr();
    assert_eq!(addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_ne!(addr.port(), 0);

    let home = get(addr, "/");
    assert_eq!(home.status, 200, "{}", home.head);
    assert_eq!(home.header("content-type").unwrap(), "text/html; charset=utf-8");
    assert_eq!(home.header("cache-control").unwrap(), "no-store");
    assert!(
        home.text()
            .ends_with(&format!("<h1>Home</h1>{SCRIPT_TAG}</body></html>")),
        "{}",
        home.text()
    );
    assert_eq!(
        home.header("content-length").unwrap(),
        home.body.len().to_string()
    );

    let page = get(addr, "/index.html");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Home"));

    let sub = get(addr, "/sub/");
    assert_eq!(sub.status, 200);
    assert!(sub.text().contains("Sub page") && sub.text().contains(SCRIPT_TAG));

    let css = get(addr, "/static/site.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type").unwrap(), "text/css; charset=utf-8");
    assert_eq!(
        css.text(),
        "body { color: red } /* </body> */",
        "no script in CSS"
    );

    for (path, ty) in [
        ("/data.json", "application/json"),
        ("/search.wasm", "application/wasm"),
        ("/x.pf_fragment", "application/octet-stream"),
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").unwrap(), ty, "{path}");
    }

    #[cfg(unix)]
    {
        let inner = get(addr, "/inner-link.css");
        assert_eq!(inner.status, 200, "a symlink inside the directory is fine");
        assert!(inner.text().starts_with("body"));
    }
}

#[test]
fn directories_redirect_to_the_slash_form() {
    let f = fixture();
    let addr = f.server.addr();
    let r = get(addr, "/sub");
    assert!(r.status == 301 || r.status == 308, "{}", r.head);
    assert_eq!(r.header("location").unwrap(), "/sub/");
    let r = get(addr, "/sub?x=1");
    assert_eq!(r.header("location").unwrap(), "/sub/?x=1");
    // No protocol-relative open redirect from `//host`-shaped paths.
    let r = get(addr, "//sub");
    assert_eq!(r.header("location").unwrap(), "/sub/");
}

#[test]
fn unknown_paths_get_the_sites_404_page() {
    let f = fixture();
    let addr = f.server.addr();
    let r = get(addr, "/nope/");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("Root not found page"), "{}", r.text());
    assert!(r.text().contains(SCRIPT_TAG));
    assert_eq!(r.header("content-type").unwrap(), "text/html; charset=utf-8");
    let r = get(addr, "/de/nichts");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("Nicht gefunden"), "{}", r.text());
    // A file asked for as a directory, and the dotfile manifest, are not found either.
    assert_eq!(get(addr, "/static/site.css/").status, 404);
    assert_eq!(get(addr, "/.eventref-manifest").status, 404);
}

#[test]
fn head_and_methods() {
    let f = fixture();
    let addr = f.server.addr();
    let r = raw(
        addr,
        &format!(
            "HEAD /static/site.css HTTP/1.1\r\nHost: localhost:{}",
            addr.port()
        ),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type").unwrap(), "text/css; charset=utf-8");
    assert!(r.body.is_empty(), "HEAD has no body");
    let r = raw(addr, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow").unwrap(), "GET, HEAD");
}

#[test]
fn nothing_outside_the_directory_is_served() {
    let f = fixture();
    let addr = f.server.addr();
    let attacks = [
        "/../secret",
        "/../outside/secret",
        "/%2e%2e/secret",
        "/%2e%2e/outside/secret",
        "/%2E%2E%2Fsecret",
        "/%2E%2E%2Foutside%2Fsecret",
        "/sub/..%2f..%2fsecret",
        "/sub/..%2f..%2foutside%2fsecret",
        "/..\\secret",
        "/..%5csecret",
        "/%252e%252e/secret",
        "/%252e%252e/outside/secret",
        "/./../secret",
        "/sub/../../secret",
        "/%00/../secret",
        "/link-to-secret",
        "/linkdir/secret",
        "/linkdir/dir/",
        "/linkdir2/",
        "/linkdir2/index.html",
        "/linkdir",
        "http://127.0.0.1/../secret",
        "http://127.0.0.1/%2e%2e/outside/secret",
    ];
    for target in attacks {
        let r = get(addr, target);
        assert!(
            matches!(r.status, 400 | 404),
            "{target}: status {}\n{}",
            r.status,
            r.head
        );
        assert!(!r.text().contains(SECRET), "{target} leaked the secret");
        if r.status == 404 {
            // The 404 page, not an empty error: the request reached the file lookup.
            assert!(
                r.text().contains("not found") || r.text().contains("Not found"),
                "{target}"
            );
        }
    }
    // The same files are there to be leaked: a symlink's target exists.
    assert!(Path::new(&f._tmp.path().join("outside/secret")).exists());
}

#[test]
fn foreign_host_names_are_refused_on_loopback() {
    let f = fixture();
    let addr = f.server.addr();
    let r = raw(addr, "GET / HTTP/1.1\r\nHost: evil.example");
    assert_eq!(r.status, 403);
    assert!(!r.text().contains("Home"));
    let r = raw(addr, "GET / HTTP/1.1\r\nHost: localhost.evil.example:80");
    assert_eq!(r.status, 403);
    for host in ["localhost", "127.0.0.1:1234", "[::1]:5", "docs.localhost"] {
        let r = raw(addr, &format!("GET / HTTP/1.1\r\nHost: {host}"));
        assert_eq!(r.status, 200, "{host}");
    }
}

/// An open `/__eventref/events` stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            stream,
            "GET /__eventref/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            addr.port()
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "{head}"
        );
        Events { reader }
    }

    /// The next event's `(type, data, id)`, skipping comments (keep-alives)
    /// and chunked-encoding size lines.
    fn next(&mut self) -> (String, String, String) {
        let (mut event, mut data, mut id) = (String::new(), String::new(), String::new());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            assert!(Instant::now() < deadline, "no event in time");
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).unwrap();
            assert!(n > 0, "the stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("event:") {
                event = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.strip_prefix(' ').unwrap_or(v));
            } else if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().to_string();
            } else if line.is_empty() && !event.is_empty() {
                return (event, data, id);
            }
        }
    }
}

fn diagnostic() -> LiveDiagnostic {
    LiveDiagnostic {
        file: Some("content/a.yaml".into()),
        line: Some(3),
        column: Some(7),
        severity: "error".into(),
        message: "unknown field `explanaton` <script>".into(),
        help: Some("did you mean `explanation`?".into()),
        snippet: Some("3 | explanaton: x\n  | ^^^^^^^^^^".into()),
    }
}

#[test]
fn live_reload_stream() {
    let f = fixture();
    let addr = f.server.addr();

    let js = get(addr, "/__eventref/live.js");
    assert_eq!(js.status, 200);
    assert_eq!(
        js.header("content-type").unwrap(),
        "text/javascript; charset=utf-8"
    );
    assert!(js.text().contains("EventSource(\"/__eventref/events\")"));

    let mut events = Events::open(addr);
    let (kind, _, first_id) = events.next();
    assert_eq!(kind, "ok");

    f.server.notify(LiveEvent::Reload);
    let (kind, _, reload_id) = events.next();
    assert_eq!(kind, "reload");
    assert_ne!(reload_id, first_id, "a reload changes the id");

    f.server.notify(LiveEvent::Error(vec![diagnostic()]));
    let (kind, data, error_id) = events.next();
    assert_eq!(kind, "error");
    assert_eq!(error_id, reload_id, "an error does not change the id");
    let json: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(json[0]["file"], "content/a.yaml");
    assert_eq!(json[0]["line"], 3);
    assert_eq!(json[0]["column"], 7);
    assert_eq!(json[0]["severity"], "error");
    assert_eq!(json[0]["message"], "unknown field `explanaton` <script>");
    assert_eq!(json[0]["help"], "did you mean `explanation`?");
    assert_eq!(json[0]["snippet"], "3 | explanaton: x\n  | ^^^^^^^^^^");

    // A browser that connects now learns of the error first.
    let mut late = Events::open(addr);
    let (kind, data, _) = late.next();
    assert_eq!(kind, "error");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&data).unwrap(), json);

    // Both hear the fix; a browser connecting after it is told all is well.
    f.server.notify(LiveEvent::Reload);
    assert_eq!(events.next().0, "reload");
    assert_eq!(late.next().0, "reload");
    let mut later = Events::open(addr);
    let (kind, _, id) = later.next();
    assert_eq!(kind, "ok");
    assert_ne!(id, reload_id);
}

#[test]
fn shutdown_frees_the_port_and_ends_streams() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("index.html"), "hi").unwrap();
    let server = DevServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, tmp.path().to_path_buf()).unwrap();
    let addr = server.addr();
    let mut events = Events::open(addr);
    assert_eq!(events.next().0, "ok");
    let started = Instant::now();
    server.shutdown();
    assert!(started.elapsed() < Duration::from_secs(5), "shutdown hung");
    let mut rest = Vec::new();
    let _ = events.reader.read_to_end(&mut rest);
    // Ended with the last chunk, not cut: a browser sees a closed stream and
    // reconnects, without a network error in its console.
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.ends_with("0\r\n\r\n"), "{rest:?}");
    // The same port can be bound again, and a new server there has a new id.
    let again = DevServer::start(addr.ip(), addr.port(), tmp.path().to_path_buf()).unwrap();
    assert_eq!(again.addr(), addr);
    assert_eq!(get(addr, "/").status, 200);
}

#[test]
fn a_missing_directory_is_404_until_it_appears() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("public");
    let server = DevServer::start(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, dir.clone()).unwrap();
    assert_eq!(get(server.addr(), "/").status, 404);
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<p>built").unwrap();
    let r = get(server.addr(), "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), format!("<p>built{SCRIPT_TAG}"));
}

#[test]
fn the_server_can_be_shared_with_a_watcher_thread() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<DevServer>();
    send_sync::<LiveEvent>();
}

/// `eventref serve` as users start it: it binds to 127.0.0.1 by default, serves
/// the built site with the live-reload script, refuses traversal, and
/// republishes a saved record.
#[test]
fn the_serve_command_binds_to_loopback_and_republishes_saves() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    common::copy_dir(&fixtures, &site);
    std::fs::write(tmp.path().join("secret.txt"), SECRET).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_eventref"));
    cmd.args(["serve", "--port", "0", "--no-search", "--root"])
        .arg(&site)
        .arg("--output")
        .arg(tmp.path().join("out"));
    let mut serve = common::Running::start(cmd);
    let serving = serve.wait_for("Serving http://");
    let url = serving.split_whitespace().nth(1).unwrap();
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    assert_eq!(addr.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST), "{serving}");
    let get = |path: &str| {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    let page = get("/en/contoso-mail/100/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains(SCRIPT_TAG), "the live-reload script is injected");
    for attack in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/en/..%2f..%2f..%2fsecret.txt",
    ] {
        let r = get(attack);
        assert!(!r.contains(SECRET), "{attack} leaked the secret");
        assert!(!r.starts_with("HTTP/1.1 200"), "{attack}: {r}");
    }
    // A save is republished.
    let record = site.join("content/contoso/100.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(
        &record,
        text.replacen("explanation: |\n", "explanation: |\n  Freshly saved text.\n\n", 1),
    )
    .unwrap();
    serve.wait_for("content/contoso/100.yaml");
    assert!(get("/en/contoso-mail/100/").contains("Freshly saved text."));
}

/// `--open` hands the served address to the desktop's opener (`xdg-open` on
/// Linux); a stand-in on PATH records what it was given.
#[cfg(target_os = "linux")]
#[test]
fn open_hands_the_address_to_the_browser() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    common::copy_dir(&common::repo().join("tests/fixtures/basic"), &site);
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = tmp.path().join("opened.txt");
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", record.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_eventref"));
    cmd.args(["serve", "--port", "0", "--no-search", "--open", "--root"])
        .arg(&site)
        .arg("--output")
        .arg(tmp.path().join("out"))
        .env("PATH", path);
    let mut serve = common::Running::start(cmd);
    let serving = serve.wait_for("Serving ");
    let deadline = Instant::now() + Duration::from_secs(20);
    let written = || std::fs::read_to_string(&record).is_ok_and(|t| t.ends_with('\n'));
    while !written() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(serve);
    let opened = std::fs::read_to_string(&record).expect("the opener was called");
    let url = serving.split_whitespace().nth(1).unwrap();
    assert_eq!(opened.trim(), url);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
}
