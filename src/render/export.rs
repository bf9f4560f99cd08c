//! The open data export: the reference as JSON, for scripts and SIEMs.
//!
//! For every language the render stage writes
//! - `/{lang}/api/events.json`: every event, in the order of the site
//!   (source, then ID), wrapped in a small versioned envelope;
//! - `/{lang}/{source}/{id}/event.json`: one event, beside its page;
//!
//! and once per site the JSON Schemas that describe them,
//! `/api/events.schema.json` and `/api/event.schema.json`, generated with
//! `schemars` from the types below, so the published schema cannot drift from
//! what is written. Text is in the file's language where a translation exists,
//! else in the default language, and `fallback` names the fields that are.
//! [`FORMAT_VERSION`] changes whenever a field changes meaning or disappears
//! (adding a field does not, so the schemas allow fields they do not name).

use schemars::JsonSchema;
use serde::Serialize;

use crate::config::Config;
use crate::content::message;
use crate::content::{Event, Level};
use crate::i18n::{FieldState, LocalizedEvent};

/// The version of the export format, in every file as `version`.
pub const FORMAT_VERSION: u32 = 1;

/// One event, as exported.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "eventref event")]
pub struct ExportEvent {
    /// The event source (provider) name, as Event Viewer shows it.
    #[schemars(example = &"MSExchangeTransport")]
    pub source: String,
    /// The event ID (the low 16 bits Event Viewer shows).
    #[schemars(example = 2002)]
    pub id: u16,
    /// The level: critical, error, warning, information, verbose, audit-success or audit-failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'static str>,
    /// The log (channel) the event is written to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The category (task), in the file's language where translated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The symbolic name of the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbolic_name: Option<String>,
    /// The product that logs the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The product version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_version: Option<String>,
    /// The message template, with its insertion strings (`%1`, `{Name}`) as written.
    #[schemars(example = &"Send connector %1: an error occurred while connecting to %2.")]
    pub message: String,
    /// The meaning of each insertion string of the message, in message order.
    pub parameters: Vec<ExportParameter>,
    /// The article's path from the site root, e.g. `en/msexchangetransport/2002/`.
    pub path: String,
    /// The article's absolute URL (set when the site has a `base_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When the article last changed (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The fields shown in the default language because this language has no
    /// translation of them (`message`, `parameters`, `category`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallback: Vec<&'static str>,
}

/// One insertion string and what it stands for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExportParameter {
    /// The insertion string as it appears in the message: `%1` or `{Name}`.
    pub name: String,
    /// What the value is.
    pub meaning: String,
}

/// `/{lang}/{source}/{id}/event.json`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "eventref event export")]
pub struct EventFile {
    /// This file's schema.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// The export format version.
    pub version: u32,
    /// The language of this file's text (BCP 47 code of a site language).
    pub language: String,
    /// The event.
    #[serde(flatten)]
    pub event: ExportEvent,
}

/// `/{lang}/api/events.json`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "eventref events export")]
pub struct EventsFile {
    /// This file's schema.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// The export format version.
    pub version: u32,
    /// The language of this file's text.
    pub language: String,
    /// The number of events.
    pub count: usize,
    /// Every event of the site, by source and ID.
    pub events: Vec<ExportEvent>,
}

/// The event in one language.
pub fn event(config: &Config, loc: &LocalizedEvent<'_>, lang: &str) -> ExportEvent {
    let e: &Event = loc.event;
    let path = super::urls::Route::event(e).in_lang(lang);
    let mut fallback = Vec::new();
    if loc.message.state == FieldState::Fallback {
        fallback.push("message");
    }
    if loc.parameters.values().any(|p| p.state == FieldState::Fallback) {
        fallback.push("parameters");
    }
    if loc.category.is_some_and(|c| c.state == FieldState::Fallback) {
        fallback.push("category");
    }
    ExportEvent {
        source: e.source.clone(),
        id: e.id,
        level: e.level.map(Level::as_str),
        channel: e.channel.clone(),
        category: loc.category.map(|c| c.value.to_string()),
        symbolic_name: e.symbolic_name.clone(),
        product: e.product.clone().or_else(|| config.defaults.product.clone()),
        product_version: e
            .product_version
            .clone()
            .or_else(|| config.defaults.product_version.clone()),
        message: loc.message.value.to_string(),
        parameters: message::inserts(&e.message)
            .iter()
            .filter_map(|n| loc.parameters.get_key_value(n.as_str()))
            .map(|(k, v)| ExportParameter {
                name: k.to_string(),
                meaning: v.value.to_string(),
            })
            .collect(),
        url: config.base_url.as_ref().map(|b| super::urls::permalink(b, &path)),
        path,
        last_modified: e.last_modified.clone(),
        fallback,
    }
}

