//! Search: the files that let readers find an article in the browser.
//!
//! For every language this stage produces
//! - a Pagefind full-text index (one bundle per language at `/pagefind/{lang}/`,
//!   with stemming per language and CJK segmentation, split into parts of at
//!   most 20,000 records that the browser merges, to bound memory), fed
//!   with lean custom records (title, symbolic name, message, parameters,
//!   explanation, user action) rather than whole HTML pages, and filters for
//!   source, category, level, product version and log;
//! - `/{lang}/lookup/k/<shard>.json`: direct hits by event ID and symbolic
//!   name, sharded by key so that a query fetches one small file;
//! - `/{lang}/lookup/t/<shard>.json`: message templates for log-line lookup
//!   (every version's), each filed under its rarest pair of consecutive
//!   words, so that a pasted message fetches only the shards of its own word
//!   pairs; an entry of an event with data fields lists them (`f`);
//! - `/{lang}/lookup/maps.json`: the value maps those fields refer to, each
//!   once, with labels in the language (only when some field has a map).
//!
//! Like the render stage, it hands files to a [`PageSink`] and never touches the disk.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Serialize;

use crate::config::Config;
use crate::content::message::{self, Segment};
use crate::content::{Content, Event, UserAction};
use crate::i18n::{self, LocalizedEvent, Parameters};
use crate::render::PageSink;
use crate::render::urls::{self, Route};

/// Aim for lookup shards of about this many bytes.
const SHARD_BYTES: usize = 4 * 1024;

/// One entry of a lookup shard, borrowed from the event it describes.
#[derive(Debug, Clone, Serialize)]
pub struct LookupEntry<'a> {
    /// Source.
    pub s: &'a str,
    /// ID.
    pub i: u16,
    /// URL relative to the language root.
    pub u: String,
    /// Message template in this language.
    pub m: &'a str,
    /// Symbolic name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<&'a str>,
    /// Meaning of each insertion string, in this language.
    #[serde(skip_serializing_if = "Parameters::is_empty")]
    pub p: &'a Parameters<'a>,
    /// The data fields of this template, in order: `[name]` or `[name, map
    /// id]`, the id of the field's value map in `lookup/maps.json`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub f: Vec<Vec<String>>,
}

/// What the search page needs to know about a language's lookup files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LookupMeta {
    /// Number of template shards (`t/`).
    pub template_shards: u32,
    /// Number of key shards (`k/`).
    pub key_shards: u32,
    /// The single words some template is filed under (most are filed under a
    /// pair of words): the browser fetches a single word's shard only for these.
    pub unigrams: Vec<String>,
    /// Number of parts of the language's full-text index ([`index_parts`]),
    /// 0 when the site is built without one.
    pub index_parts: u32,
}

/// Which lookup files a build writes.
#[derive(Debug, Clone)]
pub enum LookupScope {
    /// Every file.
    All,
    /// After an edit that changed only the messages, symbolic names or
    /// parameter meanings of a few events (see [`LookupScope::for_edits`]): the
    /// key shards of these keys (IDs and lower-cased names, before and after),
    /// the template shards and the vocabulary. The event IDs, the sources and
    /// the value maps stay as they are.
    Keys {
        /// The keys.
        keys: std::collections::BTreeSet<String>,
        /// The edited events as they were (their messages sized the
        /// template shards).
        old: Vec<Event>,
    },
}

impl LookupScope {
    /// The scope of a build of `content` after the events `old` (as they were
    /// before; the same events are in `content`, edited) changed: [`LookupScope::Keys`]
    /// when none of them has data fields or versions, before or after (those
    /// feed the value maps and more templates), else [`LookupScope::All`].
    pub fn for_edits(content: &Content, old: &[Event]) -> LookupScope {
        fn plain(e: &Event) -> bool {
            e.fields.is_empty()
                && e.versions.is_empty()
                && e.translations
                    .values()
                    .all(|t| t.fields.is_empty() && t.versions.is_empty())
        }
        let mut keys = std::collections::BTreeSet::new();
        for a in old {
            let Some(i) = content.position_of(a) else {
                return LookupScope::All;
            };
            let b = &content.events[i];
            if !plain(a) || !plain(b) {
                return LookupScope::All;
            }
            keys.extend(entry_keys(a.id, a.symbolic_name.as_deref()));
            keys.extend(entry_keys(b.id, b.symbolic_name.as_deref()));
        }
        LookupScope::Keys {
            keys,
            old: old.to_vec(),
        }
    }
}

/// The keys an event's direct hits are filed under: its ID, and its
/// symbolic name lower-cased.
fn entry_keys(id: u16, name: Option<&str>) -> impl Iterator<Item = String> {
    std::iter::once(id.to_string()).chain(name.map(str::to_lowercase))
}

/// FNV-1a over UTF-8, the same as `fnv1a` in `static/lookup.js`: which shard
/// a lookup key is filed in.
pub use crate::content::fnv1a;
use crate::content::{FNV1A_START, fnv1a_continue};

fn word_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[\p{L}\p{N}]{3,}").expect("valid regex"))
}

/// The lookup keys a template can be filed under: pairs of consecutive words
/// of its literal text ("error occurred"), or single words when it has no pair.
/// Words touching an insertion string are left out, since a value may extend
/// them; words are runs of 3+ letters or digits, lower-cased. The browser
/// (`search.js`) derives the same keys from a pasted message.
pub fn template_keys(template: &str) -> Vec<String> {
    with_keys(template, |keys| keys.iter().map(Key::text).collect())
}

/// A lookup key of a template ([`template_keys`]), borrowed from its text:
/// two words, or one. Keys order as their texts do (words hold no space or
/// character before it, so comparing the first words, then the second, is
/// comparing `"first second"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key<'t>(&'t str, Option<&'t str>);

