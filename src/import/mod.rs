//! Importers: records, and translations, from other event catalogs.
//!
//! [`csv`] reads the provider CSVs of nasbench/EVTX-ETW-Resources (one row per
//! event version), [`mc`] reads Windows Message Compiler (`.mc`) files with
//! their languages. Both hand the records they found to an [`Importer`], which
//! owns the rules for writing them:
//!
//! - **Never overwrite a person's work.** A file the importer writes starts with
//!   a marker, `# imported from <file> (eventref import <kind>)`, and an
//!   `# import-hash:` line with a short hash of each value it wrote
//!   (`# import-hash: message=1a2b3c4d level=…`). On a re-import, a field is
//!   updated only when its current value still hashes to what the importer
//!   wrote last time, or when the field is absent and the importer never wrote
//!   it; a value a person changed (or a field a person deleted) is kept, and
//!   counted as a kept field. Fields the importer does not write (explanation,
//!   user_action, …) are never touched, nor are comments.
//! - **Records without the marker are hand-written** and are left alone
//!   (counted as skipped, "hand-written record"). Adding the marker line to a
//!   hand-written record lets the importer fill in the fields it lacks.
//! - **Idempotent.** Importing the same input twice changes nothing the second
//!   time; every input unit (CSV row, .mc message) is counted exactly once as
//!   created, updated, unchanged or skipped (with a reason).
//! - **Nothing is written when an input has errors**: inputs are parsed and
//!   checked first, files are written after.

pub mod csv;
pub mod mc;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::authoring::yaml_string;
use crate::config::Config;
use crate::content::RECORD_FIELDS;
use crate::content::short_hash;
use crate::content::slug::Slug;
use crate::content::{ContentIndex, IndexedRecord};
use crate::diagnostics::{Diagnostic, Diagnostics, Format, Location, slash_path};
use crate::error::{Failure, FailureKind};

/// The marker that tells a file was written by an importer.
pub const MARKER: &str = "# imported from ";
/// The comment holding the hashes of the values an importer wrote.
pub const HASH_PREFIX: &str = "# import-hash:";
/// Comments with facts about the import (versions, qualifiers).
pub const NOTE_PREFIX: &str = "# import-note:";
/// Skip reason: the input holds a control character or is too large for a record.
pub const REFUSED: &str = "refused (control character or over the size limit)";

/// A record as an importer would write it.
#[derive(Debug, Clone)]
pub struct ImportedRecord {
    /// The event source.
    pub source: String,
    /// The event ID.
    pub id: u16,
    /// The fields the importer owns, with their values (`None`: the input has no value).
    pub fields: Vec<(&'static str, Option<String>)>,
    /// Facts for `# import-note:` comments.
    pub notes: Vec<String>,
    /// Where it comes from, e.g. `W2022_21H2/Schannel.csv`.
    pub origin: String,
    /// The row or message in the input, for errors.
    pub location: Option<Location>,
}

/// A translated message as an importer would write it into an overlay.
#[derive(Debug, Clone)]
pub struct ImportedTranslation {
    /// The event source.
    pub source: String,
    /// The event ID.
    pub id: u16,
    /// The language code.
    pub lang: String,
    /// The translated message.
    pub message: String,
    /// The original (default-language) message the input pairs it with.
    pub original: String,
    /// Where it comes from.
    pub origin: String,
    /// Where the translation is, for warnings.
    pub location: Option<Location>,
}

/// Created / updated / unchanged / skipped counts of one kind of output.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// New files.
    pub created: usize,
    /// Files changed.
    pub updated: usize,
    /// Files that already held what the import would write.
    pub unchanged: usize,
    /// Inputs not written, per reason.
    pub skipped: BTreeMap<String, usize>,
}

impl Counts {
    /// How many inputs were skipped in all.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }

