//! The pipeline: load a site (config → content → theme) and build it
//! (render → output). This is the library's front door; the CLI is a thin
//! shell around [`Site::load`], [`Site::check`] and [`Site::build`].
//!
//! `eventref build` goes through [`Site::build_if_changed`]: it skips a
//! build of unchanged inputs, builds incrementally from the build state the
//! last build kept beside the output folder (`state`: what is kept and how
//! it is trusted; `incremental`: the build that starts from it), and
//! otherwise builds in full. `anchors` checks the `#anchors` of links on the
//! rendered pages, `external` the links to other sites, and `preview` is the
//! live preview behind `eventref serve`.

mod anchors;
mod external;
mod incremental;
mod preview;
mod state;

pub use external::{CACHE_FILE as EXTERNAL_LINK_CACHE, ExternalOptions};
pub use preview::{Change, IndexJob, IndexReport, Preview, PreviewOptions, Update};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::error::{Failure, FailureKind};
use crate::output::{Output, WriteStats};
use crate::render::theme::Theme;
use crate::render::{self, NoProgress, Progress, RenderStats, Selection};
use crate::search::SearchStats;

/// A loaded site: configuration, checked content, and warnings found so far.
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// The events.
    pub content: Content,
    /// Warnings and errors found while loading (content and theme).
    pub diagnostics: Diagnostics,
}

/// Options for [`Site::build`] and [`Site::build_if_changed`].
pub struct BuildOptions<'a> {
    /// Output folder; `None` means `public/` under the site root.
    pub output: Option<PathBuf>,
    /// Fail on warnings too.
    pub strict: bool,
    /// Build the full-text index (Pagefind). Lookup tables are always written.
    pub search: bool,
    /// Build even when the output already holds a build of exactly these
    /// inputs ([`Site::build_if_changed`] skips such builds otherwise).
    pub force: bool,
    /// Progress reporting.
    pub progress: &'a dyn Progress,
}

impl Default for BuildOptions<'_> {
    fn default() -> Self {
        BuildOptions {
            output: None,
            force: false,
            strict: false,
            search: true,
            progress: &NoProgress,
        }
    }
}

/// What [`Site::build_if_changed`] did.
#[derive(Debug, Clone)]
pub enum BuildOutcome {
    /// The output already held a build of exactly these inputs: nothing was
    /// loaded or written.
    UpToDate {
        /// The output folder.
        output: PathBuf,
        /// Files of that build.
        files: usize,
        /// Wall time of the check.
        elapsed: Duration,
    },
    /// The site was built.
    Built(BuildReport),
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Events in the site.
    pub events: usize,
    /// Pages rendered (all languages).
    pub pages: usize,
    /// What the full-text indexing did (`None` with `--no-search`).
    pub search: Option<crate::search::SearchStats>,
    /// Languages.
    pub languages: usize,
    /// What was written.
    pub write: WriteStats,
    /// Wall time of the build, load included.
    pub elapsed: Duration,
    /// Where the site was written.
    pub output: PathBuf,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
    /// Whether the build started from the last build's state and rendered
    /// only what the edits since then can change (see `site::incremental`).
    pub incremental: bool,
}

impl BuildOutcome {
    /// The machine-readable summary that `eventref build --format json` prints
    /// (without the process's peak memory, which only the caller knows).
    pub fn summary(&self) -> serde_json::Value {
        let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
        match self {
            BuildOutcome::UpToDate { files, elapsed, .. } => serde_json::json!({
                "up_to_date": true,
                "files": files,
                "written": 0,
                "unchanged": files,
                "removed": 0,
                "elapsed_ms": ms(elapsed),
            }),
            BuildOutcome::Built(r) => serde_json::json!({
                "incremental": r.incremental,
                "events": r.events,
                "pages": r.pages,
                "languages": r.languages,
                "files": r.write.files,
                "bytes": r.write.bytes,
                "written": r.write.written,
                "unchanged": r.write.unchanged,
                "removed": r.write.removed,
                "elapsed_ms": ms(&r.elapsed),
                "search_records": r.search.as_ref().map(|s| s.records),
                "search_files": r.search.as_ref().map(|s| s.files),
                "search_bytes": r.search.as_ref().map(|s| s.bytes),
                "search_ms": r.search.as_ref().map(|s| ms(&s.elapsed)),
                "warnings": r.diagnostics.warning_count(),
            }),
        }
    }
}

