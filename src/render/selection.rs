//! Selection: which pages a render produces — the whole site, or only the
//! pages an edit can have changed (the live preview's incremental rebuild).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::content::slug::Slug;
use crate::content::{Content, Event};

use super::context::{SourceGroup, group_sources};

/// Which pages a render produces: the whole site, or only the pages that an
/// edit can have changed (the live preview's incremental rebuild).
///
/// [`Selection::between`] works out the pages from the content before and after
/// an edit. When the set of pages itself changes (an event, source or category
/// appears or disappears, or the source navigation shown on every page
/// changes) it selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub(super) all: bool,
    pub(super) events: HashSet<(Slug, u16)>,
    pub(super) sources: HashSet<Slug>,
    pub(super) categories: HashSet<(Slug, Slug)>,
    /// The pages (from 1) of the all-events listing.
    pub(super) listing: BTreeSet<usize>,
    /// `sitemap.xml` (holds each event's last-modified date).
    pub(super) sitemap: bool,
    /// The search stage's lookup tables (messages, names and parameters).
    pub(super) lookup: bool,
    /// The events (by place in the content) whose data in each language's
    /// JSON export (`api/events.json`) and Atom feed changed: both hold
    /// every event, and are rebuilt only when data they show changed (the
    /// export in part, see [`export::events_file_patched`](super::export::events_file_patched)).
    pub(super) export: BTreeSet<usize>,
}

impl Selection {
    /// Every page.
    pub fn all() -> Selection {
        Selection {
            all: true,
            ..Selection::default()
        }
    }

    /// True when every page is selected.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// True when no page is selected.
    pub fn is_empty(&self) -> bool {
        !self.all
            && self.events.is_empty()
            && self.sources.is_empty()
            && self.categories.is_empty()
            && self.listing.is_empty()
            && !self.sitemap
            && !self.lookup
            && self.export.is_empty()
    }

    /// Whether the lookup tables of the search stage can change.
    pub fn lookup(&self) -> bool {
        self.all || self.lookup
    }

    /// The pages whose bytes can differ between a site rendered from `old` and
    /// one rendered from `new` (same configuration and theme).
    pub fn between(old: &Content, new: &Content) -> Selection {
        let same_pages = old.events.len() == new.events.len()
            && old
                .events
                .iter()
                .zip(&new.events)
                .all(|(a, b)| a.source == b.source && a.source_slug == b.source_slug && a.id == b.id);
        if !same_pages {
            return Selection::all();
        }
        let (old_groups, new_groups) = (group_sources(&old.events), group_sources(&new.events));
        // The navigation (every page) and the category pages must stay the same.
        let shape = |g: &BTreeMap<Slug, SourceGroup>| -> Vec<(Slug, Option<String>, Vec<Slug>)> {
            g.iter()
                .map(|(slug, sg)| {
                    (
                        slug.clone(),
                        sg.events.first().and_then(|e| e.product.clone()),
                        sg.categories.keys().cloned().collect(),
                    )
                })
                .collect()
        };
        if shape(&old_groups) != shape(&new_groups) {
            return Selection::all();
        }
        let mut sel = Selection::default();
        for (i, (a, b)) in old.events.iter().zip(&new.events).enumerate() {
            if a != b {
                sel.add_edit(a, i, new);
            }
        }
        sel
    }

    /// The pages whose bytes can differ after the events in `old` (as they
    /// were) were replaced by their namesakes in `new` (see
    /// [`Content::apply_edits`](crate::content::Content::apply_edits)).
    pub fn for_edits(old: &[Event], new: &Content) -> Selection {
        let mut sel = Selection::default();
        for a in old {
            let Some(i) = new.position_of(a) else {
                return Selection::all();
            };
            let b = &new.events[i];
            if a == b {
                continue;
            }
            // The navigation shows each source's product (from its first event),
            // and each category has a page: those must stay.
            let first_of_source = i == 0 || new.events[i - 1].source_slug != b.source_slug;
            if first_of_source && a.product != b.product {
                return Selection::all();
            }
            let (ca, cb) = (category_slug(a), category_slug(b));
            if ca != cb {
                let others = |c: &Slug| {
                    new.events.iter().any(|e| {
                        e.source_slug == b.source_slug && e.id != b.id && category_slug(e).as_ref() == Some(c)
                    })
                };
                if ca.as_ref().is_some_and(|c| !others(c)) || cb.as_ref().is_some_and(|c| !others(c)) {
                    return Selection::all();
                }
            }
            sel.add_edit(a, i, new);
        }
        sel
    }