    /// Every input counted.
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged + self.skipped_total()
    }

    fn skip(&mut self, reason: &str, n: usize) {
        if n > 0 {
            *self.skipped.entry(reason.to_string()).or_default() += n;
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `csv` or `mc`.
    pub kind: &'static str,
    /// Input files read.
    pub files: usize,
    /// What one input unit is: `rows` (CSV) or `messages` (.mc).
    pub unit: &'static str,
    /// Input units read; equals `records.total()`.
    pub inputs: usize,
    /// Per input unit: what happened to its record.
    pub records: Counts,
    /// Per translated text (.mc only): what happened to its overlay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Counts>,
    /// Values a person changed (or removed) that the import left alone.
    pub fields_kept: usize,
    /// Files written (or, with `dry_run`, that would be), relative to the site root.
    pub written: Vec<String>,
    /// Nothing was written.
    pub dry_run: bool,
    /// Warnings.
    #[serde(skip)]
    pub diagnostics: Diagnostics,
}

impl Report {
    /// The report in `format`: one JSON document (with the warnings under
    /// `warnings`), or else a table for people.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Human | Format::Github => self.to_text(),
            Format::Json => {
                let mut v = serde_json::to_value(self).unwrap_or_default();
                let diags: serde_json::Value =
                    serde_json::from_str(&self.diagnostics.render(Format::Json, false)).unwrap_or_default();
                v["warnings"] = diags["diagnostics"].clone();
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }

    /// The report as text for people.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let unit_one = self.unit.trim_end_matches('s');
        let kind = if self.kind == "csv" { "CSV" } else { ".mc" };
        out.push_str(&format!(
            "{}{} {kind} {}, {}\n",
            if self.dry_run {
                "Dry run, nothing written: "
            } else {
                "Imported "
            },
            self.files,
            if self.files == 1 { "file" } else { "files" },
            plural(self.inputs, unit_one, self.unit),
        ));
        let table = |out: &mut String, title: &str, c: &Counts| {
            out.push_str(&format!("  {title}\n"));
            out.push_str(&format!("    created    {:>6}\n", c.created));
            out.push_str(&format!("    updated    {:>6}\n", c.updated));
            out.push_str(&format!("    unchanged  {:>6}\n", c.unchanged));
            out.push_str(&format!("    skipped    {:>6}\n", c.skipped_total()));
            let width = c.skipped.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            for (reason, n) in &c.skipped {
                out.push_str(&format!("      {reason:<width$}  {n:>6}\n"));
            }
        };
        table(
            &mut out,
            &format!("records ({} {})", self.records.total(), self.unit),
            &self.records,
        );
        if let Some(t) = &self.translations {
            table(&mut out, &format!("translations ({} texts)", t.total()), t);
        }
        if self.fields_kept > 0 {
            out.push_str(&format!(
                "  {} edited by hand kept as they are\n",
                plural(self.fields_kept, "field", "fields")
            ));
        }
        out
    }
}

/// Applies imported records and translations to a site, following the rules in the module docs.
pub struct Importer {
    config: Config,
    index: ContentIndex,
    report: Report,
    /// The message each record holds after this run, by (slug, id), for the overlays' checks.
    messages: HashMap<(Slug, u16), String>,
    /// Warned-about keys, so each problem is reported once.
    warned: BTreeSet<String>,
}

fn content_failure(diagnostics: Diagnostics) -> Failure {
    Failure {
        kind: FailureKind::Content,
        diagnostics,
    }
}

impl Importer {
    /// Start an import into the site at `root`. Fails when `site.toml` is bad
    /// (exit 2) or a file under `content/` cannot be read (exit 1): the import
    /// could not tell whether it is about to duplicate an event.
    pub fn new(
        root: &Path,
        kind: &'static str,
        unit: &'static str,
        dry_run: bool,
    ) -> Result<Importer, Failure> {
        let config = Config::load(root).map_err(|d| Failure::config(*d))?;
        let index = ContentIndex::scan(root);
        if !index.problems.is_empty() {
            let mut ds = Diagnostics::new();
            for p in &index.problems {
                let mut d = p.clone();
                d.help = Some(format!(
                    "{}; the import needs to read every record under content/ to avoid duplicates, so it wrote nothing",
                    d.help.unwrap_or_else(|| "fix the file".into())
                ));
                ds.push(d);
            }
            return Err(content_failure(ds));
        }
        Ok(Importer {
            config,
            index,
            report: Report {
                kind,
                files: 0,
                unit,
                inputs: 0,
                records: Counts::default(),
                translations: None,
                fields_kept: 0,
                written: Vec::new(),
                dry_run,
                diagnostics: Diagnostics::new(),
            },
            messages: HashMap::new(),
            warned: BTreeSet::new(),
        })
    }

    /// The site's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Count input files and units read.
    pub fn count_inputs(&mut self, files: usize, units: usize) {
        self.report.files += files;
        self.report.inputs += units;
    }

    /// Count `n` input units as skipped for `reason`.
    pub fn skip(&mut self, reason: &str, n: usize) {
        self.report.records.skip(reason, n);
    }

    /// Count `n` translated texts as skipped for `reason`.
    pub fn skip_translation(&mut self, reason: &str, n: usize) {
        self.report
            .translations
            .get_or_insert_with(Counts::default)
            .skip(reason, n);
    }

    /// Report translation counts even when there are none (for inputs that can hold translations).
    pub fn expect_translations(&mut self) {
        self.translation_counts();
    }

    /// Add a warning.
    pub fn warn(&mut self, d: Diagnostic) {
        self.report.diagnostics.push(d);
    }

    fn warn_once(&mut self, key: String, d: Diagnostic) {
        if self.warned.insert(key) {
            self.report.diagnostics.push(d);
        }
    }

