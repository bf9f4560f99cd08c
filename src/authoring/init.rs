//! `eventref init`: start a new knowledge base in an empty folder — a
//! commented `site.toml`, `content/README.md`, one clearly marked sample
//! record (and its translation template when a second language is given),
//! `.gitignore`, and a GitHub workflow that checks pull requests and publishes
//! `main` to GitHub Pages through eventref's reusable action.
//!
//! Nothing here is specific to the flagship site, and nothing is ever
//! overwritten: a non-empty folder is refused unless `force` is set, and even
//! then files that exist are left alone and reported as skipped.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, layout, valid_lang_code};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::{Failure, FailureKind};

/// eventref's canonical repository, defined once: Cargo.toml's `repository`
/// (which the `cargo binstall` metadata uses too). `.github/action/install.sh`,
/// `action.yml`, the README and docs/publishing.md spell the same URL; a test
/// (tests/init.rs) checks that they agree.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The reusable GitHub Action that installs a released eventref (see
/// `action.yml`): `owner/name@v0` of [`REPOSITORY`].
pub fn action() -> String {
    let repo = REPOSITORY
        .trim_end_matches('/')
        .trim_start_matches("https://github.com/");
    format!("{repo}@v0")
}

/// The event source of the sample record: an obvious example, not a real provider.
pub const SAMPLE_SOURCE: &str = "Contoso-Sample";
/// The event ID of the sample record.
pub const SAMPLE_ID: u16 = 1000;

/// What `eventref init` should write.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The folder of the new site (created when missing).
    pub dir: PathBuf,
    /// The site title.
    pub title: String,
    /// Language codes, default first.
    pub languages: Vec<String>,
    /// The product most events belong to (`[defaults] product`).
    pub product: Option<String>,
    /// Write into a non-empty folder (still never overwriting a file).
    pub force: bool,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            dir: PathBuf::from("."),
            title: "Event Reference".into(),
            languages: vec!["en".into()],
            product: None,
            force: false,
        }
    }
}

/// What `eventref init` did.
#[derive(Debug, Default)]
pub struct InitReport {
    /// Files written, relative to the site folder.
    pub written: Vec<PathBuf>,
    /// Files that already existed and were left alone (only with `force`).
    pub skipped: Vec<PathBuf>,
    /// Commands to run next.
    pub next_steps: Vec<String>,
}

fn usage(d: Diagnostic) -> Failure {
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(d);
    Failure {
        kind: FailureKind::Config,
        diagnostics,
    }
}

