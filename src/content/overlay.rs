//! Translations: loading and checking the overlay files (`2002.de.yaml`) that
//! translate a record, and the source hashes that tell when a translation has
//! gone stale.
//!
//! An overlay sits next to its record and translates any subset of the
//! translatable [`Field`]s. It records, per field, a short hash of the original
//! text it was translated from (`translated_from`); when the original changes,
//! the hash no longer matches and the field is stale. Everything is addressed
//! by field name (and parameter name), so the model maps one-to-one onto PO or
//! XLIFF units for a future export to translation platforms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::model::{Event, Field, Link, OverlayFile, Translation, UserAction};
use super::yaml::{FileStamps, parse_yaml, read_text, read_text_stamped};
use crate::config::Config;
use crate::content::message;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, did_you_mean};

/// The fields an overlay may have.
pub const OVERLAY_FIELDS: &[&str] = &[
    "message",
    "parameters",
    "explanation",
    "user_action",
    "links",
    "category",
    "fields",
    "versions",
    "translated_from",
];

const IDENTIFYING: &[&str] = &["source", "id", "symbolic_name", "level"];
const NOT_TRANSLATABLE: &[&str] = &[
    "product",
    "product_version",
    "channel",
    "related",
    "last_modified",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkTitle {
    url: String,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverlay {
    message: Option<Spanned<String>>,
    #[serde(default)]
    parameters: Option<Spanned<BTreeMap<String, String>>>,
    explanation: Option<Spanned<String>>,
    user_action: Option<Spanned<UserAction>>,
    #[serde(default)]
    links: Vec<Spanned<LinkTitle>>,
    category: Option<String>,
    fields: Option<Spanned<BTreeMap<String, super::fields::RawFieldTranslation>>>,
    versions: Option<Spanned<BTreeMap<String, String>>>,
    #[serde(default)]
    translated_from: BTreeMap<String, String>,
    // Fields that exist in records but not in overlays, for a precise error.
    source: Option<Spanned<serde::de::IgnoredAny>>,
    id: Option<Spanned<serde::de::IgnoredAny>>,
    symbolic_name: Option<Spanned<serde::de::IgnoredAny>>,
    level: Option<Spanned<serde::de::IgnoredAny>>,
    product: Option<Spanned<serde::de::IgnoredAny>>,
    product_version: Option<Spanned<serde::de::IgnoredAny>>,
    channel: Option<Spanned<serde::de::IgnoredAny>>,
    related: Option<Spanned<serde::de::IgnoredAny>>,
    last_modified: Option<Spanned<serde::de::IgnoredAny>>,
}

/// The record file an overlay belongs to: `dir/2002.de.yaml` → `dir/2002.yaml` (or `.yml`).
pub fn record_path_for(overlay: &Path) -> Vec<PathBuf> {
    let name = overlay
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(&name);
    let base = stem.rsplit_once('.').map(|(b, _)| b).unwrap_or(stem);
    ["yaml", "yml"]
        .iter()
        .map(|ext| overlay.with_file_name(format!("{base}.{ext}")))
        .collect()
}

/// Parse every overlay, check it against its record, and attach it to the event.
pub fn attach(config: &Config, events: &mut [Event], overlays: &[OverlayFile], diags: &mut Diagnostics) {
    for ds in attach_each(config, events, overlays, None, None) {
        diags.extend(ds);
    }
}

/// Like [`attach`], returning the diagnostics of each overlay separately (in
/// the order of `overlays`). With `site`, the links of the translated prose
/// are resolved against it (see [`super::links`]).
pub fn attach_each(
    config: &Config,
    events: &mut [Event],
    overlays: &[OverlayFile],
    site: Option<&super::links::SiteMap>,
    stamps: Option<&FileStamps>,
) -> Vec<Vec<Diagnostic>> {
    let by_file: BTreeMap<PathBuf, usize> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.file.clone(), i))
        .collect();
    // For each overlay: the event it translates (index) and its translation, plus diagnostics.
    type Attached = (Option<(usize, Translation)>, Vec<Diagnostic>);
    // In pieces small enough for both cores to finish together (see
    // `Content::load`).
    let parsed: Vec<Attached> = overlays
        .par_iter()
        .with_max_len(64)
        .map(|o| {
            let mut ds = Vec::new();
            let target = record_path_for(&o.file)
                .into_iter()
                .find_map(|p| by_file.get(&p).copied());
            let t = load_one(config, o, target.map(|i| &events[i]), site, stamps, &mut ds);
            (target.zip(t), ds)
        })
        .collect();
    parsed
        .into_iter()
        .map(|(t, ds)| {
            if let Some((i, t)) = t {
                events[i].translations.insert(t.lang.clone(), t);
            }
            ds
        })
        .collect()
}

