//! The `eventref serve` session: builds a [`Preview`], serves its output with
//! the [`DevServer`], and on every batch of changes from the [`Watcher`]
//! republishes the affected pages and tells the browsers to reload (or to show
//! the errors). Search data is brought up to date by a background thread after
//! the reload, so that it never delays one.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use super::watch::Watcher;
use crate::diagnostics::{Diagnostic, Format};
use crate::error::Failure;
use crate::serve::{DevServer, LiveEvent};
use crate::site::{IndexJob, Preview, PreviewOptions, Update};

/// The output folder `serve` uses when none is given: private to the user.
///
/// Under the user's cache folder (`$XDG_CACHE_HOME/eventref/serve/<site>/` or
/// `~/.cache/eventref/serve/<site>/`, `%LOCALAPPDATA%\eventref\serve\<site>\`)
/// whose `eventref/serve` part is created with mode 0700 and must not be open
/// to other users; where there is no such folder, a fresh temporary folder
/// (mode 0700, random name) that is removed when the value is dropped. Never a
/// predictable path in a folder other users can write to.
pub struct DefaultOutput {
    /// The output folder (it may not exist yet).
    pub path: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl DefaultOutput {
    /// The private output folder for the site at `root`.
    pub fn for_site(root: &std::path::Path) -> std::io::Result<DefaultOutput> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let id = crate::content::short_hash(&root.to_string_lossy());
        if let Some(base) = cache_dir()
            && let Ok(dir) = private_dir(&base.join("eventref").join("serve"))
        {
            return Ok(DefaultOutput {
                path: dir.join(id),
                _temp: None,
            });
        }
        let temp = tempfile::Builder::new().prefix("eventref-serve-").tempdir()?;
        Ok(DefaultOutput {
            path: temp.path().join("site"),
            _temp: Some(temp),
        })
    }
}

fn cache_dir() -> Option<PathBuf> {
    let non_empty = |v: std::ffi::OsString| (!v.is_empty()).then(|| PathBuf::from(v));
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA").and_then(non_empty);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(non_empty)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(non_empty)
                .map(|h| h.join(".cache"))
        })
        .filter(|p| p.is_absolute())
}

/// Create `dir` (mode 0700) and check that no other user can get into it.
fn private_dir(dir: &std::path::Path) -> std::io::Result<PathBuf> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // Both levels we own: `eventref/` and `eventref/serve/`.
        let mine = std::fs::symlink_metadata(dir.parent().unwrap_or(dir))?.uid();
        for d in [dir.parent().unwrap_or(dir), dir] {
            let m = std::fs::symlink_metadata(d)?;
            if !m.is_dir() || m.uid() != mine || m.permissions().mode() & 0o077 != 0 {
                return Err(std::io::Error::other(format!("{} is not private", d.display())));
            }
        }
        // And that owner is us: a folder we can create files in with our uid.
        let probe = tempfile::tempfile_in(dir)?;
        if probe.metadata()?.uid() != mine {
            return Err(std::io::Error::other(format!(
                "{} belongs to another user",
                dir.display()
            )));
        }
    }
    Ok(dir.to_path_buf())
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The output folder the server reads from (eventref's own).
    pub output: PathBuf,
    /// The address to listen on (`127.0.0.1` unless asked otherwise).
    pub bind: IpAddr,
    /// The port (0: any free port).
    pub port: u16,
    /// Build the full-text index.
    pub search: bool,
    /// Treat warnings as errors.
    pub strict: bool,
    /// Colour in terminal diagnostics.
    pub color: bool,
}

/// A running session, as returned by [`start`].
pub struct Session {
    server: DevServer,
    preview: Preview,
    watcher: Watcher,
    index: mpsc::Sender<(u64, IndexJob)>,
    generation: Arc<AtomicU64>,
    color: bool,
    /// The last update failed (the browsers show an error overlay).
    failed: bool,
}

