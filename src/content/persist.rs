//! A loaded site's content as the build state keeps it between two runs of
//! `eventref build` (see `site::state`): the checked events with what
//! [`Content::apply_edits`] needs to take edits of single files into account
//! ([`LoadState`]), in a form serde can write and read back.
//!
//! Only content without any diagnostic is kept (a site with warnings builds
//! in full, and reports them, until they are fixed), so no diagnostic ever
//! has to be stored. Places in files are stored without the file's text:
//! they only serve diagnostics, and a build that finds an error is redone
//! in full, from the files. What is read back is checked for consistency;
//! anything odd gives `None`, and the caller builds in full.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::links::{AnchorLink, AnchorLinks, MdLink};
use super::load::{Content, LoadState, RecordState};
use super::model::{Event, OverlayFile};
use super::record::RecordKey;
use super::value_map::SharedMaps;
use crate::diagnostics::{Diagnostics, Location};
use crate::slug::Slug;

/// A [`Content`] and its [`LoadState`], ready to be serialized (see
/// [`Content::snapshot`]) or read back ([`Snapshot::restore`]).
#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    events: Vec<Event>,
    /// Per event, in the same order: its links to anchors, and its translations'.
    anchors: Vec<EventAnchors>,
    overlays: Vec<(PathBuf, String)>,
    value_maps: SharedMaps,
    records: Vec<(PathBuf, Record)>,
}

/// The same fields as [`Snapshot`], borrowed: what a build writes.
#[derive(Serialize)]
pub struct SnapshotRef<'a> {
    events: &'a [Event],
    anchors: Vec<EventAnchors>,
    overlays: Vec<(PathBuf, String)>,
    value_maps: &'a SharedMaps,
    records: Vec<(PathBuf, Record)>,
}

type EventAnchors = (Vec<Anchor>, Vec<(String, Vec<Anchor>)>);

#[derive(Serialize, Deserialize)]
struct Loc {
    file: PathBuf,
    line: u32,
    column: u32,
    len: u32,
}

#[derive(Serialize, Deserialize)]
struct Link {
    dest: String,
    field: String,
    loc: Loc,
}

#[derive(Serialize, Deserialize)]
struct Anchor {
    page: String,
    anchor: String,
    link: Link,
}

#[derive(Serialize, Deserialize)]
struct Key {
    source: String,
    slug: Slug,
    id: u16,
    category: Option<String>,
    source_loc: Loc,
    id_loc: Loc,
}

#[derive(Serialize, Deserialize)]
struct Record {
    key: Option<Key>,
    has_event: bool,
    related_locs: Vec<Loc>,
    links: Vec<Link>,
}

impl Content {
    /// This content and `state` as the build state keeps them, or `None` when
    /// there is any diagnostic (which is never kept).
    pub fn snapshot<'a>(&'a self, state: &LoadState) -> Option<SnapshotRef<'a>> {
        let clean = state.global.is_empty()
            && state
                .records
                .values()
                .all(|r| r.diagnostics.is_empty() && r.related_diagnostics.is_empty())
            && state.overlays.values().all(|(_, ds)| ds.is_empty());
        if !clean {
            return None;
        }
        let anchors = self
            .events
            .iter()
            .map(|e| {
                let own = e.anchor_links.0.iter().map(Anchor::from).collect();
                let translated = e
                    .translations
                    .iter()
                    .map(|(l, t)| (l.clone(), t.anchor_links.0.iter().map(Anchor::from).collect()))
                    .collect();
                (own, translated)
            })
            .collect();
        let mut records: Vec<(PathBuf, Record)> = state
            .records
            .iter()
            .map(|(p, r)| (p.clone(), Record::from(r)))
            .collect();
        records.sort_by(|a, b| a.0.cmp(&b.0));
        Some(SnapshotRef {
            events: &self.events,
            anchors,
            overlays: self
                .overlays
                .iter()
                .map(|o| (o.file.clone(), o.lang.clone()))
                .collect(),
            value_maps: &self.value_maps,
            records,
        })
    }
}