/// Read, parse and check one overlay against its record; its translation if it has no errors.
fn load_one(
    config: &Config,
    o: &OverlayFile,
    event: Option<&Event>,
    site: Option<&super::links::SiteMap>,
    stamps: Option<&FileStamps>,
    ds: &mut Vec<Diagnostic>,
) -> Option<Translation> {
    let (text, raw) = read_overlay(config, o, stamps, ds)?;
    ds.extend(super::placeholder::warnings(&o.file, &text));
    let doc = OverlayText {
        file: &o.file,
        text: &text,
    };

    let Some(event) = event else {
        report_orphan(config, &doc, ds);
        return None;
    };
    let mut errors = check_forbidden_fields(&raw, &doc, ds);
    let configured = check_language(config, &o.lang, &doc, ds)?;
    if let Some(m) = &raw.message {
        errors |= check_message(m, event, &doc, ds);
    }
    let (parameters, bad_parameters) = check_parameters(raw.parameters.as_ref(), event, &doc, ds);
    errors |= bad_parameters;
    errors |= check_user_action(raw.user_action.as_ref(), event, &doc, ds);
    let (links, bad_links) = check_links(&raw.links, event, &doc, ds);
    errors |= bad_links;
    let anchor_links = site
        .map(|site| check_prose_links(site, &o.lang, event, &raw, &doc, ds))
        .unwrap_or_default();

    // Fields and versions: the original's, translating meanings, labels and notes only.
    let (fields, bad_fields) = check_part(raw.fields, 6, &doc, ds, |f, at, ds| {
        super::fields::check_field_translations(f, &event.fields, at, ds)
    });
    errors |= bad_fields;
    let (versions, bad_versions) = check_part(raw.versions, 8, &doc, ds, |v, at, ds| {
        super::versions::check_version_notes(v, &event.versions, at, ds)
    });
    errors |= bad_versions;

    errors |= check_hashes(&raw.translated_from, &doc, ds);

    let t = Translation {
        lang: o.lang.clone(),
        file: o.file.clone(),
        message: raw.message.map(|m| m.value.trim_end().to_string()),
        parameters,
        explanation: raw
            .explanation
            .map(|s| s.value.trim().to_string())
            .filter(|s| !s.is_empty()),
        user_action: raw.user_action.map(|u| u.value),
        links,
        category: raw
            .category
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        fields,
        versions,
        translated_from: raw.translated_from,
        anchor_links,
        ..Default::default()
    };
    warn_if_empty(&t, &doc, ds);
    if errors || !configured { None } else { Some(t) }
}

/// Read and parse an overlay file; its text and raw shape, or `None` after reporting why not.
fn read_overlay(
    config: &Config,
    o: &OverlayFile,
    stamps: Option<&FileStamps>,
    ds: &mut Vec<Diagnostic>,
) -> Option<(Arc<str>, RawOverlay)> {
    let text = match read_text_stamped(&config.root, &o.file, stamps) {
        Ok(t) => t,
        Err(d) => {
            ds.push(*d);
            return None;
        }
    };
    let raw: RawOverlay = match parse_yaml(&o.file, &text, OVERLAY_FIELDS) {
        Ok(r) => r,
        Err(d) => {
            ds.push(*d);
            return None;
        }
    };
    Some((text, raw))
}

/// Check an optional part of an overlay with `check`, pointed at `len`
/// characters of its key; its value (empty if absent or wrong) and whether it was wrong.
fn check_part<T, R: Default>(
    part: Option<Spanned<T>>,
    len: usize,
    doc: &OverlayText,
    ds: &mut Vec<Diagnostic>,
    check: impl FnOnce(T, &Location, &mut Vec<Diagnostic>) -> Option<R>,
) -> (R, bool) {
    match part {
        Some(p) => {
            let at = doc.loc(&p.referenced, len);
            match check(p.value, &at, ds) {
                Some(r) => (r, false),
                None => (R::default(), true),
            }
        }
        None => (R::default(), false),
    }
}

