//! eventref: a static site generator for event-log knowledge bases.
//!
//! eventref turns one YAML record per event (source, ID, message template,
//! explanation, user actions, …) into a fast, searchable, multilingual reference
//! site in the style of the classic TechNet event articles.
//!
//! The pipeline is a chain of stages, each in its own module, and data flows one
//! way:
//!
//! [`config`] → [`content`] (load + validate, with [`translation`] overlays) → [`i18n`]
//! (resolve per language) → [`render`] → [`output`]
//!
//! ```no_run
//! let site = eventref::Site::load(std::path::Path::new("."))?;
//! let report = site.build(&eventref::BuildOptions::default())?;
//! println!("{} pages", report.pages);
//! # Ok::<(), eventref::Failure>(())
//! ```

#![warn(missing_docs)]
// Diagnostics are rich (file, snippet, help, notes) and only built on the error path.
#![allow(clippy::result_large_err)]

pub mod authoring;
pub mod config;
pub mod confine;
pub mod content;
pub mod diagnostics;
pub mod emit;
pub mod i18n;
pub mod import;
pub mod live;
pub mod lookup;
pub mod markdown;
pub mod message;
pub mod output;
pub mod preview;
pub mod render;
pub mod schema;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;
pub mod synth;
pub mod theme;
pub mod translation;
pub mod trust;
pub mod watch;

pub use site::{BuildOptions, BuildReport, Failure, FailureKind, Site};
