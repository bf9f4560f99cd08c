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
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::links::{AnchorLink, AnchorLinks, MdLink};
use super::load::{Content, LoadState, RecordState};
use super::model::{Event, OverlayFile};
use super::record::RecordKey;
use super::value_map::SharedMaps;
use crate::diagnostics::{Diagnostics, Location};
use crate::slug::Slug;

/// A [`Content`] and its [`LoadState`] as read back ([`Snapshot::restore`];
/// [`Content::snapshot`] writes it). Each record file's part (its event, the
/// event's links to anchors, what `apply_edits` keeps of the file) is
/// encoded on its own, so that a build that changed a few files re-encodes
/// only those ([`Encoded`]). The parts stay where they were read, in the
/// buffer the whole state was read into: copying them out took a tenth of a
/// one-edit build's time to read the state (29 MB at 10,000 events, in two
/// languages), most of it the fresh memory for the copies.
pub struct Snapshot {
    buf: Vec<u8>,
    places: SnapshotPlaces,
}

/// A [`Snapshot`] as decoded from the buffer it was read into: its parts
/// borrowed from it ([`SnapshotParts::places`] and `SnapshotPlaces::in_buffer`
/// make it a `Snapshot`).
#[derive(Deserialize)]
pub struct SnapshotParts<'a> {
    #[serde(borrow)]
    files: Vec<(PathBuf, &'a [u8])>,
    overlays: Vec<(PathBuf, String)>,
    value_maps: SharedMaps,
}

/// A [`Snapshot`] but for the buffer its parts are in: where in it each
/// record file's part is.
pub struct SnapshotPlaces {
    files: Vec<(PathBuf, Range<usize>)>,
    overlays: Vec<(PathBuf, String)>,
    value_maps: SharedMaps,
}

impl SnapshotPlaces {
    /// The snapshot whose parts are in `buf` (the buffer [`SnapshotParts::places`] was given).
    pub fn in_buffer(self, buf: Vec<u8>) -> Snapshot {
        Snapshot { buf, places: self }
    }
}

impl SnapshotParts<'_> {
    /// Each part's place in `buf`, the buffer they were decoded from; `None`
    /// if a part is not in it.
    pub fn places(self, buf: &[u8]) -> Option<SnapshotPlaces> {
        let base = buf.as_ptr() as usize;
        let files = self
            .files
            .into_iter()
            .map(|(path, part)| {
                let start = (part.as_ptr() as usize).checked_sub(base)?;
                let end = start.checked_add(part.len()).filter(|&end| end <= buf.len())?;
                Some((path, start..end))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(SnapshotPlaces {
            files,
            overlays: self.overlays,
            value_maps: self.value_maps,
        })
    }
}

/// The same fields as [`Snapshot`], borrowed: what a build writes.
#[derive(Serialize)]
pub struct SnapshotRef<'a> {
    files: Vec<(&'a Path, PartRef<'a>)>,
    overlays: Vec<(&'a Path, &'a str)>,
    value_maps: &'a SharedMaps,
}

/// The encoded parts of the record files of a restored snapshot, by path:
/// their places in the buffer the state was read into.
#[derive(Default)]
pub struct Encoded {
    buf: Vec<u8>,
    parts: HashMap<PathBuf, Range<usize>>,
}

impl Encoded {
    /// The encoded part of the record file at `path`.
    fn get(&self, path: &Path) -> Option<&[u8]> {
        self.buf.get(self.parts.get(path)?.clone())
    }
}

/// One record file's part of a snapshot.
#[derive(Deserialize)]
struct FilePart {
    record: Record,
    event: Option<Event>,
    anchors: EventAnchors,
}

/// [`FilePart`], borrowed.
#[derive(Serialize)]
struct FilePartRef<'a> {
    record: Record,
    event: Option<&'a Event>,
    anchors: EventAnchors,
}

/// One file's part, decoded: its path, record, event and where in the buffer it was read from.
type Decoded = (PathBuf, RecordState, Option<Event>, Range<usize>);

/// A record file's part as a snapshot writes it: the encoded part it was
/// read with, or encoded when it is written (one at a time, so that a whole
/// site's parts are never all held in memory twice).
enum PartRef<'a> {
    Encoded(&'a [u8]),
    New(&'a RecordState, Option<&'a Event>),
}

