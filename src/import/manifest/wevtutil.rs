//! The reader of `wevtutil gp <provider> /ge /gm /f:xml` output: a root
//! `<provider name=…>` with `<channels>`, `<levels>`, `<tasks>`, `<opcodes>`
//! and `<keywords>` sections, and `<events>` whose `channel`, `level`,
//! `task`, `opcode` and `keywords` are numbers resolved through those
//! sections (a channel by its `value` or `id`, keywords by mask bits), and
//! whose `message` is the text itself. An event may carry a `<template>`
//! child with `<data>` elements, as in a manifest.
//!
//! The `value` of an event is its 32-bit message ID: the event ID is the low
//! 16 bits; the high 16 bits (Event Viewer's "qualifiers") go into an
//! `# import-note:`, as the CSV importer does.

use std::collections::HashMap;

use roxmltree::Node;

use super::xml::{Reader, child, data_fields, message_text, path, provider_name, value_and_version};
use super::{EventDef, Provider, Texts};

/// What the provider's sections define, by number.
#[derive(Default)]
struct Sections {
    channels: HashMap<u64, String>,
    tasks: HashMap<u64, String>,
    opcodes: HashMap<u64, String>,
    keywords: Vec<(u64, String)>,
}

/// Read the output of wevtutil for one provider.
pub(super) fn read(r: &mut Reader, root: Node) -> Option<Provider> {
    let name = provider_name(
        r,
        root,
        "wevtutil writes <provider name=\"…\">; the name is the event source",
    )?;
    let mut s = Sections::default();
    let section = |r: &mut Reader, parts: [&'static str; 2], key: &str| -> HashMap<u64, String> {
        let mut out = HashMap::new();
        for n in path(root, &parts) {
            let attr = if key == "value" && n.attribute("value").is_none() {
                "id"
            } else {
                key
            };
            if let (Some(v), Some(nm)) = (r.number(n, attr, u64::MAX), n.attribute("name")) {
                out.insert(v, nm.to_string());
            }
        }
        out
    };
    s.channels = section(r, ["channels", "channel"], "value");
    s.tasks = section(r, ["tasks", "task"], "value");
    s.opcodes = section(r, ["opcodes", "opcode"], "value");
    s.keywords = section(r, ["keywords", "keyword"], "mask").into_iter().collect();
    s.keywords.sort();
    let no_maps = HashMap::new();
    let events = path(root, &["events", "event"])
        .into_iter()
        .filter_map(|e| event(r, &s, &no_maps, e))
        .collect();
    Some(Provider {
        name,
        events,
        maps: Vec::new(),
    })
}

/// Resolve the number in attribute `attr` through `names`; 0 means none, an
/// unknown number is a warning.
fn resolve(r: &mut Reader, e: Node, attr: &str, names: &HashMap<u64, String>) -> Option<String> {
    let v = r.number(e, attr, u64::MAX)?;
    match names.get(&v) {
        Some(n) => Some(n.clone()),
        None if v == 0 => None,
        None => {
            r.warn(
                e,
                attr,
                "manifest-reference",
                format!("{attr} {v} is not listed in the provider's <{attr}s>"),
                &format!("the record has no {attr}; check that the file is complete wevtutil output"),
            );
            None
        }
    }
}

fn event(r: &mut Reader, s: &Sections, maps: &HashMap<String, String>, e: Node) -> Option<EventDef> {
    let (value, version) = value_and_version(
        r,
        e,
        u64::from(u32::MAX),
        "wevtutil writes the event's message ID",
    )?;
    let (id, note) = crate::import::event_id_of(value);
    let notes: Vec<String> = note.into_iter().collect();
    let mask = e
        .attribute("keywords")
        .and_then(|_| r.number(e, "keywords", u64::MAX))
        .unwrap_or(0);
    let keywords = s
        .keywords
        .iter()
        .filter(|(m, _)| *m != 0 && mask & m == *m)
        .map(|(_, n)| n.clone())
        .collect();
    let message: Texts = e
        .attribute("message")
        .map(|m| Texts::from([(String::new(), message_text(m))]))
        .unwrap_or_default();
    Some(EventDef {
        id,
        version,
        level: e.attribute("level").and_then(|_| r.number(e, "level", 255)),
        channel: e
            .attribute("channel")
            .and_then(|_| resolve(r, e, "channel", &s.channels)),
        task: e.attribute("task").and_then(|_| resolve(r, e, "task", &s.tasks)),
        opcode: e
            .attribute("opcode")
            .and_then(|_| resolve(r, e, "opcode", &s.opcodes))
            .map(|o| o.trim_start_matches("win:").to_string()),
        keywords,
        symbol: e.attribute("symbol").map(str::to_string),
        message,
        fields: child(e, "template")
            .map(|t| data_fields(r, t, maps))
            .unwrap_or_default(),
        notes,
        location: r.node(e),
    })
}
