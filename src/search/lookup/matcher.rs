//! Matching a pasted message against message templates: each template
//! compiled once into literal pieces and insertion strings, matched
//! case-insensitively and without backtracking, ranked by how much of the
//! paste its literal text explains, and kept only above the confidence
//! threshold.

use super::*;

/// One literal piece of a template, case-folded, with the places where a
/// space in the paste is optional (after `.` or `:` followed by a letter or digit).
pub(super) struct Piece {
    chars: Vec<char>,
    space_after: Vec<bool>,
}

/// Simple per-character case folding, the same as `fold` in `lookup.js`.
pub(super) fn fold(c: char) -> char {
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
pub(super) struct Compiled {
    pieces: Vec<Piece>,
    literal_len: usize,
    /// Letters and digits in the literal text.
    literal_alnum: usize,
    /// The longest literal piece, lower-cased: a cheap filter before matching.
    anchor: String,
    inserts: Vec<String>,
}

pub(super) fn compile(template: &str) -> Compiled {
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
pub(super) fn dedup_values(values: Vec<(String, String)>) -> Vec<(String, String)> {
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

pub(super) fn lookup_by(
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
