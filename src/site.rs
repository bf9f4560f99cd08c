//! The pipeline: load a site (config → content → theme) and build it
//! (render → output). This is the library's front door; the CLI is a thin
//! shell around [`Site::load`], [`Site::check`] and [`Site::build`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{Output, WriteStats};
use crate::render::{self, NoProgress, Progress};
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
        let output = Output::open(&self.config, &out_dir).map_err(|d| Failure::config(*d))?;
        let stats = match render::render_site(&self.config, &self.content, &theme, &output, opts.progress) {
            Ok(s) => s,
            Err(ds) => {
                output.abort();
                return Err(Failure {
                    kind: FailureKind::Content,
                    diagnostics: ds,
                });
            }
        };
        let search = match crate::search::write(&self.config, &self.content, &theme, &output, opts.search) {
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

/// Sort, apply `--strict`, and fail when there are errors.
fn finish(mut diags: Diagnostics, strict: bool) -> Result<Diagnostics, Failure> {
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
