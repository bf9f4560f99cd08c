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