/// Where a file of the site's `api/` folder is referred to from a file at
/// `from` (a path from the site root): absolutely when the site has a base URL.
fn schema_ref(config: &Config, from: &str, name: &str) -> String {
    let target = super::urls::schema_file(name);
    match &config.base_url {
        Some(b) => super::urls::permalink(b, &target),
        None => format!("{}{target}", super::urls::root_prefix(from)),
    }
}

/// The bytes of `/{lang}/{source}/{id}/event.json`.
pub fn event_file(config: &Config, loc: &LocalizedEvent<'_>, lang: &str) -> String {
    let path = super::urls::event_json(lang, loc.event);
    let file = EventFile {
        schema: schema_ref(config, &path, "event"),
        version: FORMAT_VERSION,
        language: lang.to_string(),
        event: event(config, loc, lang),
    };
    to_json(&file)
}

/// The bytes of `/{lang}/api/events.json` (UTF-8) for `items`, each exported by
/// `export`. The events are exported and serialised in parallel, a slice at
/// a time, and joined as `serde_json` would join them (the file is rebuilt
/// after any edit of what it shows, so this is on the path of an incremental
/// build). No slice's exported events outlive its serialisation, and each
/// slice's text is moved into the file and freed in turn: at 50,000 events
/// the file is 27 MB, and holding every exported event, every slice and a
/// joined copy at once added about 120 MB to the peak of a build.
pub fn events_file<T: Sync>(
    config: &Config,
    items: &[T],
    lang: &str,
    export: impl Fn(&T) -> ExportEvent + Sync,
) -> Vec<u8> {
    use rayon::prelude::*;
    let file = events_envelope(config, lang, items.len());
    let Some(head) = events_head(&file) else {
        // Not what serde_json writes for an empty list last: serialise it whole.
        let events = items.iter().map(export).collect();
        return to_json(&EventsFile { events, ..file }).into_bytes();
    };
    let parts: Vec<Vec<u8>> = items
        .par_chunks(512)
        .map(|chunk| {
            let mut part = Vec::with_capacity(chunk.len() * 640);
            for (i, item) in chunk.iter().enumerate() {
                if i > 0 {
                    part.push(b',');
                }
                // Writing into a Vec cannot fail, and an ExportEvent always serialises.
                let _ = serde_json::to_writer(&mut part, &export(item));
            }
            part
        })
        .collect();
    let mut out = Vec::with_capacity(head.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>() + 3);
    out.extend_from_slice(head.as_bytes());
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&part);
    }
    out.extend_from_slice(b"]}\n");
    out
}

/// `/{lang}/api/events.json` of `count` events, without the events.
fn events_envelope(config: &Config, lang: &str, count: usize) -> EventsFile {
    let path = super::urls::events_json(lang);
    EventsFile {
        schema: schema_ref(config, &path, "events"),
        version: FORMAT_VERSION,
        language: lang.to_string(),
        count,
        events: Vec::new(),
    }
}

/// The text of `file` (without events) up to and with the `[` of its
/// events, as serde_json writes it; `None` if it does not end with the list.
fn events_head(file: &EventsFile) -> Option<String> {
    let head = serde_json::to_string(file).ok()?;
    head.strip_suffix("]}").map(str::to_string)
}

/// [`events_file`] after an edit, from `previous`, the bytes of the file the
/// last build wrote for the same `items`: the events at `changed` (places in
/// `items`) exported again, every other event's bytes as they were (at
/// 10,000 events, exporting them all again was a sixth of a one-edit build).
/// `None` when `previous` is not the events file of as many events in
/// `lang` that [`events_file`] writes (the caller then writes it whole).
pub fn events_file_patched<T>(
    config: &Config,
    previous: &[u8],
    items: &[T],
    lang: &str,
    changed: &std::collections::BTreeSet<usize>,
    export: impl Fn(&T) -> ExportEvent,
) -> Option<Vec<u8>> {
    let head = events_head(&events_envelope(config, lang, items.len()))?;
    let start = previous.starts_with(head.as_bytes()).then_some(head.len())?;
    let (spans, end) = object_spans(previous, start)?;
    if spans.len() != items.len() || previous.get(end..)? != b"]}\n" {
        return None;
    }
    let mut out = Vec::with_capacity(previous.len() + 4096);
    let mut at = 0;
    for &i in changed {
        let &(from, to) = spans.get(i)?;
        out.extend_from_slice(previous.get(at..from)?);
        serde_json::to_writer(&mut out, &export(items.get(i)?)).ok()?;
        at = to;
    }
    out.extend_from_slice(previous.get(at..)?);
    Some(out)
}

