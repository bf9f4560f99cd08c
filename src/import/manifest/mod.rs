//! `eventref import manifest`: records, translations and shared value maps
//! from Windows instrumentation manifests (`.man`) and from the XML that
//! `wevtutil gp <provider> /ge /gm /f:xml` prints.
//!
//! Each file is read with `roxmltree` and recognized by its root element:
//! `<instrumentationManifest>` is a manifest ([`man`]), `<provider>` the
//! output of wevtutil ([`wevtutil`]). Both readers produce the same
//! [`Provider`]s, which this module turns into records:
//!
//! - an event is `source` = provider name, `id` = event value (a 32-bit
//!   wevtutil value is reduced to its low 16 bits, the high 16 bits kept in an
//!   `# import-note:`, as the CSV importer does), `message`, `symbolic_name` =
//!   symbol, `level`, `channel` (the channel's name), `task` and `category` =
//!   task name, `opcode` (without `win:`), `keywords`, `fields` = the
//!   template's `<data name= inType= map=>` in order (`%1` is the first);
//! - several versions of an event value make one record: the highest version
//!   with a message is the top-level message and fields, and `versions:` lists
//!   every version, oldest first, each older one with its message and fields
//!   where they differ (those events are counted as merged);
//! - a `valueMap` or `bitMap` becomes the shared value map
//!   `value_maps/<provider>-<map>.yaml` (name as a slug), which the fields
//!   using it name in `value_map:`;
//! - messages and map labels come from the string table of the culture that
//!   matches the site's default language (else `en-US`, else the first);
//!   every other culture whose language the site has becomes an overlay of the
//!   record (`<id>.<lang>.yaml`, the message) and a translation of each
//!   value map (`value_maps/<name>.<lang>.yaml`). A culture matches a site
//!   language by its full code (`pt-BR`) or, failing that, its language
//!   (`de-DE` → `de`).
//!
//! Errors (malformed XML, a `$(string.Id)` no string table has, a template or
//! map no element defines, a number out of range) name file, line and column;
//! nothing is written while there are any.

mod man;
mod wevtutil;
mod xml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location};
use crate::error::Failure;

use super::blocks::{FieldOut, VersionOut, fields_block, keywords_block, value_map_blocks, versions_block};
use super::{
    ImportedRecord, ImportedTranslation, Importer, Report, expand_inputs_any, origin_of, parse_inputs,
};

/// Texts by culture (`en-US`); the key `""` is a text of no stated culture.
pub type Texts = BTreeMap<String, String>;

/// One `<event>` definition.
#[derive(Debug, Clone)]
pub struct EventDef {
    /// The event ID.
    pub id: u16,
    /// The version (0–255).
    pub version: u8,
    /// The level value (1 critical … 5 verbose).
    pub level: Option<u64>,
    /// The channel's name.
    pub channel: Option<String>,
    /// The task's name.
    pub task: Option<String>,
    /// The opcode's name, without `win:`.
    pub opcode: Option<String>,
    /// The keywords' names.
    pub keywords: Vec<String>,
    /// The symbol.
    pub symbol: Option<String>,
    /// The message in each culture (empty: the event has none).
    pub message: Texts,
    /// The template's data fields, in order.
    pub fields: Vec<FieldOut>,
    /// Facts for `# import-note:` lines.
    pub notes: Vec<String>,
    /// Where the `<event>` is.
    pub location: Location,
}

/// One `valueMap` or `bitMap`.
#[derive(Debug, Clone)]
pub struct MapDef {
    /// The shared map's name (`contoso-backup-logon-type-map`).
    pub name: String,
    /// A `bitMap`.
    pub bitmap: bool,
    /// The values and their labels by culture.
    pub entries: Vec<(u64, Texts)>,
}

/// One provider with its events and maps.
#[derive(Debug, Clone)]
pub struct Provider {
    /// The provider's name: the event source.
    pub name: String,
    /// The events, in file order.
    pub events: Vec<EventDef>,
    /// The maps.
    pub maps: Vec<MapDef>,
}

/// A read input file.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The input file.
    pub file: PathBuf,
    /// The cultures of its string tables, in file order.
    pub cultures: Vec<String>,
    /// Its providers.
    pub providers: Vec<Provider>,
    /// Warnings (unknown tasks, structs in templates, …).
    pub warnings: Vec<Diagnostic>,
}

/// Read one manifest or wevtutil file: its providers, or every error found.
pub fn parse(file: &Path, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let doc = match roxmltree::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let p = e.pos();
            let at = Location::new(file, Some(text.into()), p.row, p.col);
            return Err(vec![
                Diagnostic::error("xml-syntax", format!("malformed XML: {e}"))
                    .at(at)
                    .help("fix the XML at this place (every element closed, attributes quoted, & written as &amp;)"),
            ]);
        }
    };
    let mut r = xml::Reader::new(file, text, &doc);
    let root = doc.root_element();
    let (providers, cultures) = match root.tag_name().name() {
        "instrumentationManifest" => man::read(&mut r, root),
        "provider" => (wevtutil::read(&mut r, root).into_iter().collect(), Vec::new()),
        other => {
            r.error(
                root,
                "",
                "manifest-root",
                format!("<{other}> is neither an instrumentation manifest nor wevtutil output"),
                "pass a .man file (root <instrumentationManifest>) or the output of `wevtutil gp <provider> /ge /gm /f:xml` (root <provider>)",
            );
            (Vec::new(), Vec::new())
        }
    };
    let (errors, warnings): (Vec<_>, Vec<_>) = r
        .diagnostics
        .into_iter()
        .partition(|d| d.severity == crate::diagnostics::Severity::Error);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Parsed {
        file: file.to_path_buf(),
        cultures,
        providers,
        warnings,
    })
}

