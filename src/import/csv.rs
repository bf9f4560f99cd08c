//! `eventref import csv`: records from provider CSVs.
//!
//! The format is the one of the per-provider CSVs in nasbench/EVTX-ETW-Resources
//! (`ETW Events List/CSV/<build>/<Provider>.csv`): a header line
//! `Provider, Level, Event ID, Version, Channel, Task, Opcode, Keyword, Message`
//! separated by `|` or by `,` (the header tells which), one row per event
//! version, no quoting. Messages are the last column, so a delimiter inside a
//! message stays part of it.
//!
//! How rows become records:
//!
//! - Provider → `source`, Event ID → `id`, Message → `message`, Level → `level`
//!   (`Error`, `Warning`, `Information`, `Critical`, `Verbose`; another name is
//!   left out with a note), Channel → `channel`, Task → `category` and
//!   `task`, Opcode → `opcode`, Keyword → `keywords` (one). Empty columns
//!   write nothing.
//! - An Event ID above 65535 is a 32-bit legacy message ID: the event ID is its
//!   low 16 bits; the high 16 bits (severity and facility, Event Viewer's
//!   "qualifiers") are kept in an `# import-note:`.
//! - Rows with the same provider and event ID are versions of one event: the
//!   record's `message` is the newest version that has one, and, when there
//!   are several, `versions:` lists every version with a message (oldest
//!   first), each older one with its own message where it differs; those rows
//!   are counted as merged. A row without a message is skipped ("no
//!   message"), as is a second row of the same version ("duplicate"). The
//!   `{Name}` placeholders stay as they are: the CSVs give no field types, so
//!   no `fields:` are written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::Level;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::error::{Failure, FailureKind};

use super::blocks::{VersionOut, keywords_block, versions_block};
use super::{ImportedRecord, Importer, Report, expand_inputs, origin_of, read_input};

/// The columns of a provider CSV, in order.
pub const COLUMNS: [&str; 9] = [
    "Provider", "Level", "Event ID", "Version", "Channel", "Task", "Opcode", "Keyword", "Message",
];

/// Skip reason: the row has no message.
pub const NO_MESSAGE: &str = "no message";
/// Skip reason: an older version of an event with a version number outside
/// 0–255, which `versions:` cannot hold.
pub const OLDER_VERSION: &str = "older version (version number over 255)";
/// Skip reason: another row with the same event ID and version was imported.
pub const DUPLICATE: &str = "duplicate of an imported row (same event ID and version)";
/// Skip reason: the row could not be read.
pub const MALFORMED: &str = "malformed row";

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The file it comes from.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u32,
    /// Provider (the event source).
    pub provider: String,
    /// Level name, possibly empty.
    pub level: String,
    /// The event ID as written, possibly a 32-bit message ID.
    pub id: u32,
    /// Event version.
    pub version: u32,
    /// Channel, possibly empty.
    pub channel: String,
    /// Task, possibly empty.
    pub task: String,
    /// Opcode, possibly empty.
    pub opcode: String,
    /// Keyword, possibly empty.
    pub keyword: String,
    /// Message template, possibly empty.
    pub message: String,
}

/// A parsed CSV file: its rows, and warnings for the rows that could not be read.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Rows read.
    pub rows: Vec<Row>,
    /// One warning per malformed row.
    pub malformed: Vec<Diagnostic>,
}

/// Parse one provider CSV. A wrong header is an error (the file is not a provider CSV).
pub fn parse(file: &Path, text: &str) -> Result<Parsed, Box<Diagnostic>> {
    let source: Arc<str> = Arc::from(text);
    let at =
        |line: u32, col: u32, len: usize| Location::new(file, Some(source.clone()), line, col).with_len(len);
    let mut lines = text.split('\n').enumerate();
    let header = lines.next().map(|(_, l)| l.trim_end_matches('\r')).unwrap_or("");
    let delimiter = if header.contains('|') { '|' } else { ',' };
    let names: Vec<&str> = header.split(delimiter).map(str::trim).collect();
    if names != COLUMNS {
        return Err(Box::new(
            Diagnostic::error(
                "csv-header",
                format!("{} is not a provider CSV: unexpected header", file.display()),
            )
            .at(at(1, 1, header.chars().count()))
            .help(format!(
                "the first line must name the columns {}, separated by | or ,",
                COLUMNS.join(", ")
            )),
        ));
    }
    let mut out = Parsed::default();
    for (i, line) in lines {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        match parse_row(file, line, i as u32 + 1, delimiter, &at) {
            Ok(row) => out.rows.push(row),
            Err(d) => out.malformed.push(*d),
        }
    }
    Ok(out)
}