/// Where each object of the JSON array whose items start at `at` in `json`
/// (just after its `[`) begins and ends, and where the array's `]` is; the
/// array written as serde_json writes it (no spaces). A scan that skips
/// strings with `memchr` (most of the bytes), not a parse: parsing the file
/// to find the same places took as long as exporting the edited events.
/// `None` when the bytes there are not such an array.
fn object_spans(json: &[u8], mut at: usize) -> Option<(Vec<(usize, usize)>, usize)> {
    let mut spans = Vec::new();
    if json.get(at) == Some(&b']') {
        return Some((spans, at));
    }
    loop {
        if json.get(at) != Some(&b'{') {
            return None;
        }
        let start = at;
        let mut depth = 0usize;
        loop {
            match *json.get(at)? {
                b'"' => {
                    // To the closing quote: past each escape, whatever it escapes.
                    at += 1;
                    loop {
                        at += memchr::memchr2(b'"', b'\\', json.get(at..)?)?;
                        if json[at] == b'"' {
                            break;
                        }
                        at += 2;
                    }
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        at += 1;
                        break;
                    }
                }
                _ => {}
            }
            at += 1;
        }
        spans.push((start, at));
        match json.get(at)? {
            b',' => at += 1,
            b']' => return Some((spans, at)),
            _ => return None,
        }
    }
}

