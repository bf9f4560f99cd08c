//! `eventref import mc`: records and translations from Windows Message Compiler
//! (`.mc`) files.
//!
//! The parser follows the documented message text file syntax:
//!
//! - `keyword = value` statements, keywords case-insensitive, values
//!   separated by white space (line breaks included); `;` starts a comment that
//!   runs to the end of the line (outside message texts).
//! - Header: `MessageIdTypedef`, `SeverityNames`, `FacilityNames`,
//!   `LanguageNames` (`(name=number[:name] …)` lists; later lists add to and
//!   override the defaults `Success=0x0 Informational=0x1 Warning=0x2 Error=0x3`,
//!   `System=0x0FF Application=0xFFF` and `English=0x409:MSG00409`) and `OutputBase`.
//! - Messages: `MessageId=[number|+number]` (C syntax: `0x` hex, leading `0`
//!   octal; `+n` and an empty value count from the last ID of the message's
//!   facility, which starts at 0), `Severity`, `Facility` (both default to the
//!   value last specified), `SymbolicName`, then one `Language=name` block per
//!   language, ended by a line holding only `.`.
//! - Escapes in message texts ([`unescape`]): `%1`…`%99` with an optional
//!   `!printf!` format (kept as `%1`, the format dropped), `%n` (line break),
//!   `%t` (tab), `%b` (space), `%r` (carriage return: dropped), `%0` (the text
//!   ends here), `%.` `%!` `%%` (a literal `.` `!` `%`), `%%1234` (a parameter
//!   insert, kept as written); `%` before any other character stands for that
//!   character. The line breaks of the text are kept, the final one dropped.
//!
//! A message becomes the record `--source`/MessageId: the text in the site's
//! default language is the `message`, `SymbolicName` the `symbolic_name`,
//! `Severity` the `level` (by name: Success and Informational → information,
//! Warning → warning, Error → error, Critical or Fatal → critical, Verbose,
//! Trace or Debug → verbose; other names by value, 0–1 information, 2 warning,
//! 3 error; no level when the file never states a severity), an explicitly
//! stated `Facility` the `category`. The texts in other languages become
//! translation overlays (`<id>.<lang>.yaml`), the language found from the LCID
//! of `LanguageNames` ([`lcid_language`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Location, did_you_mean};
use crate::error::Failure;

use super::{ImportedRecord, ImportedTranslation, Importer, Report, expand_inputs, origin_of};

mod parser;
pub use parser::parse;

/// A name defined by `SeverityNames`, `FacilityNames` or `LanguageNames`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The name as written.
    pub name: String,
    /// Its number.
    pub value: u32,
}

/// The names of one kind (severities, facilities or languages), found by
/// name without regard to ASCII case in constant time: a later definition of a
/// name replaces the earlier one in place.
#[derive(Debug, Clone, Default)]
struct NameList {
    items: Vec<Named>,
    index: std::collections::HashMap<String, usize>,
}

impl NameList {
    fn insert(&mut self, n: Named) {
        match self.index.get(&n.name.to_ascii_lowercase()) {
            Some(&i) => self.items[i] = n,
            None => {
                self.index.insert(n.name.to_ascii_lowercase(), self.items.len());
                self.items.push(n);
            }
        }
    }

    fn find(&self, name: &str) -> Option<&Named> {
        self.index
            .get(&name.to_ascii_lowercase())
            .map(|&i| &self.items[i])
    }
}

/// One language's text of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The language name (`English`).
    pub language: String,
    /// Its LCID (`0x409`).
    pub lcid: u32,
    /// The text with the escapes resolved.
    pub text: String,
    /// The line of `Language=`.
    pub line: u32,
}

/// One message definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message ID (16 bits).
    pub id: u16,
    /// The line of `MessageId`.
    pub line: u32,
    /// The severity, when the file states one (for this or an earlier message).
    pub severity: Option<Named>,
    /// The facility, when the file states one (for this or an earlier message).
    pub facility: Option<Named>,
    /// `SymbolicName`.
    pub symbolic_name: Option<String>,
    /// The texts, one per `Language=` block.
    pub texts: Vec<Text>,
}

