//! The parts of an event page that show the event as a manifest defines it:
//! the data fields table, the value-map tables of coded fields, the sample
//! event XML (the author's, or one generated from the fields and their
//! examples), the "Event versions" table, and task/opcode/keywords — each
//! text in the page's language where the overlay translates it, else in the
//! default language, marked with its `lang`.
//!
//! A record without fields, versions, task, opcode or keywords has no model
//! view, and its page is exactly what it was before these parts existed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::content::fields::EventField;
use crate::content::value_map::{MapKind, ValueMap};
use crate::content::{Event, Level, Translation};
use crate::i18n::{ArticleState, LocalizedEvent};

use super::markdown;

#[derive(Serialize)]
pub(super) struct FieldView {
    name: String,
    #[serde(rename = "type")]
    field_type: String,
    meaning_html: Option<super::views::Html>,
    /// Set when the meaning is shown in the default language on a translated page.
    meaning_lang: Option<String>,
    example: Option<String>,
    /// The example's meaning from the field's value map, if it has one.
    example_label: Option<String>,
    /// The anchor of the field's value-map table, if it has one.
    map_id: Option<String>,
}

#[derive(Serialize)]
pub(super) struct MapEntryView {
    value: String,
    label: String,
    label_lang: Option<String>,
}

#[derive(Serialize)]
pub(super) struct MapView {
    id: String,
    field: String,
    /// `value` or `bitmap`.
    kind: &'static str,
    entries: Vec<MapEntryView>,
}