/// The published schemas: (`event` or `events`, pretty-printed JSON Schema).
pub fn schemas() -> [(&'static str, Vec<u8>); 2] {
    let pretty = |s: schemars::Schema| {
        let mut v = serde_json::to_vec_pretty(&s).unwrap_or_default();
        v.push(b'\n');
        v
    };
    [
        ("event", pretty(schemars::schema_for!(EventFile))),
        ("events", pretty(schemars::schema_for!(EventsFile))),
    ]
}

/// Compact JSON (the export is read by programs; compact keeps it small).
fn to_json<T: Serialize>(value: &T) -> String {
    let mut v = serde_json::to_string(value).unwrap_or_default();
    v.push('\n');
    v
}

#[cfg(test)]
mod tests {
    /// A site with a base URL.
    fn site_config() -> crate::config::Config {
        crate::config::Config::parse(
            std::path::Path::new("/site"),
            "title = \"T\"\nbase_url = \"https://example.org/\"\n",
        )
        .unwrap()
    }

    /// Event `id` of a source whose name needs escaping, with `message`.
    fn disk_event(id: u16, message: String) -> super::ExportEvent {
        super::ExportEvent {
            source: "Contoso \"Disk\"".into(),
            id,
            level: Some("error"),
            channel: None,
            category: Some("Disk".into()),
            symbolic_name: None,
            product: None,
            product_version: None,
            message,
            parameters: Vec::new(),
            url: None,
            path: format!("en/contoso/{id}/"),
            last_modified: None,
            fallback: Vec::new(),
        }
    }

    #[test]
    fn the_events_file_is_what_serde_json_writes() {
        let config = site_config();
        let event = |id: u16| disk_event(id, "Disk %1 is full.\n".into());
        for n in [0, 1, 2, 511, 512, 513, 1500] {
            let ids: Vec<u16> = (0..n).collect();
            let whole = super::EventsFile {
                schema: super::schema_ref(&config, &crate::render::urls::events_json("en"), "events"),
                version: super::FORMAT_VERSION,
                language: "en".into(),
                count: n as usize,
                events: (0..n).map(event).collect(),
            };
            assert_eq!(
                super::events_file(&config, &ids, "en", |&id| event(id)),
                super::to_json(&whole).into_bytes(),
                "{n} events"
            );
        }
    }

    #[test]
    fn a_patched_events_file_is_the_file_written_whole() {
        let config = site_config();
        // Event `id` in edit `n`: the message's length and escapes change.
        let event = |id: u16, n: usize| {
            disk_event(
                id,
                format!("Disk \"{{x\" {{Name}} [%1] is {}full.\\n", "\"very\" ".repeat(n)),
            )
        };
        let ids: Vec<u16> = (0..40).collect();
        let whole = |edit: &(dyn Fn(u16) -> usize + Sync)| {
            super::events_file(&config, &ids, "en", |&id| event(id, edit(id)))
        };
        let before = whole(&|_| 0);
        for changed in [vec![0], vec![39], vec![3, 17, 18], vec![], (0..40).collect()] {
            let set: std::collections::BTreeSet<usize> = changed.iter().copied().collect();
            let edit = |id: u16| if set.contains(&usize::from(id)) { 2 } else { 0 };
            let patched =
                super::events_file_patched(&config, &before, &ids, "en", &set, |&id| event(id, edit(id)));
            assert_eq!(
                patched.map(String::from_utf8),
                Some(Ok(String::from_utf8(whole(&edit)).unwrap())),
                "{changed:?}"
            );
        }
        // Not a file of as many events: written whole instead.
        let one: std::collections::BTreeSet<usize> = [1].into();
        let patch = |previous: &[u8], items: &[u16], lang: &str| {
            super::events_file_patched(&config, previous, items, lang, &one, |&id| event(id, 0))
        };
        assert!(patch(&before, &ids, "en").is_some());
        assert!(patch(&before, &ids[..39], "en").is_none());
        assert!(patch(&before, &ids, "de").is_none());
        assert!(patch(b"{}", &ids, "en").is_none());
        for cut in [100, 300, before.len() - 3, before.len() - 1] {
            assert!(patch(&before[..cut], &ids, "en").is_none(), "cut at {cut}");
        }
    }

    proptest::proptest! {
        /// Any texts (quotes, backslashes, brackets, control characters,
        /// any script), any events changed: the patched file is the file
        /// written whole.
        #[test]
        fn any_patch_is_the_file_written_whole(
            before in proptest::collection::vec("(\\PC|[\"\\\\{}\\[\\]\\x00-\\x1f])*", 1..12),
            after in proptest::collection::vec("(\\PC|[\"\\\\{}\\[\\]\\x00-\\x1f])*", 12),
            changed in proptest::collection::btree_set(0usize..12, 0..12),
        ) {
            let config = crate::config::Config::parse(std::path::Path::new("/site"), "title = \"T\"\n").unwrap();
            let event = |id: usize, text: &str| super::ExportEvent {
                source: text.into(),
                id: id as u16,
                level: None,
                channel: None,
                category: None,
                symbolic_name: Some(text.into()),
                product: None,
                product_version: None,
                message: text.into(),
                parameters: vec![super::ExportParameter { name: "%1".into(), meaning: text.into() }],
                url: None,
                path: format!("en/x/{id}/"),
                last_modified: None,
                fallback: Vec::new(),
            };
            let ids: Vec<usize> = (0..before.len()).collect();
            let changed: std::collections::BTreeSet<usize> = changed.into_iter().filter(|&i| i < ids.len()).collect();
            let text = |i: usize| if changed.contains(&i) { &after[i] } else { &before[i] };
            let old = super::events_file(&config, &ids, "en", |&i| event(i, &before[i]));
            let new = super::events_file(&config, &ids, "en", |&i| event(i, text(i)));
            let patched = super::events_file_patched(&config, &old, &ids, "en", &changed, |&i| event(i, text(i)));
            proptest::prop_assert_eq!(patched, Some(new));
        }
    }

    #[test]
    fn the_schemas_describe_every_field() {
        let [(_, event), (_, events)] = super::schemas();
        let event: serde_json::Value = serde_json::from_slice(&event).unwrap();
        let props = &event["properties"];
        for f in [
            "$schema",
            "version",
            "language",
            "source",
            "id",
            "level",
            "channel",
            "category",
            "symbolic_name",
            "message",
            "parameters",
            "path",
            "url",
            "last_modified",
        ] {
            assert!(props.get(f).is_some(), "event schema lacks {f}: {props}");
        }
        let events: serde_json::Value = serde_json::from_slice(&events).unwrap();
        assert!(events["properties"]["events"].is_object());
    }
}
