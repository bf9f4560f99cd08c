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
//!
//! [`manifest`] reads instrumentation manifests and `wevtutil gp` output,
//! with their fields, versions and value maps ([`shared`] writes the maps).
//!
//! Beside the readers: [`input`] expands and reads the input files,
//! [`ownership`] holds the marker and hash comments and decides who owns a
//! field, [`report`] counts what happened.

mod blocks;
pub mod csv;
mod input;
pub mod manifest;
pub mod mc;
mod ownership;
mod report;
mod shared;

pub use input::{expand_inputs, expand_inputs_any, origin_of, parse_inputs, read_input};
pub use ownership::*;
pub use report::{Counts, Report};
pub use shared::VALUE_MAP_HEADER;

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
    /// The structured fields the importer owns (`fields`, `versions`,
    /// `keywords`), each as the YAML block it writes, key line included.
    pub blocks: Vec<(&'static str, Option<String>)>,
    /// The input's texts inside `blocks` (a keyword, a version's message),
    /// checked for control characters like the scalar fields (messages may
    /// span lines, other texts may not).
    pub block_texts: Vec<(&'static str, String)>,
    /// How many other input units this record stands for (older versions
    /// written into its `versions:`): counted as merged, or skipped with it.
    pub merged: usize,
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

/// Imported values by field (or block) name; `None` removes the field.
type FieldValues = [(&'static str, Option<String>)];

/// What an imported file holds: a record or a translation overlay.
#[derive(Clone, Copy)]
enum Kind {
    Record,
    Translation,
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

/// The event ID of a 32-bit message ID (its low 16 bits) and, when the high
/// bits are set, the note that says so (kept in the record's comments).
pub(crate) fn event_id_of(message_id: u64) -> (u16, Option<String>) {
    let id = (message_id & 0xFFFF) as u16;
    let note = (message_id > 0xFFFF).then(|| {
        format!(
            "message ID {message_id} = 0x{message_id:08X}: event ID {id} (low 16 bits), qualifiers 0x{:04X} (high 16 bits)",
            message_id >> 16
        )
    });
    (id, note)
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

    /// The marker line of a file written from `origin`.
    fn marker(&self, origin: &str) -> String {
        format!(
            "{MARKER}{} (eventref import {})",
            crate::content::emit::comment_text(origin),
            self.report.kind
        )
    }

    /// The import header of a file written from `origin`.
    fn header(&self, file: &Path, origin: &str, notes: &[String], overlay: bool) -> ImportHeader {
        ImportHeader {
            schema: crate::authoring::schema::header_line(file, overlay),
            marker: self.marker(origin),
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
        let what = format!(
            "{what} of {} {}",
            crate::content::emit::comment_text(&rec.source),
            rec.id
        );
        self.refuse_char(rec.location.as_ref(), &what, c, false);
    }

    /// Refuse an input unit because `what` holds the control character `c`.
    fn refuse_char(&mut self, location: Option<&Location>, what: &str, c: char, translation: bool) {
        let outcome = if translation {
            "it was not imported"
        } else {
            "the row was not imported"
        };
        let message = format!(
            "{what} holds the control character {}; {outcome}",
            crate::content::emit::describe(c)
        );
        self.refuse(
            location,
            message,
            "remove the character from the input and import again",
            translation,
        );
    }

    /// Create or update the record of one input unit (and of the units merged into it).
    pub fn record(&mut self, rec: ImportedRecord) -> Result<(), Failure> {
        let before = self.report.records.clone();
        let merged = rec.merged;
        self.record_one(rec)?;
        self.report.records.account_merged(&before, merged);
        Ok(())
    }

    fn record_one(&mut self, rec: ImportedRecord) -> Result<(), Failure> {
        if self.refuse_record_control_chars(&rec) {
            return Ok(());
        }
        let Some(slug) = self.accepted_source(&rec) else {
            return Ok(());
        };
        let message = rec
            .fields
            .iter()
            .find(|(k, _)| *k == "message")
            .and_then(|(_, v)| v.clone());
        match self.index.find(&rec.source, rec.id).cloned() {
            None => self.create_record(&rec, slug, message),
            Some(existing) => self.update_record(&rec, slug, &existing),
        }
    }

    /// Refuse a unit whose values or notes hold a control character; true if refused.
    fn refuse_record_control_chars(&mut self, rec: &ImportedRecord) -> bool {
        // Control characters would break the YAML or hide text: refuse the row.
        let values = std::iter::once(("source", Some(&rec.source)))
            .chain(rec.fields.iter().map(|(k, v)| (*k, v.as_ref())))
            .chain(rec.block_texts.iter().map(|(k, v)| (*k, Some(v))))
            .filter_map(|(k, v)| v.map(|v| (k, v)));
        for (field, value) in values {
            if let Some((_, c)) = crate::content::emit::refused_char(value, field != "message") {
                self.refuse_control_char(rec, &format!("the {field}"), c);
                return true;
            }
        }
        // Notes quote the input too (a level eventref does not know, …).
        if let Some((_, c)) = rec
            .notes
            .iter()
            .find_map(|n| crate::content::emit::refused_char(n, true))
        {
            self.refuse_control_char(rec, "the input", c);
            return true;
        }
        false
    }

    /// The slug of the unit's source, or `None` (counted as skipped) if the
    /// source is invalid or spelled differently in the content.
    fn accepted_source(&mut self, rec: &ImportedRecord) -> Option<Slug> {
        let Some(slug) = Slug::new(&rec.source) else {
            self.skip("invalid source name", 1);
            return None;
        };
        if crate::authoring::check_source(&rec.source).is_err() {
            self.skip("invalid source name", 1);
            return None;
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
            return None;
        }
        Some(slug)
    }

    /// Write the record of a unit that has none yet.
    fn create_record(
        &mut self,
        rec: &ImportedRecord,
        slug: Slug,
        message: Option<String>,
    ) -> Result<(), Failure> {
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
        let text = new_record_text(&header, rec);
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
        Ok(())
    }

    /// The text of an existing file about to be updated, or `None` (counted as
    /// skipped) when it cannot be read or is hand-written (no import marker).
    fn imported_text(&mut self, file: &Path, kind: Kind) -> Option<Arc<str>> {
        let (unreadable, hand_written) = match kind {
            Kind::Record => ("existing record unreadable", "hand-written record"),
            Kind::Translation => ("existing translation unreadable", "hand-written translation"),
        };
        let reason = match crate::content::read_text(&self.config.root, file) {
            Ok(text) if has_marker(&text) => return Some(text),
            Ok(_) => hand_written,
            Err(d) => {
                self.warn(*d);
                unreadable
            }
        };
        self.skip_kind(kind, reason);
        None
    }

    /// Count one record or translation as skipped for `reason`.
    fn skip_kind(&mut self, kind: Kind, reason: &str) {
        match kind {
            Kind::Record => self.skip(reason, 1),
            Kind::Translation => self.skip_translation(reason, 1),
        }
    }

    /// `text` with the imported `fields` and `blocks` applied, or `None`
    /// (reported and counted as skipped) when it cannot be read as YAML.
    fn updated_text(
        &mut self,
        kind: Kind,
        file: &Path,
        text: &Arc<str>,
        (fields, blocks): (&FieldValues, &FieldValues),
        header: &ImportHeader,
    ) -> Option<ownership::Updated> {
        match update_text(file, text, fields, blocks, header) {
            Ok(u) => Some(u),
            Err(d) => {
                self.warn(*d);
                self.skip_kind(
                    kind,
                    match kind {
                        Kind::Record => "existing record unreadable",
                        Kind::Translation => "existing translation unreadable",
                    },
                );
                None
            }
        }
    }

    /// Update the importer-owned fields of an existing record, keeping hand-written ones.
    fn update_record(
        &mut self,
        rec: &ImportedRecord,
        slug: Slug,
        existing: &IndexedRecord,
    ) -> Result<(), Failure> {
        let Some(text) = self.imported_text(&existing.file, Kind::Record) else {
            return Ok(());
        };
        let header = self.header(&existing.file, &rec.origin, &rec.notes, false);
        let Some(updated) = self.updated_text(
            Kind::Record,
            &existing.file,
            &text,
            (&rec.fields, &rec.blocks),
            &header,
        ) else {
            return Ok(());
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
        if !self.translation_language_ok(&t) {
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
        if !self.translation_inserts_match(&t, &original) || self.refuse_translation_control_char(&t) {
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
            return self.create_overlay(&file, &t, &header, &fields, hash, &what);
        }
        self.update_overlay(&file, &t, &header, &fields, hash, &what)
    }

    /// Whether the translation's language is one to import (else it is counted as skipped).
    fn translation_language_ok(&mut self, t: &ImportedTranslation) -> bool {
        if t.lang == self.config.default_language {
            self.skip_translation("in the default language", 1);
            return false;
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
            return false;
        }
        true
    }

    /// Whether the translation keeps the insertion strings of the record's message (else it is skipped with a warning).
    fn translation_inserts_match(&mut self, t: &ImportedTranslation, original: &str) -> bool {
        let mut want = crate::content::message::inserts(original);
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
            return false;
        }
        true
    }

    /// Refuse a translation that holds a control character; true if refused.
    fn refuse_translation_control_char(&mut self, t: &ImportedTranslation) -> bool {
        if let Some((_, c)) = crate::content::emit::refused_char(&t.message, false) {
            let what = format!(
                "the {} text of {} {}",
                t.lang,
                crate::content::emit::comment_text(&t.source),
                t.id
            );
            self.refuse_char(t.location.as_ref(), &what, c, true);
            return true;
        }
        false
    }

    /// Write the overlay of a translation whose language has none yet.
    fn create_overlay(
        &mut self,
        file: &Path,
        t: &ImportedTranslation,
        header: &ImportHeader,
        fields: &FieldValues,
        hash: String,
        what: &str,
    ) -> Result<(), Failure> {
        let mut text = header.render(&hashes_of(fields));
        text.push_str(&format!("message: {}\n", yaml_string(&t.message)));
        text.push_str(&translated_from_block(&BTreeMap::from([(
            "message".to_string(),
            hash,
        )])));
        if !self.fits(t.location.as_ref(), what, &text, true) {
            return Ok(());
        }
        self.write(file, &text)?;
        self.translation_counts().created += 1;
        Ok(())
    }

    /// Update the importer-owned message of an existing overlay and its `translated_from` hash.
    fn update_overlay(
        &mut self,
        file: &Path,
        t: &ImportedTranslation,
        header: &ImportHeader,
        fields: &FieldValues,
        hash: String,
        what: &str,
    ) -> Result<(), Failure> {
        let Some(text) = self.imported_text(file, Kind::Translation) else {
            return Ok(());
        };
        let Some(updated) = self.updated_text(Kind::Translation, file, &text, (fields, &[]), header) else {
            return Ok(());
        };
        self.report.fields_kept += updated.kept;
        let mut new_text = updated.text;
        if updated.owned.contains("message") {
            // The translation now is the imported one: record which original it translates.
            let cur: OverlayValues = crate::content::parse_yaml(
                file,
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
        } else if !self.fits(t.location.as_ref(), what, &new_text, true) {
            return Ok(());
        } else {
            self.write(file, &new_text)?;
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
