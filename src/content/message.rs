//! Message templates: the text of an event with its insertion strings.
//!
//! Windows event messages carry numbered inserts (`%1` … `%99`, optionally with a
//! printf-style `!fmt!` suffix) and manifest-based providers use named ones
//! (`{QueryName}`). This module splits a template into literal text and inserts.
//! Rendering (highlighting), validation (translated messages must keep the same
//! inserts) and log-line lookup all build on it.

use serde::Serialize;

/// One piece of a message template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Segment {
    /// Literal text.
    Text {
        /// The text.
        text: String,
    },
    /// An insertion string such as `%1` or `{QueryName}`.
    Insert {
        /// The insert as written, without any `!fmt!` suffix: `%1` or `{QueryName}`.
        name: String,
        /// The insert exactly as it appears in the template (with `!fmt!`).
        raw: String,
    },
}

/// Split `template` into text and inserts.
///
/// `%%` is a literal percent sign, `%n`, `%t`, `%r`, `%b`, `%0`, `%.` and `%!`
/// are Message Compiler escapes and stay literal text; `{Name}` is an insert only
/// when `Name` is a plain identifier.
pub fn parse(template: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut text = String::new();
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Literal text up to the next `%` or `{` is copied as one run (both
        // are ASCII, so the run ends on a character boundary): pushing it a
        // character at a time was most of the time a template took to parse.
        let run = bytes[i..]
            .iter()
            .position(|&b| b == b'%' || b == b'{')
            .unwrap_or(bytes.len() - i);
        if run > 0 {
            text.push_str(&template[i..i + run]);
            i += run;
            continue;
        }
        i = take_at(template, i, &mut out, &mut text);
    }
    flush(&mut out, &mut text);
    out
}

/// Take what starts at byte `i` of `template`, a `%` or a `{`: an insert
/// (pushed to `out` after the text so far), or text (added to `text`: `%%`,
/// or the one character when it starts no insert). Returns where the rest
/// begins.
fn take_at(template: &str, i: usize, out: &mut Vec<Segment>, text: &mut String) -> usize {
    let bytes = template.as_bytes();
    let c = bytes[i];
    if c == b'%' && i + 1 < bytes.len() {
        if bytes[i + 1] == b'%' {
            text.push_str("%%");
            return i + 2;
        }
        let digits = bytes[i + 1..]
            .iter()
            .take(2)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 && bytes[i + 1] != b'0' {
            let mut end = i + 1 + digits;
            let name = template[i..end].to_string();
            // Optional printf-style format: %1!d!
            if end < bytes.len()
                && bytes[end] == b'!'
                && let Some(close) = template[end + 1..].find('!')
            {
                end = end + 1 + close + 1;
            }
            flush(out, text);
            out.push(Segment::Insert {
                name,
                raw: template[i..end].to_string(),
            });
            return end;
        }
    }
    if c == b'{' {
        // `{Name}`, or `{Product Name}`: a letter, then letters, digits, `_`
        // and single inner spaces.
        let rest = &template[i + 1..];
        let ident = rest
            .char_indices()
            .take_while(|(_, ch)| ch.is_ascii_alphanumeric() || *ch == '_' || *ch == ' ')
            .last()
            .map(|(k, ch)| k + ch.len_utf8())
            .unwrap_or(0);
        let name = &rest[..ident];
        if ident > 0
            && rest[ident..].starts_with('}')
            && rest.as_bytes()[0].is_ascii_alphabetic()
            && !name.ends_with(' ')
            && !name.contains("  ")
        {
            let name = template[i..i + 1 + ident + 1].to_string();
            flush(out, text);
            out.push(Segment::Insert {
                raw: name.clone(),
                name,
            });
            return i + ident + 2;
        }
    }
    // A `%` or `{` that starts no insert is text (one ASCII byte).
    text.push(char::from(c));
    i + 1
}

fn flush(out: &mut Vec<Segment>, text: &mut String) {
    if !text.is_empty() {
        out.push(Segment::Text {
            text: std::mem::take(text),
        });
    }
}

/// The distinct inserts of a template, in order of first appearance.
pub fn inserts(template: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for s in parse(template) {
        if let Segment::Insert { name, .. } = s
            && !seen.contains(&name)
        {
            seen.push(name);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &str) -> Vec<String> {
        inserts(t)
    }

    #[test]
    fn numbered_and_named() {
        assert_eq!(
            names("Send connector %1: an error occurred while connecting to %2."),
            ["%1", "%2"]
        );
        assert_eq!(
            names("Name resolution for the name {QueryName} timed out"),
            ["{QueryName}"]
        );
        assert_eq!(names("%1!d! items, %12 and %1"), ["%1", "%12"]);
        assert_eq!(names("100%% done %n next %0"), Vec::<String>::new());
        assert_eq!(
            names("{not  an insert} {9x} {} {trailing }"),
            Vec::<String>::new()
        );
        assert_eq!(
            names("{Product Name} and {Threat_ID}"),
            ["{Product Name}", "{Threat_ID}"]
        );
        assert_eq!(names("{DeviceInstanceId}0"), ["{DeviceInstanceId}"]);
    }

    #[test]
    fn segments_round_trip() {
        let t = "Send connector %1!s!: error {Host}.";
        let joined: String = parse(t)
            .into_iter()
            .map(|s| match s {
                Segment::Text { text } => text,
                Segment::Insert { raw, .. } => raw,
            })
            .collect();
        assert_eq!(joined, t);
    }

    #[test]
    fn unicode_text() {
        assert_eq!(names("Fehler beim Verbinden mit %2 — äöü"), ["%2"]);
    }

    /// `parse` as it was before it copied runs of text at once: one
    /// character at a time, each `%` and `{` taken by the same rules.
    fn reference(template: &str) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while let Some(ch) = template[i..].chars().next() {
            if ch == '%' || ch == '{' {
                i = take_at(template, i, &mut out, &mut text);
            } else {
                text.push(ch);
                i += ch.len_utf8();
            }
        }
        flush(&mut out, &mut text);
        out
    }

    proptest::proptest! {
        #[test]
        fn parses_as_one_character_at_a_time(t in "([a-z0-9 !_}.]|%|\\{|%[0-9]{1,3}|%[0-9]!s!|\\{[A-Za-z][a-z_ ]{0,4}\\}|[äß—€])*") {
            proptest::prop_assert_eq!(parse(&t), reference(&t));
        }
    }
}
