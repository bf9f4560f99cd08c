//! Reading what a reader pastes: a message, an Event Viewer "Copy details as
//! text" block (English or German labels) or event XML, into a [`Paste`]. A
//! linear scan: no regular expression runs over reader input.

use super::*;

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

pub(super) fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Collapse whitespace, trim, and drop trailing periods.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    if s.is_ascii() {
        // What `split_whitespace` splits ASCII text at (Unicode's White_Space:
        // tab to carriage return, vertical tab included, and space), without
        // decoding characters: most messages are ASCII.
        let mut start = None;
        for (i, b) in s.bytes().enumerate() {
            match (matches!(b, b'\t'..=b'\r' | b' '), start) {
                (true, Some(from)) => {
                    push(&s[from..i]);
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(from) = start {
            push(&s[from..]);
        }
    } else {
        s.split_whitespace().for_each(&mut push);
    }
    let kept = out.trim_end_matches(['.', ' ']).len();
    out.truncate(kept);
    out
}

/// Labels of Event Viewer's "Copy details as text", in English and German.
pub(super) const SOURCE_LABELS: &[&str] = &["Source:", "Quelle:"];
pub(super) const ID_LABELS: &[&str] = &["Event ID:", "Ereignis-ID:"];
pub(super) const DESCRIPTION_LABELS: &[&str] = &["Description:", "Beschreibung:"];
pub(super) const XML_LABELS: &[&str] = &["Event Xml:", "Ereignis-XML:"];

/// Whether `c` can be part of a word, as in a regex `\b`.
pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The next byte offset ≥ `from` of `tag` (e.g. `<Provider`) in `xml` where
/// the tag name ends there (like a regex `\b`).
pub(super) fn next_tag(xml: &str, tag: &str, from: usize) -> Option<usize> {
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
pub(super) fn tag_attr(xml: &str, tag: &str, name: &str) -> Option<String> {
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
pub(super) fn attr<'a>(body: &'a str, name: &str) -> Option<&'a str> {
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
pub(super) fn parse_id(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>()
        .ok()
        .filter(|n| *n <= u32::MAX as u64)
        .map(|n| n as u32)
}

/// The first `<EventID …>digits</EventID>`; like [`tag_attr`], each element is read once.
pub(super) fn event_id(xml: &str) -> Option<u32> {
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
pub(super) fn data_elements(xml: &str) -> Vec<(Option<&str>, Option<&str>)> {
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
