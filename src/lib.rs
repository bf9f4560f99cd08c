//! eventref: a static site generator for event-log knowledge bases.
//!
//! eventref turns one YAML record per event (source, ID, message template,
//! explanation, user actions, …) into a fast, searchable, multilingual reference
//! site in the style of the classic TechNet event articles.
//!
//! # The pipeline
//!
//! Data flows one way, and each stage is a folder (or a file) of its own; a
//! stage imports only the stages before it:
//!
//! ```text
//! config ─▶ content ─▶ i18n ─▶ render ─▶ search ─▶ output
//!   site.toml   records,     per-language   pages,      lookup tables,  the only writer
//!               overlays     fallback       theme       Pagefind        of the output folder
//!                                      ▲
//!                     site: the one orchestrator (load → check → build → publish,
//!                           up-to-date skip, incremental updates for serve)
//!                                      ▲
//!                     serve (dev server), authoring, import, and the CLI
//! ```
//!
//! [`diagnostics`] (errors as data) and [`error`] sit below everything.
//! `docs/architecture.md` walks through each folder and where to add things.
//!
//! # Example
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

// The bottom: errors as data, the rule that site inputs stay inside the site,
// and URL slugs (the one way a name becomes part of an output path).
pub mod confine;
pub mod diagnostics;
pub mod error;
pub mod slug;

// The pipeline, in the order data flows (each imports only those above it).
pub mod config;

pub mod content;

pub mod i18n;

pub mod render;

pub mod search;

pub mod output;

// The orchestrator, and what is built on it.
pub mod site;

pub mod authoring;
pub mod import;
pub mod serve;

pub use error::{Failure, FailureKind};
pub use site::{BuildOptions, BuildReport, Site};
