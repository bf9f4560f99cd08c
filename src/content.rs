//! Content: loading and validating the event records under `content/`.
//!
//! Every `*.yaml`/`*.yml` file under `content/` is one [`Event`], except files
//! named `<name>.<lang>.yaml`, which are translation overlays and belong to the
//! i18n stage. Files are read and parsed in parallel; every problem of the whole
//! tree is collected as a [`Diagnostic`] with file, line, column and a fix hint,
//! and only a tree with no errors yields a [`Content`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, did_you_mean};
use crate::message;
use crate::slug::Slug;

/// Records larger than this are rejected before parsing.
pub const MAX_RECORD_BYTES: u64 = 4 * 1024 * 1024;

/// The fields a record may have, in the order documentation lists them.
pub const RECORD_FIELDS: &[&str] = &[
    "source",
    "id",
    "message",
    "symbolic_name",
    "category",
    "level",
    "product",
    "product_version",
    "channel",
    "parameters",
    "explanation",
    "user_action",
    "related",
    "links",
    "last_modified",
];

/// The severity level of an event, as Event Viewer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Critical.
    Critical,
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Information.
    Information,
    /// Verbose.
    Verbose,
    /// Audit Success (Security log).
    AuditSuccess,
    /// Audit Failure (Security log).
    AuditFailure,
}

impl Level {
    /// Every level, in severity order.
    pub const ALL: [Level; 7] = [
        Level::Critical,
        Level::Error,
        Level::Warning,
        Level::Information,
        Level::Verbose,
        Level::AuditSuccess,
        Level::AuditFailure,
    ];

    /// The record spelling: `warning`, `audit-success`, ….
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Critical => "critical",
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Information => "information",
            Level::Verbose => "verbose",
            Level::AuditSuccess => "audit-success",
            Level::AuditFailure => "audit-failure",
        }
    }

    /// The diagnostic for text that is not a level, with a suggestion
    /// (a prefix such as `warn`, or a near miss such as `warnign`).
    pub fn unknown(text: &str) -> Diagnostic {
        let names: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
        let lower = text.trim().to_ascii_lowercase();
        let prefixed = names
            .iter()
            .copied()
            .find(|n| !lower.is_empty() && n.starts_with(&lower));
        let help = match prefixed.or_else(|| did_you_mean(text, names.iter().copied())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("use one of: {}", names.join(", ")),
        };
        Diagnostic::error("invalid-level", format!("unknown level `{text}`")).help(help)
    }

    /// Parse the record spelling (case-insensitive; `info` and `informational` too).
    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match s.as_str() {
            "info" | "informational" => Some(Level::Information),
            _ => Level::ALL.into_iter().find(|l| l.as_str() == s),
        }
    }
}

/// The key of an event: its source and ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EventKey {
    /// The event source (provider) as written in the record.
    pub source: String,
    /// The event ID.
    pub id: u16,
}

/// A "For More Information" link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Link text.
    pub title: String,
    /// Absolute http(s) URL, or a site-relative path.
    pub url: String,
}

/// What the reader should do: free Markdown, or an intro and a list of steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum UserAction {
    /// One Markdown text.
    Text(String),
    /// An intro sentence and a bulleted list of steps (each Markdown).
    Steps {
        /// "To resolve this warning, do one or more of the following:"
        intro: Option<String>,
        /// The steps.
        steps: Vec<String>,
    },
}

impl<'de> Deserialize<'de> for UserAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = UserAction;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a Markdown string, or a map with `intro` and `steps`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<UserAction, E> {
                Ok(UserAction::Text(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UserAction, A::Error> {
                let mut intro = None;
                let mut steps = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "intro" => intro = Some(map.next_value::<String>()?),
                        "steps" => steps = Some(map.next_value::<Vec<String>>()?),
                        other => {
                            return Err(serde::de::Error::unknown_field(other, &["intro", "steps"]));
                        }
                    }
                }
                let steps = steps.ok_or_else(|| serde::de::Error::missing_field("steps"))?;
                Ok(UserAction::Steps { intro, steps })
            }
        }
        d.deserialize_any(V)
    }
}

/// A string → string map that remembers where each key was written.
#[derive(Default)]
struct SpannedMap(Vec<(Spanned<String>, String)>);