impl Key<'_> {
    fn text(&self) -> String {
        match self.1 {
            Some(second) => [self.0, second].join(" "),
            None => self.0.to_string(),
        }
    }

    /// A 64-bit hash of the key's text, for counting keys without keeping
    /// them: the key's [`fnv1a`] (its shard, should it be the key a template
    /// is filed under) in the high half, so that [`template_shards`] keeps
    /// one number per key; FxHash of the text in the low half.
    fn hash(&self) -> u64 {
        use std::hash::Hasher as _;
        let mut h = rustc_hash::FxHasher::default();
        h.write(self.0.as_bytes());
        let mut fnv = fnv1a_continue(FNV1A_START, self.0.as_bytes());
        if let Some(second) = self.1 {
            h.write_u8(b' ');
            h.write(second.as_bytes());
            fnv = fnv1a_continue(fnv1a_continue(fnv, b" "), second.as_bytes());
        }
        (u64::from(fnv) << 32) | (h.finish() & u64::from(u32::MAX))
    }
}

/// The [`fnv1a`] of a key, from its [`Key::hash`].
fn shard_hash(key_hash: u64) -> u32 {
    (key_hash >> 32) as u32
}

/// Call `f` with the keys of `template` ([`template_keys`]), sorted and
/// without repeats, borrowed from the template's normalised text: counting
/// and choosing keys for 10,000 templates made and dropped a string for
/// every key, twice.
fn with_keys<R>(template: &str, f: impl FnOnce(&[Key]) -> R) -> R {
    let norm = lower_normalized(template);
    let segs = message::parse(&norm);
    let mut pairs: Vec<Key> = Vec::new();
    let mut singles: Vec<Key> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for (k, seg) in segs.iter().enumerate() {
        let Segment::Text { text } = seg else { continue };
        let after_insert = k > 0;
        let before_insert = k + 1 < segs.len();
        words.clear();
        for_each_word(text, |start, w| {
            if !(after_insert && start == 0 || before_insert && start + w.len() == text.len()) {
                words.push(w);
            }
        });
        pairs.extend(words.windows(2).map(|w| Key(w[0], Some(w[1]))));
        if pairs.is_empty() {
            singles.extend(words.iter().map(|w| Key(w, None)));
        }
    }
    let mut keys = if pairs.is_empty() { singles } else { pairs };
    keys.sort_unstable();
    keys.dedup();
    f(&keys)
}

/// `normalize(s).to_lowercase()`, lower-cased in place when `s` is ASCII
/// (most templates are).
fn lower_normalized(s: &str) -> String {
    let mut out = crate::search::lookup::normalize(s);
    if out.is_ascii() {
        out.make_ascii_lowercase();
        out
    } else {
        out.to_lowercase()
    }
}

/// Call `f` with the byte offset and text of each word of `text` (a run of
/// 3+ letters or digits, `[\p{L}\p{N}]{3,}`): scanned by hand when `text` is
/// ASCII, where that is `[A-Za-z0-9]`; by the regex otherwise.
fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(usize, &'t str)) {
    if !text.is_ascii() {
        for m in word_regex().find_iter(text) {
            f(m.start(), m.as_str());
        }
        return;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i - start >= 3 {
            f(start, &text[start..i]);
        }
    }
}

fn shard_count(total_bytes: usize) -> u32 {
    ((total_bytes / SHARD_BYTES).max(1) as u32)
        .next_power_of_two()
        .min(8192)
}

/// What [`lookup_files`] rebuilds after an edit ([`LookupScope::Keys`]).
pub struct Partial<'a> {
    /// The keys whose key shards are rebuilt.
    pub keys: &'a std::collections::BTreeSet<String>,
    /// The edited events' templates' [`template_bytes`] before the edit,
    /// less after: how the template shards were counted last time.
    pub template_bytes_before: isize,
    /// Each edited event's place in the language's events and its template
    /// before the edit: with them, the template shards filed as the last
    /// build filed them can be told apart from those an edit changes.
    pub templates_before: Vec<(usize, &'a str)>,
    /// The vocabulary, when it could be worked out from the last build's
    /// (see [`super::lookup::vocabulary_after_edit`]).
    pub vocabulary: Option<Vec<(String, u32)>>,
}

/// Where [`lookup_files`] puts each file: its path relative to the language
/// root, and its JSON.
pub type PutTable<'a> = dyn Fn(&str, &[u8]) -> Result<(), String> + Sync + 'a;

/// What [`lookup_files`] leaves to its caller: the paths of files to drop,
/// relative to the language root, and the meta for the search page.
pub struct LookupFiles {
    /// Shards of the last build that are now empty.
    pub dropped: Vec<String>,
    /// `lookup/meta.json`.
    pub meta: LookupMeta,
    /// The templates' keys, for the next language's [`lookup_files`].
    pub keys: KnownKeys,
}

/// The keys of each template of one language (as [`key_hashes`] gives them),
/// with the address and length of its text: the next language's template
/// at the same place with the same text (a message that falls back to the
/// default language's is the same string) takes them instead of working
/// them out again (most of a language's lookup tables' time). Every
/// template is borrowed from the content, which outlives the tables of all
/// languages, so an address and length name one text.
#[derive(Default)]
pub struct KnownKeys(Vec<KnownKey>);

/// One template's entry in [`KnownKeys`]: its text's address and length, and its keys.
type KnownKey = ((usize, usize), (Box<[u64]>, bool));

/// A template's address and length, for [`KnownKeys`].
fn text_id(template: &str) -> (usize, usize) {
    (template.as_ptr() as usize, template.len())
}

