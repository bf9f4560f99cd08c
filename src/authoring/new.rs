//! Authoring tools: `eventref new` writes a record (or a translation overlay of
//! an existing record) from a template, and the helpers it shares with the
//! importers in [`crate::import`]: an index of the records already under
//! `content/`, the conventional path of a new record, and YAML writing.
//!
//! A new record goes to `content/<source-slug>/<id>.yaml`, or next to the
//! source's existing records when the source already has some (so that
//! `new MSExchangeTransport 2003` lands in `content/exchange/msexchangetransport/`
//! when 2002 is there). Nothing is ever overwritten: a record whose
//! `(source, id)` exists anywhere under `content/` is refused, naming the file.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::slug::Slug;
use crate::content::{Content, ContentIndex, Event, Level, UserAction};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Severity};
use crate::error::{Failure, FailureKind};

/// A YAML double-quoted scalar holding exactly `s` (every control character escaped).
pub fn yaml_string(s: &str) -> String {
    crate::content::emit::scalar(s)
}

/// `key: value` for Markdown text: a literal block (`|`) indented by `indent + 2`
/// spaces when the text has several lines and a block can hold it exactly
/// (up to trailing whitespace, which eventref trims), else a quoted string.
pub fn yaml_text(key: &str, text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let text = text.trim_end();
    let block_ok = text.contains('\n')
        && !text.starts_with([' ', '\t'])
        && !text.chars().any(|c| {
            (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
        });
    if !block_ok {
        return format!("{pad}{key}: {}\n", yaml_string(text));
    }
    let mut out = format!("{pad}{key}: |\n");
    for line in text.split('\n') {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str(&pad);
            out.push_str("  ");
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// Parse an event ID as typed on the command line: decimal, or hex with `0x`.
/// IDs above 65535 are refused with their low 16 bits as a hint.
pub fn parse_id(text: &str) -> Result<u16, Box<Diagnostic>> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse::<u64>().ok(),
    };
    match parsed {
        Some(n) if n <= 65535 => Ok(n as u16),
        Some(n) if n <= u32::MAX as u64 => Err(Box::new(
            Diagnostic::error("invalid-id", format!("event ID {t} is outside 0–65535"))
                .help(crate::content::id_hint(n as i64)),
        )),
        _ => Err(Box::new(
            Diagnostic::error("invalid-id", format!("`{t}` is not an event ID"))
                .help("event IDs are whole numbers from 0 to 65535, e.g. 2002 (or 0x7D2)"),
        )),
    }
}

/// Check a source name given on the command line.
pub fn check_source(source: &str) -> Result<(), Box<Diagnostic>> {
    if Slug::new(source).is_none() {
        return Err(Box::new(
            Diagnostic::error(
                "invalid-source",
                format!("source `{source}` has no letters or digits to build a URL from"),
            )
            .help("write the event source as Event Viewer shows it, e.g. MSExchangeTransport"),
        ));
    }
    if let Some((_, c)) = crate::content::emit::refused_char(source, true) {
        return Err(Box::new(
            Diagnostic::error(
                "invalid-source",
                format!(
                    "source {} contains the control character {}",
                    crate::content::emit::scalar(source),
                    crate::content::emit::describe(c)
                ),
            )
            .help("event sources are names on one line: write it as Event Viewer shows it"),
        ));
    }
    if source.contains(['/', '\\']) || source.contains("..") || source.trim() != source {
        return Err(Box::new(
            Diagnostic::error(
                "invalid-source",
                format!("source `{source}` contains a path separator, `..` or surrounding spaces"),
            )
            .help("event sources are names, not paths: write it as Event Viewer shows it"),
        ));
    }
    Ok(())
}

/// Parse a level given on the command line.
pub fn parse_level(text: &str) -> Result<Level, Box<Diagnostic>> {
    Level::parse(text).ok_or_else(|| Box::new(Level::unknown(text)))
}

/// What `eventref new` should write.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// The site root.
    pub root: PathBuf,
    /// The event source.
    pub source: String,
    /// The event ID as typed.
    pub id: String,
    /// Write a translation overlay of the existing record in this language instead.
    pub lang: Option<String>,
    /// The message text, with its insertion strings.
    pub from_message: Option<String>,
    /// The level.
    pub level: Option<String>,
    /// The task category.
    pub category: Option<String>,
}

/// What `eventref new` did.
#[derive(Debug)]
pub struct NewReport {
    /// The file written, relative to the site root.
    pub file: PathBuf,
    /// Warnings (files that could not be read while looking for duplicates).
    pub diagnostics: Diagnostics,
    /// Next steps to print.
    pub hints: Vec<String>,
}