impl<'de> Deserialize<'de> for SpannedMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SpannedMap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map from insertion string to its meaning, e.g. \"%1\": Name of the connector")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SpannedMap, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Spanned<String>, String>()? {
                    out.push((k, v));
                }
                Ok(SpannedMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    source: Spanned<String>,
    id: Spanned<i64>,
    message: Spanned<String>,
    symbolic_name: Option<Spanned<String>>,
    category: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
    product: Option<String>,
    product_version: Option<Spanned<String>>,
    channel: Option<String>,
    #[serde(default)]
    parameters: SpannedMap,
    explanation: Option<String>,
    user_action: Option<UserAction>,
    #[serde(default)]
    related: Vec<Spanned<String>>,
    #[serde(default)]
    links: Vec<Spanned<Link>>,
    last_modified: Option<Spanned<String>>,
}

/// One event record, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The event source (provider) as Event Viewer shows it.
    pub source: String,
    /// The source's URL slug.
    pub source_slug: Slug,
    /// The event ID (0–65535).
    pub id: u16,
    /// The record file, relative to the site root.
    pub file: PathBuf,
    /// The message template with its insertion strings.
    pub message: String,
    /// The symbolic name (`SmtpSendConnectionError`).
    pub symbolic_name: Option<String>,
    /// Task category.
    pub category: Option<String>,
    /// Level.
    pub level: Option<Level>,
    /// Product (falls back to `[defaults] product`).
    pub product: Option<String>,
    /// Product version (falls back to `[defaults] product_version`).
    pub product_version: Option<String>,
    /// The log it is written to.
    pub channel: Option<String>,
    /// What each insertion string means.
    pub parameters: BTreeMap<String, String>,
    /// Markdown.
    pub explanation: Option<String>,
    /// What to do.
    pub user_action: Option<UserAction>,
    /// Related events (resolved and checked).
    pub related: Vec<EventKey>,
    /// Extra links.
    pub links: Vec<Link>,
    /// `YYYY-MM-DD`.
    pub last_modified: Option<String>,
    /// Translations by language code (from overlay files).
    pub translations: BTreeMap<String, crate::translation::Translation>,
}

impl Event {
    /// The key of this event.
    pub fn key(&self) -> EventKey {
        EventKey {
            source: self.source.clone(),
            id: self.id,
        }
    }

    /// True when the article has no explanation and no user action yet.
    pub fn is_stub(&self) -> bool {
        self.explanation.is_none() && self.user_action.is_none()
    }
}

/// A translation overlay file (`2002.de.yaml`), left for the i18n stage.
#[derive(Debug, Clone)]
pub struct OverlayFile {
    /// Path relative to the site root.
    pub file: PathBuf,
    /// The language code from the file name.
    pub lang: String,
}

/// The checked content of a site.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// All events, sorted by source then ID.
    pub events: Vec<Event>,
    /// Translation overlays found next to records.
    pub overlays: Vec<OverlayFile>,
}

impl Content {
    /// Load and check every record under the site's `content/` folder.
    ///
    /// Returns the content (possibly partial) and every diagnostic; callers must
    /// not render when the diagnostics contain errors.
    pub fn load(config: &Config) -> (Content, Diagnostics) {
        let (content, diags, _) = Content::load_state(config);
        (content, diags)
    }

    /// Like [`Content::load`], also returning what [`Content::apply_edits`]
    /// needs to take later edits of single files into account.
    pub fn load_state(config: &Config) -> (Content, Diagnostics, LoadState) {
        let mut global = Diagnostics::new();
        let dir = config.content_dir();
        let files = discover(&config.root, &dir, &mut global);
        let parsed: Vec<Parsed> = files
            .records
            .par_iter()
            .map(|rel| parse_file(&config.root, rel))
            .collect();
        let mut events = Vec::with_capacity(parsed.len());
        let mut keys = Vec::with_capacity(parsed.len());
        let mut records = HashMap::with_capacity(parsed.len());
        for (rel, p) in files.records.iter().zip(parsed) {
            if let Some(k) = &p.key {
                keys.push(k.clone());
            }
            let has_event = p.event.is_some();
            if let Some(ev) = p.event {
                events.push(ev);
            }
            records.insert(
                rel.clone(),
                RecordState {
                    key: p.key,
                    has_event,
                    related_locs: p.related_locs,
                    diagnostics: p.diagnostics,
                    related_diagnostics: Vec::new(),
                },
            );
        }
        check_keys(&keys, &mut global);
        let known = KnownKeys::new(keys.iter());
        for e in &mut events {
            if let Some(r) = records.get_mut(&e.file) {
                r.related_diagnostics = check_related(e, &known, &r.related_locs);
            }
        }
        let overlay_diags = crate::translation::attach_each(config, &mut events, &files.overlays);
        events.sort_by(|a, b| a.source.cmp(&b.source).then(a.id.cmp(&b.id)));
        let state = LoadState {
            records,
            overlays: files
                .overlays
                .iter()
                .zip(overlay_diags)
                .map(|(o, ds)| (o.file.clone(), (o.clone(), ds)))
                .collect(),
            global,
        };
        let diags = state.diagnostics();
        (
            Content {
                events,
                overlays: files.overlays,
            },
            diags,
            state,
        )
    }

