//! The reader of instrumentation manifests (`.man`): the documented
//! `<instrumentationManifest>` shape, `instrumentation/events/provider`
//! elements with their channels, levels, tasks, opcodes, keywords, maps,
//! templates and events, and the `localization/resources/stringTable`
//! strings that `$(string.Id)` references name, per culture.

use std::collections::{BTreeMap, HashMap, HashSet};

use roxmltree::Node;

use super::xml::{Reader, children, data_fields, message_text, path, provider_name, value_and_version};
use super::{EventDef, MapDef, Provider, Texts};
use crate::diagnostics::did_you_mean;

/// The localized strings: id → text, per culture.
#[derive(Default)]
struct Strings {
    tables: BTreeMap<String, HashMap<String, String>>,
    cultures: Vec<String>,
}

/// What a provider defines, by the names its events use.
#[derive(Default)]
struct Names {
    channels: HashMap<String, String>,
    levels: HashMap<String, u64>,
    tasks: HashSet<String>,
    opcodes: HashSet<String>,
    keywords: HashSet<String>,
    maps: HashMap<String, String>,
    templates: HashMap<String, Vec<super::FieldOut>>,
}

/// The levels every manifest may use without defining them.
const STANDARD_LEVELS: [(&str, u64); 6] = [
    ("win:LogAlways", 0),
    ("win:Critical", 1),
    ("win:Error", 2),
    ("win:Warning", 3),
    ("win:Informational", 4),
    ("win:Verbose", 5),
];

/// Read a manifest: its providers and the cultures of its string tables.
pub(super) fn read(r: &mut Reader, root: Node) -> (Vec<Provider>, Vec<String>) {
    let strings = strings(root);
    let providers = path(root, &["instrumentation", "events", "provider"])
        .into_iter()
        .filter_map(|p| provider(r, &strings, p))
        .collect();
    (providers, strings.cultures)
}

fn strings(root: Node) -> Strings {
    let mut s = Strings::default();
    for res in path(root, &["localization", "resources"]) {
        let culture = res.attribute("culture").unwrap_or("").to_string();
        if !s.cultures.contains(&culture) {
            s.cultures.push(culture.clone());
        }
        let table = s.tables.entry(culture).or_default();
        for st in path(res, &["stringTable", "string"]) {
            if let (Some(id), Some(value)) = (st.attribute("id"), st.attribute("value")) {
                table.insert(id.to_string(), value.to_string());
            }
        }
    }
    s
}

/// The texts of attribute `attr` of `n`: a `$(string.Id)` reference in every
/// culture that has the string, or the literal text. An unknown id is an error.
fn texts(r: &mut Reader, s: &Strings, n: Node, attr: &str) -> Texts {
    let Some(raw) = n.attribute(attr) else {
        return Texts::new();
    };
    let Some(id) = raw.strip_prefix("$(string.").and_then(|x| x.strip_suffix(')')) else {
        return Texts::from([(String::new(), message_text(raw))]);
    };
    let found: Texts = s
        .tables
        .iter()
        .filter_map(|(c, t)| t.get(id).map(|v| (c.clone(), message_text(v))))
        .collect();
    if found.is_empty() {
        let ids = s.tables.values().flat_map(|t| t.keys().map(String::as_str));
        let help = match did_you_mean(id, ids) {
            Some(m) => format!("did you mean `$(string.{m})`?"),
            None => "add <string id=\"…\" value=\"…\"/> to the stringTable of <localization><resources culture=\"en-US\">".into(),
        };
        r.error(
            n,
            attr,
            "manifest-string",
            format!("no string table has the string `{id}`"),
            &help,
        );
    }
    found
}

fn provider(r: &mut Reader, s: &Strings, p: Node) -> Option<Provider> {
    let name = provider_name(r, p, "add name=\"…\": it is the event source")?;
    let mut names = Names::default();
    for c in path(p, &["channels", "channel"])
        .into_iter()
        .chain(path(p, &["channels", "importChannel"]))
    {
        if let Some(cname) = c.attribute("name") {
            names.channels.insert(
                c.attribute("chid").unwrap_or(cname).to_string(),
                cname.to_string(),
            );
        }
    }
    names
        .levels
        .extend(STANDARD_LEVELS.iter().map(|(n, v)| (n.to_string(), *v)));
    for l in path(p, &["levels", "level"]) {
        if let (Some(n), Some(v)) = (l.attribute("name"), r.number(l, "value", 255)) {
            names.levels.insert(n.to_string(), v);
        }
    }
    let named = |list: Vec<Node>| -> HashSet<String> {
        list.iter()
            .filter_map(|n| n.attribute("name"))
            .map(str::to_string)
            .collect()
    };
    names.tasks = named(path(p, &["tasks", "task"]));
    names.opcodes = named(path(p, &["opcodes", "opcode"]));
    names
        .opcodes
        .extend(named(path(p, &["tasks", "task", "opcodes", "opcode"])));
    names.keywords = named(path(p, &["keywords", "keyword"]));
    let maps = maps(r, s, p, &name, &mut names);
    for t in path(p, &["templates", "template"]) {
        let fields = data_fields(r, t, &names.maps);
        if let Some(tid) = t.attribute("tid") {
            names.templates.insert(tid.to_string(), fields);
        }
    }
    let events = path(p, &["events", "event"])
        .into_iter()
        .filter_map(|e| event(r, s, &names, e))
        .collect();
    Some(Provider { name, events, maps })
}

