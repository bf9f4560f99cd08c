//! Event data fields: the ordered, typed, named data of a manifest event
//! (`fields:` in a record, and in a version that differs), and their checks:
//! known manifest `inType`s, unique identifier names, `%n` inside the field
//! count, `{Name}` inserts that name a field, value maps inline or by name.
//!
//! In a manifest event `%1` … `%n` of the message are the fields in order;
//! [`EventField`]s keep that order so pages and lookup can map one to the other.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::message;
use super::value_map::{RawMapRef, Scalar, ValueMap, check_map};
use super::yaml::span_loc;
use crate::diagnostics::{Diagnostic, Location, did_you_mean};

/// The manifest input types (`inType`) an event field may have.
pub const IN_TYPES: &[&str] = &[
    "win:UnicodeString",
    "win:AnsiString",
    "win:Int8",
    "win:UInt8",
    "win:Int16",
    "win:UInt16",
    "win:Int32",
    "win:UInt32",
    "win:Int64",
    "win:UInt64",
    "win:Float",
    "win:Double",
    "win:Boolean",
    "win:Binary",
    "win:GUID",
    "win:Pointer",
    "win:FILETIME",
    "win:SYSTEMTIME",
    "win:SID",
    "win:HexInt32",
    "win:HexInt64",
    "win:CountedString",
    "win:CountedAnsiString",
    "win:ReversedCountedString",
    "win:ReversedCountedAnsiString",
    "win:NonNullTerminatedString",
    "win:NonNullTerminatedAnsiString",
    "win:UnicodeChar",
    "win:AnsiChar",
    "win:SizeT",
    "win:HexDump",
    "win:WMIDATETIME",
];

/// One data field of an event, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventField {
    /// The field's name (`TargetUserName`), as in `<Data Name="…">`.
    pub name: String,
    /// The manifest input type (`win:UnicodeString`); empty when the record
    /// does not state it (a source that names a field without its type).
    pub field_type: String,
    /// What it means (inline Markdown).
    pub meaning: Option<String>,
    /// An example value, for the page and the sample XML.
    pub example: Option<String>,
    /// The name of the shared value map it uses, if any.
    pub value_map_name: Option<String>,
    /// Its value map: written inline, or the shared map resolved by name when
    /// the site is loaded.
    pub value_map: Option<Arc<ValueMap>>,
}

/// One field as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    name: Spanned<String>,
    #[serde(rename = "type")]
    field_type: Option<Spanned<String>>,
    meaning: Option<String>,
    example: Option<Scalar>,
    value_map: Option<Spanned<RawMapRef>>,
}

/// A reference from a field to a shared value map, to resolve once the maps are loaded.
#[derive(Clone, Debug)]
pub(super) struct MapRef {
    /// Which list the field is in: `None` for the record's `fields`, else the version's index.
    pub(super) version: Option<usize>,
    /// The field's index in that list.
    pub(super) field: usize,
    /// The map's name.
    pub(super) name: String,
    /// Where the name is written.
    pub(super) loc: Location,
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The diagnostic for a type that is not a manifest `inType`.
fn unknown_type(t: &str) -> Diagnostic {
    let lower = t.trim().to_ascii_lowercase();
    let exact_but_case = IN_TYPES
        .iter()
        .find(|k| k.to_ascii_lowercase() == lower || k[4..].eq_ignore_ascii_case(&lower));
    let help = match exact_but_case.copied().or_else(|| did_you_mean(t, IN_TYPES.iter().copied())) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "use a manifest inType such as win:UnicodeString, win:UInt32, win:HexInt32, win:SID, win:GUID or win:FILETIME".to_string(),
    };
    Diagnostic::error("unknown-field-type", format!("unknown field type `{t}`")).help(help)
}

/// A field's type as written (empty when it is left out), checked against [`IN_TYPES`].
fn checked_type(
    rel_path: &Path,
    text: &Arc<str>,
    t: Option<&Spanned<String>>,
    ds: &mut Vec<Diagnostic>,
) -> String {
    let Some(t) = t else { return String::new() };
    let value = t.value.trim().to_string();
    if !IN_TYPES.contains(&value.as_str()) {
        ds.push(unknown_type(&value).at(span_loc(rel_path, text, t).with_len(value.chars().count())));
    }
    value
}