    /// Take edits of existing record and overlay files (paths relative to the
    /// site root) into account, re-reading only those files. Returns the
    /// replaced events as they were before, and every diagnostic of the site
    /// (as a fresh load would report them).
    ///
    /// Returns `None`, changing nothing, when the edits change the set of files
    /// or events (a file added, removed or renamed, or an event's source or ID
    /// edited, or a record that stopped or started parsing): the caller then
    /// loads everything again.
    pub fn apply_edits(
        &mut self,
        config: &Config,
        state: &mut LoadState,
        changed: &[PathBuf],
    ) -> Option<(Vec<Event>, Diagnostics)> {
        let mut old_events: Vec<Event> = Vec::new();
        // Parse first, so that nothing changes when a full reload is needed.
        let mut records = Vec::new();
        let mut overlays = Vec::new();
        for rel in changed {
            let known = state.records.contains_key(rel) || state.overlays.contains_key(rel);
            if !known && !config.root.join(rel).exists() {
                // A temporary file that came and went (editors, sed -i), unless it
                // was a folder that held records.
                if state.records.keys().any(|r| r.starts_with(rel)) {
                    return None;
                }
                continue;
            }
            if !config.root.join(rel).is_file() {
                return None;
            }
            if let Some(r) = state.records.get(rel) {
                let p = parse_file(&config.root, rel);
                let same_key = match (&p.key, &r.key) {
                    (Some(a), Some(b)) => a.source == b.source && a.id == b.id,
                    (None, None) => true,
                    _ => false,
                };
                if !same_key || p.event.is_some() != r.has_event {
                    return None;
                }
                records.push((rel.clone(), p));
            } else if let Some((o, _)) = state.overlays.get(rel) {
                overlays.push(o.clone());
            } else {
                return None;
            }
        }
        // Resolve related events against the (unchanged) set of keys.
        // (Only built when an edited record has related events.)
        let any_related = records
            .iter()
            .any(|(_, p)| p.event.as_ref().is_some_and(|e| !e.related.is_empty()));
        let known = if any_related {
            KnownKeys::new(state.records.values().filter_map(|r| r.key.as_ref()))
        } else {
            KnownKeys::new(std::iter::empty())
        };
        let records: Vec<(PathBuf, Parsed, Vec<Diagnostic>)> = records
            .into_iter()
            .map(|(rel, mut p)| {
                let ds = match &mut p.event {
                    Some(ev) => check_related(ev, &known, &p.related_locs),
                    None => Vec::new(),
                };
                (rel, p, ds)
            })
            .collect();
        drop(known);
        // Compared as strings: `Path` equality walks components, which adds up over 10,000 events.
        let index_of = |events: &[Event], file: &Path| {
            events.iter().position(|e| e.file.as_os_str() == file.as_os_str())
        };
        let mut reattach: Vec<OverlayFile> = Vec::new();
        for (rel, p, related_diagnostics) in records {
            let r = state.records.get_mut(&rel)?;
            r.diagnostics = p.diagnostics;
            r.related_diagnostics = related_diagnostics;
            r.related_locs = p.related_locs;
            let Some(ev) = p.event else { continue };
            let Some(i) = index_of(&self.events, &rel) else {
                continue;
            };
            old_events.push(std::mem::replace(&mut self.events[i], ev));
            // Its translations are checked against it: attach them again.
            reattach.extend(
                state
                    .overlays
                    .values()
                    .filter(|(o, _)| crate::translation::record_path_for(&o.file).contains(&rel))
                    .map(|(o, _)| o.clone()),
            );
        }
        for o in overlays {
            if !reattach.iter().any(|r| r.file == o.file) {
                reattach.push(o);
            }
        }
        for o in reattach {
            let target = crate::translation::record_path_for(&o.file)
                .iter()
                .find_map(|p| index_of(&self.events, p));
            let ds = match target {
                Some(i) => {
                    if !old_events.iter().any(|e| e.file == self.events[i].file) {
                        old_events.push(self.events[i].clone());
                    }
                    self.events[i].translations.remove(&o.lang);
                    crate::translation::attach_each(
                        config,
                        std::slice::from_mut(&mut self.events[i]),
                        std::slice::from_ref(&o),
                    )
                }
                None => crate::translation::attach_each(config, &mut [], std::slice::from_ref(&o)),
            };
            if let Some(slot) = state.overlays.get_mut(&o.file) {
                slot.1 = ds.into_iter().flatten().collect();
            }
        }
        Some((old_events, state.diagnostics()))
    }
}

