//! Themes: templates, static files and UI strings, with site-level overrides.
//!
//! A theme is a folder `themes/<name>/` holding `templates/*.html`, `static/…`
//! and `i18n/<lang>.yaml`. A site overrides any single template, static file or
//! UI string from its own `templates/`, `static/` and `i18n/` folders, the way
//! Zola and Hugo do. The default `technet` theme is also compiled into the
//! binary, so a site without a `themes/technet/` folder still builds.
//! Templates are compiled once per build: as written, and, when a language's
//! first page renders, once for that language with its UI strings written in
//! (`ui_inline`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location};
use crate::i18n::{UiString, UiStrings};

/// The templates a theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "base.html",
    "sidebar.html",
    "event.html",
    "index.html",
    "source.html",
    "category.html",
    "events.html",
    "404.html",
    "search.html",
];

/// Files of the built-in `technet` theme, relative to `themes/technet/`.
pub const BUILTIN_TECHNET: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/technet/templates/base.html"),
    ),
    (
        "templates/sidebar.html",
        include_str!("../../themes/technet/templates/sidebar.html"),
    ),
    (
        "templates/event.html",
        include_str!("../../themes/technet/templates/event.html"),
    ),
    (
        "templates/index.html",
        include_str!("../../themes/technet/templates/index.html"),
    ),
    (
        "templates/source.html",
        include_str!("../../themes/technet/templates/source.html"),
    ),
    (
        "templates/category.html",
        include_str!("../../themes/technet/templates/category.html"),
    ),
    (
        "templates/events.html",
        include_str!("../../themes/technet/templates/events.html"),
    ),
    (
        "templates/event_row.html",
        include_str!("../../themes/technet/templates/event_row.html"),
    ),
    (
        "templates/event_model.html",
        include_str!("../../themes/technet/templates/event_model.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/technet/templates/404.html"),
    ),
    (
        "templates/search.html",
        include_str!("../../themes/technet/templates/search.html"),
    ),
    (
        "static/technet.css",
        include_str!("../../themes/technet/static/technet.css"),
    ),
    (
        "static/favicon.svg",
        include_str!("../../themes/technet/static/favicon.svg"),
    ),
    (
        "static/lookup.js",
        include_str!("../../themes/technet/static/lookup.js"),
    ),
    (
        "static/search.js",
        include_str!("../../themes/technet/static/search.js"),
    ),
    (
        "static/header.js",
        include_str!("../../themes/technet/static/header.js"),
    ),
    ("static/go.js", include_str!("../../themes/technet/static/go.js")),
    (
        "static/data.js",
        include_str!("../../themes/technet/static/data.js"),
    ),
    ("i18n/en.yaml", include_str!("../../themes/technet/i18n/en.yaml")),
    ("i18n/de.yaml", include_str!("../../themes/technet/i18n/de.yaml")),
    ("i18n/ja.yaml", include_str!("../../themes/technet/i18n/ja.yaml")),
    ("i18n/ar.yaml", include_str!("../../themes/technet/i18n/ar.yaml")),
];

/// Where a theme file came from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A file on disk.
    Disk(PathBuf),
    /// Compiled into eventref.
    Builtin(&'static str),
}

/// A loaded theme: compiled templates, static files and UI strings.
pub struct Theme {
    /// The compiled templates, as written.
    tera: tera::Tera,
    /// What the `href` filter ends a link to a page with (`dir_index`:
    /// `index.html` in an offline copy), fixed by the site's settings.
    dir_index: &'static str,
    /// Each language's constants (UI strings, `lang`, `site.title`, …) and
    /// its copy of the templates with them written in (`ui_inline`), compiled
    /// when the language's first page renders (`check` renders none); a
    /// language without one renders with `tera`.
    by_lang: BTreeMap<String, (super::ui_inline::Constants, OnceLock<Option<tera::Tera>>)>,
    /// The theme's static files: output path under `static/` → where to read them.
    pub static_files: BTreeMap<String, StaticFile>,
    /// The site's own `static/` folder: output path from the site root
    /// (`CNAME`, `favicon.ico`, `.well-known/security.txt`) → where to read them.
    pub site_files: BTreeMap<String, StaticFile>,
    /// UI strings per language.
    pub strings: BTreeMap<String, UiStrings>,
    /// Template name → (path shown to users, source text), for error reports.
    templates: BTreeMap<String, (String, String)>,
}

