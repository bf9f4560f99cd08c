//! Lookup: from what a reader pastes (a message with real values, an Event
//! Viewer "Copy details as text" block, or event XML) to the matching events,
//! with the value that filled each insertion string.
//!
//! The same algorithm runs in the browser (`themes/technet/static/lookup.js`);
//! both run the shared vectors in `tests/lookup-vectors.json`, so they cannot
//! drift apart. Matching rules:
//! - text is compared case-insensitively, with runs of whitespace collapsed and
//!   trailing periods ignored;
//! - literal template text must match; each insertion string matches any value
//!   (shortest first);
//! - a template's score is the share of the pasted text that its literal text
//!   covers, so more specific templates rank first; an exact source and ID from
//!   a text block or XML adds 1.

use serde::Serialize;

use crate::content::message::{self, Segment};
use crate::render::urls::{self, Route};

/// What was pasted, once parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Paste {
    /// The event source, from a text block (`Source:`) or XML (`<Provider Name=…>`).
    pub source: Option<String>,
    /// The event ID (low 16 bits), from a text block or XML.
    pub id: Option<u16>,
    /// The message text (the description of a text block, or the whole paste).
    pub message: Option<String>,
    /// Values from XML `<Data>` elements: `(name, value)`; unnamed ones are `%1`, `%2`, ….
    pub data: Vec<(String, String)>,
    /// `message`, `text-block` or `xml`.
    pub kind: &'static str,
}

/// A message template to match against.
#[derive(Debug, Clone, Serialize)]
pub struct Template<'a> {
    /// Event source.
    pub source: &'a str,
    /// Event ID.
    pub id: u16,
    /// Message template (in the lookup's language).
    pub message: &'a str,
}

/// One match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Index into the templates given.
    pub index: usize,
    /// Higher is better: for a message match, the share of the pasted text
    /// that the template's literal text explains (3 decimals); 2 for the same
    /// source and ID, 1.5 for the same ID when the paste names no source.
    pub score: f64,
    /// Insertion string → value, in the template's order.
    pub values: Vec<(String, String)>,
    /// What the match rests on.
    pub basis: Basis,
}

/// What a match rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Basis {
    /// The paste's source and event ID are the event's; `message` tells
    /// whether its message also matches the template.
    SourceAndId {
        /// The pasted message matches the template.
        message: bool,
    },
    /// The paste's event ID is the event's (the paste names no source).
    Id {
        /// The pasted message matches the template.
        message: bool,
    },
    /// The pasted message matches the template's literal text.
    Message {
        /// Letters and digits of the template's literal text.
        literal: usize,
        /// Distinct insertion strings of the template.
        inserts: usize,
    },
}