/// What [`Content::load_state`] keeps to apply later edits of single files.
pub struct LoadState {
    records: HashMap<PathBuf, RecordState>,
    overlays: BTreeMap<PathBuf, (OverlayFile, Vec<Diagnostic>)>,
    /// Problems that span files (duplicates, slug collisions, unreadable folders).
    global: Diagnostics,
}

struct RecordState {
    key: Option<RecordKey>,
    has_event: bool,
    related_locs: Vec<Location>,
    diagnostics: Vec<Diagnostic>,
    related_diagnostics: Vec<Diagnostic>,
}

impl LoadState {
    /// Every diagnostic, sorted.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut d = self.global.clone();
        for r in self.records.values() {
            d.extend(r.diagnostics.iter().cloned());
            d.extend(r.related_diagnostics.iter().cloned());
        }
        for (_, ds) in self.overlays.values() {
            d.extend(ds.iter().cloned());
        }
        d.sort();
        d
    }
}

struct Discovered {
    records: Vec<PathBuf>,
    overlays: Vec<OverlayFile>,
}

/// Walk `content/` (following symlinks, detecting loops) and classify files.
fn discover(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Discovered {
    let mut records = Vec::new();
    let mut overlays = Vec::new();
    if !dir.is_dir() {
        diags.push(
            Diagnostic::warning(
                "no-content",
                "there is no content/ folder: the site has no events",
            )
            .help("create content/ and add one YAML file per event (see `eventref new`)"),
        );
        return Discovered { records, overlays };
    }
    let canonical_root = crate::confine::canonical_root(root);
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    while let Some(entry) = walker.next() {
        // Links may lead anywhere inside the site, never outside it.
        if let Ok(e) = &entry
            && (e.path_is_symlink() || e.depth() == 0)
            && crate::confine::escapes(&canonical_root, e.path())
        {
            diags.push(crate::confine::link_outside(&rel(root, e.path())));
            if e.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| rel(root, p))
                    .unwrap_or_else(|| PathBuf::from("content"));
                let (code, msg, help) = if err.loop_ancestor().is_some() {
                    (
                        "symlink-loop",
                        format!("symbolic link loop at {}", path.display()),
                        "remove the link or point it outside its own ancestors",
                    )
                } else {
                    (
                        "read-error",
                        format!("cannot read {}: {err}", path.display()),
                        "check the file's permissions",
                    )
                };
                diags.push(
                    Diagnostic::error(code, msg)
                        .at(Location::file_only(path))
                        .help(help),
                );
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        let Some(stem) = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")) else {
            continue;
        };
        let relpath = rel(root, entry.path());
        match stem.rsplit_once('.') {
            Some((_, lang)) if crate::config::valid_lang_code(lang) => overlays.push(OverlayFile {
                file: relpath,
                lang: lang.to_string(),
            }),
            _ => records.push(relpath),
        }
    }
    Discovered { records, overlays }
}

/// A path on this site (`/en/…`): one leading `/` and no backslash, space or
/// control character, since browsers read `//host/`, `/\host/` and
/// `/<tab>/host/` as links to another host.
pub fn is_site_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.contains('\\')
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

fn rel(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Read a file as UTF-8 text, with size limit, BOM removal and precise errors.
pub fn read_text(root: &Path, rel_path: &Path) -> Result<Arc<str>, Box<Diagnostic>> {
    let path = root.join(rel_path);
    let meta = std::fs::metadata(&path).map_err(|e| {
        Box::new(
            Diagnostic::error("read-error", format!("cannot read {}: {e}", rel_path.display()))
                .at(Location::file_only(rel_path)),
        )
    })?;
    if meta.len() > MAX_RECORD_BYTES {
        return Err(Box::new(
            Diagnostic::error(
                "file-too-large",
                format!(
                    "{} is {:.1} MB; records are limited to {} MB",
                    rel_path.display(),
                    meta.len() as f64 / 1e6,
                    MAX_RECORD_BYTES / (1024 * 1024)
                ),
            )
            .at(Location::file_only(rel_path))
            .help("an event record should hold one event; move long material to a linked page"),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        Box::new(
            Diagnostic::error("read-error", format!("cannot read {}: {e}", rel_path.display()))
                .at(Location::file_only(rel_path)),
        )
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Arc::from(s)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or("");
            let line = good.matches('\n').count() as u32 + 1;
            let col = good.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
            Err(Box::new(
                Diagnostic::error(
                    "invalid-utf8",
                    format!(
                        "{} is not valid UTF-8 (byte 0x{:02X})",
                        rel_path.display(),
                        bytes[e.valid_up_to()]
                    ),
                )
                .at(Location::new(rel_path, Some(lossy), line, col))
                .help("save the file as UTF-8 (most editors: File → Save with Encoding → UTF-8)"),
            ))
        }
    }
}

/// Parse YAML text into `T` with the project's safe options, mapping errors to diagnostics.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    rel_path: &Path,
    text: &Arc<str>,
    fields: &[&str],
) -> Result<T, Box<Diagnostic>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
    };
    serde_saphyr::from_str_with_options::<T>(text, options)
        .map_err(|e| Box::new(yaml_error(rel_path, text, &e, fields)))
}

