//! Site configuration: reading and checking `site.toml`, and the site's folder
//! layout.
//!
//! The config is the first stage of the pipeline. It knows the site's title,
//! languages, theme, base URL and the per-product texts that frame every event
//! article, and nothing about content. The names of the site's folders
//! (`content/`, `themes/`, `static/`, …) and the default output folder are
//! defined here, once, in [`layout`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Location, did_you_mean};

/// The name of the config file at the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// The folders of a site, relative to its root. Nothing else in eventref spells them.
pub mod layout {
    /// Event records and their translation overlays.
    pub const CONTENT: &str = "content";
    /// Themes, one folder each (`themes/<name>/`).
    pub const THEMES: &str = "themes";
    /// Template overrides (site level) and a theme's templates.
    pub const TEMPLATES: &str = "templates";
    /// Static files (site level) and a theme's static files.
    pub const STATIC: &str = "static";
    /// UI string overrides (site level) and a theme's UI strings.
    pub const I18N: &str = "i18n";
    /// Value maps shared by the records' fields (`value_maps/logon-type.yaml`).
    pub const VALUE_MAPS: &str = "value_maps";
    /// JSON Schemas for editors, written by `eventref schema --write`.
    pub const SCHEMAS: &str = "schemas";
    /// The default output folder of `eventref build`.
    pub const OUTPUT: &str = "public";
    /// eventref's bookkeeping in an output folder: the signed list of the files it wrote.
    pub const MANIFEST: &str = ".eventref-manifest";
    /// eventref's bookkeeping in an output folder: the inputs of the last build.
    pub const FINGERPRINT: &str = ".eventref-fingerprint";
    /// The folders a theme (and a site, as overrides) may have.
    pub const THEME_PARTS: [&str; 3] = [TEMPLATES, STATIC, I18N];
}

/// Texts that frame the articles of one product: the intro under the title and
/// the boilerplate that opens "For More Information". Markdown.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductText {
    /// Shown under "Topic last modified", e.g. "This article provides an explanation…".
    pub intro: Option<String>,
    /// Opens the "For More Information" section of every article of the product.
    pub more_info: Option<String>,
}

/// One language of the site.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageConfig {
    /// The language's own name for itself, shown in the language switcher.
    pub name: Option<String>,
    /// Site title in this language (defaults to the site title).
    pub title: Option<String>,
    /// Site description in this language.
    pub description: Option<String>,
    /// Footer text in this language (defaults to the site's `footer`).
    pub footer: Option<String>,
    /// Product texts in this language.
    #[serde(default)]
    pub products: BTreeMap<String, ProductText>,
}

/// Defaults for event fields that records may leave out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Product name when a record has none.
    pub product: Option<String>,
    /// Product version when a record has none.
    pub product_version: Option<String>,
}

/// The open data export's options (`[export]` in `site.toml`; see `docs/export.md`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// Also write each event as `/{lang}/{source}/{id}/event.json` beside its
    /// page. Off by default: `/{lang}/api/events.json` holds the same objects,
    /// and one file per event and language is the largest part of the output
    /// after the pages (32 MB and 50,000 files at 50,000 events).
    #[serde(default)]
    pub event_files: bool,
}

/// Where the site's sources are kept (`[repository]` in `site.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    /// The address that, followed by a file's path from the site root, opens
    /// that file in the repository's editor, e.g.
    /// `https://github.com/org/kb/edit/main/`. Ends with `/` when set.
    pub edit_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    description: Option<String>,
    footer: Option<String>,
    base_url: Option<String>,
    #[serde(default = "default_theme")]
    theme: String,
    default_language: Option<String>,
    #[serde(default)]
    languages: BTreeMap<String, LanguageConfig>,
    #[serde(default)]
    defaults: Defaults,
    #[serde(default)]
    products: BTreeMap<String, ProductText>,
    #[serde(default)]
    repository: Repository,
    #[serde(default)]
    export: Export,
    #[serde(default)]
    offline: bool,
}

fn default_theme() -> String {
    "technet".to_string()
}

