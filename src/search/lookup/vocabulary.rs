//! The words readers paste (from messages, symbolic names and parameter
//! meanings, not prose), for "did you mean" suggestions; and the lookup's
//! side files, which carry the same data to the browser.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::i18n::LocalizedEvent;

/// Words of a text, for the did-you-mean vocabulary: runs of 3+ letters, lower-cased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    words_borrowed(text).map(Cow::into_owned)
}

/// [`words`], borrowed from `text` where a word is lower-case already (most
/// are): the vocabulary of ten thousand events allocates only for the rest.
fn words_borrowed(text: &str) -> Words<'_> {
    Words {
        rest: text,
        ascii: text.is_ascii(),
    }
}

/// The iterator of [`words_borrowed`]. ASCII text (most messages and names)
/// is scanned byte by byte, where a letter is `[A-Za-z]` and lower-casing is
/// ASCII's; other text character by character.
struct Words<'a> {
    rest: &'a str,
    ascii: bool,
}

impl<'a> Iterator for Words<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Cow<'a, str>> {
        loop {
            if self.ascii {
                let bytes = self.rest.as_bytes();
                let start = bytes.iter().position(u8::is_ascii_alphabetic)?;
                let len = bytes[start..]
                    .iter()
                    .position(|b| !b.is_ascii_alphabetic())
                    .unwrap_or(bytes.len() - start);
                let word = &self.rest[start..start + len];
                self.rest = &self.rest[start + len..];
                if len >= 3 {
                    return Some(if word.bytes().all(|b| b.is_ascii_lowercase()) {
                        Cow::Borrowed(word)
                    } else {
                        Cow::Owned(word.to_ascii_lowercase())
                    });
                }
            } else {
                let start = self.rest.find(char::is_alphabetic)?;
                let from = &self.rest[start..];
                let len = from.find(|c: char| !c.is_alphabetic()).unwrap_or(from.len());
                let word = &from[..len];
                self.rest = &from[len..];
                if word.chars().count() >= 3 {
                    // Lower-case already when every letter lower-cases to itself.
                    let lower = word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || !c.is_ascii() && c.to_lowercase().eq([c]));
                    return Some(if lower {
                        Cow::Borrowed(word)
                    } else {
                        Cow::Owned(word.to_lowercase())
                    });
                }
            }
        }
    }
}

/// The parts of CamelCase names, lower-cased, 3+ letters: "MSExchangeTransport"
/// gives "exchange" and "transport".
pub(super) fn camel_parts(text: &str) -> Vec<String> {
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
    use rayon::prelude::*;
    // Each core counts the distinct words of its share of the events; then
    // the counts are added up. Only the distinct words are ever held. Events
    // come sorted by source: the parts of a source's name are worked out once.
    let counts: Counts<'_> = localized
        .par_iter()
        .enumerate()
        .fold(
            || (Counts::default(), "", Vec::new()),
            |(mut counts, mut source, mut source_parts), (i, l)| {
                let tag = i as u32 + 1;
                if l.event.source != source {
                    source = l.event.source.as_str();
                    source_parts = camel_parts(source);
                }
                each_word(l, &source_parts, |w| match w {
                    Word::Here(w) => count(&mut counts, w, tag),
                    Word::Part(p) => count_copy(&mut counts, p, tag),
                });
                (counts, source, source_parts)
            },
        )
        .map(|(counts, _, _)| counts)
        .reduce(Counts::default, |mut a, b| {
            for (w, (n, _)) in b {
                a.entry(w).or_default().0 += n;
            }
            a
        });
    let mut out: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(w, (n, _))| (w.into_owned(), n))
        .collect();
    out.sort_unstable();
    out
}

