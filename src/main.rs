//! The `eventref` command line: a thin shell around the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use eventref::diagnostics::{Format, ReportFormat};
use eventref::{BuildOptions, Failure, Site};

/// eventref: build a TechNet-style reference site from YAML event records.
#[derive(Parser)]
#[command(name = "eventref", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// The site folder (the one holding site.toml).
    #[arg(long, default_value = ".", global = true)]
    root: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Check the content and theme, then render the site into the output folder.
    Build {
        #[command(flatten)]
        common: Common,
        /// Output folder [default: public/ under the root].
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Override base_url from site.toml (for preview deploys).
        #[arg(long)]
        base_url: Option<String>,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Skip the full-text index (faster previews; ID, name and paste lookup still work).
        #[arg(long)]
        no_search: bool,
        /// Format of diagnostics and of the summary.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Build even when the output already holds a build of exactly these inputs.
        #[arg(long)]
        force: bool,
    },
    /// Build the site, serve it locally, and rebuild and reload the browser on every save.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Port to listen on (0: any free port).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on. Only change it on a trusted network: the preview has no authentication.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Output folder [default: a folder of eventref's under the system's temporary folder].
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Skip the full-text index (faster start on big sites).
        #[arg(long)]
        no_search: bool,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Check the content and theme without writing anything.
    Check {
        #[command(flatten)]
        common: Common,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Diagnostic format: human, github (Actions annotations) or json.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Find the event for a pasted message, Event Viewer text block or event XML.
    Lookup {
        #[command(flatten)]
        common: Common,
        /// Language of the message templates to match [default: the site's default language].
        #[arg(long)]
        lang: Option<String>,
        /// Output: human or json (an array, best first; `[]` when nothing matches).
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// Read the text from this file.
        #[arg(long, short, conflicts_with = "text")]
        file: Option<PathBuf>,
        /// The pasted text; `-` (or nothing) reads standard input.
        text: Vec<String>,
    },
    /// Translations: what is missing or stale, and marking translations as current.
    I18n {
        #[command(subcommand)]
        command: I18nCommand,
    },
    /// Write a new record from a template (or, with --lang, a translation of an existing record).
    New {
        #[command(flatten)]
        common: Common,
        /// The event source, as Event Viewer shows it (e.g. MSExchangeTransport).
        source: String,
        /// The event ID, 0–65535 (decimal, or hex with 0x).
        id: String,
        /// Instead, write the translation overlay of the existing record into this language.
        #[arg(long, conflicts_with_all = ["from_message", "level", "category"])]
        lang: Option<String>,
        /// The message text as Event Viewer shows it; its insertion strings (%1, {Name}) become parameters.
        #[arg(long, value_name = "TEXT")]
        from_message: Option<String>,
        /// The level: critical, error, warning, information, verbose, audit-success or audit-failure.
        #[arg(long)]
        level: Option<String>,
        /// The task category.
        #[arg(long)]
        category: Option<String>,
    },
    /// Print the JSON Schema of records (or of translation overlays), or write both under schemas/.
    Schema {
        #[command(flatten)]
        common: Common,
        /// The schema of translation overlays instead of records.
        #[arg(long)]
        overlay: bool,
        /// Write schemas/record.schema.json and schemas/overlay.schema.json under the root.
        #[arg(long, conflicts_with = "overlay")]
        write: bool,
    },
    /// Import records from provider CSVs or Message Compiler (.mc) files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Generate synthetic sites and measure builds (events/s, peak memory).
    Bench {
        /// Site sizes to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [1000usize, 10000])]
        events: Vec<usize>,
        /// Scratch folder for the generated sites (use a tmpfs such as /dev/shm to leave the disk out).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Languages per site.
        #[arg(long, default_value_t = 1)]
        languages: usize,
        /// Keep the generated sites (to inspect or profile them).
        #[arg(long)]
        keep: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Provider CSVs (Provider, Level, Event ID, Version, Channel, Task, Opcode, Keyword, Message; | or , separated).
    Csv {
        #[command(flatten)]
        common: Common,
        /// CSV files, or folders of them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = eventref::import::ReportFormat::Human)]
        format: eventref::import::ReportFormat,
        /// Report what would change, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Message Compiler (.mc) files: a record per message, an overlay per other language.
    Mc {
        #[command(flatten)]
        common: Common,
        /// The event source the messages belong to (.mc files do not name it).
        #[arg(long)]
        source: String,
        /// .mc files, or folders of them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = eventref::import::ReportFormat::Human)]
        format: eventref::import::ReportFormat,
        /// Report what would change, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum I18nCommand {
    /// Per language: how many events are translated, stale, partial or missing, and which.
    Status {
        #[command(flatten)]
        common: Common,
        /// Only this language.
        #[arg(long)]
        lang: Option<String>,
        /// Output format: human or json.
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// Fail (exit 1) when a translation is stale.
        #[arg(long)]
        strict: bool,
    },
    /// After updating translations: mark them as translated from the current originals.
    Refresh {
        #[command(flatten)]
        common: Common,
        /// Only this language.
        #[arg(long)]
        lang: Option<String>,
    },
}

/// Write to standard output, ignoring a closed pipe (`eventref … | head`).
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[allow(clippy::too_many_arguments)]
fn serve_command(
    common: &Common,
    port: u16,
    bind: std::net::IpAddr,
    output: Option<PathBuf>,
    open: bool,
    no_search: bool,
    strict: bool,
) -> ExitCode {
    let output = output.unwrap_or_else(|| {
        // One folder per site, so that two sites can be served at once.
        let root = common.root.canonicalize().unwrap_or_else(|_| common.root.clone());
        let id = eventref::search::fnv1a(&root.to_string_lossy());
        std::env::temp_dir().join(format!("eventref-serve-{id:08x}"))
    });
    let opts = eventref::live::ServeOptions {
        root: common.root.clone(),
        output,
        bind,
        port,
        search: !no_search,
        strict,
        color: color(),
    };
    let session = match eventref::live::start(opts) {
        Ok(s) => s,
        Err(f) => return report_failure(&f, Format::Human),
    };
    let url = format!("http://{}/", session.addr());
    eprintln!("Serving {url} (watching for changes; press Ctrl+C to stop)");
    if !bind.is_loopback() {
        eprintln!("warning: listening on {bind}: anyone who can reach this machine can read the preview");
    }
    if open {
        open_browser(&url);
    }
    session.run();
    ExitCode::SUCCESS
}

/// Open `url` in the default browser, if the platform has a way.
fn open_browser(url: &str) {
    let (cmd, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    if let Err(e) = std::process::Command::new(cmd)
        .args(args)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("cannot open a browser ({cmd}: {e}); open {url} yourself");
    }
}

fn report_failure(f: &Failure, format: Format) -> ExitCode {
    let text = f.diagnostics.render(format, color());
    match format {
        Format::Human => eprint!("{text}"),
        _ => emit(&text),
    }
    ExitCode::from(f.exit_code() as u8)
}

/// A progress bar on a terminal; plain lines otherwise (CI logs).
struct Bar {
    bar: indicatif::ProgressBar,
    plain: bool,
}
impl eventref::render::Progress for Bar {
    fn start(&self, total: u64) {
        self.bar.set_length(total);
        if self.plain {
            eprintln!("rendering {total} pages");
        }
    }
    fn tick(&self) {
        self.bar.inc(1);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            common,
            output,
            base_url,
            strict,
            quiet,
            no_search,
            format,
            force,
        } => {
            let mut config = match eventref::config::Config::load(&common.root) {
                Ok(c) => c,
                Err(d) => return report_failure(&Failure::config(*d), format),
            };
            if let Some(url) = base_url
                && let Err(d) = config.set_base_url(&url)
            {
                return report_failure(&Failure::config(*d), format);
            }
            // Skip the build when the output already holds one of exactly these inputs.
            let start = std::time::Instant::now();
            let mut probe = BuildOptions {
                output: output.clone(),
                strict,
                search: !no_search,
                ..BuildOptions::default()
            };
            probe.fingerprint = Some(eventref::site::input_fingerprint(&config, &probe));
            if !force && let Some(files) = eventref::site::up_to_date(&config, &probe) {
                let dir = output.clone().unwrap_or_else(|| config.root.join("public"));
                match format {
                    Format::Json => emit(&format!(
                        "{}\n",
                        serde_json::json!({
                            "up_to_date": true,
                            "files": files,
                            "written": 0,
                            "unchanged": files,
                            "removed": 0,
                            "elapsed_ms": start.elapsed().as_secs_f64() * 1000.0,
                            "peak_rss_kb": peak_rss_kb(),
                        })
                    )),
                    Format::Github => {}
                    Format::Human => {
                        if !quiet {
                            eprintln!(
                                "Up to date: nothing changed since the last build ({files} files) → {} (--force rebuilds anyway)",
                                dir.display()
                            );
                        }
                    }
                }
                return ExitCode::SUCCESS;
            }
            let site = Site::from_config(config);
            let bar = indicatif::ProgressBar::hidden();
            if !quiet && format == Format::Human && std::io::stderr().is_terminal() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} rendering {pos}/{len} pages {wide_bar} {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
            }
            let plain = !quiet && format == Format::Human && !std::io::stderr().is_terminal();
            if plain {
                eprintln!(
                    "loaded {} events from {}",
                    site.content.events.len(),
                    site.config.content_dir().display()
                );
            }
            let progress = Bar { bar, plain };
            let opts = BuildOptions {
                fingerprint: probe.fingerprint,
                output,
                strict,
                search: !no_search,
                progress: &progress,
            };
            let result = site.build(&opts);
            progress.bar.finish_and_clear();
            match result {
                Ok(r) => {
                    match format {
                        Format::Json => {
                            let summary = serde_json::json!({
                                "events": r.events,
                                "pages": r.pages,
                                "languages": r.languages,
                                "files": r.write.files,
                                "bytes": r.write.bytes,
                                "written": r.write.written,
                                "unchanged": r.write.unchanged,
                                "removed": r.write.removed,
                                "elapsed_ms": r.elapsed.as_secs_f64() * 1000.0,
                                "peak_rss_kb": peak_rss_kb(),
                                "search_records": r.search.as_ref().map(|s| s.records),
                                "search_files": r.search.as_ref().map(|s| s.files),
                                "search_bytes": r.search.as_ref().map(|s| s.bytes),
                                "search_ms": r.search.as_ref().map(|s| s.elapsed.as_secs_f64() * 1000.0),
                                "warnings": r.diagnostics.warning_count(),
                            });
                            emit(&format!("{summary}\n"));
                        }
                        Format::Github => emit(&r.diagnostics.render(format, false)),
                        Format::Human => {
                            if !r.diagnostics.is_empty() {
                                eprint!("{}", r.diagnostics.render(format, color()));
                            }
                            if !quiet {
                                let s = |n: usize| if n == 1 { "" } else { "s" };
                                eprintln!(
                                    "Built {} event{}, {} pages, {} language{} in {:.2} s ({} written, {} unchanged, {} removed) → {}",
                                    r.events,
                                    s(r.events),
                                    r.pages,
                                    r.languages,
                                    s(r.languages),
                                    r.elapsed.as_secs_f64(),
                                    r.write.written,
                                    r.write.unchanged,
                                    r.write.removed,
                                    r.output.display()
                                );
                            }
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => report_failure(&f, format),
            }
        }
        Command::Check {
            common,
            strict,
            format,
        } => {
            let site = match Site::load(&common.root) {
                Ok(s) => s,
                Err(f) => return report_failure(&f, format),
            };
            match site.check(strict) {
                Ok(diags) => {
                    let text = diags.render(format, color());
                    match format {
                        Format::Human => {
                            eprint!("{text}");
                            eprintln!("{} events checked: no errors", site.content.events.len());
                        }
                        _ => emit(&text),
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => report_failure(&f, format),
            }
        }
        Command::I18n { command } => i18n_command(command),
        Command::New {
            common,
            source,
            id,
            lang,
            from_message,
            level,
            category,
        } => {
            let opts = eventref::authoring::NewOptions {
                root: common.root,
                source,
                id,
                lang,
                from_message,
                level,
                category,
            };
            match eventref::authoring::new(&opts) {
                Ok(r) => {
                    eprint!("{}", r.diagnostics.render(Format::Human, color()));
                    emit(&format!("{}\n", r.path(&opts.root).display()));
                    for h in &r.hints {
                        eprintln!("next: {h}");
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => report_failure(&f, Format::Human),
            }
        }
        Command::Schema {
            common,
            overlay,
            write,
        } => match eventref::schema::command(&common.root, overlay, write) {
            Ok((out, err)) => {
                eprint!("{err}");
                emit(&out);
                ExitCode::SUCCESS
            }
            Err(f) => report_failure(&f, Format::Human),
        },
        Command::Import { command } => {
            use eventref::import::ReportFormat;
            let (result, format) = match command {
                ImportCommand::Csv {
                    common,
                    files,
                    format,
                    dry_run,
                } => (
                    eventref::import::csv::import(&common.root, &files, dry_run),
                    format,
                ),
                ImportCommand::Mc {
                    common,
                    source,
                    files,
                    format,
                    dry_run,
                } => (
                    eventref::import::mc::import(&common.root, &source, &files, dry_run),
                    format,
                ),
            };
            let diag_format = match format {
                ReportFormat::Json => Format::Json,
                ReportFormat::Human => Format::Human,
            };
            match result {
                Ok(report) => {
                    if format == ReportFormat::Human {
                        eprint!("{}", report.diagnostics.render(Format::Human, color()));
                    }
                    emit(&report.render(format));
                    ExitCode::SUCCESS
                }
                Err(f) => report_failure(&f, diag_format),
            }
        }
        Command::Lookup {
            common,
            lang,
            format,
            file,
            text,
        } => lookup_command(&common, lang, format, file, text),
        Command::Serve {
            common,
            port,
            bind,
            output,
            open,
            no_search,
            strict,
        } => serve_command(&common, port, bind, output, open, no_search, strict),
        Command::Bench {
            events,
            dir,
            languages,
            keep,
        } => match eventref::synth::bench(&events, dir.as_deref(), languages, keep) {
            Ok(table) => {
                emit(&table);
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("bench failed: {e}");
                ExitCode::from(1)
            }
        },
    }
}

/// Peak resident memory of this process in KiB (Linux), for `--format json`.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn i18n_command(command: I18nCommand) -> ExitCode {
    let (common, lang) = match &command {
        I18nCommand::Status { common, lang, .. } | I18nCommand::Refresh { common, lang } => {
            (common, lang.clone())
        }
    };
    let site = match Site::load(&common.root) {
        Ok(s) => s,
        Err(f) => return report_failure(&f, Format::Human),
    };
    if site.diagnostics.error_count() > 0 {
        let f = Failure {
            kind: eventref::FailureKind::Content,
            diagnostics: site.diagnostics.clone(),
        };
        return report_failure(&f, Format::Human);
    }
    if let Some(l) = &lang
        && !site.config.languages.iter().skip(1).any(|(c, _)| c == l)
    {
        eprintln!("error: `{l}` is not a translated language of this site (see [languages] in site.toml)");
        return ExitCode::from(2);
    }
    match command {
        I18nCommand::Status { format, strict, .. } => {
            let report = eventref::i18n::status(&site.config, &site.content.events, lang.as_deref());
            let stale: usize = report.iter().map(|r| r.stale).sum();
            match format {
                ReportFormat::Json => emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                )),
                ReportFormat::Human => emit(&eventref::i18n::status_text(&report, site.content.events.len())),
            }
            if strict && stale > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        I18nCommand::Refresh { .. } => {
            match eventref::translation::refresh(&site.config.root, &site.content.events, lang.as_deref()) {
                Ok(files) => {
                    for f in &files {
                        eprintln!("refreshed {}", f.display());
                    }
                    eprintln!(
                        "{} translation file{} refreshed",
                        files.len(),
                        if files.len() == 1 { "" } else { "s" }
                    );
                    ExitCode::SUCCESS
                }
                Err(d) => report_failure(&Failure::content(*d), Format::Human),
            }
        }
    }
}

fn lookup_command(
    common: &Common,
    lang: Option<String>,
    format: ReportFormat,
    file: Option<PathBuf>,
    text: Vec<String>,
) -> ExitCode {
    use std::io::Read;
    let site = match Site::load(&common.root) {
        Ok(s) => s,
        Err(f) => return report_failure(&f, Format::Human),
    };
    let lang = lang.unwrap_or_else(|| site.config.default_language.clone());
    if !site.config.languages.iter().any(|(c, _)| *c == lang) {
        eprintln!("error: `{lang}` is not a language of this site (see [languages] in site.toml)");
        return ExitCode::from(2);
    }
    let input = match (file, text.as_slice()) {
        (Some(f), _) => match std::fs::read_to_string(&f) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", f.display());
                return ExitCode::from(2);
            }
        },
        (None, []) => {
            let mut s = String::new();
            let _ = std::io::stdin().read_to_string(&mut s);
            s
        }
        (None, [dash]) if dash == "-" => {
            let mut s = String::new();
            let _ = std::io::stdin().read_to_string(&mut s);
            s
        }
        (None, words) => words.join(" "),
    };
    if input.trim().is_empty() {
        eprintln!("error: nothing to look up: pass the text, --file F, or pipe it in");
        return ExitCode::from(2);
    }
    let answer = eventref::lookup::answer_site(&site.config, &site.content.events, &lang, &input);
    if answer.notices.contains(&eventref::lookup::Notice::TooLong) {
        eprintln!("error: {}", eventref::lookup::TOO_LONG);
        return ExitCode::from(2);
    }
    match format {
        ReportFormat::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&answer.matches).unwrap_or_default()
        )),
        ReportFormat::Human => emit(&eventref::lookup::results_text(&answer.matches)),
    }
    for n in &answer.notices {
        eprintln!("{}", n.text());
    }
    if answer.matches.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
