//! `eventref init`: start a new knowledge base in an empty folder.

use std::path::PathBuf;
use std::process::ExitCode;

use eventref::authoring::InitOptions;
use eventref::diagnostics::Format;

use super::{emit, report_failure};

/// Start a new knowledge base: site.toml, a sample record, .gitignore and a GitHub workflow.
#[derive(clap::Args)]
pub struct Args {
    /// The folder of the new site (created when missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The site title.
    #[arg(long, default_value = "Event Reference")]
    title: String,
    /// Language codes, the default first, separated by commas (e.g. en,de).
    #[arg(long, value_delimiter = ',', default_value = "en")]
    languages: Vec<String>,
    /// The product most events belong to (written as [defaults] product).
    #[arg(long)]
    product: Option<String>,
    /// Add the missing files to a non-empty folder (existing files are never overwritten).
    #[arg(long)]
    force: bool,
}

/// Run `eventref init`.
pub fn run(args: Args) -> ExitCode {
    let opts = InitOptions {
        dir: args.dir,
        title: args.title,
        languages: args.languages.into_iter().map(|l| l.trim().to_string()).collect(),
        product: args.product,
        force: args.force,
    };
    match eventref::authoring::init(&opts) {
        Ok(r) => {
            for f in &r.written {
                emit(&format!("wrote {}\n", opts.dir.join(f).display()));
            }
            for f in &r.skipped {
                emit(&format!(
                    "kept  {} (exists; eventref never overwrites a file)\n",
                    opts.dir.join(f).display()
                ));
            }
            emit("\nNext steps:\n");
            for s in &r.next_steps {
                emit(&format!("  {s}\n"));
            }
            ExitCode::SUCCESS
        }
        Err(f) => report_failure(&f, Format::Human),
    }
}