#[derive(Serialize)]
pub(super) struct VersionView {
    version: u8,
    current: bool,
    products: Vec<String>,
    message: String,
    /// Set on a translated page: version messages are shown as the manifest has them.
    message_lang: Option<String>,
    /// The version's field names, when they differ from the current ones.
    fields: Option<Vec<String>>,
    changes_html: Option<super::views::Html>,
    changes_lang: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ModelView {
    task: Option<String>,
    opcode: Option<String>,
    keywords: Vec<String>,
    fields: Vec<FieldView>,
    maps: Vec<MapView>,
    versions: Vec<VersionView>,
    sample_xml: Option<String>,
    /// True when the sample XML was generated rather than written by the author.
    sample_generated: bool,
}

/// Whether `e` has any of the parts this view shows.
pub(super) fn has_model(e: &Event) -> bool {
    !e.fields.is_empty()
        || !e.versions.is_empty()
        || e.task.is_some()
        || e.opcode.is_some()
        || !e.keywords.is_empty()
        || e.sample_xml.is_some()
}

/// The model view of a localized event, or `None` for a record without model parts.
pub(super) fn model_view(loc: &LocalizedEvent, default: &str) -> Option<ModelView> {
    let e = loc.event;
    if !has_model(e) {
        return None;
    }
    let is_default = loc.state == ArticleState::Original;
    let tr: Option<&Translation> = if is_default { None } else { loc.translation };
    let lang = tr.map(|t| t.lang.as_str());
    let fallback = (!is_default).then(|| default.to_string());

    let mut maps = Vec::new();
    let fields = field_views(e, tr, lang, &fallback, &mut maps);

    let current = e.versions.iter().map(|v| v.version).max();
    let versions = version_views(e, tr, &fallback, current);

    let (sample_xml, sample_generated) = match &e.sample_xml {
        Some(x) => (Some(x.clone()), false),
        None if !e.fields.is_empty() => (Some(sample_xml(e, current)), true),
        None => (None, false),
    };
    Some(ModelView {
        task: e.task.clone(),
        opcode: e.opcode.clone(),
        keywords: e.keywords.clone(),
        fields,
        maps,
        versions,
        sample_xml,
        sample_generated,
    })
}

/// The rows of the Fields table; inline value maps go to `maps`.
fn field_views(
    e: &Event,
    tr: Option<&Translation>,
    lang: Option<&str>,
    fallback: &Option<String>,
    maps: &mut Vec<MapView>,
) -> Vec<FieldView> {
    e.fields
        .iter()
        .map(|f| {
            let ft = tr.and_then(|t| t.fields.get(&f.name));
            let (meaning, meaning_lang) = match (ft.and_then(|x| x.meaning.as_deref()), f.meaning.as_deref())
            {
                (Some(m), _) => (Some(m), None),
                (None, Some(m)) => (Some(m), fallback.clone()),
                (None, None) => (None, None),
            };
            let map_id = f.value_map.as_ref().map(|m| {
                let id = format!("values-{}", f.name);
                maps.push(map_view(&id, f, m, ft.map(|x| &x.values), lang, fallback));
                id
            });
            FieldView {
                name: f.name.clone(),
                field_type: f.field_type.clone(),
                meaning_html: meaning.map(|m| super::views::html(&markdown::to_inline_html(m))),
                meaning_lang,
                example: f.example.clone(),
                example_label: f.example.as_deref().and_then(|x| {
                    let m = f.value_map.as_ref()?;
                    m.decode(x, labels_for(m, ft.map(|x| &x.values), lang))
                }),
                map_id,
            }
        })
        .collect()
}

/// The rows of the Event versions table, newest first.
fn version_views(
    e: &Event,
    tr: Option<&Translation>,
    fallback: &Option<String>,
    current: Option<u8>,
) -> Vec<VersionView> {
    let mut versions: Vec<VersionView> = e
        .versions
        .iter()
        .map(|v| {
            let (changes, changes_lang) =
                match (tr.and_then(|t| t.versions.get(&v.version)), v.changes.as_deref()) {
                    (Some(c), _) => (Some(c.as_str()), None),
                    (None, Some(c)) => (Some(c), fallback.clone()),
                    (None, None) => (None, None),
                };
            VersionView {
                version: v.version,
                current: Some(v.version) == current,
                products: v.products.clone(),
                message: v.message.clone().unwrap_or_else(|| e.message.clone()),
                message_lang: fallback.clone(),
                fields: v
                    .fields
                    .as_ref()
                    .map(|fs| fs.iter().map(|f| f.name.clone()).collect()),
                changes_html: changes.map(|c| super::views::html(&markdown::to_inline_html(c))),
                changes_lang,
            }
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    versions
}

/// The translated labels for a map on a page in `lang`: the overlay's for an
/// inline map, the shared map's translation file for a shared one.
fn labels_for<'a>(
    m: &'a ValueMap,
    inline: Option<&'a BTreeMap<u64, String>>,
    lang: Option<&str>,
) -> Option<&'a BTreeMap<u64, String>> {
    inline
        .filter(|l| !l.is_empty())
        .or_else(|| lang.and_then(|l| m.translations.get(l)))
}

fn map_view(
    id: &str,
    f: &EventField,
    m: &ValueMap,
    inline: Option<&BTreeMap<u64, String>>,
    lang: Option<&str>,
    fallback: &Option<String>,
) -> MapView {
    let translated = labels_for(m, inline, lang);
    MapView {
        id: id.to_string(),
        field: f.name.clone(),
        kind: match m.kind {
            MapKind::Value => "value",
            MapKind::Bitmap => "bitmap",
        },
        entries: m
            .entries
            .iter()
            .map(|en| match translated.and_then(|t| t.get(&en.value)) {
                Some(l) => MapEntryView {
                    value: en.text.clone(),
                    label: l.clone(),
                    label_lang: None,
                },
                None => MapEntryView {
                    value: en.text.clone(),
                    label: en.label.clone(),
                    label_lang: fallback.clone(),
                },
            })
            .collect(),
    }
}

/// The `<Level>` number of the event XML.
fn level_number(l: Level) -> u8 {
    match l {
        Level::Critical => 1,
        Level::Error => 2,
        Level::Warning => 3,
        Level::Information => 4,
        Level::Verbose => 5,
        Level::AuditSuccess | Level::AuditFailure => 0,
    }
}

fn xml_escape(s: &str) -> String {
    super::views::escape_markup(s, false)
}

/// A sample event XML from the record: what Event Viewer's XML view shows,
/// with the fields' example values (empty where there is none).
pub fn sample_xml(e: &Event, version: Option<u8>) -> String {
    let mut x = String::new();
    x.push_str("<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n  <System>\n");
    x.push_str(&format!("    <Provider Name=\"{}\" />\n", xml_escape(&e.source)));
    x.push_str(&format!("    <EventID>{}</EventID>\n", e.id));
    x.push_str(&format!("    <Version>{}</Version>\n", version.unwrap_or(0)));
    if let Some(l) = e.level {
        x.push_str(&format!("    <Level>{}</Level>\n", level_number(l)));
    }
    if let Some(c) = &e.channel {
        x.push_str(&format!("    <Channel>{}</Channel>\n", xml_escape(c)));
    }
    x.push_str("  </System>\n  <EventData>\n");
    for f in &e.fields {
        match &f.example {
            Some(v) => x.push_str(&format!(
                "    <Data Name=\"{}\">{}</Data>\n",
                xml_escape(&f.name),
                xml_escape(v)
            )),
            None => x.push_str(&format!("    <Data Name=\"{}\" />\n", xml_escape(&f.name))),
        }
    }
    x.push_str("  </EventData>\n</Event>");
    x
}