/// Build the lookup shards of one language, all of them or, after an edit,
/// only those [`Partial`] names, and hand each file to `put` as soon as it
/// is serialised (at 50,000 events the shards are 45 MB of JSON, which
/// would otherwise all be held until the last one was ready). `known` are
/// the keys of the last language's templates ([`LookupFiles::keys`]; empty
/// for the first language).
pub fn lookup_files(
    localized: &[LocalizedEvent],
    partial: Option<&Partial>,
    known: KnownKeys,
    put: &PutTable,
) -> Result<LookupFiles, String> {
    let mut maps = super::fields::MapTable::default();
    let entries = lookup_entries(localized, &mut maps);
    // Older versions' messages are templates too (filed like any other), so a
    // paste of an older version's text finds the event in the browser as well;
    // each carries the fields of its own version.
    let versions: Vec<LookupEntry> = super::fields::version_templates(localized)
        .into_iter()
        .map(|(i, m)| {
            let l = &localized[i];
            LookupEntry {
                m,
                f: maps.field_refs(super::fields::fields_for(l.event, m), l.translation),
                ..entries[i].clone()
            }
        })
        .collect();
    let templates: Vec<&LookupEntry> = entries.iter().chain(&versions).collect();
    // The side files, the template shards and the key shards are independent:
    // both cores build them (an incremental build after a message edit has
    // little else to do), and the shards serialise in parallel.
    let (side, (templates_written, keys_written)) = rayon::join(
        || -> Result<(), String> {
            let files = match partial {
                // The same events: only the vocabulary can change.
                Some(Partial {
                    vocabulary: Some(words),
                    ..
                }) => vec![super::lookup::vocabulary_json(words)],
                Some(_) => vec![super::lookup::vocabulary_file(localized)],
                None => super::lookup::side_files(localized),
            };
            files.iter().try_for_each(|(path, bytes)| put(path, bytes))
        },
        || {
            rayon::join(
                || -> Result<_, String> {
                    let bytes: usize = templates.iter().map(|e| template_bytes(e.m)).sum();
                    let tshards = shard_count(bytes);
                    let before =
                        partial.map(|p| shard_count(bytes.saturating_add_signed(p.template_bytes_before)));
                    // After an edit that leaves the number of shards as it
                    // was, only the shards whose templates changed are written.
                    let edited = partial
                        .filter(|_| before == Some(tshards))
                        .map(|p| p.templates_before.as_slice());
                    let (by_shard, unigrams, changed, keys) =
                        template_shards(&templates, tshards, edited, known);
                    let files = match changed {
                        Some(changed) => ShardFiles::only(by_shard, changed.into_iter()),
                        None => ShardFiles::all(by_shard, tshards, before),
                    };
                    Ok((
                        tshards,
                        files.write(urls::lookup_template_shard, put)?,
                        unigrams,
                        keys,
                    ))
                },
                || -> Result<_, String> {
                    let kshards = key_shard_count(&entries);
                    let files = match partial {
                        Some(p) => {
                            let wanted: std::collections::BTreeSet<u32> =
                                p.keys.iter().map(|k| fnv1a(k) % kshards).collect();
                            let by_key = key_shards(&entries, kshards, |s| wanted.contains(&s));
                            ShardFiles::only(by_key, wanted.into_iter())
                        }
                        None => ShardFiles::all(key_shards(&entries, kshards, |_| true), kshards, None),
                    };
                    Ok((kshards, files.write(urls::lookup_key_shard, put)?))
                },
            )
        },
    );
    side?;
    let (tshards, tdropped, unigrams, keys) = templates_written?;
    let (kshards, kdropped) = keys_written?;
    if partial.is_none()
        && let Some(bytes) = maps.to_json()
    {
        put(urls::LOOKUP_MAPS, &bytes)?;
    }
    Ok(LookupFiles {
        dropped: tdropped.into_iter().chain(kdropped).collect(),
        meta: LookupMeta {
            template_shards: tshards,
            key_shards: kshards,
            unigrams,
            index_parts: 0,
        },
        keys,
    })
}

/// The shards of a lookup table to write, and the shard numbers to drop.
struct ShardFiles<T> {
    write: BTreeMap<u32, T>,
    drop: Vec<u32>,
}

impl<T: Serialize + Send> ShardFiles<T> {
    /// Every shard of `count`; when the last build had `before` shards, the
    /// ones it may have written that are empty now are dropped.
    fn all(shards: BTreeMap<u32, T>, count: u32, before: Option<u32>) -> Self {
        let drop = match before {
            Some(before) => (0..count.max(before))
                .filter(|s| !shards.contains_key(s))
                .collect(),
            None => Vec::new(),
        };
        ShardFiles { write: shards, drop }
    }

    /// Only the shards `wanted`; those of them that are empty are dropped.
    fn only(mut shards: BTreeMap<u32, T>, wanted: impl Iterator<Item = u32>) -> Self {
        let wanted: std::collections::BTreeSet<u32> = wanted.collect();
        shards.retain(|s, _| wanted.contains(s));
        let drop = wanted.into_iter().filter(|s| !shards.contains_key(s)).collect();
        ShardFiles { write: shards, drop }
    }

    /// Put each shard as JSON at the path `path` gives for its number, each
    /// as soon as it is serialised; return the paths to drop.
    fn write(self, path: fn(u32) -> String, put: &PutTable) -> Result<Vec<String>, String> {
        use rayon::prelude::*;
        self.write.into_par_iter().try_for_each(|(shard, value)| {
            put(&path(shard), &serde_json::to_vec(&value).unwrap_or_default())
        })?;
        Ok(self.drop.into_iter().map(path).collect())
    }
}

/// One lookup entry per event, in its language.
fn lookup_entries<'a>(
    localized: &'a [LocalizedEvent<'a>],
    maps: &mut super::fields::MapTable,
) -> Vec<LookupEntry<'a>> {
    localized
        .iter()
        .map(|l| LookupEntry {
            s: &l.event.source,
            i: l.event.id,
            u: Route::event(l.event).path(),
            m: l.message.value,
            n: l.event.symbolic_name.as_deref(),
            p: &l.parameters,
            f: maps.field_refs(&l.event.fields, l.translation),
        })
        .collect()
}

/// What a template counts for in the number of template shards.
fn template_bytes(template: &str) -> usize {
    template.len() + 120
}

/// Template shards: by shard number, the templates filed there.
type TemplateShards<'e, 'a> = BTreeMap<u32, Vec<&'e LookupEntry<'a>>>;