/// The checked configuration of a site.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder holding `site.toml`.
    pub root: PathBuf,
    /// Site title (default language).
    pub title: String,
    /// One-line description for `<meta name="description">`.
    pub description: Option<String>,
    /// The site's own footer line (who writes it, where the data comes from),
    /// shown above the theme's "Built with eventref".
    pub footer: Option<String>,
    /// Where the site is published, e.g. `https://events.example.org/docs/`.
    /// Always ends with `/` when set.
    pub base_url: Option<String>,
    /// Theme folder name under `themes/`.
    pub theme: String,
    /// The default language code.
    pub default_language: String,
    /// All languages, default included, in a stable order (default first).
    pub languages: Vec<(String, LanguageConfig)>,
    /// Defaults for missing product fields.
    pub defaults: Defaults,
    /// Product texts in the default language.
    pub products: BTreeMap<String, ProductText>,
    /// The site's source repository ("Edit this page" links).
    pub repository: Repository,
    /// The open data export's options.
    pub export: Export,
    /// Build an offline copy that works from `file://` (`offline = true` in
    /// `site.toml`, or `eventref build --offline`): links end in `index.html`
    /// and the lookup tables are also written as classic scripts.
    pub offline: bool,
}

const CONFIG_FIELDS: &[&str] = &[
    "title",
    "description",
    "footer",
    "base_url",
    "theme",
    "default_language",
    "languages",
    "defaults",
    "products",
    "repository",
    "export",
    "offline",
];

impl Config {
    /// Read `site.toml` from `root`.
    pub fn load(root: &Path) -> Result<Config, Box<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Box::new(
                Diagnostic::error("config-missing", format!("cannot read {}: {e}", path.display()))
                    .help("run eventref in the folder that holds site.toml, or pass --root DIR"),
            )
        })?;
        Self::parse(root, &text)
    }

    /// Parse the text of a `site.toml`.
    pub fn parse(root: &Path, text: &str) -> Result<Config, Box<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| toml_error(text, &e))?;

        let bad = |msg: String, help: &str| {
            Box::new(
                Diagnostic::error("config-invalid", msg)
                    .at(Location::file_only(CONFIG_FILE))
                    .help(help),
            )
        };
        let (default_language, ordered) =
            ordered_languages(raw.languages, raw.default_language).map_err(|(msg, help)| bad(msg, help))?;

        let base_url = match raw.base_url {
            Some(u) => Some(normalize_base_url(&u).ok_or_else(|| {
                bad(
                    format!("base_url `{u}` is not an absolute http(s) URL"),
                    "write it like https://events.example.org/ or https://example.org/docs/",
                )
            })?),
            None => None,
        };
        let mut repository = raw.repository;
        if let Some(u) = repository.edit_url.take() {
            repository.edit_url = Some(normalize_base_url(&u).ok_or_else(|| {
                bad(
                    format!("repository.edit_url `{u}` is not an absolute http(s) URL"),
                    "write it like https://github.com/org/kb/edit/main/ (the address a file's path is appended to)",
                )
            })?);
        }
        if crate::slug::Slug::new(&raw.theme).map(|s| s.as_str() == raw.theme) != Some(true) {
            return Err(bad(
                format!("theme `{}` is not a valid theme folder name", raw.theme),
                "use the name of a folder under themes/, e.g. technet",
            ));
        }

        Ok(Config {
            root: root.to_path_buf(),
            title: raw.title,
            description: raw.description,
            footer: raw.footer,
            base_url,
            theme: raw.theme,
            default_language,
            languages: ordered,
            defaults: raw.defaults,
            products: raw.products,
            repository,
            export: raw.export,
            offline: raw.offline,
        })
    }

    /// Override the base URL (for preview deploys).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), Box<Diagnostic>> {
        self.base_url = Some(normalize_base_url(url).ok_or_else(|| {
            Box::new(
                Diagnostic::error(
                    "config-invalid",
                    format!("--base-url `{url}` is not an absolute http(s) URL"),
                )
                .help("write it like https://preview-42.example.org/ or https://example.org/docs/"),
            )
        })?);
        Ok(())
    }

    /// The path part of the base URL (`/` or `/docs/`), used where a page cannot
    /// use relative links (the 404 page, which is served at any path).
    pub fn base_path(&self) -> String {
        match &self.base_url {
            Some(u) => {
                let after_scheme = u.split_once("://").map(|(_, r)| r).unwrap_or(u);
                match after_scheme.find('/') {
                    Some(i) => after_scheme[i..].to_string(),
                    None => "/".to_string(),
                }
            }
            None => "/".to_string(),
        }
    }

    /// The content folder.
    pub fn content_dir(&self) -> PathBuf {
        self.root.join(layout::CONTENT)
    }

    /// The folder of the configured theme, when it is not the built-in one.
    pub fn theme_dir(&self) -> PathBuf {
        self.root.join(layout::THEMES).join(&self.theme)
    }

    /// The output folder: `output` when given, else `public/` under the root.
    pub fn output_dir(&self, output: Option<&Path>) -> PathBuf {
        output
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.join(layout::OUTPUT))
    }

    /// Every folder whose files a build reads: content, the theme, and the
    /// site's overrides.
    pub fn input_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![
            self.content_dir(),
            self.theme_dir(),
            self.root.join(layout::VALUE_MAPS),
        ];
        dirs.extend(layout::THEME_PARTS.iter().map(|p| self.root.join(p)));
        dirs
    }

    /// The site's title in language `lang`: its `[languages.<lang>]` title,
    /// else the site's.
    pub fn title_in(&self, lang: &str) -> &str {
        self.languages
            .iter()
            .find(|(c, _)| c == lang)
            .and_then(|(_, l)| l.title.as_deref())
            .unwrap_or(&self.title)
    }

    /// Language codes, default first.
    pub fn language_codes(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().map(|(c, _)| c.as_str())
    }
}

