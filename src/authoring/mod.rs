//! Authoring tools: `eventref init` (a new site from nothing), `eventref new` (a record or a translation overlay from a
//! commented template, and the index of records under `content/` that the
//! importers share) and `eventref schema` (JSON Schemas of records and
//! overlays for editors).

pub mod init;
pub mod new;
pub mod schema;

pub use init::{InitOptions, InitReport, init};
pub use new::*;
