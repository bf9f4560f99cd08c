//! What lookup knows of an event's manifest definition: the message templates
//! of its older versions (so a paste of any version's text finds the event),
//! the data field each insert stands for, and the decoding of coded values
//! through the field's value map ("LogonType = 3 (Network)").
//!
//! Decoding never guesses: a value the map does not explain is left as it is.

use crate::content::fields::{EventField, field_for_insert};
use crate::content::value_map::ValueMap;
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
