//! Message templates: the text of an event with its insertion strings.
//!
//! Windows event messages carry numbered inserts (`%1` … `%99`, optionally with a
//! printf-style `!fmt!` suffix) and manifest-based providers use named ones
//! (`{QueryName}`). This module splits a template into literal text and inserts.
//! Rendering (highlighting), validation (translated messages must keep the same
//! inserts) and log-line lookup all build on it.

use std::ops::Range;

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

/// What starts at a `%` or a `{` of a template ([`take`]).
enum Taken {
    /// An insert: its name (without any `!fmt!` suffix) and all of it as
    /// written, as byte ranges of the template.
    Insert { name: Range<usize>, raw: Range<usize> },
    /// Text up to this byte: `%%`, or the one character when it starts no insert.
    Text(usize),
}

/// Take what starts at byte `i` of `template`, a `%` or a `{`. The one place
/// the grammar of inserts is written: [`parse`] and [`inserts`] both use it.
fn take(template: &str, i: usize) -> Taken {
    let bytes = template.as_bytes();
    let c = bytes[i];
    if c == b'%' && i + 1 < bytes.len() {
        if bytes[i + 1] == b'%' {
            return Taken::Text(i + 2);
        }
        let digits = bytes[i + 1..]
            .iter()
            .take(2)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 && bytes[i + 1] != b'0' {
            let name = i..i + 1 + digits;
            let mut end = name.end;
            // Optional printf-style format: %1!d!
            if end < bytes.len()
                && bytes[end] == b'!'
                && let Some(close) = template[end + 1..].find('!')
            {
                end = end + 1 + close + 1;
            }
            return Taken::Insert { name, raw: i..end };
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
            let whole = i..i + ident + 2;
            return Taken::Insert {
                name: whole.clone(),
                raw: whole,
            };
        }
    }
    // A `%` or `{` that starts no insert is text (one ASCII byte).
    Taken::Text(i + 1)
}

/// [`take`] at byte `i`, the insert pushed to `out` after the text so far
/// or the text added to `text`; returns where the rest begins.
fn take_at(template: &str, i: usize, out: &mut Vec<Segment>, text: &mut String) -> usize {
    match take(template, i) {
        Taken::Insert { name, raw } => {
            flush(out, text);
            let end = raw.end;
            out.push(Segment::Insert {
                name: template[name].to_string(),
                raw: template[raw].to_string(),
            });
            end
        }
        Taken::Text(end) => {
            text.push_str(&template[i..end]);
            end
        }
    }
}

fn flush(out: &mut Vec<Segment>, text: &mut String) {
    if !text.is_empty() {
        out.push(Segment::Text {
            text: std::mem::take(text),
        });
    }
}

/// The distinct inserts of a template, in order of first appearance.
///
/// Worked out for every event several times a build (its checks, its page
/// and export in each language): it finds the inserts without copying the
/// text between them, as [`parse`] does.
pub fn inserts(template: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(at) = memchr::memchr2(b'%', b'{', &template.as_bytes()[i..]) {
        i += at;
        i = match take(template, i) {
            Taken::Insert { name, raw } => {
                let name = &template[name];
                if !seen.iter().any(|s| s == name) {
                    seen.push(name.to_string());
                }
                raw.end
            }
            Taken::Text(end) => end,
        };
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

    /// [`inserts`] as the distinct insert names of [`parse`].
    fn inserts_of_parse(template: &str) -> Vec<String> {
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

    proptest::proptest! {
        #[test]
        fn inserts_are_the_names_parse_finds(t in "([a-z0-9 !_}.]|%|%%|\\{|%[0-9]{1,3}|%[0-9]!s!|\\{[A-Za-z][a-z_ ]{0,4}\\}|[äß—€])*") {
            proptest::prop_assert_eq!(inserts(&t), inserts_of_parse(&t));
        }

        #[test]
        fn parses_as_one_character_at_a_time(t in "([a-z0-9 !_}.]|%|\\{|%[0-9]{1,3}|%[0-9]!s!|\\{[A-Za-z][a-z_ ]{0,4}\\}|[äß—€])*") {
            proptest::prop_assert_eq!(parse(&t), reference(&t));
        }
    }
}