/// Warn when a translation translates nothing.
fn warn_if_empty(t: &Translation, doc: &OverlayText, ds: &mut Vec<Diagnostic>) {
    if !Field::ALL.iter().any(|f| f.touched_in(t)) {
        ds.push(
            Diagnostic::warning("overlay-empty", "this translation translates nothing")
                .at(doc.top())
                .help("add translated fields (message, explanation, …) or remove the file"),
        );
    }
}

/// An overlay's file and text, for pointing diagnostics into it.
struct OverlayText<'a> {
    file: &'a Path,
    text: &'a Arc<str>,
}

impl OverlayText<'_> {
    /// The location at `line`, `col`, `len` characters long.
    fn at(&self, line: u64, col: u64, len: usize) -> Location {
        Location::new(self.file, Some(self.text.clone()), line as u32, col as u32).with_len(len)
    }

    /// The location of a parsed value's span, `len` characters long.
    fn loc(&self, s: &serde_saphyr::Location, len: usize) -> Location {
        self.at(s.line(), s.column(), len)
    }

    /// The location of the file's first character.
    fn top(&self) -> Location {
        Location::new(self.file, Some(self.text.clone()), 1, 1)
    }
}

/// Report an overlay without a record (unless the record exists but has errors of its own).
fn report_orphan(config: &Config, doc: &OverlayText, ds: &mut Vec<Diagnostic>) {
    // A record that exists but has errors is reported on its own: an
    // `overlay-orphan` here would only bury the real error.
    if record_path_for(doc.file)
        .iter()
        .any(|p| config.root.join(p).is_file())
    {
        return;
    }
    let expected = record_path_for(doc.file).into_iter().next().unwrap_or_default();
    ds.push(
        Diagnostic::error(
            "overlay-orphan",
            format!("this translation has no record: {} does not exist or has errors", expected.display()),
        )
        .at(doc.top())
        .help("a translation overlay sits next to its record, with the record's name plus .<lang>: 2002.yaml → 2002.de.yaml"),
    );
}

/// Report identifying and non-translatable fields in an overlay; true if there were any.
fn check_forbidden_fields(raw: &RawOverlay, doc: &OverlayText, ds: &mut Vec<Diagnostic>) -> bool {
    let mut errors = false;
    let forbidden: [(&str, &Option<Spanned<serde::de::IgnoredAny>>); 9] = [
        ("source", &raw.source),
        ("id", &raw.id),
        ("symbolic_name", &raw.symbolic_name),
        ("level", &raw.level),
        ("product", &raw.product),
        ("product_version", &raw.product_version),
        ("channel", &raw.channel),
        ("related", &raw.related),
        ("last_modified", &raw.last_modified),
    ];
    for (name, value) in forbidden {
        if let Some(v) = value {
            let (code, msg, help) = if IDENTIFYING.contains(&name) {
                (
                    "overlay-identity",
                    format!("a translation may not change `{name}`"),
                    format!(
                        "remove `{name}`: source, id, symbolic_name and level identify the event and come from the record"
                    ),
                )
            } else {
                debug_assert!(NOT_TRANSLATABLE.contains(&name));
                (
                    "overlay-field",
                    format!("`{name}` is not translatable"),
                    format!(
                        "remove `{name}`; translatable fields are: message, parameters, fields, versions, explanation, user_action, links, category"
                    ),
                )
            };
            // The span points at the value; the key starts at the line's first character.
            let line = v.referenced.line();
            let col = doc
                .text
                .lines()
                .nth(line as usize - 1)
                .map(|l| l.len() - l.trim_start().len() + 1)
                .unwrap_or(1);
            ds.push(
                Diagnostic::error(code, msg)
                    .at(doc.at(line, col as u64, name.len()))
                    .help(help),
            );
            errors = true;
        }
    }
    errors
}

