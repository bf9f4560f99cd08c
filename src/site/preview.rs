//! The live preview behind `eventref serve`: a site kept loaded in memory and
//! republished incrementally as its files change.
//!
//! A [`Preview`] holds the configuration, the compiled theme and the checked
//! records. [`Preview::update`] takes the paths a file watcher reported and
//! re-reads only those files ([`Content::apply_edits`]), works out with
//! [`Selection::for_edits`] which pages can show what changed, renders only those
//! and publishes them through the output stage ([`Output::open_update`]). Adding
//! or removing records reloads all of them; a change to `site.toml` or the theme
//! re-renders everything. Errors leave the published site as it was; the next
//! good save publishes what changed since the last publish.
//!
//! The search data (the lookup tables for IDs, names and pasted messages, and
//! Pagefind's full-text index) depends on every record and takes from a tenth
//! of a second to many seconds to build, so only the first build writes it;
//! after that an [`IndexJob`] rebuilds it on another thread, after the edited
//! pages are already in the browser.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{SearchStage, finish, publish};
use crate::config::{CONFIG_FILE, Config, layout};
use crate::content::{Content, LoadState};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::Failure;
use crate::output::{ManifestCache, Output};
use crate::render::theme::Theme;
use crate::render::urls;
use crate::render::{NoProgress, PageSink, Selection};
use crate::search::SearchStats;

/// How a preview builds.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    /// The output folder (eventref's own: see [`Output`]).
    pub output: PathBuf,
    /// Replaces `base_url` from `site.toml`, so that absolute links lead to the
    /// preview server.
    pub base_url: Option<String>,
    /// Build the full-text index at the start.
    pub search: bool,
    /// Treat warnings as errors.
    pub strict: bool,
}

/// What a changed path is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `site.toml`.
    Config,
    /// A template, static file or UI strings file.
    Theme,
    /// A record or translation overlay under `content/`.
    Content,
    /// Anything else (the output folder, editor swap files, `.git`, …).
    Ignored,
}

/// What one publish did.
#[derive(Debug, Clone)]
pub struct Update {
    /// Whether every page was rendered (first build, config or theme change,
    /// or events added or removed).
    pub full: bool,
    /// Pages rendered.
    pub pages: usize,
    /// Files written because their bytes changed.
    pub written: usize,
    /// Events in the site.
    pub events: usize,
    /// The full-text index, when it was built.
    pub search: Option<SearchStats>,
    /// The search data (lookup tables, full-text index) no longer matches the
    /// content: run an [`IndexJob`].
    pub search_stale: bool,
    /// Time from the call to the files being in place.
    pub elapsed: Duration,
    /// Warnings.
    pub diagnostics: Diagnostics,
}

/// A site loaded for live preview.
pub struct Preview {
    opts: PreviewOptions,
    root: PathBuf,
    config: Config,
    theme: Option<Theme>,
    /// The records as last loaded, with what is needed to apply edits to them.
    loaded: Option<(Content, LoadState)>,
    /// Pages that changed since the last publish (an update that fails keeps
    /// its pages here for the next one).
    pending: Selection,
    /// Whether a build has been published.
    built: bool,
    /// The config or theme must be loaded again.
    reload_config: bool,
    reload_theme: bool,
    /// Held while writing to the output folder (updates and index jobs).
    lock: Arc<Mutex<()>>,
    /// The output's manifest as last verified: an edit that changes no file
    /// names leaves it as it is, and the next edit need not verify it again.
    manifest: ManifestCache,
}

impl Preview {
    /// Read `site.toml` under `root`. Nothing is built yet: call [`Preview::build`].
    pub fn open(root: &Path, opts: PreviewOptions) -> Result<Preview, Failure> {
        let mut config = Config::load(root).map_err(|d| Failure::config(*d))?;
        if opts.base_url.is_some() {
            config.base_url = opts.base_url.clone();
        }
        Ok(Preview {
            opts,
            root: config.root.clone(),
            config,
            theme: None,
            loaded: None,
            pending: Selection::all(),
            built: false,
            reload_config: false,
            reload_theme: true,
            lock: Arc::default(),
            manifest: ManifestCache::default(),
        })
    }

    /// The loaded configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Build and publish the whole site.
    pub fn build(&mut self) -> Result<Update, Failure> {
        self.pending = Selection::all();
        self.built = false;
        self.update(&[])
    }

