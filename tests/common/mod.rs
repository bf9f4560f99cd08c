//! Helpers shared by the integration tests: fixture copies, builds, HTML parsing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy `tests/fixtures/<name>` into a fresh temporary directory and return it.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
    dir
}

/// [`site_with`] for records made at run time (file names and texts as `String`s).
pub fn site_with_made(records: &[(String, String)]) -> tempfile::TempDir {
    let refs: Vec<(&str, &str)> = records.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    site_with(&refs)
}

/// A temporary site with only `site.toml` and the given records.
pub fn site_with(records: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    for (name, text) in records {
        let p = dir.path().join("content").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Build the site at `root` into `root/public` with the library API.
pub fn build(root: &Path) -> Result<eventref::BuildReport, eventref::Failure> {
    let site = eventref::Site::load(root)?;
    site.build(&eventref::BuildOptions::default())
}

/// Build and panic with the rendered diagnostics on failure.
pub fn build_ok(root: &Path) -> eventref::BuildReport {
    match build(root) {
        Ok(r) => r,
        Err(f) => panic!("build failed:\n{f}"),
    }
}

/// Load a site and run `check`, returning the diagnostics either way.
pub fn check(root: &Path) -> (bool, eventref::diagnostics::Diagnostics) {
    let site = eventref::Site::load(root).expect("config loads");
    match site.check(false, None) {
        Ok(d) => (true, d),
        Err(f) => (false, f.diagnostics),
    }
}

/// Parse an output file as HTML.
pub fn page(root: &Path, path: &str) -> Html {
    let file = root.join("public").join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    Html::parse_document(&text)
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The trimmed text of every element matching `selector`.
pub fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The value of `attr` on every element matching `selector`.
pub fn attrs(doc: &Html, selector: &str, attr: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .filter_map(|e| e.value().attr(attr).map(String::from))
        .collect()
}

/// The folders `built` (made by the way under test, called `label`) and
/// `full` (a fresh full build) hold the same files with the same bytes.
pub fn assert_same_tree(built: &Path, full: &Path, label: &str, what: &str) {
    let (a, b) = (tree(built), tree(full));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "after {what}: different files");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "after {what}: {name} differs from a full build\n--- {label}\n{}\n--- full\n{}",
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        );
    }
}

/// Every file under `dir`, relative, sorted, with its bytes.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The codes of all diagnostics.
pub fn codes(d: &eventref::diagnostics::Diagnostics) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

/// A running long-lived command (`eventref serve`): its stderr lines arrive on
/// a channel, and it is stopped when dropped.
pub struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// Every stderr line read so far.
    pub log: String,
}

impl Running {
    /// Start `cmd` with its stderr captured.
    pub fn start(mut cmd: std::process::Command) -> Running {
        use std::io::BufRead;
        let mut child = cmd
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the command starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Running {
            child,
            lines,
            log: String::new(),
        }
    }

    /// The next stderr line containing `needle` (panics after 60 s).
    pub fn wait_for(&mut self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(std::time::Duration::from_millis(100)) {
                self.log.push_str(&line);
                self.log.push('\n');
                if line.contains(needle) {
                    return line;
                }
            }
        }
        panic!("never printed {needle:?}; stderr so far:\n{}", self.log);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sink that records which paths a render wrote.
#[derive(Default)]
pub struct Recorder(pub std::sync::Mutex<Vec<String>>);

impl eventref::render::PageSink for Recorder {
    fn put(&self, path: &str, _: &[u8]) -> std::io::Result<()> {
        self.0.lock().unwrap().push(path.to_string());
        Ok(())
    }
}

/// The files rendered, in memory, after `edit` changed the event with ID `id`
/// of the site at `root` (the pages `Selection::for_edits` picks).
pub fn rendered_after(root: &Path, id: u16, edit: impl Fn(&mut eventref::content::Event)) -> Vec<String> {
    let site = eventref::Site::load(root).unwrap();
    let theme = eventref::render::theme::Theme::load(&site.config).unwrap();
    let mut content = site.content.clone();
    let i = content.events.iter().position(|e| e.id == id).unwrap();
    let old = vec![content.events[i].clone()];
    edit(&mut content.events[i]);
    let selection = eventref::render::Selection::for_edits(&old, &content);
    let sink = Recorder::default();
    eventref::render::render_pages(
        &site.config,
        &content,
        &theme,
        &sink,
        &eventref::render::NoProgress,
        &selection,
    )
    .unwrap();
    sink.0.into_inner().unwrap()
}