/// A `site.toml` syntax or schema error, pointing at the key, naming the
/// table it is in and where it belongs.
fn toml_error(text: &str, e: &toml::de::Error) -> Box<Diagnostic> {
    let source: Arc<str> = Arc::from(text);
    let loc_at = |offset: usize, len: usize| {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() as u32 + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
        Location::new(CONFIG_FILE, Some(source.clone()), line, col).with_len(len)
    };
    let msg = e.message().to_string();
    let table = e.span().and_then(|s| enclosing_table(text, s.start));
    let field = msg
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next());
    let mut d = match (field, &table) {
        (Some(field), Some(t)) => Diagnostic::error(
            "config-invalid",
            format!("site.toml: unknown key `{field}` in [{t}]: {}", table_meaning(t)),
        ),
        (Some(field), None) => Diagnostic::error(
            "config-invalid",
            format!("site.toml: unknown key `{field}` at the top level of site.toml"),
        ),
        (None, Some(t)) => Diagnostic::error("config-invalid", format!("site.toml: in [{t}]: {msg}")),
        (None, None) => Diagnostic::error("config-invalid", format!("site.toml: {msg}")),
    };
    if let Some(span) = e.span() {
        d = d.at(loc_at(span.start, span.len()));
    } else {
        d = d.at(Location::file_only(CONFIG_FILE));
    }
    if let Some(field) = field {
        // The keys this table takes, as the parser listed them.
        let expected: Vec<&str> = msg
            .split_once("expected")
            .map(|(_, r)| r.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let top_level = CONFIG_FIELDS.contains(&field)
            && !matches!(field, "languages" | "defaults" | "products" | "export");
        if table.is_some() && top_level && !expected.contains(&field) {
            d = d.help(format!(
                "`{field}` is a top-level setting: it belongs at the top of site.toml, before any [table] (keys after a [table] header belong to that table)"
            ));
        } else if let Some(s) = did_you_mean(field, expected.iter().copied()) {
            d = d.help(format!("did you mean `{s}`?"));
        } else if !expected.is_empty() {
            d = d.help(format!("this table takes: {}", expected.join(", ")));
        }
    }
    Box::new(d)
}

/// A site's languages in order, the default first.
type Languages = Vec<(String, LanguageConfig)>;

/// The site's languages, the default first, or the problem and its hint.
fn ordered_languages(
    mut languages: BTreeMap<String, LanguageConfig>,
    default_language: Option<String>,
) -> Result<(String, Languages), (String, &'static str)> {
    let default_language = match default_language {
        Some(l) => l,
        None if languages.len() == 1 => languages.keys().next().cloned().unwrap_or_default(),
        None if languages.is_empty() => "en".to_string(),
        None => {
            return Err((
                "site.toml lists several languages but no default_language".into(),
                "add default_language = \"en\" (or another listed language)",
            ));
        }
    };
    languages.entry(default_language.clone()).or_default();
    for code in languages.keys() {
        if !valid_lang_code(code) {
            return Err((
                format!("`{code}` is not a valid language code"),
                "use a BCP 47 code such as en, de, ja, pt-BR or zh-Hans",
            ));
        }
    }
    let mut ordered: Vec<(String, LanguageConfig)> = Vec::with_capacity(languages.len());
    if let Some(d) = languages.remove(&default_language) {
        ordered.push((default_language.clone(), d));
    }
    ordered.extend(languages);
    Ok((default_language, ordered))
}