/// Check the overlay's language: `None` for the default language (nothing to
/// attach), otherwise whether the language is configured.
fn check_language(config: &Config, lang: &str, doc: &OverlayText, ds: &mut Vec<Diagnostic>) -> Option<bool> {
    let configured = config.languages.iter().any(|(c, _)| *c == lang);
    if lang == config.default_language {
        ds.push(
            Diagnostic::warning(
                "overlay-language",
                format!("this file translates into the default language `{lang}`"),
            )
            .at(doc.top())
            .help("edit the record itself instead, or rename the file for another language"),
        );
        return None;
    } else if !configured {
        ds.push(
            Diagnostic::warning(
                "overlay-language",
                format!("language `{lang}` is not configured, so this translation is not published"),
            )
            .at(doc.top())
            .help(format!("add [languages.{lang}] to site.toml, or remove the file")),
        );
    }
    Some(configured)
}

/// Check the translated message against the record's insertion strings and for emptiness; true on error.
fn check_message(m: &Spanned<String>, event: &Event, doc: &OverlayText, ds: &mut Vec<Diagnostic>) -> bool {
    let mut errors = false;
    let mut want = message::inserts(&event.message);
    let mut got = message::inserts(&m.value);
    want.sort();
    got.sort();
    if want != got {
        let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
        let mut what = Vec::new();
        if !missing.is_empty() {
            what.push(format!("lacks {}", join(&missing)));
        }
        if !extra.is_empty() {
            what.push(format!("adds {}", join(&extra)));
        }
        let original = if want.is_empty() {
            "none".to_string()
        } else {
            join(&want.iter().collect::<Vec<_>>())
        };
        ds.push(
            Diagnostic::error("insert-mismatch", format!("the translated message {}", what.join(" and ")))
                .at(doc.loc(&m.referenced, m.value.chars().count().min(200)))
                .help(format!(
                    "a translation must keep exactly the insertion strings of the original ({original}); their order may change"
                )),
        );
        errors = true;
    }
    if m.value.trim().is_empty() {
        ds.push(
            Diagnostic::error("empty-message", "the translated message is empty")
                .at(doc.loc(&m.referenced, 1))
                .help("translate the message, or remove the `message` line to fall back to the original"),
        );
        errors = true;
    }
    errors
}

/// Keep the translated parameters the original explains, reporting the others; true on error.
fn check_parameters(
    raw: Option<&Spanned<BTreeMap<String, String>>>,
    event: &Event,
    doc: &OverlayText,
    ds: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, String>, bool) {
    let mut errors = false;
    let mut parameters = BTreeMap::new();
    if let Some(p) = raw {
        for (k, v) in &p.value {
            if !event.parameters.contains_key(k) {
                let known: Vec<&str> = event.parameters.keys().map(String::as_str).collect();
                let help = match did_you_mean(k, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if known.is_empty() => {
                        "the original record explains no insertion strings".to_string()
                    }
                    None => format!("the original explains: {}", known.join(", ")),
                };
                ds.push(
                    Diagnostic::error(
                        "overlay-parameter",
                        format!("the original has no parameter `{k}`"),
                    )
                    .at(doc.loc(&p.referenced, 10))
                    .help(help),
                );
                errors = true;
            } else {
                parameters.insert(k.clone(), v.clone());
            }
        }
    }
    (parameters, errors)
}

/// Check that the translated user action has the original's shape; true on error.
fn check_user_action(
    raw: Option<&Spanned<UserAction>>,
    event: &Event,
    doc: &OverlayText,
    ds: &mut Vec<Diagnostic>,
) -> bool {
    let mut errors = false;
    if let (Some(ua), Some(orig)) = (raw, &event.user_action) {
        let mismatch = match (&ua.value, orig) {
            (UserAction::Text(_), UserAction::Text(_)) => None,
            (UserAction::Steps { steps: a, .. }, UserAction::Steps { steps: b, .. })
                if a.len() != b.len() =>
            {
                Some(format!(
                    "the translation has {} steps; the original has {}",
                    a.len(),
                    b.len()
                ))
            }
            (UserAction::Steps { .. }, UserAction::Steps { .. }) => None,
            (UserAction::Text(_), UserAction::Steps { .. }) => {
                Some("the original has an intro and steps; the translation is one text".to_string())
            }
            (UserAction::Steps { .. }, UserAction::Text(_)) => {
                Some("the original is one text; the translation has steps".to_string())
            }
        };
        if let Some(m) = mismatch {
            ds.push(
                Diagnostic::error(
                    "overlay-shape",
                    format!("user_action does not match the original: {m}"),
                )
                .at(doc.loc(&ua.referenced, 11))
                .help("translate each step of the original, in the same order"),
            );
            errors = true;
        }
    } else if let (Some(ua), None) = (raw, &event.user_action) {
        ds.push(
            Diagnostic::error("overlay-field", "the original has no user_action to translate")
                .at(doc.loc(&ua.referenced, 11))
                .help("remove `user_action`, or add it to the record first"),
        );
        errors = true;
    }
    errors
}