impl Site {
    /// Load `site.toml` and every record under `content/`. Content problems do not
    /// fail the load; they are in [`Site::diagnostics`]. A bad config does.
    pub fn load(root: &Path) -> Result<Site, Failure> {
        let config = Config::load(root).map_err(|d| Failure::config(*d))?;
        Ok(Site::from_config(config))
    }

    /// Load the content for an already-read configuration.
    pub fn from_config(config: Config) -> Site {
        let (content, diagnostics) = Content::load(&config);
        Site {
            config,
            content,
            diagnostics,
        }
    }

    /// Check everything a build checks, in the order a build checks it, without
    /// writing anything: content and theme (UI strings of every language
    /// included), the safety of the output folder (`output`, as for
    /// [`BuildOptions::output`]), and every page rendered into a sink that
    /// discards it, the `#anchors` of links checked against the rendered
    /// pages. Fails exactly when [`Site::build`] with the same options
    /// would fail before publishing, with the same diagnostics.
    pub fn check(&self, strict: bool, output: Option<&Path>) -> Result<Diagnostics, Failure> {
        let (mut diags, theme) = self.checked_theme(strict)?;
        diags.extend(self.publishing_warnings());
        let out_dir = self.config.output_dir(output);
        crate::output::Output::check(&self.config, &out_dir).map_err(|d| Failure::config(*d))?;
        let all = Selection::all();
        anchors::render(&self.content, &all, &Discard, None, |sink| {
            render::render_pages(&self.config, &self.content, &theme, sink, &NoProgress, &all)
        })?;
        Ok(diags)
    }

    /// Warnings about what a build without a publishing setting skips. Never
    /// fatal, even under `--strict`: a local build needs no URL. `check` and
    /// `build` both report them.
    fn publishing_warnings(&self) -> Vec<Diagnostic> {
        if self.config.base_url.is_some() {
            return Vec::new();
        }
        vec![
            Diagnostic::warning(
                "no-base-url",
                "site.toml has no base_url: sitemap.xml, Atom feeds, canonical URLs and hreflang alternates are skipped",
            )
            .at(Location::file_only(crate::config::CONFIG_FILE))
            .help("set base_url = \"https://…/\" in site.toml, or pass --base-url when you build for publishing"),
        ]
    }

    /// `check --external-links`: fetch every link to another site (`links:`
    /// and `http(s)` links in the prose), concurrently, with `opts`' timeout
    /// and cache. Broken links (a 4xx answer) are errors; links that could
    /// not be reached are warnings (`external-link-unchecked`), never errors.
    /// Added to `diags` (what [`Site::check`] found), `--strict` applied.
    pub fn check_external_links(
        &self,
        mut diags: Diagnostics,
        strict: bool,
        opts: &ExternalOptions,
    ) -> Result<Diagnostics, Failure> {
        diags.extend(external::check(&self.config.root, &self.content.events, opts));
        finish(diags, strict)
    }

    /// The content's diagnostics and the theme's, `--strict` applied; the
    /// theme when nothing failed.
    fn checked_theme(&self, strict: bool) -> Result<(Diagnostics, Theme), Failure> {
        let mut diags = self.diagnostics.clone();
        let theme = match Theme::load(&self.config) {
            Ok(t) => {
                diags.extend(t.missing_string_warnings(&self.config));
                Some(t)
            }
            Err(ds) => {
                diags.extend(ds);
                None
            }
        };
        let diags = finish(diags, strict)?;
        match theme {
            Some(theme) => Ok((diags, theme)),
            None => Err(Failure {
                kind: FailureKind::Content,
                diagnostics: diags,
            }),
        }
    }

