//! Event versions: the `versions:` of a record — each version's number, its
//! message template and fields where they differ from the current ones, the
//! product versions it applies to and what changed — and their checks
//! (numbers unique, messages not empty, inserts within the version's fields).
//!
//! The record's top-level `message` and `fields` are the current version's
//! (the highest number); an older version that leaves out `message` or
//! `fields` has the current ones.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::fields::{EventField, MapRef, RawField, check_fields, check_inserts};
use crate::diagnostics::{Diagnostic, Location};

/// One version of an event, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// The manifest version number (0–255).
    pub version: u8,
    /// Its message template, when it differs from the current one.
    pub message: Option<String>,
    /// Its fields, when they differ from the current ones.
    pub fields: Option<Vec<EventField>>,
    /// The product versions where it applies (`Windows Server 2016`).
    pub products: Vec<String>,
    /// What changed in this version (inline Markdown).
    pub changes: Option<String>,
}

/// One version as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVersion {
    version: Spanned<i64>,
    message: Option<Spanned<String>>,
    fields: Option<Vec<RawField>>,
    #[serde(default)]
    products: Vec<String>,
    changes: Option<String>,
}

fn loc<T>(rel_path: &Path, text: &Arc<str>, s: &Spanned<T>, len: usize) -> Location {
    Location::new(
        rel_path,
        Some(text.clone()),
        s.referenced.line() as u32,
        s.referenced.column() as u32,
    )
    .with_len(len)
}

/// Check the versions as written against the current `fields`.
pub(super) fn check_versions(
    rel_path: &Path,
    text: &Arc<str>,
    raw: Vec<RawVersion>,
    current_message: &str,
    current_fields: &[EventField],
    ds: &mut Vec<Diagnostic>,
    refs: &mut Vec<MapRef>,
) -> Vec<Version> {
    let mut out: Vec<Version> = Vec::with_capacity(raw.len());
    for (i, v) in raw.into_iter().enumerate() {
        let n = v.version.value;
        let vloc = loc(rel_path, text, &v.version, n.to_string().len());
        let Ok(number) = u8::try_from(n) else {
            ds.push(
                Diagnostic::error("invalid-version", format!("version {n} is outside 0–255"))
                    .at(vloc)
                    .help("versions are the manifest's event version numbers, 0–255"),
            );
            continue;
        };
        if out.iter().any(|o| o.version == number) {
            ds.push(
                Diagnostic::error("duplicate-version", format!("version {number} is listed twice"))
                    .at(vloc)
                    .help("list each version once"),
            );
            continue;
        }
        let fields = v
            .fields
            .map(|f| check_fields(rel_path, text, f, Some(i), ds, refs));
        if let Some(m) = &v.message {
            let mloc = loc(rel_path, text, m, m.value.chars().count().min(200));
            if m.value.trim().is_empty() {
                ds.push(
                    Diagnostic::error(
                        "empty-message",
                        format!("the message of version {number} is empty"),
                    )
                    .at(mloc.clone())
                    .help("leave `message` out when the version has the current message"),
                );
            }
            check_inserts(&m.value, fields.as_deref().unwrap_or(current_fields), &mloc, ds);
        } else if let Some(f) = &fields {
            // The current message with this version's fields.
            check_inserts(current_message, f, &vloc, ds);
        }
        let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        out.push(Version {
            version: number,
            message: v.message.map(|m| m.value.trim_end().to_string()),
            fields,
            products: v
                .products
                .into_iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            changes: nonempty(v.changes),
        });
    }
    out
}

/// Check an overlay's `versions:` (version number → translated "what changed")
/// against the record's versions. Returns the notes, or `None` after errors.
pub(super) fn check_version_notes(
    raw: std::collections::BTreeMap<String, String>,
    versions: &[Version],
    at: &Location,
    ds: &mut Vec<Diagnostic>,
) -> Option<std::collections::BTreeMap<u8, String>> {
    let mut out = std::collections::BTreeMap::new();
    let mut ok = true;
    for (k, note) in raw {
        match k
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|n| versions.iter().any(|v| v.version == *n))
        {
            Some(n) => {
                out.insert(n, note.trim().to_string());
            }
            None => {
                let known: Vec<String> = versions.iter().map(|v| v.version.to_string()).collect();
                ds.push(
                    Diagnostic::error("overlay-version", format!("the original has no version `{k}`"))
                        .at(at.clone())
                        .help(if known.is_empty() {
                            "the original record lists no versions".to_string()
                        } else {
                            format!(
                                "translate the notes of the original's versions: {}",
                                known.join(", ")
                            )
                        }),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}
