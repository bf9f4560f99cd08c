//! `eventref check`: run every check of a build without writing anything.

use std::process::ExitCode;

use eventref::diagnostics::Format;

use super::{Common, DiagnosticFormat, color, emit, report_failure};

/// Check the content and theme without writing anything.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// The output folder `build` would write (checked for safety, never written)
    /// [default: public/ under the root].
    #[arg(long, short)]
    output: Option<std::path::PathBuf>,
    /// Diagnostic format: human, github (Actions annotations) or json.
    #[arg(long, value_enum, default_value_t)]
    format: DiagnosticFormat,
    /// Also fetch every link to another site (concurrently; answers cached
    /// in .eventref/ of the site). Unreachable links are warnings, not errors.
    #[arg(long)]
    external_links: bool,
    /// With --external-links: the longest one link may take, in seconds.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    link_timeout: u64,
    /// With --external-links: fetch every link again, ignoring the cache.
    #[arg(long)]
    no_link_cache: bool,
}

/// Run `eventref check`.
pub fn run(args: Args) -> ExitCode {
    let format = Format::from(args.format);
    let site = match eventref::Site::load(&args.common.root) {
        Ok(s) => s,
        Err(f) => return report(&f, format),
    };
    let checked = site.check(args.strict, args.output.as_deref());
    let checked = match checked {
        Ok(diags) if args.external_links => {
            let mut opts = eventref::site::ExternalOptions::for_root(&site.config.root);
            opts.timeout = std::time::Duration::from_secs(args.link_timeout.max(1));
            if args.no_link_cache {
                opts.max_age = std::time::Duration::ZERO;
            }
            site.check_external_links(diags, args.strict, &opts)
        }
        other => other,
    };
    match checked {
        Ok(diags) => {
            let events = site.content.events.len();
            match format {
                Format::Json => {
                    emit(&diags.json_report("check", 0, Some(serde_json::json!({ "events": events }))))
                }
                Format::Human => {
                    eprint!("{}", diags.render(format, color()));
                    eprintln!("{events} events checked: no errors");
                }
                Format::Github => emit(&diags.render(format, false)),
            }
            ExitCode::SUCCESS
        }
        Err(f) => report(&f, format),
    }
}

/// Report a failure: the shared JSON report for `--format json`, the usual
/// rendering otherwise.
fn report(f: &eventref::Failure, format: Format) -> ExitCode {
    if format == Format::Json {
        emit(&f.diagnostics.json_report("check", f.exit_code(), None));
        return ExitCode::from(f.exit_code() as u8);
    }
    report_failure(f, format)
}