    /// `eventref build`: unless `opts.force`, skip the build when the output
    /// folder holds a complete build of exactly these inputs (see
    /// [`state::Inputs::fingerprint`]), or build incrementally from the
    /// state the last build left beside the folder (see [`incremental`]);
    /// otherwise load the content and build in full. Only this path records
    /// the fingerprint and the state, because only it knows the inputs were
    /// read after they were taken.
    pub fn build_if_changed(config: Config, opts: &BuildOptions) -> Result<BuildOutcome, Failure> {
        let start = Instant::now();
        let output = config.output_dir(opts.output.as_deref());
        // Without a fingerprint record in the output folder (a fresh folder,
        // or one another build or `serve` wrote) nothing can be skipped and no
        // state matches it; with --force nothing is compared. Then the build is
        // a full one, which needs the files' hashes only for the state and the
        // fingerprint it leaves: the files are listed while the content loads,
        // each file's hash is taken from the bytes the load read (not read a
        // second time), and the last build's state is not read at all.
        if opts.force || state::output_record(&output).is_none() {
            let since = SystemTime::now();
            let (scan, (loaded, stamps)) = rayon::join(
                || state::Scan::start(&config, opts, since),
                || Content::load_stamped(&config),
            );
            let inputs = scan.hash_loaded(&config, &stamps.into_map());
            return Self::full_build(config, opts, &inputs, loaded, &output, start);
        }
        let (scan, previous) = rayon::join(
            || state::Scan::start(&config, opts, SystemTime::now()),
            || state::State::read(&output),
        );
        let inputs = scan.hash(&config, previous.as_ref());
        let fingerprint = inputs.fingerprint();
        // (With --force the build went the full-build way above.)
        if let Some(files) = crate::output::recorded_build(&output, fingerprint) {
            return Ok(BuildOutcome::UpToDate {
                output,
                files,
                elapsed: start.elapsed(),
            });
        }
        let config = match previous.and_then(|p| p.changes(&inputs, &output).map(|c| (p, c))) {
            Some((previous, changed)) => {
                match incremental::build(config, opts, previous, &changed, &inputs, start) {
                    Ok(report) => return Ok(BuildOutcome::Built(report)),
                    Err(config) => config,
                }
            }
            None => config,
        };
        let loaded = Content::load_state(&config);
        Self::full_build(config, opts, &inputs, loaded, &output, start)
    }

    /// A full build of `config` from content `loaded`, leaving the build
    /// state of `inputs` beside `output`.
    fn full_build(
        config: Config,
        opts: &BuildOptions,
        inputs: &state::Inputs,
        (content, diagnostics, load): (Content, Diagnostics, crate::content::LoadState),
        output: &Path,
        start: Instant,
    ) -> Result<BuildOutcome, Failure> {
        let fingerprint = inputs.fingerprint();
        let site = Site {
            config,
            content,
            diagnostics,
        };
        opts.progress
            .loaded(site.content.events.len(), &site.config.content_dir());
        let none = Default::default();
        let snapshot = site.content.snapshot(&load, &none, &Default::default());
        // The state is written while the site builds (a part at a time), and
        // put in place once it is published.
        let (report, state) = rayon::join(
            || site.build_with(opts, Some(fingerprint), start),
            || state::begin(output, inputs, snapshot),
        );
        let mut report = report?;
        if let Some(state) = state {
            state.finish(&report.output);
        }
        report.elapsed = start.elapsed();
        // Freeing every event and what the load kept took the last 3 % of a
        // 10,000-event build on one core: a worker does it, off the caller's
        // path (as after an incremental build).
        rayon::spawn(move || drop((site, load)));
        Ok(BuildOutcome::Built(report))
    }

    /// Render the site and publish it to the output folder.
    pub fn build(&self, opts: &BuildOptions) -> Result<BuildReport, Failure> {
        self.build_with(opts, None, Instant::now())
    }

    fn build_with(
        &self,
        opts: &BuildOptions,
        fingerprint: Option<u64>,
        start: Instant,
    ) -> Result<BuildReport, Failure> {
        let (mut diags, theme) = self.checked_theme(opts.strict)?;
        let out_dir = self.config.output_dir(opts.output.as_deref());
        let mut output = Output::open(&self.config, &out_dir).map_err(|d| Failure::config(*d))?;
        output.record_fingerprint(fingerprint.map(|fp| recorded(fp, diags.is_empty())));
        diags.extend(self.publishing_warnings());
        let dir = output.dir().to_path_buf();
        let (stats, search, write) = publish(
            &self.config,
            &self.content,
            &theme,
            output,
            &Selection::all(),
            if opts.search {
                SearchStage::Full
            } else {
                SearchStage::Lookups
            },
            opts.progress,
        )?;
        Ok(BuildReport {
            events: self.content.events.len(),
            pages: stats.pages,
            search,
            languages: self.config.languages.len(),
            write,
            elapsed: start.elapsed(),
            output: dir,
            diagnostics: diags,
            incremental: false,
        })
    }
}

