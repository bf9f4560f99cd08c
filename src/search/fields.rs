//! What lookup knows of an event's manifest definition: the message templates
//! of its older versions (so a paste of any version's text finds the event),
//! the data field each insert stands for, and the decoding of coded values
//! through the field's value map ("LogonType = 3 (Network)").
//!
//! Decoding never guesses: a value the map does not explain is left as it is
//! and said to be not in the map. [`MapTable`] carries the maps, resolved per
//! language, to the browser's `lookup.js`, which decodes the same way.

use crate::content::fields::{EventField, field_for_insert};
use crate::content::value_map::{MapKind, ValueMap};
use crate::content::{Event, Translation};
use crate::i18n::LocalizedEvent;

/// The message templates of the events' older versions that differ from the
/// current one: `(index into localized, template)`.
pub fn version_templates<'a>(localized: &[LocalizedEvent<'a>]) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    for (i, l) in localized.iter().enumerate() {
        let mut seen: Vec<&str> = vec![l.event.message.as_str()];
        for v in &l.event.versions {
            if let Some(m) = v.message.as_deref()
                && !seen.contains(&m)
            {
                seen.push(m);
                out.push((i, m));
            }
        }
    }
    out
}

/// The fields that go with `template` of `e`: a version's own fields when
/// `template` is that version's message, else the current fields.
pub fn fields_for<'a>(e: &'a Event, template: &str) -> &'a [EventField] {
    e.versions
        .iter()
        .find(|v| v.message.as_deref() == Some(template))
        .and_then(|v| v.fields.as_deref())
        .unwrap_or(&e.fields)
}

/// The field a found value belongs to: the insert's field (`%2` → the second
/// field, `{Name}` → `Name`) or, for named XML data, the field of that name.
pub fn field_of<'a>(fields: &'a [EventField], name: &str) -> Option<&'a EventField> {
    field_for_insert(fields, name).or_else(|| fields.iter().find(|f| f.name == name))
}

/// The translated labels of a field's map in the translation's language.
fn labels<'a>(
    f: &EventField,
    m: &'a ValueMap,
    tr: Option<&'a Translation>,
) -> Option<&'a std::collections::BTreeMap<u64, String>> {
    let tr = tr?;
    tr.fields
        .get(&f.name)
        .map(|x| &x.values)
        .filter(|v| !v.is_empty())
        .or_else(|| m.translations.get(&tr.lang))
}

/// What `value` of field `f` means, in the lookup's language (`tr` is the
/// translation in use, if any): `None` when the field has no map or the map
/// does not explain the value.
pub fn decode(f: &EventField, value: &str, tr: Option<&Translation>) -> Option<String> {
    let m = f.value_map.as_deref()?;
    m.decode(value, labels(f, m, tr))
}

/// What lookup says of one found value, beyond the value itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueInfo {
    /// The data field the value fills, when the insert's name does not already
    /// say it (`%2` → `LogonType`; `{LogonType}` needs no repeat).
    pub field: Option<String>,
    /// What the coded value means, from the field's value map ("Network").
    pub decoded: Option<String>,
    /// The field has a value map that does not explain the value: it is shown
    /// as it is, and said to be not in the map (never a guessed label).
    pub not_in_map: bool,
}

/// Tie the value found for insert (or XML data name) `name` to its field in
/// `fields` and decode it through the field's map in the lookup's language.
/// The browser's `describeValues` in `lookup.js` does the same, from the
/// field lists of the lookup tables and the language's `lookup/maps.json`.
pub fn value_info(fields: &[EventField], name: &str, value: &str, tr: Option<&Translation>) -> ValueInfo {
    let Some(f) = field_of(fields, name) else {
        return ValueInfo::default();
    };
    let decoded = decode(f, value, tr);
    let bare = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    ValueInfo {
        field: (f.name != bare).then(|| f.name.clone()),
        not_in_map: f.value_map.is_some() && decoded.is_none() && !value.trim().is_empty(),
        decoded,
    }
}