impl NewReport {
    /// The file written, as a path from the current folder (`root` joined with the file).
    pub fn path(&self, root: &Path) -> PathBuf {
        if root == Path::new(".") || root.as_os_str().is_empty() {
            self.file.clone()
        } else {
            root.join(&self.file)
        }
    }
}

fn failure(kind: FailureKind, d: Diagnostic) -> Failure {
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(d);
    Failure { kind, diagnostics }
}

fn usage(d: Diagnostic) -> Failure {
    failure(FailureKind::Config, d)
}

/// The placeholder message of a record written without `--from-message`.
pub const TODO_MESSAGE: &str =
    "TODO: the message text as Event Viewer shows it, with %1, %2 … where values go";

/// `eventref new`: write a record template, or with `lang` a translation overlay
/// of an existing record. Never overwrites anything.
pub fn new(opts: &NewOptions) -> Result<NewReport, Failure> {
    let config = Config::load(&opts.root).map_err(|d| usage(*d))?;
    check_source(&opts.source).map_err(|d| usage(*d))?;
    let id = parse_id(&opts.id).map_err(|d| usage(*d))?;
    match &opts.lang {
        Some(lang) => new_translation(config, &opts.source, id, lang),
        None => new_record(&config, opts, id),
    }
}

fn write_new(root: &Path, rel: &Path, text: &str) -> Result<(), Failure> {
    let path = root.join(rel);
    let result = (|| {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        std::io::Write::write_all(&mut f, text.as_bytes())
    })();
    result.map_err(|e| {
        let (code, help) = if e.kind() == std::io::ErrorKind::AlreadyExists {
            (
                "file-exists",
                "eventref never overwrites a file; move it away or edit it",
            )
        } else {
            ("write-error", "check that the content folder is writable")
        };
        failure(
            FailureKind::Content,
            Diagnostic::error(code, format!("cannot write {}: {e}", rel.display()))
                .at(Location::file_only(rel))
                .help(help),
        )
    })
}

fn index_warnings(index: &ContentIndex) -> Diagnostics {
    let mut ds = Diagnostics::new();
    for p in &index.problems {
        let mut d = p.clone();
        d.severity = Severity::Warning;
        d.message = format!("{} (so it was not searched for this event)", d.message);
        ds.push(d);
    }
    ds
}

fn new_record(config: &Config, opts: &NewOptions, id: u16) -> Result<NewReport, Failure> {
    let level = opts
        .level
        .as_deref()
        .map(parse_level)
        .transpose()
        .map_err(|d| usage(*d))?;
    let index = ContentIndex::scan(&config.root);
    if let Some(existing) = index.find(&opts.source, id) {
        return Err(failure(
            FailureKind::Content,
            Diagnostic::error(
                "record-exists",
                format!(
                    "{} {} already exists: {}",
                    existing.source,
                    id,
                    crate::diagnostics::slash_path(&existing.file)
                ),
            )
            .at(existing.id_loc.clone())
            .help(format!(
                "edit that file, or pick another ID; to translate it, run `eventref new {} {} --lang <code>`",
                shell_word(&existing.source),
                id
            )),
        ));
    }
    if let Some(spelled) = index.other_spelling(&opts.source) {
        return Err(usage(
            Diagnostic::error(
                "source-spelling",
                format!(
                    "the content already spells this source `{spelled}`; `{}` would share its URL",
                    opts.source
                ),
            )
            .help(format!("write it as `{spelled}`")),
        ));
    }
    let file = index.path_for(&opts.source, id);
    let text = record_template(config, &file, &opts.source, id, opts, level);
    write_new(&config.root, &file, &text)?;
    let mut hints = vec![format!(
        "fill in the fields (lines starting with # are hints), then run `eventref check`"
    )];
    if !config
        .root
        .join(crate::authoring::schema::RECORD_SCHEMA_FILE)
        .is_file()
    {
        hints.push(format!(
            "{} does not exist yet: run `eventref schema --write` so that editors can check the file while you type",
            crate::authoring::schema::RECORD_SCHEMA_FILE
        ));
    }
    Ok(NewReport {
        file,
        diagnostics: index_warnings(&index),
        hints,
    })
}

/// Quote a word for a shell command line when it needs it.
fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\\\""))
    }
}

/// `field: value` padded so that trailing comments line up.
fn hinted(line: &str, comment: &str) -> String {
    format!(
        "{:<44}{}",
        crate::content::emit::comment_text(line),
        crate::content::emit::comment(comment)
    )
}

