//! The `eventref` command line: a thin shell around the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use eventref::diagnostics::Format;
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
        /// Format of diagnostics and of the summary.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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
    /// Translations: what is missing or stale, and marking translations as current.
    I18n {
        #[command(subcommand)]
        command: I18nCommand,
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
enum I18nCommand {
    /// Per language: how many events are translated, stale, partial or missing, and which.
    Status {
        #[command(flatten)]
        common: Common,
        /// Only this language.
        #[arg(long)]
        lang: Option<String>,
        /// Output format: human or json.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn report_failure(f: &Failure, format: Format) -> ExitCode {
    let text = f.diagnostics.render(format, color());
    match format {
        Format::Human => eprint!("{text}"),
        _ => print!("{text}"),
    }
    ExitCode::from(f.exit_code() as u8)
}

struct Bar(indicatif::ProgressBar);
impl eventref::render::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn tick(&self) {
        self.0.inc(1);
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
            format,
        } => {
            let mut site = match Site::load(&common.root) {
                Ok(s) => s,
                Err(f) => return report_failure(&f, format),
            };
            if let Some(url) = base_url
                && let Err(d) = site.config.set_base_url(&url)
            {
                let mut ds = eventref::diagnostics::Diagnostics::new();
                ds.push(*d);
                return report_failure(
                    &Failure {
                        kind: eventref::FailureKind::Config,
                        diagnostics: ds,
                    },
                    format,
                );
            }
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
            let progress = Bar(bar);
            let opts = BuildOptions {
                output,
                strict,
                progress: &progress,
            };
            let result = site.build(&opts);
            progress.0.finish_and_clear();
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
                                "warnings": r.diagnostics.warning_count(),
                            });
                            println!("{summary}");
                        }
                        Format::Github => print!("{}", r.diagnostics.render(format, false)),
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
                        _ => print!("{text}"),
                    }
                    ExitCode::SUCCESS
                }
                Err(f) => report_failure(&f, format),
            }
        }
        Command::I18n { command } => i18n_command(command),
        Command::Bench {
            events,
            dir,
            languages,
            keep,
        } => match eventref::synth::bench(&events, dir.as_deref(), languages, keep) {
            Ok(table) => {
                print!("{table}");
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
                Format::Json => println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default()),
                _ => print!(
                    "{}",
                    eventref::i18n::status_text(&report, site.content.events.len())
                ),
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
                Err(d) => {
                    let mut ds = eventref::diagnostics::Diagnostics::new();
                    ds.push(*d);
                    report_failure(
                        &Failure {
                            kind: eventref::FailureKind::Content,
                            diagnostics: ds,
                        },
                        Format::Human,
                    )
                }
            }
        }
    }
}