    /// The import header of a file written from `origin`.
    fn header(&self, file: &Path, origin: &str, notes: &[String], overlay: bool) -> ImportHeader {
        ImportHeader {
            schema: crate::authoring::schema::header_line(file, overlay),
            marker: format!(
                "{MARKER}{} (eventref import {})",
                crate::content::emit::comment_text(origin),
                self.report.kind
            ),
            notes: notes.to_vec(),
        }
    }

    fn translation_counts(&mut self) -> &mut Counts {
        self.report.translations.get_or_insert_with(Counts::default)
    }

    /// The finished report (warnings sorted).
    pub fn finish(mut self) -> Report {
        self.report.diagnostics.sort();
        self.report.written.sort();
        self.report
    }

    fn write(&mut self, rel: &Path, text: &str) -> Result<(), Failure> {
        self.report.written.push(slash_path(rel));
        if self.report.dry_run {
            return Ok(());
        }
        let path = self.config.root.join(rel);
        let result = (|| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension("yaml.eventref-tmp");
            std::fs::write(&tmp, text.as_bytes())?;
            std::fs::rename(&tmp, &path)
        })();
        result.map_err(|e| {
            let mut ds = std::mem::take(&mut self.report.diagnostics);
            ds.push(
                Diagnostic::error("write-error", format!("cannot write {}: {e}", rel.display()))
                    .at(Location::file_only(rel))
                    .help("check that the content folder is writable; files written before this one are complete, and importing again continues where this stopped"),
            );
            content_failure(ds)
        })
    }

    /// Refuse an input unit: an error naming it, and a skip for the counts.
    fn refuse(&mut self, location: Option<&Location>, message: String, help: &str, translation: bool) {
        let mut d = Diagnostic::error("import-refused", message).help(help);
        if let Some(l) = location {
            d = d.at(l.clone());
        }
        self.report.diagnostics.push(d);
        if translation {
            self.skip_translation(REFUSED, 1);
        } else {
            self.skip(REFUSED, 1);
        }
    }

    /// Whether `text`, the file to write for an input unit, fits the record
    /// size limit; if not, refuse the unit.
    fn fits(&mut self, location: Option<&Location>, what: &str, text: &str, translation: bool) -> bool {
        if text.len() as u64 <= crate::content::MAX_RECORD_BYTES {
            return true;
        }
        self.refuse(
            location,
            format!(
                "{what} would be {:.1} MB, over the {} MB limit of a record file; it was not imported",
                text.len() as f64 / (1024.0 * 1024.0),
                crate::content::MAX_RECORD_BYTES / (1024 * 1024)
            ),
            "shorten the text in the input (check and build refuse larger files)",
            translation,
        );
        false
    }

    /// Refuse a record whose `what` ("the message", "the input") holds the
    /// control character `c`.
    fn refuse_control_char(&mut self, rec: &ImportedRecord, what: &str, c: char) {
        let message = format!(
            "{what} of {} {} holds the control character {}; the row was not imported",
            crate::content::emit::comment_text(&rec.source),
            rec.id,
            crate::content::emit::describe(c)
        );
        self.refuse(
            rec.location.as_ref(),
            message,
            "remove the character from the input and import again",
            false,
        );
    }

    /// Create or update the record of one input unit.
    pub fn record(&mut self, rec: ImportedRecord) -> Result<(), Failure> {
        // Control characters would break the YAML or hide text: refuse the row.
        let values = std::iter::once(("source", Some(&rec.source)))
            .chain(rec.fields.iter().map(|(k, v)| (*k, v.as_ref())))
            .filter_map(|(k, v)| v.map(|v| (k, v)));
        for (field, value) in values {
            if let Some((_, c)) = crate::content::emit::refused_char(value, field != "message") {
                self.refuse_control_char(&rec, &format!("the {field}"), c);
                return Ok(());
            }
        }
        // Notes quote the input too (a level eventref does not know, …).
        if let Some((_, c)) = rec
            .notes
            .iter()
            .find_map(|n| crate::content::emit::refused_char(n, true))
        {
            self.refuse_control_char(&rec, "the input", c);
            return Ok(());
        }
        let Some(slug) = Slug::new(&rec.source) else {
            self.skip("invalid source name", 1);
            return Ok(());
        };
        if crate::authoring::check_source(&rec.source).is_err() {
            self.skip("invalid source name", 1);
            return Ok(());
        }
        if let Some(spelled) = self.index.other_spelling(&rec.source).map(str::to_string) {
            self.warn_once(
                format!("spelling {}", rec.source),
                Diagnostic::warning(
                    "source-spelling",
                    format!(
                        "source `{}` is spelled `{spelled}` in the content; its events were not imported",
                        rec.source
                    ),
                )
                .help(format!(
                    "both would share the URL /{slug}/; rename the source in the input or in the content so they match"
                )),
            );
            self.skip("source spelled differently in content", 1);
            return Ok(());
        }
        let message = rec
            .fields
            .iter()
            .find(|(k, _)| *k == "message")
            .and_then(|(_, v)| v.clone());
        match self.index.find(&rec.source, rec.id).cloned() {
            None => {
                let file = self.index.path_for(&rec.source, rec.id);
                if self.config.root.join(&file).exists() {
                    self.warn(
                        Diagnostic::warning(
                            "import-path-taken",
                            format!(
                                "{} {} was not imported: {} exists but is not its record",
                                rec.source,
                                rec.id,
                                slash_path(&file)
                            ),
                        )
                        .at(Location::file_only(&file))
                        .help("move that file, or give it the right source and id"),
                    );
                    self.skip("file name taken by another file", 1);
                    return Ok(());
                }
                let header = self.header(&file, &rec.origin, &rec.notes, false);
                let text = new_record_text(&header, &rec);
                let what = format!(
                    "the record of {} {}",
                    crate::content::emit::comment_text(&rec.source),
                    rec.id
                );
                if !self.fits(rec.location.as_ref(), &what, &text, false) {
                    return Ok(());
                }
                self.write(&file, &text)?;
                self.index.add(IndexedRecord {
                    file: file.clone(),
                    source: rec.source.clone(),
                    slug: slug.clone(),
                    id: rec.id,
                    id_loc: Location::file_only(&file),
                });
                if let Some(m) = message {
                    self.messages.insert((slug, rec.id), m);
                }
                self.report.records.created += 1;
            }
            Some(existing) => {
                let text = match crate::content::read_text(&self.config.root, &existing.file) {
                    Ok(t) => t,
                    Err(d) => {
                        self.warn(*d);
                        self.skip("existing record unreadable", 1);
                        return Ok(());
                    }
                };
                if !has_marker(&text) {
                    self.skip("hand-written record", 1);
                    return Ok(());
                }
                let header = self.header(&existing.file, &rec.origin, &rec.notes, false);
                let updated = match update_text(&existing.file, &text, &rec.fields, &header) {
                    Ok(u) => u,
                    Err(d) => {
                        self.warn(*d);
                        self.skip("existing record unreadable", 1);
                        return Ok(());
                    }
                };
                self.report.fields_kept += updated.kept;
                if let Some(m) = updated.values.get("message").cloned().flatten() {
                    self.messages.insert((slug, rec.id), m);
                }
                let what = format!(
                    "the record of {} {}",
                    crate::content::emit::comment_text(&rec.source),
                    rec.id
                );
                if updated.text == *text {
                    self.report.records.unchanged += 1;
                } else if !self.fits(rec.location.as_ref(), &what, &updated.text, false) {
                    return Ok(());
                } else {
                    self.write(&existing.file, &updated.text)?;
                    self.report.records.updated += 1;
                }
            }
        }
        Ok(())
    }

    /// The message the record of (source, id) holds after this run so far.
    fn record_message(&mut self, rec: &IndexedRecord) -> Option<String> {
        if let Some(m) = self.messages.get(&(rec.slug.clone(), rec.id)) {
            return Some(m.clone());
        }
        let text = crate::content::read_text(&self.config.root, &rec.file).ok()?;
        let cur: CurrentValues = crate::content::parse_yaml(&rec.file, &text, RECORD_FIELDS).ok()?;
        let m = cur.message?;
        self.messages.insert((rec.slug.clone(), rec.id), m.clone());
        Some(m)
    }

    /// Create or update the overlay of one translated text.
    pub fn translation(&mut self, t: ImportedTranslation) -> Result<(), Failure> {
        self.translation_counts();
        if t.lang == self.config.default_language {
            self.skip_translation("in the default language", 1);
            return Ok(());
        }
        if !self.config.language_codes().any(|c| c == t.lang) {
            let mut d = Diagnostic::warning(
                "import-language",
                format!(
                    "language `{}` is not configured in site.toml, so its translations were not imported",
                    t.lang
                ),
            )
            .help(format!(
                "add [languages.{}] to site.toml and import again",
                t.lang
            ));
            if let Some(l) = &t.location {
                d = d.at(l.clone());
            }
            self.warn_once(format!("lang {}", t.lang), d);
            self.skip_translation("language not configured in site.toml", 1);
            return Ok(());
        }
        let Some(rec) = self.index.find(&t.source, t.id).cloned() else {
            self.skip_translation("no record to translate", 1);
            return Ok(());
        };
        let Some(original) = self.record_message(&rec) else {
            self.skip_translation("record unreadable", 1);
            return Ok(());
        };
        let mut want = crate::content::message::inserts(&original);
        let mut got = crate::content::message::inserts(&t.message);
        want.sort();
        got.sort();
        if want != got {
            let mut d = Diagnostic::warning(
                "import-inserts",
                format!(
                    "the {} text of {} {} has the insertion strings [{}], the record's message [{}]; it was not imported",
                    t.lang,
                    t.source,
                    t.id,
                    got.join(", "),
                    want.join(", ")
                ),
            )
            .help("a translation must keep exactly the insertion strings of the original");
            if let Some(l) = &t.location {
                d = d.at(l.clone());
            }
            self.warn(d);
            self.skip_translation("insertion strings differ from the record's", 1);
            return Ok(());
        }
        if let Some((_, c)) = crate::content::emit::refused_char(&t.message, false) {
            let message = format!(
                "the {} text of {} {} holds the control character {}; it was not imported",
                t.lang,
                crate::content::emit::comment_text(&t.source),
                t.id,
                crate::content::emit::describe(c)
            );
            self.refuse(
                t.location.as_ref(),
                message,
                "remove the character from the input and import again",
                true,
            );
            return Ok(());
        }
        let file = crate::content::overlay::overlay_path_for(&rec.file, &t.lang);
        let fields = vec![("message", Some(t.message.clone()))];
        let what = format!(
            "the {} translation of {} {}",
            t.lang,
            crate::content::emit::comment_text(&t.source),
            t.id
        );
        let hash = short_hash(t.original.trim());
        let header = self.header(&file, &t.origin, &[], true);
        let path = self.config.root.join(&file);
        if !path.exists() {
            let mut text = header.render(&hashes_of(&fields));
            text.push_str(&format!("message: {}\n", yaml_string(&t.message)));
            text.push_str(&translated_from_block(&BTreeMap::from([(
                "message".to_string(),
                hash,
            )])));
            if !self.fits(t.location.as_ref(), &what, &text, true) {
                return Ok(());
            }
            self.write(&file, &text)?;
            self.translation_counts().created += 1;
            return Ok(());
        }
        let text = match crate::content::read_text(&self.config.root, &file) {
            Ok(t) => t,
            Err(d) => {
                self.warn(*d);
                self.skip_translation("existing translation unreadable", 1);
                return Ok(());
            }
        };
        if !has_marker(&text) {
            self.skip_translation("hand-written translation", 1);
            return Ok(());
        }
        let updated = match update_text(&file, &text, &fields, &header) {
            Ok(u) => u,
            Err(d) => {
                self.warn(*d);
                self.skip_translation("existing translation unreadable", 1);
                return Ok(());
            }
        };
        self.report.fields_kept += updated.kept;
        let mut new_text = updated.text;
        if updated.owned.contains("message") {
            // The translation now is the imported one: record which original it translates.
            let cur: OverlayValues = crate::content::parse_yaml(
                &file,
                &Arc::from(new_text.as_str()),
                crate::content::overlay::OVERLAY_FIELDS,
            )
            .map_err(|d| content_failure(one(*d)))?;
            let mut map = cur.translated_from.unwrap_or_default();
            if map.get("message") != Some(&hash) {
                map.insert("message".into(), hash);
                new_text = replace_block(&new_text, "translated_from", &translated_from_block(&map));
            }
        }
        if new_text == *text {
            self.translation_counts().unchanged += 1;
        } else if !self.fits(t.location.as_ref(), &what, &new_text, true) {
            return Ok(());
        } else {
            self.write(&file, &new_text)?;
            self.translation_counts().updated += 1;
        }
        Ok(())
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    let mut ds = Diagnostics::new();
    ds.push(d);
    ds
}