/// A TOML basic string holding exactly `s`.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Refuse bad options and a folder `init` must not write into, before
/// anything is written.
fn check_options(opts: &InitOptions) -> Result<(), Failure> {
    if opts.title.trim().is_empty() {
        return Err(usage(
            Diagnostic::error("init-title", "the site title is empty")
                .help("pass --title \"My Event Reference\""),
        ));
    }
    if opts.languages.is_empty() {
        return Err(usage(
            Diagnostic::error("init-languages", "no language given").help("pass --languages en (or en,de)"),
        ));
    }
    for (i, code) in opts.languages.iter().enumerate() {
        if !valid_lang_code(code) {
            return Err(usage(
                Diagnostic::error("init-languages", format!("`{code}` is not a valid language code"))
                    .help("use BCP 47 codes separated by commas, e.g. --languages en,de or en,pt-BR"),
            ));
        }
        if opts.languages[..i].contains(code) {
            return Err(usage(
                Diagnostic::error("init-languages", format!("`{code}` is listed twice"))
                    .help("list each language once, the default first"),
            ));
        }
    }
    if let Some(p) = &opts.product
        && p.trim().is_empty()
    {
        return Err(usage(
            Diagnostic::error("init-product", "the product name is empty")
                .help("pass --product \"Contoso App\", or leave --product out"),
        ));
    }
    let dir = &opts.dir;
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(usage(
            Diagnostic::error("init-folder", format!("{} is a symbolic link", dir.display()))
                .help("eventref never writes through a symbolic link: pass the real folder"),
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(usage(
            Diagnostic::error(
                "init-folder",
                format!("{} exists and is not a folder", dir.display()),
            )
            .help("pass the folder the new site should live in"),
        ));
    }
    let non_empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    if non_empty && !opts.force {
        return Err(usage(
            Diagnostic::error("init-not-empty", format!("{} is not empty", dir.display())).help(
                "start a site in an empty or new folder (eventref init my-site), or pass --force \
                 to add the missing files (existing files are never overwritten)",
            ),
        ));
    }
    Ok(())
}

/// `eventref init`: write a new site into `opts.dir`.
pub fn init(opts: &InitOptions) -> Result<InitReport, Failure> {
    check_options(opts)?;
    let title = opts.title.trim();
    let dir = &opts.dir;
    let record_dir = format!("{}/contoso-sample", layout::CONTENT);
    let record = format!("{record_dir}/{SAMPLE_ID}.yaml");
    let files: Vec<(String, String)> = vec![
        (
            CONFIG_FILE.to_string(),
            site_toml(title, &opts.languages, opts.product.as_deref()),
        ),
        (
            format!("{}/README.md", layout::CONTENT),
            content_readme(&opts.languages),
        ),
        (record.clone(), sample_record()),
        (
            ".gitignore".to_string(),
            format!(
                "# eventref's output folder (eventref build)\n/{out}/\n\
                 # its lock, staging folder and build state (incremental builds)\n/.{out}.eventref-*\n",
                out = layout::OUTPUT
            ),
        ),
        (".github/workflows/site.yml".to_string(), workflow()),
    ];
    // Everything that can fail is checked before the first file is written, so
    // a refused `init --force` leaves the folder as it was.
    for (rel, _) in &files {
        refuse_symlinks(dir, Path::new(rel))?;
    }
    if let Some(second) = opts.languages.get(1) {
        refuse_symlinks(dir, Path::new(&format!("{record_dir}/{SAMPLE_ID}.{second}.yaml")))?;
        // An existing site.toml is kept: it must already list the second language,
        // or the sample's translation template could not be written.
        if dir.join(CONFIG_FILE).exists() {
            let config = crate::config::Config::load(dir).map_err(|d| usage(*d))?;
            if !config.language_codes().any(|c| c == second) {
                return Err(usage(
                    Diagnostic::error(
                        "init-languages",
                        format!("the existing {CONFIG_FILE} does not list the language `{second}`"),
                    )
                    .help(format!(
                        "add `{second}` under [languages] in {CONFIG_FILE}, or leave --languages out"
                    )),
                ));
            }
        }
    }
    let mut report = InitReport::default();
    for (rel, text) in &files {
        write_once(dir, Path::new(rel), text, &mut report)?;
    }
    if let Some(second) = opts.languages.get(1) {
        let overlay = format!("{record_dir}/{SAMPLE_ID}.{second}.yaml");
        if dir.join(&overlay).exists() {
            report.skipped.push(PathBuf::from(overlay));
        } else if let Some(text) = sample_translation(second) {
            write_once(dir, Path::new(&overlay), &text, &mut report)?;
            mark_translated(dir, second)?;
        } else {
            let r = crate::authoring::new(&crate::authoring::NewOptions {
                root: dir.clone(),
                source: SAMPLE_SOURCE.into(),
                id: SAMPLE_ID.to_string(),
                lang: Some(second.clone()),
                ..Default::default()
            })?;
            report.written.push(r.file);
        }
    }
    report.next_steps = next_steps(opts, &record_dir);
    Ok(report)
}

/// What to do after `init`, as commands with comments.
fn next_steps(opts: &InitOptions, record_dir: &str) -> Vec<String> {
    let dir = &opts.dir;
    let record = format!("{record_dir}/{SAMPLE_ID}.yaml");
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    };
    let mut steps = vec![
        format!("{cd}eventref new MySource 1001 --level warning   # write your first record"),
        "eventref serve            # preview at http://127.0.0.1:1111/, reloads on every save".into(),
        "eventref check --strict   # what the pull-request check runs".into(),
        "eventref build            # the site, in public/".into(),
        "git init && git add . && git commit -m \"New knowledge base\"   # then push to GitHub; \
         .github/workflows/site.yml publishes main to GitHub Pages (Settings → Pages → Source: GitHub Actions)"
            .into(),
        format!("delete {record} once you have records of your own"),
    ];
    if let Some(second) = opts.languages.get(1).filter(|l| sample_translation(l).is_none()) {
        steps.insert(
            1,
            format!(
                "translate {record_dir}/{SAMPLE_ID}.{second}.yaml (its texts are marked `# TODO translate`; \
                 `eventref check --strict` fails until they are translated or deleted)"
            ),
        );
    }
    steps
}