/// A word of an event, as [`each_word`] finds it.
enum Word<'a, 'p> {
    /// In the event's text (borrowed when it is lower-case already).
    Here(Cow<'a, str>),
    /// A part of its source's or symbolic name's CamelCase.
    Part(&'p str),
}

/// Each word of `l` that the vocabulary counts (an event can give a word
/// more than once): the words of its source, symbolic name, message and
/// parameter meanings, and the CamelCase parts of its source (`source_parts`,
/// worked out by the caller) and symbolic name.
fn each_word<'a>(l: &LocalizedEvent<'a>, source_parts: &[String], mut f: impl FnMut(Word<'a, '_>)) {
    let name = l.event.symbolic_name.as_deref().unwrap_or("");
    let texts = [l.event.source.as_str(), name, l.message.value]
        .into_iter()
        .chain(l.parameters.values().map(|p| p.value));
    for w in texts.flat_map(words_borrowed) {
        f(Word::Here(w));
    }
    // Source and symbolic names also give their parts: "MSExchangeTransport"
    // is "exchange" and "transport" to a reader.
    for p in source_parts {
        f(Word::Part(p));
    }
    for p in camel_parts(name) {
        f(Word::Part(&p));
    }
}

/// The distinct words of `l` that the vocabulary counts.
fn distinct_words(l: &LocalizedEvent) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    each_word(l, &camel_parts(&l.event.source), |w| {
        out.insert(match w {
            Word::Here(w) => w.into_owned(),
            Word::Part(p) => p.to_string(),
        });
    });
    out
}

/// The [`vocabulary`] after an edit of some events, from the one before it
/// (`previous`, the bytes of the last build's `lookup/words.json`): the words
/// of each edited event as it was (`old`) counted out, as it is (`new`)
/// counted in. `None` when `previous` does not read back or lacks a word an
/// old event has (the caller then counts every event).
pub fn vocabulary_after_edit(
    previous: &[u8],
    old: &[LocalizedEvent],
    new: &[LocalizedEvent],
) -> Option<Vec<(String, u32)>> {
    let list: Vec<(String, u32)> = serde_json::from_slice(previous).ok()?;
    let mut counts: BTreeMap<String, u32> = list.into_iter().collect();
    for l in old {
        for w in distinct_words(l) {
            let n = counts.get_mut(&w)?;
            *n = n.checked_sub(1)?;
        }
    }
    for l in new {
        for w in distinct_words(l) {
            *counts.entry(w).or_default() += 1;
        }
    }
    Some(counts.into_iter().filter(|(_, n)| *n > 0).collect())
}

/// Per word: how many events use it, and the last event (its index + 1)
/// counted, so that a word an event uses twice counts once.
type Counts<'a> = rustc_hash::FxHashMap<Cow<'a, str>, (u32, u32)>;

/// Count `word` for event `tag` (once per event).
fn count<'a>(counts: &mut Counts<'a>, word: Cow<'a, str>, tag: u32) {
    match counts.get_mut(word.as_ref()) {
        Some(n) if n.1 != tag => *n = (n.0 + 1, tag),
        Some(_) => {}
        None => {
            counts.insert(word, (1, tag));
        }
    }
}

/// [`count`] a word held elsewhere: copied only the first time it is seen.
fn count_copy(counts: &mut Counts<'_>, word: &str, tag: u32) {
    match counts.get_mut(word) {
        Some(n) if n.1 != tag => *n = (n.0 + 1, tag),
        Some(_) => {}
        None => {
            counts.insert(Cow::Owned(word.to_string()), (1, tag));
        }
    }
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
        vocabulary_file(localized),
    ]
}

/// `lookup/words.json`, the one side file an edit of messages, names or
/// parameter meanings can change (see [`side_files`]).
pub fn vocabulary_file(localized: &[crate::i18n::LocalizedEvent]) -> (String, Vec<u8>) {
    vocabulary_json(&vocabulary(localized))
}

/// `lookup/words.json` of `vocabulary`.
pub fn vocabulary_json(vocabulary: &[(String, u32)]) -> (String, Vec<u8>) {
    (
        crate::render::urls::LOOKUP_WORDS.to_string(),
        serde_json::to_vec(vocabulary).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule `words` implements: every run of 3+ letters, lower-cased.
    fn reference(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    }

    #[test]
    fn words_lower_case_every_script_as_to_lowercase_does() {
        for text in [
            "MSExchangeTransport failed",
            "İstanbul ΟΔΟΣ straße ǅemal",
            "abc DEF ghi",
        ] {
            assert_eq!(words(text).collect::<Vec<_>>(), reference(text), "{text}");
        }
        // A lower-case word is borrowed, not copied.
        assert!(words_borrowed("connector failed").all(|w| matches!(w, Cow::Borrowed(_))));
    }

    proptest! {
        #[test]
        fn words_match_the_rule(text in prop_oneof!["\\PC{0,40}", "[ -~]{0,40}", "[a-zA-Z é.]{0,40}"]) {
            prop_assert_eq!(words(&text).collect::<Vec<_>>(), reference(&text));
        }
    }
}