/// Whether a file carries the import marker in its leading comments.
pub fn has_marker(text: &str) -> bool {
    leading_comments(text).any(|l| l.starts_with(MARKER))
}

fn leading_comments(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .filter(|l| l.starts_with('#'))
}

/// The `# import-hash:` entries of a file.
pub fn parse_hashes(text: &str) -> BTreeMap<String, String> {
    leading_comments(text)
        .filter_map(|l| l.strip_prefix(HASH_PREFIX))
        .flat_map(|rest| rest.split_whitespace())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The comment lines an importer manages at the top of a file.
#[derive(Debug, Clone)]
pub struct ImportHeader {
    /// `# yaml-language-server: $schema=…` (kept as it is when the file has one).
    pub schema: String,
    /// `# imported from …`.
    pub marker: String,
    /// Facts, one `# import-note:` line each.
    pub notes: Vec<String>,
}

impl ImportHeader {
    fn lines(&self, hashes: &BTreeMap<&'static str, String>) -> Vec<String> {
        let mut out = vec![self.marker.clone()];
        for n in &self.notes {
            out.push(format!("{NOTE_PREFIX} {}", crate::content::emit::comment_text(n)));
        }
        if !hashes.is_empty() {
            let mut line = HASH_PREFIX.to_string();
            // In the documented field order.
            let order = |k: &str| RECORD_FIELDS.iter().position(|f| *f == k).unwrap_or(usize::MAX);
            let mut entries: Vec<(&&str, &String)> = hashes.iter().collect();
            entries.sort_by_key(|(k, _)| (order(k), **k));
            for (k, v) in entries {
                line.push_str(&format!(" {k}={v}"));
            }
            out.push(line);
        }
        out
    }

    fn render(&self, hashes: &BTreeMap<&'static str, String>) -> String {
        let mut s = format!("{}\n", self.schema);
        for l in self.lines(hashes) {
            s.push_str(&l);
            s.push('\n');
        }
        s
    }
}

fn hashes_of(fields: &[(&'static str, Option<String>)]) -> BTreeMap<&'static str, String> {
    fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (*k, short_hash(v))))
        .collect()
}

/// The text of a new imported record.
fn new_record_text(header: &ImportHeader, rec: &ImportedRecord) -> String {
    let mut t = header.render(&hashes_of(&rec.fields));
    t.push_str(&format!("source: {}\n", yaml_string(&rec.source)));
    t.push_str(&format!("id: {}\n", rec.id));
    for name in RECORD_FIELDS {
        if let Some((_, Some(v))) = rec.fields.iter().find(|(k, _)| k == name) {
            t.push_str(&format!("{name}: {}\n", yaml_string(v)));
        }
    }
    t
}

/// The values an importer may own, as a file holds them now.
#[derive(Deserialize, Default)]
struct CurrentValues {
    message: Option<String>,
    symbolic_name: Option<String>,
    category: Option<String>,
    level: Option<String>,
    channel: Option<String>,
}

impl CurrentValues {
    fn get(&self, field: &str) -> Option<&String> {
        match field {
            "message" => self.message.as_ref(),
            "symbolic_name" => self.symbolic_name.as_ref(),
            "category" => self.category.as_ref(),
            "level" => self.level.as_ref(),
            "channel" => self.channel.as_ref(),
            _ => None,
        }
    }
}

#[derive(Deserialize, Default)]
struct OverlayValues {
    translated_from: Option<BTreeMap<String, String>>,
}

/// Who decides a field's value on a re-import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// The importer: the value is what it wrote last (or absent and never written), or already the new value.
    Importer,
    /// A person changed or removed what the importer wrote: keep it.
    Person,
}

/// Decide who owns a field: `current` is the value in the file, `last` the
/// hash the importer recorded when it last wrote the field, `new` what it would write now.
pub fn ownership(current: Option<&str>, last: Option<&str>, new: Option<&str>) -> Ownership {
    if current == new {
        return Ownership::Importer;
    }
    let current_hash = current.map(short_hash);
    if current_hash.as_deref() == last {
        Ownership::Importer
    } else {
        Ownership::Person
    }
}

/// The result of [`update_text`].
pub struct Updated {
    /// The new text of the file.
    pub text: String,
    /// Fields kept because a person edited them.
    pub kept: usize,
    /// Fields the importer owns after this update.
    pub owned: BTreeSet<&'static str>,
    /// The value of each field after the update.
    pub values: BTreeMap<&'static str, Option<String>>,
}

/// Apply imported `fields` to the text of an imported file, field by field,
/// following the ownership rules, and rewrite its import header.
pub fn update_text(
    file: &Path,
    text: &Arc<str>,
    fields: &[(&'static str, Option<String>)],
    header: &ImportHeader,
) -> Result<Updated, Box<Diagnostic>> {
    let all_fields: Vec<&str> = RECORD_FIELDS
        .iter()
        .chain(crate::content::overlay::OVERLAY_FIELDS)
        .copied()
        .collect();
    let current: CurrentValues = crate::content::parse_yaml(file, text, &all_fields)?;
    let last = parse_hashes(text);
    let mut out = text.to_string();
    let mut hashes: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut kept = 0;
    let mut owned = BTreeSet::new();
    let mut values = BTreeMap::new();
    for (name, new) in fields {
        let cur = current.get(name).map(String::as_str);
        let last_hash = last.get(*name).map(String::as_str);
        match ownership(cur, last_hash, new.as_deref()) {
            Ownership::Importer => {
                owned.insert(*name);
                if cur != new.as_deref() {
                    out = set_field(&out, name, new.as_deref());
                }
                if let Some(v) = new {
                    hashes.insert(name, short_hash(v));
                }
                values.insert(*name, new.clone());
            }
            Ownership::Person => {
                kept += 1;
                if let Some(h) = last_hash {
                    hashes.insert(name, h.to_string());
                }
                values.insert(*name, cur.map(str::to_string));
            }
        }
    }
    out = rewrite_header(&out, header, &hashes);
    Ok(Updated {
        text: out,
        kept,
        owned,
        values,
    })
}

/// Replace the importer's comment lines at the top of `text`; keep the schema
/// line the file has (or add one) and every other comment.
fn rewrite_header(text: &str, header: &ImportHeader, hashes: &BTreeMap<&'static str, String>) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let lead = lines
        .iter()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .count();
    let managed = |l: &str| {
        let l = l.trim_end();
        l.starts_with(MARKER) || l.starts_with(HASH_PREFIX) || l.starts_with(NOTE_PREFIX)
    };
    let has_schema = lines[..lead]
        .iter()
        .any(|l| l.starts_with("# yaml-language-server:"));
    let mut out = String::with_capacity(text.len() + 200);
    let ours: String = header.lines(hashes).iter().map(|l| format!("{l}\n")).collect();
    let mut placed = false;
    if !has_schema {
        out.push_str(&header.schema);
        out.push('\n');
        out.push_str(&ours);
        placed = true;
    }
    for l in &lines[..lead] {
        if managed(l) {
            continue;
        }
        out.push_str(l);
        if !placed && l.starts_with("# yaml-language-server:") {
            if !l.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&ours);
            placed = true;
        }
    }
    for l in &lines[lead..] {
        out.push_str(l);
    }
    out
}

/// The key of a top-level `key: value` line.
fn top_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '#', '-', '\r', '\n'])
        || line.starts_with("...")
        || line.trim().is_empty()
    {
        return None;
    }
    let (k, _) = line.split_once(':')?;
    Some(k.trim().trim_matches('"').trim_matches('\''))
}