/// Skip reason: no version of the event has a message in the default culture.
pub const NO_MESSAGE: &str = "no message";
/// Skip reason: another event of the provider has the same ID and version.
pub const DUPLICATE: &str = "duplicate of an imported event (same ID and version)";

/// Which culture fills the records, and the site language of the others.
struct Cultures {
    default: String,
    site_default: String,
    languages: Vec<String>,
}

impl Cultures {
    fn pick(cultures: &[String], config: &Config) -> Cultures {
        let mut c = Cultures {
            default: String::new(),
            site_default: config.default_language.clone(),
            languages: config.language_codes().map(str::to_string).collect(),
        };
        let default = cultures
            .iter()
            .find(|x| c.language(x) == c.site_default)
            .or_else(|| cultures.iter().find(|x| x.eq_ignore_ascii_case("en-US")))
            .or_else(|| cultures.first());
        c.default = default.cloned().unwrap_or_default();
        c
    }

    /// The site language of a culture: a configured code written the same
    /// (any case), else the culture's language subtag.
    fn language(&self, culture: &str) -> String {
        match self.languages.iter().find(|l| l.eq_ignore_ascii_case(culture)) {
            Some(l) => l.clone(),
            None => culture.split('-').next().unwrap_or(culture).to_ascii_lowercase(),
        }
    }

    /// The text in the default culture.
    fn text<'a>(&self, t: &'a Texts) -> Option<&'a String> {
        t.get(&self.default).or_else(|| t.get(""))
    }

    /// The texts in the other cultures, with their site language.
    fn others<'a>(&'a self, t: &'a Texts) -> impl Iterator<Item = (String, &'a String)> + 'a {
        t.iter()
            .filter(move |(c, _)| !c.is_empty() && **c != self.default)
            .map(move |(c, text)| (self.language(c), text))
    }
}

/// `eventref import manifest`: import every event of `inputs` (files, or
/// folders of `.man` and `.xml` files) into the site at `root`.
pub fn import(root: &Path, inputs: &[PathBuf], dry_run: bool) -> Result<Report, Failure> {
    let files = expand_inputs_any(inputs, &["man", "xml"])?;
    let parsed: Vec<Parsed> = parse_inputs(&files, parse)?
        .into_iter()
        .map(|(_, _, p)| p)
        .collect();
    let mut importer = Importer::new(root, "manifest", "events", dry_run)?;
    importer.expect_translations();
    let units = parsed
        .iter()
        .flat_map(|p| &p.providers)
        .map(|p| p.events.len())
        .sum();
    importer.count_inputs(files.len(), units);
    for file in &parsed {
        for w in &file.warnings {
            importer.warn(w.clone());
        }
        let origin = origin_of(&file.file);
        let cultures = Cultures::pick(&file.cultures, importer.config());
        for p in &file.providers {
            write_maps(&mut importer, p, &cultures, &origin)?;
            write_events(&mut importer, p, &cultures, &origin)?;
        }
    }
    Ok(importer.finish())
}

/// Write the provider's value maps and their translations.
fn write_maps(
    importer: &mut Importer,
    p: &Provider,
    cultures: &Cultures,
    origin: &str,
) -> Result<(), Failure> {
    let dir = Path::new(crate::config::layout::VALUE_MAPS);
    for m in &p.maps {
        let entries: Vec<(u64, String)> = m
            .entries
            .iter()
            .map(|(v, t)| {
                let label = cultures.text(t).filter(|l| !l.trim().is_empty());
                (*v, label.cloned().unwrap_or_else(|| v.to_string()))
            })
            .collect();
        let rel = dir.join(format!("{}.yaml", m.name));
        importer.shared_file(&rel, origin, &value_map_blocks(m.bitmap, &entries))?;
        let mut by_lang: BTreeMap<String, String> = BTreeMap::new();
        for (v, t) in &m.entries {
            for (lang, label) in cultures.others(t).filter(|(_, l)| !l.trim().is_empty()) {
                let key = crate::authoring::yaml_string(&format!("0x{v:X}"));
                let line = format!("  {key}: {}\n", crate::authoring::yaml_string(label));
                by_lang
                    .entry(lang)
                    .or_insert_with(|| "values:\n".into())
                    .push_str(&line);
            }
        }
        for (lang, block) in by_lang {
            if lang == cultures.site_default || !cultures.languages.contains(&lang) {
                continue;
            }
            let rel = dir.join(format!("{}.{lang}.yaml", m.name));
            importer.shared_file(&rel, origin, &[("values", Some(block))])?;
        }
    }
    Ok(())
}

