//! The event model: what one record says once it has been read and checked
//! (`Event`, `Level`, `Link`, `UserAction`, `EventKey`), and what one
//! translation overlay adds to it (`Translation`, per translatable `Field`).
//!
//! This is the bottom of the pipeline: it imports nothing but diagnostics and
//! slugs, and every other stage reads these types.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::content::slug::Slug;
use crate::diagnostics::{Diagnostic, did_you_mean};

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
    "fields",
    "versions",
    "task",
    "opcode",
    "keywords",
    "sample_xml",
    "explanation",
    "user_action",
    "related",
    "links",
    "last_modified",
];

/// The severity level of an event, as Event Viewer shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
///
/// Readable formats (YAML records, templates, JSON) see a string or a map;
/// binary formats (the build state, see `site::state`) a tagged enum, since
/// they cannot tell the two apart by looking.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// [`UserAction`] as readable formats write it: a string, or a map.
#[derive(Serialize)]
#[serde(untagged)]
enum UntaggedAction<'a> {
    Text(&'a str),
    Steps {
        intro: &'a Option<String>,
        steps: &'a Vec<String>,
    },
}

/// [`UserAction`] as binary formats store it.
#[derive(Serialize, Deserialize)]
enum TaggedAction {
    Text(String),
    Steps {
        intro: Option<String>,
        steps: Vec<String>,
    },
}

impl Serialize for UserAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            match self {
                UserAction::Text(t) => UntaggedAction::Text(t),
                UserAction::Steps { intro, steps } => UntaggedAction::Steps { intro, steps },
            }
            .serialize(s)
        } else {
            match self.clone() {
                UserAction::Text(t) => TaggedAction::Text(t),
                UserAction::Steps { intro, steps } => TaggedAction::Steps { intro, steps },
            }
            .serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for UserAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            return Ok(match TaggedAction::deserialize(d)? {
                TaggedAction::Text(t) => UserAction::Text(t),
                TaggedAction::Steps { intro, steps } => UserAction::Steps { intro, steps },
            });
        }
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

/// One event record, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The event's data fields in template order (`%1` is the first).
    pub fields: Vec<super::fields::EventField>,
    /// The event's versions; the top-level message and fields are the current one's.
    pub versions: Vec<super::versions::Version>,
    /// The manifest task.
    pub task: Option<String>,
    /// The manifest opcode.
    pub opcode: Option<String>,
    /// The manifest keywords.
    pub keywords: Vec<String>,
    /// A sample event XML written by the author (else one is generated from the fields).
    pub sample_xml: Option<String>,
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
    pub translations: BTreeMap<String, super::model::Translation>,
    /// The links of the prose and of `links:` to an anchor of a page of the
    /// site, checked once the pages are rendered.
    #[serde(skip)]
    pub anchor_links: super::links::AnchorLinks,
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

/// A translatable part of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The message template.
    Message,
    /// The meaning of each insertion string.
    Parameters,
    /// The explanation.
    Explanation,
    /// The user action.
    UserAction,
    /// The titles of the "For More Information" links.
    Links,
    /// The category's display name.
    Category,
    /// The meanings of the data fields and the labels of their inline value maps.
    Fields,
    /// What changed in each version.
    Versions,
}

impl Field {
    /// Every translatable field, in page order.
    pub const ALL: [Field; 8] = [
        Field::Message,
        Field::Parameters,
        Field::Fields,
        Field::Versions,
        Field::Explanation,
        Field::UserAction,
        Field::Links,
        Field::Category,
    ];

