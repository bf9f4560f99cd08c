//! `eventref import csv`, `eventref import mc` and `eventref import manifest`:
//! records from provider CSVs, Message Compiler files, and instrumentation
//! manifests or `wevtutil gp` output.

use std::path::PathBuf;
use std::process::ExitCode;

use eventref::diagnostics::Format;

use super::{Common, ReportFormat, color, emit, report_failure};

/// What every importer takes: the site, the input files, and how to report.
#[derive(clap::Args)]
pub struct Inputs {
    #[command(flatten)]
    common: Common,
    /// Input files, or folders of them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
    /// Report what would change, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Import records from provider CSVs, Message Compiler (.mc) files, or instrumentation manifests.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Provider CSVs (Provider, Level, Event ID, Version, Channel, Task, Opcode, Keyword, Message; | or , separated).
    Csv(Inputs),
    /// Message Compiler (.mc) files: a record per message, an overlay per other language.
    Mc {
        /// The event source the messages belong to (.mc files do not name it).
        #[arg(long)]
        source: String,
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Instrumentation manifests (.man) or `wevtutil gp <provider> /ge /gm /f:xml` output (.xml), told apart by their root element: records with fields, versions and value maps, an overlay per other culture.
    Manifest(Inputs),
}

/// Run `eventref import …`.
pub fn run(command: Command) -> ExitCode {
    let (result, format) = match command {
        Command::Csv(i) => (
            eventref::import::csv::import(&i.common.root, &i.files, i.dry_run),
            i.format,
        ),
        Command::Manifest(i) => (
            eventref::import::manifest::import(&i.common.root, &i.files, i.dry_run),
            i.format,
        ),
        Command::Mc { source, inputs: i } => (
            eventref::import::mc::import(&i.common.root, &source, &i.files, i.dry_run),
            i.format,
        ),
    };
    let format = Format::from(format);
    match result {
        Ok(report) => {
            if format == Format::Human {
                eprint!("{}", report.diagnostics.render(Format::Human, color()));
            }
            emit(&report.render(format));
            // Refused rows: the rest was imported, but say so in the exit code.
            if report.diagnostics.error_count() > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(f) => report_failure(&f, format),
    }
}