/// Read one data row (line `n`), or the warning that says why it is malformed.
fn parse_row(
    file: &Path,
    line: &str,
    n: u32,
    delimiter: char,
    at: &dyn Fn(u32, u32, usize) -> Location,
) -> Result<Row, Box<Diagnostic>> {
    let f = split_row(line, delimiter, COLUMNS.len());
    let f: Vec<&str> = f.iter().map(String::as_str).collect();
    if f.len() < COLUMNS.len() {
        return Err(Box::new(
            Diagnostic::warning(
                "csv-row",
                format!(
                    "row has {} columns instead of {}; skipped",
                    f.len(),
                    COLUMNS.len()
                ),
            )
            .at(at(n, 1, line.chars().count()))
            .help(format!(
                "every row needs the {} columns of the header",
                COLUMNS.len()
            )),
        ));
    }
    let number = |s: &str| -> Option<u32> {
        let s = s.trim();
        if s.is_empty() { Some(0) } else { s.parse().ok() }
    };
    let (Some(id), Some(version)) = (number(f[2]).filter(|_| !f[2].trim().is_empty()), number(f[3])) else {
        let col = f[0].chars().count() + f[1].chars().count() + 3;
        return Err(Box::new(
            Diagnostic::warning(
                "csv-row",
                format!(
                    "`{}` / `{}` is not an event ID / version; row skipped",
                    f[2], f[3]
                ),
            )
            .at(at(n, col as u32, f[2].chars().count()))
            .help("Event ID and Version are whole numbers"),
        ));
    };
    let provider = f[0].trim();
    if provider.is_empty() {
        return Err(Box::new(
            Diagnostic::warning("csv-row", "row has no provider; skipped")
                .at(at(n, 1, 1))
                .help("the first column names the event source"),
        ));
    }
    Ok(Row {
        file: file.to_path_buf(),
        line: n,
        provider: provider.to_string(),
        level: f[1].trim().to_string(),
        id,
        version,
        channel: f[4].trim().to_string(),
        task: f[5].trim().to_string(),
        opcode: f[6].trim().to_string(),
        keyword: f[7].trim().to_string(),
        message: f[8].trim_end().to_string(),
    })
}

/// Split a row into at most `n` fields. A field written as a quoted CSV
/// string (`"Backup, full"`, with `""` for a quote inside) loses its quotes,
/// and the delimiter inside it does not split; any other quote is text (the
/// provider CSVs don't quote: `Session "{SessionName}" failed` keeps its
/// quotes). The last field is the rest of the line, delimiters included.
fn split_row(line: &str, delimiter: char, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while out.len() + 1 < n {
        if let Some((value, after)) = quoted(rest, delimiter) {
            out.push(value);
            match after {
                Some(r) => rest = r,
                None => return out,
            }
            continue;
        }
        match rest.find(delimiter) {
            Some(i) => {
                out.push(rest[..i].to_string());
                rest = &rest[i + delimiter.len_utf8()..];
            }
            None => {
                out.push(rest.to_string());
                return out;
            }
        }
    }
    out.push(match quoted(rest, delimiter) {
        Some((value, None)) => value,
        _ => rest.to_string(),
    });
    out
}