    /// The field's name in records and overlays.
    pub fn name(self) -> &'static str {
        match self {
            Field::Message => "message",
            Field::Parameters => "parameters",
            Field::Explanation => "explanation",
            Field::UserAction => "user_action",
            Field::Links => "links",
            Field::Category => "category",
            Field::Fields => "fields",
            Field::Versions => "versions",
        }
    }

    /// Parse a field name.
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the original record has something to translate in this field.
    /// Category display names are optional, so they never count as missing.
    pub fn expected(self, e: &Event) -> bool {
        match self {
            Field::Message => true,
            Field::Parameters => !e.parameters.is_empty(),
            Field::Explanation => e.explanation.is_some(),
            Field::UserAction => e.user_action.is_some(),
            Field::Links => !e.links.is_empty(),
            Field::Category => false,
            Field::Fields => e.fields.iter().any(|f| f.meaning.is_some()),
            Field::Versions => e.versions.iter().any(|v| v.changes.is_some()),
        }
    }

    /// Whether the overlay translates this field (completely).
    pub fn translated_in(self, e: &Event, t: &Translation) -> bool {
        match self {
            Field::Message => t.message.is_some(),
            Field::Parameters => {
                !t.parameters.is_empty() && e.parameters.keys().all(|k| t.parameters.contains_key(k))
            }
            Field::Explanation => t.explanation.is_some(),
            Field::UserAction => t.user_action.is_some(),
            Field::Links => !t.links.is_empty() && e.links.iter().all(|l| t.links.contains_key(&l.url)),
            Field::Category => t.category.is_some(),
            Field::Fields => {
                !t.fields.is_empty()
                    && e.fields
                        .iter()
                        .filter(|f| f.meaning.is_some())
                        .all(|f| t.fields.get(&f.name).is_some_and(|x| x.meaning.is_some()))
            }
            Field::Versions => {
                !t.versions.is_empty()
                    && e.versions
                        .iter()
                        .filter(|v| v.changes.is_some())
                        .all(|v| t.versions.contains_key(&v.version))
            }
        }
    }

    /// Whether the overlay translates any part of this field.
    pub fn touched_in(self, t: &Translation) -> bool {
        match self {
            Field::Parameters => !t.parameters.is_empty(),
            Field::Links => !t.links.is_empty(),
            _ => self.translated_in_any(t),
        }
    }

    fn translated_in_any(self, t: &Translation) -> bool {
        match self {
            Field::Message => t.message.is_some(),
            Field::Explanation => t.explanation.is_some(),
            Field::UserAction => t.user_action.is_some(),
            Field::Category => t.category.is_some(),
            Field::Parameters => !t.parameters.is_empty(),
            Field::Links => !t.links.is_empty(),
            Field::Fields => !t.fields.is_empty(),
            Field::Versions => !t.versions.is_empty(),
        }
    }

    /// A short hash of the original's text of this field.
    pub fn source_hash(self, e: &Event) -> String {
        let mut text = String::new();
        match self {
            Field::Message => text.push_str(e.message.trim()),
            Field::Parameters => {
                for (k, v) in &e.parameters {
                    push_all(&mut text, &[k, "\u{1f}", v.trim(), "\n"]);
                }
            }
            Field::Explanation => text.push_str(e.explanation.as_deref().unwrap_or("").trim()),
            Field::UserAction => match &e.user_action {
                Some(UserAction::Text(t)) => text.push_str(t.trim()),
                Some(UserAction::Steps { intro, steps }) => {
                    text.push_str(intro.as_deref().unwrap_or("").trim());
                    for s in steps {
                        text.push('\u{1e}');
                        text.push_str(s.trim());
                    }
                }
                None => {}
            },
            Field::Links => {
                for l in &e.links {
                    push_all(&mut text, &[l.url.trim(), "\u{1f}", l.title.trim(), "\n"]);
                }
            }
            Field::Category => text.push_str(e.category.as_deref().unwrap_or("").trim()),
            Field::Fields => {
                for f in &e.fields {
                    push_all(
                        &mut text,
                        &[&f.name, "\u{1f}", f.meaning.as_deref().unwrap_or(""), "\n"],
                    );
                    if let Some(m) = f.value_map.as_ref().filter(|_| f.value_map_name.is_none()) {
                        for v in &m.entries {
                            push_all(
                                &mut text,
                                &[itoa::Buffer::new().format(v.value), "\u{1e}", &v.label, "\n"],
                            );
                        }
                    }
                }
            }
            Field::Versions => {
                for v in &e.versions {
                    text.push_str(&format!(
                        "{}\u{1f}{}\n",
                        v.version,
                        v.changes.as_deref().unwrap_or("")
                    ));
                }
            }
        }
        short_hash(&text)
    }
}

/// Append `parts` to `text` (what `format!` did here, without `core::fmt`).
fn push_all(text: &mut String, parts: &[&str]) {
    for p in parts {
        text.push_str(p);
    }
}

/// FNV-1a (32 bit) as 8 hex digits: stable across platforms and versions.
pub fn short_hash(text: &str) -> String {
    format!("{:08x}", fnv1a(text))
}

/// FNV-1a (32 bits) over the UTF-8 bytes of `text`: [`short_hash`] as a number.
pub fn fnv1a(text: &str) -> u32 {
    fnv1a_continue(FNV1A_START, text.as_bytes())
}

/// [`fnv1a`]'s offset basis: the hash of no bytes.
pub const FNV1A_START: u32 = 0x811c_9dc5;

/// [`fnv1a`] of more bytes, continuing from `h`, the hash of the text before
/// them (so a text made of parts is hashed without joining them).
pub fn fnv1a_continue(mut h: u32, bytes: &[u8]) -> u32 {
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// One language's translation of one record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    /// Language code.
    pub lang: String,
    /// The overlay file, relative to the site root.
    pub file: PathBuf,
    /// Translated message template.
    pub message: Option<String>,
    /// Translated parameter meanings, by insertion string.
    pub parameters: BTreeMap<String, String>,
    /// Translated explanation.
    pub explanation: Option<String>,
    /// Translated user action.
    pub user_action: Option<UserAction>,
    /// Translated link titles, by URL.
    pub links: BTreeMap<String, String>,
    /// Translated category display name.
    pub category: Option<String>,
    /// Translated field meanings and value-map labels, by field name.
    pub fields: BTreeMap<String, FieldTranslation>,
    /// Translated "what changed" notes, by version number.
    pub versions: BTreeMap<u8, String>,
    /// Per field: the hash of the original it was translated from.
    pub translated_from: BTreeMap<String, String>,
    /// The links of the translated prose to an anchor of a page of the
    /// site, checked once the pages are rendered.
    #[serde(skip)]
    pub anchor_links: super::links::AnchorLinks,
    /// Which fields are stale ([`Translation::stale_fields`]), once asked.
    #[serde(skip)]
    pub(super) stale: StaleFields,
}

