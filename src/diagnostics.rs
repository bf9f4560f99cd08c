//! Diagnostics: every problem a build or check finds, with where it is and how to fix it.
//!
//! Stages never print and never stop at the first problem: they push
//! [`Diagnostic`]s into a [`Diagnostics`] list, and the caller renders the whole
//! list at the end in one of three [`Format`]s — rustc-style text for people,
//! GitHub Actions annotations, or JSON for other tools.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The build cannot produce a correct site.
    Error,
    /// The site builds, but something is probably wrong. `--strict` makes it an error.
    Warning,
}

/// A place in a file: 1-based line and column (in characters), plus the text.
#[derive(Debug, Clone)]
pub struct Location {
    /// Path as shown to the user (relative to the site root where possible).
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// How many characters to underline (at least 1).
    pub len: u32,
    /// The whole text of the file, when it could be read, for the snippet.
    pub source: Option<Arc<str>>,
}

impl Location {
    /// A location with a snippet source.
    pub fn new(file: impl Into<PathBuf>, source: Option<Arc<str>>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line: line.max(1),
            column: column.max(1),
            len: 1,
            source,
        }
    }

    /// The same location, underlining `len` characters.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len.clamp(1, u32::MAX as usize) as u32;
        self
    }

    /// Drop the text of the file (the snippet); [`Location::source`] can be
    /// given back later, read again from the file.
    pub fn forget_source(&mut self) {
        self.source = None;
    }

    /// A location that names only a file.
    pub fn file_only(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: 0,
            column: 0,
            len: 0,
            source: None,
        }
    }

    /// The text of the line this location points at, if known.
    pub fn source_line(&self) -> Option<&str> {
        let src = self.source.as_deref()?;
        if self.line == 0 {
            return None;
        }
        src.split('\n')
            .nth(self.line as usize - 1)
            .map(|l| l.trim_end_matches('\r'))
    }

    /// The byte offset and length of the underlined text, with the line's
    /// start from `lines` (so that many diagnostics in one big file cost time
    /// in proportion to their lines, not to the file).
    fn byte_span(&self, lines: &mut LineIndex) -> Option<(usize, usize)> {
        let (offset, line) = lines.line(self)?;
        let start = line
            .char_indices()
            .nth(self.column as usize - 1)
            .map(|(b, _)| b)
            .unwrap_or(line.len());
        let end = line[start..]
            .char_indices()
            .nth(self.len as usize)
            .map(|(b, _)| start + b)
            .unwrap_or(line.len());
        Some((offset + start, end.saturating_sub(start)))
    }
}

/// The line starts of every source text seen during one render, computed once
/// per text (texts are told apart by their `Arc`).
#[derive(Default)]
struct LineIndex {
    starts: std::collections::HashMap<usize, Vec<usize>>,
}

impl LineIndex {
    fn starts(&mut self, src: &Arc<str>) -> &[usize] {
        self.starts
            .entry(Arc::as_ptr(src) as *const u8 as usize)
            .or_insert_with(|| {
                std::iter::once(0)
                    .chain(src.match_indices('\n').map(|(i, _)| i + 1))
                    .collect()
            })
    }

    /// The byte offset of `loc`'s line and its text (without the line break).
    fn line<'a>(&mut self, loc: &'a Location) -> Option<(usize, &'a str)> {
        let src = loc.source.as_ref()?;
        if loc.line == 0 {
            return None;
        }
        let starts = self.starts(src);
        let i = loc.line as usize - 1;
        let start = *starts.get(i)?;
        let end = starts.get(i + 1).map(|e| e - 1).unwrap_or(src.len());
        Some((start, src[start..end].trim_end_matches('\r')))
    }

    /// The lines around `loc` (`context` on each side): their text, the byte
    /// offset of the first, and its 0-based line number.
    fn window<'a>(&mut self, loc: &'a Location, context: usize) -> Option<(&'a str, usize, usize)> {
        let src = loc.source.as_ref()?;
        if loc.line == 0 {
            return None;
        }
        let starts = self.starts(src);
        let i = loc.line as usize - 1;
        let first = i.saturating_sub(context);
        let last = (i + context + 1).min(starts.len());
        let start = *starts.get(first)?;
        let end = starts.get(last).copied().unwrap_or(src.len());
        Some((&src[start..end], start, first))
    }
}

/// A few lines of a source file, standing in for the whole file when miette
/// draws a snippet: it reports spans and line numbers as in the whole file.
struct SourceWindow {
    name: String,
    text: String,
    offset: usize,
    first_line: usize,
}