fn yaml_error(rel_path: &Path, text: &Arc<str>, e: &serde_saphyr::Error, fields: &[&str]) -> Diagnostic {
    use serde_saphyr::Error as E;
    let inner = e.without_snippet();
    let opts = serde_saphyr::render_options! {
        formatter: &serde_saphyr::UserMessageFormatter,
        snippets: serde_saphyr::SnippetMode::Off,
    };
    let mut msg = inner.render_with_options(opts);
    if let Some((m, _)) = msg.rsplit_once(" at line ") {
        msg = m.to_string();
    }
    let loc = e
        .location()
        .map(|l| Location::new(rel_path, Some(text.clone()), l.line() as u32, l.column() as u32));
    let (code, help): (&'static str, Option<String>) = match inner {
        E::SerdeUnknownField { field, expected, .. } => {
            let len = field.chars().count();
            let known: &[&str] = if expected.is_empty() { fields } else { expected };
            let help = match did_you_mean(field, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the known fields are: {}", known.join(", ")),
            };
            msg = format!("unknown field `{field}`");
            let d = Diagnostic::error("unknown-field", msg).help(help);
            return match loc {
                Some(l) => d.at(l.with_len(len)),
                None => d.at(Location::file_only(rel_path)),
            };
        }
        E::SerdeMissingField { field, .. } => {
            msg = format!("missing required field `{field}`");
            ("missing-field", Some(format!("add `{field}: …` to the record")))
        }
        E::DuplicateMappingKey { key, .. } => (
            "duplicate-key",
            Some(format!(
                "remove one of the two `{}` entries: YAML maps may not repeat a key",
                key.as_deref().unwrap_or("?")
            )),
        ),
        E::SerdeInvalidType {
            unexpected, expected, ..
        } => {
            let help = if unexpected.contains("boolean") || unexpected.contains("bool") {
                "YAML reads yes/no/on/off/true/false as booleans here: put the text in quotes, e.g. \"no\""
                    .to_string()
            } else if expected.contains("string") {
                "put the value in quotes to keep it as text, e.g. \"14.0\"".to_string()
            } else if expected.contains("integer") || expected.contains("i64") {
                "write a plain number without quotes, e.g. 2002".to_string()
            } else {
                format!("expected {expected}")
            };
            ("invalid-type", Some(help))
        }
        E::Budget { .. } | E::AliasExpansionLimitExceeded { .. } | E::AliasReplayLimitExceeded { .. } => (
            "yaml-limit",
            Some("the file exceeds eventref's safety limits (aliases, nesting or size); simplify it".into()),
        ),
        _ => {
            // Type mismatches that saphyr reports as plain messages.
            let lower = msg.to_ascii_lowercase();
            if lower.starts_with("invalid i") || lower.starts_with("invalid u") {
                msg = format!("{msg}: expected a whole number");
                (
                    "invalid-type",
                    Some("write a plain number without quotes, e.g. 2002".into()),
                )
            } else if lower.contains("expected sequence") {
                msg = format!("{msg}: expected a list");
                (
                    "invalid-type",
                    Some("write a list, e.g. [Foo/1, Foo/2], or one `- item` per line".into()),
                )
            } else if lower.contains("expected mapping") {
                msg = format!("{msg}: expected a map of `key: value` lines");
                (
                    "invalid-type",
                    Some("indent the `key: value` lines under this field".into()),
                )
            } else if lower.contains("expected string") {
                msg = format!("{msg}: expected text");
                (
                    "invalid-type",
                    Some("write text here; put it in quotes if it contains `: `, `[`, `{` or `#`".into()),
                )
            } else if [
                "recursion limit",
                "depth",
                "budget",
                "limits breached",
                "too complex",
            ]
            .iter()
            .any(|k| lower.contains(k))
            {
                (
                    "yaml-limit",
                    Some("the file is too large, nests too deeply or expands too many aliases for eventref's safety limits; simplify it".into()),
                )
            } else {
                (
                    "yaml-syntax",
                    Some("check the YAML syntax near this line (indentation, quotes, colons)".into()),
                )
            }
        }
    };
    let mut d = Diagnostic::error(code, msg);
    if let Some(h) = help {
        d = d.help(h);
    }
    match loc {
        Some(l) => d.at(l),
        None => d.at(Location::file_only(rel_path)),
    }
}

