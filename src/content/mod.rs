//! Content: the event records under `content/` and their translation overlays.
//!
//! Every `*.yaml`/`*.yml` file under `content/` is one [`Event`], except files
//! named `<name>.<lang>.yaml`, which are translation overlays ([`Translation`]).
//! Files are read and parsed in parallel; every problem of the whole tree is
//! collected as a [`Diagnostic`](crate::diagnostics::Diagnostic) with file,
//! line, column and a fix hint, and only a tree with no errors yields a
//! [`Content`] that may be rendered.
//!
//! Inside, the layers go one way, bottom to top:
//!
//! - [`slug`], [`message`]: URL-safe names, message templates and their insertion strings;
//! - `model`: the types ([`Event`], [`Level`], [`Translation`], …);
//! - `yaml`: reading and parsing YAML with precise errors, and the
//!   [`FileStamps`] of what a load read (for the build state); [`emit`]: the one
//!   escaping YAML writer for files eventref writes into `content/`;
//! - [`fields`], [`versions`], [`value_map`]: an event's typed data fields, its
//!   versions, and the value maps of coded fields (inline or shared in `value_maps/`);
//! - `record`: checking one record file;
//! - [`overlay`]: checking one overlay file against its record, staleness, `i18n refresh`;
//! - [`links`]: the links in record prose, the `event:` shorthand, and resolving them;
//! - [`placeholder`]: the `TODO` marks left for a human, and the scan that finds them;
//! - `index`: the one walk of `content/`, and a light index of records for `new` and the importers;
//! - `load`: loading everything, the checks across records, live-preview edits;
//! - `persist`: loaded content as the build state keeps it between builds.

pub mod emit;
pub mod fields;
pub mod links;
pub mod message;
pub mod overlay;
pub mod placeholder;
/// [`Slug`](crate::slug::Slug) lives at the bottom of the crate (config uses it too); re-exported here, where records get their slugs.
pub use crate::slug;
pub mod value_map;
pub mod versions;

mod index;
mod load;
mod model;
mod persist;
mod record;
mod yaml;

pub use index::{ContentIndex, IndexedRecord};
pub use load::{Content, LoadState};
pub use model::{
    Event, EventKey, FNV1A_START, Field, FieldTranslation, Level, Link, MAX_RECORD_BYTES, OverlayFile,
    RECORD_FIELDS, Translation, UserAction, fnv1a, fnv1a_continue, short_hash,
};
pub use persist::{Encoded, Snapshot, SnapshotParts, SnapshotRef};
pub use record::{id_hint, parse_ref};
pub use yaml::{FileStamp, FileStamps, parse_yaml, read_text};
