//! What the two XML readers share: the parsed document with its file and
//! text for diagnostics at line and column, element lookup by local name
//! (manifests use a default namespace, wevtutil none), numbers in decimal or
//! `0x` hex, message text clean-up, and the record level of a level value.

use std::path::Path;
use std::sync::Arc;

use roxmltree::{Document, Node};

use crate::diagnostics::{Diagnostic, Location};

/// A document being read, and the diagnostics found so far.
pub(super) struct Reader<'a, 'input> {
    pub(super) file: &'a Path,
    pub(super) text: Arc<str>,
    pub(super) doc: &'a Document<'input>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl<'a, 'input> Reader<'a, 'input> {
    pub(super) fn new(file: &'a Path, text: &str, doc: &'a Document<'input>) -> Self {
        Reader {
            file,
            text: Arc::from(text),
            doc,
            diagnostics: Vec::new(),
        }
    }

    /// The location of byte offset `pos`, `len` characters long.
    pub(super) fn at(&self, pos: usize, len: usize) -> Location {
        let p = self.doc.text_pos_at(pos);
        Location::new(self.file, Some(self.text.clone()), p.row, p.col).with_len(len.max(1))
    }

    /// Where an element starts.
    pub(super) fn node(&self, n: Node) -> Location {
        self.at(n.range().start, n.tag_name().name().chars().count() + 1)
    }

    /// Where the value of attribute `name` of `n` is (the element when it has none).
    pub(super) fn attr(&self, n: Node, name: &str) -> Location {
        match n.attribute_node(name) {
            Some(a) => {
                let r = a.range_value();
                self.at(r.start, a.value().chars().count())
            }
            None => self.node(n),
        }
    }

    /// Report an error about attribute `name` of `n`.
    pub(super) fn error(&mut self, n: Node, name: &str, code: &'static str, message: String, help: &str) {
        let d = Diagnostic::error(code, message).at(self.attr(n, name)).help(help);
        self.diagnostics.push(d);
    }

    /// Report a warning about attribute `name` of `n`.
    pub(super) fn warn(&mut self, n: Node, name: &str, code: &'static str, message: String, help: &str) {
        let d = Diagnostic::warning(code, message)
            .at(self.attr(n, name))
            .help(help);
        self.diagnostics.push(d);
    }

    /// A whole-number attribute (decimal or `0x` hex) at most `max`; an error
    /// when it is there but is not one. `None` when it is absent or wrong.
    pub(super) fn number(&mut self, n: Node, name: &str, max: u64) -> Option<u64> {
        let raw = n.attribute(name)?;
        match parse_number(raw).filter(|v| *v <= max) {
            Some(v) => Some(v),
            None => {
                self.error(
                    n,
                    name,
                    "manifest-number",
                    format!("{name}=\"{raw}\" is not a whole number from 0 to {max}"),
                    "write a decimal number, or a hexadecimal one with 0x",
                );
                None
            }
        }
    }
}

/// The `name` of a provider element; an error (and `None`) without one.
pub(super) fn provider_name(r: &mut Reader, p: Node, help: &str) -> Option<String> {
    let name = p.attribute("name").map(str::to_string);
    if name.is_none() {
        r.error(
            p,
            "name",
            "manifest-provider",
            "the provider has no name".into(),
            help,
        );
    }
    name
}

/// An event's `value` (at most `max`) and `version` (0–255, 0 when absent);
/// an error (and `None`) when the value is missing or a number is wrong.
/// `what` says what the value is, for the hint.
pub(super) fn value_and_version(r: &mut Reader, e: Node, max: u64, what: &str) -> Option<(u64, u8)> {
    if e.attribute("value").is_none() {
        r.error(
            e,
            "value",
            "manifest-event",
            "the event has no value".into(),
            &format!("add value=\"…\": {what}"),
        );
        return None;
    }
    let value = r.number(e, "value", max)?;
    let version = match e.attribute("version") {
        Some(_) => r.number(e, "version", 255)? as u8,
        None => 0,
    };
    Some((value, version))
}

/// The element children of `n` with the local name `name`.
pub(super) fn children<'a, 'input>(
    n: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The first element child of `n` with the local name `name`.
pub(super) fn child<'a, 'input>(n: Node<'a, 'input>, name: &'static str) -> Option<Node<'a, 'input>> {
    children(n, name).next()
}

/// The elements `path` (local names) below `n`, in document order.
pub(super) fn path<'a, 'input>(n: Node<'a, 'input>, path: &[&'static str]) -> Vec<Node<'a, 'input>> {
    let mut nodes = vec![n];
    for name in path {
        nodes = nodes.into_iter().flat_map(|n| children(n, name)).collect();
    }
    nodes
}

/// A number written in decimal or as `0x` hex.
pub(super) fn parse_number(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// A message as the record holds it: line ends as `\n`, the escapes of
/// message strings resolved (`%n`, `%t`, `%%`, `%1!s!` → `%1`, as in .mc
/// files), trailing line breaks dropped.
pub(super) fn message_text(raw: &str) -> String {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    crate::import::mc::unescape(&text)
}

/// The record level of a level value (1 critical … 5 verbose; 0, "log
/// always", and other values have none).
pub(super) fn record_level(value: u64) -> Option<&'static str> {
    Some(match value {
        1 => "critical",
        2 => "error",
        3 => "warning",
        4 => "information",
        5 => "verbose",
        _ => return None,
    })
}

/// Whether a `<data>` name can be a field's: an identifier (as in the event
/// XML's `<Data Name=…>`) not used by an earlier field of the template.
fn name_ok(r: &mut Reader, d: Node, name: &str, earlier: &[crate::import::blocks::FieldOut]) -> bool {
    let mut chars = name.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    let (message, help) = if !identifier {
        (
            format!("data name `{name}` is not an identifier"),
            "a field name has letters, digits and _, as in <Data Name=\"…\">",
        )
    } else if earlier.iter().any(|f| f.name == name) {
        (
            format!("the template has two fields named `{name}`"),
            "give each <data> of a template its own name",
        )
    } else {
        return true;
    };
    r.error(d, "name", "manifest-data", message, help);
    false
}

/// The shared map a `<data map=…>` names (an error when there is none).
fn map_ref(
    r: &mut Reader,
    d: Node,
    m: &str,
    maps: &std::collections::HashMap<String, String>,
) -> Option<String> {
    if let Some(shared) = maps.get(m) {
        return Some(shared.clone());
    }
    let help = match crate::diagnostics::did_you_mean(m, maps.keys().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "define the map under <maps> as a <valueMap> or <bitMap>".into(),
    };
    r.error(d, "map", "manifest-map", format!("there is no map `{m}`"), &help);
    None
}

/// The data fields of a `<template>`: each `<data name= inType= map=>` in
/// order, the map resolved through `maps` (manifest name → shared map name).
/// An unknown inType or map is an error; a `<struct>` is left out with a warning.
pub(super) fn data_fields(
    r: &mut Reader,
    t: Node,
    maps: &std::collections::HashMap<String, String>,
) -> Vec<crate::import::blocks::FieldOut> {
    let mut out = Vec::new();
    for d in t.children().filter(Node::is_element) {
        if d.tag_name().name() == "struct" {
            r.warn(
                d,
                "name",
                "manifest-struct",
                "a <struct> in a template is not imported".into(),
                "describe the structure's members in the record's fields by hand",
            );
            continue;
        }
        if d.tag_name().name() != "data" {
            continue;
        }
        let (Some(name), Some(in_type)) = (d.attribute("name"), d.attribute("inType")) else {
            r.error(
                d,
                "name",
                "manifest-data",
                "a <data> needs name and inType".into(),
                "write <data name=\"…\" inType=\"win:…\"/>",
            );
            continue;
        };
        if !crate::content::fields::IN_TYPES.contains(&in_type) {
            r.error(
                d,
                "inType",
                "manifest-type",
                format!("unknown inType `{in_type}`"),
                "use a manifest inType such as win:UnicodeString, win:UInt32 or win:HexInt32",
            );
        }
        if !name_ok(r, d, name, &out) {
            continue;
        }
        let value_map = d.attribute("map").and_then(|m| map_ref(r, d, m, maps));
        out.push(crate::import::blocks::FieldOut {
            name: name.to_string(),
            in_type: in_type.to_string(),
            value_map,
        });
    }
    out
}