/// The result of reading one record file.
#[derive(Clone)]
struct Parsed {
    /// The record's key, when source and ID could be read (even if other fields are wrong),
    /// so that duplicates are reported in the same run as other errors.
    key: Option<RecordKey>,
    event: Option<Event>,
    /// Where each of `event.related` was written, for dangling-reference errors.
    related_locs: Vec<Location>,
    diagnostics: Vec<Diagnostic>,
}

fn parse_file(root: &Path, rel_path: &Path) -> Parsed {
    let failed = |d: Box<Diagnostic>| Parsed {
        key: None,
        event: None,
        related_locs: Vec::new(),
        diagnostics: vec![*d],
    };
    let text = match read_text(root, rel_path) {
        Ok(t) => t,
        Err(d) => return failed(d),
    };
    match parse_yaml::<RawRecord>(rel_path, &text, RECORD_FIELDS) {
        Ok(raw) => check_record(rel_path, &text, raw),
        Err(d) => failed(d),
    }
}

fn span_loc<T>(rel_path: &Path, text: &Arc<str>, s: &Spanned<T>) -> Location {
    Location::new(
        rel_path,
        Some(text.clone()),
        s.referenced.line() as u32,
        s.referenced.column() as u32,
    )
}

fn check_record(rel_path: &Path, text: &Arc<str>, raw: RawRecord) -> Parsed {
    let mut ds = Vec::new();

    // source
    let source = raw.source.value.trim().to_string();
    let raw_source = source.clone();
    let source_loc = span_loc(rel_path, text, &raw.source).with_len(raw.source.value.chars().count());
    let id_loc = span_loc(rel_path, text, &raw.id).with_len(raw.id.value.to_string().len());
    let source_slug = Slug::new(&source);
    if source_slug.is_none() {
        ds.push(
            Diagnostic::error(
                "invalid-source",
                format!(
                    "source `{}` has no letters or digits to build a URL from",
                    raw.source.value
                ),
            )
            .at(span_loc(rel_path, text, &raw.source).with_len(raw.source.value.chars().count()))
            .help("write the event source as Event Viewer shows it, e.g. `MSExchangeTransport`"),
        );
    } else if source.contains(['/', '\\']) || source.contains("..") {
        ds.push(
            Diagnostic::error(
                "invalid-source",
                format!("source `{source}` contains a path separator or `..`"),
            )
            .at(span_loc(rel_path, text, &raw.source).with_len(source.chars().count()))
            .help("event sources are names, not paths: write it as Event Viewer shows it"),
        );
    }

    // id
    let id = raw.id.value;
    let id16 = if (0..=65535).contains(&id) {
        Some(id as u16)
    } else {
        let mut d = Diagnostic::error("id-out-of-range", format!("event ID {id} is outside 0–65535"))
            .at(span_loc(rel_path, text, &raw.id).with_len(id.to_string().len()));
        d = if (65536..=u32::MAX as i64).contains(&id) {
            d.help(format!(
                "{id} = 0x{id:08X} looks like a 32-bit message ID with severity bits; the event ID is its low 16 bits: {}",
                id & 0xFFFF
            ))
        } else {
            d.help("event IDs are whole numbers from 0 to 65535")
        };
        ds.push(d);
        None
    };

    // message
    if raw.message.value.trim().is_empty() {
        ds.push(
            Diagnostic::error("empty-message", "message is empty")
                .at(span_loc(rel_path, text, &raw.message))
                .help("copy the message text from Event Viewer, with %1, %2 … where values go"),
        );
    }
    let inserts = message::inserts(&raw.message.value);

    // level
    let level = raw.level.as_ref().and_then(|l| match Level::parse(&l.value) {
        Some(lv) => Some(lv),
        None => {
            ds.push(
                Level::unknown(&l.value).at(span_loc(rel_path, text, l).with_len(l.value.chars().count())),
            );
            None
        }
    });

    // parameters: every key must be an insert of the message
    let mut parameters = BTreeMap::new();
    for (k, v) in raw.parameters.0 {
        if !inserts.contains(&k.value) {
            let help = match did_you_mean(&k.value, inserts.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if inserts.is_empty() => "the message has no insertion strings".to_string(),
                None => format!("the message's insertion strings are: {}", inserts.join(", ")),
            };
            ds.push(
                Diagnostic::warning(
                    "unknown-parameter",
                    format!("parameter `{}` does not appear in the message", k.value),
                )
                .at(span_loc(rel_path, text, &k).with_len(k.value.chars().count()))
                .help(help),
            );
        }
        parameters.insert(k.value, v);
    }

    // symbolic name: an identifier
    if let Some(s) = &raw.symbolic_name
        && (s.value.is_empty() || !s.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        ds.push(
            Diagnostic::warning(
                "invalid-symbolic-name",
                format!("symbolic name `{}` is not an identifier", s.value),
            )
            .at(span_loc(rel_path, text, s).with_len(s.value.chars().count()))
            .help("symbolic names are written like SmtpSendConnectionError (letters, digits, _)"),
        );
    }

    // related: "Source/ID"
    let mut related = Vec::new();
    for r in &raw.related {
        match parse_ref(&r.value) {
            Some(k) => related.push((k, span_loc(rel_path, text, r).with_len(r.value.chars().count()))),
            None => ds.push(
                Diagnostic::error(
                    "invalid-related",
                    format!("`{}` is not an event reference", r.value),
                )
                .at(span_loc(rel_path, text, r).with_len(r.value.chars().count()))
                .help("write related events as \"Source/ID\", e.g. MSExchangeTransport/2003"),
            ),
        }
    }

    // links
    let mut links = Vec::new();
    for l in raw.links {
        let url = l.value.url.trim();
        let ok = url.starts_with("https://") || url.starts_with("http://") || is_site_path(url);
        if !ok {
            ds.push(
                Diagnostic::error("invalid-link", format!("link URL `{url}` is not allowed"))
                    .at(span_loc(rel_path, text, &l))
                    .help("links must be http(s) URLs or site paths starting with /"),
            );
        }
        links.push(l.value);
    }

    // last_modified
    let last_modified = raw.last_modified.as_ref().map(|d| d.value.trim().to_string());
    if let Some(d) = &raw.last_modified
        && !valid_date(d.value.trim())
    {
        ds.push(
            Diagnostic::error("invalid-date", format!("`{}` is not a date", d.value))
                .at(span_loc(rel_path, text, d).with_len(d.value.chars().count()))
                .help("write dates as YYYY-MM-DD, e.g. 2011-03-19"),
        );
    }

    let empty_to_none = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let raw_id = id16;
    let has_errors = ds
        .iter()
        .any(|d| d.severity == crate::diagnostics::Severity::Error);
    let event = match (source_slug, id16) {
        (Some(source_slug), Some(id)) if !has_errors => Some(Event {
            source,
            source_slug,
            id,
            file: rel_path.to_path_buf(),
            message: raw.message.value.trim_end().to_string(),
            symbolic_name: empty_to_none(raw.symbolic_name.map(|s| s.value)),
            category: empty_to_none(raw.category.map(|s| s.value)),
            level,
            product: empty_to_none(raw.product),
            product_version: empty_to_none(raw.product_version.map(|s| s.value)),
            channel: empty_to_none(raw.channel),
            parameters,
            explanation: empty_to_none(raw.explanation),
            user_action: raw.user_action,
            related: related.iter().map(|(k, _)| k.clone()).collect(),
            links,
            last_modified,
            translations: BTreeMap::new(),
        }),
        _ => None,
    };
    let key = match (Slug::new(&raw_source), raw_id) {
        (Some(slug), Some(id)) => Some(RecordKey {
            source: raw_source,
            slug,
            id,
            source_loc: source_loc.clone(),
            id_loc: id_loc.clone(),
        }),
        _ => None,
    };
    Parsed {
        key,
        event,
        related_locs: related.into_iter().map(|(_, l)| l).collect(),
        diagnostics: ds,
    }
}

