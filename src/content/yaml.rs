//! Reading YAML files: UTF-8 text with a size limit, parsing with serde-saphyr,
//! and turning parse errors into diagnostics that point at the offending line.
//! A load that asks for them also keeps [`FileStamps`]: what it saw of each
//! file it read, so that the build state need not read the files again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::model::MAX_RECORD_BYTES;
use crate::diagnostics::{Diagnostic, Location, did_you_mean};

/// One file as a load read it: its size and modification time from the
/// handle it was read through, and the BLAKE3 hash of the bytes read (a
/// byte-order mark included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    /// Bytes.
    pub size: u64,
    /// The modification time, when the file system keeps one.
    pub modified: Option<SystemTime>,
    /// BLAKE3 hash of the bytes.
    pub hash: [u8; 32],
}

/// The [`FileStamp`] of every file a load read, by path from the site root.
#[derive(Debug, Default)]
pub struct FileStamps(Mutex<HashMap<PathBuf, FileStamp>>);

impl FileStamps {
    fn record(&self, rel_path: &Path, stamp: FileStamp) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel_path.to_path_buf(), stamp);
    }

    /// The stamps, by path from the site root.
    pub fn into_map(self) -> HashMap<PathBuf, FileStamp> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// Read a file as UTF-8 text, with size limit, BOM removal and precise errors.
pub fn read_text(root: &Path, rel_path: &Path) -> Result<Arc<str>, Box<Diagnostic>> {
    read_text_stamped(root, rel_path, None)
}

/// [`read_text`], recording what was read in `stamps` when given.
pub fn read_text_stamped(
    root: &Path,
    rel_path: &Path,
    stamps: Option<&FileStamps>,
) -> Result<Arc<str>, Box<Diagnostic>> {
    use std::io::Read as _;
    let path = root.join(rel_path);
    let read_error = |e: std::io::Error| {
        Box::new(
            Diagnostic::error("read-error", format!("cannot read {}: {e}", rel_path.display()))
                .at(Location::file_only(rel_path)),
        )
    };
    // Opened once, then measured and read through the handle (looking the
    // path up again for each took a share of loading 10,000 records).
    let file = std::fs::File::open(&path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    if meta.len() > MAX_RECORD_BYTES {
        return Err(Box::new(
            Diagnostic::error(
                "file-too-large",
                format!(
                    "{} is {:.1} MB; records are limited to {} MB",
                    rel_path.display(),
                    meta.len() as f64 / 1e6,
                    MAX_RECORD_BYTES / (1024 * 1024)
                ),
            )
            .at(Location::file_only(rel_path))
            .help("an event record should hold one event; move long material to a linked page"),
        ));
    }
    // Read the size it has (one `read`): `File::read_to_end` asks the file
    // for its size and position again and reads once more to find the end,
    // three more system calls for each of 10,000 records.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    (&file)
        .take(meta.len())
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if let Some(stamps) = stamps {
        stamps.record(
            rel_path,
            FileStamp {
                size: bytes.len() as u64,
                modified: meta.modified().ok(),
                hash: blake3::hash(&bytes).into(),
            },
        );
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Arc::from(s)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or("");
            let line = good.matches('\n').count() as u32 + 1;
            let col = good.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
            Err(Box::new(
                Diagnostic::error(
                    "invalid-utf8",
                    format!(
                        "{} is not valid UTF-8 (byte 0x{:02X})",
                        rel_path.display(),
                        bytes[e.valid_up_to()]
                    ),
                )
                .at(Location::new(rel_path, Some(lossy), line, col))
                .help("save the file as UTF-8 (most editors: File → Save with Encoding → UTF-8)"),
            ))
        }
    }
}

/// Parse YAML text into `T` with the project's safe options, mapping errors to diagnostics.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    rel_path: &Path,
    text: &Arc<str>,
    fields: &[&str],
) -> Result<T, Box<Diagnostic>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
    };
    serde_saphyr::from_str_with_options::<T>(text, options)
        .map_err(|e| Box::new(yaml_error(rel_path, text, &e, fields)))
}