impl Snapshot {
    /// The content and load state this snapshot was taken of, or `None` when
    /// it does not hang together (events out of order, an event of no record,
    /// anchors of no event).
    pub fn restore(self) -> Option<(Content, LoadState)> {
        let Snapshot {
            mut events,
            anchors,
            overlays,
            value_maps,
            records,
        } = self;
        let sorted = events
            .windows(2)
            .all(|w| (&w[0].source, w[0].id) < (&w[1].source, w[1].id));
        if !sorted || anchors.len() != events.len() {
            return None;
        }
        let records: HashMap<PathBuf, RecordState> =
            records.into_iter().map(|(p, r)| (p, r.into_state())).collect();
        let files: HashSet<&PathBuf> = records.keys().collect();
        for (e, (own, translated)) in events.iter_mut().zip(anchors) {
            if !files.contains(&e.file) || !records[&e.file].has_event {
                return None;
            }
            e.anchor_links = AnchorLinks(own.into_iter().map(Anchor::into_link).collect());
            for (lang, links) in translated {
                let t = e.translations.get_mut(&lang)?;
                t.anchor_links = AnchorLinks(links.into_iter().map(Anchor::into_link).collect());
            }
        }
        let overlays: Vec<OverlayFile> = overlays
            .into_iter()
            .map(|(file, lang)| OverlayFile { file, lang })
            .collect();
        let state = LoadState {
            records,
            overlays: overlays
                .iter()
                .map(|o| (o.file.clone(), (o.clone(), Vec::new())))
                .collect::<BTreeMap<_, _>>(),
            global: Diagnostics::new(),
        };
        let content = Content {
            events,
            overlays,
            value_maps,
        };
        Some((content, state))
    }
}

impl From<&Location> for Loc {
    fn from(l: &Location) -> Self {
        Loc {
            file: l.file.clone(),
            line: l.line,
            column: l.column,
            len: l.len,
        }
    }
}

impl Loc {
    fn into_location(self) -> Location {
        Location::new(self.file, None, self.line, self.column).with_len(self.len as usize)
    }
}

impl From<&MdLink> for Link {
    fn from(l: &MdLink) -> Self {
        Link {
            dest: l.dest.clone(),
            field: l.field.to_string(),
            loc: Loc::from(&l.loc),
        }
    }
}

impl Link {
    fn into_link(self) -> MdLink {
        MdLink {
            dest: self.dest,
            field: intern(self.field),
            loc: self.loc.into_location(),
        }
    }
}

impl From<&AnchorLink> for Anchor {
    fn from(a: &AnchorLink) -> Self {
        Anchor {
            page: a.page.clone(),
            anchor: a.anchor.clone(),
            link: Link::from(&a.link),
        }
    }
}

impl Anchor {
    fn into_link(self) -> AnchorLink {
        AnchorLink {
            page: self.page,
            anchor: self.anchor,
            link: self.link.into_link(),
        }
    }
}

impl From<&RecordState> for Record {
    fn from(r: &RecordState) -> Self {
        Record {
            key: r.key.as_ref().map(|k| Key {
                source: k.source.clone(),
                slug: k.slug.clone(),
                id: k.id,
                category: k.category.clone(),
                source_loc: Loc::from(&k.source_loc),
                id_loc: Loc::from(&k.id_loc),
            }),
            has_event: r.has_event,
            related_locs: r.related_locs.iter().map(Loc::from).collect(),
            links: r.links.iter().map(Link::from).collect(),
        }
    }
}

impl Record {
    fn into_state(self) -> RecordState {
        RecordState {
            key: self.key.map(|k| RecordKey {
                source: k.source,
                slug: k.slug,
                id: k.id,
                category: k.category,
                source_loc: k.source_loc.into_location(),
                id_loc: k.id_loc.into_location(),
            }),
            has_event: self.has_event,
            related_locs: self.related_locs.into_iter().map(Loc::into_location).collect(),
            links: self.links.into_iter().map(Link::into_link).collect(),
            diagnostics: Vec::new(),
            related_diagnostics: Vec::new(),
        }
    }
}

/// The name of a record field a link is in (`MdLink::field` is a
/// `&'static str`): each distinct name is allocated once per process.
fn intern(name: String) -> &'static str {
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let set = names.get_or_insert_with(HashSet::new);
    if let Some(n) = set.get(name.as_str()) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    set.insert(leaked);
    leaked
}