impl miette::SourceCode for SourceWindow {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let local = miette::SourceSpan::new(
            span.offset()
                .checked_sub(self.offset)
                .ok_or(miette::MietteError::OutOfBounds)?
                .into(),
            span.len(),
        );
        let c = self
            .text
            .as_str()
            .read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            miette::SourceSpan::new((c.span().offset() + self.offset).into(), c.span().len()),
            c.line() + self.first_line,
            c.column(),
            c.line_count(),
        )))
    }
}

/// A secondary place that explains a diagnostic ("first defined here").
#[derive(Debug, Clone)]
pub struct Note {
    /// What the note says.
    pub message: String,
    /// Where, if anywhere.
    pub location: Option<Location>,
}

/// One problem.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, kebab-case identifier such as `unknown-field`.
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where it is.
    pub location: Option<Location>,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places involved.
    pub notes: Vec<Note>,
}

impl Diagnostic {
    /// The places it points at: its own and its notes'.
    pub fn locations_mut(&mut self) -> impl Iterator<Item = &mut Location> {
        self.location
            .iter_mut()
            .chain(self.notes.iter_mut().filter_map(|n| n.location.as_mut()))
    }

    /// A new error.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            help: None,
            notes: Vec::new(),
        }
    }

    /// A new warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Attach the location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Attach a fix hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach a note.
    pub fn note(mut self, message: impl Into<String>, location: Option<Location>) -> Self {
        self.notes.push(Note {
            message: message.into(),
            location,
        });
        self
    }
}

/// The output format of a diagnostic report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// rustc-style text with the offending line.
    #[default]
    Human,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
    /// One JSON document.
    Json,
}