/// The fingerprint to record for a build of inputs with fingerprint `fp`:
/// `fp` itself when the build had no warnings; otherwise one that no input
/// matches, so that the next build runs again and shows the warnings again
/// (while the build state can still tell that the folder holds this build).
fn recorded(fp: u64, clean: bool) -> u64 {
    if clean { fp } else { !fp }
}

/// A [`render::PageSink`] that discards every page: `check` renders the whole
/// site into it so that template errors surface without writing anything.
struct Discard;

impl render::PageSink for Discard {
    fn put(&self, _: &str, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the search stage does in a [`publish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchStage {
    /// Nothing.
    Skip,
    /// The lookup tables.
    Lookups,
    /// The lookup tables and the full-text index.
    Full,
}

/// Render the `selection` of pages (checking the links' anchors when that is
/// every page) and, at the same time, run the `search` stage; then commit
/// `output`. On any error the output is
/// aborted, so the published site stays as it was.
pub(crate) fn publish(
    config: &Config,
    content: &Content,
    theme: &Theme,
    output: Output,
    selection: &Selection,
    search: SearchStage,
    progress: &dyn Progress,
) -> Result<(RenderStats, Option<SearchStats>, WriteStats), Failure> {
    let job = Publish {
        config,
        content,
        theme,
        selection,
        search,
        progress,
        fresh_anchors: None,
        lookups: &crate::search::LookupScope::All,
    };
    publish_with(&job, output)
}

/// What [`publish_with`] renders and indexes.
pub(crate) struct Publish<'a> {
    pub(crate) config: &'a Config,
    pub(crate) content: &'a Content,
    pub(crate) theme: &'a Theme,
    pub(crate) selection: &'a Selection,
    pub(crate) search: SearchStage,
    pub(crate) progress: &'a dyn Progress,
    /// For an incremental build: the pages new links point into (see [`anchors::render`]).
    pub(crate) fresh_anchors: Option<&'a [String]>,
    /// Which lookup files the search stage writes.
    pub(crate) lookups: &'a crate::search::LookupScope,
}

/// [`publish`], with the links' anchors checked as `job` says.
pub(crate) fn publish_with(
    job: &Publish,
    output: Output,
) -> Result<(RenderStats, Option<SearchStats>, WriteStats), Failure> {
    let Publish {
        config,
        content,
        theme,
        selection,
        search,
        progress,
        fresh_anchors,
        lookups,
    } = *job;
    // The search stage reads only the content, so it runs beside the page
    // rendering: the full-text index is mostly one thread's work, and
    // rendering keeps the other cores busy meanwhile.
    let (rendered, search) = rayon::join(
        || {
            anchors::render(content, selection, &output, fresh_anchors, |sink| {
                render::render_pages(config, content, theme, sink, progress, selection)
            })
        },
        || match search {
            SearchStage::Skip => Ok(None),
            SearchStage::Lookups => crate::search::write(config, content, theme, &output, false, lookups),
            SearchStage::Full => crate::search::write(config, content, theme, &output, true, lookups),
        },
    );
    let stats = match rendered {
        Ok(s) => s,
        Err(f) => {
            output.abort();
            return Err(f);
        }
    };
    let search = match search {
        Ok(s) => s,
        Err(msg) => {
            output.abort();
            return Err(Failure::content(
                Diagnostic::error("search", msg)
                    .help("run with --no-search to build without the full-text index"),
            ));
        }
    };
    let dir = output.dir().to_path_buf();
    let write = output.commit().map_err(|e| {
        Failure::content(Diagnostic::error(
            "write-error",
            format!("cannot publish to {}: {e}", dir.display()),
        ))
    })?;
    Ok((stats, search, write))
}

/// Sort, apply `--strict`, and fail when there are errors.
pub(crate) fn finish(mut diags: Diagnostics, strict: bool) -> Result<Diagnostics, Failure> {
    diags.sort();
    if strict {
        diags.promote_warnings();
    }
    if diags.error_count() > 0 {
        return Err(Failure {
            kind: FailureKind::Content,
            diagnostics: diags,
        });
    }
    Ok(diags)
}
