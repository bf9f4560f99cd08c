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

use regex::Regex;
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
    /// Higher is better.
    pub score: f64,
    /// Insertion string → value, in the template's order.
    pub values: Vec<(String, String)>,
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
        let provider = Regex::new(r#"<Provider\b[^>]*?\bName\s*=\s*["']([^"']*)["']"#).expect("valid regex");
        let event_id = Regex::new(r"<EventID\b[^>]*>\s*(\d+)\s*</EventID>").expect("valid regex");
        let data = Regex::new(r#"<Data(?:\s+Name\s*=\s*["']([^"']*)["'])?\s*(?:/>|>([\s\S]*?)</Data>)"#)
            .expect("valid regex");
        p.source = provider.captures(xml).map(|c| xml_unescape(&c[1]));
        p.id = event_id
            .captures(xml)
            .and_then(|c| c[1].parse::<u32>().ok())
            .map(|n| (n & 0xFFFF) as u16);
        let mut unnamed = 0;
        for c in data.captures_iter(xml) {
            let value = c.get(2).map(|m| xml_unescape(m.as_str())).unwrap_or_default();
            let name = match c.get(1) {
                Some(n) => format!("{{{}}}", n.as_str()),
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
                .and_then(|v| v.parse::<u32>().ok())
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

/// A compiled template: its regex, the literal text it needs, and its inserts in order.
struct Compiled {
    regex: Regex,
    literal_len: usize,
    /// The longest literal piece, lower-cased: a cheap filter before the regex.
    anchor: String,
    inserts: Vec<String>,
}

fn compile(template: &str) -> Option<Compiled> {
    let mut pattern = String::from("(?is)^");
    let mut literal_len = 0;
    let mut anchor = String::new();
    let mut inserts = Vec::new();
    let norm = normalize(template);
    for seg in message::parse(&norm) {
        match seg {
            Segment::Text { text } => {
                literal_len += text.chars().count();
                let lower = text.trim().to_lowercase();
                if lower.chars().count() > anchor.chars().count() {
                    anchor = lower;
                }
                // A message whose line break was lost ("…{OldTime}.Change Reason:")
                // still matches a paste that has the break: after `.` or `:`
                // followed by a letter or digit, a space is optional.
                let chars: Vec<char> = text.chars().collect();
                for (k, ch) in chars.iter().enumerate() {
                    pattern.push_str(&regex::escape(&ch.to_string()));
                    if matches!(ch, '.' | ':') && chars.get(k + 1).is_some_and(|n| n.is_alphanumeric()) {
                        pattern.push_str(" ?");
                    }
                }
            }
            Segment::Insert { name, .. } => {
                inserts.push(name);
                pattern.push_str("(.*?)");
            }
        }
    }
    pattern.push('$');
    Some(Compiled {
        regex: Regex::new(&pattern).ok()?,
        literal_len,
        anchor,
        inserts,
    })
}

/// Templates compiled once, to match many pastes against.
pub struct Matcher {
    compiled: Vec<Option<Compiled>>,
}

impl Matcher {
    /// Compile `templates` (a template that cannot be compiled never matches).
    pub fn new(templates: &[Template]) -> Matcher {
        Matcher {
            compiled: templates.iter().map(|t| compile(t.message)).collect(),
        }
    }

    /// Every template that matches `text`, best first (ties keep the templates' order).
    pub fn matches(&self, text: &str) -> Vec<Match> {
        let input = normalize(text);
        let lower = input.to_lowercase();
        let total = input.chars().count().max(1);
        let mut out = Vec::new();
        for (index, c) in self.compiled.iter().enumerate() {
            let Some(c) = c else { continue };
            if !lower.contains(&c.anchor) {
                continue;
            }
            let Some(caps) = c.regex.captures(&input) else {
                continue;
            };
            let values: Vec<(String, String)> = c
                .inserts
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    (
                        name.clone(),
                        caps.get(i + 1)
                            .map(|m| m.as_str().trim().to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            let score = c.literal_len.min(total) as f64 / total as f64;
            out.push(Match {
                index,
                score: (score * 1000.0).round() / 1000.0,
                values: dedup_values(values),
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
        out
    }
}

/// Match a pasted message against templates. Returns every match, best first
/// (ties keep the templates' order).
pub fn match_message(text: &str, templates: &[Template]) -> Vec<Match> {
    Matcher::new(templates).matches(text)
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

/// Look up a paste: by source and ID when the paste names them, else by message.
pub fn lookup(paste: &Paste, templates: &[Template]) -> Vec<Match> {
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
            if let Some(m) = &paste.message
                && let Some(found) = match_message(m, std::slice::from_ref(t)).into_iter().next()
            {
                values = found.values;
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
            let score = if same_source == Some(true) { 2.0 } else { 1.5 };
            hits.push(Match { index, score, values });
        }
        if !hits.is_empty() {
            hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
            return hits;
        }
    }
    match &paste.message {
        Some(m) => match_message(m, templates),
        None => Vec::new(),
    }
}

/// One result of [`lookup_site`].
#[derive(Debug, Clone, Serialize)]
pub struct SiteMatch {
    /// Event source.
    pub source: String,
    /// Event ID.
    pub id: u16,
    /// The article: an absolute URL when the site has a `base_url`, else its path.
    pub url: String,
    /// Higher is better (see the module documentation).
    pub score: f64,
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
}

/// Look up pasted text against every event of a site, in `lang`.
pub fn lookup_site(
    config: &crate::config::Config,
    events: &[crate::content::Event],
    lang: &str,
    text: &str,
) -> Vec<SiteMatch> {
    let default = config.default_language.as_str();
    let localized: Vec<crate::i18n::LocalizedEvent> = events
        .iter()
        .map(|e| crate::i18n::localize(e, lang, default))
        .collect();
    let templates: Vec<Template> = localized
        .iter()
        .map(|l| Template {
            source: &l.event.source,
            id: l.event.id,
            message: l.message.value,
        })
        .collect();
    let paste = parse_paste(text);
    let ranked = lookup(&paste, &templates);
    // Like the search page: a far weaker match (a template that is mostly
    // insertion strings) is noise next to a specific one.
    let best = ranked.first().map_or(0.0, |m| m.score);
    ranked
        .into_iter()
        .filter(|m| m.score >= best / 2.0)
        .map(|m| {
            let l = &localized[m.index];
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
                values: m
                    .values
                    .into_iter()
                    .map(|(name, value)| Value {
                        meaning: l.parameters.get(name.as_str()).map(|p| p.value.to_string()),
                        name,
                        value,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The human-readable form of [`lookup_site`]'s results.
pub fn results_text(results: &[SiteMatch]) -> String {
    if results.is_empty() {
        return "no matching event\n".to_string();
    }
    let mut out = String::new();
    for (i, r) in results.iter().enumerate() {
        out.push_str(&format!(
            "{}. {} {}  (score {:.3})\n   {}\n",
            i + 1,
            r.source,
            r.id,
            r.score,
            r.url
        ));
        for v in &r.values {
            out.push_str(&format!("   {} = {}", v.name, v.value));
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