/// File each template under its rarest key in one of `tshards` shards; the
/// shards and the single-word keys in use. After an edit (`edited`: each
/// edited template's place in `entries_all` and its text before, when the
/// last build had `tshards` shards too), also the shards whose templates are
/// not those the last build filed there: the edited templates' shards before
/// and after, and the shards of every template whose rarest key the edit
/// changed (its keys were counted again), before and after.
fn template_shards<'e, 'a>(
    entries_all: &[&'e LookupEntry<'a>],
    tshards: u32,
    edited: Option<&[(usize, &str)]>,
    known: KnownKeys,
) -> (
    TemplateShards<'e, 'a>,
    Vec<String>,
    Option<std::collections::BTreeSet<u32>>,
    KnownKeys,
) {
    use rayon::prelude::*;
    // Each template's keys, in key order, as their 64-bit hashes (which hold
    // the keys' shards too, see `Key::hash`), and whether they are single
    // words: working the keys out took most of this function, and it did so
    // twice (to count them, then to choose); the hashes are 8 bytes a key.
    // Keeping every template's keys as text until all were counted took
    // more memory than the rest of the lookup tables (60 MB at 50,000
    // events). (A collision could only make a key look commoner than it is,
    // and so file a template under another of its keys, where the browser
    // finds it all the same.)
    let keyed: Vec<(Box<[u64]>, bool)> = entries_all
        .par_iter()
        .enumerate()
        .map(|(i, e)| match known.0.get(i) {
            Some((id, keys)) if *id == text_id(e.m) => keys.clone(),
            _ => key_hashes(e.m),
        })
        .collect();
    drop(known);
    let df: rustc_hash::FxHashMap<u64, usize> = keyed
        .par_iter()
        .fold(rustc_hash::FxHashMap::default, |mut df, (keys, _)| {
            for &k in keys.iter() {
                *df.entry(k).or_default() += 1;
            }
            df
        })
        .reduce(rustc_hash::FxHashMap::default, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            for (k, n) in b {
                *a.entry(k).or_default() += n;
            }
            a
        });
    let mut by_shard: TemplateShards = BTreeMap::new();
    let mut unigrams: Vec<String> = Vec::new();
    let mut shards: Vec<u32> = Vec::with_capacity(keyed.len());
    for (&e, (keys, single)) in entries_all.iter().zip(&keyed) {
        let rarest = rarest(keys, |k| df[k]);
        // Single-word keys in use: the browser fetches a single word's shard
        // only for these. Few templates have no pair of words: their keys
        // are worked out again for the text.
        if let Some(i) = rarest
            && *single
        {
            with_keys(e.m, |keys| unigrams.push(keys[i].text()));
        }
        let shard = filed_under(keys, rarest) % tshards;
        shards.push(shard);
        by_shard.entry(shard).or_default().push(e);
    }
    unigrams.sort();
    unigrams.dedup();
    let changed = edited.map(|edited| {
        // The keys' counts as the last build had them: the edited templates'
        // keys now out, their keys before in.
        let before: Vec<(usize, Box<[u64]>)> = edited.iter().map(|&(i, m)| (i, key_hashes(m).0)).collect();
        let mut delta: rustc_hash::FxHashMap<u64, isize> = Default::default();
        for (i, keys) in &before {
            for k in keyed[*i].0.iter() {
                *delta.entry(*k).or_default() -= 1;
            }
            for k in keys.iter() {
                *delta.entry(*k).or_default() += 1;
            }
        }
        delta.retain(|_, d| *d != 0);
        let df_before = |k: &u64| df.get(k).map_or(0, |&n| n as isize) + delta.get(k).copied().unwrap_or(0);
        let shard_before = |keys: &[u64]| filed_under(keys, rarest(keys, df_before)) % tshards;
        let mut changed = std::collections::BTreeSet::new();
        for (i, keys) in &before {
            changed.insert(shard_before(keys));
            changed.insert(shards[*i]);
        }
        // Any other template moves only when the count of one of its keys changed.
        for (t, (keys, _)) in keyed.iter().enumerate() {
            if keys.iter().any(|k| delta.contains_key(k)) && !before.iter().any(|(i, _)| *i == t) {
                let was = shard_before(keys);
                if was != shards[t] {
                    changed.insert(was);
                    changed.insert(shards[t]);
                }
            }
        }
        changed
    });
    let known = KnownKeys(entries_all.iter().map(|e| text_id(e.m)).zip(keyed).collect());
    (by_shard, unigrams, changed, known)
}

/// A template's keys ([`with_keys`]) as their [`Key::hash`]es, and whether
/// they are single words.
fn key_hashes(template: &str) -> (Box<[u64]>, bool) {
    with_keys(template, |keys| {
        let single = keys.first().is_some_and(|k| k.1.is_none());
        (keys.iter().map(Key::hash).collect(), single)
    })
}

/// The place of a template's rarest key among its `keys` (as
/// [`key_hashes`]), by `count`: the first in key order (which is the order of
/// the keys' texts) of those as rare; `None` when it has none.
fn rarest<N: Ord>(keys: &[u64], count: impl Fn(&u64) -> N) -> Option<usize> {
    keys.iter()
        .enumerate()
        .min_by_key(|&(i, k)| (count(k), i))
        .map(|(i, _)| i)
}

/// The [`fnv1a`] a template is filed under: its rarest key's, or the empty
/// text's when it has no key.
fn filed_under(keys: &[u64], rarest: Option<usize>) -> u32 {
    match rarest {
        Some(i) => shard_hash(keys[i]),
        None => fnv1a(""),
    }
}

/// Key shards: by shard number, each key's hits.
type KeyShards<'e, 'a> = BTreeMap<u32, BTreeMap<String, Vec<KeyHit<'e, 'a>>>>;

/// What a key shard holds for one event under one key.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum KeyHit<'e, 'a> {
    /// Under its ID: the whole entry.
    Entry(&'e LookupEntry<'a>),
    /// Under its symbolic name: which event it is (source and ID), whose
    /// entry the browser takes from the ID's shard. Holding the entry twice
    /// made the key shards twice as large (15 MB more at 50,000 events).
    Ref {
        /// Source.
        s: &'a str,
        /// ID.
        i: u16,
    },
}

/// Direct hits: file each entry under its ID, and a reference to it under
/// its symbolic name; the shard count and the shards.
fn key_shards<'e, 'a>(
    entries: &'e [LookupEntry<'a>],
    kshards: u32,
    wanted: impl Fn(u32) -> bool,
) -> KeyShards<'e, 'a> {
    let mut by_key: KeyShards = BTreeMap::new();
    for e in entries {
        for (k, hit) in entry_keys(e.i, e.n).zip([KeyHit::Entry(e), KeyHit::Ref { s: e.s, i: e.i }]) {
            let shard = fnv1a(&k) % kshards;
            if wanted(shard) {
                by_key.entry(shard).or_default().entry(k).or_default().push(hit);
            }
        }
    }
    by_key
}