fn record_template(
    config: &Config,
    file: &Path,
    source: &str,
    id: u16,
    opts: &NewOptions,
    level: Option<Level>,
) -> String {
    let mut t = String::new();
    t.push_str(&crate::authoring::schema::header_line(file, false));
    t.push('\n');
    t.push_str(&crate::content::emit::comment(&format!(
        "{source} {id}, written by `eventref new`. Lines that start with # are hints: remove the # to use one."
    )));
    t.push_str(&format!("source: {}\n", yaml_string(source)));
    t.push_str(&format!("id: {id}\n"));
    let message = opts
        .from_message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    t.push_str(&format!(
        "message: {}\n",
        yaml_string(message.unwrap_or(TODO_MESSAGE))
    ));
    push_metadata_hints(&mut t, config, opts, level);
    push_prose_hints(&mut t, source, id, message);
    t
}

/// The hinted metadata lines of a new record: name, category, level,
/// product, channel.
fn push_metadata_hints(t: &mut String, config: &Config, opts: &NewOptions, level: Option<Level>) {
    t.push_str(&hinted(
        "# symbolic_name: SmtpSendConnectionError",
        "the name in the provider's message file",
    ));
    match opts.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => t.push_str(&hinted(&format!("category: {}", yaml_string(c)), "task category")),
        None => t.push_str(&hinted("# category: SmtpSend", "task category")),
    }
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
    match level {
        Some(l) => t.push_str(&hinted(&format!("level: {}", l.as_str()), &levels.join(" | "))),
        None => t.push_str(&hinted("# level: warning", &levels.join(" | "))),
    }
    let default_of = |v: &Option<String>| match v {
        Some(v) => format!("default: {v} ([defaults] in site.toml)"),
        None => "[defaults] in site.toml sets the default".to_string(),
    };
    t.push_str(&hinted(
        "# product: Exchange",
        &default_of(&config.defaults.product),
    ));
    t.push_str(&hinted(
        "# product_version: \"14.0\"",
        &format!(
            "{}; keep the quotes",
            default_of(&config.defaults.product_version)
        ),
    ));
    t.push_str(&hinted("# channel: Application", "the log it is written to"));
}

/// The hinted prose lines of a new record: parameters (one placeholder per
/// insertion string of the message), explanation, user action, related
/// events, links.
fn push_prose_hints(t: &mut String, source: &str, id: u16, message: Option<&str>) {
    let inserts = message.map(crate::content::message::inserts).unwrap_or_default();
    if inserts.is_empty() {
        t.push_str(&hinted("# parameters:", "what each insertion string means"));
        t.push_str("#   \"%1\": Name of the Send connector\n");
    } else {
        t.push_str(&hinted("parameters:", "what each insertion string means"));
        for i in &inserts {
            t.push_str(&format!(
                "  {}: {}\n",
                yaml_string(i),
                yaml_string(&format!("TODO: what {i} stands for"))
            ));
        }
    }
    t.push_str(&hinted(
        "# explanation: |",
        "Markdown: what the event means, typical causes",
    ));
    t.push_str("#   This warning event indicates that …\n");
    t.push_str(&hinted("# user_action:", "Markdown text, or an intro and steps"));
    t.push_str("#   intro: \"To resolve this warning, do one or more of the following:\"\n");
    t.push_str("#   steps:\n");
    t.push_str("#     - Make sure that …\n");
    t.push_str(&hinted(
        &format!(
            "# related: [{}]",
            yaml_string(&format!("{source}/{}", id.wrapping_add(1)))
        ),
        "related events, \"Source/ID\"",
    ));
    t.push_str(&hinted("# links:", "extra \"For More Information\" links"));
    t.push_str("#   - { title: \"Troubleshooting …\", url: \"https://…\" }\n");
    t.push_str(&hinted("# last_modified: 2011-03-19", "YYYY-MM-DD"));
}

/// The comment that marks each text of a new translation.
pub const TODO_TRANSLATE: &str = crate::content::placeholder::TODO_TRANSLATE;