/// Refuse when a folder between `dir` and `dir/rel`, or the file itself, is a
/// symbolic link: eventref never writes through one.
fn refuse_symlinks(dir: &Path, rel: &Path) -> Result<(), Failure> {
    let mut path = dir.to_path_buf();
    for part in rel.components() {
        path.push(part);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(usage(
                Diagnostic::error("init-folder", format!("{} is a symbolic link", path.display()))
                    .help("eventref never writes through a symbolic link: remove the link or start in another folder"),
            ));
        }
    }
    Ok(())
}

fn write_once(dir: &Path, rel: &Path, text: &str, report: &mut InitReport) -> Result<(), Failure> {
    let path = dir.join(rel);
    let result = (|| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        std::io::Write::write_all(&mut f, text.as_bytes())
    })();
    match result {
        Ok(()) => report.written.push(rel.to_path_buf()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => report.skipped.push(rel.to_path_buf()),
        Err(e) => {
            return Err(Failure {
                kind: FailureKind::Content,
                diagnostics: {
                    let mut ds = Diagnostics::new();
                    ds.push(
                        Diagnostic::error("write-error", format!("cannot write {}: {e}", path.display()))
                            .help("check that the folder is writable"),
                    );
                    ds
                },
            });
        }
    }
    Ok(())
}

fn site_toml(title: &str, languages: &[String], product: Option<&str>) -> String {
    let mut t = String::new();
    t.push_str("# The configuration of this knowledge base, read by eventref.\n");
    t.push_str(&format!("# Reference: {REPOSITORY}#site-configuration\n\n"));
    t.push_str(&format!("title = {}\n", toml_string(title)));
    t.push_str("# One line about the site: shown on the home page and in search results.\n");
    t.push_str(&format!(
        "description = {}\n",
        toml_string("What our events mean, and what to do about them.")
    ));
    t.push_str("# Your own footer line (who writes the articles, where the definitions come from).\n");
    t.push_str("# footer = \"Written by the Contoso operations team.\"\n");
    t.push_str("# Where the site is published. Without it, sitemap.xml and canonical URLs are\n");
    t.push_str("# skipped; the GitHub workflow passes it with --base-url instead.\n");
    t.push_str("# base_url = \"https://docs.example.org/events/\"\n");
    t.push_str("theme = \"technet\"\n");
    t.push_str(&format!("default_language = {}\n", toml_string(&languages[0])));
    for (i, code) in languages.iter().enumerate() {
        t.push('\n');
        if i == 0 {
            t.push_str("# Every page exists in every language listed here, under /<code>/.\n");
        }
        t.push_str(&format!("[languages.{}]\n", toml_string(code)));
        t.push_str("# name = \"…\"   # the language's own name, for the language switcher\n");
        if i > 0 {
            t.push_str("# title = \"…\"   # the site title in this language\n");
        }
    }
    t.push('\n');
    t.push_str("# Values for records that leave product or product_version out.\n");
    t.push_str("[defaults]\n");
    match product {
        Some(p) => t.push_str(&format!("product = {}\n", toml_string(p.trim()))),
        None => t.push_str("# product = \"Contoso App\"\n"),
    }
    t.push_str("# product_version = \"1.0\"\n");
    t.push('\n');
    t.push_str("# Texts that frame every article of one product (Markdown).\n");
    t.push_str("# [products.\"Contoso App\"]\n");
    t.push_str("# intro = \"This article explains a Contoso App event: what it means and what to do.\"\n");
    t.push('\n');
    t.push_str("# The JSON export: /<code>/api/events.json always; with event_files = true,\n");
    t.push_str("# also one event.json beside each article.\n");
    t.push_str("# [export]\n");
    t.push_str("# event_files = true\n");
    t
}