/// The top-level keys of a YAML text with the range of lines their values span.
fn spans(lines: &[&str]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(key) = top_key(lines[i]) else {
            i += 1;
            continue;
        };
        let mut end = i + 1;
        let mut j = i + 1;
        while j < lines.len() {
            if lines[j].starts_with([' ', '\t']) && !lines[j].trim().is_empty() {
                j += 1;
                end = j;
            } else if lines[j].trim().is_empty() {
                j += 1;
            } else {
                break;
            }
        }
        out.push((key.to_string(), i, end));
        i = end;
    }
    out
}

/// Set (or remove, with `None`) a top-level scalar field, keeping every other line.
fn set_field(text: &str, name: &str, value: Option<&str>) -> String {
    let new_line = value.map(|v| format!("{name}: {}\n", yaml_string(v)));
    replace_block(text, name, new_line.as_deref().unwrap_or(""))
}

/// Replace the top-level field `name` (its key line and value lines) with
/// `block`; when the field is absent, insert `block` after the field that
/// precedes it in the documented order.
fn replace_block(text: &str, name: &str, block: &str) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    // Make sure the last line ends with a newline before appending after it.
    let owned_last;
    if let Some(last) = lines.last()
        && !last.ends_with('\n')
    {
        owned_last = format!("{last}\n");
        let n = lines.len();
        lines[n - 1] = &owned_last;
    }
    let spans = spans(&lines);
    let order: Vec<&str> = RECORD_FIELDS
        .iter()
        .chain(crate::content::overlay::OVERLAY_FIELDS)
        .copied()
        .collect();
    let pos = |k: &str| order.iter().position(|f| *f == k);
    let (start, end) = match spans.iter().find(|(k, _, _)| k == name) {
        Some((_, s, e)) => (*s, *e),
        None => {
            let me = pos(name).unwrap_or(usize::MAX);
            let after = spans
                .iter()
                .filter(|(k, _, _)| pos(k).is_some_and(|p| p < me))
                .max_by_key(|(k, _, _)| pos(k))
                .map(|(_, _, e)| *e)
                .or_else(|| spans.first().map(|(_, s, _)| *s))
                .unwrap_or(lines.len());
            (after, after)
        }
    };
    let mut out = String::with_capacity(text.len() + block.len());
    for l in &lines[..start] {
        out.push_str(l);
    }
    out.push_str(block);
    for l in &lines[end..] {
        out.push_str(l);
    }
    out
}