/// The `[table]` (or `[[array]]`) header that the byte `offset` of a TOML
/// text falls under, without brackets; `None` at the top level.
fn enclosing_table(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset.min(text.len()))?;
    before.lines().rev().find_map(|line| {
        let l = line.trim();
        let inner = l.strip_prefix('[')?;
        let inner = inner.trim_start_matches('[');
        let end = inner.find(']')?;
        Some(inner[..end].trim().to_string())
    })
}

/// What a table of site.toml is for, in one clause.
fn table_meaning(table: &str) -> String {
    let parts: Vec<&str> = table.split('.').map(|p| p.trim().trim_matches('"')).collect();
    match parts.as_slice() {
        ["languages", lang] => format!(
            "[languages.{lang}] describes the language `{lang}` (its name, and the site's title, description and product texts in it)"
        ),
        ["languages", lang, "products", p] => {
            format!("it holds the texts of the product `{p}` in `{lang}` (intro and more_info)")
        }
        ["products", p] => format!("it holds the texts of the product `{p}` (intro and more_info)"),
        ["defaults"] => "[defaults] holds the product and product_version of records that name none".into(),
        ["export"] => "[export] holds the options of the JSON export (event_files)".into(),
        _ => "site.toml has no such key there".into(),
    }
}

fn normalize_base_url(u: &str) -> Option<String> {
    let u = u.trim();
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"))?;
    if rest.is_empty() || rest.starts_with('/') || u.contains(['"', '<', '>', ' ', '\'', '\\']) {
        return None;
    }
    let mut s = u.to_string();
    if !s.ends_with('/') {
        s.push('/');
    }
    Some(s)
}

/// A loose BCP 47 check: letters, digits and dashes, starting with 2–3 letters.
pub fn valid_lang_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal() {
        let c = Config::parse(Path::new("."), "title = \"T\"").unwrap();
        assert_eq!(c.default_language, "en");
        assert_eq!(c.theme, "technet");
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn base_path() {
        let c = Config::parse(Path::new("."), "title = \"T\"\nbase_url = \"https://x.org/docs\"").unwrap();
        assert_eq!(c.base_url.as_deref(), Some("https://x.org/docs/"));
        assert_eq!(c.base_path(), "/docs/");
    }

    #[test]
    fn typo_suggestion() {
        let e = Config::parse(Path::new("."), "title = \"T\"\nbase_ur = \"x\"").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `base_url`?"));
        assert_eq!(e.location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn key_in_wrong_table() {
        let text = "title = \"T\"\ndefault_language = \"en\"\n[languages.de]\nname = \"Deutsch\"\nbase_url = \"https://x.org/\"\n";
        let e = Config::parse(Path::new("."), text).unwrap_err();
        assert!(e.message.contains("[languages.de]"), "{}", e.message);
        assert!(e.message.contains("describes the language `de`"), "{}", e.message);
        let help = e.help.as_deref().unwrap();
        assert!(
            help.contains("belongs at the top of site.toml, before any [table]"),
            "{help}"
        );
        assert!(!help.contains("did you mean"), "{help}");
        assert_eq!(e.location.as_ref().unwrap().line, 5);
    }

    #[test]
    fn typo_in_table_suggests_that_tables_keys() {
        let text = "title = \"T\"\n[languages.de]\ntitel = \"X\"\n";
        let e = Config::parse(Path::new("."), text).unwrap_err();
        assert!(e.message.contains("[languages.de]"), "{}", e.message);
        assert_eq!(e.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn export_options() {
        let c = Config::parse(Path::new("."), "title = \"T\"").unwrap();
        assert!(!c.export.event_files, "per-event files are off by default");
        let c = Config::parse(Path::new("."), "title = \"T\"\n[export]\nevent_files = true\n").unwrap();
        assert!(c.export.event_files);
        let e = Config::parse(Path::new("."), "title = \"T\"\n[export]\nevent_file = true\n").unwrap_err();
        assert!(e.message.contains("[export] holds the options"), "{}", e.message);
        assert_eq!(e.help.as_deref(), Some("did you mean `event_files`?"));
        assert_eq!(e.location.as_ref().unwrap().line, 3);
        let e =
            Config::parse(Path::new("."), "title = \"T\"\n[export]\nevent_files = \"yes\"\n").unwrap_err();
        assert_eq!(e.location.as_ref().unwrap().line, 3, "{}", e.message);
    }

    #[test]
    fn bad_theme_name() {
        assert!(Config::parse(Path::new("."), "title = \"T\"\ntheme = \"../x\"").is_err());
    }
}