/// Parse `"Source/ID"`.
pub fn parse_ref(s: &str) -> Option<EventKey> {
    let (src, id) = s.trim().rsplit_once('/')?;
    let id: u16 = id.trim().parse().ok()?;
    let src = src.trim();
    if src.is_empty() {
        return None;
    }
    Some(EventKey {
        source: src.to_string(),
        id,
    })
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(_), Some(m), Some(d)) => (1..=12).contains(&m) && (1..=31).contains(&d),
        _ => false,
    }
}

/// The identity of one record file, known even when other fields are invalid.
#[derive(Clone)]
struct RecordKey {
    source: String,
    slug: Slug,
    id: u16,
    source_loc: Location,
    id_loc: Location,
}

/// Duplicate (source, id) pairs and sources whose URL slugs collide.
fn check_keys(keys: &[RecordKey], diags: &mut Diagnostics) {
    // `keys` is in file order (discovery sorts by name), so "first" is stable.
    let mut seen: HashMap<(&Slug, u16), &RecordKey> = HashMap::new();
    let mut by_slug: HashMap<&Slug, &RecordKey> = HashMap::new();
    let mut reported_pairs = std::collections::HashSet::new();
    for k in keys {
        if let Some(first) = seen.get(&(&k.slug, k.id)) {
            if first.source == k.source {
                diags.push(
                    Diagnostic::error(
                        "duplicate-event",
                        format!("{} {} is defined twice", k.source, k.id),
                    )
                    .at(k.id_loc.clone())
                    .note("first defined here", Some(first.id_loc.clone()))
                    .help("each (source, id) pair must appear in exactly one record; merge the two files"),
                );
            }
        } else {
            seen.insert((&k.slug, k.id), k);
        }
        match by_slug.get(&k.slug) {
            Some(other) if other.source != k.source => {
                if reported_pairs.insert((other.source.clone(), k.source.clone())) {
                    diags.push(
                        Diagnostic::error(
                            "slug-collision",
                            format!(
                                "sources `{}` and `{}` would share the URL /{}/",
                                other.source, k.source, k.slug
                            ),
                        )
                        .at(k.source_loc.clone())
                        .note(
                            format!("`{}` is used here", other.source),
                            Some(other.source_loc.clone()),
                        )
                        .help("spell the source exactly as in the other records, or rename one of them"),
                    );
                }
            }
            Some(_) => {}
            None => {
                by_slug.insert(&k.slug, k);
            }
        }
    }
}