impl Message {
    /// The full 32-bit message code: severity, customer bit 0, facility, ID.
    pub fn code(&self) -> u32 {
        let sev = self.severity.as_ref().map_or(0, |s| s.value & 0x3);
        let fac = self.facility.as_ref().map_or(0xFFF, |f| f.value & 0xFFF);
        (sev << 30) | (fac << 16) | u32::from(self.id)
    }
}

/// A parsed `.mc` file.
#[derive(Debug, Clone, Default)]
pub struct McFile {
    /// The messages, in file order.
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Number(u64),
    Eq,
    LParen,
    RParen,
    Colon,
    Plus,
    Other(char),
    Eof,
}

#[derive(Clone, Copy)]
struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    col: u32,
}

impl<'a> Lexer<'a> {
    fn bump(&mut self) -> Option<char> {
        let c = self.src[self.pos..].chars().next()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn peek_char(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.peek_char() {
            if c.is_whitespace() {
                self.bump();
            } else if c == ';' {
                while let Some(c) = self.peek_char() {
                    if c == '\n' {
                        break;
                    }
                    self.bump();
                }
            } else {
                break;
            }
        }
    }

    /// The next token and where it starts (line, column, length in characters).
    fn next(&mut self) -> (Tok, u32, u32, usize) {
        self.skip_trivia();
        let (line, col, start) = (self.line, self.col, self.pos);
        let Some(c) = self.bump() else {
            return (Tok::Eof, line, col, 1);
        };
        let tok = match c {
            '=' => Tok::Eq,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ':' => Tok::Colon,
            '+' => Tok::Plus,
            c if c.is_ascii_digit() => {
                while self.peek_char().is_some_and(|c| c.is_ascii_alphanumeric()) {
                    self.bump();
                }
                let word = &self.src[start..self.pos];
                match parse_c_number(word) {
                    Some(n) => Tok::Number(n),
                    None => Tok::Other(c),
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                while self
                    .peek_char()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-')
                {
                    self.bump();
                }
                Tok::Ident(self.src[start..self.pos].to_string())
            }
            c => Tok::Other(c),
        };
        let len = self.src[start..self.pos].chars().count();
        (tok, line, col, len)
    }

    fn peek(&self) -> Tok {
        let mut l = *self;
        l.next().0
    }

    /// Skip the rest of the current line (after `Language=name`).
    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    /// Read message text lines up to a line holding only `.`. Returns the raw
    /// text (every line followed by `\n`), or `None` at the end of the file
    /// and at a `MessageId=` line (the `.` is missing; that line is left
    /// unread, so the next message is not swallowed into this text).
    fn message_text(&mut self) -> Option<String> {
        let mut text = String::new();
        loop {
            if self.pos >= self.src.len() {
                return None;
            }
            let rest = &self.src[self.pos..];
            let end = rest.find('\n').unwrap_or(rest.len());
            let line = &rest[..end];
            if starts_message(line) {
                return None;
            }
            for _ in 0..line.chars().count() {
                self.bump();
            }
            self.bump(); // the newline
            if line.trim_end_matches('\r') == "." {
                return Some(text);
            }
            text.push_str(line.trim_end_matches('\r'));
            text.push('\n');
        }
    }
}

/// Whether a line opens a message definition (`MessageId=`, any case, spaces
/// allowed around `=`).
fn starts_message(line: &str) -> bool {
    let l = line.trim_start();
    l.get(..9).is_some_and(|k| k.eq_ignore_ascii_case("MessageId")) && l[9..].trim_start().starts_with('=')
}

/// A number in C syntax: `0x1F`, `017` (octal), `42`; `u`/`l` suffixes allowed.
fn parse_c_number(word: &str) -> Option<u64> {
    let w = word.trim_end_matches(['u', 'U', 'l', 'L']);
    if let Some(hex) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if w.len() > 1 && w.starts_with('0') {
        u64::from_str_radix(&w[1..], 8).ok()
    } else {
        w.parse().ok()
    }
}

/// Resolve the escapes of a message text (see the module docs). `raw` is the
/// text as written, its lines joined with `\n`.
pub fn unescape(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&next) = chars.get(i + 1) else {
            out.push('%');
            break;
        };
        match next {
            '0' => return out.trim_end_matches('\n').to_string(),
            '1'..='9' => {
                let mut j = i + 1;
                while j < chars.len() && j < i + 3 && chars[j].is_ascii_digit() {
                    j += 1;
                }
                out.push('%');
                out.extend(&chars[i + 1..j]);
                // An optional printf format: %1!d!
                if chars.get(j) == Some(&'!')
                    && let Some(close) = chars[j + 1..].iter().position(|&c| c == '!')
                {
                    j = j + 1 + close + 1;
                }
                i = j;
            }
            '%' => {
                let mut j = i + 2;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j > i + 2 {
                    // %%1234: a parameter insert, filled from the ParameterMessageFile.
                    out.push_str("%%");
                    out.extend(&chars[i + 2..j]);
                } else {
                    out.push('%');
                }
                i = j;
            }
            'n' => {
                out.push('\n');
                i += 2;
            }
            't' => {
                out.push('\t');
                i += 2;
            }
            'b' => {
                out.push(' ');
                i += 2;
            }
            'r' => i += 2,
            other => {
                // %. %! and any other character: the character itself.
                out.push(other);
                i += 2;
            }
        }
    }
    out.trim_end_matches('\n').to_string()
}