/// Check a list of fields as written; `version` says which list it is (for
/// the references to shared maps it returns).
pub(super) fn check_fields(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Vec<RawField>,
    version: Option<usize>,
    ds: &mut Vec<Diagnostic>,
    refs: &mut Vec<MapRef>,
) -> Vec<EventField> {
    let mut out: Vec<EventField> = Vec::with_capacity(raw.len());
    let mut seen: Vec<(String, u32)> = Vec::new();
    for (i, f) in raw.into_iter().enumerate() {
        let name = f.name.value.trim().to_string();
        let name_loc = span_loc(rel_path, text, &f.name).with_len(name.chars().count());
        if !is_identifier(&name) {
            ds.push(
                Diagnostic::error("invalid-field-name", format!("field name `{name}` is not an identifier"))
                    .at(name_loc.clone())
                    .help("write the name as in the event XML's <Data Name=\"…\">: letters, digits and _, e.g. TargetUserName"),
            );
        }
        if let Some((_, line)) = seen.iter().find(|(n, _)| *n == name) {
            ds.push(
                Diagnostic::error("duplicate-field", format!("field `{name}` is listed twice"))
                    .at(name_loc.clone())
                    .help(format!(
                        "it is already listed on line {line}; each field of an event has its own name"
                    )),
            );
        }
        seen.push((name.clone(), name_loc.line));
        let t = checked_type(rel_path, text, f.field_type.as_ref(), ds);
        let (value_map_name, value_map) = field_map(rel_path, text, f.value_map, (version, i), ds, refs);
        let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        out.push(EventField {
            name,
            field_type: t,
            meaning: nonempty(f.meaning),
            example: f.example.map(|s| s.0),
            value_map_name,
            value_map,
        });
    }
    out
}

/// A field's `value_map:` as written: the name of a shared map (recorded in
/// `refs` for `at` = (version, field index), resolved later) or an inline map.
fn field_map(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Option<Spanned<RawMapRef>>,
    (version, field): (Option<usize>, usize),
    ds: &mut Vec<Diagnostic>,
    refs: &mut Vec<MapRef>,
) -> (Option<String>, Option<Arc<ValueMap>>) {
    let Some(raw) = raw else {
        return (None, None);
    };
    let at = span_loc(rel_path, text, &raw);
    match raw.value {
        RawMapRef::Named(n) => {
            let n = n.trim().to_string();
            refs.push(MapRef {
                version,
                field,
                loc: at.with_len(n.chars().count()),
                name: n.clone(),
            });
            (Some(n), None)
        }
        RawMapRef::Inline(m) => (None, Some(Arc::new(check_map(m, &at, ds)))),
    }
}

/// Check that the inserts of `template` fit `fields`: `%n` within the field
/// count, `{Name}` naming a field. Only when the event lists fields.
pub(super) fn check_inserts(template: &str, fields: &[EventField], at: &Location, ds: &mut Vec<Diagnostic>) {
    if fields.is_empty() {
        return;
    }
    for name in message::inserts(template) {
        if let Some(n) = name.strip_prefix('%').and_then(|n| n.parse::<usize>().ok()) {
            if n > fields.len() {
                ds.push(
                    Diagnostic::error(
                        "insert-beyond-fields",
                        format!(
                            "the message uses {name} but the event has {} field{}",
                            fields.len(),
                            if fields.len() == 1 { "" } else { "s" }
                        ),
                    )
                    .at(at.clone())
                    .help(format!(
                        "%1 … %{} are the fields in order; add the missing fields or fix the insert",
                        fields.len()
                    )),
                );
            }
        } else if let Some(n) = name.strip_prefix('{').and_then(|n| n.strip_suffix('}'))
            && !fields.iter().any(|f| f.name == n)
        {
            let help = match did_you_mean(n, fields.iter().map(|f| f.name.as_str())) {
                Some(s) => format!("did you mean `{{{s}}}`?"),
                None => format!("the fields are: {}", field_names(fields)),
            };
            ds.push(
                Diagnostic::warning(
                    "unknown-field-insert",
                    format!("the message's {name} names no field"),
                )
                .at(at.clone())
                .help(help),
            );
        }
    }
}