impl Serialize for PartRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PartRef::Encoded(bytes) => s.serialize_bytes(bytes),
            PartRef::New(r, e) => match encode_part(r, *e) {
                Some(bytes) => s.serialize_bytes(&bytes),
                None => Err(serde::ser::Error::custom(
                    "a record file's part cannot be encoded",
                )),
            },
        }
    }
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
    /// there is any diagnostic (which is never kept). The parts of the record
    /// files in `reuse` are taken as they are, but for those in `stale`.
    pub fn snapshot<'a>(
        &'a self,
        state: &'a LoadState,
        reuse: &'a Encoded,
        stale: &HashSet<&Path>,
    ) -> Option<SnapshotRef<'a>> {
        let clean = state.global.is_empty()
            && state
                .records
                .values()
                .all(|r| r.diagnostics.is_empty() && r.related_diagnostics.is_empty())
            && state.overlays.values().all(|(_, ds)| ds.is_empty());
        if !clean {
            return None;
        }
        let events: HashMap<&std::ffi::OsStr, &Event> =
            self.events.iter().map(|e| (e.file.as_os_str(), e)).collect();
        let mut files: Vec<(&Path, PartRef)> = state
            .records
            .iter()
            .map(|(p, r)| {
                let part = match reuse.get(p) {
                    Some(b) if !stale.contains(p.as_path()) => PartRef::Encoded(b),
                    _ => PartRef::New(r, events.get(p.as_os_str()).copied()),
                };
                (p.as_path(), part)
            })
            .collect();
        files.sort_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        Some(SnapshotRef {
            files,
            overlays: self
                .overlays
                .iter()
                .map(|o| (o.file.as_path(), o.lang.as_str()))
                .collect(),
            value_maps: &self.value_maps,
        })
    }
}

/// The part of the record file kept in `r` whose event is `event`.
fn encode_part(r: &RecordState, event: Option<&Event>) -> Option<Vec<u8>> {
    let anchors = match event {
        Some(e) => (
            e.anchor_links.0.iter().map(Anchor::from).collect(),
            e.translations
                .iter()
                .map(|(l, t)| (l.clone(), t.anchor_links.0.iter().map(Anchor::from).collect()))
                .collect(),
        ),
        None => Default::default(),
    };
    postcard::to_stdvec(&FilePartRef {
        record: Record::from(r),
        event,
        anchors,
    })
    .ok()
}

impl Snapshot {
    /// The content and load state this snapshot was taken of, with the
    /// encoded parts of its record files; `None` when it does not hang
    /// together (a part that does not read back, two events with one key,
    /// an event without a record, anchors of a missing translation).
    pub fn restore(self) -> Option<(Content, LoadState, Encoded)> {
        let Snapshot {
            buf,
            places:
                SnapshotPlaces {
                    files,
                    overlays,
                    value_maps,
                },
        } = self;
        // Each file's part decodes on its own: on both cores.
        let decoded: Option<Vec<Decoded>> = files
            .into_par_iter()
            .map(|(path, range)| {
                let part: FilePart = postcard::from_bytes(buf.get(range.clone())?).ok()?;
                let state = part.record.into_state();
                let event = match part.event {
                    Some(mut e) => {
                        if !state.has_event || e.file != path {
                            return None;
                        }
                        let (own, translated) = part.anchors;
                        e.anchor_links = AnchorLinks(own.into_iter().map(Anchor::into_link).collect());
                        for (lang, links) in translated {
                            let t = e.translations.get_mut(&lang)?;
                            t.anchor_links = AnchorLinks(links.into_iter().map(Anchor::into_link).collect());
                        }
                        Some(e)
                    }
                    None => None,
                };
                Some((path, state, event, range))
            })
            .collect();
        let decoded = decoded?;
        let mut events = Vec::with_capacity(decoded.len());
        let mut records = HashMap::with_capacity(decoded.len());
        let mut encoded = HashMap::with_capacity(decoded.len());
        for (path, state, event, range) in decoded {
            events.extend(event);
            records.insert(path.clone(), state);
            encoded.insert(path, range);
        }
        events.sort_by(|a, b| a.source.cmp(&b.source).then(a.id.cmp(&b.id)));
        if events
            .windows(2)
            .any(|w| (&w[0].source, w[0].id) == (&w[1].source, w[1].id))
        {
            return None;
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
        Some((content, state, Encoded { buf, parts: encoded }))
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