fn content_readme(languages: &[String]) -> String {
    let mut t = String::from(
        "# Content\n\n\
         One event per YAML file, anywhere under this folder; by convention\n\
         `content/<source-slug>/<id>.yaml`. Start a record with\n\n\
         ```sh\n\
         eventref new MySource 1001 --level warning\n\
         ```\n\n\
         Only `source`, `id` and `message` are required. `contoso-sample/1000.yaml`\n\
         is an example written by `eventref init`: Contoso-Sample is not a real\n\
         event source. Read it for the fields, then delete it.\n",
    );
    if let Some(second) = languages.get(1) {
        t.push_str(&format!(
            "\nTranslations are files next to the record, named with the language code\n\
             (`1000.{second}.yaml`). Start one with `eventref new MySource 1001 --lang {second}`;\n\
             `eventref i18n status` lists what is missing or stale.\n"
        ));
    }
    t
}

/// The sample record in the languages we can translate it into ourselves,
/// so that a new site checks clean under `--strict`. Any other second
/// language gets `eventref new --lang`'s template, marked `# TODO translate`.
fn sample_translation(lang: &str) -> Option<String> {
    let [message, param, explanation, action] = match lang.split('-').next().unwrap_or(lang) {
        "de" => [
            "Der Beispieldienst %1 wurde gestartet.",
            "Der Name des Beispieldienstes.",
            "Dies ist ein Beispielartikel, kein echtes Ereignis. Ein Artikel erklärt,\n  \
             was das Ereignis bedeutet, wann es geschrieben wird und ob es\n  \
             Aufmerksamkeit erfordert.",
            "Keine: Dieses Beispiel erfordert keine Maßnahme. Löschen Sie diese Datei,\n  \
             sobald die Site eigene Datensätze hat.",
        ],
        "fr" => [
            "Le service d'exemple %1 a démarré.",
            "Le nom du service d'exemple.",
            "Ceci est un article d'exemple, pas un événement réel. Un article explique\n  \
             ce que signifie l'événement, quand il est écrit et s'il demande une\n  \
             intervention.",
            "Aucune : cet exemple ne demande aucune action. Supprimez ce fichier dès\n  \
             que le site contient ses propres enregistrements.",
        ],
        "es" => [
            "El servicio de ejemplo %1 se inició.",
            "El nombre del servicio de ejemplo.",
            "Este es un artículo de ejemplo, no un evento real. Un artículo explica qué\n  \
             significa el evento, cuándo se escribe y si requiere atención.",
            "Ninguna: este ejemplo no requiere ninguna acción. Elimine este archivo\n  \
             cuando el sitio tenga registros propios.",
        ],
        _ => return None,
    };
    Some(format!(
        "# yaml-language-server: $schema=../../schemas/overlay.schema.json\n\
         # The {lang} translation of the EXAMPLE record {SAMPLE_ID}.yaml, written by `eventref init`.\n\
         # Delete it together with the record. Your own translation templates come from\n\
         # `eventref new <Source> <ID> --lang {lang}`.\n\
         message: \"{message}\"\n\
         parameters:\n\
         \x20 \"%1\": \"{param}\"\n\
         explanation: |\n\
         \x20 {explanation}\n\
         user_action: |\n\
         \x20 {action}\n"
    ))
}

/// Mark the sample translation as made from the current sample record (the
/// `translated_from` block `eventref i18n refresh` writes).
fn mark_translated(dir: &Path, lang: &str) -> Result<(), Failure> {
    let config = crate::config::Config::load(dir).map_err(|d| usage(*d))?;
    let (content, _) = crate::content::Content::load(&config);
    crate::content::overlay::refresh(dir, &content.events, Some(lang)).map_err(|d| usage(*d))?;
    Ok(())
}

fn sample_record() -> String {
    format!(
        "# An EXAMPLE record written by `eventref init`. Contoso-Sample is not a real\n\
         # event source and this is not a real event: it shows the fields of a record.\n\
         # Replace it with your own events (`eventref new <Source> <ID>`) and delete it.\n\
         source: {SAMPLE_SOURCE}\n\
         id: {SAMPLE_ID}\n\
         level: information\n\
         channel: Application\n\
         message: \"The example service %1 started.\"\n\
         parameters:\n\
         \x20 \"%1\": The name of the example service.\n\
         explanation: |\n\
         \x20 This is an example article, not a real event. An article explains what\n\
         \x20 the event means, when it is written and whether it needs attention.\n\
         user_action: |\n\
         \x20 None: this example needs no action. Delete this file once the site has\n\
         \x20 records of its own.\n"
    )
}

