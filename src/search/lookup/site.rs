//! Answering for a whole site: direct queries (an ID, "Source ID" or symbolic
//! name), pasted text, and the notices that say plainly what the reference
//! does not have ([`answer_site`], used by `eventref lookup`).

use super::*;

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
    /// The field has a value map that does not explain this value: it is
    /// shown as it is, "not in the value map", never with a guessed label.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_in_map: bool,
}

/// What the text output says of a value its field's map does not explain
/// (the browser shows its page language's `lookup_not_in_map`).
pub const NOT_IN_MAP: &str = "not in the value map";

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
    if let Some((hits, notices)) = direct_answer(text, events, &localized) {
        answer.matches = hits
            .into_iter()
            .map(|m| {
                let l = &localized[m.index];
                site_match(config, lang, l, l.message.value, m)
            })
            .collect();
        answer.notices = notices;
        return answer;
    }
    let (templates, owner) = site_templates(&localized);
    let paste = parse_paste(text);
    let ranked = lookup(&paste, &templates);
    if let Some((source, id)) = unknown_source_id(&paste, &templates) {
        answer.notices.push(Notice::NotInReference {
            source_events: source_events(events, &source),
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
        .map(|m| {
            site_match(
                config,
                lang,
                &localized[owner[m.index]],
                templates[m.index].message,
                m,
            )
        })
        .collect();
    if answer.matches.is_empty() && paste.kind == "message" {
        answer.notices.extend(did_you_mean(text, &localized));
    }
    answer
}

/// Every message template of the events: each event's current one (template
/// `i` is event `i`'s), then its older versions' messages. Returns the
/// templates and, for each, the index of the event that owns it.
pub(super) fn site_templates<'a>(
    localized: &'a [crate::i18n::LocalizedEvent<'a>],
) -> (Vec<Template<'a>>, Vec<usize>) {
    let template = |i: usize, message: &'a str| Template {
        source: &localized[i].event.source,
        id: localized[i].event.id,
        message,
    };
    let mut templates: Vec<Template> = (0..localized.len())
        .map(|i| template(i, localized[i].message.value))
        .collect();
    let mut owner: Vec<usize> = (0..templates.len()).collect();
    for (i, m) in crate::search::fields::version_templates(localized) {
        templates.push(template(i, m));
        owner.push(i);
    }
    (templates, owner)
}

/// "Did you mean" notices for the words of `text` that no article uses.
pub(super) fn did_you_mean(text: &str, localized: &[crate::i18n::LocalizedEvent]) -> Vec<Notice> {
    let vocab = vocabulary(localized);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for w in words(text) {
        if seen.insert(w.clone())
            && let Some(suggestion) = suggest(&w, &vocab)
        {
            out.push(Notice::DidYouMean { word: w, suggestion });
        }
    }
    out
}

/// The answer to an ID, a "Source ID" or a symbolic name, like the search
/// page's direct hits: the events it names and, when there are none, a
/// notice. `None` when the text is not such a query (or, for a name, names
/// no event): it is then matched as a pasted message.
pub(super) fn direct_answer(
    text: &str,
    events: &[crate::content::Event],
    localized: &[crate::i18n::LocalizedEvent],
) -> Option<(Vec<Match>, Vec<Notice>)> {
    let every = |keep: &dyn Fn(&crate::content::Event) -> bool, score: f64, basis: Basis| -> Vec<Match> {
        (0..localized.len())
            .filter(|&i| keep(localized[i].event))
            .map(|index| Match {
                index,
                score,
                values: Vec::new(),
                basis,
            })
            .collect()
    };
    match direct_query(text)? {
        Direct::Id(id) => {
            let hits = every(&|e| u32::from(e.id) == id, 1.5, Basis::Id { message: false });
            let mut notices = Vec::new();
            if hits.is_empty() {
                let ids: Vec<u16> = events.iter().map(|e| e.id).collect();
                notices.push(Notice::NoSuchId {
                    id,
                    nearest: nearest_ids(id, &ids),
                });
            }
            Some((hits, notices))
        }
        Direct::SourceId(source, id) => {
            let slug = crate::content::slug::Slug::new(&source)?;
            let hits = every(
                &|e| u32::from(e.id) == id && e.source_slug == slug,
                2.0,
                Basis::SourceAndId { message: false },
            );
            // "Send connector 5" is words, not a source: only a known source
            // (or one that looks like one, without spaces) is answered here.
            let known = events.iter().any(|e| e.source_slug == slug);
            if hits.is_empty() && !known && source.contains(' ') {
                return None;
            }
            let mut notices = Vec::new();
            if hits.is_empty() {
                notices.push(Notice::NotInReference {
                    source_events: source_events(events, &source),
                    source,
                    id: id.min(u16::MAX as u32) as u16,
                });
            }
            Some((hits, notices))
        }
        Direct::Name(name) => {
            let named = |e: &crate::content::Event| {
                e.symbolic_name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
            };
            let hits = every(&named, 2.0, Basis::SourceAndId { message: false });
            (!hits.is_empty()).then_some((hits, Vec::new()))
        }
    }
}

/// "Source ID" of every event of `source` (matched by its slug), for a notice.
pub(super) fn source_events(events: &[crate::content::Event], source: &str) -> Vec<String> {
    let Some(slug) = crate::content::slug::Slug::new(source) else {
        return Vec::new();
    };
    events
        .iter()
        .filter(|e| e.source_slug == slug)
        .map(|e| format!("{} {}", e.source, e.id))
        .collect()
}

/// Keep one match per event (an event has a template per version): the
/// best, and among equals the one whose message matched.
pub(super) fn one_per_event(ranked: Vec<Match>, owner: &[usize]) -> Vec<Match> {
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

/// A match as the site answers it: the event's URL and, for each value, what
/// it means, the data field it fills and its decoded meaning. `message` is
/// the template (of whichever version) that matched.
pub(super) fn site_match(
    config: &crate::config::Config,
    lang: &str,
    l: &crate::i18n::LocalizedEvent,
    message: &str,
    m: Match,
) -> SiteMatch {
    let fields = crate::search::fields::fields_for(l.event, message);
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
                let info = crate::search::fields::value_info(fields, &name, &value, l.translation);
                Value {
                    meaning: l.parameters.get(name.as_str()).map(|p| p.value.to_string()),
                    field: info.field,
                    decoded: info.decoded,
                    not_in_map: info.not_in_map,
                    name,
                    value,
                }
            })
            .collect(),
    }
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
            out.push_str(&format!("   {}", v.name));
            if let Some(f) = &v.field {
                out.push_str(&format!(" ({f})"));
            }
            out.push_str(&format!(" = {}", v.value));
            if let Some(d) = &v.decoded {
                out.push_str(&format!(" ({d})"));
            } else if v.not_in_map {
                out.push_str(&format!(" ({NOT_IN_MAP})"));
            }
            if let Some(m) = &v.meaning {
                out.push_str(&format!("    ({m})"));
            }
            out.push('\n');
        }
    }
    out
}
