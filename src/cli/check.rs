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
}

/// Run `eventref check`.
pub fn run(args: Args) -> ExitCode {
    let format = Format::from(args.format);
    let site = match eventref::Site::load(&args.common.root) {
        Ok(s) => s,
        Err(f) => return report(&f, format),
    };
    match site.check(args.strict, args.output.as_deref()) {
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