fn new_translation(config: Config, source: &str, id: u16, lang: &str) -> Result<NewReport, Failure> {
    check_translation_language(&config, lang)?;
    let root = config.root.clone();
    let (content, _) = Content::load(&config);
    let event = record_to_translate(&content, &root, source, id)?;
    let file = crate::content::overlay::overlay_path_for(&event.file, lang);
    if root.join(&file).exists() {
        return Err(failure(
            FailureKind::Content,
            Diagnostic::error(
                "overlay-exists",
                format!(
                    "the {lang} translation of {} {id} already exists: {}",
                    event.source,
                    crate::diagnostics::slash_path(&file)
                ),
            )
            .help("edit that file; after translating, run `eventref i18n refresh`"),
        ));
    }
    let lang_name = config
        .languages
        .iter()
        .find(|(c, _)| c == lang)
        .and_then(|(_, l)| l.name.clone())
        .unwrap_or_else(|| lang.to_string());
    let text = overlay_template(&file, event, lang, &lang_name);
    write_new(&root, &file, &text)?;
    Ok(NewReport {
        file,
        diagnostics: Diagnostics::new(),
        hints: vec![
            "translate every text marked `# TODO translate` (delete what you leave untranslated: it then falls back to the original)".into(),
            format!("then run `eventref i18n refresh --lang {lang}` and `eventref check`"),
        ],
    })
}

/// Refuses a translation into the default language or into a language the
/// site does not configure, naming the languages it does.
fn check_translation_language(config: &Config, lang: &str) -> Result<(), Failure> {
    let translated: Vec<&str> = config.language_codes().skip(1).collect();
    let listed = if translated.is_empty() {
        "the site has no other language yet: add one as [languages.<code>] in site.toml".to_string()
    } else {
        format!("the site's other languages are: {}", translated.join(", "))
    };
    if lang == config.default_language {
        return Err(usage(
            Diagnostic::error(
                "overlay-language",
                format!("`{lang}` is the site's default language: the record itself is in {lang}"),
            )
            .help(format!("edit the record instead; {listed}")),
        ));
    }
    if !translated.contains(&lang) {
        let help = match translated.iter().find(|c| c.eq_ignore_ascii_case(lang)) {
            Some(s) => format!("did you mean `{s}`? language codes are case-sensitive"),
            None => format!("add [languages.{lang}] to site.toml first; {listed}"),
        };
        return Err(usage(
            Diagnostic::error(
                "overlay-language",
                format!("language `{lang}` is not configured in site.toml"),
            )
            .help(help),
        ));
    }
    Ok(())
}

/// The valid record `source`/`id`, or a failure saying whether it is missing
/// or has errors.
fn record_to_translate<'c>(
    content: &'c Content,
    root: &Path,
    source: &str,
    id: u16,
) -> Result<&'c Event, Failure> {
    let slug = Slug::new(source);
    content
        .events
        .iter()
        .find(|e| Some(&e.source_slug) == slug.as_ref() && e.id == id)
        .ok_or_else(|| {
            let index = ContentIndex::scan(root);
            let d = match index.find(source, id) {
                Some(r) => Diagnostic::error(
                    "record-invalid",
                    format!("{} {id} has errors, so it cannot be translated yet", r.source),
                )
                .at(r.id_loc.clone())
                .help("run `eventref check` and fix the record first"),
                None => Diagnostic::error("no-record", format!("there is no record for {source} {id}")).help(
                    format!(
                        "create it first with `eventref new {} {id}`, then translate it",
                        shell_word(source)
                    ),
                ),
            };
            failure(FailureKind::Content, d)
        })
}