/// The fields' names, comma-separated, for hints.
fn field_names(fields: &[EventField]) -> String {
    fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The field an insert of the message stands for: `%n` is the n-th field,
/// `{Name}` the field of that name.
pub fn field_for_insert<'a>(fields: &'a [EventField], insert: &str) -> Option<&'a EventField> {
    if let Some(n) = insert.strip_prefix('%').and_then(|n| n.parse::<usize>().ok()) {
        return n.checked_sub(1).and_then(|i| fields.get(i));
    }
    let n = insert.strip_prefix('{')?.strip_suffix('}')?;
    fields.iter().find(|f| f.name == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_suggest() {
        let d = unknown_type("win:Uint32");
        assert_eq!(d.help.as_deref(), Some("did you mean `win:UInt32`?"));
        let d = unknown_type("UnicodeString");
        assert_eq!(d.help.as_deref(), Some("did you mean `win:UnicodeString`?"));
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("TargetUserName"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a b"));
    }
}

/// One field's translation in an overlay, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFieldTranslation {
    meaning: Option<String>,
    #[serde(default)]
    values: std::collections::BTreeMap<String, String>,
    // Parts a translation may not change, for a precise error.
    name: Option<serde::de::IgnoredAny>,
    #[serde(rename = "type")]
    field_type: Option<serde::de::IgnoredAny>,
    example: Option<serde::de::IgnoredAny>,
    value_map: Option<serde::de::IgnoredAny>,
}

/// Check an overlay's `fields:` against the record's fields: only existing
/// names, only meanings and the labels of values the field's map has.
/// Returns the translations, or `None` after reporting errors.
pub(super) fn check_field_translations(
    raw: std::collections::BTreeMap<String, RawFieldTranslation>,
    fields: &[EventField],
    at: &Location,
    ds: &mut Vec<Diagnostic>,
) -> Option<std::collections::BTreeMap<String, super::model::FieldTranslation>> {
    let mut out = std::collections::BTreeMap::new();
    let mut ok = true;
    for (name, tr) in raw {
        let Some(field) = fields.iter().find(|f| f.name == name) else {
            let help = match did_you_mean(&name, fields.iter().map(|f| f.name.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None if fields.is_empty() => "the original record lists no fields".to_string(),
                None => format!("the original's fields are: {}", field_names(fields)),
            };
            ds.push(
                Diagnostic::error(
                    "overlay-field-name",
                    format!("the original has no field `{name}`"),
                )
                .at(at.clone())
                .help(format!("field names are not translated; {help}")),
            );
            ok = false;
            continue;
        };
        for (part, present) in [
            ("name", tr.name.is_some()),
            ("type", tr.field_type.is_some()),
            ("example", tr.example.is_some()),
            ("value_map", tr.value_map.is_some()),
        ] {
            if present {
                ds.push(
                    Diagnostic::error(
                        "overlay-identity",
                        format!("a translation may not change the `{part}` of field `{name}`"),
                    )
                    .at(at.clone())
                    .help("a field's name, type, example and values come from the record; translate only `meaning` and the labels under `values`"),
                );
                ok = false;
            }
        }
        let values = if tr.values.is_empty() {
            std::collections::BTreeMap::new()
        } else if let Some(m) = field
            .value_map
            .as_ref()
            .filter(|_| field.value_map_name.is_none())
        {
            let before = ds.len();
            let v = super::value_map::check_labels(&tr.values, m, at, ds);
            ok &= ds.len() == before;
            v
        } else {
            ds.push(
                Diagnostic::error(
                    "overlay-value-map",
                    format!("field `{name}` has no inline value map to translate"),
                )
                .at(at.clone())
                .help("the labels of a shared map are translated in value_maps/<name>.<lang>.yaml"),
            );
            ok = false;
            std::collections::BTreeMap::new()
        };
        out.insert(
            name,
            super::model::FieldTranslation {
                meaning: tr.meaning.map(|m| m.trim().to_string()).filter(|m| !m.is_empty()),
                values,
            },
        );
    }
    ok.then_some(out)
}
