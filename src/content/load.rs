//! Loading a whole site's content: the walk of `content/`, parallel parsing of
//! every record, the checks that span records (duplicate keys, slug
//! collisions, related events), attaching overlays, and re-reading single
//! edited files for the live preview.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::fields::MapRef;
use super::index;
use super::links::{AnchorLinks, MdLink, OnPage, SiteMap};
use super::model::{Event, EventKey, OverlayFile};
use super::record::{Parsed, RecordKey, parse_file};
use super::value_map::{SharedMaps, load_shared, unknown_map};
use super::yaml::FileStamps;
use crate::config::Config;
use crate::content::slug::Slug;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, did_you_mean};

/// The checked content of a site.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// All events, sorted by source then ID.
    pub events: Vec<Event>,
    /// Translation overlays found next to records.
    pub overlays: Vec<OverlayFile>,
    /// The site's shared value maps (`value_maps/`), by name.
    pub value_maps: SharedMaps,
}

impl Content {
    /// Where the event of `e`'s source and ID is in [`Content::events`] (which
    /// is sorted by both).
    pub fn position_of(&self, e: &Event) -> Option<usize> {
        self.events
            .binary_search_by(|n| n.source.cmp(&e.source).then(n.id.cmp(&e.id)))
            .ok()
    }

    /// Load and check every record under the site's `content/` folder.
    ///
    /// Returns the content (possibly partial) and every diagnostic; callers must
    /// not render when the diagnostics contain errors.
    pub fn load(config: &Config) -> (Content, Diagnostics) {
        let (content, diags, _) = Content::load_state(config);
        (content, diags)
    }

    /// Like [`Content::load`], also returning what [`Content::apply_edits`]
    /// needs to take later edits of single files into account.
    pub fn load_state(config: &Config) -> (Content, Diagnostics, LoadState) {
        Content::load_with(config, None)
    }

    /// Like [`Content::load_state`], also returning what the load saw of each
    /// file it read (see [`FileStamps`]).
    pub fn load_stamped(config: &Config) -> ((Content, Diagnostics, LoadState), FileStamps) {
        let stamps = FileStamps::default();
        let loaded = Content::load_with(config, Some(&stamps));
        (loaded, stamps)
    }

    fn load_with(config: &Config, stamps: Option<&FileStamps>) -> (Content, Diagnostics, LoadState) {
        let mut global = Diagnostics::new();
        let dir = config.content_dir();
        let files = index::discover(&config.root, &dir, &mut global);
        let languages: Vec<String> = config.language_codes().map(str::to_string).collect();
        let value_maps = load_shared(&config.root, &languages, &mut global);
        // In pieces of at most 64 files: rayon otherwise leaves each core a
        // quarter of the files to parse alone, and one core finished its
        // quarter 0.3 s before the other at 50,000 events.
        let parsed: Vec<Parsed> = files
            .records
            .par_iter()
            .with_max_len(64)
            .map(|rel| {
                let mut p = parse_file(&config.root, rel, stamps);
                resolve_maps(&mut p, &value_maps);
                p
            })
            .collect();
        let mut events = Vec::with_capacity(parsed.len());
        let mut keys = Vec::with_capacity(parsed.len());
        let mut records = HashMap::with_capacity(parsed.len());
        for (rel, p) in files.records.iter().zip(parsed) {
            if let Some(k) = &p.key {
                keys.push(k.clone());
            }
            let has_event = p.event.is_some();
            if let Some(ev) = p.event {
                events.push(ev);
            }
            records.insert(
                rel.clone(),
                RecordState {
                    key: p.key,
                    has_event,
                    related_locs: p.related_locs,
                    links: p.links,
                    diagnostics: p.diagnostics,
                    related_diagnostics: Vec::new(),
                },
            );
        }
        check_keys(&keys, &mut global);
        with_snippets(&config.root, global.iter_mut());
        let known = KnownKeys::new(keys.iter());
        let site = site_map(config, keys.iter());
        // Related events and links, checked on both cores (this was the
        // serial end of loading); only a record with findings is touched again.
        let found: Vec<(PathBuf, Vec<Diagnostic>)> = events
            .par_iter_mut()
            .filter_map(|e| {
                let r = records.get(&e.file)?;
                let mut d = check_related(e, &known, &r.related_locs);
                d.extend(check_links(e, &site, &r.links));
                with_snippets(&config.root, d.iter_mut());
                (!d.is_empty()).then(|| (e.file.clone(), d))
            })
            .collect();
        for (file, d) in found {
            if let Some(r) = records.get_mut(&file) {
                r.related_diagnostics = d;
            }
        }
        let overlay_diags =
            crate::content::overlay::attach_each(config, &mut events, &files.overlays, Some(&site), stamps);
        let events = in_site_order(events);
        let state = LoadState {
            records,
            overlays: files
                .overlays
                .iter()
                .zip(overlay_diags)
                .map(|(o, ds)| (o.file.clone(), (o.clone(), ds)))
                .collect(),
            global,
        };
        let diags = state.diagnostics();
        (
            Content {
                events,
                overlays: files.overlays,
                value_maps,
            },
            diags,
            state,
        )
    }