/// The number of key shards for `entries`.
fn key_shard_count(entries: &[LookupEntry]) -> u32 {
    shard_count(entries.len() * 160)
}

/// Plain text of a user action, for the index.
fn user_action_text(ua: &UserAction) -> String {
    match ua {
        UserAction::Text(t) => crate::render::markdown::to_plain_text(t),
        UserAction::Steps { intro, steps } => {
            let mut s = intro
                .as_deref()
                .map(crate::render::markdown::to_plain_text)
                .unwrap_or_default();
            for st in steps {
                s.push('\n');
                s.push_str(&crate::render::markdown::to_plain_text(st));
            }
            s
        }
    }
}

/// Statistics of the search stage.
#[derive(Debug, Clone, Default)]
pub struct SearchStats {
    /// Records indexed (events × languages).
    pub records: usize,
    /// Files of the Pagefind bundle.
    pub files: usize,
    /// Bytes of the Pagefind bundle.
    pub bytes: u64,
    /// Time spent indexing.
    pub elapsed: std::time::Duration,
}

/// The most records one Pagefind index holds. Pagefind keeps every record of
/// an index in memory, several times over while it builds (about 80 KB per
/// synthetic record at peak), so a language with more records is split into
/// parts of at most this many, and the browser merges them (`mergeIndex`).
/// Parts that run at the same time hold at most twice this many records
/// together (see [`build_index`]), so that two cores index a large language.
/// 10,000 records in one part peak at about 1.4 GB; two parts of 10,000
/// built at once, at about 2.4 GB (docs/performance.md, "Session 6").
const PART_RECORDS: usize = 10_000;