/// All the diagnostics of one run, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Add many.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// All of them.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Each one, to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Diagnostic> {
        self.items.iter_mut()
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// True when there is nothing at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether these diagnostics fail a run; with `strict`, warnings do too.
    pub fn fails(&self, strict: bool) -> bool {
        self.error_count() > 0 || (strict && self.warning_count() > 0)
    }

    /// Turn warnings into errors (`--strict`).
    pub fn promote_warnings(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Sort by file, line, column, then message, so that output is deterministic
    /// whatever order the parallel stages found things in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line, l.column))
                    .unwrap_or_default()
            };
            key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
        });
    }

    /// Render the whole report. `color` only affects [`Format::Human`].
    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Human => self.render_human(color),
            Format::Github => self.render_github(),
            Format::Json => self.render_json(),
        }
    }

    fn render_human(&self, color: bool) -> String {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let mut out = String::new();
        let mut lines = LineIndex::default();
        for d in &self.items {
            let severity = match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            };
            let mut md = miette::MietteDiagnostic::new(d.message.clone())
                .with_code(d.code)
                .with_severity(severity);
            let mut help = d.help.clone().unwrap_or_default();
            for note in &d.notes {
                if !help.is_empty() {
                    help.push('\n');
                }
                help.push_str("note: ");
                help.push_str(&note.message);
                if let Some(l) = &note.location {
                    let _ = write!(help, " ({})", position(l));
                }
            }
            if !help.is_empty() {
                md = md.with_help(help);
            }
            let mut rendered = String::new();
            match &d.location {
                Some(loc) => {
                    let label = position(loc);
                    let span = loc.byte_span(&mut lines);
                    // Only the lines around the span: copying and scanning the
                    // whole file for each diagnostic would be quadratic.
                    let window = lines.window(loc, 3);
                    if let (Some((start, len)), Some((text, offset, first_line))) = (span, window) {
                        md = md.with_label(miette::LabeledSpan::underline(start..start + len));
                        let report = miette::Report::new(md).with_source_code(SourceWindow {
                            name: loc.file.display().to_string(),
                            text: text.to_string(),
                            offset,
                            first_line,
                        });
                        let _ = handler.render_report(&mut rendered, report.as_ref());
                    } else {
                        let report = miette::Report::new(md);
                        let _ = handler.render_report(&mut rendered, report.as_ref());
                        rendered = format!("{rendered}  at {label}\n");
                    }
                }
                None => {
                    let report = miette::Report::new(md);
                    let _ = handler.render_report(&mut rendered, report.as_ref());
                }
            }
            out.push_str(&rendered);
            out.push('\n');
        }
        let (e, w) = (self.error_count(), self.warning_count());
        if e + w > 0 {
            let _ = writeln!(out, "{} error{}, {} warning{}", e, plural(e), w, plural(w));
        }
        out
    }

    fn render_github(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut props = Vec::new();
            if let Some(l) = &d.location {
                props.push(format!("file={}", gh_prop(&slash_path(&l.file))));
                if l.line > 0 {
                    props.push(format!("line={}", l.line));
                    props.push(format!("col={}", l.column));
                }
            }
            props.push(format!("title={}", gh_prop(d.code)));
            let mut msg = d.message.clone();
            if let Some(h) = &d.help {
                msg.push_str("\nhelp: ");
                msg.push_str(h);
            }
            for n in &d.notes {
                msg.push_str("\nnote: ");
                msg.push_str(&n.message);
                if let Some(l) = &n.location {
                    let _ = write!(msg, " ({})", position(l));
                }
            }
            let _ = writeln!(out, "::{kind} {}::{}", props.join(","), gh_data(&msg));
        }
        out
    }

    fn render_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<T: Serialize> {
            errors: usize,
            warnings: usize,
            diagnostics: Vec<T>,
        }
        let report = Report {
            errors: self.error_count(),
            warnings: self.warning_count(),
            diagnostics: self.json_items(),
        };
        let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The one JSON document `eventref build` and `eventref check` print with
    /// `--format json`, on success and on failure alike (its schema is
    /// `schemas/report.schema.json`): the command, whether it succeeded, its
    /// exit code, the counts, every diagnostic (warnings included) and the
    /// command's summary (`null` when it failed).
    pub fn json_report(&self, command: &str, exit_code: i32, summary: Option<serde_json::Value>) -> String {
        // A struct, not `json!`, so that the fields keep this order.
        #[derive(Serialize)]
        struct Report<'a, T: Serialize> {
            report_version: u32,
            command: &'a str,
            ok: bool,
            exit_code: i32,
            errors: usize,
            warnings: usize,
            diagnostics: Vec<T>,
            summary: Option<serde_json::Value>,
        }
        let doc = Report {
            report_version: 1,
            command,
            ok: exit_code == 0,
            exit_code,
            errors: self.error_count(),
            warnings: self.warning_count(),
            diagnostics: self.json_items(),
            summary,
        };
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    }

    fn json_items(&self) -> Vec<impl Serialize + '_> {
        #[derive(Serialize)]
        struct JsonLoc {
            file: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            line: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            column: Option<u32>,
        }
        #[derive(Serialize)]
        struct JsonNote {
            message: String,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            location: Option<JsonLoc>,
        }
        #[derive(Serialize)]
        struct JsonDiag<'a> {
            severity: Severity,
            code: &'a str,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            file: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            line: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            column: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            source_line: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            help: Option<&'a str>,
            notes: Vec<JsonNote>,
        }
        let json_loc = |l: &Location| JsonLoc {
            file: slash_path(&l.file),
            line: (l.line > 0).then_some(l.line),
            column: (l.line > 0).then_some(l.column),
        };
        let mut lines = LineIndex::default();
        let source_lines: Vec<Option<&str>> = self
            .items
            .iter()
            .map(|d| d.location.as_ref().and_then(|l| lines.line(l)).map(|(_, t)| t))
            .collect();
        self.items
            .iter()
            .zip(source_lines)
            .map(|(d, source_line)| JsonDiag {
                severity: d.severity,
                code: d.code,
                message: &d.message,
                file: d.location.as_ref().map(|l| slash_path(&l.file)),
                line: d.location.as_ref().filter(|l| l.line > 0).map(|l| l.line),
                column: d.location.as_ref().filter(|l| l.line > 0).map(|l| l.column),
                source_line,
                help: d.help.as_deref(),
                notes: d
                    .notes
                    .iter()
                    .map(|n| JsonNote {
                        message: n.message.clone(),
                        location: n.location.as_ref().map(json_loc),
                    })
                    .collect(),
            })
            .collect()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `file:line:col`, or just the file.
pub fn position(l: &Location) -> String {
    if l.line == 0 {
        slash_path(&l.file)
    } else {
        format!("{}:{}:{}", slash_path(&l.file), l.line, l.column)
    }
}

/// A path with forward slashes, the same on every platform.
pub fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
        .replace("//", "/")
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Suggest the closest candidate to `word`, if one is close enough.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(3) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let fields = ["explanation", "user_action", "message", "level"];
        assert_eq!(did_you_mean("explaination", fields), Some("explanation"));
        assert_eq!(did_you_mean("useraction", fields), Some("user_action"));
        assert_eq!(did_you_mean("lvl", fields), Some("level"));
        assert_eq!(did_you_mean("xyz", fields), None);
        assert_eq!(did_you_mean("zzzzzzzz", fields), None);
    }

    #[test]
    fn github_escapes() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::error("x", "a: b\nc 100%").at(Location::new("dir/a,b.yaml", None, 3, 4)));
        let s = d.render(Format::Github, false);
        assert_eq!(
            s,
            "::error file=dir/a%2Cb.yaml,line=3,col=4,title=x::a: b%0Ac 100%25\n"
        );
    }
}