/// Keep the translated link titles of the original's URLs, reporting the others; true on error.
fn check_links(
    raw: &[Spanned<LinkTitle>],
    event: &Event,
    doc: &OverlayText,
    ds: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, String>, bool) {
    let mut errors = false;
    let mut links = BTreeMap::new();
    for l in raw {
        if event.links.iter().any(|o: &Link| o.url == l.value.url) {
            links.insert(l.value.url.clone(), l.value.title.clone());
        } else {
            ds.push(
                Diagnostic::error("overlay-link", format!("the original has no link to {}", l.value.url))
                    .at(doc.loc(&l.referenced, 1))
                    .help("translate a link by repeating its url with a translated title: - { url: \"…\", title: \"…\" }"),
            );
            errors = true;
        }
    }
    (links, errors)
}

/// Check that `translated_from` names known fields with hex hashes; true on error.
fn check_hashes(
    translated_from: &BTreeMap<String, String>,
    doc: &OverlayText,
    ds: &mut Vec<Diagnostic>,
) -> bool {
    let mut errors = false;
    for (k, v) in translated_from {
        if Field::parse(k).is_none() || v.len() != 8 || !v.chars().all(|c| c.is_ascii_hexdigit()) {
            ds.push(
                Diagnostic::error(
                    "overlay-hash",
                    format!("`translated_from: {k}: {v}` is not a field hash"),
                )
                .at(doc.top())
                .help("let `eventref i18n refresh` write translated_from; don't edit it by hand"),
            );
            errors = true;
        }
    }
    errors
}

/// Check that the links in the translated prose (on `event`'s page in
/// `lang`) lead where the original's may; the links to anchors, for
/// checking on the rendered pages.
fn check_prose_links(
    site: &super::links::SiteMap,
    lang: &str,
    event: &Event,
    raw: &RawOverlay,
    doc: &OverlayText,
    ds: &mut Vec<Diagnostic>,
) -> super::links::AnchorLinks {
    let at = |s: &serde_saphyr::Location| (s.line() as u32, s.column() as u32);
    let found = super::links::find(
        doc.file,
        doc.text,
        raw.explanation
            .as_ref()
            .map(|x| (x.value.as_str(), at(&x.referenced))),
        raw.user_action.as_ref().map(|u| (&u.value, at(&u.referenced))),
    );
    let on = super::links::OnPage {
        lang,
        source_slug: event.source_slug.as_str(),
        id: event.id,
    };
    let mut anchors = Vec::new();
    ds.extend(
        found
            .iter()
            .filter_map(|l| super::links::check(site, on, l, &mut anchors)),
    );
    super::links::AnchorLinks(anchors)
}

fn join(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// Rewrite the `translated_from` block of an overlay so that every field it
/// translates is marked as translated from the record's current text.
/// Returns the new text, or `None` if nothing changes.
pub fn refreshed_text(text: &str, event: &Event, t: &Translation) -> Option<String> {
    let mut hashes = BTreeMap::new();
    for f in Field::ALL {
        if f.touched_in(t) {
            hashes.insert(f.name(), f.source_hash(event));
        }
    }
    // Drop the existing top-level `translated_from:` block.
    let mut out = String::with_capacity(text.len() + 200);
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\t', '#']) && !line.trim().is_empty();
        if top_level {
            skipping = line.starts_with("translated_from:");
        }
        if !skipping {
            out.push_str(line);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !hashes.is_empty() {
        out.push_str(
            "translated_from: # written by `eventref i18n refresh`: the originals these translations match\n",
        );
        for (k, v) in hashes {
            out.push_str(&format!("  {k}: \"{v}\"\n"));
        }
    }
    if out == text { None } else { Some(out) }
}

/// The overlay file for `record` in `lang`: `dir/2002.yaml` → `dir/2002.de.yaml`.
pub fn overlay_path_for(record: &Path, lang: &str) -> PathBuf {
    let name = record
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "yaml"));
    record.with_file_name(format!("{stem}.{lang}.{ext}"))
}

