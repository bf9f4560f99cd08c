//! `eventref check`: run every check of a build without writing anything.

use std::process::ExitCode;

use eventref::diagnostics::Format;

use super::{Common, DiagnosticFormat, color, emit, load_site, report_failure};

/// Check the content and theme without writing anything.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// Diagnostic format: human, github (Actions annotations) or json.
    #[arg(long, value_enum, default_value_t)]
    format: DiagnosticFormat,
}

/// Run `eventref check`.
pub fn run(args: Args) -> ExitCode {
    let format = Format::from(args.format);
    let site = match load_site(&args.common, format) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match site.check(args.strict) {
        Ok(diags) => {
            let text = diags.render(format, color());
            if format == Format::Human {
                eprint!("{text}");
                eprintln!("{} events checked: no errors", site.content.events.len());
            } else {
                emit(&text);
            }
            ExitCode::SUCCESS
        }
        Err(f) => report_failure(&f, format),
    }
}