    /// Take edits of existing record and overlay files (paths relative to the
    /// site root) into account, re-reading only those files. Returns the
    /// replaced events as they were before, and every diagnostic of the site
    /// (as a fresh load would report them).
    ///
    /// Returns `None`, changing nothing, when the edits change the set of files
    /// or events (a file added, removed or renamed, or an event's source or ID
    /// edited, or a record that stopped or started parsing): the caller then
    /// loads everything again.
    pub fn apply_edits(
        &mut self,
        config: &Config,
        state: &mut LoadState,
        changed: &[PathBuf],
    ) -> Option<(Vec<Event>, Diagnostics)> {
        let mut old_events: Vec<Event> = Vec::new();
        // Parse first, so that nothing changes when a full reload is needed.
        let (records, overlays) = parse_edits(config, state, &self.value_maps, changed)?;
        let records = check_edited_related(config, state, records);
        let mut reattach: Vec<OverlayFile> = Vec::new();
        for (rel, p, related_diagnostics) in records {
            let r = state.records.get_mut(&rel)?;
            r.diagnostics = p.diagnostics;
            r.related_diagnostics = related_diagnostics;
            r.related_locs = p.related_locs;
            r.links = p.links;
            let Some(ev) = p.event else { continue };
            let Some(i) = index_of(&self.events, &rel) else {
                continue;
            };
            old_events.push(std::mem::replace(&mut self.events[i], ev));
            // Its translations are checked against it: attach them again.
            reattach.extend(
                state
                    .overlays
                    .values()
                    .filter(|(o, _)| crate::content::overlay::record_path_for(&o.file).contains(&rel))
                    .map(|(o, _)| o.clone()),
            );
        }
        for o in overlays {
            if !reattach.iter().any(|r| r.file == o.file) {
                reattach.push(o);
            }
        }
        self.reattach(config, state, reattach, &mut old_events);
        Some((old_events, state.diagnostics()))
    }

    /// Attach `overlays` again to the events they translate (the events as
    /// they were go into `old_events`), and keep each overlay's diagnostics.
    fn reattach(
        &mut self,
        config: &Config,
        state: &mut LoadState,
        overlays: Vec<OverlayFile>,
        old_events: &mut Vec<Event>,
    ) {
        let site = if overlays.is_empty() {
            SiteMap::default()
        } else {
            site_map(config, state.records.values().filter_map(|r| r.key.as_ref()))
        };
        for o in overlays {
            let target = crate::content::overlay::record_path_for(&o.file)
                .iter()
                .find_map(|p| index_of(&self.events, p));
            let ds = match target {
                Some(i) => {
                    if !old_events.iter().any(|e| e.file == self.events[i].file) {
                        old_events.push(self.events[i].clone());
                    }
                    self.events[i].translations.remove(&o.lang);
                    crate::content::overlay::attach_each(
                        config,
                        std::slice::from_mut(&mut self.events[i]),
                        std::slice::from_ref(&o),
                        Some(&site),
                        None,
                    )
                }
                None => crate::content::overlay::attach_each(
                    config,
                    &mut [],
                    std::slice::from_ref(&o),
                    None,
                    None,
                ),
            };
            if let Some(slot) = state.overlays.get_mut(&o.file) {
                slot.1 = ds.into_iter().flatten().collect();
            }
        }
    }
}