/// Mark every translation of `events` (or only those in `lang`) as made from
/// the current originals: rewrite each overlay's `translated_from` block.
/// Returns the overlay files that changed. Overlays that still hold
/// placeholders or text identical to the original are left alone (see
/// [`refresh_with`]). Writes go through a temporary file and a rename, so an
/// interrupted refresh leaves every file whole.
pub fn refresh(root: &Path, events: &[Event], lang: Option<&str>) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    refresh_with(root, events, lang, false).map(|(changed, _)| changed)
}

/// Like [`refresh`], also returning why overlays were refused: an overlay that
/// still holds a placeholder (`# TODO translate`, `TODO: …`) or a text
/// identical to the original is not marked as translated unless `force`.
pub fn refresh_with(
    root: &Path,
    events: &[Event],
    lang: Option<&str>,
    force: bool,
) -> Result<(Vec<PathBuf>, Vec<Diagnostic>), Box<Diagnostic>> {
    let mut changed = Vec::new();
    let mut refused = Vec::new();
    for e in events {
        for (l, t) in &e.translations {
            if lang.is_some_and(|only| only != l) {
                continue;
            }
            let text = read_text(root, &t.file)?;
            if !force && let Some(d) = unfinished(&text, e, t) {
                refused.push(d);
                continue;
            }
            if let Some(new) = refreshed_text(&text, e, t) {
                let path = root.join(&t.file);
                let tmp = path.with_extension("yaml.eventref-tmp");
                std::fs::write(&tmp, new.as_bytes())
                    .and_then(|_| std::fs::rename(&tmp, &path))
                    .map_err(|err| {
                        Box::new(
                            Diagnostic::error(
                                "write-error",
                                format!("cannot write {}: {err}", t.file.display()),
                            )
                            .at(Location::file_only(&t.file)),
                        )
                    })?;
                changed.push(t.file.clone());
            }
        }
    }
    Ok((changed, refused))
}

/// Why an overlay is not ready to be marked translated: its first placeholder,
/// or a field whose text is the original's, word for word.
fn unfinished(text: &Arc<str>, e: &Event, t: &Translation) -> Option<Diagnostic> {
    let help = "translate it (or delete the field, which then falls back to the original), or run `eventref i18n refresh --force` to mark it translated anyway";
    if let Some(p) = super::placeholder::find(text).first() {
        return Some(
            Diagnostic::error(
                "refresh-refused",
                "not marked as translated: the overlay still holds a placeholder",
            )
            .at(Location::new(&t.file, Some(text.clone()), p.line, p.column))
            .help(help),
        );
    }
    let same = |a: Option<&str>, b: Option<&str>| a.is_some() && a.map(str::trim) == b.map(str::trim);
    let field = if same(t.message.as_deref(), Some(e.message.as_str())) {
        Some("message")
    } else if same(t.explanation.as_deref(), e.explanation.as_deref()) {
        Some("explanation")
    } else if t
        .parameters
        .iter()
        .any(|(k, v)| e.parameters.get(k).is_some_and(|o| o.trim() == v.trim()))
    {
        Some("parameters")
    } else {
        None
    };
    field.map(|f| {
        Diagnostic::error(
            "refresh-refused",
            format!("not marked as translated: `{f}` is the same text as the original"),
        )
        .at(Location::file_only(&t.file))
        .help(help)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_paths() {
        assert_eq!(
            record_path_for(Path::new("content/x/2002.de.yaml")),
            [
                PathBuf::from("content/x/2002.yaml"),
                PathBuf::from("content/x/2002.yml")
            ]
        );
        assert_eq!(
            record_path_for(Path::new("a/b.c.pt-BR.yml"))[0],
            PathBuf::from("a/b.c.yaml")
        );
    }
}