/// If `s` starts with a quoted CSV field (spaces around it allowed) that ends
/// at a delimiter or at the end of the line: its unquoted value, and the text
/// after the delimiter (`None` at the end of the line).
fn quoted(s: &str, delimiter: char) -> Option<(String, Option<&str>)> {
    let body = s.trim_start().strip_prefix('"')?;
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            value.push(c);
            continue;
        }
        if chars.peek().is_some_and(|&(_, c)| c == '"') {
            chars.next();
            value.push('"');
            continue;
        }
        let after = body[i + 1..].trim_start();
        return if after.is_empty() {
            Some((value, None))
        } else {
            after.strip_prefix(delimiter).map(|rest| (value, Some(rest)))
        };
    }
    None
}

/// What to do with the rows of one event (same provider and event ID).
#[derive(Debug)]
pub struct Plan<'a> {
    /// The row whose values make the record (the current version), if any row has a message.
    pub chosen: Option<&'a Row>,
    /// The older versions with a message, one row per version, oldest first:
    /// they go into the record's `versions:`.
    pub older: Vec<&'a Row>,
    /// Every other row, with its skip reason.
    pub skipped: Vec<(&'a Row, &'static str)>,
}

/// Plan the rows of one event: the newest version with a message is the
/// record, every other version with a message one of its `versions:` (among
/// rows of the same version, the first in file order; the others are
/// duplicates).
pub fn plan<'a>(rows: &[&'a Row]) -> Plan<'a> {
    let mut with_message: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| !r.message.trim().is_empty())
        .collect();
    with_message.sort_by(|a, b| {
        b.version
            .cmp(&a.version)
            .then_with(|| a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    let mut skipped: Vec<(&Row, &str)> = rows
        .iter()
        .copied()
        .filter(|r| r.message.trim().is_empty())
        .map(|r| (r, NO_MESSAGE))
        .collect();
    let mut kept: Vec<&Row> = Vec::new();
    for r in with_message {
        if kept.iter().any(|k| k.version == r.version) {
            skipped.push((r, DUPLICATE));
        } else {
            kept.push(r);
        }
    }
    let chosen = kept.first().copied();
    let mut older: Vec<&Row> = kept.into_iter().skip(1).collect();
    if chosen.is_some_and(|c| c.version > u32::from(u8::MAX)) {
        // `versions:` holds numbers 0–255 only: keep the newest, as before versions were modelled.
        skipped.extend(older.drain(..).map(|r| (r, OLDER_VERSION)));
    }
    older.reverse();
    Plan {
        chosen,
        older,
        skipped,
    }
}

/// The `versions:` block of an event with older versions: every version,
/// oldest first, each older one with its message where it differs.
fn versions_of(chosen: &Row, older: &[&Row]) -> Option<String> {
    let version = |r: &Row, current: bool| VersionOut {
        version: r.version as u8,
        message: (!current && r.message != chosen.message).then(|| r.message.clone()),
        fields: None,
    };
    let mut list: Vec<VersionOut> = older.iter().map(|r| version(r, false)).collect();
    list.push(version(chosen, true));
    versions_block(&list)
}

/// The record of one event: `chosen` is the current version, `older` the
/// older versions with a message (oldest first), `all` every row of the event.
pub fn record_for(chosen: &Row, older: &[&Row], all: &[&Row]) -> ImportedRecord {
    let mut notes = Vec::new();
    if all.iter().any(|r| r.version > u32::from(u8::MAX)) {
        let mut list: Vec<String> = all.iter().map(|r| r.version.to_string()).collect();
        list.dedup();
        notes.push(format!(
            "versions {} in the source; this record has version {}, the newest with a message",
            list.join(", "),
            chosen.version
        ));
    }
    let (id, note) = super::event_id_of(u64::from(chosen.id));
    notes.extend(note);
    let level = if chosen.level.is_empty() {
        None
    } else {
        match Level::parse(&chosen.level) {
            Some(l) => Some(l.as_str().to_string()),
            None => {
                notes.push(format!(
                    "level \"{}\" in the source is not an eventref level, so the record has none",
                    chosen.level
                ));
                None
            }
        }
    };
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    ImportedRecord {
        source: chosen.provider.clone(),
        id,
        fields: vec![
            ("message", Some(chosen.message.clone())),
            ("category", non_empty(&chosen.task)),
            ("level", level),
            ("channel", non_empty(&chosen.channel)),
            ("task", non_empty(&chosen.task)),
            ("opcode", non_empty(&chosen.opcode)),
        ],
        blocks: vec![
            ("versions", versions_of(chosen, older)),
            (
                "keywords",
                keywords_block(
                    &[chosen.keyword.clone()]
                        .into_iter()
                        .filter(|k| !k.is_empty())
                        .collect::<Vec<_>>(),
                ),
            ),
        ],
        block_texts: std::iter::once(("keywords", chosen.keyword.clone()))
            .chain(older.iter().map(|r| ("message", r.message.clone())))
            .collect(),
        merged: older.len(),
        notes,
        origin: origin_of(&chosen.file),
        location: Some(Location::new(&chosen.file, None, chosen.line, 1)),
    }
}

/// `eventref import csv`: import every row of `inputs` (files, or folders of
/// `.csv` files) into the site at `root`.
pub fn import(root: &Path, inputs: &[PathBuf], dry_run: bool) -> Result<Report, Failure> {
    let files = expand_inputs(inputs, "csv")?;
    let mut errors = Diagnostics::new();
    let mut parsed = Vec::new();
    for f in &files {
        match read_input(f).and_then(|text| parse(f, &text)) {
            Ok(p) => parsed.push(p),
            Err(d) => errors.push(*d),
        }
    }
    if errors.error_count() > 0 {
        return Err(Failure {
            kind: FailureKind::Content,
            diagnostics: errors,
        });
    }
    let mut importer = Importer::new(root, "csv", "rows", dry_run)?;
    let mut groups: BTreeMap<(String, u16), Vec<&Row>> = BTreeMap::new();
    let mut malformed = 0;
    for p in &parsed {
        for d in &p.malformed {
            importer.warn(d.clone());
        }
        malformed += p.malformed.len();
        for r in &p.rows {
            groups
                .entry((r.provider.clone(), (r.id & 0xFFFF) as u16))
                .or_default()
                .push(r);
        }
    }
    let rows: usize = parsed.iter().map(|p| p.rows.len()).sum();
    importer.count_inputs(files.len(), rows + malformed);
    importer.skip(MALFORMED, malformed);
    for rows in groups.values() {
        let plan = plan(rows);
        for (_, reason) in &plan.skipped {
            importer.skip(reason, 1);
        }
        if let Some(chosen) = plan.chosen {
            importer.record(record_for(chosen, &plan.older, rows))?;
        }
    }
    Ok(importer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPE: &str = "Provider|Level|Event ID|Version|Channel|Task|Opcode|Keyword|Message\n\
        Contoso-Backup|Information|1|0|System|||Time|Backup of {Volume} started.\n\
        Contoso-Backup|Information|1|1|System|Backup||Time|Backup of {Volume} started by {User}.\n\
        Contoso-Backup|Error|2|0|Contoso-Backup/Operational||||Backup failed | code {Code}.\n\
        Contoso-Backup||3|0|||||\n\
        Contoso-Backup|Warning|3221226487|0|System||||Legacy message.\n";

    #[test]
    fn pipe_files() {
        let p = parse(Path::new("x.csv"), PIPE).unwrap();
        assert!(p.malformed.is_empty());
        assert_eq!(p.rows.len(), 5);
        assert_eq!(p.rows[1].task, "Backup");
        assert_eq!(p.rows[1].line, 3);
        // A delimiter inside the message stays in the message.
        assert_eq!(p.rows[2].message, "Backup failed | code {Code}.");
        assert_eq!(p.rows[3].message, "");
        assert_eq!(p.rows[4].id, 3221226487);
    }

    #[test]
    fn comma_files_and_bad_rows() {
        let text = "Provider,Level,Event ID,Version,Channel,Task,Opcode,Keyword,Message\r\n\
            Schannel,Error,36887,0,System,,,,A fatal alert was received; code {AlertDesc}.\r\n\
            Schannel,Error,x,0,System,,,,Bad id\r\n\
            Schannel,Error\r\n\r\n";
        let p = parse(Path::new("s.csv"), text).unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].message, "A fatal alert was received; code {AlertDesc}.");
        assert_eq!(p.malformed.len(), 2);
        assert_eq!(p.malformed[0].location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn quoted_fields_lose_their_quotes() {
        let text = "Provider,Level,Event ID,Version,Channel,Task,Opcode,Keyword,Message\n\
            \"Contoso-Backup\",Error,7,0,System,\"Backup, full\",,,\"Backup failed, code {Code}; see \"\"{Log}\"\".\"\n\
            Contoso-Backup,Error,8,0,System,,,,Session \"{Name}\" failed, code {Code}\n\
            Contoso-Backup,Error,9,0,System,,,,\"{Name}\" was deleted\n";
        let p = parse(Path::new("q.csv"), text).unwrap();
        assert!(p.malformed.is_empty(), "{:?}", p.malformed);
        assert_eq!(p.rows[0].provider, "Contoso-Backup");
        assert_eq!(p.rows[0].task, "Backup, full");
        assert_eq!(p.rows[0].message, "Backup failed, code {Code}; see \"{Log}\".");
        // Quotes that don't quote the whole field are text.
        assert_eq!(p.rows[1].message, "Session \"{Name}\" failed, code {Code}");
        assert_eq!(p.rows[2].message, "\"{Name}\" was deleted");
    }

    #[test]
    fn wrong_header() {
        let e = parse(Path::new("w.csv"), "Name,Id\nx,1\n").unwrap_err();
        assert_eq!(e.code, "csv-header");
    }

    #[test]
    fn versions_and_legacy_ids() {
        let p = parse(Path::new("W2022_21H2/Contoso-Backup.csv"), PIPE).unwrap();
        let group: Vec<&Row> = p.rows.iter().filter(|r| r.id == 1).collect();
        let p1 = plan(&group);
        assert_eq!(p1.chosen.unwrap().version, 1);
        assert!(p1.skipped.is_empty());
        assert_eq!(p1.older.len(), 1);
        let rec = record_for(p1.chosen.unwrap(), &p1.older, &group);
        assert_eq!(rec.origin, "W2022_21H2/Contoso-Backup.csv");
        assert_eq!(
            rec.fields[0].1.as_deref(),
            Some("Backup of {Volume} started by {User}.")
        );
        assert_eq!(rec.fields[1], ("category", Some("Backup".into())));
        assert_eq!(rec.fields[2], ("level", Some("information".into())));
        assert_eq!(rec.fields[4], ("task", Some("Backup".into())));
        assert_eq!(rec.blocks[1].1.as_deref(), Some("keywords: [\"Time\"]\n"));
        assert!(rec.notes.is_empty(), "{:?}", rec.notes);
        assert_eq!(rec.merged, 1);
        assert_eq!(
            rec.blocks[0].1.as_deref(),
            Some("versions:\n  - version: 0\n    message: \"Backup of {Volume} started.\"\n  - version: 1\n")
        );

        let empty: Vec<&Row> = p.rows.iter().filter(|r| r.id == 3).collect();
        let plan3 = plan(&empty);
        assert!(plan3.chosen.is_none());
        assert_eq!(plan3.skipped[0].1, NO_MESSAGE);

        let legacy: Vec<&Row> = p.rows.iter().filter(|r| r.id == 3221226487).collect();
        let rec = record_for(legacy[0], &[], &legacy);
        assert_eq!(rec.id, 1015);
        assert!(
            rec.notes[0].contains("0xC00003F7") && rec.notes[0].contains("0xC000"),
            "{:?}",
            rec.notes
        );
    }

    #[test]
    fn unknown_levels_are_noted() {
        let text = "Provider|Level|Event ID|Version|Channel|Task|Opcode|Keyword|Message\nOpenSSH|Debug|6|0|OpenSSH/Debug||||{process}: {payload}\n";
        let p = parse(Path::new("OpenSSH.csv"), text).unwrap();
        let rec = record_for(&p.rows[0], &[], &[&p.rows[0]]);
        assert_eq!(rec.fields[2], ("level", None));
        assert!(rec.notes[0].contains("\"Debug\""));
    }
}
