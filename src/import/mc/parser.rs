//! The `.mc` parser: statements, header lists and message blocks, read
//! through the lexer of the parent module, with every syntax error collected.

use super::*;

struct Parser<'a> {
    file: &'a Path,
    source: Arc<str>,
    lex: Lexer<'a>,
    errors: Vec<Diagnostic>,
    severities: NameList,
    facilities: NameList,
    languages: NameList,
    /// Messages read so far.
    messages: Vec<Message>,
    /// The message whose definition is being read.
    pending: Option<Pending>,
    /// The last `Severity=` and `Facility=`: they carry on to later messages.
    severity: Option<Named>,
    facility: Option<Named>,
    /// The last message ID per facility, for `MessageId=` and `MessageId=+n`.
    last_ids: HashMap<u32, u64>,
}

/// Whether the parser reads on after a statement.
#[derive(PartialEq)]
enum Flow {
    Next,
    Stop,
}

enum IdSpec {
    Absolute(u64),
    Relative(u64),
    Next,
}

struct Pending {
    spec: IdSpec,
    line: u32,
    col: u32,
    severity: Option<Named>,
    facility: Option<Named>,
    symbolic_name: Option<String>,
    texts: Vec<Text>,
    id: Option<u16>,
}

const KEYWORDS: &[&str] = &[
    "MessageIdTypedef",
    "SeverityNames",
    "FacilityNames",
    "LanguageNames",
    "OutputBase",
    "MessageId",
    "Severity",
    "Facility",
    "SymbolicName",
    "Language",
];

impl<'a> Parser<'a> {
    fn loc(&self, line: u32, col: u32, len: usize) -> Location {
        Location::new(self.file, Some(self.source.clone()), line, col).with_len(len)
    }

    fn error(&mut self, line: u32, col: u32, len: usize, msg: String, help: &str) {
        let d = Diagnostic::error("mc-syntax", msg)
            .at(self.loc(line, col, len))
            .help(help);
        self.errors.push(d);
    }

    fn expect_eq(&mut self, keyword: &str) -> bool {
        let (t, line, col, len) = self.lex.next();
        if t == Tok::Eq {
            return true;
        }
        self.error(
            line,
            col,
            len,
            format!("expected `=` after {keyword}"),
            "statements are written keyword=value",
        );
        false
    }

    fn ident(&mut self, keyword: &str) -> Option<(String, u32, u32, usize)> {
        let (t, line, col, len) = self.lex.next();
        match t {
            Tok::Ident(s) => Some((s, line, col, len)),
            _ => {
                self.error(
                    line,
                    col,
                    len,
                    format!("expected a name after {keyword}="),
                    "names follow the rules of C identifiers",
                );
                None
            }
        }
    }

    /// `(name=number[:name] …)`
    fn names(&mut self, keyword: &str, file_name_required: bool) -> Vec<Named> {
        let mut out = Vec::new();
        let (t, line, col, len) = self.lex.next();
        if t != Tok::LParen {
            self.error(
                line,
                col,
                len,
                format!("expected `(` after {keyword}="),
                "write the list in parentheses: (Name=0x1:SYMBOL Other=0x2:SYMBOL)",
            );
            return out;
        }
        loop {
            let (t, line, col, len) = self.lex.next();
            match t {
                Tok::RParen => break,
                Tok::Ident(name) => match self.name_entry(keyword, name, file_name_required) {
                    Some(n) => out.push(n),
                    None => return out,
                },
                Tok::Eof => {
                    self.error(
                        line,
                        col,
                        len,
                        format!("the {keyword} list is not closed"),
                        "end the list with `)`",
                    );
                    break;
                }
                _ => {
                    self.error(
                        line,
                        col,
                        len,
                        format!("unexpected text in the {keyword} list"),
                        "entries are name=number[:name], separated by white space",
                    );
                    break;
                }
            }
        }
        out
    }

    /// One `name=number[:symbol]` entry of a header list; `None` ends the list.
    fn name_entry(&mut self, keyword: &str, name: String, file_name_required: bool) -> Option<Named> {
        if !self.expect_eq(&name) {
            return None;
        }
        let (t, nline, ncol, nlen) = self.lex.next();
        let Tok::Number(value) = t else {
            self.error(
                nline,
                ncol,
                nlen,
                format!("expected a number for {name} in {keyword}"),
                "write name=number, e.g. Error=0x3",
            );
            return None;
        };
        if self.lex.peek() == Tok::Colon {
            self.lex.next();
            self.ident(keyword);
        } else if file_name_required {
            self.error(
                nline,
                ncol,
                nlen,
                format!("{keyword} entry {name} has no file name"),
                "write name=number:filename, e.g. English=0x409:MSG00409",
            );
        }
        let limit = match keyword {
            "SeverityNames" => 0x3,
            "FacilityNames" => 0xFFF,
            _ => 0xFFFF,
        };
        if value > limit {
            self.error(
                nline,
                ncol,
                nlen,
                format!("{name}={value:#x} does not fit in {keyword} (at most {limit:#x})"),
                "severities take 2 bits, facilities 12 bits, language IDs 16 bits",
            );
        }
        Some(Named {
            name,
            value: value as u32,
        })
    }