fn overlay_template(file: &Path, e: &Event, lang: &str, lang_name: &str) -> String {
    let record_name = e
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut t = String::new();
    t.push_str(&crate::authoring::schema::header_line(file, true));
    t.push('\n');
    t.push_str(&crate::content::emit::comment(&format!(
        "{lang_name} ({lang}) translation of {} {} ({record_name}), written by `eventref new --lang {lang}`.",
        e.source, e.id
    )));
    t.push_str("# Each text below is still the original: translate it. Keep insertion strings such as %1 or {Name}.\n");
    t.push_str("# Delete what you leave untranslated; after translating, run `eventref i18n refresh`.\n");
    t.push_str(TODO_TRANSLATE);
    t.push('\n');
    t.push_str(&format!("message: {}\n", yaml_string(&e.message)));
    if !e.parameters.is_empty() {
        t.push_str("parameters:\n");
        for (k, v) in &e.parameters {
            t.push_str(&format!("  {TODO_TRANSLATE}\n"));
            t.push_str(&format!("  {}: {}\n", yaml_string(k), yaml_string(v)));
        }
    }
    if let Some(x) = &e.explanation {
        t.push_str(TODO_TRANSLATE);
        t.push('\n');
        t.push_str(&yaml_text("explanation", x, 0));
    }
    match &e.user_action {
        Some(UserAction::Text(x)) => {
            t.push_str(TODO_TRANSLATE);
            t.push('\n');
            t.push_str(&yaml_text("user_action", x, 0));
        }
        Some(UserAction::Steps { intro, steps }) => {
            t.push_str("user_action:\n");
            if let Some(i) = intro {
                t.push_str(&format!("  {TODO_TRANSLATE}\n"));
                t.push_str(&format!("  intro: {}\n", yaml_string(i)));
            }
            t.push_str("  steps:\n");
            for s in steps {
                t.push_str(&format!("    {TODO_TRANSLATE}\n"));
                t.push_str(&format!("    - {}\n", yaml_string(s)));
            }
        }
        None => {}
    }
    if !e.links.is_empty() {
        t.push_str("links:\n");
        for l in &e.links {
            t.push_str(&format!("  - url: {}\n", yaml_string(&l.url)));
            t.push_str(&format!("    {TODO_TRANSLATE}\n"));
            t.push_str(&format!("    title: {}\n", yaml_string(&l.title)));
        }
    }
    if let Some(c) = &e.category {
        t.push_str(&format!(
            "# category: {}   # optional: the category's name in {lang_name}\n",
            yaml_string(c)
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::IndexedRecord;
    use serde::Deserialize;

    fn round_trip(s: &str) -> String {
        #[derive(Deserialize)]
        struct V {
            v: String,
        }
        let text = format!("v: {}\n", yaml_string(s));
        let v: V = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        v.v
    }

    #[test]
    fn quoted_strings_round_trip() {
        for s in [
            "",
            "plain",
            "Send connector %1: an error",
            "quote \" and \\ backslash",
            "tab\there\nnew line\r\n",
            "  leading and trailing  ",
            "yes",
            "# not a comment",
            "{Name} [x] &a *b !c |d >e",
            "ctrl \u{1} \u{7f} \u{85} \u{a0} \u{2028} \u{feff}",
            "äöü 日本語 العربية",
        ] {
            assert_eq!(round_trip(s), s);
        }
    }

    #[test]
    fn text_blocks_round_trip_up_to_trailing_space() {
        #[derive(Deserialize)]
        struct V {
            v: String,
        }
        for s in [
            "one line",
            "two\nlines",
            "para one\n\npara two\n- item\n  - nested\n",
            " leading space\nsecond",
            "# heading\ntext: with colon",
        ] {
            let text = yaml_text("v", s, 0);
            let v: V = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(v.v.trim_end(), s.trim_end(), "{text}");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(*parse_id("2002").as_ref().unwrap(), 2002);
        assert_eq!(*parse_id("0x7D2").as_ref().unwrap(), 2002);
        let e = parse_id("3221226487").unwrap_err();
        assert!(e.help.as_deref().unwrap().contains("1015"), "{:?}", e.help);
        // 70000 = 0x00011170 has no severity bits set: the hint must not claim any
        // (the same hint `check` gives for `id: 70000`).
        let help = parse_id("70000").unwrap_err().help.unwrap();
        assert!(
            help.contains("no severity bits set") && help.contains("4464"),
            "{help}"
        );
        assert!(!help.contains("with severity bits"), "{help}");
        assert!(parse_id("-1").is_err());
        assert!(parse_id("abc").is_err());
    }

    #[test]
    fn sources() {
        assert!(check_source("MSExchangeTransport").is_ok());
        assert!(check_source("Application Popup").is_ok());
        assert!(check_source("../x").is_err());
        assert!(check_source("日本").is_err());
    }

    #[test]
    fn folders() {
        let mut index = ContentIndex::default();
        let rec = |file: &str, id| IndexedRecord {
            file: PathBuf::from(file),
            source: "MSExchangeTransport".into(),
            slug: Slug::new("MSExchangeTransport").unwrap(),
            id,
            id_loc: Location::file_only(file),
        };
        assert_eq!(
            index.path_for("MSExchangeTransport", 1),
            PathBuf::from("content/msexchangetransport/1.yaml")
        );
        index.add(rec("content/exchange/msexchangetransport/2002.yaml", 2002));
        assert_eq!(
            index.path_for("MSExchangeTransport", 2003),
            PathBuf::from("content/exchange/msexchangetransport/2003.yaml")
        );
        assert!(index.find("msexchangetransport", 2002).is_some());
        assert_eq!(
            index.other_spelling("msexchangetransport"),
            Some("MSExchangeTransport")
        );
        assert_eq!(index.other_spelling("MSExchangeTransport"), None);
    }
}
