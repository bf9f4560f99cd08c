//! `eventref new`: a record from a commented template, or a translation overlay.

use std::process::ExitCode;

use eventref::authoring::NewOptions;
use eventref::diagnostics::Format;

use super::{Common, color, emit, report_failure};

/// Write a new record from a template (or, with --lang, a translation of an existing record).
#[derive(clap::Args)]
pub struct Args {
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
}

/// Run `eventref new`.
pub fn run(args: Args) -> ExitCode {
    let opts = NewOptions {
        root: args.common.root,
        source: args.source,
        id: args.id,
        lang: args.lang,
        from_message: args.from_message,
        level: args.level,
        category: args.category,
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