    /// Add the pages that show event `new.events[i]`, which was `a` before.
    fn add_edit(&mut self, a: &Event, i: usize, new: &Content) {
        // What other pages show of an event: its link (message, level) and its category.
        fn link_data(e: &Event) -> impl PartialEq + '_ {
            let t: Vec<_> = e.translations.iter().map(|(l, t)| (l, &t.message)).collect();
            (&e.message, e.level, t)
        }
        fn category_data(e: &Event) -> impl PartialEq + '_ {
            let t: Vec<_> = e.translations.iter().map(|(l, t)| (l, &t.category)).collect();
            (&e.category, t)
        }
        // What the search stage's lookup tables (`search::write_lookups`)
        // read of an event: equal values give the same lookup entries. (Its
        // source, ID and slug too; editing those adds and removes pages.)
        fn lookup_data(e: &Event) -> impl PartialEq + '_ {
            let t: Vec<_> = e
                .translations
                .iter()
                .map(|(l, t)| (l, &t.message, &t.parameters, &t.fields, &t.translated_from))
                .collect();
            (
                (&e.message, &e.symbolic_name, &e.parameters),
                (&e.fields, &e.versions),
                t,
            )
        }
        // What the JSON export and the feed show of an event (translations
        // whole: their staleness decides which fields fall back).
        fn export_data(e: &Event) -> impl PartialEq + '_ {
            (
                (e.level, &e.channel, &e.category, &e.symbolic_name),
                (&e.product, &e.product_version, &e.last_modified),
                (&e.message, &e.parameters, &e.translations),
            )
        }
        let b = &new.events[i];
        self.lookup |= lookup_data(a) != lookup_data(b);
        if export_data(a) != export_data(b) {
            self.export.insert(i);
        }
        self.events.insert((b.source_slug.clone(), b.id));
        self.sitemap |= a.last_modified != b.last_modified;
        let link_changed = link_data(a) != link_data(b);
        if link_changed || category_data(a) != category_data(b) {
            self.sources.insert(b.source_slug.clone());
            for e in [a, b] {
                if let Some(c) = category_slug(e) {
                    self.categories.insert((e.source_slug.clone(), c));
                }
            }
        }
        if link_changed {
            self.listing.insert(super::urls::listing_page_of(i));
            // Neighbours show this event in their previous/next links.
            for j in [i.wrapping_sub(1), i + 1] {
                if let Some(n) = new.events.get(j)
                    && n.source_slug == b.source_slug
                {
                    self.events.insert((n.source_slug.clone(), n.id));
                }
            }
            // Events that list this one as related.
            let key = b.key();
            for e in &new.events {
                if e.related.contains(&key) {
                    self.events.insert((e.source_slug.clone(), e.id));
                }
            }
        }
    }

    /// Everything either selection selects.
    pub fn merge(&mut self, other: Selection) {
        self.all |= other.all;
        self.events.extend(other.events);
        self.sources.extend(other.sources);
        self.categories.extend(other.categories);
        self.listing.extend(other.listing);
        self.sitemap |= other.sitemap;
        self.lookup |= other.lookup;
        self.export.extend(other.export);
    }

    pub(super) fn source(&self, slug: &Slug) -> bool {
        self.all || self.sources.contains(slug)
    }

    pub(super) fn category(&self, source: &Slug, category: &Slug) -> bool {
        self.all || self.categories.contains(&(source.clone(), category.clone()))
    }
}

pub(super) fn category_slug(e: &Event) -> Option<Slug> {
    e.category.as_deref().and_then(Slug::new)
}