impl Match {
    /// The match in words, for readers: "matches the message template exactly, 2 values".
    pub fn describe(&self) -> String {
        let values = match self.values.len() {
            0 => String::new(),
            1 => ", 1 value".to_string(),
            n => format!(", {n} values"),
        };
        match self.basis {
            Basis::SourceAndId { message: true } => {
                format!("same source and event ID, and the message matches its template{values}")
            }
            Basis::SourceAndId { message: false } => format!("same source and event ID{values}"),
            Basis::Id { message: true } => {
                format!("same event ID (no source given), and the message matches its template{values}")
            }
            Basis::Id { message: false } => format!("same event ID (no source given){values}"),
            Basis::Message { inserts: 0, .. } => "matches the message text exactly".to_string(),
            Basis::Message { .. } => format!("matches the message template exactly{values}"),
        }
    }
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Collapse whitespace, trim, and drop trailing periods.
pub fn normalize(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.trim_end_matches(['.', ' ']).to_string()
}

/// Labels of Event Viewer's "Copy details as text", in English and German.
const SOURCE_LABELS: &[&str] = &["Source:", "Quelle:"];
const ID_LABELS: &[&str] = &["Event ID:", "Ereignis-ID:"];
const DESCRIPTION_LABELS: &[&str] = &["Description:", "Beschreibung:"];
const XML_LABELS: &[&str] = &["Event Xml:", "Ereignis-XML:"];

/// Whether `c` can be part of a word, as in a regex `\b`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The next byte offset ≥ `from` of `tag` (e.g. `<Provider`) in `xml` where
/// the tag name ends there (like a regex `\b`).
fn next_tag(xml: &str, tag: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(off) = xml.get(at..)?.find(tag) {
        let i = at + off;
        if !xml[i + tag.len()..].chars().next().is_some_and(is_word) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// The value of attribute `name` in the first `tag` element that has it.
/// Each element's text is scanned once (a later `tag` inside it would only
/// see a part of the same text, so the scan goes on after its `>`): linear,
/// and the browser module does the same.
fn tag_attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let mut next = next_tag(xml, tag, 0);
    while let Some(i) = next {
        let start = i + tag.len();
        let gt = xml[start..].find('>').map(|g| start + g);
        let end = gt.unwrap_or(xml.len());
        if let Some(v) = attr(&xml[start..end], name) {
            return Some(v.to_string());
        }
        next = next_tag(xml, tag, gt? + 1);
    }
    None
}

/// `name="value"` or `name='value'` in a tag's text.
fn attr<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    for (i, _) in body.match_indices(name) {
        if body[..i].chars().next_back().is_some_and(is_word) {
            continue;
        }
        let rest = body[i + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        if !rest.starts_with(['"', '\'']) {
            continue;
        }
        let value = &rest[1..];
        // The value ends at the next quote of either kind.
        if let Some(end) = value.find(['"', '\'']) {
            return Some(&value[..end]);
        }
    }
    None
}

/// A decimal event ID of up to 32 bits (digits only).
fn parse_id(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>()
        .ok()
        .filter(|n| *n <= u32::MAX as u64)
        .map(|n| n as u32)
}

/// The first `<EventID …>digits</EventID>`; like [`tag_attr`], each element is read once.
fn event_id(xml: &str) -> Option<u32> {
    let mut next = next_tag(xml, "<EventID", 0);
    while let Some(i) = next {
        let gt = i + xml[i..].find('>')?;
        let lt = gt + 1 + xml[gt + 1..].find('<')?;
        let digits = xml[gt + 1..lt].trim();
        if xml[lt..].starts_with("</EventID>")
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
        {
            return parse_id(digits);
        }
        next = next_tag(xml, "<EventID", gt + 1);
    }
    None
}

/// Every `<Data Name="…">value</Data>` or `<Data/>`, in order: (name, raw value).
fn data_elements(xml: &str) -> Vec<(Option<&str>, Option<&str>)> {
    let mut out = Vec::new();
    let mut from = 0;
    // Where the next `</Data>` is, remembered so that many unclosed elements stay linear.
    let mut close: Option<Option<usize>> = None;
    while let Some(off) = xml[from..].find("<Data") {
        let i = from + off;
        from = i + 1;
        let mut rest = &xml[i + "<Data".len()..];
        let mut name = None;
        let trimmed = rest.trim_start();
        if trimmed.len() < rest.len() && trimmed.starts_with("Name") {
            let after = trimmed["Name".len()..].trim_start();
            if let Some(after) = after.strip_prefix('=') {
                let after = after.trim_start();
                if after.starts_with(['"', '\'']) {
                    let v = &after[1..];
                    if let Some(end) = v.find(['"', '\'']) {
                        name = Some(&v[..end]);
                        rest = &v[end + 1..];
                    }
                }
            }
        }
        let rest = rest.trim_start();
        let at = xml.len() - rest.len();
        if rest.starts_with("/>") {
            out.push((name, None));
            from = at + 2;
        } else if rest.starts_with('>') {
            let body = at + 1;
            if close.is_none_or(|c| c.is_some_and(|c| c < body)) {
                close = Some(xml[body..].find("</Data>").map(|c| body + c));
            }
            if let Some(Some(end)) = close {
                out.push((name, Some(&xml[body..end])));
                from = end + "</Data>".len();
            }
        }
    }
    out
}

/// Parse what a reader pasted.
pub fn parse_paste(text: &str) -> Paste {
    let text = text.trim_start_matches('\u{feff}').trim();
    let mut p = Paste {
        kind: "message",
        ..Paste::default()
    };
    // Event XML (alone, or at the end of a text block).
    if let Some(start) = text.find("<Event") {
        let xml = &text[start..];
        p.source = tag_attr(xml, "<Provider", "Name").map(|v| xml_unescape(&v));
        p.id = event_id(xml).map(|n| (n & 0xFFFF) as u16);
        let mut unnamed = 0;
        for (name, value) in data_elements(xml) {
            let value = value.map(xml_unescape).unwrap_or_default();
            let name = match name {
                Some(n) => format!("{{{n}}}"),
                None => {
                    unnamed += 1;
                    format!("%{unnamed}")
                }
            };
            p.data.push((name, value));
        }
        p.kind = "xml";
        if start == 0 {
            return p;
        }
    }
    // "Copy details as text".
    let lines: Vec<&str> = text.lines().collect();
    let field = |labels: &[&str]| {
        lines.iter().find_map(|l| {
            let t = l.trim_start();
            labels
                .iter()
                .find_map(|lab| t.strip_prefix(lab))
                .map(|v| v.trim().to_string())
        })
    };
    let desc_at = lines
        .iter()
        .position(|l| DESCRIPTION_LABELS.iter().any(|d| l.trim_start().starts_with(d)));
    if let Some(at) = desc_at {
        let mut desc = Vec::new();
        let first = lines[at].trim_start();
        let rest = DESCRIPTION_LABELS
            .iter()
            .find_map(|d| first.strip_prefix(d))
            .unwrap_or("")
            .trim();
        if !rest.is_empty() {
            desc.push(rest);
        }
        for l in &lines[at + 1..] {
            if XML_LABELS.iter().any(|x| l.trim_start().starts_with(x))
                || l.trim_start().starts_with("<Event")
            {
                break;
            }
            desc.push(l);
        }
        if p.source.is_none() {
            p.source = field(SOURCE_LABELS);
        }
        if p.id.is_none() {
            p.id = field(ID_LABELS)
                .and_then(|v| parse_id(&v))
                .map(|n| (n & 0xFFFF) as u16);
        }
        let d = desc.join("\n").trim().to_string();
        p.message = (!d.is_empty()).then_some(d);
        p.kind = "text-block";
        return p;
    }
    if p.kind == "xml" {
        return p;
    }
    p.message = Some(text.to_string());
    p
}

/// One literal piece of a template, case-folded, with the places where a
/// space in the paste is optional (after `.` or `:` followed by a letter or digit).
struct Piece {
    chars: Vec<char>,
    space_after: Vec<bool>,
}

/// Simple per-character case folding, the same as `fold` in `lookup.js`.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

impl Piece {
    fn new(text: &str) -> Piece {
        let chars: Vec<char> = text.chars().map(fold).collect();
        let space_after = (0..chars.len())
            .map(|k| matches!(chars[k], '.' | ':') && chars.get(k + 1).is_some_and(|n| n.is_alphanumeric()))
            .collect();
        Piece { chars, space_after }
    }

    /// Where this piece ends if it matches `input` at `at` (input already folded).
    fn match_at(&self, input: &[char], at: usize) -> Option<usize> {
        let mut p = at;
        for (k, &c) in self.chars.iter().enumerate() {
            if input.get(p) != Some(&c) {
                return None;
            }
            p += 1;
            if self.space_after[k] && input.get(p) == Some(&' ') {
                p += 1;
            }
        }
        Some(p)
    }

    /// The most input characters a match can take.
    fn max_len(&self) -> usize {
        self.chars.len() + self.space_after.iter().filter(|b| **b).count()
    }
}

/// A compiled template: its literal pieces (one more than its inserts), the
/// literal text it needs, and its inserts in order.
struct Compiled {
    pieces: Vec<Piece>,
    literal_len: usize,
    /// Letters and digits in the literal text.
    literal_alnum: usize,
    /// The longest literal piece, lower-cased: a cheap filter before matching.
    anchor: String,
    inserts: Vec<String>,
}

fn compile(template: &str) -> Compiled {
    let mut pieces = vec![String::new()];
    let mut literal_len = 0;
    let mut literal_alnum = 0;
    let mut anchor = String::new();
    let mut inserts = Vec::new();
    let norm = normalize(template);
    for seg in message::parse(&norm) {
        match seg {
            Segment::Text { text } => {
                literal_len += text.chars().count();
                literal_alnum += text.chars().filter(|c| c.is_alphanumeric()).count();
                let lower: String = text.trim().chars().map(fold).collect();
                if lower.chars().count() > anchor.chars().count() {
                    anchor = lower;
                }
                if let Some(last) = pieces.last_mut() {
                    last.push_str(&text);
                }
            }
            Segment::Insert { name, .. } => {
                inserts.push(name);
                pieces.push(String::new());
            }
        }
    }
    Compiled {
        pieces: pieces.iter().map(|p| Piece::new(p)).collect(),
        literal_len,
        literal_alnum,
        anchor,
        inserts,
    }
}

impl Compiled {
    /// Match the literal pieces in order: the first at the start, the last at
    /// the end, each middle one at its first occurrence (so each insert takes
    /// the shortest value). Time: input length × piece length, never more.
    /// Returns the value of each insert, untrimmed.
    fn match_input(&self, orig: &[char], input: &[char]) -> Option<Vec<String>> {
        let n = input.len();
        let first = &self.pieces[0];
        let mut pos = first.match_at(input, 0)?;
        let k = self.pieces.len();
        if k == 1 {
            return (pos == n).then(Vec::new);
        }
        let mut values = Vec::with_capacity(k - 1);
        for piece in &self.pieces[1..k - 1] {
            let (start, end) = (pos..=n).find_map(|s| piece.match_at(input, s).map(|e| (s, e)))?;
            values.push(orig[pos..start].iter().collect());
            pos = end;
        }
        let last = &self.pieces[k - 1];
        let lo = n.saturating_sub(last.max_len()).max(pos);
        let start = (lo..=n).find(|&s| last.match_at(input, s) == Some(n))?;
        values.push(orig[pos..start].iter().collect());
        Some(values)
    }
}

/// How much a template's literal text must explain for a message match to
/// count (see [`confident`]).
pub const MIN_LITERAL: usize = 4;
/// The least share of the pasted text the literal text must explain.
pub const MIN_EXPLAINED: f64 = 0.2;
/// The least share of the template that must be literal text, counting each
/// insertion string as [`VALUE_WEIGHT`] letters.
pub const MIN_SHARE: f64 = 0.25;
/// What one insertion string counts for when measuring how literal a template is.
pub const VALUE_WEIGHT: usize = 4;

/// Whether a message match is confident: the template's literal text has at
/// least [`MIN_LITERAL`] letters or digits, explains at least [`MIN_EXPLAINED`]
/// of the pasted text, and makes up at least [`MIN_SHARE`] of the template
/// (each insertion string counting as [`VALUE_WEIGHT`] letters). A template
/// that is mostly insertion strings (`{process}: {payload}`, `%1`) can thus
/// never swallow arbitrary text. `lookup.js` applies the same rule.
pub fn confident(literal_alnum: usize, inserts: usize, explained: f64) -> bool {
    let share = literal_alnum as f64 / (literal_alnum + VALUE_WEIGHT * inserts).max(1) as f64;
    literal_alnum >= MIN_LITERAL && explained >= MIN_EXPLAINED && share >= MIN_SHARE
}

/// Templates compiled once, to match many pastes against.
pub struct Matcher {
    compiled: Vec<Compiled>,
}

impl Matcher {
    /// Compile `templates`.
    pub fn new(templates: &[Template]) -> Matcher {
        Matcher {
            compiled: templates.iter().map(|t| compile(t.message)).collect(),
        }
    }

    /// Every template that matches `text` confidently (see [`confident`]),
    /// best first (ties keep the templates' order).
    pub fn confident_matches(&self, text: &str) -> Vec<Match> {
        self.matches(text)
            .into_iter()
            .filter(|m| match m.basis {
                Basis::Message { literal, inserts } => confident(literal, inserts, m.score),
                _ => true,
            })
            .collect()
    }

    /// Every template whose literal text matches `text`, confident or not,
    /// best first (ties keep the templates' order): a ranking, not an answer
    /// (see [`Matcher::confident_matches`]).
    pub fn matches(&self, text: &str) -> Vec<Match> {
        let input = normalize(text);
        let orig: Vec<char> = input.chars().collect();
        let folded: Vec<char> = orig.iter().map(|c| fold(*c)).collect();
        let lower: String = folded.iter().collect();
        let total = orig.len().max(1);
        let mut out = Vec::new();
        for (index, c) in self.compiled.iter().enumerate() {
            if !lower.contains(&c.anchor) {
                continue;
            }
            let Some(found) = c.match_input(&orig, &folded) else {
                continue;
            };
            let values: Vec<(String, String)> = c
                .inserts
                .iter()
                .cloned()
                .zip(found.into_iter().map(|v| v.trim().to_string()))
                .collect();
            let values = dedup_values(values);
            let score = c.literal_len.min(total) as f64 / total as f64;
            out.push(Match {
                index,
                score: (score * 1000.0).round() / 1000.0,
                basis: Basis::Message {
                    literal: c.literal_alnum,
                    inserts: values.len(),
                },
                values,
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
        out
    }
}

/// Match a pasted message against templates. Returns every confident match
/// (see [`confident`]), best first (ties keep the templates' order).
pub fn match_message(text: &str, templates: &[Template]) -> Vec<Match> {
    Matcher::new(templates).confident_matches(text)
}

/// An insert used twice keeps its first value.
fn dedup_values(values: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(values.len());
    for (k, v) in values {
        if !out.iter().any(|(ok, _)| *ok == k) {
            out.push((k, v));
        }
    }
    out
}

/// Look up a paste: by source and ID when the paste names them, else by
/// message. Only confident matches are returned (see [`confident`]); a paste
/// naming a source and an ID that no template has gets no match at all (see
/// [`unknown_source_id`]), rather than a guess from its message.
pub fn lookup(paste: &Paste, templates: &[Template]) -> Vec<Match> {
    lookup_by(paste, templates, |m| match_message(m, templates))
}

impl Matcher {
    /// [`lookup`] with these compiled templates (the same `templates` they
    /// were compiled from), for many pastes against one set.
    pub fn lookup(&self, paste: &Paste, templates: &[Template]) -> Vec<Match> {
        lookup_by(paste, templates, |m| self.confident_matches(m))
    }
}

fn lookup_by(
    paste: &Paste,
    templates: &[Template],
    by_message: impl FnOnce(&str) -> Vec<Match>,
) -> Vec<Match> {
    if let Some(id) = paste.id {
        let slug = paste.source.as_deref().and_then(crate::content::slug::Slug::new);
        let mut hits: Vec<Match> = Vec::new();
        for (index, t) in templates.iter().enumerate() {
            if t.id != id {
                continue;
            }
            let same_source = slug
                .as_ref()
                .map(|s| crate::content::slug::Slug::new(t.source).as_ref() == Some(s));
            if same_source == Some(false) {
                continue;
            }
            let mut values = paste.data.clone();
            let mut message_matched = false;
            if let Some(m) = &paste.message
                && let Some(found) = Matcher::new(std::slice::from_ref(t))
                    .matches(m)
                    .into_iter()
                    .next()
            {
                values = found.values;
                message_matched = true;
            }
            // Unnamed XML data map onto the template's inserts in order.
            let inserts = message::inserts(t.message);
            if values.iter().all(|(k, _)| k.starts_with('%')) && inserts.iter().all(|i| i.starts_with('{')) {
                values = inserts
                    .iter()
                    .cloned()
                    .zip(values.into_iter().map(|(_, v)| v))
                    .collect();
            }
            let (score, basis) = if same_source == Some(true) {
                (
                    2.0,
                    Basis::SourceAndId {
                        message: message_matched,
                    },
                )
            } else {
                (
                    1.5,
                    Basis::Id {
                        message: message_matched,
                    },
                )
            };
            hits.push(Match {
                index,
                score,
                values,
                basis,
            });
        }
        if !hits.is_empty() {
            hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
            return hits;
        }
        if unknown_source_id(paste, templates).is_some() {
            return Vec::new();
        }
    }
    match &paste.message {
        Some(m) => by_message(m),
        None => Vec::new(),
    }
}

/// The source and ID a paste names when no template has them: the paste is
/// an event this reference does not describe, and saying so beats guessing.
pub fn unknown_source_id(paste: &Paste, templates: &[Template]) -> Option<(String, u16)> {
    let (Some(source), Some(id)) = (paste.source.as_deref(), paste.id) else {
        return None;
    };
    let slug = crate::content::slug::Slug::new(source)?;
    let known = templates
        .iter()
        .any(|t| t.id == id && crate::content::slug::Slug::new(t.source).as_ref() == Some(&slug));
    (!known).then(|| (source.to_string(), id))
}

/// The most text lookup reads: a pasted event is far smaller; more is refused
/// with [`TOO_LONG`] (the browser does the same).
pub const MAX_PASTE_BYTES: usize = 64 * 1024;

/// The message for a paste over [`MAX_PASTE_BYTES`].
pub const TOO_LONG: &str =
    "the pasted text is longer than 64 KB; paste a single event (its message, text block or XML)";

/// One result of [`lookup_site`].
#[derive(Debug, Clone, Serialize)]
pub struct SiteMatch {
    /// Event source.
    pub source: String,
    /// Event ID.
    pub id: u16,
    /// The article: an absolute URL when the site has a `base_url`, else its path.
    pub url: String,
    /// Higher is better (see [`Match::score`]).
    pub score: f64,
    /// The match in words ("matches the message template exactly, 2 values").
    pub confidence: String,
    /// Insertion string → value, with the parameter's meaning in the lookup's language.
    pub values: Vec<Value>,
}

/// One extracted value.
#[derive(Debug, Clone, Serialize)]
pub struct Value {
    /// The insertion string (`%1`, `{QueryName}`).
    pub name: String,
    /// The value found in the pasted text.
    pub value: String,
    /// What the insertion string means, if the record says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<String>,
    /// The data field the value belongs to, when the record lists fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What the coded value means, from the field's value map ("Network").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded: Option<String>,
}

/// Why a lookup found nothing, or what else the reader may want.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Notice {
    /// The paste names a source and ID this reference does not describe.
    NotInReference {
        /// The source as pasted.
        source: String,
        /// The ID.
        id: u16,
        /// The events of that source the reference does describe (`Source ID`), if any.
        source_events: Vec<String>,
    },
    /// No event has this ID; the nearest IDs that do exist.
    NoSuchId {
        /// The ID asked for.
        id: u32,
        /// Existing IDs nearest to it.
        nearest: Vec<u16>,
    },
    /// Words of the query that no article uses, with a close word that one does.
    DidYouMean {
        /// The word as typed.
        word: String,
        /// The closest word of the site's vocabulary.
        suggestion: String,
    },
    /// The text is longer than [`MAX_PASTE_BYTES`].
    TooLong,
}

impl Notice {
    /// The notice in words.
    pub fn text(&self) -> String {
        match self {
            Notice::NotInReference {
                source,
                id,
                source_events,
            } => {
                let mut s = format!("{source} {id} is not in this reference");
                if source_events.is_empty() {
                    s.push_str(&format!(", nor is any other {source} event"));
                } else {
                    s.push_str(&format!("; its {source} events: {}", source_events.join(", ")));
                }
                s
            }
            Notice::NoSuchId { id, nearest } => {
                let mut s = format!("no event with ID {id}");
                if !nearest.is_empty() {
                    let ids: Vec<String> = nearest.iter().map(|n| n.to_string()).collect();
                    s.push_str(&format!("; nearest IDs: {}", ids.join(", ")));
                }
                s
            }
            Notice::DidYouMean { word, suggestion } => {
                format!("did you mean \"{suggestion}\" for \"{word}\"?")
            }
            Notice::TooLong => TOO_LONG.to_string(),
        }
    }
}

/// The whole answer to a lookup: confident matches (best first) and notices.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// Confident matches, best first; empty when nothing in this reference matches.
    pub matches: Vec<SiteMatch>,
    /// Why nothing matched, or suggestions.
    pub notices: Vec<Notice>,
}

/// Look up pasted text against every event of a site, in `lang`: the matches only.
pub fn lookup_site(
    config: &crate::config::Config,
    events: &[crate::content::Event],
    lang: &str,
    text: &str,
) -> Vec<SiteMatch> {
    answer_site(config, events, lang, text).matches
}

/// A query that names events directly: an ID, "Source ID" (or `Source/ID`), or a symbolic name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direct {
    /// An event ID (may be out of range or absent from the site).
    Id(u32),
    /// A source and an ID.
    SourceId(String, u32),
    /// A word that may be a symbolic name.
    Name(String),
}

/// Read a direct query: digits at the end (1–5 of them) with an optional
/// source before them, or one identifier of 3+ characters. A linear scan (no
/// regex), the same as `directQuery` in `lookup.js`.
pub fn direct_query(q: &str) -> Option<Direct> {
    let text = q.trim();
    let digits = text.len() - text.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if (1..=5).contains(&digits) {
        let id: u32 = text[text.len() - digits..].parse().ok()?;
        let head = &text[..text.len() - digits];
        if head.is_empty() {
            return Some(Direct::Id(id));
        }
        let source = head.trim_end_matches(|c: char| c.is_whitespace() || c == '/');
        if source.len() < head.len() && !source.is_empty() {
            return Some(Direct::SourceId(source.to_string(), id));
        }
        return None;
    }
    let mut chars = text.chars();
    let first = chars.next()?;
    if (first.is_ascii_alphabetic() || first == '_')
        && text.len() >= 3
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Some(Direct::Name(text.to_string()));
    }
    None
}

/// Up to five existing IDs nearest to `id`: those one typo away (a digit
/// added, dropped or changed) first, then by distance; ties by the smaller ID.
/// The same as `nearestIds` in `lookup.js`.
pub fn nearest_ids(id: u32, ids: &[u16]) -> Vec<u16> {
    let want = id.to_string();
    let mut all: Vec<u16> = ids.to_vec();
    all.sort_unstable();
    all.dedup();
    let mut scored: Vec<(u32, u32, u16)> = all
        .iter()
        .map(|&i| {
            let typo = strsim::levenshtein(&want, &i.to_string()) <= 1;
            (u32::from(!typo), (i as u32).abs_diff(id), i)
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(5).map(|(_, _, i)| i).collect()
}

/// Words of a text, for the did-you-mean vocabulary: runs of 3+ letters, lower-cased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.to_lowercase())
}

/// The parts of CamelCase names, lower-cased, 3+ letters: "MSExchangeTransport"
/// gives "exchange" and "transport".
fn camel_parts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split(|c: char| !c.is_alphabetic()) {
        let cs: Vec<char> = token.chars().collect();
        let mut start = 0;
        for k in 1..=cs.len() {
            let boundary = k == cs.len()
                || (cs[k].is_uppercase() && cs[k - 1].is_lowercase())
                || (cs[k].is_uppercase()
                    && cs[k - 1].is_uppercase()
                    && cs.get(k + 1).is_some_and(|c| c.is_lowercase()));
            if boundary {
                let part: String = cs[start..k].iter().collect();
                if k - start >= 3 && part.len() < token.len() {
                    out.push(part.to_lowercase());
                }
                start = k;
            }
        }
    }
    out
}

/// The closest vocabulary word to `word` (which is not in it): within one
/// edit for words of up to 5 letters, two edits for longer ones; ties go to
/// the more frequent word, then the alphabetically first. `vocabulary` is
/// sorted by word, with counts. The same as `didYouMean` in `lookup.js`.
pub fn suggest(word: &str, vocabulary: &[(String, u32)]) -> Option<String> {
    let len = word.chars().count();
    if len < 4 || vocabulary.binary_search_by(|(w, _)| w.as_str().cmp(word)).is_ok() {
        return None;
    }
    let max = if len <= 5 { 1 } else { 2 };
    vocabulary
        .iter()
        .filter(|(w, _)| w.chars().count().abs_diff(len) <= max)
        .filter_map(|(w, n)| {
            let d = strsim::damerau_levenshtein(word, w);
            (d <= max).then_some((d, std::cmp::Reverse(*n), w))
        })
        .min()
        .map(|(_, _, w)| w.clone())
}

/// The vocabulary of a language's events: every word (see [`words`]) of each
/// event's title, symbolic name, message and parameter meanings, with how many
/// events use it, sorted by word. The words a reader pastes or types to find an
/// event; prose (explanations, user actions) is left out, so that editing an
/// article rewrites only its page, not `lookup/words.json`.
pub fn vocabulary(localized: &[crate::i18n::LocalizedEvent]) -> Vec<(String, u32)> {
    let mut counts: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    for l in localized {
        let mut seen = std::collections::BTreeSet::new();
        let mut text = format!(
            "{} {}\n{}\n",
            l.event.source,
            l.event.symbolic_name.as_deref().unwrap_or(""),
            l.message.value
        );
        for p in l.parameters.values() {
            text.push_str(p.value);
            text.push('\n');
        }
        // Source and symbolic names also give their parts: "MSExchangeTransport"
        // is "exchange" and "transport" to a reader.
        let names = format!(
            "{} {}",
            l.event.source,
            l.event.symbolic_name.as_deref().unwrap_or("")
        );
        for w in words(&text).chain(camel_parts(&names)) {
            if seen.insert(w.clone()) {
                *counts.entry(w).or_default() += 1;
            }
        }
    }
    counts.into_iter().collect()
}

/// The files the search page fetches only when it needs them, relative to the
/// language root: `lookup/ids.json` (every event ID, sorted, for "no event
/// with ID … nearest IDs"), `lookup/sources.json` (`[name, source page]`
/// pairs, for "… is not in this reference") and `lookup/words.json` (the
/// [`vocabulary`] as `[word, count]` pairs, for did-you-mean).
pub fn side_files(localized: &[crate::i18n::LocalizedEvent]) -> Vec<(String, Vec<u8>)> {
    let mut ids: Vec<u16> = localized.iter().map(|l| l.event.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut sources: Vec<(String, String)> = localized
        .iter()
        .map(|l| (l.event.source.clone(), format!("{}/", l.event.source_slug)))
        .collect();
    sources.sort();
    sources.dedup();
    vec![
        (
            "lookup/ids.json".to_string(),
            serde_json::to_vec(&ids).unwrap_or_default(),
        ),
        (
            "lookup/sources.json".to_string(),
            serde_json::to_vec(&sources).unwrap_or_default(),
        ),
        (
            "lookup/words.json".to_string(),
            serde_json::to_vec(&vocabulary(localized)).unwrap_or_default(),
        ),
    ]
}

/// Look up pasted text (or an ID, "Source ID" or symbolic name) against every
/// event of a site, in `lang`: confident matches and notices.
pub fn answer_site(
    config: &crate::config::Config,
    events: &[crate::content::Event],
    lang: &str,
    text: &str,
) -> Answer {
    let mut answer = Answer {
        matches: Vec::new(),
        notices: Vec::new(),
    };
    if text.len() > MAX_PASTE_BYTES {
        answer.notices.push(Notice::TooLong);
        return answer;
    }
    let default = config.default_language.as_str();
    let localized: Vec<crate::i18n::LocalizedEvent> = events
        .iter()
        .map(|e| crate::i18n::localize(e, lang, default))
        .collect();
    let mut templates: Vec<Template> = localized
        .iter()
        .map(|l| Template {
            source: &l.event.source,
            id: l.event.id,
            message: l.message.value,
        })
        .collect();
    // Older versions' messages: more templates, each owned by its event.
    let current = templates.len();
    let mut owner: Vec<usize> = (0..current).collect();
    for (i, m) in super::fields::version_templates(&localized) {
        templates.push(Template {
            source: &localized[i].event.source,
            id: localized[i].event.id,
            message: m,
        });
        owner.push(i);
    }
    let to_site = |m: Match| {
        let l = &localized[owner[m.index]];
        let fields = super::fields::fields_for(l.event, templates[m.index].message);
        let path = Route::event(l.event).in_lang(lang);
        SiteMatch {
            source: l.event.source.clone(),
            id: l.event.id,
            url: config
                .base_url
                .as_ref()
                .map(|b| urls::permalink(b, &path))
                .unwrap_or(path),
            score: m.score,
            confidence: m.describe(),
            values: m
                .values
                .into_iter()
                .map(|(name, value)| {
                    let field = super::fields::field_of(fields, &name);
                    Value {
                        meaning: l.parameters.get(name.as_str()).map(|p| p.value.to_string()),
                        decoded: field.and_then(|f| super::fields::decode(f, &value, l.translation)),
                        field: field
                            .filter(|f| f.name != name.trim_start_matches('{').trim_end_matches('}'))
                            .map(|f| f.name.clone()),
                        name,
                        value,
                    }
                })
                .collect(),
        }
    };
    let source_events = |slug: &crate::content::slug::Slug| -> Vec<String> {
        events
            .iter()
            .filter(|e| &e.source_slug == slug)
            .map(|e| format!("{} {}", e.source, e.id))
            .collect()
    };
    let ids: Vec<u16> = events.iter().map(|e| e.id).collect();
    // An ID, "Source ID" or symbolic name, like the search page's direct hits.
    match direct_query(text) {
        Some(Direct::Id(id)) => {
            let hits: Vec<Match> = (0..current)
                .filter(|&i| u32::from(templates[i].id) == id)
                .map(|index| Match {
                    index,
                    score: 1.5,
                    values: Vec::new(),
                    basis: Basis::Id { message: false },
                })
                .collect();
            if hits.is_empty() {
                answer.notices.push(Notice::NoSuchId {
                    id,
                    nearest: nearest_ids(id, &ids),
                });
            }
            answer.matches = hits.into_iter().map(to_site).collect();
            return answer;
        }
        Some(Direct::SourceId(source, id)) if crate::content::slug::Slug::new(&source).is_some() => {
            let slug = crate::content::slug::Slug::new(&source);
            let hits: Vec<Match> = (0..current)
                .filter(|&i| {
                    u32::from(templates[i].id) == id
                        && crate::content::slug::Slug::new(templates[i].source) == slug
                })
                .map(|index| Match {
                    index,
                    score: 2.0,
                    values: Vec::new(),
                    basis: Basis::SourceAndId { message: false },
                })
                .collect();
            // "Send connector 5" is words, not a source: only a known source
            // (or one that looks like one, without spaces) is answered here.
            let known = slug
                .as_ref()
                .is_some_and(|s| events.iter().any(|e| &e.source_slug == s));
            if !hits.is_empty() || known || !source.contains(' ') {
                if hits.is_empty() {
                    answer.notices.push(Notice::NotInReference {
                        source: source.clone(),
                        id: id.min(u16::MAX as u32) as u16,
                        source_events: slug.as_ref().map(source_events).unwrap_or_default(),
                    });
                }
                answer.matches = hits.into_iter().map(to_site).collect();
                return answer;
            }
        }
        Some(Direct::Name(name)) => {
            let hits: Vec<Match> = (0..current)
                .filter(|&i| {
                    localized[i]
                        .event
                        .symbolic_name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                })
                .map(|index| Match {
                    index,
                    score: 2.0,
                    values: Vec::new(),
                    basis: Basis::SourceAndId { message: false },
                })
                .collect();
            if !hits.is_empty() {
                answer.matches = hits.into_iter().map(to_site).collect();
                return answer;
            }
        }
        _ => {}
    }
    let paste = parse_paste(text);
    let ranked = lookup(&paste, &templates);
    if let Some((source, id)) = unknown_source_id(&paste, &templates) {
        let slug = crate::content::slug::Slug::new(&source);
        answer.notices.push(Notice::NotInReference {
            source_events: slug.as_ref().map(source_events).unwrap_or_default(),
            source,
            id,
        });
    }
    // Like the search page: a far weaker match (a template that is mostly
    // insertion strings) is noise next to a specific one.
    let best = ranked.first().map_or(0.0, |m| m.score);
    let ranked = one_per_event(ranked, &owner);
    answer.matches = ranked
        .into_iter()
        .filter(|m| m.score >= best / 2.0)
        .map(to_site)
        .collect();
    if answer.matches.is_empty() && paste.kind == "message" {
        let vocab = vocabulary(&localized);
        let mut seen = std::collections::BTreeSet::new();
        for w in words(text) {
            if seen.insert(w.clone())
                && let Some(suggestion) = suggest(&w, &vocab)
            {
                answer.notices.push(Notice::DidYouMean { word: w, suggestion });
            }
        }
    }
    answer
}

/// Keep one match per event (an event has a template per version): the
/// best, and among equals the one whose message matched.
fn one_per_event(ranked: Vec<Match>, owner: &[usize]) -> Vec<Match> {
    let matched = |m: &Match| {
        matches!(
            m.basis,
            Basis::SourceAndId { message: true } | Basis::Id { message: true }
        )
    };
    let mut out: Vec<Match> = Vec::with_capacity(ranked.len());
    for m in ranked {
        match out.iter_mut().find(|o| owner[o.index] == owner[m.index]) {
            Some(o) if o.score == m.score && !matched(o) && matched(&m) => *o = m,
            Some(_) => {}
            None => out.push(m),
        }
    }
    out
}

/// The human-readable form of [`lookup_site`]'s results.
pub fn results_text(results: &[SiteMatch]) -> String {
    if results.is_empty() {
        return "no matching event\n".to_string();
    }
    let mut out = String::new();
    for (i, r) in results.iter().enumerate() {
        out.push_str(&format!(
            "{}. {} {}: {}\n   {}\n",
            i + 1,
            r.source,
            r.id,
            r.confidence,
            r.url
        ));
        for v in &r.values {
            match (&v.field, &v.decoded) {
                (Some(f), Some(d)) => out.push_str(&format!("   {} ({f}) = {} ({d})", v.name, v.value)),
                (Some(f), None) => out.push_str(&format!("   {} ({f}) = {}", v.name, v.value)),
                (None, Some(d)) => out.push_str(&format!("   {} = {} ({d})", v.name, v.value)),
                (None, None) => out.push_str(&format!("   {} = {}", v.name, v.value)),
            }
            if let Some(m) = &v.meaning {
                out.push_str(&format!("    ({m})"));
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<'a>(source: &'a str, id: u16, message: &'a str) -> Template<'a> {
        Template { source, id, message }
    }

    #[test]
    fn matches_values() {
        let ts = [t(
            "MSExchangeTransport",
            2002,
            "Send connector %1: an error occurred while connecting to %2.",
        )];
        let m = match_message(
            "Send connector Internet Mail: an error occurred while  connecting to mx1.contoso.com",
            &ts,
        );
        assert_eq!(m.len(), 1);
        assert_eq!(
            m[0].values,
            [
                ("%1".into(), "Internet Mail".into()),
                ("%2".into(), "mx1.contoso.com".into())
            ]
        );
    }

    #[test]
    fn parses_text_blocks_and_xml() {
        let block = "Log Name:      Application\nSource:        MSExchangeTransport\nDate:          3/19/2011\nEvent ID:      2002\nTask Category: SmtpSend\nLevel:         Warning\nDescription:\nSend connector X: an error occurred while connecting to Y.\nEvent Xml:\n<Event><System><Provider Name=\"MSExchangeTransport\" /><EventID Qualifiers=\"32772\">2002</EventID></System><EventData><Data>X</Data><Data>Y</Data></EventData></Event>";
        let p = parse_paste(block);
        assert_eq!(p.kind, "text-block");
        assert_eq!(p.source.as_deref(), Some("MSExchangeTransport"));
        assert_eq!(p.id, Some(2002));
        assert_eq!(
            p.message.as_deref(),
            Some("Send connector X: an error occurred while connecting to Y.")
        );
        let x = parse_paste(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-DNS-Client' Guid='{1}'/><EventID>1014</EventID></System><EventData><Data Name='QueryName'>a&amp;b.example</Data><Data Name='Empty'/></EventData></Event>",
        );
        assert_eq!(x.kind, "xml");
        assert_eq!(x.id, Some(1014));
        assert_eq!(
            x.data,
            [
                ("{QueryName}".into(), "a&b.example".into()),
                ("{Empty}".into(), String::new())
            ]
        );
    }
}