/// The position of the event read from `file`. Compared as strings: `Path`
/// equality walks components, which adds up over 10,000 events.
fn index_of(events: &[Event], file: &Path) -> Option<usize> {
    events.iter().position(|e| e.file.as_os_str() == file.as_os_str())
}

/// Edited records as parsed, by path.
type ParsedRecords = Vec<(PathBuf, Parsed)>;

/// Parse the edited files, or `None` when the edits change the set of files
/// or events (see [`Content::apply_edits`]). Returns the parsed records and
/// the edited overlays.
fn parse_edits(
    config: &Config,
    state: &LoadState,
    value_maps: &SharedMaps,
    changed: &[PathBuf],
) -> Option<(ParsedRecords, Vec<OverlayFile>)> {
    let mut records = Vec::new();
    let mut overlays = Vec::new();
    for rel in changed {
        let known = state.records.contains_key(rel) || state.overlays.contains_key(rel);
        if !known && !config.root.join(rel).exists() {
            // A temporary file that came and went (editors, sed -i), unless it
            // was a folder that held records.
            if state.records.keys().any(|r| r.starts_with(rel)) {
                return None;
            }
            continue;
        }
        if !config.root.join(rel).is_file() {
            return None;
        }
        if let Some(r) = state.records.get(rel) {
            let mut p = parse_file(&config.root, rel, None);
            resolve_maps(&mut p, value_maps);
            let same_key = match (&p.key, &r.key) {
                (Some(a), Some(b)) => a.source == b.source && a.id == b.id,
                (None, None) => true,
                _ => false,
            };
            if !same_key || p.event.is_some() != r.has_event {
                return None;
            }
            records.push((rel.clone(), p));
        } else if let Some((o, _)) = state.overlays.get(rel) {
            overlays.push(o.clone());
        } else {
            return None;
        }
    }
    Some((records, overlays))
}

/// Check the related events and the links of edited records against the set
/// of keys (which the edits cannot change, but for a record's category).
fn check_edited_related(
    config: &Config,
    state: &mut LoadState,
    records: ParsedRecords,
) -> Vec<(PathBuf, Parsed, Vec<Diagnostic>)> {
    // (Only built when an edited record has related events or links.)
    let any_related = records
        .iter()
        .any(|(_, p)| p.event.as_ref().is_some_and(|e| !e.related.is_empty()) || !p.links.is_empty());
    // The edited records' keys as they are now (a category may have changed).
    for (rel, p) in &records {
        if let Some(r) = state.records.get_mut(rel) {
            r.key = p.key.clone();
        }
    }
    let (known, site) = if any_related {
        let keys = || state.records.values().filter_map(|r| r.key.as_ref());
        (KnownKeys::new(keys()), site_map(config, keys()))
    } else {
        (KnownKeys::new(std::iter::empty()), SiteMap::default())
    };
    records
        .into_iter()
        .map(|(rel, mut p)| {
            let ds = match &mut p.event {
                Some(ev) => {
                    let mut ds = check_related(ev, &known, &p.related_locs);
                    ds.extend(check_links(ev, &site, &p.links));
                    with_snippets(&config.root, ds.iter_mut());
                    ds
                }
                None => Vec::new(),
            };
            (rel, p, ds)
        })
        .collect()
}

/// Give the places `diags` point at the text of their file again (read as
/// parsing read it, from under `root`, each file once) for their snippets:
/// the places a record keeps for the checks made after every record is read
/// hold no text (`Parsed::forget_texts`).
fn with_snippets<'a>(root: &Path, diags: impl Iterator<Item = &'a mut Diagnostic>) {
    let mut texts: HashMap<PathBuf, Option<std::sync::Arc<str>>> = HashMap::new();
    for d in diags {
        for l in d.locations_mut().filter(|l| l.source.is_none() && l.line > 0) {
            l.source = texts
                .entry(l.file.clone())
                .or_insert_with(|| super::yaml::read_text(root, &l.file).ok())
                .clone();
        }
    }
}