/// Resolve `related` references; report the ones that point nowhere.
/// The keys of every record, for resolving related events.
struct KnownKeys<'a> {
    events: HashMap<(&'a str, u16), &'a str>,
    sources: std::collections::HashSet<&'a str>,
}

impl<'a> KnownKeys<'a> {
    fn new(keys: impl Iterator<Item = &'a RecordKey>) -> Self {
        let mut k = KnownKeys {
            events: HashMap::new(),
            sources: std::collections::HashSet::new(),
        };
        for key in keys {
            k.events.insert((key.slug.as_str(), key.id), key.source.as_str());
            k.sources.insert(key.slug.as_str());
        }
        k
    }
}

/// Resolve `e.related` (keeping only events that exist) and report the others.
fn check_related(e: &mut Event, known: &KnownKeys, locs: &[Location]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut resolved = Vec::new();
    for (k, loc) in e.related.iter().zip(locs.iter().cloned()) {
        let slug = Slug::new(&k.source);
        let slug_str = slug.as_ref().map(Slug::as_str).unwrap_or("");
        match known.events.get(&(slug_str, k.id)) {
            Some(src) => resolved.push(EventKey {
                source: (*src).to_string(),
                id: k.id,
            }),
            None => {
                let help = if known.sources.contains(slug_str) {
                    format!("{} has no event {}; add it, or fix the ID", k.source, k.id)
                } else {
                    format!(
                        "there is no source `{}`; check the spelling or add the event",
                        k.source
                    )
                };
                diags.push(
                    Diagnostic::error(
                        "dangling-related",
                        format!("related event {}/{} does not exist", k.source, k.id),
                    )
                    .at(loc)
                    .help(help),
                );
            }
        }
    }
    e.related = resolved;
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(Level::parse("Warning"), Some(Level::Warning));
        assert_eq!(Level::parse("audit_success"), Some(Level::AuditSuccess));
        assert_eq!(Level::parse("Informational"), Some(Level::Information));
        assert_eq!(Level::parse("warn"), None);
    }

    #[test]
    fn refs() {
        assert_eq!(
            parse_ref("MSExchangeTransport/2003"),
            Some(EventKey {
                source: "MSExchangeTransport".into(),
                id: 2003
            })
        );
        assert_eq!(parse_ref("Microsoft-Windows-DNS-Client/1014").unwrap().id, 1014);
        assert_eq!(parse_ref("2003"), None);
        assert_eq!(parse_ref("X/70000"), None);
    }

    #[test]
    fn dates() {
        assert!(valid_date("2011-03-19"));
        assert!(!valid_date("2011-3-19"));
        assert!(!valid_date("2011-13-01"));
    }
}
