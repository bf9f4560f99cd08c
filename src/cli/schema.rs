//! `eventref schema`: the JSON Schemas of records and overlays, printed or written.

use std::process::ExitCode;

use eventref::diagnostics::Format;

use super::{Common, emit, report_failure};

/// Print the JSON Schema of records (or of translation overlays), or write both under schemas/.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    /// The schema of translation overlays instead of records.
    #[arg(long)]
    overlay: bool,
    /// Write schemas/record.schema.json and schemas/overlay.schema.json under the root.
    #[arg(long, conflicts_with = "overlay")]
    write: bool,
}

/// Run `eventref schema`.
pub fn run(args: Args) -> ExitCode {
    match eventref::authoring::schema::command(&args.common.root, args.overlay, args.write) {
        Ok((out, err)) => {
            eprint!("{err}");
            emit(&out);
            ExitCode::SUCCESS
        }
        Err(f) => report_failure(&f, Format::Human),
    }
}