/// The language code of a Windows LCID, for the languages a site is likely to
/// have. Unknown LCIDs give `None`.
pub fn lcid_language(lcid: u32) -> Option<&'static str> {
    Some(match lcid {
        0x401 => "ar",
        0x402 => "bg",
        0x403 => "ca",
        0x404 => "zh-Hant",
        0x405 => "cs",
        0x406 => "da",
        0x407 => "de",
        0x408 => "el",
        0x409 => "en",
        0x40A | 0xC0A => "es",
        0x40B => "fi",
        0x40C => "fr",
        0x40D => "he",
        0x40E => "hu",
        0x40F => "is",
        0x410 => "it",
        0x411 => "ja",
        0x412 => "ko",
        0x413 => "nl",
        0x414 => "nb",
        0x415 => "pl",
        0x416 => "pt-BR",
        0x418 => "ro",
        0x419 => "ru",
        0x41A => "hr",
        0x41B => "sk",
        0x41D => "sv",
        0x41E => "th",
        0x41F => "tr",
        0x422 => "uk",
        0x424 => "sl",
        0x425 => "et",
        0x426 => "lv",
        0x427 => "lt",
        0x429 => "fa",
        0x42A => "vi",
        0x804 => "zh-Hans",
        0x809 => "en-GB",
        0x816 => "pt-PT",
        0x81A => "sr-Latn",
        0xC04 => "zh-HK",
        _ => return None,
    })
}

/// The record level of a severity: by name first, then by value.
pub fn level_of(severity: &Named) -> &'static str {
    match severity.name.to_ascii_lowercase().as_str() {
        "success" | "informational" | "information" | "info" => "information",
        "warning" | "warn" => "warning",
        "error" => "error",
        "critical" | "fatal" => "critical",
        "verbose" | "trace" | "debug" => "verbose",
        _ => match severity.value {
            0 | 1 => "information",
            2 => "warning",
            _ => "error",
        },
    }
}

/// Skip reason: no text in the site's default language.
pub const NO_DEFAULT_TEXT: &str = "no text in the site's default language";
/// Skip reason: an earlier message of the import has the same ID.
pub const DUPLICATE_ID: &str = "duplicate message ID";
/// Skip reason: the text is empty.
pub const NO_MESSAGE: &str = "no message";
/// Skip reason (translations): the LCID is not a known language.
pub const UNKNOWN_LANGUAGE: &str = "unknown language ID";

