//! The words readers paste (from messages, symbolic names and parameter
//! meanings, not prose), for "did you mean" suggestions; and the lookup's
//! side files, which carry the same data to the browser.

/// Words of a text, for the did-you-mean vocabulary: runs of 3+ letters, lower-cased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.to_lowercase())
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
