//! The one walk of `content/`: which files are records and which are
//! translation overlays, and a light index of the records (source and ID
//! only) for the tools that add records: `eventref new` and the importers.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::model::{OverlayFile, RECORD_FIELDS};
use super::slug::Slug;
use super::yaml::{parse_yaml, read_text};
use crate::config::layout;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Severity};

pub(super) struct Discovered {
    pub(super) records: Vec<PathBuf>,
    pub(super) overlays: Vec<OverlayFile>,
}

/// Walk `content/` (following symlinks, detecting loops) and classify files.
pub(super) fn discover(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Discovered {
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
                    .unwrap_or_else(|| PathBuf::from(layout::CONTENT));
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

fn rel(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

/// A record found under `content/`: where it is and which event it describes.
#[derive(Debug, Clone)]
pub struct IndexedRecord {
    /// The file, relative to the site root.
    pub file: PathBuf,
    /// The source as written in the record.
    pub source: String,
    /// The source's slug (records are matched by slug, as `check` does).
    pub slug: Slug,
    /// The event ID.
    pub id: u16,
    /// Where the `id` is written, for "already exists" errors.
    pub id_loc: Location,
}

/// The `(source, id)` of every record under `content/`, read without the full checks.
#[derive(Debug, Default)]
pub struct ContentIndex {
    /// Every record whose source and ID could be read, in file order.
    pub records: Vec<IndexedRecord>,
    /// Files that could not be read; they may hold records the index does not know.
    pub problems: Vec<Diagnostic>,
    by_key: HashMap<(Slug, u16), usize>,
    /// Per source slug: how many records each folder holds.
    folders: HashMap<Slug, BTreeMap<PathBuf, usize>>,
    /// Per source slug: the first spelling seen.
    spellings: HashMap<Slug, String>,
}

#[derive(Deserialize)]
struct KeyOnly {
    source: Option<Spanned<String>>,
    id: Option<Spanned<i64>>,
}

impl ContentIndex {
    /// Read the source and ID of every record under `root/content/` (overlays are skipped).
    pub fn scan(root: &Path) -> ContentIndex {
        let mut index = ContentIndex::default();
        let dir = root.join(layout::CONTENT);
        let mut diags = Diagnostics::new();
        let files = discover(root, &dir, &mut diags);
        index
            .problems
            .extend(diags.into_iter().filter(|d| d.severity == Severity::Error));
        for rel in files.records {
            let text = match read_text(root, &rel) {
                Ok(t) => t,
                Err(d) => {
                    index.problems.push(*d);
                    continue;
                }
            };
            let key: KeyOnly = match parse_yaml(&rel, &text, RECORD_FIELDS) {
                Ok(k) => k,
                Err(d) => {
                    index.problems.push(*d);
                    continue;
                }
            };
            let (Some(source), Some(id)) = (key.source, key.id) else {
                continue;
            };
            let source_text = source.value.trim().to_string();
            let (Some(slug), Ok(id16)) = (Slug::new(&source_text), u16::try_from(id.value)) else {
                continue;
            };
            let id_loc = Location::new(
                &rel,
                Some(text.clone()),
                id.referenced.line() as u32,
                id.referenced.column() as u32,
            )
            .with_len(id.value.to_string().len());
            index.add(IndexedRecord {
                file: rel,
                source: source_text,
                slug,
                id: id16,
                id_loc,
            });
        }
        index
    }

    /// Add a record (one just written, for instance).
    pub fn add(&mut self, r: IndexedRecord) {
        let folder = r.file.parent().map(Path::to_path_buf).unwrap_or_default();
        *self
            .folders
            .entry(r.slug.clone())
            .or_default()
            .entry(folder)
            .or_default() += 1;
        self.spellings
            .entry(r.slug.clone())
            .or_insert_with(|| r.source.clone());
        self.by_key
            .entry((r.slug.clone(), r.id))
            .or_insert(self.records.len());
        self.records.push(r);
    }

    /// The record of `source` (matched by slug) and `id`, if there is one.
    pub fn find(&self, source: &str, id: u16) -> Option<&IndexedRecord> {
        let slug = Slug::new(source)?;
        self.by_key.get(&(slug, id)).map(|&i| &self.records[i])
    }

    /// How the records already spell `source`, when they spell it differently
    /// (`msexchangetransport` vs `MSExchangeTransport`): the two would share a URL.
    pub fn other_spelling(&self, source: &str) -> Option<&str> {
        let slug = Slug::new(source)?;
        self.spellings
            .get(&slug)
            .map(String::as_str)
            .filter(|s| *s != source)
    }

    /// The folder for new records of `source`, relative to the site root: the
    /// folder holding most of the source's records, or `content/<source-slug>`.
    pub fn folder_for(&self, source: &str) -> PathBuf {
        let Some(slug) = Slug::new(source) else {
            return PathBuf::from("content");
        };
        self.folders
            .get(&slug)
            .and_then(|f| {
                // Most records first; among equals, the first path.
                f.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(p, _)| p.clone())
            })
            .unwrap_or_else(|| Path::new("content").join(slug.as_str()))
    }

    /// The path for a new record of `source` and `id`, relative to the site root.
    pub fn path_for(&self, source: &str, id: u16) -> PathBuf {
        self.folder_for(source).join(format!("{id}.yaml"))
    }
}