/// Skip reason: the message uses `%n` beyond the event's fields.
pub const INSERT_BEYOND_FIELDS: &str = "message uses an insert beyond the event's fields";

/// Whether an event definition makes (a version of) a record; if not, it is
/// counted as skipped, with a warning where a person should look.
fn usable(importer: &mut Importer, cultures: &Cultures, d: &EventDef, kept: &[&EventDef]) -> bool {
    if let Some(first) = kept.iter().find(|k| k.version == d.version) {
        importer.warn(
            Diagnostic::warning(
                "manifest-duplicate",
                format!(
                    "event {} version {} is defined again; only the first was imported",
                    d.id, d.version
                ),
            )
            .at(d.location.clone())
            .note("first defined here", Some(first.location.clone()))
            .help("give each version of an event its own version number"),
        );
        importer.skip(DUPLICATE, 1);
        return false;
    }
    let Some(message) = cultures.text(&d.message).filter(|m| !m.trim().is_empty()) else {
        importer.skip(NO_MESSAGE, 1);
        return false;
    };
    let n = d.fields.len();
    let beyond = crate::content::message::inserts(message).into_iter().find(|i| {
        i.strip_prefix('%')
            .and_then(|x| x.parse::<usize>().ok())
            .is_some_and(|x| n > 0 && x > n)
    });
    if let Some(insert) = beyond {
        importer.warn(
            Diagnostic::warning(
                "manifest-inserts",
                format!("the message of event {} version {} uses {insert}, but its template has {n} fields; it was not imported", d.id, d.version),
            )
            .at(d.location.clone())
            .help("%1 … %n are the template's fields in order: fix the message or the template"),
        );
        importer.skip(INSERT_BEYOND_FIELDS, 1);
        return false;
    }
    true
}

/// Write a record per event ID (its versions merged) and its translations.
fn write_events(
    importer: &mut Importer,
    p: &Provider,
    cultures: &Cultures,
    origin: &str,
) -> Result<(), Failure> {
    let mut groups: BTreeMap<u16, Vec<&EventDef>> = BTreeMap::new();
    for e in &p.events {
        groups.entry(e.id).or_default().push(e);
    }
    for defs in groups.values_mut() {
        defs.sort_by_key(|d| std::cmp::Reverse(d.version));
        let mut kept: Vec<&EventDef> = Vec::new();
        for d in defs.iter() {
            if usable(importer, cultures, d, &kept) {
                kept.push(d);
            }
        }
        let Some((current, older)) = kept.split_first() else {
            continue;
        };
        importer.record(record_of(p, current, older, cultures, origin))?;
        let original = cultures.text(&current.message).cloned().unwrap_or_default();
        for (lang, text) in cultures.others(&current.message) {
            if text.trim().is_empty() {
                importer.skip_translation(NO_MESSAGE, 1);
                continue;
            }
            importer.translation(ImportedTranslation {
                source: p.name.clone(),
                id: current.id,
                lang,
                message: text.clone(),
                original: original.clone(),
                origin: origin.to_string(),
                location: Some(current.location.clone()),
            })?;
        }
    }
    Ok(())
}

/// The record of one event: `current` is the newest version, `older` the
/// others, newest first.
fn record_of(
    p: &Provider,
    current: &EventDef,
    older: &[&EventDef],
    cultures: &Cultures,
    origin: &str,
) -> ImportedRecord {
    let message = cultures.text(&current.message).cloned();
    let mut versions: Vec<VersionOut> = older
        .iter()
        .rev()
        .map(|v| {
            let m = cultures.text(&v.message).cloned();
            VersionOut {
                version: v.version,
                message: m.filter(|m| Some(m) != message.as_ref()),
                fields: (v.fields != current.fields).then(|| v.fields.clone()),
            }
        })
        .collect();
    versions.push(VersionOut {
        version: current.version,
        message: None,
        fields: None,
    });
    ImportedRecord {
        source: p.name.clone(),
        id: current.id,
        fields: vec![
            ("message", message),
            ("symbolic_name", current.symbol.clone()),
            ("category", current.task.clone()),
            (
                "level",
                current.level.and_then(xml::record_level).map(str::to_string),
            ),
            ("channel", current.channel.clone()),
            ("task", current.task.clone()),
            ("opcode", current.opcode.clone()),
        ],
        blocks: vec![
            ("fields", fields_block(&current.fields)),
            ("versions", versions_block(&versions)),
            ("keywords", keywords_block(&current.keywords)),
        ],
        block_texts: older
            .iter()
            .filter_map(|v| cultures.text(&v.message).map(|m| ("message", m.clone())))
            .chain(current.keywords.iter().map(|k| ("keywords", k.clone())))
            .collect(),
        merged: older.len(),
        notes: current.notes.clone(),
        origin: origin.to_string(),
        location: Some(current.location.clone()),
    }
}