/// What [`Content::load_state`] keeps to apply later edits of single files.
pub struct LoadState {
    pub(super) records: HashMap<PathBuf, RecordState>,
    pub(super) overlays: BTreeMap<PathBuf, (OverlayFile, Vec<Diagnostic>)>,
    /// Problems that span files (duplicates, slug collisions, unreadable folders).
    pub(super) global: Diagnostics,
}

pub(super) struct RecordState {
    pub(super) key: Option<RecordKey>,
    pub(super) has_event: bool,
    pub(super) related_locs: Vec<Location>,
    pub(super) links: Vec<MdLink>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Related events and links that lead nowhere.
    pub(super) related_diagnostics: Vec<Diagnostic>,
}

impl LoadState {
    /// Every diagnostic, sorted.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut d = self.global.clone();
        for r in self.records.values() {
            d.extend(r.diagnostics.iter().cloned());
            d.extend(r.related_diagnostics.iter().cloned());
        }
        for (_, ds) in self.overlays.values() {
            d.extend(ds.iter().cloned());
        }
        d.sort();
        d
    }
}

/// Resolve the fields' references to shared value maps; report the ones that name no map.
fn resolve_maps(p: &mut Parsed, maps: &SharedMaps) {
    let refs = std::mem::take(&mut p.map_refs);
    for MapRef {
        version,
        field,
        name,
        loc,
    } in refs
    {
        match maps.get(&name) {
            Some(m) => {
                let Some(e) = p.event.as_mut() else { continue };
                let fields = match version {
                    None => Some(&mut e.fields),
                    Some(v) => e.versions.get_mut(v).and_then(|v| v.fields.as_mut()),
                };
                if let Some(f) = fields.and_then(|f| f.get_mut(field)) {
                    f.value_map = Some(m.clone());
                }
            }
            None => p.diagnostics.push(unknown_map(&name, maps, loc)),
        }
    }
}

/// Duplicate (source, id) pairs and sources whose URL slugs collide.
fn check_keys(keys: &[RecordKey], diags: &mut Diagnostics) {
    // `keys` is in file order (discovery sorts by name), so "first" is stable.
    let mut seen: HashMap<(&Slug, u16), &RecordKey> = HashMap::new();
    let mut by_slug: HashMap<&Slug, &RecordKey> = HashMap::new();
    let mut reported_pairs = std::collections::HashSet::new();
    for k in keys {
        if let Some(first) = seen.get(&(&k.slug, k.id)) {
            if first.source == k.source {
                diags.push(
                    Diagnostic::error(
                        "duplicate-event",
                        format!("{} {} is defined twice", k.source, k.id),
                    )
                    .at(k.id_loc.clone())
                    .note("first defined here", Some(first.id_loc.clone()))
                    .help("each (source, id) pair must appear in exactly one record; merge the two files"),
                );
            }
        } else {
            seen.insert((&k.slug, k.id), k);
        }
        match by_slug.get(&k.slug) {
            Some(other) if other.source != k.source => {
                if reported_pairs.insert((other.source.clone(), k.source.clone())) {
                    diags.push(
                        Diagnostic::error(
                            "slug-collision",
                            format!(
                                "sources `{}` and `{}` would share the URL /{}/",
                                other.source, k.source, k.slug
                            ),
                        )
                        .at(k.source_loc.clone())
                        .note(
                            format!("`{}` is used here", other.source),
                            Some(other.source_loc.clone()),
                        )
                        .help("spell the source exactly as in the other records, or rename one of them"),
                    );
                }
            }
            Some(_) => {}
            None => {
                by_slug.insert(&k.slug, k);
            }
        }
    }
}

/// Resolve `related` references; report the ones that point nowhere.
/// The keys of every record, for resolving related events.
struct KnownKeys<'a> {
    events: HashMap<(&'a str, u16), &'a str>,
    sources: std::collections::HashSet<&'a str>,
}