    /// What `path` (absolute, or relative to the site root) is to this site.
    pub fn classify(&self, path: &Path) -> Change {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        if path.starts_with(&self.opts.output) || rel.starts_with(&self.opts.output) {
            return Change::Ignored;
        }
        let name = rel.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        // Editors' swap, backup and temporary files.
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp") {
            return Change::Ignored;
        }
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        match parts.next().as_deref() {
            Some(CONFIG_FILE) if rel.components().count() == 1 => Change::Config,
            Some(layout::CONTENT) if name.ends_with(".yaml") || name.ends_with(".yml") => Change::Content,
            // A folder under content/ renamed or removed: reload the records.
            Some(layout::CONTENT) if !name.contains('.') => Change::Content,
            // A shared value map: records are resolved against it, so reload them.
            Some(layout::VALUE_MAPS) => Change::Content,
            Some(layout::THEMES | layout::TEMPLATES | layout::STATIC | layout::I18N) => Change::Theme,
            _ => Change::Ignored,
        }
    }

    /// Take the changed `paths` into account and publish the pages they affect.
    /// With no paths, publishes whatever is out of date (everything on the first
    /// call).
    pub fn update(&mut self, paths: &[PathBuf]) -> Result<Update, Failure> {
        let start = Instant::now();
        let edited = self.note_changes(paths)?;
        let mut diags = self.reload_theme();
        diags.extend(self.reload_content(&edited));
        if let Some(t) = &self.theme {
            diags.extend(t.missing_string_warnings(&self.config));
        }
        let diags = finish(diags, self.opts.strict)?;
        let (Some(theme), Some((content, _))) = (&self.theme, &self.loaded) else {
            return Err(Failure::content(Diagnostic::error(
                "theme",
                "the theme could not be loaded",
            )));
        };
        let events = content.events.len();
        if self.built && self.pending.is_empty() {
            return Ok(Update {
                full: false,
                pages: 0,
                written: 0,
                events,
                search: None,
                search_stale: false,
                elapsed: start.elapsed(),
                diagnostics: diags,
            });
        }
        let selection = std::mem::take(&mut self.pending);
        let full = selection.is_all();
        // The first build writes the search data; later, an [`IndexJob`] brings
        // it up to date off the critical path.
        let first = !self.built;
        let stage = match (first, self.opts.search) {
            (true, true) => SearchStage::Full,
            (true, false) => SearchStage::Lookups,
            (false, _) => SearchStage::Skip,
        };
        let search_stale = !first && selection.lookup();
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let published = self.open_output(first, full).and_then(|output| {
            publish(
                &self.config,
                content,
                theme,
                output,
                &selection,
                stage,
                &NoProgress,
            )
        });
        let (stats, search, write) = match published {
            Ok(r) => r,
            Err(f) => {
                self.pending = selection;
                return Err(f);
            }
        };
        self.built = true;
        Ok(Update {
            full,
            pages: stats.pages,
            written: write.written,
            events,
            search,
            search_stale,
            elapsed: start.elapsed(),
            diagnostics: diags,
        })
    }

    /// Sort changed paths into config, theme and content edits; reload the
    /// config now (a new config means a new theme and new content). Returns
    /// the edited content files, relative to the site root.
    fn note_changes(&mut self, paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
        let mut edited: Vec<PathBuf> = Vec::new();
        for p in paths {
            match self.classify(p) {
                Change::Config => self.reload_config = true,
                Change::Theme => self.reload_theme = true,
                Change::Content => {
                    let rel = p.strip_prefix(&self.root).unwrap_or(p).to_path_buf();
                    if !edited.contains(&rel) {
                        edited.push(rel);
                    }
                }
                Change::Ignored => {}
            }
        }
        if self.reload_config {
            let mut config = Config::load(&self.root).map_err(|d| Failure::config(*d))?;
            if self.opts.base_url.is_some() {
                config.base_url = self.opts.base_url.clone();
            }
            self.config = config;
            self.loaded = None;
            self.reload_config = false;
            self.reload_theme = true;
        }
        Ok(edited)
    }

    /// Load the theme again when it changed; a new theme re-renders every page.
    fn reload_theme(&mut self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if self.reload_theme {
            match Theme::load(&self.config) {
                Ok(t) => {
                    self.theme = Some(t);
                    self.reload_theme = false;
                    self.pending = Selection::all();
                }
                Err(ds) => {
                    self.theme = None;
                    diags.extend(ds);
                }
            }
        }
        diags
    }

    /// Apply content edits (or load the content the first time), adding the
    /// pages they affect to what is pending. Returns the content's diagnostics.
    fn reload_content(&mut self, edited: &[PathBuf]) -> Diagnostics {
        match &mut self.loaded {
            Some((content, state)) if !edited.is_empty() => {
                match content.apply_edits(&self.config, state, edited) {
                    Some((old, ds)) => {
                        self.pending.merge(Selection::for_edits(&old, content));
                        ds
                    }
                    None => {
                        let (new, ds, new_state) = Content::load_state(&self.config);
                        self.pending.merge(Selection::between(content, &new));
                        self.loaded = Some((new, new_state));
                        ds
                    }
                }
            }
            Some((_, state)) => state.diagnostics(),
            None => {
                let (new, ds, state) = Content::load_state(&self.config);
                self.loaded = Some((new, state));
                self.pending = Selection::all();
                ds
            }
        }
    }

    /// The output folder for this update: a fresh build the first time; a full
    /// rebuild keeps the last search data until an index job rebuilds it; an
    /// edit replaces only the files it changes.
    fn open_output(&self, first: bool, full: bool) -> Result<Output, Failure> {
        if first {
            Output::open(&self.config, &self.opts.output)
        } else if full {
            Output::open(&self.config, &self.opts.output).map(|mut o| {
                o.retain_under(&search_folders(&self.config));
                o
            })
        } else {
            Output::open_update_cached(&self.config, &self.opts.output, &self.manifest)
        }
        .map_err(|d| Failure::config(*d))
    }

    /// A job that brings the search data (lookup tables, and the full-text
    /// index when the preview has search) up to date with the loaded content,
    /// to run on another thread while the preview goes on. `None` before the
    /// first good build.
    pub fn index_job(&self) -> Option<IndexJob> {
        let (content, theme) = (&self.loaded.as_ref()?.0, self.theme.as_ref()?);
        if !self.built {
            return None;
        }
        Some(IndexJob {
            config: self.config.clone(),
            content: content.clone(),
            strings: self
                .opts
                .search
                .then(|| crate::search::index_strings(&self.config, theme)),
            output: self.opts.output.clone(),
            lock: self.lock.clone(),
        })
    }
}

