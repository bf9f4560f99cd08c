//! One record file: its raw YAML shape, and the checks that turn it into an
//! [`Event`] (required fields, IDs, levels, insertion strings, dates, links),
//! each problem a diagnostic with its exact location.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::fields::{MapRef, RawField, check_fields, check_inserts};
use super::model::{Event, EventKey, Level, Link, RECORD_FIELDS, UserAction};
use super::versions::{RawVersion, check_versions};
use super::yaml::span_loc;
use super::yaml::{FileStamps, parse_yaml, read_text_stamped};
use crate::content::message;
use crate::content::slug::Slug;
use crate::diagnostics::{Diagnostic, Location, did_you_mean};

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
    #[serde(default)]
    fields: Vec<RawField>,
    #[serde(default)]
    versions: Vec<RawVersion>,
    task: Option<String>,
    opcode: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    sample_xml: Option<String>,
    explanation: Option<Spanned<String>>,
    user_action: Option<Spanned<UserAction>>,
    #[serde(default)]
    related: Vec<Spanned<String>>,
    #[serde(default)]
    links: Vec<Spanned<Link>>,
    last_modified: Option<Spanned<String>>,
}

/// The result of reading one record file.
#[derive(Clone)]
pub(super) struct Parsed {
    /// The record's key, when source and ID could be read (even if other fields are wrong),
    /// so that duplicates are reported in the same run as other errors.
    pub(super) key: Option<RecordKey>,
    pub(super) event: Option<Event>,
    /// Where each of `event.related` was written, for dangling-reference errors.
    pub(super) related_locs: Vec<Location>,
    /// The fields' references to shared value maps, resolved when the site is loaded.
    pub(super) map_refs: Vec<MapRef>,
    /// The links of the explanation and the user action, for broken-link errors.
    pub(super) links: Vec<super::links::MdLink>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

pub(super) fn parse_file(root: &Path, rel_path: &Path, stamps: Option<&FileStamps>) -> Parsed {
    let failed = |d: Box<Diagnostic>| Parsed {
        key: None,
        event: None,
        related_locs: Vec::new(),
        map_refs: Vec::new(),
        links: Vec::new(),
        diagnostics: vec![*d],
    };
    let text = match read_text_stamped(root, rel_path, stamps) {
        Ok(t) => t,
        Err(d) => return failed(d),
    };
    match parse_yaml::<RawRecord>(rel_path, &text, RECORD_FIELDS) {
        Ok(raw) => {
            let mut parsed = check_record(rel_path, &text, raw);
            parsed
                .diagnostics
                .extend(super::placeholder::warnings(rel_path, &text));
            parsed
        }
        Err(d) => failed(d),
    }
}

/// The hint for an ID above 65535 that fits in 32 bits: speak of severity
/// bits only when they are set (bits 30–31), else of what is there.
pub fn id_hint(id: i64) -> String {
    let low = id & 0xFFFF;
    let severity = (id >> 30) & 0b11;
    let facility = (id >> 16) & 0xFFF;
    if severity != 0 {
        let name = ["success", "informational", "warning", "error"][severity as usize];
        format!(
            "{id} = 0x{id:08X} looks like a 32-bit message ID with severity bits set ({name}); the event ID is its low 16 bits: {low}"
        )
    } else {
        format!(
            "{id} = 0x{id:08X} does not fit in 16 bits; if it is a 32-bit message ID (facility {facility}, no severity bits set), the event ID is its low 16 bits: {low}; otherwise check the number"
        )
    }
}

/// Check a parsed record field by field; its key, event (if valid) and diagnostics.
fn check_record(rel_path: &Path, text: &Arc<str>, mut raw: RawRecord) -> Parsed {
    let mut ds = Vec::new();

    let (source, source_slug) = check_source(rel_path, text, &raw.source, &mut ds);
    let raw_source = source.clone();
    let source_loc = span_loc(rel_path, text, &raw.source).with_len(raw.source.value.chars().count());
    let id_loc = span_loc(rel_path, text, &raw.id).with_len(raw.id.value.to_string().len());
    let id16 = check_id(rel_path, text, &raw.id, &mut ds);

    let inserts = check_message(rel_path, text, &raw.message, &mut ds);

    let level = check_level(rel_path, text, raw.level.as_ref(), &mut ds);
    let parameters = check_parameters(
        rel_path,
        text,
        std::mem::take(&mut raw.parameters.0),
        &inserts,
        &mut ds,
    );

    let (fields, versions, map_refs) = check_fields_and_versions(rel_path, text, &mut raw, &mut ds);

    check_symbolic_name(rel_path, text, raw.symbolic_name.as_ref(), &mut ds);
    let related = check_related(rel_path, text, &raw.related, &mut ds);
    let (links, site_links) = check_links(rel_path, text, std::mem::take(&mut raw.links), &mut ds);
    let last_modified = check_last_modified(rel_path, text, raw.last_modified.as_ref(), &mut ds);

    let mut md_links = prose_links(rel_path, text, &raw);
    md_links.extend(site_links);

    let raw_id = id16;
    let has_errors = ds
        .iter()
        .any(|d| d.severity == crate::diagnostics::Severity::Error);
    let event = match (source_slug, id16) {
        (Some(source_slug), Some(id)) if !has_errors => Some(build_event(
            rel_path,
            raw,
            Checked {
                source,
                source_slug,
                id,
                level,
                parameters,
                fields,
                versions,
                related: related.iter().map(|(k, _)| k.clone()).collect(),
                links,
                last_modified,
            },
        )),
        _ => None,
    };
    let key = match (Slug::new(&raw_source), raw_id) {
        (Some(slug), Some(id)) => Some(RecordKey {
            source: raw_source,
            slug,
            id,
            category: event.as_ref().and_then(|e| e.category.clone()),
            source_loc: source_loc.clone(),
            id_loc: id_loc.clone(),
        }),
        _ => None,
    };
    let mut parsed = Parsed {
        key,
        event,
        related_locs: related.into_iter().map(|(_, l)| l).collect(),
        map_refs,
        links: md_links,
        diagnostics: ds,
    };
    parsed.forget_texts();
    parsed
}

impl Parsed {
    /// Drop the file's text from the places kept for the checks made once
    /// every record is read (duplicate keys, related events, links): every
    /// record names related events, and each place holding the text kept
    /// every record's text in memory for as long as the site was loaded (a
    /// 100 MB of 50,000 records). A diagnostic of those checks reads the
    /// text again for its snippet (`load::with_snippets`). The diagnostics
    /// found while parsing keep it.
    fn forget_texts(&mut self) {
        if let Some(k) = &mut self.key {
            k.source_loc.forget_source();
            k.id_loc.forget_source();
        }
        for l in &mut self.related_locs {
            l.forget_source();
        }
        for l in &mut self.links {
            l.loc.forget_source();
        }
    }
}

/// What the checks made of a record's fields, ready to become an [`Event`].
struct Checked {
    source: String,
    source_slug: Slug,
    id: u16,
    level: Option<Level>,
    parameters: BTreeMap<String, String>,
    fields: Vec<super::fields::EventField>,
    versions: Vec<super::versions::Version>,
    related: Vec<EventKey>,
    links: Vec<Link>,
    last_modified: Option<String>,
}

/// Build the event of a record without errors from its checked and remaining raw fields.
fn build_event(rel_path: &Path, raw: RawRecord, c: Checked) -> Event {
    let empty_to_none = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Event {
        source: c.source,
        source_slug: c.source_slug,
        id: c.id,
        file: rel_path.to_path_buf(),
        message: raw.message.value.trim_end().to_string(),
        symbolic_name: empty_to_none(raw.symbolic_name.map(|s| s.value)),
        category: empty_to_none(raw.category.map(|s| s.value)),
        level: c.level,
        product: empty_to_none(raw.product),
        product_version: empty_to_none(raw.product_version.map(|s| s.value)),
        channel: empty_to_none(raw.channel),
        parameters: c.parameters,
        fields: c.fields,
        versions: c.versions,
        task: empty_to_none(raw.task),
        opcode: empty_to_none(raw.opcode),
        keywords: raw
            .keywords
            .into_iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect(),
        sample_xml: empty_to_none(raw.sample_xml),
        explanation: empty_to_none(raw.explanation.map(|x| x.value)),
        user_action: raw.user_action.map(|u| u.value),
        related: c.related,
        links: c.links,
        last_modified: c.last_modified,
        translations: BTreeMap::new(),
        anchor_links: Default::default(),
    }
}

/// Check that the message is not empty; its insertion strings.
fn check_message(
    rel_path: &Path,
    text: &Arc<str>,
    raw: &Spanned<String>,
    ds: &mut Vec<Diagnostic>,
) -> Vec<String> {
    if raw.value.trim().is_empty() {
        ds.push(
            Diagnostic::error("empty-message", "message is empty")
                .at(span_loc(rel_path, text, raw))
                .help("copy the message text from Event Viewer, with %1, %2 … where values go"),
        );
    }
    message::inserts(&raw.value)
}

/// Check the record's fields, the message's inserts against them, and its
/// versions (taking them out of `raw`); the fields, versions and value-map references.
fn check_fields_and_versions(
    rel_path: &Path,
    text: &Arc<str>,
    raw: &mut RawRecord,
    ds: &mut Vec<Diagnostic>,
) -> (
    Vec<super::fields::EventField>,
    Vec<super::versions::Version>,
    Vec<MapRef>,
) {
    let mut map_refs = Vec::new();
    let fields = check_fields(
        rel_path,
        text,
        std::mem::take(&mut raw.fields),
        None,
        ds,
        &mut map_refs,
    );
    let message_loc =
        span_loc(rel_path, text, &raw.message).with_len(raw.message.value.chars().count().min(200));
    check_inserts(&raw.message.value, &fields, &message_loc, ds);
    let versions = check_versions(
        rel_path,
        text,
        std::mem::take(&mut raw.versions),
        &raw.message.value,
        &fields,
        ds,
        &mut map_refs,
    );
    (fields, versions, map_refs)
}

/// The links in the explanation and user action, resolved across records by `load`.
fn prose_links(rel_path: &Path, text: &Arc<str>, raw: &RawRecord) -> Vec<super::links::MdLink> {
    let at = |s: &serde_saphyr::Location| (s.line() as u32, s.column() as u32);
    super::links::find(
        rel_path,
        text,
        raw.explanation
            .as_ref()
            .map(|x| (x.value.as_str(), at(&x.referenced))),
        raw.user_action.as_ref().map(|u| (&u.value, at(&u.referenced))),
    )
}

/// Check the record's source; the trimmed source and its slug, if it has one.
fn check_source(
    rel_path: &Path,
    text: &Arc<str>,
    raw: &Spanned<String>,
    ds: &mut Vec<Diagnostic>,
) -> (String, Option<Slug>) {
    let source = raw.value.trim().to_string();
    let source_slug = Slug::new(&source);
    if source_slug.is_none() {
        ds.push(
            Diagnostic::error(
                "invalid-source",
                format!(
                    "source `{}` has no letters or digits to build a URL from",
                    raw.value
                ),
            )
            .at(span_loc(rel_path, text, raw).with_len(raw.value.chars().count()))
            .help("write the event source as Event Viewer shows it, e.g. `MSExchangeTransport`"),
        );
    } else if source.contains(['/', '\\']) || source.contains("..") {
        ds.push(
            Diagnostic::error(
                "invalid-source",
                format!("source `{source}` contains a path separator or `..`"),
            )
            .at(span_loc(rel_path, text, raw).with_len(source.chars().count()))
            .help("event sources are names, not paths: write it as Event Viewer shows it"),
        );
    }
    (source, source_slug)
}

/// Check that the event ID fits in 16 bits; the ID if it does.
fn check_id(rel_path: &Path, text: &Arc<str>, raw: &Spanned<i64>, ds: &mut Vec<Diagnostic>) -> Option<u16> {
    let id = raw.value;
    if (0..=65535).contains(&id) {
        Some(id as u16)
    } else {
        let mut d = Diagnostic::error("id-out-of-range", format!("event ID {id} is outside 0–65535"))
            .at(span_loc(rel_path, text, raw).with_len(id.to_string().len()));
        d = if (65536..=u32::MAX as i64).contains(&id) {
            d.help(id_hint(id))
        } else {
            d.help("event IDs are whole numbers from 0 to 65535")
        };
        ds.push(d);
        None
    }
}

/// Check the level's name; the level if it is known.
fn check_level(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Option<&Spanned<String>>,
    ds: &mut Vec<Diagnostic>,
) -> Option<Level> {
    raw.and_then(|l| match Level::parse(&l.value) {
        Some(lv) => Some(lv),
        None => {
            ds.push(
                Level::unknown(&l.value).at(span_loc(rel_path, text, l).with_len(l.value.chars().count())),
            );
            None
        }
    })
}

/// Warn about parameters that are not insertion strings of the message; all the parameters.
fn check_parameters(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Vec<(Spanned<String>, String)>,
    inserts: &[String],
    ds: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut parameters = BTreeMap::new();
    for (k, v) in raw {
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
    parameters
}

/// Warn when the symbolic name is not an identifier.
fn check_symbolic_name(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Option<&Spanned<String>>,
    ds: &mut Vec<Diagnostic>,
) {
    if let Some(s) = raw
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
}

/// Parse the related events ("Source/ID"); each with where it was written.
fn check_related(
    rel_path: &Path,
    text: &Arc<str>,
    raw: &[Spanned<String>],
    ds: &mut Vec<Diagnostic>,
) -> Vec<(EventKey, Location)> {
    let mut related = Vec::new();
    for r in raw {
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
    related
}

/// Check that the links are http(s) URLs, site paths or relative paths; all
/// the links, and those that lead to a page of the site, for resolving
/// across records by `load` like the links in the prose.
fn check_links(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Vec<Spanned<Link>>,
    ds: &mut Vec<Diagnostic>,
) -> (Vec<Link>, Vec<super::links::MdLink>) {
    let mut links = Vec::new();
    let mut on_site = Vec::new();
    for l in raw {
        let url = l.value.url.trim();
        if is_site_path(url) || super::links::is_relative_path(url) {
            let at = (l.referenced.line() as u32, l.referenced.column() as u32);
            on_site.push(super::links::links_entry(rel_path, text, url, at));
        } else if !(url.starts_with("https://") || url.starts_with("http://")) {
            ds.push(
                Diagnostic::error("invalid-link", format!("link URL `{url}` is not allowed"))
                    .at(span_loc(rel_path, text, &l))
                    .help("links must be http(s) URLs, site paths starting with / or relative paths"),
            );
        }
        links.push(l.value);
    }
    (links, on_site)
}

/// Check that last_modified is a date; the trimmed text.
fn check_last_modified(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Option<&Spanned<String>>,
    ds: &mut Vec<Diagnostic>,
) -> Option<String> {
    let last_modified = raw.map(|d| d.value.trim().to_string());
    if let Some(d) = raw
        && !valid_date(d.value.trim())
    {
        ds.push(
            Diagnostic::error("invalid-date", format!("`{}` is not a date", d.value))
                .at(span_loc(rel_path, text, d).with_len(d.value.chars().count()))
                .help("write dates as YYYY-MM-DD, e.g. 2011-03-19"),
        );
    }
    last_modified
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
pub(super) struct RecordKey {
    pub(super) source: String,
    pub(super) slug: Slug,
    pub(super) id: u16,
    /// The category, when the record has one and no errors.
    pub(super) category: Option<String>,
    pub(super) source_loc: Location,
    pub(super) id_loc: Location,
}

#[cfg(test)]
mod tests {
    use super::*;

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