    fn merge(into: &mut NameList, new: Vec<Named>) {
        for n in new {
            into.insert(n);
        }
    }

    fn lookup(&mut self, list: &str, name: &str, line: u32, col: u32, len: usize) -> Option<Named> {
        let known = match list {
            "Severity" => &self.severities,
            "Facility" => &self.facilities,
            _ => &self.languages,
        };
        if let Some(n) = known.find(name) {
            return Some(n.clone());
        }
        let names: Vec<String> = known.items.iter().map(|n| n.name.clone()).collect();
        let help = match did_you_mean(name, names.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "known names: {}; declare others with {list}Names=(…)",
                names.join(", ")
            ),
        };
        self.error(
            line,
            col,
            len,
            format!("unknown {} name `{name}`", list.to_ascii_lowercase()),
            &help,
        );
        None
    }

    fn parse(mut self) -> Result<McFile, Vec<Diagnostic>> {
        while self.statement() == Flow::Next {}
        if let Some(p) = self.pending.take() {
            self.finish(p);
        }
        if self.errors.is_empty() {
            Ok(McFile {
                messages: self.messages,
            })
        } else {
            Err(self.errors)
        }
    }

    /// Read one `Keyword=value` statement (a message text included).
    /// The keyword a statement starts with, in its documented spelling, and
    /// where it is; `None` (after an error) at the end of the input or at
    /// anything else.
    fn keyword(&mut self) -> Option<(&'static str, u32, u32, usize)> {
        let (t, line, col, len) = self.lex.next();
        let keyword = match t {
            Tok::Eof => return None,
            Tok::Ident(k) => k,
            _ => {
                self.error(
                    line,
                    col,
                    len,
                    "expected a keyword such as MessageId=".into(),
                    "comment lines start with `;`",
                );
                return None;
            }
        };
        let canonical = KEYWORDS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&keyword))
            .copied();
        if canonical.is_none() {
            let help = match did_you_mean(&keyword, KEYWORDS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the keywords are {}", KEYWORDS.join(", ")),
            };
            self.error(line, col, len, format!("unknown keyword `{keyword}`"), &help);
        }
        canonical.map(|c| (c, line, col, len))
    }

    fn statement(&mut self) -> Flow {
        let Some((canonical, line, col, len)) = self.keyword() else {
            return Flow::Stop;
        };
        if !self.expect_eq(canonical) {
            return Flow::Stop;
        }
        let needs_message = matches!(canonical, "Severity" | "Facility" | "SymbolicName" | "Language");
        if needs_message && self.pending.is_none() {
            self.error(
                line,
                col,
                len,
                format!("{canonical}= before the first MessageId="),
                "each message definition starts with MessageId=",
            );
            return Flow::Stop;
        }
        match canonical {
            "MessageIdTypedef" => {
                // The value is optional; a name followed by `=` is the next keyword.
                let mut l = self.lex;
                if let Tok::Ident(_) = l.next().0
                    && l.peek() != Tok::Eq
                {
                    self.lex.next();
                }
            }
            "OutputBase" => {
                self.lex.next();
            }
            "SeverityNames" => {
                let n = self.names(canonical, false);
                Self::merge(&mut self.severities, n);
            }
            "FacilityNames" => {
                let n = self.names(canonical, false);
                Self::merge(&mut self.facilities, n);
            }
            "LanguageNames" => {
                let n = self.names(canonical, true);
                Self::merge(&mut self.languages, n);
            }
            "MessageId" => return self.message_id(line, col),
            "Severity" | "Facility" => return self.severity_or_facility(canonical),
            "SymbolicName" => {
                let Some((name, ..)) = self.ident(canonical) else {
                    return Flow::Stop;
                };
                if let Some(p) = self.pending.as_mut() {
                    p.symbolic_name = Some(name);
                }
            }
            _ => return self.language_text(canonical, line, col, len),
        }
        Flow::Next
    }

    /// `MessageId=`, `MessageId=n` or `MessageId=+n`: the previous message is
    /// complete, a new one starts.
    fn message_id(&mut self, line: u32, col: u32) -> Flow {
        if let Some(p) = self.pending.take() {
            self.finish(p);
        }
        let spec = match self.lex.peek() {
            Tok::Number(_) => match self.lex.next().0 {
                Tok::Number(n) => IdSpec::Absolute(n),
                _ => IdSpec::Next,
            },
            Tok::Plus => {
                self.lex.next();
                let (t, l2, c2, len2) = self.lex.next();
                match t {
                    Tok::Number(n) => IdSpec::Relative(n),
                    _ => {
                        self.error(
                            l2,
                            c2,
                            len2,
                            "expected a number after MessageId=+".into(),
                            "write MessageId=+1 to count on from the previous message",
                        );
                        return Flow::Stop;
                    }
                }
            }
            _ => IdSpec::Next,
        };
        self.pending = Some(Pending {
            spec,
            line,
            col,
            severity: self.severity.clone(),
            facility: self.facility.clone(),
            symbolic_name: None,
            texts: Vec::new(),
            id: None,
        });
        Flow::Next
    }

    /// `Severity=name` or `Facility=name`: for this message and the next ones.
    fn severity_or_facility(&mut self, canonical: &str) -> Flow {
        let Some((name, l2, c2, len2)) = self.ident(canonical) else {
            return Flow::Stop;
        };
        if let Some(n) = self.lookup(canonical, &name, l2, c2, len2)
            && let Some(p) = self.pending.as_mut()
        {
            if canonical == "Severity" {
                self.severity = Some(n.clone());
                p.severity = Some(n);
            } else {
                self.facility = Some(n.clone());
                p.facility = Some(n);
            }
        }
        Flow::Next
    }

    /// `Language=name`, then the text up to a line holding only `.`.
    fn language_text(&mut self, canonical: &str, line: u32, col: u32, len: usize) -> Flow {
        let Some((name, l2, c2, len2)) = self.ident(canonical) else {
            return Flow::Stop;
        };
        let lang = self.lookup("Language", &name, l2, c2, len2);
        self.lex.skip_line();
        let Some(raw) = self.lex.message_text() else {
            let at_eof = self.lex.pos >= self.lex.src.len();
            self.error(
                line,
                col,
                len,
                format!("the {name} text of this message does not end"),
                if at_eof {
                    "end every message text with a line holding only `.`"
                } else {
                    "the line holding only `.` that ends this text is missing before the next MessageId="
                },
            );
            return if at_eof { Flow::Stop } else { Flow::Next };
        };
        let Some(lang) = lang else { return Flow::Next };
        let duplicate = self
            .pending
            .as_ref()
            .is_some_and(|p| p.texts.iter().any(|t| t.lcid == lang.value));
        if duplicate {
            self.error(
                line,
                col,
                len,
                format!("this message already has a {name} text"),
                "give each language one text per message",
            );
        }
        if let Some(p) = self.pending.as_mut() {
            p.texts.push(Text {
                language: lang.name,
                lcid: lang.value,
                text: unescape(&raw),
                line,
            });
        }
        Flow::Next
    }

    fn finish(&mut self, mut p: Pending) {
        let fac = p.facility.as_ref().map_or(0xFFF, |f| f.value);
        let last = self.last_ids.get(&fac).copied().unwrap_or(0);
        let id = match p.spec {
            IdSpec::Absolute(n) => n,
            IdSpec::Relative(n) => last + n,
            IdSpec::Next => last + 1,
        };
        self.last_ids.insert(fac, id);
        if id > 0xFFFF {
            self.error(
                p.line,
                p.col,
                9,
                format!("MessageId {id} does not fit in 16 bits"),
                "message IDs are 0–65535 (0xFFFF); severity and facility go in Severity= and Facility=",
            );
            return;
        }
        p.id = Some(id as u16);
        if p.texts.is_empty() {
            self.error(
                p.line,
                p.col,
                9,
                format!("message {id} has no text"),
                "add a Language=English block with the text, ended by a line holding only `.`",
            );
            return;
        }
        self.messages.push(Message {
            id: id as u16,
            line: p.line,
            severity: p.severity,
            facility: p.facility,
            symbolic_name: p.symbolic_name,
            texts: p.texts,
        });
    }
}

/// Parse the text of a `.mc` file. Syntax errors are returned all at once.
pub fn parse(file: &Path, text: &str) -> Result<McFile, Vec<Diagnostic>> {
    let named = |v: &[(&str, u32)]| -> NameList {
        let mut list = NameList::default();
        for (n, v) in v {
            list.insert(Named {
                name: n.to_string(),
                value: *v,
            });
        }
        list
    };
    Parser {
        file,
        source: Arc::from(text),
        lex: Lexer {
            src: text,
            pos: 0,
            line: 1,
            col: 1,
        },
        errors: Vec::new(),
        severities: named(&[("Success", 0), ("Informational", 1), ("Warning", 2), ("Error", 3)]),
        facilities: named(&[("System", 0x0FF), ("Application", 0xFFF)]),
        languages: named(&[("English", 0x409)]),
        messages: Vec::new(),
        pending: None,
        severity: None,
        facility: None,
        last_ids: HashMap::new(),
    }
    .parse()
}