/// A `translated_from:` block in the format `eventref i18n refresh` writes.
fn translated_from_block(map: &BTreeMap<String, String>) -> String {
    let mut s = String::from(
        "translated_from: # written by `eventref i18n refresh`: the originals these translations match\n",
    );
    for (k, v) in map {
        s.push_str(&format!("  {}: {}\n", yaml_string(k), yaml_string(v)));
    }
    s
}

/// Read an input file as text: UTF-8 (with or without BOM) or UTF-16 with a BOM
/// (what `mc -u` reads). Line ends are normalized to `\n`.
pub fn read_input(path: &Path) -> Result<String, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Box::new(
            Diagnostic::error("read-error", format!("cannot read {}: {e}", path.display()))
                .at(Location::file_only(path))
                .help("check the path and the file's permissions"),
        )
    })?;
    let text = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).ok()
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).ok()
    } else {
        let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        String::from_utf8(rest.to_vec()).ok()
    };
    let text = text.ok_or_else(|| {
        Box::new(
            Diagnostic::error(
                "invalid-encoding",
                format!("{} is not UTF-8 or UTF-16 text", path.display()),
            )
            .at(Location::file_only(path))
            .help("save the file as UTF-8 (or UTF-16 with a byte order mark)"),
        )
    })?;
    Ok(text.replace("\r\n", "\n"))
}