impl<'a> KnownKeys<'a> {
    fn new(keys: impl Iterator<Item = &'a RecordKey>) -> Self {
        let mut k = KnownKeys {
            events: HashMap::new(),
            sources: std::collections::HashSet::new(),
        };
        for key in keys {
            k.events.insert((key.slug.as_str(), key.id), key.source.as_str());
            k.sources.insert(key.slug.as_str());
        }
        k
    }
}

/// What exists on the site, for resolving links in record prose.
fn site_map<'a>(config: &'a Config, keys: impl Iterator<Item = &'a RecordKey>) -> SiteMap<'a> {
    let mut site = SiteMap::default();
    for k in keys {
        site.events.insert((k.slug.as_str(), k.id), k.source.as_str());
        site.sources.insert(k.slug.as_str(), k.source.as_str());
        if let Some(c) = k.category.as_deref()
            && let Some(cs) = Slug::new(c)
        {
            site.categories.insert((k.slug.as_str(), cs.to_string()), c);
        }
    }
    site.languages = config.languages.iter().map(|(c, _)| c.as_str()).collect();
    site.default_language = config.default_language.as_str();
    site.files = site_files(config);
    site
}

/// The site's own static files (`static/`, published at the site root), by
/// their `/`-separated paths, hidden files left out as the theme leaves them.
fn site_files(config: &Config) -> std::collections::BTreeSet<String> {
    let dir = config.root.join(crate::config::layout::STATIC);
    walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&dir).ok()?;
            let parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
            Some(parts.join("/"))
        })
        .collect()
}

/// `events` by source and ID (as loaded, where both are the same), each
/// moved once: an `Event` is about 600 bytes, and sorting the events
/// themselves moved each of them once per merge.
fn in_site_order(events: Vec<Event>) -> Vec<Event> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.par_sort_by(|&a, &b| {
        let (x, y) = (&events[a], &events[b]);
        x.source.cmp(&y.source).then(x.id.cmp(&y.id)).then(a.cmp(&b))
    });
    let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
    let mut sorted = Vec::with_capacity(slots.len());
    sorted.extend(order.into_iter().filter_map(|i| slots[i].take()));
    sorted
}

/// The links of `e`'s prose and `links:` that lead nowhere on the site; the
/// links to anchors go to `e.anchor_links`, for checking on the rendered pages.
fn check_links(e: &mut Event, site: &SiteMap, links: &[MdLink]) -> Vec<Diagnostic> {
    let on = OnPage {
        lang: site.default_language,
        source_slug: e.source_slug.as_str(),
        id: e.id,
    };
    let mut anchors = Vec::new();
    let diags = links
        .iter()
        .filter_map(|l| super::links::check(site, on, l, &mut anchors))
        .collect();
    e.anchor_links = AnchorLinks(anchors);
    diags
}

/// Resolve `e.related` (keeping only events that exist) and report the others.
fn check_related(e: &mut Event, known: &KnownKeys, locs: &[Location]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut resolved = Vec::new();
    for (k, loc) in e.related.iter().zip(locs.iter().cloned()) {
        let slug = Slug::new(&k.source);
        let slug_str = slug.as_ref().map(Slug::as_str).unwrap_or("");
        match known.events.get(&(slug_str, k.id)) {
            Some(src) => resolved.push(EventKey {
                source: (*src).to_string(),
                id: k.id,
            }),
            None => {
                let help = if known.sources.contains(slug_str) {
                    format!("{} has no event {}; add it, or fix the ID", k.source, k.id)
                } else if let Some(near) = did_you_mean(
                    &k.source,
                    known
                        .events
                        .values()
                        .copied()
                        .collect::<std::collections::BTreeSet<_>>(),
                ) {
                    format!("there is no source `{}`; did you mean `{near}`?", k.source)
                } else {
                    format!(
                        "there is no source `{}`; check the spelling or add the event",
                        k.source
                    )
                };
                diags.push(
                    Diagnostic::error(
                        "dangling-related",
                        format!("related event {}/{} does not exist", k.source, k.id),
                    )
                    .at(loc)
                    .help(help),
                );
            }
        }
    }
    e.related = resolved;
    diags
}