/// Search data to rebuild for a [`Preview`]'s content.
pub struct IndexJob {
    config: Config,
    content: Content,
    /// UI strings for the full-text index; `None`: lookup tables only.
    strings: Option<std::collections::BTreeMap<String, crate::i18n::UiStrings>>,
    output: PathBuf,
    lock: Arc<Mutex<()>>,
}

/// What an [`IndexJob`] published.
#[derive(Debug, Clone)]
pub struct IndexReport {
    /// Time to build and publish the lookup tables.
    pub lookups: Duration,
    /// The full-text index, if it was built and published.
    pub search: Option<SearchStats>,
}

impl IndexJob {
    /// Build the lookup tables, publish them, then build the full-text index
    /// and publish it (each replacing only its own folders). `superseded` is
    /// asked before each publish: when it says yes (newer content arrived
    /// meanwhile), the job stops without writing.
    pub fn run(self, superseded: &dyn Fn() -> bool) -> Result<Option<IndexReport>, Failure> {
        let start = Instant::now();
        let files = MemorySink::default();
        crate::search::write_lookups(
            &self.config,
            &self.content,
            self.strings.is_some(),
            &files,
            &crate::search::LookupScope::All,
        )
        .map_err(|msg| Failure::content(Diagnostic::error("search", msg)))?;
        let mut folders = search_folders(&self.config);
        folders.retain(|f| f != "pagefind/");
        if !self.publish(files, &folders, superseded)? {
            return Ok(None);
        }
        let lookups = start.elapsed();
        let Some(strings) = &self.strings else {
            return Ok(Some(IndexReport {
                lookups,
                search: None,
            }));
        };
        let files = MemorySink::default();
        let stats = crate::search::write_index(&self.config, &self.content, strings, &files)
            .map_err(|msg| Failure::content(Diagnostic::error("search", msg)))?;
        if !self.publish(files, &["pagefind/".to_string()], superseded)? {
            return Ok(None);
        }
        Ok(Some(IndexReport {
            lookups,
            search: Some(stats),
        }))
    }

    /// Replace `folders` with `files`, unless superseded.
    fn publish(
        &self,
        files: MemorySink,
        folders: &[String],
        superseded: &dyn Fn() -> bool,
    ) -> Result<bool, Failure> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if superseded() {
            return Ok(false);
        }
        let output =
            Output::open_folders(&self.config, &self.output, folders).map_err(|d| Failure::config(*d))?;
        let files = files.0.into_inner().unwrap_or_else(|e| e.into_inner());
        for (path, bytes) in &files {
            if let Err(e) = output.put(path, bytes) {
                output.abort();
                return Err(Failure::content(Diagnostic::error(
                    "write-error",
                    format!("cannot write {path}: {e}"),
                )));
            }
        }
        output.commit().map_err(|e| {
            Failure::content(Diagnostic::error(
                "write-error",
                format!("cannot publish the search data: {e}"),
            ))
        })?;
        Ok(true)
    }
}

/// The folders the search stage writes.
fn search_folders(config: &Config) -> Vec<String> {
    config
        .language_codes()
        .map(urls::lookup_dir)
        .chain([urls::PAGEFIND_DIR.to_string()])
        .collect()
}

/// Pages kept in memory until they can be published.
#[derive(Default)]
struct MemorySink(Mutex<Vec<(String, Vec<u8>)>>);

impl PageSink for MemorySink {
    fn put(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), bytes.to_vec()));
        Ok(())
    }
}