/// Expand the inputs given on the command line: files as they are, folders as
/// the files in them whose name ends with `.{ext}` (sorted).
pub fn expand_inputs(inputs: &[PathBuf], ext: &str) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    content_failure(one(Diagnostic::error(
                        "read-error",
                        format!("cannot read {}: {e}", p.display()),
                    )
                    .at(Location::file_only(p))))
                })?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| {
                    f.is_file()
                        && f.extension()
                            .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case(ext))
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Failure {
                    kind: FailureKind::Config,
                    diagnostics: one(Diagnostic::error(
                        "no-input",
                        format!("{} holds no .{ext} files", p.display()),
                    )
                    .help(format!("pass .{ext} files or a folder that holds some"))),
                });
            }
            out.extend(files);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(Failure {
                kind: FailureKind::Config,
                diagnostics: one(
                    Diagnostic::error("no-input", format!("{} does not exist", p.display()))
                        .help("check the path (it is relative to the current folder, not to --root)"),
                ),
            });
        }
    }
    Ok(out)
}

/// `<parent folder>/<file name>` of an input, as the marker names it.
pub fn origin_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
    {
        Some(dir) if !dir.is_empty() && dir != "." => format!("{dir}/{name}"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_rules() {
        let h = |s: &str| short_hash(s);
        // Never written, absent: the importer fills it in.
        assert_eq!(ownership(None, None, Some("x")), Ownership::Importer);
        // Written as "a", unchanged: update to "b".
        assert_eq!(
            ownership(Some("a"), Some(&h("a")), Some("b")),
            Ownership::Importer
        );
        // Written as "a", edited to "c": keep.
        assert_eq!(ownership(Some("c"), Some(&h("a")), Some("b")), Ownership::Person);
        // Written as "a", deleted by a person: keep it deleted.
        assert_eq!(ownership(None, Some(&h("a")), Some("b")), Ownership::Person);
        // A value the importer never wrote (hand-written, marker added): keep.
        assert_eq!(ownership(Some("c"), None, Some("b")), Ownership::Person);
        // Already the new value: the importer owns it again.
        assert_eq!(
            ownership(Some("b"), Some(&h("a")), Some("b")),
            Ownership::Importer
        );
        // The input no longer has a value: remove what the importer wrote.
        assert_eq!(ownership(Some("a"), Some(&h("a")), None), Ownership::Importer);
    }

    #[test]
    fn fields_are_replaced_inserted_and_removed_in_place() {
        let text = "# yaml-language-server: $schema=../../schemas/record.schema.json\n# imported from x.csv\nsource: \"S\"\nid: 1\nmessage: \"old\"\n# level: warning   # a hint\nexplanation: |\n  Para one.\n\n  Para two.\nchannel: \"System\"\n";
        let t = set_field(text, "message", Some("new"));
        assert!(
            t.contains("message: \"new\"\n# level: warning   # a hint\n"),
            "{t}"
        );
        let t = set_field(&t, "level", Some("error"));
        assert!(
            t.contains("message: \"new\"\nlevel: \"error\"\n# level: warning"),
            "{t}"
        );
        let t = set_field(&t, "channel", None);
        assert!(!t.contains("channel"), "{t}");
        assert!(t.ends_with("  Para two.\n"), "{t}");
        let t = set_field(&t, "category", Some("C"));
        assert!(t.contains("message: \"new\"\ncategory: \"C\"\nlevel"), "{t}");
    }

    #[test]
    fn headers_are_rewritten_in_place() {
        let header = ImportHeader {
            schema: "# yaml-language-server: $schema=../x.json".into(),
            marker: "# imported from b.csv".into(),
            notes: vec!["version 2".into()],
        };
        let hashes = BTreeMap::from([("message", "12345678".to_string())]);
        let text = "# yaml-language-server: $schema=../../s.json\n# imported from a.csv\n# import-hash: message=aaaaaaaa\n# my own note\nsource: S\n";
        let out = rewrite_header(text, &header, &hashes);
        assert_eq!(
            out,
            "# yaml-language-server: $schema=../../s.json\n# imported from b.csv\n# import-note: version 2\n# import-hash: message=12345678\n# my own note\nsource: S\n"
        );
        let out = rewrite_header("# imported from a.csv\nsource: S\n", &header, &hashes);
        assert!(
            out.starts_with("# yaml-language-server: $schema=../x.json\n# imported from b.csv\n"),
            "{out}"
        );
        assert_eq!(parse_hashes(&out)["message"], "12345678");
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of(Path::new("/data/W2022_21H2/Ntfs.csv")),
            "W2022_21H2/Ntfs.csv"
        );
        assert_eq!(origin_of(Path::new("Ntfs.csv")), "Ntfs.csv");
    }
}