/// The provider's `valueMap`s and `bitMap`s, named `<provider>-<map>` as slugs.
fn maps(r: &mut Reader, s: &Strings, p: Node, provider: &str, names: &mut Names) -> Vec<MapDef> {
    let mut out = Vec::new();
    for (kind, bitmap) in [("valueMap", false), ("bitMap", true)] {
        for m in path(p, &["maps", kind]) {
            let Some(mname) = m.attribute("name") else {
                r.error(
                    m,
                    "name",
                    "manifest-map",
                    format!("a <{kind}> has no name"),
                    "add name=\"…\": templates refer to the map by it",
                );
                continue;
            };
            let Some(slug) = crate::content::slug::Slug::new(&format!("{provider} {mname}")) else {
                continue;
            };
            let mut entries = Vec::new();
            for e in children(m, "map") {
                let Some(v) = r.number(e, "value", u64::from(u32::MAX)) else {
                    continue;
                };
                if entries.iter().any(|(x, _)| *x == v) {
                    r.warn(
                        e,
                        "value",
                        "manifest-map",
                        format!("value {v} is listed twice in map `{mname}`; the first was imported"),
                        "list each value of a map once",
                    );
                    continue;
                }
                entries.push((v, texts(r, s, e, "message")));
            }
            names.maps.insert(mname.to_string(), slug.to_string());
            out.push(MapDef {
                name: slug.to_string(),
                bitmap,
                entries,
            });
        }
    }
    out
}

/// The level value of an event, warning about references to what the
/// provider does not define (level, task, opcode, keywords).
fn level_and_references(r: &mut Reader, names: &Names, e: Node) -> Option<u64> {
    let level = e.attribute("level").and_then(|l| {
        let v = names.levels.get(l).copied();
        if v.is_none() {
            r.warn(
                e,
                "level",
                "manifest-reference",
                format!("level `{l}` is not defined"),
                "define it under <levels>, or use a win: level such as win:Error",
            );
        }
        v
    });
    let keywords = e.attribute("keywords").unwrap_or("").split_whitespace();
    let refs = [
        ("task", &names.tasks, "<tasks>"),
        ("opcode", &names.opcodes, "<opcodes>"),
    ]
    .into_iter()
    .filter_map(|(attr, known, what)| e.attribute(attr).map(|v| (attr, v, known, what)))
    .chain(keywords.map(|k| ("keywords", k, &names.keywords, "<keywords>")));
    let unknown: Vec<_> = refs
        .filter(|(_, v, known, _)| !v.starts_with("win:") && !known.contains(*v))
        .collect();
    for (attr, v, _, what) in unknown {
        r.warn(
            e,
            attr,
            "manifest-reference",
            format!("`{v}` ({attr}) is not defined"),
            &format!("define it under {what}; it was imported as written"),
        );
    }
    level
}

/// The fields of the event's template (none without one; an unknown template is an error).
fn template_fields(r: &mut Reader, names: &Names, e: Node) -> Vec<super::FieldOut> {
    let Some(t) = e.attribute("template") else {
        return Vec::new();
    };
    if let Some(f) = names.templates.get(t) {
        return f.clone();
    }
    let help = match did_you_mean(t, names.templates.keys().map(String::as_str)) {
        Some(m) => format!("did you mean `{m}`?"),
        None => "define <template tid=\"…\"> under <templates>".into(),
    };
    r.error(
        e,
        "template",
        "manifest-template",
        format!("there is no template `{t}`"),
        &help,
    );
    Vec::new()
}

fn event(r: &mut Reader, s: &Strings, names: &Names, e: Node) -> Option<EventDef> {
    let (id, version) = value_and_version(r, e, u64::from(u16::MAX), "it is the event ID")?;
    Some(EventDef {
        id: id as u16,
        version,
        level: level_and_references(r, names, e),
        channel: e
            .attribute("channel")
            .map(|c| names.channels.get(c).cloned().unwrap_or_else(|| c.to_string())),
        task: e.attribute("task").map(str::to_string),
        opcode: e
            .attribute("opcode")
            .map(|o| o.trim_start_matches("win:").to_string()),
        keywords: e
            .attribute("keywords")
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        symbol: e.attribute("symbol").map(str::to_string),
        message: texts(r, s, e, "message"),
        fields: template_fields(r, names, e),
        notes: Vec::new(),
        location: r.node(e),
    })
}
