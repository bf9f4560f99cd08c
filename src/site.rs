//! The pipeline: load a site (config → content → theme) and build it
//! (render → output). This is the library's front door; the CLI is a thin
//! shell around [`Site::load`], [`Site::check`] and [`Site::build`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{Output, WriteStats};
use crate::render::{self, NoProgress, Progress, RenderStats, Selection};
use crate::search::SearchStats;
use crate::theme::Theme;

/// Why a run failed, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Content, template or write errors (exit code 1).
    Content,
    /// Bad configuration or unsafe usage (exit code 2).
    Config,
}

/// A failed run: every diagnostic found, and what kind of failure it was.
#[derive(Debug)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// All the problems, sorted.
    pub diagnostics: Diagnostics,
}

impl Failure {
    /// A configuration or usage failure (exit code 2) with one diagnostic.
    pub fn config(d: Diagnostic) -> Failure {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(d);
        Failure {
            kind: FailureKind::Config,
            diagnostics,
        }
    }

    /// A content, template or write failure (exit code 1) with one diagnostic.
    pub fn content(d: Diagnostic) -> Failure {
        Failure {
            kind: FailureKind::Content,
            ..Failure::config(d)
        }
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            FailureKind::Content => 1,
            FailureKind::Config => 2,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostics.render(crate::diagnostics::Format::Human, false))
    }
}

impl std::error::Error for Failure {}

/// A loaded site: configuration, checked content, and warnings found so far.
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// The events.
    pub content: Content,
    /// Warnings and errors found while loading (content and theme).
    pub diagnostics: Diagnostics,
}

/// Options for [`Site::build`].
pub struct BuildOptions<'a> {
    /// The [`input_fingerprint`] taken before the site was loaded. A build with
    /// no warnings records it in the output folder, so that the next build of
    /// the same inputs can be skipped ([`up_to_date`]).
    pub fingerprint: Option<u64>,
    /// Output folder; `None` means `public/` under the site root.
    pub output: Option<PathBuf>,
    /// Fail on warnings too.
    pub strict: bool,
    /// Build the full-text index (Pagefind). Lookup tables are always written.
    pub search: bool,
    /// Progress reporting.
    pub progress: &'a dyn Progress,
}

impl Default for BuildOptions<'_> {
    fn default() -> Self {
        BuildOptions {
            fingerprint: None,
            output: None,
            strict: false,
            search: true,
            progress: &NoProgress,
        }
    }
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

    /// Check everything a build checks (content and theme) without writing anything.
    pub fn check(&self, strict: bool) -> Result<Diagnostics, Failure> {
        let mut diags = self.diagnostics.clone();
        match Theme::load(&self.config) {
            Ok(theme) => diags.extend(theme.missing_string_warnings(&self.config)),
            Err(ds) => diags.extend(ds),
        }
        finish(diags, strict)
    }

    /// Render the site and publish it to the output folder.
    pub fn build(&self, opts: &BuildOptions) -> Result<BuildReport, Failure> {
        let start = Instant::now();
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
        let diags = finish(diags, opts.strict)?;
        let Some(theme) = theme else {
            return Err(Failure {
                kind: FailureKind::Content,
                diagnostics: diags,
            });
        };
        let out_dir = opts
            .output
            .clone()
            .unwrap_or_else(|| self.config.root.join("public"));
        let mut output = Output::open(&self.config, &out_dir).map_err(|d| Failure::config(*d))?;
        if diags.is_empty() {
            output.record_fingerprint(opts.fingerprint);
        }
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
        })
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

/// Render the `selection` of pages, run the `search` stage, and commit `output`. On any error the output is
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
    let stats = match render::render_pages(config, content, theme, &output, progress, selection) {
        Ok(s) => s,
        Err(ds) => {
            output.abort();
            return Err(Failure {
                kind: FailureKind::Content,
                diagnostics: ds,
            });
        }
    };
    let search = match search {
        SearchStage::Skip => Ok(None),
        SearchStage::Lookups => crate::search::write(config, content, theme, &output, false),
        SearchStage::Full => crate::search::write(config, content, theme, &output, true),
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

/// A hash of everything a build reads and of the options it runs with:
/// eventref itself (version and executable), the options, `site.toml`, the
/// theme and site overrides, and every file under `content/` (names and bytes).
/// Two builds with the same fingerprint produce the same output.
pub fn input_fingerprint(config: &Config, opts: &BuildOptions) -> u64 {
    use rayon::prelude::*;
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    if let Some(m) = std::env::current_exe()
        .ok()
        .and_then(|e| std::fs::metadata(e).ok())
    {
        m.len().hash(&mut h);
        m.modified().ok().hash(&mut h);
    }
    (opts.strict, opts.search).hash(&mut h);
    config.base_url.hash(&mut h);
    let root = &config.root;
    let mut dirs = vec![
        root.join("content"),
        root.join("themes").join(&config.theme),
        root.join("templates"),
        root.join("static"),
        root.join("i18n"),
    ];
    dirs.dedup();
    let mut files: Vec<PathBuf> = vec![root.join(crate::config::CONFIG_FILE)];
    for d in &dirs {
        files.extend(
            walkdir::WalkDir::new(d)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path()),
        );
    }
    let hashes: Vec<u64> = files
        .par_iter()
        .map(|p| {
            let mut fh = std::collections::hash_map::DefaultHasher::new();
            p.hash(&mut fh);
            std::fs::read(p).ok().hash(&mut fh);
            fh.finish()
        })
        .collect();
    hashes.hash(&mut h);
    h.finish()
}

/// When the output folder of `opts` holds a complete build of exactly these
/// inputs (see [`input_fingerprint`]), the number of its files; a build can
/// then be skipped.
pub fn up_to_date(config: &Config, opts: &BuildOptions) -> Option<usize> {
    let fingerprint = opts.fingerprint?;
    let dir = opts.output.clone().unwrap_or_else(|| config.root.join("public"));
    crate::output::recorded_build(&dir, fingerprint)
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