fn workflow() -> String {
    let action = action();
    format!(
        r#"# Checks every pull request (problems appear as annotations on the changed lines)
# and publishes main to GitHub Pages. Written by `eventref init`.
# In the repository settings, under Pages -> Build and deployment -> Source,
# choose "GitHub Actions".
name: site

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Check content
        uses: {action}
        with:
          args: check --strict --format github

  deploy:
    needs: check
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/configure-pages@v5
        id: pages
      - name: Build
        uses: {action}
        with:
          args: build --strict --base-url ${{{{ steps.pages.outputs.base_url }}}}/
      # eventref keeps two bookkeeping files in its output folder (.eventref-manifest,
      # the list of files it wrote, and .eventref-fingerprint, for skipping unchanged
      # builds). They are not part of the site, so they are left out of the upload.
      - name: Prepare the upload
        run: mkdir _site && tar -C public --exclude=./.eventref-manifest --exclude=./.eventref-fingerprint -cf - . | tar -C _site -xf -
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _site
      - uses: actions/deploy-pages@v4
        id: deployment
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_parses_and_quotes_what_it_is_given() {
        let t = site_toml(
            "Contoso \"Ops\" \\ Events",
            &["en".into(), "de".into()],
            Some("Contoso App"),
        );
        let c = crate::config::Config::parse(Path::new("."), &t).unwrap();
        assert_eq!(c.title, "Contoso \"Ops\" \\ Events");
        assert_eq!(c.language_codes().collect::<Vec<_>>(), ["en", "de"]);
        assert_eq!(c.defaults.product.as_deref(), Some("Contoso App"));
        assert!(c.base_url.is_none());
    }

    #[test]
    fn refuses_bad_options() {
        let dir = tempfile::tempdir().unwrap();
        for opts in [
            InitOptions {
                title: " ".into(),
                ..Default::default()
            },
            InitOptions {
                languages: vec!["EN".into()],
                ..Default::default()
            },
            InitOptions {
                languages: vec!["en".into(), "en".into()],
                ..Default::default()
            },
            InitOptions {
                product: Some("".into()),
                ..Default::default()
            },
        ] {
            let opts = InitOptions {
                dir: dir.path().to_path_buf(),
                ..opts
            };
            assert!(init(&opts).is_err(), "{opts:?}");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn the_sample_is_translated_where_we_can_and_marked_todo_elsewhere() {
        for (lang, translated) in [("fr", true), ("de-AT", true), ("ja", false)] {
            let dir = tempfile::tempdir().unwrap();
            let opts = InitOptions {
                dir: dir.path().to_path_buf(),
                languages: vec!["en".into(), lang.into()],
                ..Default::default()
            };
            let report = init(&opts).unwrap();
            let overlay = dir
                .path()
                .join(format!("content/contoso-sample/1000.{lang}.yaml"));
            let text = std::fs::read_to_string(&overlay).unwrap();
            assert_eq!(!text.contains("TODO translate"), translated, "{lang}: {text}");
            assert_eq!(text.contains("translated_from:"), translated, "{lang}: {text}");
            let todo_step = report.next_steps.iter().any(|s| s.starts_with("translate "));
            assert_eq!(todo_step, !translated, "{lang}: {:?}", report.next_steps);
        }
    }

    #[test]
    fn force_with_a_site_lacking_the_second_language_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let config = "title = \"Mine\"\n";
        std::fs::write(dir.path().join(CONFIG_FILE), config).unwrap();
        let opts = InitOptions {
            dir: dir.path().to_path_buf(),
            languages: vec!["en".into(), "de".into()],
            force: true,
            ..Default::default()
        };
        let err = init(&opts).unwrap_err();
        assert_eq!(err.diagnostics.iter().next().unwrap().code, "init-languages");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [CONFIG_FILE]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(CONFIG_FILE)).unwrap(),
            config
        );
    }

    #[cfg(unix)]
    #[test]
    fn force_never_writes_through_a_linked_folder() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("content")).unwrap();
        let opts = InitOptions {
            dir: dir.path().to_path_buf(),
            force: true,
            ..Default::default()
        };
        assert!(init(&opts).is_err());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
