//! `eventref build`: build the site into the output folder, or say it is up to date.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use eventref::Failure;
use eventref::config::Config;
use eventref::diagnostics::Format;
use eventref::site::{BuildOptions, BuildOutcome, BuildReport, Site};

use super::{Common, DiagnosticFormat, color, emit, peak_rss_kb, report_failure};

/// Check the content and theme, then render the site into the output folder.
#[derive(clap::Args)]
pub struct Args {
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
    #[arg(long, value_enum, default_value_t)]
    format: DiagnosticFormat,
    /// Build even when the output already holds a build of exactly these inputs.
    #[arg(long)]
    force: bool,
    /// Build an offline copy that works opened from disk (file://): links end
    /// in index.html, lookup works without a server (same as `offline = true`
    /// in site.toml). Full-text search still needs a server.
    #[arg(long)]
    offline: bool,
}

/// Run `eventref build`.
pub fn run(args: Args) -> ExitCode {
    let format = Format::from(args.format);
    let config = match Config::load(&args.common.root) {
        Ok(c) => c,
        Err(d) => return report(&Failure::config(*d), format),
    };
    let mut config = config;
    if let Some(url) = &args.base_url
        && let Err(d) = config.set_base_url(url)
    {
        return report(&Failure::config(*d), format);
    }
    if args.offline {
        config.offline = true;
    }
    let human = !args.quiet && format == Format::Human;
    let progress = Bar::new(human);
    let opts = BuildOptions {
        output: args.output,
        strict: args.strict,
        search: !args.no_search,
        force: args.force,
        progress: &progress,
    };
    let result = Site::build_if_changed(config, &opts);
    progress.bar.finish_and_clear();
    let outcome = match result {
        Ok(o) => o,
        Err(f) => return report(&f, format),
    };
    match format {
        Format::Json => {
            let mut summary = outcome.summary();
            summary["peak_rss_kb"] = serde_json::json!(peak_rss_kb());
            let diags = match &outcome {
                BuildOutcome::Built(r) => r.diagnostics.clone(),
                BuildOutcome::UpToDate { .. } => Default::default(),
            };
            emit(&diags.json_report("build", 0, Some(summary)));
        }
        Format::Github => {
            if let BuildOutcome::Built(r) = &outcome {
                emit(&r.diagnostics.render(format, false));
            }
        }
        Format::Human => match &outcome {
            BuildOutcome::UpToDate { output, files, .. } if human => eprintln!(
                "Up to date: nothing changed since the last build ({files} files) → {} (--force rebuilds anyway)",
                output.display()
            ),
            BuildOutcome::UpToDate { .. } => {}
            BuildOutcome::Built(r) => {
                if !r.diagnostics.is_empty() {
                    eprint!("{}", r.diagnostics.render(format, color()));
                }
                if human {
                    eprintln!("{}", built_line(r));
                }
            }
        },
    }
    ExitCode::SUCCESS
}

/// Report a failure: the shared JSON report for `--format json`, the usual
/// rendering otherwise.
fn report(f: &Failure, format: Format) -> ExitCode {
    if format == Format::Json {
        emit(&f.diagnostics.json_report("build", f.exit_code(), None));
        return ExitCode::from(f.exit_code() as u8);
    }
    report_failure(f, format)
}

fn built_line(r: &BuildReport) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "Built {} event{}{}, {} pages, {} language{} in {:.2} s ({} written, {} unchanged, {} removed) → {}",
        r.events,
        s(r.events),
        if r.incremental {
            " incrementally (only what the edits since the last build change)"
        } else {
            ""
        },
        r.pages,
        r.languages,
        s(r.languages),
        r.elapsed.as_secs_f64(),
        r.write.written,
        r.write.unchanged,
        r.write.removed,
        r.output.display()
    )
}

/// A progress bar on a terminal; plain lines otherwise (CI logs).
struct Bar {
    bar: indicatif::ProgressBar,
    plain: bool,
}

impl Bar {
    fn new(human: bool) -> Bar {
        let bar = indicatif::ProgressBar::hidden();
        let terminal = std::io::stderr().is_terminal();
        if human && terminal {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} rendering {pos}/{len} pages {wide_bar} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
        }
        Bar {
            bar,
            plain: human && !terminal,
        }
    }
}

impl eventref::render::Progress for Bar {
    fn loaded(&self, events: usize, content: &Path) {
        if self.plain {
            eprintln!("loaded {events} events from {}", content.display());
        }
    }
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