/// A field's value map as lookup decodes it in one language: its kind and
/// `(value, label)` in the map's order, each label translated where the
/// language has a translation. What `lookup/maps.json` carries to the browser.
pub fn resolved_map(f: &EventField, tr: Option<&Translation>) -> Option<(MapKind, Vec<(u64, String)>)> {
    let m = f.value_map.as_deref()?;
    let translated = labels(f, m, tr);
    let entries = m
        .entries
        .iter()
        .map(|e| {
            let label = translated.and_then(|t| t.get(&e.value)).unwrap_or(&e.label);
            (e.value, label.clone())
        })
        .collect();
    Some((m.kind, entries))
}

/// The value maps of one language's lookup tables, each written once in
/// [`LOOKUP_MAPS`](crate::render::urls::LOOKUP_MAPS) (however many events use it) under a short id that the
/// fields of the template entries refer to.
#[derive(Debug, Default)]
pub struct MapTable {
    /// Map JSON → its id.
    ids: std::collections::BTreeMap<String, String>,
    /// Id → map JSON, in id order (what the file holds).
    maps: std::collections::BTreeMap<String, serde_json::Value>,
}

impl MapTable {
    /// The fields of a template entry: `[name]`, or `[name, map id]` for a
    /// field with a value map (resolved in the language of `tr`).
    pub fn field_refs(&mut self, fields: &[EventField], tr: Option<&Translation>) -> Vec<Vec<String>> {
        fields
            .iter()
            .map(|f| {
                let mut r = vec![f.name.clone()];
                if let Some((kind, entries)) = resolved_map(f, tr) {
                    r.push(self.id_of(kind, entries));
                }
                r
            })
            .collect()
    }

    fn id_of(&mut self, kind: MapKind, entries: Vec<(u64, String)>) -> String {
        // Values as decimal text: a 64-bit flag does not fit a JSON number the browser reads exactly.
        let values: Vec<(String, String)> = entries.into_iter().map(|(v, l)| (v.to_string(), l)).collect();
        let map = serde_json::json!({ "k": kind, "v": values });
        let text = map.to_string();
        if let Some(id) = self.ids.get(&text) {
            return id.clone();
        }
        let mut id = crate::content::short_hash(&text);
        let mut salt = 0;
        while self.maps.contains_key(&id) {
            salt += 1;
            id = crate::content::short_hash(&format!("{text}#{salt}"));
        }
        self.ids.insert(text, id.clone());
        self.maps.insert(id.clone(), map);
        id
    }

    /// The file's bytes, or `None` when no field has a map (the file is then not written).
    pub fn to_json(&self) -> Option<Vec<u8>> {
        (!self.maps.is_empty()).then(|| serde_json::to_vec(&self.maps).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn fields_by_insert_or_name() {
        let f = |n: &str| EventField {
            name: n.into(),
            field_type: "win:UInt32".into(),
            meaning: None,
            example: None,
            value_map_name: None,
            value_map: Some(Arc::new(ValueMap {
                kind: crate::content::value_map::MapKind::Value,
                entries: vec![crate::content::value_map::MapEntry {
                    value: 3,
                    text: "3".into(),
                    label: "Network".into(),
                }],
                translations: Default::default(),
            })),
        };
        let fields = vec![f("A"), f("LogonType")];
        assert_eq!(
            field_of(&fields, "%2").map(|f| f.name.as_str()),
            Some("LogonType")
        );
        assert_eq!(field_of(&fields, "{A}").map(|f| f.name.as_str()), Some("A"));
        assert_eq!(
            field_of(&fields, "LogonType").map(|f| f.name.as_str()),
            Some("LogonType")
        );
        assert!(field_of(&fields, "%3").is_none());
        assert_eq!(decode(&fields[1], "3", None).as_deref(), Some("Network"));
        assert_eq!(decode(&fields[1], "5", None), None);
    }
}