/// The set of a translation's stale fields, worked out the first time it is
/// asked for: a build localizes each translated event for its page, its
/// export and its lookup tables, and each time every translated field's
/// original was hashed again (0.9 % of the samples of a 50,000-event
/// two-language build). A translation is built anew whenever its record or
/// its overlay is read again, and a clone starts empty, so the set is never
/// that of another text.
#[derive(Debug, Default)]
pub(super) struct StaleFields(std::sync::OnceLock<u16>);

impl Clone for StaleFields {
    fn clone(&self) -> Self {
        StaleFields::default()
    }
}

impl PartialEq for StaleFields {
    /// Not part of a translation's value.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One data field's translation: its meaning and its inline value map's labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldTranslation {
    /// Translated meaning (inline Markdown).
    pub meaning: Option<String>,
    /// Translated labels of the field's inline value map, by value.
    pub values: BTreeMap<u64, String>,
}

impl Translation {
    /// Whether `field` is translated but its original has changed since.
    pub fn is_stale(&self, e: &Event, field: Field) -> bool {
        field.touched_in(self) && self.translated_from.get(field.name()) != Some(&field.source_hash(e))
    }

    /// The fields that are translated but whose original has changed since
    /// ([`Translation::is_stale`] of each of [`Field::ALL`], in that order).
    /// `e` is the event this translation belongs to: the answer is kept.
    pub fn stale_fields(&self, e: &Event) -> impl Iterator<Item = Field> {
        let set = *self.stale.0.get_or_init(|| {
            Field::ALL
                .iter()
                .enumerate()
                .filter(|(_, f)| self.is_stale(e, **f))
                .fold(0u16, |set, (i, _)| set | 1 << i)
        });
        Field::ALL
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| set & 1 << i != 0)
            .map(|(_, f)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk_full() -> Event {
        Event {
            source: "Disk".into(),
            source_slug: crate::slug::Slug::new("Disk").expect("a slug"),
            id: 1,
            file: "content/Disk/1.yaml".into(),
            message: "Disk %1 is full.".into(),
            symbolic_name: None,
            category: None,
            level: None,
            product: None,
            product_version: None,
            channel: None,
            parameters: BTreeMap::new(),
            fields: Vec::new(),
            versions: Vec::new(),
            task: None,
            opcode: None,
            keywords: Vec::new(),
            sample_xml: None,
            explanation: Some("The disk has no room left.".into()),
            user_action: None,
            related: Vec::new(),
            links: Vec::new(),
            last_modified: None,
            translations: BTreeMap::new(),
            anchor_links: Default::default(),
        }
    }

    #[test]
    fn stale_fields_are_kept_and_a_clone_works_them_out_again() {
        let mut e = disk_full();
        let mut t = Translation {
            message: Some("Datenträger %1 ist voll.".into()),
            explanation: Some("Der Datenträger ist voll.".into()),
            ..Default::default()
        };
        t.translated_from
            .insert("message".into(), Field::Message.source_hash(&e));
        t.translated_from.insert("explanation".into(), "00000000".into());
        let each = |t: &Translation, e: &Event| {
            Field::ALL
                .into_iter()
                .filter(|f| t.is_stale(e, *f))
                .collect::<Vec<_>>()
        };
        assert_eq!(each(&t, &e), [Field::Explanation]);
        assert_eq!(t.stale_fields(&e).collect::<Vec<_>>(), each(&t, &e));
        // The original changes: the set worked out stays with this
        // translation (a build reads the record and overlay again, making a
        // new one) ...
        e.message = "Disk %1 is nearly full.".into();
        assert_eq!(t.stale_fields(&e).collect::<Vec<_>>(), [Field::Explanation]);
        // ... and a clone starts without it.
        let copy = t.clone();
        assert_eq!(
            copy.stale_fields(&e).collect::<Vec<_>>(),
            [Field::Message, Field::Explanation]
        );
        assert_eq!(copy.stale_fields(&e).collect::<Vec<_>>(), each(&t, &e));
    }

    #[test]
    fn levels() {
        assert_eq!(Level::parse("Warning"), Some(Level::Warning));
        assert_eq!(Level::parse("audit_success"), Some(Level::AuditSuccess));
        assert_eq!(Level::parse("Informational"), Some(Level::Information));
        assert_eq!(Level::parse("warn"), None);
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(short_hash(""), "811c9dc5");
        assert_eq!(short_hash("a"), "e40c292c");
    }
}
