//! `eventref serve`: the live preview.
//!
//! - `session`: the session: builds the site through [`crate::site::Preview`],
//!   serves it, and on every batch of changes asks the site to republish what
//!   changed and tells the browsers to reload (or to show the errors);
//! - `http`: the HTTP layer ([`DevServer`]): static files with path safety,
//!   the Host check, and live reload over server-sent events (`live.js`);
//! - `watch`: file notifications turned into batches of changed paths.

mod http;
mod session;
mod watch;

pub use http::{
    DevServer, LiveDiagnostic, LiveEvent, Lookup, SCRIPT_TAG, content_type, inject_script, is_loopback_name,
    lookup, parse_path,
};
pub use session::{DefaultOutput, ServeOptions, Session, start};
pub use watch::Watcher;
