//! Search: everything a reader's query runs against.
//!
//! - `index`: the data written at build time: the lookup tables (exact
//!   IDs, symbolic names, message-template keys, sharded) and the Pagefind
//!   full-text index, per language;
//! - [`fields`]: older versions' templates, data fields and value-map decoding
//!   for lookup, and the value maps the browser's lookup decodes with;
//! - [`lookup`]: matching what a reader pasted (a log line, an Event Viewer
//!   text block, event XML) against the message templates, shared in
//!   behaviour with the browser's `lookup.js` through `tests/lookup-vectors.json`.

pub mod fields;
pub mod lookup;

mod index;

pub use index::*;

/// What the lookup tables ([`write_lookups`]) read of an event: two events
/// with equal values here give the same lookup entries, so an edit that
/// leaves them equal leaves the tables as they are. (The event's source, ID
/// and slug are read too; an edit that changes them adds and removes pages.)
pub fn lookup_inputs(e: &crate::content::Event) -> impl PartialEq + '_ {
    let translated: Vec<_> = e
        .translations
        .iter()
        .map(|(l, t)| (l, &t.message, &t.parameters, &t.fields, &t.translated_from))
        .collect();
    (
        (&e.message, &e.symbolic_name, &e.parameters),
        (&e.fields, &e.versions),
        translated,
    )
}