/// Read the site, check the output folder, start the server and the watcher,
/// and publish the first build. Every safety check on the output folder runs
/// before it is created and before a socket is bound, and a refused first build
/// (exit code 2) ends the session. Errors in the content of the first build do
/// not stop it (they are shown in the terminal and in the browser).
pub fn start(opts: ServeOptions) -> Result<Session, Failure> {
    let io =
        |what: &str, e: std::io::Error| Failure::config(Diagnostic::error("serve", format!("{what}: {e}")));
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| io("cannot open the site folder", e))?;
    let config = crate::config::Config::load(&root).map_err(|d| Failure::config(*d))?;
    crate::output::Output::check(&config, &opts.output).map_err(|d| Failure::config(*d))?;
    // The server needs the folder to exist; an empty folder is fine for a first build.
    std::fs::create_dir_all(&opts.output).map_err(|e| io("cannot create the output folder", e))?;
    let output = opts
        .output
        .canonicalize()
        .map_err(|e| io("cannot open the output folder", e))?;
    let server = DevServer::start(opts.bind, opts.port, output.clone()).map_err(|e| {
        let in_use = e.kind() == std::io::ErrorKind::AddrInUse;
        let mut f = io(&format!("cannot listen on {}:{}", opts.bind, opts.port), e);
        if in_use {
            f = Failure::config(
                Diagnostic::error(
                    "serve",
                    format!("port {} on {} is already in use", opts.port, opts.bind),
                )
                .help(format!(
                    "another program (perhaps another `eventref serve`) listens there: stop it, pick another port with --port {}, or --port 0 for any free port",
                    opts.port.wrapping_add(1).max(1024)
                )),
            );
        }
        f
    })?;
    let base_url = format!("http://{}/", server.addr());
    let preview = Preview::open(
        &root,
        PreviewOptions {
            output: output.clone(),
            base_url: Some(base_url),
            search: opts.search,
            strict: opts.strict,
        },
    )?;
    let ignore = vec![output.clone(), root.join(".git"), root.join("target")];
    let watcher = Watcher::new(&root, ignore).map_err(|e| {
        Failure::config(Diagnostic::error(
            "serve",
            format!("cannot watch {}: {e}", root.display()),
        ))
    })?;
    let generation = Arc::new(AtomicU64::new(0));
    let index = spawn_indexer(generation.clone());
    let mut session = Session {
        server,
        preview,
        watcher,
        index,
        generation,
        color: opts.color,
        failed: false,
    };
    match session.preview.build() {
        // Refused (an unsafe output folder): stop serving at once.
        Err(f) if f.exit_code() == 2 => return Err(f),
        result => session.report(&[], result),
    }
    Ok(session)
}

impl Session {
    /// Where the site is served.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Watch and republish until the watcher stops.
    pub fn run(mut self) {
        while let Some(paths) = self.watcher.next_batch() {
            let relevant: Vec<PathBuf> = paths
                .into_iter()
                .filter(|p| self.preview.classify(p) != crate::site::Change::Ignored)
                .collect();
            if relevant.is_empty() {
                continue;
            }
            let result = self.preview.update(&relevant);
            self.report(&relevant, result);
        }
        self.server.shutdown();
    }

    fn report(&mut self, paths: &[PathBuf], result: Result<Update, Failure>) {
        let root = self.preview.config().root.clone();
        let names: Vec<String> = paths
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
            .collect();
        let what = if names.is_empty() {
            "build".to_string()
        } else {
            names.join(", ")
        };
        match result {
            Ok(u) => {
                if !u.diagnostics.is_empty() {
                    eprint!("{}", u.diagnostics.render(Format::Human, self.color));
                }
                let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
                // Reload when a page changed, or to take down an error overlay.
                if u.written > 0 || self.failed {
                    self.server.notify(LiveEvent::Reload);
                }
                self.failed = false;
                eprintln!(
                    "{what}: {} page{} rendered, {} written in {:.0} ms{}",
                    u.pages,
                    if u.pages == 1 { "" } else { "s" },
                    u.written,
                    u.elapsed.as_secs_f64() * 1000.0,
                    if u.full { " (full rebuild)" } else { "" }
                );
                if u.search_stale
                    && let Some(job) = self.preview.index_job()
                {
                    let _ = self.index.send((generation, job));
                }
            }
            Err(f) => {
                self.generation.fetch_add(1, Ordering::SeqCst);
                self.failed = true;
                eprint!("{}", f.diagnostics.render(Format::Human, self.color));
                eprintln!("{what}: not published; fix the errors above and save again");
                self.server
                    .notify(LiveEvent::from_diagnostics(f.diagnostics.iter()));
            }
        }
    }
}

/// A thread that runs index jobs one at a time, skipping any that a newer
/// change has made obsolete.
fn spawn_indexer(generation: Arc<AtomicU64>) -> mpsc::Sender<(u64, IndexJob)> {
    let (tx, rx) = mpsc::channel::<(u64, IndexJob)>();
    std::thread::spawn(move || {
        while let Ok(mut next) = rx.recv() {
            // Only the newest job matters.
            while let Ok(newer) = rx.try_recv() {
                next = newer;
            }
            let (job_generation, job) = next;
            let current = || generation.load(Ordering::SeqCst) != job_generation;
            let start = Instant::now();
            match job.run(&current) {
                Ok(Some(r)) => match r.search {
                    Some(s) => eprintln!(
                        "search data updated: lookup tables in {:.0} ms, full-text index ({} records) in {:.1} s",
                        r.lookups.as_secs_f64() * 1000.0,
                        s.records,
                        start.elapsed().as_secs_f64()
                    ),
                    None => eprintln!(
                        "search data updated: lookup tables in {:.0} ms",
                        r.lookups.as_secs_f64() * 1000.0
                    ),
                },
                Ok(None) => {}
                Err(f) => eprint!("{}", f.diagnostics.render(Format::Human, false)),
            }
        }
    });
    tx
}