/// A static file to copy into the site.
#[derive(Debug, Clone)]
pub enum StaticFile {
    /// Copy from disk.
    Disk(PathBuf),
    /// Built-in bytes.
    Builtin(&'static str),
}

impl StaticFile {
    /// Read the file's bytes.
    pub fn bytes(&self) -> std::io::Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            StaticFile::Disk(p) => std::fs::read(p).map(std::borrow::Cow::Owned),
            StaticFile::Builtin(s) => Ok(std::borrow::Cow::Borrowed(s.as_bytes())),
        }
    }
}

impl Theme {
    /// Load the site's theme, applying the site's overrides. Collects every
    /// problem (template syntax errors with file:line:col, missing templates).
    pub fn load(config: &Config) -> Result<Theme, Vec<Diagnostic>> {
        let root = &config.root;
        let theme_dir = root.join("themes").join(&config.theme);
        let builtin = !theme_dir.is_dir();
        if builtin && config.theme != "technet" {
            return Err(vec![
                Diagnostic::error(
                    "theme-missing",
                    format!("theme `{}` not found in themes/", config.theme),
                )
                .at(Location::file_only(crate::config::CONFIG_FILE))
                .help("create themes/<name>/ or use the built-in theme: theme = \"technet\""),
            ]);
        }

        // Collect template sources: theme first, then site overrides.
        let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new(); // name → (display path, source)
        let mut statics: BTreeMap<String, StaticFile> = BTreeMap::new();
        let mut errors = Vec::new();
        let mut string_files: Vec<(String, PathBuf, String)> = Vec::new(); // (lang, display, text)

        if builtin {
            builtin_into(&mut templates, &mut statics, &mut string_files);
        } else {
            read_dir_into(
                root,
                &theme_dir,
                &mut templates,
                &mut statics,
                &mut string_files,
                &mut errors,
            );
        }
        // Site overrides; the site's static files go to the site root.
        let mut site_files: BTreeMap<String, StaticFile> = BTreeMap::new();
        read_dir_into(
            root,
            root,
            &mut templates,
            &mut site_files,
            &mut string_files,
            &mut errors,
        );
        errors.extend(site_file_clashes(config, &site_files));

        let strings = parse_strings(string_files, &mut errors);
        let dir_index = super::urls::dir_index(config.offline);
        let tera = compile(&templates, dir_index, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut theme = Theme {
            tera,
            dir_index,
            by_lang: BTreeMap::new(),
            static_files: statics,
            site_files,
            strings,
            templates,
        };
        if super::ui_inline::applies(theme.templates.values().map(|(_, src)| src.as_str())) {
            let default = &config.default_language;
            for (lang, _) in &config.languages {
                let constants = super::ui_inline::Constants::new(
                    &theme.strings_for(lang, default).0,
                    [
                        ("lang", lang.as_str()),
                        ("dir", crate::i18n::direction(lang)),
                        ("site.title", config.title_in(lang)),
                        ("site.default_language", default.as_str()),
                        ("site.default_dir", crate::i18n::direction(default)),
                    ],
                );
                theme.by_lang.insert(lang.clone(), (constants, OnceLock::new()));
            }
        }
        Ok(theme)
    }

    /// The templates with `constants` written in, compiled; `None` if they
    /// do not compile (they compiled as written, and only text outside tags
    /// changed, so they do; the templates as written serve then).
    fn compile_inlined(&self, constants: &super::ui_inline::Constants) -> Option<tera::Tera> {
        let inlined: BTreeMap<String, (String, String)> = self
            .templates
            .iter()
            .map(|(name, (path, src))| {
                let src = super::ui_inline::inline(name, src, constants).unwrap_or_else(|| src.clone());
                (name.clone(), (path.clone(), src))
            })
            .collect();
        let mut errors = Vec::new();
        let compiled = compile(&inlined, self.dir_index, &mut errors);
        errors.is_empty().then_some(compiled)
    }

    /// Render `template` with `ctx`, turning errors into diagnostics that point at the template file.
    pub fn render(&self, template: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
        self.tera.render(template, ctx).map_err(|e| self.render_error(&e))
    }

    /// [`Theme::render`] for a page in `lang`, with the language's UI
    /// strings written into the templates (`ui_inline`), as the
    /// bytes of a file: a page is written, not kept as text, so its UTF-8
    /// (which Tera writes from `str`s) is not checked again, as turning it
    /// into a `String` does (1 % of a build).
    pub fn render_bytes(
        &self,
        lang: &str,
        template: &str,
        ctx: &tera::Context,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(PAGE_BYTES);
        let inlined = self
            .by_lang
            .get(lang)
            .and_then(|(constants, tera)| tera.get_or_init(|| self.compile_inlined(constants)).as_ref());
        let Some(tera) = inlined else {
            self.tera
                .render_to(template, ctx, &mut out)
                .map_err(|e| self.render_error(&e))?;
            return Ok(out);
        };
        if let Err(e) = tera.render_to(template, ctx, &mut out) {
            // Columns in the language's copy are not those of the file:
            // the templates as written say where the error is.
            out.clear();
            let as_written = self.tera.render_to(template, ctx, &mut out).err();
            return Err(self.render_error(as_written.as_ref().unwrap_or(&e)));
        }
        Ok(out)
    }

    fn render_error(&self, e: &tera::Error) -> Diagnostic {
        template_errors(&self.templates, e)
            .into_iter()
            .next()
            .unwrap_or_else(|| Diagnostic::error("template", e.to_string()))
    }

    /// Warnings for UI strings a language lacks (they fall back to the default
    /// language; `--strict` makes them errors).
    pub fn missing_string_warnings(&self, config: &Config) -> Vec<Diagnostic> {
        let default = &config.default_language;
        let mut out = Vec::new();
        if !self.strings.contains_key(default) {
            let have: Vec<&str> = self.strings.keys().map(String::as_str).collect();
            out.push(
                Diagnostic::error(
                    "ui-strings-missing",
                    format!("the theme has no UI strings for the default language `{default}`"),
                )
                .at(Location::file_only(format!("i18n/{default}.yaml")))
                .help(format!(
                    "every page needs the default language's UI strings (nothing to fall back to): add i18n/{default}.yaml to the site, copied from the theme's en.yaml and translated, or set default_language to one the theme has ({})",
                    have.join(", ")
                )),
            );
        }
        for (lang, _) in config.languages.iter().skip(1) {
            let file = format!("i18n/{lang}.yaml");
            if !self.strings.contains_key(lang) {
                out.push(
                    Diagnostic::warning("ui-strings-missing", format!("the theme has no UI strings for `{lang}`"))
                        .at(Location::file_only(&file))
                        .help(format!("pages in `{lang}` use the `{default}` strings; add {file} to the site (or theme) with the keys of the `{default}` file")),
                );
                continue;
            }
            let (_, missing) = self.strings_for(lang, default);
            if !missing.is_empty() {
                out.push(
                    Diagnostic::warning(
                        "ui-string-missing",
                        format!(
                            "{} UI string{} missing for `{lang}`: {}",
                            missing.len(),
                            if missing.len() == 1 { " is" } else { "s are" },
                            missing.join(", ")
                        ),
                    )
                    .at(Location::file_only(&file))
                    .help(format!(
                        "these show in `{default}` on `{lang}` pages; add them to {file}"
                    )),
                );
            }
        }
        out
    }

    /// The UI strings of `lang`, with the default language's strings filling gaps.
    /// Returns the merged map and the keys that fell back.
    pub fn strings_for(&self, lang: &str, default: &str) -> (UiStrings, Vec<String>) {
        let mut merged = self.strings.get(default).cloned().unwrap_or_default();
        let mut missing = Vec::new();
        if lang != default {
            let own = self.strings.get(lang);
            for key in merged.keys() {
                if own.is_none_or(|o| !o.contains_key(key)) {
                    missing.push(key.clone());
                }
            }
            if let Some(own) = own {
                merged.extend(own.clone());
            }
        }
        (merged, missing)
    }
}

/// Site static files that would replace a page eventref writes (a language
/// folder, the root redirect, the 404 page, the sitemap or robots.txt).
fn site_file_clashes(config: &Config, files: &BTreeMap<String, StaticFile>) -> Vec<Diagnostic> {
    files
        .keys()
        .filter(|name| super::urls::is_generated(&super::urls::site_file(name), config.language_codes()))
        .map(|name| {
            let out = super::urls::site_file(name);
            Diagnostic::error(
                "static-clash",
                format!("static/{name} would replace a file that eventref writes at /{out}"),
            )
            .at(Location::file_only(format!("static/{name}")))
            .help("the site's static/ folder is copied to the site root: rename or move the file")
        })
        .collect()
}

/// The built-in technet theme's files, sorted like a theme folder's.
fn builtin_into(
    templates: &mut BTreeMap<String, (String, String)>,
    statics: &mut BTreeMap<String, StaticFile>,
    string_files: &mut Vec<(String, PathBuf, String)>,
) {
    for (path, text) in BUILTIN_TECHNET {
        if let Some(name) = path.strip_prefix("templates/") {
            templates.insert(
                name.to_string(),
                (format!("(built-in technet)/{path}"), text.to_string()),
            );
        } else if let Some(name) = path.strip_prefix("static/") {
            statics.insert(name.to_string(), StaticFile::Builtin(text));
        } else if let Some(lang) = path.strip_prefix("i18n/").and_then(|p| p.strip_suffix(".yaml")) {
            string_files.push((
                lang.to_string(),
                PathBuf::from(format!("(built-in technet)/{path}")),
                text.to_string(),
            ));
        }
    }
}

/// The UI strings of every language, from the theme's and the site's files.
fn parse_strings(
    string_files: Vec<(String, PathBuf, String)>,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, UiStrings> {
    let mut strings: BTreeMap<String, UiStrings> = BTreeMap::new();
    for (lang, display, text) in string_files {
        let arc: std::sync::Arc<str> = std::sync::Arc::from(text.as_str());
        match crate::content::parse_yaml::<UiStrings>(&display, &arc, &[]) {
            Ok(map) => strings.entry(lang).or_default().extend(map),
            Err(d) => errors.push(*d),
        }
    }
    strings
}

/// Compile every template once; missing required templates and template
/// errors go to `errors`.
fn compile(
    templates: &BTreeMap<String, (String, String)>,
    dir_index: &'static str,
    errors: &mut Vec<Diagnostic>,
) -> tera::Tera {
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html", ".xml"]);
    register_filters(&mut tera, dir_index);
    for name in REQUIRED_TEMPLATES {
        if !templates.contains_key(*name) {
            errors.push(
                Diagnostic::error("template-missing", format!("the theme has no template `{name}`"))
                    .help(format!("add templates/{name} to the theme or the site")),
            );
        }
    }
    let sources: Vec<(String, String)> = templates
        .iter()
        .map(|(name, (_, src))| (name.clone(), strip_indentation(src)))
        .collect();
    if let Err(e) = tera.add_raw_templates(sources) {
        errors.extend(template_errors(templates, &e));
    }
    tera
}

fn read_dir_into(
    root: &Path,
    dir: &Path,
    templates: &mut BTreeMap<String, (String, String)>,
    statics: &mut BTreeMap<String, StaticFile>,
    strings: &mut Vec<(String, PathBuf, String)>,
    errors: &mut Vec<Diagnostic>,
) {
    for sub in ["templates", "static", "i18n"] {
        for (name, path, display) in theme_files(root, &dir.join(sub), errors) {
            let read = |what: &str, errors: &mut Vec<Diagnostic>| match std::fs::read_to_string(&path) {
                Ok(src) => Some(src),
                Err(e) => {
                    errors.push(
                        Diagnostic::error("read-error", format!("cannot read {what}: {e}"))
                            .at(Location::file_only(display.clone())),
                    );
                    None
                }
            };
            match sub {
                "templates" => {
                    if let Some(src) = read("template", errors) {
                        templates.insert(name, (crate::diagnostics::slash_path(&display), src));
                    }
                }
                "static" => {
                    statics.insert(name, StaticFile::Disk(path));
                }
                _ => {
                    if let Some(lang) = name.strip_suffix(".yaml")
                        && let Some(src) = read("UI strings", errors)
                    {
                        strings.push((lang.to_string(), display, src));
                    }
                }
            }
        }
    }
}

/// The files under `base` (a theme's or the site's `templates/`, `static/`
/// or `i18n/`), sorted, hidden files left out: each as its `/`-separated name
/// under `base`, its path, and its path relative to the site root. Links may
/// lead anywhere inside the site, never outside it.
fn theme_files(root: &Path, base: &Path, errors: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf, PathBuf)> {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut files = Vec::new();
    if !base.is_dir() {
        return files;
    }
    let canonical_root = crate::confine::canonical_root(root);
    if crate::confine::escapes(&canonical_root, base) {
        errors.push(crate::confine::link_outside(&rel(base)));
        return files;
    }
    let mut walk = walkdir::WalkDir::new(base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walk.next() {
        if let Ok(e) = &entry
            && e.path_is_symlink()
            && crate::confine::escapes(&canonical_root, e.path())
        {
            errors.push(crate::confine::link_outside(&rel(e.path())));
            if e.file_type().is_dir() {
                walk.skip_current_dir();
            }
            continue;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(Diagnostic::error(
                    "read-error",
                    format!("cannot read {}: {e}", rel(base).display()),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let name = entry
            .path()
            .strip_prefix(base)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.push((name, entry.path().to_path_buf(), rel(entry.path())));
    }
    files
}

/// The elements whose text keeps its indentation: the browser shows it
/// (`pre`, `textarea`) or runs it (`script`, `style`).
/// Room a page is rendered into at first: an event page is 6 KB, a
/// category page a few times that; a larger page grows its buffer.
const PAGE_BYTES: usize = 16 * 1024;

const KEEP_INDENTATION: [&str; 4] = ["pre", "textarea", "script", "style"];

/// How many bytes of indentation (spaces and tabs at the start) each line of
/// template `src` loses in [`strip_indentation`]: all of it, but on lines
/// that start inside a `pre`, `textarea`, `script` or `style` element.
fn stripped_indents(src: &str) -> Vec<usize> {
    let mut depth = 0usize;
    src.split('\n')
        .map(|line| {
            let strip = if depth == 0 {
                line.len() - line.trim_start_matches([' ', '\t']).len()
            } else {
                0
            };
            let lower = line.to_ascii_lowercase();
            for tag in KEEP_INDENTATION {
                let opens = lower
                    .match_indices(&format!("<{tag}"))
                    .filter(|(i, _)| {
                        let after = lower.as_bytes().get(i + 1 + tag.len());
                        after.is_none_or(|b| *b == b'>' || b.is_ascii_whitespace())
                    })
                    .count();
                let closes = lower.matches(&format!("</{tag}")).count();
                depth = (depth + opens).saturating_sub(closes);
            }
            strip
        })
        .collect()
}

/// Template `src` without the indentation of its lines (see
/// [`stripped_indents`]): about one byte in sixteen of an event page, which a
/// browser never shows. Line numbers stay; [`template_errors`] maps columns back.
fn strip_indentation(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for (k, (line, strip)) in src.split('\n').zip(stripped_indents(src)).enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&line[strip..]);
    }
    out
}

/// Turn a Tera error into diagnostics pointing at the template files.
///
/// Tera reports syntax and rendering errors with a span, and load-time reference
/// checks (unknown filters, tests, functions) as a list of reports whose text
/// carries `--> name:line:col`; both become one diagnostic per problem.
pub fn template_errors(templates: &BTreeMap<String, (String, String)>, e: &tera::Error) -> Vec<Diagnostic> {
    let help = "fix the template; eventref uses Tera 2 (see its documentation for the syntax)";
    let locate = |name: &str, line: u32, col: u32| {
        let (file, src, col) = match templates.get(name) {
            Some((p, s)) => {
                // Tera saw the line without its indentation.
                let shift = stripped_indents(s)
                    .get(line.saturating_sub(1) as usize)
                    .copied()
                    .unwrap_or(0);
                (
                    p.clone(),
                    Some(std::sync::Arc::from(s.as_str())),
                    col + shift as u32,
                )
            }
            None => (name.to_string(), None, col),
        };
        Location::new(file, src, line, col)
    };
    if let tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) = e.kind() {
        let span = r.span();
        return vec![
            Diagnostic::error("template", format!("template error: {}", r.message()))
                .at(locate(
                    r.filename(),
                    span.start_line as u32,
                    span.start_col as u32 + 1,
                ))
                .help(help),
        ];
    }
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        text.push_str(&format!("\n{s}"));
        src = s.source();
    }
    let mut out = Vec::new();
    for block in text.split("error: ").map(str::trim).filter(|b| !b.is_empty()) {
        let message = block.lines().next().unwrap_or(block).trim().to_string();
        let mut d = Diagnostic::error("template", format!("template error: {message}")).help(help);
        let arrow = block.lines().find_map(|l| l.trim().strip_prefix("--> "));
        if let Some((name, rest)) = arrow.and_then(|a| a.split_once(':')) {
            let mut nums = rest.split(':').map(|n| n.trim().parse::<u32>().unwrap_or(1));
            let line = nums.next().unwrap_or(1);
            let col = nums.next().unwrap_or(1);
            d = d.at(locate(name, line, col));
        }
        out.push(d);
    }
    if out.is_empty() {
        out.push(Diagnostic::error("template", format!("template error: {}", text.trim())).help(help));
    }
    out
}

fn register_filters(tera: &mut tera::Tera, dir_index: &'static str) {
    // `{{ e.url | href }}`: the link from this page to a page (or file) of its
    // language, given from the language root (`contoso/7/`, `events/`, `` for
    // the home page), as short as it can be (`../8/` between two events of a
    // source), ending in `dir_index` for a page in an offline copy. Pages
    // without `here` (the 404 page, served at any URL) link from `root`.
    // `dir_index` is the site's (what every page's context holds), not
    // looked up: this filter runs for most links of every page, and each
    // lookup searches the page's context.
    tera.register_filter(
        "href",
        move |url: &str, _: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
            let value = |name: &str| -> tera::TeraResult<tera::Value> {
                Ok(state
                    .get::<tera::Value>(name)?
                    .unwrap_or_else(|| tera::Value::from("")))
            };
            let mut link = match state.get::<tera::Value>("here")? {
                Some(here) => {
                    let here = here.as_str().unwrap_or("");
                    let in_lang = here.split_once('/').map_or("", |(_, rest)| rest);
                    crate::render::urls::relative(in_lang, url)
                }
                None => {
                    let (root, lang) = (value("root")?, value("lang")?);
                    format!(
                        "{}{}/{url}",
                        root.as_str().unwrap_or(""),
                        lang.as_str().unwrap_or("")
                    )
                }
            };
            if url.is_empty() || url.ends_with('/') {
                link.push_str(dir_index);
            }
            Ok(link)
        },
    );
    // `{{ count | plural(key="events_count") }}`: the right plural form of a UI string.
    tera.register_filter(
        "plural",
        |n: u64, kwargs: tera::Kwargs, state: &tera::State| -> tera::TeraResult<String> {
            let key: String = kwargs.must_get("key")?;
            let lang: String = state.get::<String>("lang")?.unwrap_or_else(|| "en".into());
            let t: Option<tera::Value> = state.get::<tera::Value>("t")?;
            let s = t.as_ref().and_then(|t| t.as_map()).and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.as_str() == Some(key.as_str()))
                    .map(|(_, v)| v.clone())
            });
            let ui: UiString = match s {
                Some(v) => {
                    if let Some(text) = v.as_str() {
                        UiString::Text(text.to_string())
                    } else if let Some(m) = v.as_map() {
                        UiString::Plural(
                            m.iter()
                                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                                .collect(),
                        )
                    } else {
                        UiString::Text(key.clone())
                    }
                }
                None => UiString::Text(format!("{{count}} {key}")),
            };
            Ok(crate::i18n::format_plural(&ui, &lang, n))
        },
    );
}