/// Records per index part: [`PART_RECORDS`], or `EVENTREF_SEARCH_PART_RECORDS`
/// (tests use it to split small sites).
fn part_records() -> usize {
    std::env::var("EVENTREF_SEARCH_PART_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(PART_RECORDS)
}

/// A language with at least this many records gets at least two index parts,
/// so that two threads share its indexing (Pagefind builds one index on one
/// thread) within the memory of one part of the same records. Fixed rather
/// than taken from the machine's core count, so that every machine writes
/// the same files.
const SPLIT_RECORDS: usize = 4_000;

/// A language with at least this many records gets at least three parts:
/// two cores index two of them at once, so a part's records are what
/// Pagefind holds per core. At 10,000 records, three parts of 3,334 peak at
/// about 700 MB against about 1 GB for two of 5,000, at about the same wall
/// time, while a reader's search fetches 3–15 % more bytes
/// (docs/performance.md, "Session 8").
const THREE_PARTS_RECORDS: usize = 8_000;

/// How many index parts a language with `records` records gets (at least one;
/// at least two from [`SPLIT_RECORDS`] records, three from [`THREE_PARTS_RECORDS`]).
/// The parts are as even as possible: each holds `records.div_ceil(parts)`
/// consecutive records, the last one the rest.
pub fn index_parts(records: usize) -> u32 {
    let parts = records.div_ceil(part_records()).max(1);
    let least = match records {
        r if r >= THREE_PARTS_RECORDS => 3,
        r if r >= SPLIT_RECORDS => 2,
        _ => 1,
    };
    parts.max(least) as u32
}

/// The folder of a language's index part, relative to the site root: the
/// whole Pagefind bundle of the language in `pagefind/{lang}/`, and further
/// parts (index files only, no scripts) in `pagefind/{lang}/{k}/`.
pub fn part_dir(lang: &str, part: u32) -> String {
    urls::pagefind_part_dir(lang, part)
}

/// Whether a bundle file is needed in the browser. The first part keeps the
/// search library (`pagefind.js`, its worker and its wasm) but not the UI
/// kits the theme does not use; further parts, loaded with `mergeIndex`,
/// only need their entry, meta, filter, word and fragment files.
fn keep_file(name: &str, part: u32) -> bool {
    let index_file = name.contains('/') || name == "pagefind-entry.json" || name.ends_with(".pf_meta");
    index_file
        || part == 0 && (name == "pagefind.js" || name == "pagefind-worker.js" || name.starts_with("wasm."))
}

/// Build the full-text index of every language: one Pagefind bundle per
/// language in `pagefind/{lang}/`, split into [`index_parts`] parts. Parts
/// (of any language) are built at the same time, one per thread, as long as
/// together they hold no more than two full parts' records, so memory stays
/// bounded whatever the number of records and languages, and two cores
/// share the indexing of a large language as of a multilingual site. Each batch is
/// written to the sink and dropped before the next one starts; the files are
/// the same whatever runs at once.
pub fn build_index(
    config: &Config,
    content: &Content,
    level_label: &(dyn Fn(&str, crate::content::Level) -> String + Sync),
    sink: &dyn PageSink,
) -> Result<SearchStats, String> {
    let start = std::time::Instant::now();
    let mut stats = SearchStats::default();
    let parts = index_parts(content.events.len());
    let per_part = content.events.len().div_ceil(parts as usize).max(1);
    let jobs: Vec<(&str, u32, &[Event])> = config
        .languages
        .iter()
        .flat_map(|(lang, _)| {
            (0u32..)
                .zip(content.events.chunks(per_part))
                .map(move |(k, e)| (lang.as_str(), k, e))
        })
        .collect();
    let most = 2 * part_records();
    let mut rest = jobs.as_slice();
    while !rest.is_empty() {
        let mut n = 1;
        let mut records = rest[0].2.len();
        while n < rest.len() && records + rest[n].2.len() <= most {
            records += rest[n].2.len();
            n += 1;
        }
        let (batch, later) = rest.split_at(n);
        rest = later;
        let built = index_batch(batch, |&(lang, part, events)| {
            index_part(config, lang, part, events, level_label)
        })?;
        for (&(lang, part, events), files) in batch.iter().zip(built) {
            stats.records += events.len();
            let dir = part_dir(lang, part);
            for f in files {
                let name = crate::diagnostics::slash_path(&f.filename);
                if !keep_file(&name, part) {
                    continue;
                }
                let path = urls::pagefind_file(&dir, &name);
                stats.files += 1;
                stats.bytes += f.contents.len() as u64;
                sink.put(&path, &f.contents)
                    .map_err(|e| format!("cannot write {path}: {e}"))?;
            }
        }
    }
    stats.elapsed = start.elapsed();
    Ok(stats)
}

/// Run `index` on each part of `batch`, as jobs of the rayon pool (as many
/// at once as it has threads), and collect the results in `batch` order.
///
/// A part drives Pagefind with a runtime's `block_on`, and Pagefind's own
/// parallel steps run on the pool: a worker waiting for them inside one
/// part can pick up another part's job, and a runtime must not start within
/// a runtime (that panics). Such a job runs on a thread of its own instead,
/// while the worker helps the pool with its other work (which lets the
/// Pagefind steps it waits for go on, even on a pool of one thread).
fn index_batch<J: Sync, T: Send>(
    batch: &[J],
    index: impl Fn(&J) -> Result<T, String> + Sync,
) -> Result<Vec<T>, String> {
    use rayon::prelude::*;
    batch
        .par_iter()
        .map(|job| {
            if tokio::runtime::Handle::try_current().is_err() {
                return index(job);
            }
            std::thread::scope(|scope| {
                let part = scope.spawn(|| index(job));
                while !part.is_finished() {
                    if rayon::yield_now() != Some(rayon::Yield::Executed) {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                }
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        })
        .collect()
}

/// The Pagefind files of one part of one language's index.
fn index_part(
    config: &Config,
    lang: &str,
    part: u32,
    events: &[Event],
    level_label: &(dyn Fn(&str, crate::content::Level) -> String + Sync),
) -> Result<Vec<pagefind::api::SyntheticFile>, String> {
    let default = config.default_language.as_str();
    let timings = std::env::var_os("EVENTREF_SEARCH_TIMINGS").is_some();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the indexing runtime: {e}"))?;
    let part_start = std::time::Instant::now();
    runtime.block_on(async {
        let options = pagefind::options::PagefindServiceConfig::builder()
            .keep_index_url(false)
            .build();
        let mut index = pagefind::api::PagefindIndex::new(Some(options)).map_err(|e| e.to_string())?;
        for e in events {
            let l = i18n::localize(e, lang, default);
            let (content_text, meta, filters) = record(config, e, &l, lang, level_label);
            index
                .add_custom_record(
                    Route::event(e).in_lang(lang),
                    content_text,
                    pagefind_language(lang),
                    Some(meta),
                    Some(filters),
                    None,
                )
                .await
                .map_err(|err| format!("cannot index {} {}: {err}", e.source, e.id))?;
        }
        let added = part_start.elapsed();
        let files = index.get_files().await.map_err(|e| e.to_string());
        if timings {
            eprintln!(
                "search: {lang} part {part}: {} records added in {added:?}, index built in {:?}",
                events.len(),
                part_start.elapsed() - added
            );
        }
        files
    })
}

/// Pagefind's language code: the primary subtag (it stems by language).
fn pagefind_language(lang: &str) -> String {
    lang.split('-').next().unwrap_or(lang).to_string()
}

type Record = (String, BTreeMap<String, String>, BTreeMap<String, Vec<String>>);

fn record(
    config: &Config,
    e: &Event,
    l: &LocalizedEvent,
    lang: &str,
    level_label: &dyn Fn(&str, crate::content::Level) -> String,
) -> Record {
    let title = format!("{} {}", e.source, e.id);
    let mut text = String::with_capacity(2048);
    text.push_str(&title);
    text.push('\n');
    if let Some(n) = &e.symbolic_name {
        text.push_str(n);
        text.push('\n');
    }
    text.push_str(l.message.value);
    text.push('\n');
    for p in l.parameters.values() {
        text.push_str(p.value);
        text.push('\n');
    }
    if let Some(x) = &l.explanation {
        text.push_str(&crate::render::markdown::to_plain_text(x.value));
        text.push('\n');
    }
    if let Some(u) = &l.user_action {
        text.push_str(&user_action_text(u.value));
    }
    let mut meta = BTreeMap::new();
    meta.insert("title".to_string(), title);
    meta.insert("message".to_string(), l.message.value.to_string());
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    filters.insert("source".into(), vec![e.source.clone()]);
    if let Some(c) = &l.category {
        filters.insert("category".into(), vec![c.value.to_string()]);
    }
    if let Some(lv) = e.level {
        let label = level_label(lang, lv);
        meta.insert("level".into(), label.clone());
        filters.insert("level".into(), vec![label]);
    }
    let product = e.product.as_deref().or(config.defaults.product.as_deref());
    let version = e
        .product_version
        .as_deref()
        .or(config.defaults.product_version.as_deref());
    if let Some(v) = match (product, version) {
        (Some(p), Some(v)) => Some(format!("{p} {v}")),
        (Some(p), None) => Some(p.to_string()),
        (None, Some(v)) => Some(v.to_string()),
        (None, None) => None,
    } {
        filters.insert("version".into(), vec![v]);
    }
    if let Some(c) = &e.channel {
        filters.insert("log".into(), vec![c.clone()]);
    }
    (text, meta, filters)
}

/// The search stage: lookup files for every language, and the full-text index
/// unless `full_text` is off (`--no-search`).
pub fn write(
    config: &Config,
    content: &Content,
    theme: &crate::render::theme::Theme,
    sink: &dyn PageSink,
    full_text: bool,
    scope: &LookupScope,
) -> Result<Option<SearchStats>, String> {
    write_lookups(config, content, full_text, sink, scope)?;
    if !full_text {
        return Ok(None);
    }
    write_index(config, content, &index_strings(config, theme), sink).map(Some)
}

/// The lookup tables of every language (`<lang>/lookup/`), the files `scope`
/// names; `full_text` says whether the full-text index is built too (its
/// parts are listed in `meta.json`).
pub fn write_lookups(
    config: &Config,
    content: &Content,
    full_text: bool,
    sink: &dyn PageSink,
    scope: &LookupScope,
) -> Result<(), String> {
    let default = config.default_language.as_str();
    // After an edit: each edited event as it was and as it is.
    let edited = match scope {
        LookupScope::All => None,
        LookupScope::Keys { keys, old } => edited_pairs(content, old).map(|pairs| (keys, pairs)),
    };
    // The keys of the last language's templates (see `KnownKeys`).
    let mut known = KnownKeys::default();
    for (lang, _) in &config.languages {
        // On both cores: a language's translations are checked for staleness
        // here (14 ms at 10,000 events on one core, on the path of a one-edit build).
        let localized: Vec<LocalizedEvent> = {
            use rayon::prelude::*;
            content
                .events
                .par_iter()
                .map(|e| i18n::localize(e, lang, default))
                .collect()
        };
        let partial = edited.as_ref().map(|(keys, pairs)| {
            let (old, new): (Vec<LocalizedEvent>, Vec<LocalizedEvent>) = pairs
                .iter()
                .map(|&(a, i)| {
                    let b = &content.events[i];
                    (i18n::localize(a, lang, default), i18n::localize(b, lang, default))
                })
                .unzip();
            let bytes = |ls: &[LocalizedEvent]| -> isize {
                ls.iter().map(|l| template_bytes(l.message.value) as isize).sum()
            };
            let previous = sink.previous(&urls::in_lang(lang, urls::LOOKUP_WORDS));
            Partial {
                keys,
                template_bytes_before: bytes(&old) - bytes(&new),
                vocabulary: previous.and_then(|p| super::lookup::vocabulary_after_edit(&p, &old, &new)),
                templates_before: (pairs.iter().zip(old))
                    .map(|(&(_, i), l)| (i, l.message.value))
                    .collect(),
            }
        });
        let put = |path: &str, bytes: &[u8]| put_table(config, sink, &urls::in_lang(lang, path), bytes);
        let LookupFiles {
            dropped,
            mut meta,
            keys,
        } = lookup_files(&localized, partial.as_ref(), std::mem::take(&mut known), &put)?;
        known = keys;
        if full_text {
            meta.index_parts = index_parts(content.events.len());
        }
        for path in dropped {
            drop_table(config, sink, &urls::in_lang(lang, &path))?;
        }
        let path = urls::in_lang(lang, urls::LOOKUP_META);
        put_table(
            config,
            sink,
            &path,
            &serde_json::to_vec(&meta).unwrap_or_default(),
        )?;
    }
    Ok(())
}

/// Each of the events `old` (as they were) with the place of the same event
/// in `content` (as it is); `None` when one is no longer there.
fn edited_pairs<'c>(content: &Content, old: &'c [Event]) -> Option<Vec<(&'c Event, usize)>> {
    old.iter().map(|a| Some((a, content.position_of(a)?))).collect()
}

/// Drop lookup table `path` and its classic-script twin (see [`put_table`]).
fn drop_table(config: &Config, sink: &dyn PageSink, path: &str) -> Result<(), String> {
    sink.remove(path)
        .map_err(|e| format!("cannot remove {path}: {e}"))?;
    if config.offline {
        let script = urls::data_script(path);
        sink.remove(&script)
            .map_err(|e| format!("cannot remove {script}: {e}"))?;
    }
    Ok(())
}

/// Write lookup table `path` (JSON) and, in an offline copy, its classic-script
/// twin, which hands the same data to the page's `eventrefData` (see
/// `static/data.js`): browsers fetch nothing from `file://`, but run scripts.
fn put_table(config: &Config, sink: &dyn PageSink, path: &str, json: &[u8]) -> Result<(), String> {
    sink.put(path, json)
        .map_err(|e| format!("cannot write {path}: {e}"))?;
    if config.offline {
        let script = urls::data_script(path);
        let mut text = Vec::with_capacity(json.len() + 48);
        text.extend_from_slice(b"eventrefData(document.currentScript,");
        text.extend_from_slice(json);
        text.extend_from_slice(b");\n");
        sink.put(&script, &text)
            .map_err(|e| format!("cannot write {script}: {e}"))?;
    }
    Ok(())
}

/// The UI strings of every language, which the full-text index takes its level
/// labels from.
pub fn index_strings(
    config: &Config,
    theme: &crate::render::theme::Theme,
) -> BTreeMap<String, i18n::UiStrings> {
    let default = config.default_language.as_str();
    config
        .languages
        .iter()
        .map(|(lang, _)| (lang.clone(), theme.strings_for(lang, default).0))
        .collect()
}

/// Build the full-text index into `pagefind/`, with level labels from `strings`
/// (see [`index_strings`]).
pub fn write_index(
    config: &Config,
    content: &Content,
    strings: &BTreeMap<String, i18n::UiStrings>,
    sink: &dyn PageSink,
) -> Result<SearchStats, String> {
    let label = |lang: &str, level: crate::content::Level| -> String {
        let key = format!("level_{}", level.as_str().replace('-', "_"));
        match strings.get(lang).and_then(|t| t.get(&key)) {
            Some(i18n::UiString::Text(s)) => s.clone(),
            _ => level.as_str().to_string(),
        }
    };
    build_index(config, content, &label, sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_part_picked_up_inside_another_parts_runtime_runs_on_its_own_thread() {
        // A pool worker inside a runtime (as inside a part, waiting for
        // Pagefind) runs index_batch: its parts start runtimes of their own,
        // which must not happen on that worker.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let part = |&k: &u32| {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            Ok(runtime.block_on(async move { k * 10 }))
        };
        let out = pool.install(|| {
            let outer = tokio::runtime::Builder::new_current_thread().build().unwrap();
            outer.block_on(async { index_batch(&[1, 2, 3], part) })
        });
        assert_eq!(out, Ok(vec![10, 20, 30]));
        // Outside a runtime, on the pool as before; errors come through.
        assert_eq!(pool.install(|| index_batch(&[1, 2], part)), Ok(vec![10, 20]));
        let failed = index_batch(&[1, 2], |&k| if k == 2 { Err("two".to_string()) } else { Ok(k) });
        assert_eq!(failed, Err("two".to_string()));
    }

    /// The rule [`template_keys`] implements, written plainly: normalise,
    /// lower-case, split into text and inserts, and take the regex's words.
    fn reference_keys(template: &str) -> Vec<String> {
        let norm = crate::search::lookup::normalize(template).to_lowercase();
        let segs = message::parse(&norm);
        let mut pairs: Vec<String> = Vec::new();
        let mut singles: Vec<String> = Vec::new();
        for (k, seg) in segs.iter().enumerate() {
            let Segment::Text { text } = seg else { continue };
            let words: Vec<&str> = word_regex()
                .find_iter(text)
                .filter(|m| !(k > 0 && m.start() == 0 || k + 1 < segs.len() && m.end() == text.len()))
                .map(|m| m.as_str())
                .collect();
            pairs.extend(words.windows(2).map(|w| format!("{} {}", w[0], w[1])));
            if pairs.is_empty() {
                singles.extend(words.iter().map(|w| w.to_string()));
            }
        }
        let mut out = if pairs.is_empty() { singles } else { pairs };
        out.sort();
        out.dedup();
        out
    }

    proptest::proptest! {
        /// Templates are filed under their rarest key, the first in text
        /// order among equally rare ones: keys compare as their texts do.
        #[test]
        fn keys_order_as_their_texts(
            a in "[a-zé0-9]{3,5}", b in proptest::option::of("[a-zé0-9]{3,5}"),
            c in "[a-zé0-9]{3,5}", d in proptest::option::of("[a-zé0-9]{3,5}"),
        ) {
            let (x, y) = (Key(&a, b.as_deref()), Key(&c, d.as_deref()));
            // Pairs and single words are never mixed in one template's keys.
            proptest::prop_assume!(b.is_some() == d.is_some());
            proptest::prop_assert_eq!(x.cmp(&y), x.text().cmp(&y.text()));
            proptest::prop_assert_eq!(x == y, x.hash() == y.hash());
        }

        #[test]
        fn keys_follow_the_rule(t in "([A-Za-z0-9 .,:'\\t\\n\\x0b%{}!_-]|%[0-9]|\\{[A-Za-z]{1,3}( [a-z]{1,2}){0,2}\\}|\\PC){0,40}") {
            proptest::prop_assert_eq!(template_keys(&t), reference_keys(&t));
        }
    }

    #[test]
    fn an_edit_rewrites_the_shards_it_touches_and_drops_those_left_empty() {
        let shards: BTreeMap<u32, &str> = [(0, "a"), (2, "c"), (3, "d")].into();
        let path = |s: u32| format!("{s}.json");
        // The files put, sorted (shards are put in parallel), and the paths dropped.
        let write = |files: ShardFiles<&str>| {
            let put = std::sync::Mutex::new(Vec::new());
            let dropped = files
                .write(path, &|p: &str, b: &[u8]| {
                    put.lock().unwrap().push((p.to_string(), b.to_vec()));
                    Ok(())
                })
                .unwrap();
            let mut put = put.into_inner().unwrap();
            put.sort();
            (put, dropped)
        };
        // After an edit of keys in shards 2 and 1: shard 2 is rewritten, 1 is now empty.
        let (files, dropped) = write(ShardFiles::only(shards.clone(), [2, 1].into_iter()));
        assert_eq!(files, [("2.json".to_string(), b"\"c\"".to_vec())]);
        assert_eq!(dropped, ["1.json"]);
        // Every shard of 4, when the last build had 8: the empty ones and those past 4 go.
        let (files, dropped) = write(ShardFiles::all(shards.clone(), 4, Some(8)));
        assert_eq!(files.len(), 3);
        assert_eq!(dropped, ["1.json", "4.json", "5.json", "6.json", "7.json"]);
        // A full build drops nothing: its output starts empty.
        assert!(write(ShardFiles::all(shards, 4, None)).1.is_empty());
        // A file that cannot be put is an error.
        let failed =
            ShardFiles::all([(0, "a")].into(), 1, None).write(path, &|p: &str, _: &[u8]| Err(p.to_string()));
        assert_eq!(failed, Err("0.json".to_string()));
    }

    #[test]
    fn keys_are_word_pairs_not_touching_inserts() {
        assert_eq!(
            template_keys("Send connector %1: an error occurred while connecting to %2."),
            [
                "error occurred",
                "occurred while",
                "send connector",
                "while connecting"
            ]
        );
        assert_eq!(template_keys("on disk%1 now"), ["now"]);
        assert_eq!(template_keys("%1"), Vec::<String>::new());
    }

    #[test]
    fn a_language_of_a_few_thousand_records_is_indexed_in_two_or_three_parts() {
        assert_eq!(index_parts(0), 1);
        assert_eq!(index_parts(SPLIT_RECORDS - 1), 1);
        assert_eq!(index_parts(SPLIT_RECORDS), 2);
        assert_eq!(index_parts(THREE_PARTS_RECORDS - 1), 2);
        assert_eq!(index_parts(THREE_PARTS_RECORDS), 3);
        assert_eq!(index_parts(PART_RECORDS * 3), 3);
        assert_eq!(index_parts(PART_RECORDS * 3 + 1), 4);
    }

    #[test]
    fn a_keys_hash_holds_the_shard_hash_of_its_text() {
        // template_shards files a template by the high half of its rarest
        // key's hash: it must be the key's text's fnv1a, as the browser
        // works it out.
        for key in [
            Key("error", Some("occurred")),
            Key("connector", None),
            Key("送信", Some("コネクタ")),
        ] {
            assert_eq!(shard_hash(key.hash()), fnv1a(&key.text()), "{key:?}");
        }
        // Two keys with the same text have the same hash; others do not.
        assert_eq!(Key("a", Some("b")).hash(), Key("a", Some("b")).hash());
        assert_ne!(Key("ab", None).hash(), Key("a", Some("b")).hash());
    }

    #[test]
    fn hash_matches_the_browser() {
        // Same values as fnv1a() in static/lookup.js.
        assert_eq!(fnv1a(""), 0x811c9dc5);
        assert_eq!(fnv1a("a"), 0xe40c292c);
    }
}