/// `eventref import mc`: import every message of `inputs` (files, or folders
/// of `.mc` files) as records of `source`, with their translations.
pub fn import(root: &Path, source: &str, inputs: &[PathBuf], dry_run: bool) -> Result<Report, Failure> {
    crate::authoring::check_source(source).map_err(|d| Failure::config(*d))?;
    let files = expand_inputs(inputs, "mc")?;
    let parsed = parse_all(&files)?;
    let mut importer = Importer::new(root, "mc", "messages", dry_run)?;
    let default_lang = importer.config().default_language.clone();
    let total: usize = parsed.iter().map(|(_, _, mc)| mc.messages.len()).sum();
    importer.count_inputs(files.len(), total);
    importer.expect_translations();
    let mut seen: BTreeMap<u16, Location> = BTreeMap::new();
    for (file, text, mc) in &parsed {
        let origin = origin_of(file);
        for m in &mc.messages {
            let at = |line: u32| Location::new(file, Some(text.clone()), line, 1);
            let others = m
                .texts
                .iter()
                .filter(|t| lcid_language(t.lcid) != Some(default_lang.as_str()))
                .count();
            if let Some(first) = seen.get(&m.id) {
                importer.warn(
                    Diagnostic::warning(
                        "mc-duplicate",
                        format!("message ID {} is defined again; only the first was imported", m.id),
                    )
                    .at(at(m.line).with_len(9))
                    .note("first defined here", Some(first.clone()))
                    .help("the event ID of a record is the message ID's low 16 bits, so messages that differ only in severity or facility share one record"),
                );
                importer.skip(DUPLICATE_ID, 1);
                importer.skip_translation(DUPLICATE_ID, others);
                continue;
            }
            seen.insert(m.id, at(m.line));
            let lang_of = |t: &Text| lcid_language(t.lcid);
            let main = m.texts.iter().find(|t| lang_of(t) == Some(default_lang.as_str()));
            let Some(main) = main else {
                importer.skip(NO_DEFAULT_TEXT, 1);
                importer.skip_translation(NO_DEFAULT_TEXT, others);
                continue;
            };
            if main.text.trim().is_empty() {
                importer.skip(NO_MESSAGE, 1);
                importer.skip_translation(NO_MESSAGE, others);
                continue;
            }
            let notes = code_note(m).into_iter().collect();
            importer.record(ImportedRecord {
                source: source.to_string(),
                id: m.id,
                fields: vec![
                    ("message", Some(main.text.clone())),
                    ("symbolic_name", m.symbolic_name.clone()),
                    ("category", m.facility.as_ref().map(|f| f.name.clone())),
                    ("level", m.severity.as_ref().map(|s| level_of(s).to_string())),
                ],
                blocks: Vec::new(),
                block_texts: Vec::new(),
                merged: 0,
                notes,
                origin: origin.clone(),
                location: Some(at(main.line)),
            })?;
            translations(&mut importer, source, m, main, &at, &origin)?;
        }
    }
    Ok(importer.finish())
}

/// `.mc` files as read (path, text) and parsed.
type ParsedFiles = Vec<(PathBuf, Arc<str>, McFile)>;

/// Read and parse every `.mc` file; all syntax errors of all files at once.
fn parse_all(files: &[PathBuf]) -> Result<ParsedFiles, Failure> {
    super::parse_inputs(files, parse)
}

/// The note on an imported record naming the full message code, when the
/// message sets a severity or facility.
fn code_note(m: &Message) -> Option<String> {
    (m.severity.is_some() || m.facility.is_some()).then(|| {
        format!(
            "message code 0x{:08X}: severity {}, facility {}, ID {}",
            m.code(),
            m.severity
                .as_ref()
                .map_or("Success (default)", |s| s.name.as_str()),
            m.facility
                .as_ref()
                .map_or("Application (default)", |f| f.name.as_str()),
            m.id
        )
    })
}

/// The message's texts in other languages than `main`'s, as translations.
fn translations(
    importer: &mut Importer,
    source: &str,
    m: &Message,
    main: &Text,
    at: &dyn Fn(u32) -> Location,
    origin: &str,
) -> Result<(), Failure> {
    for t in &m.texts {
        if std::ptr::eq(t, main) {
            continue;
        }
        let Some(lang) = lcid_language(t.lcid) else {
            importer.warn(
                Diagnostic::warning(
                    "mc-language",
                    format!(
                        "language {} (LCID 0x{:X}) has no known language code; its text was not imported",
                        t.language, t.lcid
                    ),
                )
                .at(at(t.line).with_len(9))
                .help("check the number in LanguageNames; eventref knows the primary LCIDs such as 0x407 (de) or 0x411 (ja)"),
            );
            importer.skip_translation(UNKNOWN_LANGUAGE, 1);
            continue;
        };
        if t.text.trim().is_empty() {
            importer.skip_translation(NO_MESSAGE, 1);
            continue;
        }
        importer.translation(ImportedTranslation {
            source: source.to_string(),
            id: m.id,
            lang: lang.to_string(),
            message: t.text.clone(),
            original: main.text.clone(),
            origin: origin.to_string(),
            location: Some(at(t.line).with_len(9)),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