fn yaml_error(rel_path: &Path, text: &Arc<str>, e: &serde_saphyr::Error, fields: &[&str]) -> Diagnostic {
    use serde_saphyr::Error as E;
    let inner = e.without_snippet();
    let opts = serde_saphyr::render_options! {
        formatter: &serde_saphyr::UserMessageFormatter,
        snippets: serde_saphyr::SnippetMode::Off,
    };
    let mut msg = inner.render_with_options(opts);
    if let Some((m, _)) = msg.rsplit_once(" at line ") {
        msg = m.to_string();
    }
    let loc = e
        .location()
        .map(|l| Location::new(rel_path, Some(text.clone()), l.line() as u32, l.column() as u32));
    let (code, help): (&'static str, Option<String>) = match inner {
        E::SerdeUnknownField { field, expected, .. } => {
            let len = field.chars().count();
            let known: &[&str] = if expected.is_empty() { fields } else { expected };
            let help = match did_you_mean(field, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the known fields are: {}", known.join(", ")),
            };
            msg = format!("unknown field `{field}`");
            let d = Diagnostic::error("unknown-field", msg).help(help);
            return match loc {
                Some(l) => d.at(l.with_len(len)),
                None => d.at(Location::file_only(rel_path)),
            };
        }
        E::SerdeMissingField { field, .. } => {
            msg = format!("missing required field `{field}`");
            ("missing-field", Some(format!("add `{field}: …` to the record")))
        }
        E::DuplicateMappingKey { key, .. } => (
            "duplicate-key",
            Some(format!(
                "remove one of the two `{}` entries: YAML maps may not repeat a key",
                key.as_deref().unwrap_or("?")
            )),
        ),
        E::SerdeInvalidType {
            unexpected, expected, ..
        } => ("invalid-type", Some(invalid_type_help(unexpected, expected))),
        E::Budget { .. } | E::AliasExpansionLimitExceeded { .. } | E::AliasReplayLimitExceeded { .. } => (
            "yaml-limit",
            Some("the file exceeds eventref's safety limits (aliases, nesting or size); simplify it".into()),
        ),
        _ => {
            let (m, code, help) = classify_plain_message(msg);
            msg = m;
            (code, Some(help.into()))
        }
    };
    let mut d = Diagnostic::error(code, msg);
    if let Some(h) = help {
        d = d.help(h);
    }
    match loc {
        Some(l) => d.at(l),
        None => d.at(Location::file_only(rel_path)),
    }
}

/// The hint for a value of the wrong type.
fn invalid_type_help(unexpected: &str, expected: &str) -> String {
    if unexpected.contains("boolean") || unexpected.contains("bool") {
        "YAML reads yes/no/on/off/true/false as booleans here: put the text in quotes, e.g. \"no\""
            .to_string()
    } else if expected.contains("string") {
        "put the value in quotes to keep it as text, e.g. \"14.0\"".to_string()
    } else if expected.contains("integer") || expected.contains("i64") {
        "write a plain number without quotes, e.g. 2002".to_string()
    } else {
        format!("expected {expected}")
    }
}

/// Type mismatches and limits that saphyr reports as plain messages: the
/// message (completed), its code and a hint.
fn classify_plain_message(msg: String) -> (String, &'static str, &'static str) {
    let lower = msg.to_ascii_lowercase();
    let limits = [
        "recursion limit",
        "depth",
        "budget",
        "limits breached",
        "too complex",
    ];
    if lower.starts_with("invalid i") || lower.starts_with("invalid u") {
        (
            format!("{msg}: expected a whole number"),
            "invalid-type",
            "write a plain number without quotes, e.g. 2002",
        )
    } else if lower.contains("expected sequence") {
        (
            format!("{msg}: expected a list"),
            "invalid-type",
            "write a list, e.g. [Foo/1, Foo/2], or one `- item` per line",
        )
    } else if lower.contains("expected mapping") {
        (
            format!("{msg}: expected a map of `key: value` lines"),
            "invalid-type",
            "indent the `key: value` lines under this field",
        )
    } else if lower.contains("expected string") {
        (
            format!("{msg}: expected text"),
            "invalid-type",
            "write text here; put it in quotes if it contains `: `, `[`, `{` or `#`",
        )
    } else if limits.iter().any(|k| lower.contains(k)) {
        (
            msg,
            "yaml-limit",
            "the file is too large, nests too deeply or expands too many aliases for eventref's safety limits; simplify it",
        )
    } else {
        (
            msg,
            "yaml-syntax",
            "check the YAML syntax near this line (indentation, quotes, colons)",
        )
    }
}

/// Where a spanned YAML value is written in `text`.
pub(super) fn span_loc<T>(rel_path: &Path, text: &Arc<str>, s: &serde_saphyr::Spanned<T>) -> Location {
    Location::new(
        rel_path,
        Some(text.clone()),
        s.referenced.line() as u32,
        s.referenced.column() as u32,
    )
}
