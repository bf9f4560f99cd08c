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

/// Read the site, start the server and the watcher, and publish the first build.
/// Errors in the first build do not stop the session (they are shown in the
/// terminal and in the browser); a bad `site.toml` or output folder does.
pub fn start(opts: ServeOptions) -> Result<Session, Failure> {
    let io =
        |what: &str, e: std::io::Error| Failure::config(Diagnostic::error("serve", format!("{what}: {e}")));
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| io("cannot open the site folder", e))?;
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
    let result = session.preview.build();
    session.report(&[], result);
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
